//! `GET /auth/oidc-token-exchange` (experimental): the presented token and a CI job's OIDC
//! ID token in, a token for the job out, never wider or longer-lived than the one presented.

use std::time::{Duration, SystemTime};

use biscuit_auth::builder::Term;
use nixbuild::Token;
use nixbuild::token::BlockInfo;
use nixbuild::token::datalog::{self, Binary, CheckKind, Op};
use wiremock::Request;

use super::oidc;
use crate::answer::Answer;
use crate::app::State;
use crate::auth::{Authority, VerifiedToken};
use crate::limits::MAX_AUTHORIZATION_BYTES;

/// Lifetime of an exchanged token (at most: never longer than the token presented).
pub const EXCHANGED_TOKEN_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// The handler.
pub(crate) fn handle(state: &State, request: &Request, verified: Option<&VerifiedToken>) -> Answer {
    let claims = match oidc::required_claims(request) {
        Ok(claims) => claims,
        Err(answer) => return answer,
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
