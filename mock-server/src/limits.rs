//! Every bound the mock keeps, so that no client, however hostile, can make it use memory
//! or time without limit.
//!
//! ## Tokens
//!
//! Each token is held to these bounds, on its structure, before any of its Datalog runs.
//!
//! Biscuit's own limits (`AuthorizerLimits`) are checked between iterations of the Datalog
//! engine, so one costly join runs to its end before they apply: a 1.5 KB token whose check
//! joins four copies of sixty facts held a request for seconds. And the mock answers under
//! wiremock's lock, so every other request waited too. These bounds keep the most costly
//! token the mock accepts within a few milliseconds of work (see `benches/auth.rs`), so a
//! hostile token cannot hold up an honest request by more than that.
//!
//! | limit | value | why |
//! |---|---|---|
//! | `Authorization` header | [`MAX_AUTHORIZATION_BYTES`] | bounds parsing and every term's size; a nixbuild.net token is a few hundred bytes, one exchanged for a CI job's claims about 2 KB |
//! | blocks | [`MAX_BLOCKS`] | each is a signature to verify |
//! | facts, rules, checks per block | [`MAX_FACTS_PER_BLOCK`], [`MAX_RULES_PER_BLOCK`], [`MAX_CHECKS_PER_BLOCK`] | far above any token nixbuild.net issues (a CI job's OIDC claims are ~30 facts) |
//! | alternatives per check, predicates per query | [`MAX_QUERIES_PER_CHECK`], [`MAX_BODY_PREDICATES`] | a join's cost grows as the facts raised to the number of predicates |
//! | operations per query, items per collection, bytes per string | [`MAX_EXPRESSION_OPS`], [`MAX_COLLECTION_LEN`], [`MAX_STRING_BYTES`] | bound what one evaluation can do |
//! | regular expressions (`.matches`) | none | each is compiled anew at every evaluation: a 1 KB pattern took 100 ms in a debug build, and no nixbuild.net token uses one |
//! | estimated work | [`MAX_COST`] | what the others leave: every query's candidate joins times its operations (a closure over a collection, `.all`/`.any`, once per item), rules once per iteration |

//!
//! ## Requests and memory
//!
//! | bound | value |
//! |---|---|
//! | a request body | [`MAX_REQUEST_BODY_BYTES`]; larger is 413 (wiremock has read it, the mock keeps none of it) |
//! | a journal entry | [`MAX_RECORDED_PATH_BYTES`] of path, [`MAX_RECORDED_QUERY_BYTES`] of query, [`MAX_RECORDED_HEADER_BYTES`] of headers, [`MAX_RECORDED_BODY_BYTES`] of body, marked `truncated` beyond |
//! | the journal | [`MAX_JOURNAL_BYTES`] in all, besides its count (`MockNixbuildBuilder::journal_capacity`) |
//! | `POST /processes` | the newest 10,000 processes remembered |
//! | tokens verified | the last 512 remembered; beyond, one more verification each |
//! | a control request body (admin token only) | [`MAX_CONTROL_BODY_BYTES`]; larger is 413 |
//! | builds' JSON kept encoded | [`MAX_CACHED_JSON_BYTES`]; beyond, a build is encoded each time it is served |
//! | read answers kept | 256 answers and 32 MiB; beyond, the cache starts anew |

pub use crate::auth::limits::{
    MAX_AUTHORIZATION_BYTES, MAX_BLOCKS, MAX_BODY_PREDICATES, MAX_CHECKS_PER_BLOCK, MAX_COLLECTION_LEN,
    MAX_COST, MAX_EXPRESSION_OPS, MAX_FACTS_PER_BLOCK, MAX_QUERIES_PER_CHECK, MAX_RULES_PER_BLOCK,
    MAX_STRING_BYTES,
};
pub use crate::control::MAX_CONTROL_BODY_BYTES;
pub use crate::journal::{
    MAX_JOURNAL_BYTES, MAX_RECORDED_BODY_BYTES, MAX_RECORDED_HEADER_BYTES, MAX_RECORDED_PATH_BYTES,
    MAX_RECORDED_QUERY_BYTES,
};
pub use crate::responder::MAX_REQUEST_BODY_BYTES;
pub use crate::store::MAX_CACHED_JSON_BYTES;
