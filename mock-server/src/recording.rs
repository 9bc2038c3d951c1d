//! Recordings: what a real account answered, kept as a fixture the mock can serve, replay
//! and be checked against.
//!
//! `nixbuild-mock record --upstream URL --out FILE` stands between a client and the real
//! service, forwards every request with the caller's own token, answers with the service's
//! answer unchanged, and writes a [`Recording`]: every build it saw (merged by id, the most
//! recently seen wins) and each read request (`GET /builds`, `/builds/summary`, `/usage`)
//! with its answer, in the order they came. Then:
//!
//! - `nixbuild-mock --builds FILE` serves the recorded builds with the mock's own filters
//!   (stateful, as any fixture);
//! - `nixbuild-mock replay FILE` answers each recorded request exactly as recorded
//!   ([`MockNixbuildBuilder::replay`](crate::MockNixbuildBuilder::replay)), and anything else
//!   with a 404 naming the nearest recorded request;
//! - `nixbuild-mock check FILE` asks a mock serving the recorded builds every recorded query
//!   and reports where its answers differ ([`check()`]).
//!
//! Nothing secret is written: no request header at all, an answer's `Content-Type` and
//! `Retry-After` alone, no body of the token exchange or of `POST /processes`, and each
//! interaction is redacted as it is recorded: every secret the recorder saw (each token,
//! cookie and ID token of every request, each exchanged token) and anything that reads as a
//! Biscuit token, a JWT or the mock's admin token, wherever it is (after any separator,
//! percent-encoded, inside a JSON string's escapes; see the crate's redaction policy). A
//! request whose secrets could not all be learned ([`MAX_LEARNED_SECRETS`],
//! [`MAX_SECRETS_PER_HEADER`]) is forwarded and not recorded, as is every request past
//! [`MAX_RECORDED_INTERACTIONS`].
//!
//! With `--anonymise` ([`Recorder::new`]`(true)`), store-path hashes and names, tag values,
//! NAR hashes and account ids are mapped to stand-ins, the same input always to the same
//! output within a recording (so that a filter selects the same builds), from the OS's
//! random generator (so that a mapping cannot be recomputed from a name); numbers, statuses,
//! systems, times and build ids stay. A final pass over the file replaces every original the
//! anonymiser learned (raw or percent-encoded, six characters or more; an account id alone
//! at any length) wherever it appears: in an error message quoting a filter, a bare store
//! name, a query without `/nix/store/`. The log shows each query as the file holds it.

// The public face of recordings: the file format and its recorder (`recording_format`), and
// the tools that run a mock or a front around one (`standalone`), gathered under one path.

pub use crate::recording_format::diff::{Finding, FindingKind};
pub use crate::recording_format::{
    FORMAT, Interaction, KEPT_ANSWER_HEADERS, MAX_RECORDED_ANSWER_BYTES, MAX_RECORDED_INTERACTIONS, Recorder,
    Recording, RecordingError, read_builds,
};
pub use crate::redaction::{MAX_LEARNED_SECRETS, MAX_SECRETS_PER_HEADER};
pub use crate::standalone::check::{CheckReport, Checked, Outcome, check};
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub use crate::standalone::proxy;
