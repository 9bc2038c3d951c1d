//! Real Biscuit auth: the mock's root key, the tokens it mints, and the verification and
//! authorization of every request, as NIXBUILD_API.md decides them.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::time::{Duration, SystemTime};

use biscuit_auth::builder::{Term, date, int, set, string};
use biscuit_auth::error::{FailedCheck, Logic, Token as TokenError};
use biscuit_auth::{AuthorizerBuilder, AuthorizerLimits, Biscuit, KeyPair, PrivateKey, PublicKey};
use nixbuild::Token;

/// The permission an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// `build:read`: `/builds`, `/builds/summary`, `/usage`.
    BuildRead,
    /// `build:write`: `/processes`.
    BuildWrite,
    /// Any right: `/auth/oidc-token-exchange`, which hands the token's own rights on.
    TokenExchange,
}

impl Permission {
    /// The operation's name in the authorizer's `operation(…)` fact, such as `build:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::BuildRead => "build:read",
            Permission::BuildWrite => "build:write",
            Permission::TokenExchange => "auth:oidc-token-exchange",
        }
    }

    /// The authorizer's policies for this operation.
    fn policies(self) -> &'static str {
        match self {
            Permission::BuildRead | Permission::BuildWrite => {
                r#"allow if operation($op), right($r), $r.contains($op);
                   allow if account($a), operation("read");"#
            }
            Permission::TokenExchange => "allow if right($r); allow if account($a);",
        }
    }
}

/// The verdict on a request's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Auth is switched off for this mock.
    Disabled,
    /// The token is genuine and allows the request.
    Allowed,
    /// 401: no token, not a Biscuit token, or not signed by this mock's root key.
    Unauthorized(String),
    /// 403: a genuine token whose checks or the service's policies refuse the request.
    Forbidden(String),
}

impl AuthOutcome {
    /// Whether the request may proceed.
    pub fn passed(&self) -> bool {
        matches!(self, AuthOutcome::Disabled | AuthOutcome::Allowed)
    }
}

/// The mock's signing authority: a root key pair, standing in for nixbuild.net's.
#[derive(Clone)]
pub struct Authority {
    root: std::sync::Arc<KeyPair>,
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field("public_key", &self.public_key().to_string())
            .finish()
    }
}

/// Bounds on evaluating a request's Datalog. Biscuit's default allows 1 ms, which a loaded
/// CI machine can exceed on an honest token; a token that needs more than this is refused.
const LIMITS: AuthorizerLimits = AuthorizerLimits {
    max_facts: 1000,
    max_iterations: 100,
    max_time: Duration::from_millis(200),
};

/// Lifetime of a minted token unless told otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

impl Authority {
    /// A fresh random root key.
    pub fn generate() -> Authority {
        Authority::from_key_pair(KeyPair::new())
    }

    /// An authority with this root private key (`ed25519-private/<hex>` or the bare hex of an
    /// Ed25519 key).
    pub fn from_private_key(text: &str) -> Result<Authority, String> {
        let text = text.trim();
        let key = if text.contains('/') {
            text.parse::<PrivateKey>()
        } else {
            PrivateKey::from_bytes_hex(text, biscuit_auth::builder::Algorithm::Ed25519)
        };
        key.map(|key| Authority::from_key_pair(KeyPair::from(&key)))
            .map_err(|e| format!("not a Biscuit private key (ed25519-private/<64 hex digits>): {e}"))
    }

    fn from_key_pair(root: KeyPair) -> Authority {
        Authority {
            root: std::sync::Arc::new(root),
        }
    }

    /// The root public key: what verifies this mock's tokens.
    pub fn public_key(&self) -> PublicKey {
        self.root.public()
    }

    /// The root private key as `ed25519-private/<hex>`, to start another mock with the same
    /// key. A secret: keep it out of logs.
    pub fn private_key(&self) -> String {
        self.root.private().to_prefixed_string()
    }

    /// A builder of tokens signed by this authority.
    pub fn tokens(&self) -> TokenMinter {
        TokenMinter {
            authority: self.clone(),
            owner: 1,
            rights: vec![Permission::BuildRead.as_str().to_owned()],
            expires: Expiry::In(DEFAULT_TOKEN_LIFETIME),
        }
    }

    /// Verifies `authorization` (the header's value) and authorizes `permission` with a
    /// fresh authorizer holding `time(now)` and `operation(…)`.
    pub fn authorize(&self, authorization: Option<&str>, permission: Permission) -> AuthOutcome {
        let token = match bearer_token(authorization) {
            Ok(token) => token,
            Err(message) => return AuthOutcome::Unauthorized(message),
        };
        let biscuit = match Biscuit::from_base64(token, self.public_key()) {
            Ok(biscuit) => biscuit,
            Err(e) => return AuthOutcome::Unauthorized(unreadable(&e)),
        };
        match authorize(&biscuit, permission) {
            Ok(()) => AuthOutcome::Allowed,
            Err(e) => AuthOutcome::Forbidden(refusal(&e, permission)),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header value, or why there is none.
pub(crate) fn bearer_token(authorization: Option<&str>) -> Result<&str, String> {
    let header = authorization.ok_or_else(|| "missing bearer token".to_owned())?;
    match header.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err("the Authorization header is not `Bearer <token>`".to_owned()),
    }
}

fn authorize(biscuit: &Biscuit, permission: Permission) -> Result<(), TokenError> {
    let mut operations = vec![permission.as_str()];
    if permission == Permission::BuildRead {
        // Legacy tokens (`check if operation("read")`) name read access so.
        operations.push("read");
    }
    let mut builder = AuthorizerBuilder::new()
        .code_with_params(
            "time({now});",
            HashMap::from([("now".to_owned(), date(&SystemTime::now()))]),
            HashMap::new(),
        )?
        .set_limits(LIMITS);
    for operation in operations {
        builder = builder.fact(biscuit_auth::builder::fact("operation", &[string(operation)]))?;
    }
    let mut authorizer = builder.code(permission.policies())?.build(biscuit)?;
    authorizer.authorize().map(|_| ())
}

/// Why a token could not be verified, without the token.
fn unreadable(error: &TokenError) -> String {
    match error {
        TokenError::Format(biscuit_auth::error::Format::Signature(_))
        | TokenError::Format(biscuit_auth::error::Format::UnknownPublicKey) => {
            "the token is not signed by this service's root key".into()
        }
        _ => format!("the token is not a readable Biscuit token ({error})"),
    }
}

/// Why an authentic token was refused, naming the failed checks.
fn refusal(error: &TokenError, permission: Permission) -> String {
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
        TokenError::FailedLogic(Logic::Unauthorized { checks, .. })
        | TokenError::FailedLogic(Logic::NoMatchingPolicy { checks })
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
        TokenError::FailedLogic(Logic::NoMatchingPolicy { .. })
            if permission == Permission::TokenExchange =>
        {
            "the token grants no right to hand on".to_owned()
        }
        TokenError::FailedLogic(Logic::NoMatchingPolicy { .. }) => {
            format!("the token does not grant `{}`", permission.as_str())
        }
        TokenError::RunLimit(limit) => format!("the token's Datalog is too costly to evaluate: {limit}"),
        other => format!("the token is refused: {other}"),
    }
}

fn check_rule(check: &FailedCheck) -> &str {
    match check {
        FailedCheck::Block(c) => &c.rule,
        FailedCheck::Authorizer(c) => &c.rule,
    }
}

#[derive(Debug, Clone, Copy)]
enum Expiry {
    In(Duration),
    At(SystemTime),
    Never,
}

/// Mints nixbuild-shaped tokens: `owner(N); right({…}); check if time($time), $time < …;`.
///
/// ```
/// # use std::time::Duration;
/// let authority = nixbuild_mock::Authority::generate();
/// let token = authority.tokens().owner(4).rights(["build:read", "build:write"]).expires_in(Duration::from_secs(60)).mint();
/// # let _ = token;
/// ```
#[derive(Debug, Clone)]
#[must_use = "a minter does nothing until `mint` is called"]
pub struct TokenMinter {
    authority: Authority,
    owner: i64,
    rights: Vec<String>,
    expires: Expiry,
}

impl TokenMinter {
    /// The account id in `owner(N)` (1 by default).
    pub fn owner(mut self, owner: i64) -> Self {
        self.owner = owner;
        self
    }

    /// The rights in `right({…})` (`build:read` by default).
    pub fn rights<I: IntoIterator<Item = S>, S: Into<String>>(mut self, rights: I) -> Self {
        self.rights = rights.into_iter().map(Into::into).collect();
        self
    }

    /// Expires `lifetime` after minting (one hour by default).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires = Expiry::In(lifetime);
        self
    }

    /// Expires at `time` (in the past for an expired token).
    pub fn expires_at(mut self, time: impl Into<SystemTime>) -> Self {
        self.expires = Expiry::At(time.into());
        self
    }

    /// No expiry check at all.
    pub fn never_expires(mut self) -> Self {
        self.expires = Expiry::Never;
        self
    }

    /// The token, in the current nixbuild.net shape.
    pub fn mint(self) -> Token {
        self.mint_with_claims(Vec::new())
    }

    /// A token in the 2022 shape: `account(N); check if operation("read");`, with the owner
    /// as the account and no expiry.
    pub fn mint_legacy(self) -> Token {
        let params = HashMap::from([("account".to_owned(), int(self.owner))]);
        self.sign("account({account});\ncheck if operation(\"read\");\n", params)
    }

    /// A token carrying `claims` as `jwt_claim(name, value)` facts besides the owner, rights
    /// and expiry of this minter: what the OIDC token exchange answers.
    pub(crate) fn mint_with_claims(self, claims: Vec<(String, Term)>) -> Token {
        let rights: BTreeSet<Term> = self.rights.iter().map(|r| string(r)).collect();
        let mut params = HashMap::from([
            ("owner".to_owned(), int(self.owner)),
            ("rights".to_owned(), set(rights)),
        ]);
        let mut code = String::from("owner({owner});\nright({rights});\n");
        for (i, (name, value)) in claims.into_iter().enumerate() {
            code.push_str(&format!("jwt_claim({{claim_name_{i}}}, {{claim_value_{i}}});\n"));
            params.insert(format!("claim_name_{i}"), string(&name));
            params.insert(format!("claim_value_{i}"), value);
        }
        let expiry = match self.expires {
            Expiry::In(lifetime) => Some(SystemTime::now() + lifetime),
            Expiry::At(time) => Some(time),
            Expiry::Never => None,
        };
        if let Some(expiry) = expiry {
            params.insert("expiry".to_owned(), date(&expiry));
            code.push_str("check if time($time), $time < {expiry};\n");
        }
        self.sign(&code, params)
    }

    fn sign(&self, code: &str, params: HashMap<String, Term>) -> Token {
        // The Datalog is this module's own and every value is a bound parameter, so building
        // and signing cannot fail on any input.
        let biscuit = Biscuit::builder()
            .code_with_params(code, params, HashMap::new())
            .and_then(|builder| builder.build(&self.authority.root))
            .and_then(|biscuit| biscuit.to_base64())
            .expect("the mock's token template is valid Datalog");
        Token::new(biscuit)
    }
}
