//! [`TokenMinter`]: tokens signed by a mock's root key, in nixbuild.net's shapes.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

use biscuit_auth::Biscuit;
use biscuit_auth::builder::{Fact, Term, fact, int, set, string};
use nixbuild::Token;

use nixbuild::api::operation::Permission;

use super::authority::{Authority, date_term};

/// Lifetime of a minted token unless told otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

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
    /// What `expires_in` counts from: the real time unless told.
    issued_at: Option<SystemTime>,
}

impl Authority {
    /// A builder of tokens signed by this authority.
    pub fn tokens(&self) -> TokenMinter {
        TokenMinter::new(self.clone())
    }
}

impl TokenMinter {
    pub(super) fn new(authority: Authority) -> TokenMinter {
        TokenMinter {
            authority,
            owner: 1,
            rights: vec![Permission::BuildRead.as_str().to_owned()],
            expires: Expiry::In(DEFAULT_TOKEN_LIFETIME),
            issued_at: None,
        }
    }

    /// Counts [`expires_in`](Self::expires_in) from `now` instead of the real time: a mock's
    /// minter counts from the mock's clock.
    pub fn issued_at(mut self, now: impl Into<SystemTime>) -> Self {
        self.issued_at = Some(now.into());
        self
    }

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
        let expiry = match self.expires {
            // A lifetime past what a clock can name never ends: no expiry check.
            Expiry::In(lifetime) => self
                .issued_at
                .unwrap_or_else(SystemTime::now)
                .checked_add(lifetime),
            Expiry::At(time) => Some(time),
            Expiry::Never => None,
        };
        if let Some(expiry) = expiry {
            params.insert("expiry".to_owned(), date_term(expiry));
            code.push_str("check if time($time), $time < {expiry};\n");
        }
        // Claims are facts built as data, never Datalog text to parse: their cost is linear in
        // their number whatever they hold.
        let claims = claims
            .into_iter()
            .map(|(name, value)| fact(nixbuild::token::JWT_CLAIM_FACT, &[string(&name), value]));
        self.sign_with_facts(&code, params, claims)
    }

    fn sign(&self, code: &str, params: HashMap<String, Term>) -> Token {
        self.sign_with_facts(code, params, std::iter::empty())
    }

    fn sign_with_facts(
        &self,
        code: &str,
        params: HashMap<String, Term>,
        facts: impl Iterator<Item = Fact>,
    ) -> Token {
        // The Datalog is this module's own, every value is a bound parameter and every fact
        // is built from terms, so building and signing cannot fail on any input.
        let biscuit = Biscuit::builder()
            .code_with_params(code, params, HashMap::new())
            .and_then(|builder| {
                facts
                    .into_iter()
                    .try_fold(builder, |builder, fact| builder.fact(fact))
            })
            .and_then(|builder| builder.build(self.authority.root()))
            .and_then(|biscuit| biscuit.to_base64())
            .expect("the mock's token template is valid Datalog");
        Token::new(biscuit)
    }
}
