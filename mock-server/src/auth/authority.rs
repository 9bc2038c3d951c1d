//! [`Authority`]: the mock's root key, and the verification and authorization of a
//! request's token under it; the tokens it has verified, and the ones revoked.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use biscuit_auth::builder::{Term, fact, string};
use biscuit_auth::error::{FailedCheck, Logic, Token as BiscuitError};
use biscuit_auth::{AuthorizerBuilder, Biscuit, KeyPair, PrivateKey, PublicKey};
use nixbuild::api::operation::Permission;
use nixbuild::token::JWT_CLAIM_FACT;
use nixbuild::{Token, TokenError};

use super::bearer::bearer_token;
use super::limits::{self, RUN_LIMITS};
use super::outcome::{AuthOutcome, Refusal};
use super::verified::{VerifiedToken, VerifiedTokens};
use crate::sync::lock;

/// The authorizer's policies for `permission`: a current token must hold a right that
/// contains the operation; a 2022 token (an `account` fact) may read.
fn policies(permission: Permission) -> &'static str {
    match permission {
        Permission::AnyRight => "allow if right($r); allow if account($a);",
        _ => {
            r#"allow if operation($op), right($r), $r.contains($op);
               allow if account($a), operation("read");"#
        }
    }
}

/// The operations the authorizer states for `permission`: 2022 tokens
/// (`check if operation("read")`) name read access `read`.
fn operations(permission: Permission) -> Vec<&'static str> {
    match permission {
        Permission::BuildRead => vec!["build:read", "read"],
        Permission::AnyRight => vec!["auth:oidc-token-exchange"],
        other => vec![other.as_str()],
    }
}

/// The permissions whose authorizers are built ahead of every request.
const PERMISSIONS: [Permission; 3] = [
    Permission::BuildRead,
    Permission::BuildWrite,
    Permission::AnyRight,
];

/// The mock's signing authority: a root key pair standing in for nixbuild.net's, the tokens
/// it has verified, and the ones revoked. Clones share all three.
#[derive(Clone)]
pub struct Authority {
    inner: Arc<AuthorityInner>,
}

struct AuthorityInner {
    root: KeyPair,
    verified: Mutex<VerifiedTokens>,
    /// Revocation ids (hex) of revoked blocks.
    revoked: RwLock<HashSet<String>>,
    /// How many revocations there have been: an allowance noted before the last one is not
    /// given again.
    revocations: AtomicU64,
    /// The last request allowed without ID-token claims.
    last_allowed: Mutex<Option<Allowed>>,
    /// Each permission's authorizer, policies parsed once.
    authorizers: Vec<(Permission, AuthorizerBuilder)>,
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field("public_key", &self.public_key().to_string())
            .finish()
    }
}

impl Authority {
    /// A fresh random root key.
    pub fn generate() -> Authority {
        Authority::from_key_pair(KeyPair::new())
    }

    /// An authority with this root private key (`ed25519-private/<hex>` or the bare hex of an
    /// Ed25519 key).
    pub fn from_private_key(text: &str) -> Result<Authority, InvalidKey> {
        let text = text.trim();
        let key = if text.contains('/') {
            text.parse::<PrivateKey>()
        } else {
            PrivateKey::from_bytes_hex(text, biscuit_auth::builder::Algorithm::Ed25519)
        };
        key.map(|key| Authority::from_key_pair(KeyPair::from(&key)))
            .map_err(|e| InvalidKey(e.to_string()))
    }

    fn from_key_pair(root: KeyPair) -> Authority {
        let authorizers = PERMISSIONS
            .into_iter()
            .map(|permission| (permission, authorizer(permission)))
            .collect();
        Authority {
            inner: Arc::new(AuthorityInner {
                root,
                verified: Mutex::new(VerifiedTokens::default()),
                revoked: RwLock::new(HashSet::new()),
                revocations: AtomicU64::new(0),
                last_allowed: Mutex::new(None),
                authorizers,
            }),
        }
    }

    pub(crate) fn root(&self) -> &KeyPair {
        &self.inner.root
    }

    /// The root public key: what verifies this mock's tokens.
    pub fn public_key(&self) -> PublicKey {
        self.inner.root.public()
    }

    /// The root private key as `ed25519-private/<hex>`, to start another mock with the same
    /// key: a [`Secret`](nixbuild::Secret), whose `Debug` and `Display` never show it.
    pub fn private_key(&self) -> nixbuild::Secret {
        nixbuild::Secret::from(self.inner.root.private().to_prefixed_string())
    }

    /// Revokes `token` and every token attenuated from it: all of them hold its last block,
    /// whose revocation id is recorded. The token it was attenuated from stays valid.
    pub fn revoke(&self, token: &Token) -> Result<(), TokenError> {
        let info = token.inspect()?;
        if let Some(last) = info.blocks.last() {
            self.inner
                .revoked
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(last.revocation_id.clone());
            self.inner.revocations.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }

    /// Verifies `authorization` (the header's value) and authorizes `permission` at `now`.
    pub fn authorize(
        &self,
        authorization: Option<&str>,
        permission: Permission,
        now: SystemTime,
    ) -> AuthOutcome {
        match self.verify_and_authorize(authorization, permission, now, &[]) {
            Ok(_) => AuthOutcome::Allowed,
            Err(refusal) => refusal.into(),
        }
    }

    /// The token of a request that [`authorize`](Self::authorize) allows, verified; the
    /// claims of an OIDC ID token the request carried are `jwt_claim(name, value)` facts
    /// for the authorizer (see `api::oidc`).
    pub(crate) fn verify_and_authorize(
        &self,
        authorization: Option<&str>,
        permission: Permission,
        now: SystemTime,
        claims: &[(String, Term)],
    ) -> Result<Arc<VerifiedToken>, Refusal> {
        let token = bearer_token(authorization).map_err(Refusal::Unauthorized)?;
        let second = unix_seconds(now);
        if claims.is_empty()
            && let Some(verified) = self.allowed_again(token, permission, second)
        {
            return Ok(verified);
        }
        // Read before revocation is checked: a revocation after it keeps this allowance
        // from being given again.
        let revocations = self.inner.revocations.load(Ordering::Acquire);
        let verified = self.verify(token).map_err(Refusal::Unauthorized)?;
        if self.is_revoked(&verified) {
            return Err(Refusal::Unauthorized("the token has been revoked".into()));
        }
        // A verdict is remembered for the token alone: one given with claims holds only
        // for those claims, so it is neither remembered nor taken from memory.
        if !claims.is_empty() {
            return self
                .run_authorizer(&verified, permission, now, claims)
                .map(|()| verified);
        }
        let verdict = match verified.verdict(permission, second) {
            Some(verdict) => verdict,
            None => {
                let verdict = self.run_authorizer(&verified, permission, now, &[]);
                verified.remember(permission, second, verdict.clone());
                verdict
            }
        };
        verdict?;
        self.note_allowed(token, permission, second, revocations, &verified);
        Ok(verified)
    }

    /// The verified token, if `token` is the one last allowed, for `permission`, in `second`,
    /// with no revocation since: allowed again as the remembered verdicts would allow it,
    /// without the three locks and searches of verifying, checking revocation and asking
    /// those verdicts (1,350 instructions of a request's auth in a debug build, where a test
    /// suite runs the mock; callgrind), since a suite sends one token request after request.
    fn allowed_again(&self, token: &str, permission: Permission, second: u64) -> Option<Arc<VerifiedToken>> {
        let last = lock(&self.inner.last_allowed);
        let last = last.as_ref()?;
        (last.second == second
            && last.permission == permission
            && last.revocations == self.inner.revocations.load(Ordering::Acquire)
            && *last.token == *token)
            .then(|| Arc::clone(&last.verified))
    }

    /// Notes that `token` was allowed `permission` in `second`, checked against the
    /// revocations counted as `revocations`.
    fn note_allowed(
        &self,
        token: &str,
        permission: Permission,
        second: u64,
        revocations: u64,
        verified: &Arc<VerifiedToken>,
    ) {
        let mut last = lock(&self.inner.last_allowed);
        let token = match last.take() {
            // The same token in a new second: its text is kept, not copied again.
            Some(allowed) if *allowed.token == *token => allowed.token,
            _ => token.into(),
        };
        *last = Some(Allowed {
            token,
            permission,
            second,
            revocations,
            verified: Arc::clone(verified),
        });
    }

    /// The authorizer's verdict on `verified` for `permission` at `now`, with `claims` as
    /// `jwt_claim` facts.
    fn run_authorizer(
        &self,
        verified: &VerifiedToken,
        permission: Permission,
        now: SystemTime,
        claims: &[(String, Term)],
    ) -> Result<(), Refusal> {
        let prepared = self.inner.authorizers.iter().find(|(p, _)| *p == permission);
        let mut builder = prepared
            .map_or_else(|| authorizer(permission), |(_, builder)| builder.clone())
            .fact(fact("time", &[date_term(now)]))
            .map_err(|e| Refusal::Forbidden(refusal(&e, permission)))?;
        for (name, value) in claims {
            builder = builder
                .fact(fact(JWT_CLAIM_FACT, &[string(name), value.clone()]))
                .map_err(|e| Refusal::Forbidden(refusal(&e, permission)))?;
        }
        builder
            .build(&verified.biscuit)
            .and_then(|mut authorizer| authorizer.authorize())
            .map(|_| ())
            .map_err(|e| Refusal::Forbidden(refusal(&e, permission)))
    }

    /// The verified form of `token`: remembered from an earlier request, or read, held to
    /// the limits and verified now. Signature verification is most of the cost of auth
    /// (milliseconds in a debug build), and its result never changes for the same bytes.
    fn verify(&self, token: &str) -> Result<Arc<VerifiedToken>, String> {
        if let Some(verified) = self.lock_verified().get(token) {
            return Ok(verified);
        }
        // The SDK's error says what is wrong in a sentence of its own: not wrapped again.
        let info = Token::new(token).inspect().map_err(|e| e.to_string())?;
        limits::check(&info).map_err(|e| e.to_string())?;
        let biscuit = Biscuit::from_base64(token, self.public_key()).map_err(|e| unreadable(&e))?;
        let verified = Arc::new(VerifiedToken::new(biscuit, info));
        self.lock_verified().insert(token, Arc::clone(&verified));
        Ok(verified)
    }

    fn lock_verified(&self) -> std::sync::MutexGuard<'_, VerifiedTokens> {
        lock(&self.inner.verified)
    }

    fn is_revoked(&self, token: &VerifiedToken) -> bool {
        let revoked = self.inner.revoked.read().unwrap_or_else(PoisonError::into_inner);
        !revoked.is_empty()
            && token
                .info
                .blocks
                .iter()
                .any(|block| revoked.contains(&block.revocation_id))
    }
}

/// A request allowed: its token's text, the permission, the second it was allowed in, the
/// revocations counted before its token was checked against them, and the verified token.
struct Allowed {
    token: Box<str>,
    permission: Permission,
    second: u64,
    revocations: u64,
    verified: Arc<VerifiedToken>,
}

/// An authorizer for `permission`, before the request's time: its operations and policies.
fn authorizer(permission: Permission) -> AuthorizerBuilder {
    let mut builder = AuthorizerBuilder::new().set_limits(RUN_LIMITS);
    for operation in operations(permission) {
        builder = builder
            .fact(fact("operation", &[string(operation)]))
            .expect("a fact of the mock's own is valid");
    }
    builder
        .code(policies(permission))
        .expect("the mock's policies are valid Datalog")
}

/// `time` as a Datalog date. biscuit-auth's own `date()` panics before 1970; a date there
/// (a test's clock, a token's expiry) is the epoch instead, which is in every token's past.
pub(crate) fn date_term(time: SystemTime) -> Term {
    Term::Date(unix_seconds(time))
}

/// `time` in whole seconds since 1970 (the epoch for a time before it): Datalog's dates.
fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A root key that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidKey(String);

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a Biscuit private key (ed25519-private/<64 hex digits>): {}",
            self.0
        )
    }
}

impl std::error::Error for InvalidKey {}

/// Why a token could not be verified, without the token.
fn unreadable(error: &BiscuitError) -> String {
    match error {
        BiscuitError::Format(biscuit_auth::error::Format::Signature(_))
        | BiscuitError::Format(biscuit_auth::error::Format::UnknownPublicKey) => {
            "the token is not signed by this service's root key".into()
        }
        _ => format!("the token is not a readable Biscuit token ({error})"),
    }
}

/// Why an authentic token was refused, naming the failed checks.
fn refusal(error: &BiscuitError, permission: Permission) -> String {
    let failed_checks = |checks: &[FailedCheck]| {
        checks
            .iter()
            .map(|check| match check {
                FailedCheck::Block(c) => format!("block {}: `{}`", c.block_id, c.rule),
                FailedCheck::Authorizer(c) => format!("authorizer: `{}`", c.rule),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match error {
        BiscuitError::FailedLogic(Logic::Unauthorized { checks, .. })
        | BiscuitError::FailedLogic(Logic::NoMatchingPolicy { checks })
            if !checks.is_empty() =>
        {
            let expired = checks.iter().any(|c| check_rule(c).contains("time("));
            let lead = if expired {
                "the token has expired or is not valid yet; "
            } else {
                ""
            };
            format!("{lead}failed check(s) in the token: {}", failed_checks(checks))
        }
        BiscuitError::FailedLogic(Logic::NoMatchingPolicy { .. }) if permission == Permission::AnyRight => {
            "the token grants no right to hand on".to_owned()
        }
        BiscuitError::FailedLogic(Logic::NoMatchingPolicy { .. }) => {
            format!("the token does not grant `{}`", permission.as_str())
        }
        BiscuitError::RunLimit(limit) => format!("the token's Datalog is too costly to evaluate: {limit}"),
        other => format!("the token is refused: {other}"),
    }
}

fn check_rule(check: &FailedCheck) -> &str {
    match check {
        FailedCheck::Block(c) => &c.rule,
        FailedCheck::Authorizer(c) => &c.rule,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The last allowance is given again only to the same token, permission and second with
    /// no revocation since: asked otherwise, the full check decides.
    #[test]
    fn an_allowance_is_given_again_only_as_the_full_check_would_give_it() {
        let authority = Authority::generate();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let reader = authority
            .tokens()
            .issued_at(now)
            .expires_in(Duration::from_secs(60))
            .rights(["build:read"])
            .mint();
        let header = format!("Bearer {}", reader.expose_secret());
        let ask = |permission, now| authority.authorize(Some(&header), permission, now);
        for _ in 0..2 {
            assert_eq!(ask(Permission::BuildRead, now), AuthOutcome::Allowed);
        }
        assert!(
            matches!(ask(Permission::BuildWrite, now), AuthOutcome::Forbidden(_)),
            "another permission"
        );
        assert_eq!(ask(Permission::BuildRead, now), AuthOutcome::Allowed);
        let expired = now + Duration::from_secs(61);
        assert!(
            matches!(ask(Permission::BuildRead, expired), AuthOutcome::Forbidden(_)),
            "another second"
        );

        let other = authority.tokens().issued_at(now).rights(["build:read"]).mint();
        let other_header = format!("Bearer {}", other.expose_secret());
        assert_eq!(ask(Permission::BuildRead, now), AuthOutcome::Allowed);
        assert_eq!(
            authority.authorize(Some(&other_header), Permission::BuildRead, now),
            AuthOutcome::Allowed,
            "another token, checked whole"
        );
        assert_eq!(ask(Permission::BuildRead, now), AuthOutcome::Allowed);
        authority.revoke(&reader).unwrap();
        assert!(
            matches!(ask(Permission::BuildRead, now), AuthOutcome::Unauthorized(m) if m.contains("revoked")),
            "revoked in the same second"
        );
        assert_eq!(
            authority.authorize(Some(&other_header), Permission::BuildRead, now),
            AuthOutcome::Allowed
        );
    }
}
