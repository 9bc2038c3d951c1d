//! Narrowing a token offline: one appended block of checks.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use biscuit_auth::UnverifiedBiscuit;
use biscuit_auth::builder::{BlockBuilder, Term};
use chrono::{DateTime, Utc};

use super::bearer::Token;
use super::error::TokenError;
use super::narrowing::LEGACY_READ;
use crate::models::BuildId;

/// A value bound to a `{name}` parameter of [`Attenuation::datalog`]: bound by biscuit-auth,
/// never spliced into the Datalog text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatalogValue {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A date.
    Date(DateTime<Utc>),
    /// A boolean.
    Bool(bool),
    /// A set of strings.
    StrSet(BTreeSet<String>),
}

impl From<&str> for DatalogValue {
    fn from(s: &str) -> Self {
        DatalogValue::Str(s.to_owned())
    }
}

impl From<String> for DatalogValue {
    fn from(s: String) -> Self {
        DatalogValue::Str(s)
    }
}

impl From<i64> for DatalogValue {
    fn from(n: i64) -> Self {
        DatalogValue::Int(n)
    }
}

impl From<bool> for DatalogValue {
    fn from(b: bool) -> Self {
        DatalogValue::Bool(b)
    }
}

impl From<DateTime<Utc>> for DatalogValue {
    fn from(t: DateTime<Utc>) -> Self {
        DatalogValue::Date(t)
    }
}

impl DatalogValue {
    fn into_term(self) -> Term {
        match self {
            DatalogValue::Str(s) => Term::Str(s),
            DatalogValue::Int(n) => Term::Integer(n),
            DatalogValue::Date(t) => Term::Date(u64::try_from(t.timestamp()).unwrap_or(0)),
            DatalogValue::Bool(b) => Term::Bool(b),
            DatalogValue::StrSet(set) => Term::Set(set.into_iter().map(Term::Str).collect()),
        }
    }
}

/// Builds an attenuated copy of a token: the same token plus one block of checks. Made by
/// [`Token::attenuate`]; finished by [`finish`](Self::finish).
///
/// Attenuation needs no key and no network: anyone holding a token can narrow it, and the
/// service verifies the new block with the rest.
///
/// ```no_run
/// use std::time::Duration;
/// # fn run(token: nixbuild::Token) -> Result<(), nixbuild::TokenError> {
/// let for_ci = token
///     .attenuate()
///     .expires_in(Duration::from_secs(3600))
///     .only(["build:read"])
///     .finish()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "an attenuation does nothing until `finish` is called"]
pub struct Attenuation<'a> {
    token: &'a Token,
    block: Result<BlockBuilder, TokenError>,
    seal: bool,
}

impl Token {
    /// Starts an attenuated copy of this token: the same token with one more block of checks
    /// (a shorter expiry, fewer operations, one build). No key or network is needed.
    pub fn attenuate(&self) -> Attenuation<'_> {
        Attenuation::new(self)
    }
}

impl<'a> Attenuation<'a> {
    pub(super) fn new(token: &'a Token) -> Attenuation<'a> {
        Attenuation {
            token,
            block: Ok(BlockBuilder::new()),
            seal: false,
        }
    }

    /// Adds Datalog to the block, each `{name}` in `code` bound to its value in `params`.
    ///
    /// ```no_run
    /// # fn run(token: nixbuild::Token) -> Result<(), nixbuild::TokenError> {
    /// let token = token
    ///     .attenuate()
    ///     .datalog(r#"check if operation($op), $op != {forbidden};"#, [("forbidden", "build:write".into())])
    ///     .finish()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn datalog<I, N>(mut self, code: &str, params: I) -> Self
    where
        I: IntoIterator<Item = (N, DatalogValue)>,
        N: Into<String>,
    {
        let params: HashMap<String, Term> = params
            .into_iter()
            .map(|(name, value)| (name.into(), value.into_term()))
            .collect();
        self.block = self.block.and_then(|block| {
            block
                .code_with_params(code, params, HashMap::new())
                .map_err(|e| TokenError::Datalog(e.to_string()))
        });
        self
    }

    /// Valid until `time` only.
    pub fn expires_at(self, time: impl Into<DateTime<Utc>>) -> Self {
        let time = time.into();
        self.datalog(
            "check if time($time), $time < {expiry};",
            [("expiry", DatalogValue::Date(time))],
        )
    }

    /// Valid for `lifetime` from now only. A lifetime that reaches past the last instant a
    /// date can name makes [`finish`](Self::finish) fail rather than overflow.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        let expiry = i64::try_from(lifetime.as_secs())
            .ok()
            .and_then(|seconds| Utc::now().checked_add_signed(chrono::TimeDelta::try_seconds(seconds)?));
        match expiry {
            Some(expiry) => self.expires_at(expiry),
            None => {
                self.block = Err(TokenError::Datalog(format!(
                    "a lifetime of {} s reaches past the last date a token can hold",
                    lifetime.as_secs()
                )));
                self
            }
        }
    }

    /// Only for these operations (`build:read`, `build:write`, …): the service's
    /// `operation(…)` must be one of them. `build:read` also admits the 2022 name `read`.
    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(self, rights: I) -> Self {
        let mut operations: BTreeSet<String> = rights.into_iter().map(Into::into).collect();
        if operations.contains("build:read") {
            operations.insert(LEGACY_READ.to_owned());
        }
        self.datalog(
            "check if operation($op), {operations}.contains($op);",
            [("operations", DatalogValue::StrSet(operations))],
        )
    }

    /// Only for one build, as nixbuild.net's signed web links are: `check if
    /// resource("build", id)`. Such a token cannot list or summarise builds.
    pub fn only_build(self, id: impl Into<BuildId>) -> Self {
        let id = i64::try_from(id.into().0).unwrap_or(i64::MAX);
        self.datalog(
            r#"check if resource("build", {id});"#,
            [("id", DatalogValue::Int(id))],
        )
    }

    /// Seals the result: nobody can attenuate it further.
    pub fn seal(mut self) -> Self {
        self.seal = true;
        self
    }

    /// The attenuated token.
    pub fn finish(self) -> Result<Token, TokenError> {
        let block = self.block?;
        let biscuit = UnverifiedBiscuit::from_base64(self.token.expose_secret())
            .map_err(|e| TokenError::Unreadable(e.to_string()))?;
        let appended = biscuit.append(block).map_err(|e| match e {
            biscuit_auth::error::Token::AlreadySealed | biscuit_auth::error::Token::AppendOnSealed => {
                TokenError::Sealed
            }
            other => TokenError::Datalog(other.to_string()),
        })?;
        let finished = if self.seal {
            appended.seal().map_err(|e| TokenError::Datalog(e.to_string()))?
        } else {
            appended
        };
        finished
            .to_base64()
            .map(Token::new)
            .map_err(|e| TokenError::Unreadable(e.to_string()))
    }
}
