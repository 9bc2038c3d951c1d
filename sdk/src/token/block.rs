//! [`BlockInfo`]: one block of a token as data, what decoding yields and inspection reads.

use std::fmt;

use super::datalog::{Check, Predicate, Rule, Scope};

/// One block of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockInfo {
    /// Its facts.
    pub facts: Vec<Predicate>,
    /// Its rules.
    pub rules: Vec<Rule>,
    /// Its checks, with their kind.
    pub checks: Vec<Check>,
    /// The blocks its rules and checks trust, when not the default.
    pub scopes: Vec<Scope>,
    /// The public key of a third-party block (`ed25519/…`); `None` for a block appended by
    /// the token's holder.
    pub third_party_key: Option<String>,
    /// The block's revocation id, in hex: revoking it refuses this token and every token
    /// attenuated from it.
    pub revocation_id: String,
    /// The block's free-form context, if any.
    pub context: Option<String>,
}

impl fmt::Display for BlockInfo {
    /// The block's Datalog, one statement a line, indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.scopes.is_empty() {
            let scopes: Vec<String> = self.scopes.iter().map(ToString::to_string).collect();
            writeln!(f, "    trusting {};", scopes.join(", "))?;
        }
        for fact in &self.facts {
            writeln!(f, "    {fact};")?;
        }
        for rule in &self.rules {
            writeln!(f, "    {rule};")?;
        }
        for check in &self.checks {
            writeln!(f, "    {check};")?;
        }
        Ok(())
    }
}
