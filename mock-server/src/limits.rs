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
//! wiremock's lock, so every other request waited too. And an estimate that counted a
//! closure over a collection as 64 items let `$v0.union(…).union($v14)` build a set of 960 in
//! each of 960 closure calls: 2 s a request. These bounds keep the most costly
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
//! | estimated work | [`MAX_COST`] | what the others leave: every query's candidate joins ([`CANDIDATE_COST`] each) plus its expressions, evaluated on the weights of their values: a union or a copy of a variable costs what its sets hold, a union of unions counts at the size it reaches, a closure runs once per item of the collection it is given, and nested closures multiply; rules once per iteration |

//!
//! ## Requests and memory
//!
//! | bound | value |
//! |---|---|
//! | a request body | [`MAX_REQUEST_BODY_BYTES`]; larger is 413. The standalone server's front (`nixbuild_mock::front`, feature `cli`) stops reading one byte past it; in process, wiremock has read it whole and the mock keeps none of it |
//! | a request's head, and the time to send it and its body (standalone) | 64 KiB and 128 headers (431 beyond); `--read-timeout`, 30 s by default (408 for a body) |
//! | bodies held at once, connections served at once (standalone) | 128 MiB in all (a request waits for room within its read timeout); 1,024 connections |
//! | a journal entry | [`MAX_RECORDED_PATH_BYTES`] of path, [`MAX_RECORDED_QUERY_BYTES`] of query, [`MAX_RECORDED_HEADER_BYTES`] of headers, [`MAX_RECORDED_BODY_BYTES`] of body, marked `truncated` beyond |
//! | the journal | [`MAX_JOURNAL_BYTES`] in all, besides its count (`MockNixbuildBuilder::journal_capacity`) |
//! | `POST /processes` | the newest 10,000 processes remembered |
//! | tokens verified | the last 512 remembered; beyond, one more verification each |
//! | a `POST /_mock/builds` body (admin token only) | [`MAX_CONTROL_BODY_BYTES`]; larger is 413; any other control body is held to [`MAX_REQUEST_BODY_BYTES`] |
//! | builds one `POST /_mock/builds` adds | [`MAX_BUILDS_PER_REQUEST`], read one by one (never a whole tree of JSON values); more is 413 |
//! | builds in the store after a `POST /_mock/builds` | [`MAX_STORED_BUILDS`]; more is 409 (the Rust API and `--builds` are not held to it) |
//! | the OIDC exchange's ID token | [`MAX_ID_TOKEN_BYTES`] (431 beyond), [`MAX_JWT_CLAIMS`] claims, names of [`MAX_JWT_CLAIM_NAME_BYTES`] and values of [`MAX_STRING_BYTES`] (400 beyond), each claim a fact built as data; an exchanged token longer than [`MAX_AUTHORIZATION_BYTES`] is a 400 |
//! | the clock | the years 0000 to 9999, however it is set (400 beyond) |
//! | builds' JSON kept encoded | [`MAX_CACHED_JSON_BYTES`]; beyond, a build is encoded each time it is served |
//! | read answers kept | 256 answers and 32 MiB; beyond, the cache starts anew |

pub use crate::auth::limits::{
    CANDIDATE_COST, MAX_AUTHORIZATION_BYTES, MAX_BLOCKS, MAX_BODY_PREDICATES, MAX_CHECKS_PER_BLOCK,
    MAX_COLLECTION_LEN, MAX_COST, MAX_EXPRESSION_OPS, MAX_FACTS_PER_BLOCK, MAX_QUERIES_PER_CHECK,
    MAX_RULES_PER_BLOCK, MAX_STRING_BYTES,
};
pub use crate::control::{MAX_BUILDS_PER_REQUEST, MAX_CONTROL_BODY_BYTES, MAX_STORED_BUILDS};
pub use crate::handlers::exchange::{MAX_ID_TOKEN_BYTES, MAX_JWT_CLAIM_NAME_BYTES, MAX_JWT_CLAIMS};
pub use crate::server::responder::MAX_REQUEST_BODY_BYTES;
pub use crate::testing::journal::{
    MAX_JOURNAL_BYTES, MAX_RECORDED_BODY_BYTES, MAX_RECORDED_HEADER_BYTES, MAX_RECORDED_PATH_BYTES,
    MAX_RECORDED_QUERY_BYTES,
};
pub use crate::world::store::MAX_CACHED_JSON_BYTES;
