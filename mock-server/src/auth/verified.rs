//! Tokens whose signature has been verified, remembered by their bytes: verification is
//! most of what auth costs, and the same token comes with request after request.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use biscuit_auth::{AuthorizerBuilder, Biscuit};
use hashbrown::{Equivalent, HashMap};
use nixbuild::api::operation::Permission;
use nixbuild::token::TokenInfo;

use super::limits::RUN_LIMITS;
use super::outcome::Refusal;
use crate::sync::lock;

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
        let verdicts = lock(&self.verdicts);
        verdicts
            .iter()
            .find(|(p, second, _)| *p == permission && *second == now)
            .map(|(_, _, verdict)| verdict.clone())
    }

    /// Remembers the verdict for `permission` at second `now`, in place of an older one.
    pub(crate) fn remember(&self, permission: Permission, now: u64, verdict: Result<(), Refusal>) {
        let mut verdicts = lock(&self.verdicts);
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
    tokens: HashMap<TokenText, Arc<VerifiedToken>>,
    /// The token found or kept last, compared whole before the map is asked: a test suite
    /// sends one token request after request, and even hashing its tail cost a debug build's
    /// lookup 3,400 instructions (callgrind), where comparing it whole costs about a hundred.
    /// A verified text stays verified, so this one may outlive its place in the map (the
    /// bound is one token more).
    last: Option<(TokenText, Arc<VerifiedToken>)>,
}

impl VerifiedTokens {
    pub(crate) fn get(&mut self, token: &str) -> Option<Arc<VerifiedToken>> {
        if let Some((text, verified)) = &self.last
            && Presented(token).equivalent(text)
        {
            return Some(Arc::clone(verified));
        }
        let verified = Arc::clone(self.tokens.get(&Presented(token))?);
        self.last = Some((Presented(token).to_key(), Arc::clone(&verified)));
        Some(verified)
    }

    pub(crate) fn insert(&mut self, token: &str, verified: Arc<VerifiedToken>) {
        if self.tokens.len() >= CAPACITY && !self.tokens.contains_key(&Presented(token)) {
            // Forget an arbitrary one: a miss costs one verification, nothing more.
            if let Some(evicted) = self.tokens.keys().next().map(|key| Presented(&key.0).to_key()) {
                self.tokens.remove(&evicted);
            }
        }
        self.last = Some((Presented(token).to_key(), Arc::clone(&verified)));
        self.tokens.insert(Presented(token).to_key(), verified);
    }
}

/// How many of a token's last bytes its key is hashed by.
const HASHED_TAIL: usize = 32;

/// A remembered token's text, hashed by its length and its last [`HASHED_TAIL`] bytes
/// alone, and compared whole.
///
/// Every request with auth on looks its token up here, and hashing the whole of a token of
/// several hundred bytes was most of the lookup in a debug build (callgrind: 12,600
/// instructions for a token the mock mints). A Biscuit's text ends with its proof (the next block's
/// secret key, or the final signature): random to whoever did not make the token, so two
/// tokens that share their last 32 bytes are two that were made to, by the holder of the
/// mock's root key. Only verified tokens are kept, so a client cannot choose the tails of the
/// kept ones; one it presents that collides with a kept token is told apart by the
/// whole comparison, at the cost of that comparison.
#[derive(PartialEq, Eq)]
struct TokenText(Box<str>);

/// A presented token's text, looked up as a [`TokenText`] without being copied.
struct Presented<'a>(&'a str);

impl Presented<'_> {
    fn to_key(&self) -> TokenText {
        TokenText(self.0.into())
    }
}

/// The length and the last [`HASHED_TAIL`] bytes of `text`.
fn hash_tail(text: &str, state: &mut impl Hasher) {
    let bytes = text.as_bytes();
    state.write_usize(bytes.len());
    state.write(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..]);
}

impl Hash for TokenText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_tail(&self.0, state);
    }
}

impl Hash for Presented<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_tail(self.0, state);
    }
}

impl Equivalent<TokenText> for Presented<'_> {
    fn equivalent(&self, key: &TokenText) -> bool {
        *self.0 == *key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verified token made with biscuit-auth alone: this module is below the authority.
    fn verified_token() -> Arc<VerifiedToken> {
        let root = biscuit_auth::KeyPair::new();
        let biscuit = Biscuit::builder().build(&root).unwrap();
        let token = nixbuild::Token::new(biscuit.to_base64().unwrap());
        Arc::new(VerifiedToken::new(biscuit, token.inspect().unwrap()))
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let verified = verified_token();
        let mut cache = VerifiedTokens::default();
        for i in 0..CAPACITY + 10 {
            cache.insert(&format!("token-{i}"), Arc::clone(&verified));
        }
        assert_eq!(cache.tokens.len(), CAPACITY);
        assert!(cache.get(&format!("token-{}", CAPACITY + 9)).is_some());
    }

    /// The token asked for last is found again without the map, and another is still told
    /// apart from it whole.
    #[test]
    fn the_last_token_is_found_again_and_others_told_apart() {
        let verified = verified_token();
        let mut cache = VerifiedTokens::default();
        cache.insert("token-a", Arc::clone(&verified));
        cache.insert("token-b", Arc::clone(&verified));
        for _ in 0..2 {
            assert!(cache.get("token-a").is_some());
            assert!(cache.get("token-b").is_some());
        }
        assert!(cache.get("token-c").is_none(), "never kept");
        assert!(cache.get("token-").is_none() && cache.get("token-bb").is_none());
        assert!(cache.get("token-b").is_some(), "the last found, again");
    }

    /// Tokens that share their length and last bytes (hashed alike) are still told apart
    /// whole, whichever is asked for, and one never kept is not found.
    #[test]
    fn tokens_hashed_alike_are_told_apart_whole() {
        let verified = verified_token();
        let tail = "t".repeat(HASHED_TAIL);
        let alike: Vec<String> = (0..50).map(|i| format!("{i:03}{tail}")).collect();
        let mut cache = VerifiedTokens::default();
        for (i, text) in alike.iter().enumerate() {
            if i % 2 == 0 {
                cache.insert(text, Arc::clone(&verified));
            }
        }
        for (i, text) in alike.iter().enumerate() {
            assert_eq!(cache.get(text).is_some(), i % 2 == 0, "{text}");
        }
        assert!(cache.get(&tail).is_none() && cache.get("").is_none());
        cache.insert("", Arc::clone(&verified));
        assert!(cache.get("").is_some(), "an empty text is a key like any other");
    }
}
