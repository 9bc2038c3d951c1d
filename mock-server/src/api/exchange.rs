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

use super::request::id_token;
use crate::answer::Answer;
use crate::app::State;
use crate::auth::{Authority, VerifiedToken};
use crate::limits::{MAX_AUTHORIZATION_BYTES, MAX_STRING_BYTES};
use crate::limits::{MAX_ID_TOKEN_BYTES, MAX_JWT_CLAIM_NAME_BYTES, MAX_JWT_CLAIMS};

/// Lifetime of an exchanged token (at most: never longer than the token presented).
pub const EXCHANGED_TOKEN_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// The handler.
pub(crate) fn handle(state: &State, request: &Request, verified: Option<&VerifiedToken>) -> Answer {
    let jwt = match id_token(request) {
        Ok(jwt) => jwt,
        Err(message) => return Answer::error(400, message),
    };
    if jwt.len() > MAX_ID_TOKEN_BYTES {
        return Answer::error(
            431,
            format!(
                "the OIDC ID token has {} bytes; this mock exchanges at most {MAX_ID_TOKEN_BYTES}",
                jwt.len()
            ),
        );
    }
    let claims = match jwt_claims(jwt) {
        Ok(claims) => claims,
        Err(message) => return Answer::error(400, message),
    };
    let Some(presented) = verified else {
        return Answer::error(
            403,
            "this mock runs with auth off, so it has no verified token to exchange; it \
             signs nothing it has not verified",
        );
    };
    let token = match exchange(state.authority(), presented, claims, state.system_now()) {
        Ok(token) => token,
        Err(message) => return Answer::error(403, message),
    };
    let length = token.expose_secret().len();
    if length > MAX_AUTHORIZATION_BYTES {
        return Answer::error(
            400,
            format!(
                "the ID token's claims make a token of {length} bytes, more than the \
                 {MAX_AUTHORIZATION_BYTES} this mock reads in an Authorization header"
            ),
        );
    }
    Answer::text(200, token.expose_secret().to_owned())
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
    claims: Vec<(String, Term)>,
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
        .mint_with_claims(claims))
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
/// values as their JSON text. A value that is not a decodable JWT has no claims; one with
/// more or larger claims than the caps is refused, naming the cap.
pub(crate) fn jwt_claims(jwt: &str) -> Result<Vec<(String, Term)>, String> {
    let Some(payload) = jwt.split('.').nth(1) else {
        return Ok(Vec::new());
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else {
        return Ok(Vec::new());
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&bytes) else {
        return Ok(Vec::new());
    };
    if claims.len() > MAX_JWT_CLAIMS {
        return Err(format!(
            "the OIDC ID token has {} claims; this mock carries at most {MAX_JWT_CLAIMS} into a token",
            claims.len()
        ));
    }
    claims
        .into_iter()
        .map(|(name, value)| {
            if name.len() > MAX_JWT_CLAIM_NAME_BYTES {
                return Err(format!(
                    "an OIDC ID token claim's name has {} bytes; this mock takes at most \
                     {MAX_JWT_CLAIM_NAME_BYTES}",
                    name.len()
                ));
            }
            let term = match value {
                serde_json::Value::String(s) => Term::Str(s),
                serde_json::Value::Bool(b) => Term::Bool(b),
                serde_json::Value::Number(n) if n.is_i64() => Term::Integer(n.as_i64().unwrap_or_default()),
                other => Term::Str(other.to_string()),
            };
            if let Term::Str(text) = &term
                && text.len() > MAX_STRING_BYTES
            {
                return Err(format!(
                    "the OIDC ID token's claim {} has a value of {} bytes; this mock takes at \
                     most {MAX_STRING_BYTES}",
                    crate::text::escaped(&name),
                    text.len()
                ));
            }
            Ok((name, term))
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
        let claims = jwt_claims(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")).unwrap();
        assert!(claims.contains(&("repository".into(), Term::Str("acme/web".into()))));
        assert!(claims.contains(&("run_number".into(), Term::Integer(42))));
        assert!(claims.contains(&("ref_protected".into(), Term::Bool(true))));
        assert!(claims.contains(&("aud".into(), Term::Str("[\"a\"]".into()))));
        assert!(jwt_claims("not a jwt").unwrap().is_empty());
        assert!(jwt_claims("a.%%%.c").unwrap().is_empty());
    }

    #[test]
    fn claims_past_the_caps_are_refused_naming_the_cap() {
        let jwt = |claims: &serde_json::Value| format!("h.{}.s", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_JWT_CLAIMS)
            .map(|i| (format!("c{i}"), i.into()))
            .collect();
        let err = jwt_claims(&jwt(&many.into())).unwrap_err();
        assert!(err.contains("49 claims") && err.contains("at most 48"), "{err}");
        let long_name = serde_json::json!({ "n".repeat(300): 1 });
        assert!(
            jwt_claims(&jwt(&long_name))
                .unwrap_err()
                .contains("name has 300 bytes")
        );
        let long_value = serde_json::json!({ "sub": "v".repeat(2000) });
        assert!(jwt_claims(&jwt(&long_value)).unwrap_err().contains("2000 bytes"));
        let nested = serde_json::json!({ "aud": ["x".repeat(1100)] });
        assert!(
            jwt_claims(&jwt(&nested)).is_err(),
            "a value's JSON text is held to the cap too"
        );
    }
}
