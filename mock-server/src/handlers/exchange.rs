//! `GET /auth/oidc-token-exchange` (experimental): the presented token and a CI job's OIDC
//! ID token in, a token for the job out, never wider or longer-lived than the one presented.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use biscuit_auth::builder::Term;
use nixbuild::Token;
use nixbuild::token::BlockInfo;
use nixbuild::token::datalog::{self, Binary, CheckKind, Op};
use wiremock::Request;

use super::id_token;
use crate::answer::Answer;
use crate::auth::{Authority, VerifiedToken};
use crate::state::State;

/// Lifetime of an exchanged token (at most: never longer than the token presented).
pub const EXCHANGED_TOKEN_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// The handler.
pub(crate) fn handle(state: &State, request: &Request, verified: Option<&VerifiedToken>) -> Answer {
    let jwt = match id_token(request) {
        Ok(jwt) => jwt,
        Err(message) => return Answer::error(400, message),
    };
    let Some(presented) = verified else {
        return Answer::error(
            403,
            "this mock runs with auth off, so it has no verified token to exchange; it \
             signs nothing it has not verified",
        );
    };
    match exchange(&state.authority, presented, jwt, state.clock.system_now()) {
        Ok(token) => Answer::text(200, token.expose_secret().to_owned()),
        Err(message) => Answer::error(403, message),
    }
}

/// The exchanged token: the presented token's owner and rights, read from its verified
/// authority block, the JWT's claims as `jwt_claim(name, value)` facts, and an expiry at
/// the earlier of the presented token's and six hours from `now`. It never grants more, or
/// for longer, than the token presented; an error is the message of a 403.
///
/// A token with attenuation blocks is refused rather than exchanged: their checks could not
/// be carried into a token the mock signs anew without reading them back from text, and
/// dropping them would widen the token.
///
/// The mock does **not** verify the JWT (it has no issuer's keys): it reads the claims of
/// its payload when it can, and a value that is not a decodable JWT gives no claims.
fn exchange(
    authority: &Authority,
    presented: &VerifiedToken,
    jwt: &str,
    now: SystemTime,
) -> Result<Token, String> {
    let attenuations = presented.info.blocks.len() - 1;
    if attenuations > 0 {
        return Err(format!(
            "this mock exchanges only tokens without attenuation blocks (this one has {attenuations}): \
             their checks cannot be carried over, and dropping them would widen the token"
        ));
    }
    only_expiry_checks(presented.info.authority())?;
    let (owner, rights) = presented.owner_and_rights()?;
    let six_hours = now.checked_add(EXCHANGED_TOKEN_LIFETIME).unwrap_or(now);
    let expiry = match presented.info.expires_at {
        Some(presented_expiry) => six_hours.min(presented_expiry.into()),
        None => six_hours,
    };
    Ok(authority
        .tokens()
        .owner(owner)
        .rights(rights)
        .expires_at(expiry)
        .mint_with_claims(jwt_claims(jwt)))
}

/// Refuses an authority block with rules, or with a check other than the expiry check
/// nixbuild.net writes (`check if time($t), $t < <date>`): the new token replaces that one
/// with the earlier expiry, and could not carry any other without widening the token.
fn only_expiry_checks(authority: &BlockInfo) -> Result<(), String> {
    let unsupported = || {
        "this mock exchanges only tokens whose authority block holds no rules and no checks \
         but an expiry: others could not be carried into the new token"
            .to_owned()
    };
    if !authority.rules.is_empty() || !authority.scopes.is_empty() {
        return Err(unsupported());
    }
    for check in &authority.checks {
        let [query] = check.queries.as_slice() else {
            return Err(unsupported());
        };
        let is_expiry = check.kind == CheckKind::If
            && query.scopes.is_empty()
            && match (query.body.as_slice(), query.expressions.as_slice()) {
                ([time], [expression]) => {
                    time.name == "time"
                        && matches!(
                            (time.terms.as_slice(), expression.ops.as_slice()),
                            ([datalog::Term::Variable(t)], [Op::Value(datalog::Term::Variable(v)), Op::Value(datalog::Term::Date(_)), Op::Binary(Binary::LessThan)])
                                if t == v
                        )
                }
                _ => false,
            };
        if !is_expiry {
            return Err(unsupported());
        }
    }
    Ok(())
}

/// The claims of a JWT's payload, unverified: strings, integers and booleans as such, other
/// values as their JSON text.
pub(crate) fn jwt_claims(jwt: &str) -> Vec<(String, Term)> {
    let Some(payload) = jwt.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&bytes) else {
        return Vec::new();
    };
    claims
        .into_iter()
        .map(|(name, value)| {
            let term = match value {
                serde_json::Value::String(s) => Term::Str(s),
                serde_json::Value::Bool(b) => Term::Bool(b),
                serde_json::Value::Number(n) if n.is_i64() => Term::Integer(n.as_i64().unwrap_or_default()),
                other => Term::Str(other.to_string()),
            };
            (name, term)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_come_from_the_payload_of_a_jwt() {
        let payload = URL_SAFE_NO_PAD
            .encode(r#"{"repository":"acme/web","run_number":42,"ref_protected":true,"aud":["a"]}"#);
        let claims = jwt_claims(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"));
        assert!(claims.contains(&("repository".into(), Term::Str("acme/web".into()))));
        assert!(claims.contains(&("run_number".into(), Term::Integer(42))));
        assert!(claims.contains(&("ref_protected".into(), Term::Bool(true))));
        assert!(claims.contains(&("aud".into(), Term::Str("[\"a\"]".into()))));
        assert!(jwt_claims("not a jwt").is_empty());
        assert!(jwt_claims("a.%%%.c").is_empty());
    }
}
