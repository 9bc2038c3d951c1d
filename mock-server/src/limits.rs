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
//! | bodies held at once, connections served at once (standalone) | 128 MiB in all (a request waits for room within its read timeout); 1,024 connections, or a quarter of the process's open-file limit less 24 when that is fewer (the rest is kept for the mock behind the front; the soft limit is first raised toward the hard one, up to 4,120) |
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
//! | builds' JSON kept in the store's order, for queries of a time window alone | [`MAX_JSON_RUN_BYTES`]; beyond, the answer is copied build by build; dropped at every change of the builds |
//! | read answers kept | 256 answers and 32 MiB; beyond, the cache starts anew |

// Tokens.

/// The largest `Authorization` header the mock reads, in bytes.
pub const MAX_AUTHORIZATION_BYTES: usize = 8 * 1024;
/// The most blocks a token may have: its authority block and attenuations.
pub const MAX_BLOCKS: usize = 8;
/// The most facts in one block.
pub const MAX_FACTS_PER_BLOCK: usize = 64;
/// The most rules in one block.
pub const MAX_RULES_PER_BLOCK: usize = 8;
/// The most checks in one block.
pub const MAX_CHECKS_PER_BLOCK: usize = 16;
/// The most alternatives (`or`) in one check.
pub const MAX_QUERIES_PER_CHECK: usize = 4;
/// The most predicates in the body of one rule or query.
pub const MAX_BODY_PREDICATES: usize = 4;
/// The most expression operations in one rule or query.
pub const MAX_EXPRESSION_OPS: usize = 64;
/// The most items in one set, array or map.
pub const MAX_COLLECTION_LEN: usize = 64;
/// The longest string, in bytes.
pub const MAX_STRING_BYTES: usize = 1024;
/// The most estimated work for the whole token, in units of about 10 ns of a release build:
/// for each rule and query, the product of how many facts each body predicate could match,
/// times what trying one combination costs ([`CANDIDATE_COST`]) plus what evaluating its
/// expressions may cost, counted at the sizes its values can really reach (unions,
/// intersections and nested closures included); rules count once per iteration of the
/// engine. `benches/auth.rs` measures the costliest tokens it accepts.
pub const MAX_COST: u64 = 200_000;
/// What trying one combination of facts for a rule or query costs, in the units of
/// [`MAX_COST`]: binding its variables and checking its constants, measured against the
/// evaluation of its expressions (a 64×64 join of a cheap check runs at about 47 units a
/// combination).
pub const CANDIDATE_COST: u64 = 40;

// Control requests.

/// The largest control request body: a `POST /_mock/builds` of tens of thousands of builds.
pub const MAX_CONTROL_BODY_BYTES: usize = 64 * 1024 * 1024;
/// The most builds one `POST /_mock/builds` adds (about 100 MB of store); more is a 413.
pub const MAX_BUILDS_PER_REQUEST: usize = 100_000;
/// The most builds the store may hold after a `POST /_mock/builds` (about 1.4 GB); more is
/// a 409. The Rust API and `--builds`/`--generate` are not held to it: their caller chose.
pub const MAX_STORED_BUILDS: usize = 1_000_000;

// The OIDC exchange.

/// The longest OIDC ID token the exchange reads, in bytes; longer is a 431. A CI job's ID
/// token is 1 to 2 KB.
pub const MAX_ID_TOKEN_BYTES: usize = 8 * 1024;
/// The most claims an ID token may carry into an exchanged token (each is a fact; a GitHub
/// job's token has about 30); more is a 400.
pub const MAX_JWT_CLAIMS: usize = 48;
/// The longest claim name, in bytes; longer is a 400. Values are held to
/// [`MAX_STRING_BYTES`], as every string in a token is.
pub const MAX_JWT_CLAIM_NAME_BYTES: usize = 256;

// API requests.

/// The largest request body the mock takes (a `POST /processes` of thousands of processes
/// is a few hundred KB); a larger one is answered 413.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;

// The journal.

/// The longest path a journal entry keeps, in bytes.
pub const MAX_RECORDED_PATH_BYTES: usize = 1024;
/// The longest query string a journal entry keeps, in bytes.
pub const MAX_RECORDED_QUERY_BYTES: usize = 4096;
/// The most header bytes (names and values) a journal entry keeps; later headers are left out.
pub const MAX_RECORDED_HEADER_BYTES: usize = 16 * 1024;
/// The longest body a journal entry keeps, in bytes.
pub const MAX_RECORDED_BODY_BYTES: usize = 64 * 1024;
/// The most bytes the journal's entries hold together; the oldest are forgotten first.
pub const MAX_JOURNAL_BYTES: usize = 64 * 1024 * 1024;

// The store.

/// The most bytes of builds' JSON a store keeps encoded (about 100,000 builds'): past it, a
/// build is encoded each time it is served, and a store of millions stays within ~2 KB a
/// build.
pub const MAX_CACHED_JSON_BYTES: usize = 64 * 1024 * 1024;

/// The most bytes of builds' JSON a store keeps in runs in its order (about 45,000 builds'),
/// from which a query of a time window alone copies its answer whole: a second copy of what
/// [`MAX_CACHED_JSON_BYTES`] keeps, for the builds most asked for.
pub const MAX_JSON_RUN_BYTES: usize = 32 * 1024 * 1024;
