//! Tokens bound to a CI job's OIDC identity: an attenuation block's check on a claim of the
//! OIDC ID token sent beside the token (`NIXBUILDNET-OIDC-ID-TOKEN`), so that the token works
//! only for that job's repository, say.
//!
//! The fact the check reads is `jwt_claim(name, value)` ([`JWT_CLAIM_FACT`]): the name the
//! service's token exchange gives the claims it carries. Which facts the service gives its
//! authorizer for a request's ID token is not public; this crate and its mock DECIDED on the
//! same `jwt_claim` (see the API notes), until a recording of the service says otherwise.

use serde::Serialize;

use super::attenuate::{Attenuation, DatalogValue};
use super::block::BlockInfo;
use super::datalog::{CheckKind, Term};

/// The fact an OIDC ID token's claims are given as: `jwt_claim(name, value)`.
pub const JWT_CLAIM_FACT: &str = "jwt_claim";

/// A check that a token holds on an OIDC ID token's claim: the token works only beside an
/// ID token whose claim `claim` is `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OidcRequirement {
    /// The block that holds the check (1 for the first attenuation).
    pub block: usize,
    /// The claim, such as `repository`.
    pub claim: String,
    /// The value it must have, such as `acme/web`.
    pub value: String,
}

impl Attenuation<'_> {
    /// Only beside an OIDC ID token (sent as `NIXBUILDNET-OIDC-ID-TOKEN`) whose claim `claim`
    /// is the string `value`: `check if jwt_claim({claim}, {value})`. Several calls require
    /// each. GitHub's claims include `repository` (`acme/web`), `repository_owner`, `ref`
    /// and `workflow`.
    ///
    /// ```no_run
    /// # fn run(token: nixbuild::Token) -> Result<(), nixbuild::TokenError> {
    /// let for_one_repository = token
    ///     .attenuate()
    ///     .oidc_claim("repository", "acme/web")
    ///     .finish()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn oidc_claim(self, claim: impl Into<String>, value: impl Into<String>) -> Self {
        self.datalog(
            "check if jwt_claim({claim}, {value});",
            [
                ("claim", DatalogValue::Str(claim.into())),
                ("value", DatalogValue::Str(value.into())),
            ],
        )
    }
}

/// Each attenuation block's check on a string claim, as [`Attenuation::oidc_claim`] writes
/// it (one query holding only `jwt_claim("name", "value")`), in block order.
pub(super) fn requirements(blocks: &[BlockInfo]) -> Vec<OidcRequirement> {
    blocks
        .iter()
        .enumerate()
        .skip(1)
        .flat_map(|(block, info)| {
            info.checks.iter().filter_map(move |check| {
                let [query] = check.queries.as_slice() else {
                    return None;
                };
                let [predicate] = query.body.as_slice() else {
                    return None;
                };
                let plain =
                    check.kind == CheckKind::If && query.expressions.is_empty() && query.scopes.is_empty();
                match predicate.terms.as_slice() {
                    [Term::Str(claim), Term::Str(value)] if plain && predicate.name == JWT_CLAIM_FACT => {
                        Some(OidcRequirement {
                            block,
                            claim: claim.clone(),
                            value: value.clone(),
                        })
                    }
                    _ => None,
                }
            })
        })
        .collect()
}
