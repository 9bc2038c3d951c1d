//! Tokens whose signature has been verified, remembered by their bytes: verification is
//! most of what auth costs, and the same token comes with request after request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use std::collections::BTreeSet;

use biscuit_auth::{AuthorizerBuilder, Biscuit};
use nixbuild::api::operation::Permission;
use nixbuild::token::TokenInfo;

use super::limits::RUN_LIMITS;
use super::outcome::Refusal;

/// How many verified tokens a mock remembers. A test suite uses a handful; the bound keeps a
/// client that sends a new token with every request from growing the mock's memory (each
/// entry is at most a few tens of KB, the header being capped).
const CAPACITY: usize = 512;

/// An authorizer's verdict on a token for a permission, at one second.
type Verdict = (Permission, u64, Result<(), Refusal>);

/// A token verified against the mock's root key.
pub(crate) struct VerifiedToken {
    pub(crate) biscuit: Biscuit,
    /// Its blocks as data, read from the verified bytes.
    pub(crate) info: TokenInfo,
    /// The last verdict for each permission. The authorizer sees only the token, the
    /// permission's facts and policies, and `time(now)` to the second: within a second its
    /// verdict cannot change, and running it again was most of what a request with auth on
    /// cost (revocation is checked apart, every time).
    verdicts: Mutex<Vec<Verdict>>,
}

impl VerifiedToken {
    pub(crate) fn new(biscuit: Biscuit, info: TokenInfo) -> VerifiedToken {
        VerifiedToken {
            biscuit,
            info,
            verdicts: Mutex::new(Vec::new()),
        }
    }

    /// The verdict for `permission` at second `now`, if the authorizer has given it.
    pub(crate) fn verdict(&self, permission: Permission, now: u64) -> Option<Result<(), Refusal>> {
        let verdicts = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner);
        verdicts
            .iter()
            .find(|(p, second, _)| *p == permission && *second == now)
            .map(|(_, _, verdict)| verdict.clone())
    }

    /// Remembers the verdict for `permission` at second `now`, in place of an older one.
    pub(crate) fn remember(&self, permission: Permission, now: u64, verdict: Result<(), Refusal>) {
        let mut verdicts = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner);
        verdicts.retain(|(p, _, _)| *p != permission);
        verdicts.push((permission, now, verdict));
    }

    /// The owner and rights the token's authority block grants, asked of the verified token
    /// through an authorizer query (whose default scope is the authority block): facts that
    /// a later block adds grant nothing, and no string is ever read back from text.
    pub(crate) fn owner_and_rights(&self) -> Result<(i64, Vec<String>), String> {
        let refused = |e: biscuit_auth::error::Token| format!("the token's grants cannot be read: {e}");
        let mut authorizer = AuthorizerBuilder::new()
            .set_limits(RUN_LIMITS)
            .build(&self.biscuit)
            .map_err(refused)?;
        let owners: Vec<(i64,)> = authorizer.query("owner_of($o) <- owner($o)").map_err(refused)?;
        let rights: Vec<(BTreeSet<String>,)> =
            authorizer.query("rights_of($r) <- right($r)").map_err(refused)?;
        let [(owner,)] = owners.as_slice() else {
            return Err(format!(
                "the token must name exactly one owner to be exchanged; it names {}",
                owners.len()
            ));
        };
        let rights = rights.into_iter().flat_map(|(set,)| set).collect::<BTreeSet<_>>();
        Ok((*owner, rights.into_iter().collect()))
    }
}

/// The remembered tokens, keyed by the token's text (each mock has one root key, so the
/// text alone decides the outcome of verification).
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    tokens: HashMap<Box<str>, Arc<VerifiedToken>>,
}

impl VerifiedTokens {
    pub(crate) fn get(&self, token: &str) -> Option<Arc<VerifiedToken>> {
        self.tokens.get(token).cloned()
    }

    pub(crate) fn insert(&mut self, token: &str, verified: Arc<VerifiedToken>) {
        if self.tokens.len() >= CAPACITY && !self.tokens.contains_key(token) {
            // Forget an arbitrary one: a miss costs one verification, nothing more.
            if let Some(evicted) = self.tokens.keys().next().cloned() {
                self.tokens.remove(&evicted);
            }
        }
        self.tokens.insert(token.into(), verified);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_within_its_capacity() {
        // A token made with biscuit-auth alone: this module is below the authority.
        let root = biscuit_auth::KeyPair::new();
        let biscuit = Biscuit::builder().build(&root).unwrap();
        let token = nixbuild::Token::new(biscuit.to_base64().unwrap());
        let verified = Arc::new(VerifiedToken::new(biscuit, token.inspect().unwrap()));
        let mut cache = VerifiedTokens::default();
        for i in 0..CAPACITY + 10 {
            cache.insert(&format!("token-{i}"), Arc::clone(&verified));
        }
        assert_eq!(cache.tokens.len(), CAPACITY);
        assert!(cache.get(&format!("token-{}", CAPACITY + 9)).is_some());
    }
}
