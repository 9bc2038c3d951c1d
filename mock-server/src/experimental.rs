//! The experimental endpoints: OIDC token exchange and `POST /processes`.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use biscuit_auth::builder::Term;
use nixbuild::token::BlockInfo;
use nixbuild::token::datalog::{self, Binary, CheckKind, Op};
use nixbuild::{Process, Token};
use serde::Serialize;
use wiremock::Request;

use crate::auth::{Authority, VerifiedToken};

/// The header carrying the CI job's OIDC ID token.
pub const OIDC_ID_TOKEN_HEADER: &str = "nixbuildnet-oidc-id-token";
/// Lifetime of an exchanged token.
pub const EXCHANGED_TOKEN_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// A request's OIDC ID token, or the message of a 400.
pub(crate) fn id_token(request: &Request) -> Result<&str, String> {
    let value = request
        .headers
        .get(OIDC_ID_TOKEN_HEADER)
        .ok_or_else(|| "missing NIXBUILDNET-OIDC-ID-TOKEN header".to_owned())?;
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| "the NIXBUILDNET-OIDC-ID-TOKEN header is empty or not text".to_owned())
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
pub(crate) fn exchange(
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

/// How many processes the mock remembers: the most recent ones; ids keep counting.
pub(crate) const PROCESS_LOG_CAPACITY: usize = 10_000;

/// The processes `POST /processes` received: the most recent [`PROCESS_LOG_CAPACITY`], and
/// how many in all (which numbers the next).
#[derive(Debug, Default)]
pub(crate) struct ProcessLog {
    recent: std::collections::VecDeque<Process>,
    received: u64,
}

impl ProcessLog {
    /// Records `processes` and numbers them.
    pub(crate) fn record(&mut self, processes: Vec<Process>) -> Vec<ScheduledProcess> {
        let mut scheduled = Vec::with_capacity(processes.len());
        for process in processes {
            self.received = self.received.saturating_add(1);
            scheduled.push(ScheduledProcess {
                id: self.received,
                installable: process.installable.clone(),
            });
            if self.recent.len() == PROCESS_LOG_CAPACITY {
                self.recent.pop_front();
            }
            self.recent.push_back(process);
        }
        scheduled
    }

    /// The processes remembered, oldest first.
    pub(crate) fn recent(&self) -> Vec<Process> {
        self.recent.iter().cloned().collect()
    }
}

/// What `POST /processes` answers for each process.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScheduledProcess {
    pub(crate) id: u64,
    pub(crate) installable: String,
}

/// The processes of a request body, or the message of a 400.
pub(crate) fn processes(body: &[u8]) -> Result<Vec<Process>, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not a JSON array of processes: {e}"))
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
