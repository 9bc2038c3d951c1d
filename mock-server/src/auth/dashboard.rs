//! The dashboard's logins: a one-time code, printed or handed to a helper, is exchanged once
//! for a session whose id travels only in an `HttpOnly`, `SameSite=Strict` cookie. Codes and
//! sessions are random, few and short-lived, so that none piles up in a long-running mock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::secrets::{random_hex, same_secret};

/// The cookie that holds a dashboard session's id.
pub(crate) const SESSION_COOKIE: &str = "nbmock_session";
/// How long a login code may wait to be used.
pub(crate) const LOGIN_CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The most login codes waiting at once; a new one drops the oldest.
const MAX_LOGIN_CODES: usize = 16;
/// The most sessions open at once; a new one closes the oldest.
const MAX_SESSIONS: usize = 32;

/// The login codes not yet used and the sessions open.
#[derive(Debug, Default)]
pub(crate) struct DashboardLogins {
    codes: VecDeque<(String, Instant)>,
    sessions: VecDeque<String>,
}

impl DashboardLogins {
    /// A fresh login code, valid once within [`LOGIN_CODE_LIFETIME`].
    pub(crate) fn issue_code(&mut self) -> String {
        let code = random_hex();
        if self.codes.len() == MAX_LOGIN_CODES {
            self.codes.pop_front();
        }
        self.codes.push_back((code.clone(), Instant::now()));
        code
    }

    /// Uses up `code`: the id of a new session, or `None` for a code that is unknown, used
    /// or expired.
    pub(crate) fn redeem(&mut self, code: &str) -> Option<String> {
        self.codes
            .retain(|(_, issued)| issued.elapsed() < LOGIN_CODE_LIFETIME);
        let index = self
            .codes
            .iter()
            .position(|(known, _)| same_secret(code, known))?;
        self.codes.remove(index);
        let session = random_hex();
        if self.sessions.len() == MAX_SESSIONS {
            self.sessions.pop_front();
        }
        self.sessions.push_back(session.clone());
        Some(session)
    }

    /// Whether a request's `Cookie` header holds an open session.
    pub(crate) fn admits(&self, cookie_header: Option<&str>) -> bool {
        session_of(cookie_header).is_some_and(|id| self.sessions.iter().any(|open| same_secret(id, open)))
    }
}

/// The session id in a `Cookie` header, if it has one.
fn session_of(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_opens_one_session_once_and_the_cookie_is_read_among_others() {
        let mut logins = DashboardLogins::default();
        let code = logins.issue_code();
        assert!(
            logins.redeem("0".repeat(64).as_str()).is_none(),
            "an unknown code"
        );
        let session = logins.redeem(&code).expect("a session");
        assert!(logins.redeem(&code).is_none(), "used once");
        let cookie = format!("theme=dark; {SESSION_COOKIE}={session}; other=1");
        assert!(logins.admits(Some(&cookie)));
        assert!(!logins.admits(Some(&format!("{SESSION_COOKIE}={}", "f".repeat(64)))));
        assert!(!logins.admits(Some("")) && !logins.admits(None) && !logins.admits(Some(";;=;")));
    }

    #[test]
    fn codes_and_sessions_stay_few() {
        let mut logins = DashboardLogins::default();
        let first = logins.issue_code();
        for _ in 0..MAX_LOGIN_CODES {
            logins.issue_code();
        }
        assert!(logins.redeem(&first).is_none(), "the oldest code was dropped");
        let sessions: Vec<String> = (0..=MAX_SESSIONS)
            .map(|_| {
                let code = logins.issue_code();
                logins.redeem(&code).expect("a session")
            })
            .collect();
        assert!(!logins.admits(Some(&format!("{SESSION_COOKIE}={}", sessions[0]))));
        assert!(logins.admits(Some(&format!("{SESSION_COOKIE}={}", sessions[MAX_SESSIONS]))));
        assert_eq!(logins.sessions.len(), MAX_SESSIONS);
        assert!(logins.codes.len() <= MAX_LOGIN_CODES);
    }
}
