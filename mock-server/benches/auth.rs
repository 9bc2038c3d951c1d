//! What real Biscuit auth costs the mock, against the same mock with auth off, in one run;
//! what the costliest tokens the limits still accept cost; and how long an honest request
//! waits while a hostile client sends such tokens.
//!
//! ```sh
//! cargo bench -p nixbuild-mock --bench auth                  # release
//! cargo bench -p nixbuild-mock --bench auth --profile dev    # debug, where users' tests run
//! ```
//!
//! Each group ends with a `ratio […]` line: the claims are those ratios.

#[path = "support/ratio.rs"]
mod ratio;
#[path = "support/runtime.rs"]
mod runtime;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion};
use nixbuild::Token;
use nixbuild::api::operation::Permission;
use nixbuild::token::DatalogValue;
use nixbuild_mock::{AuthOutcome, Authority, MockNixbuild, fixtures};

fn no_params() -> Vec<(&'static str, DatalogValue)> {
    Vec::new()
}

/// The costliest join the limits accept: 63 facts (a block holds 64, one is the nonce) joined two ways, every
/// pair evaluated (the check fails, so none is skipped). `nonce` makes each token distinct,
/// so none is remembered from an earlier request.
fn costliest_join(base: &Token, nonce: usize) -> Token {
    let facts: String = (0..63).map(|i| format!("f({i});")).collect();
    base.attenuate()
        .datalog(
            &format!("{facts} nonce({{nonce}}); check if f($a), f($b), $a + $b < 0;"),
            [("nonce", DatalogValue::Int(nonce as i64))],
        )
        .finish()
        .expect("valid Datalog")
}

/// Closures over collections: 16 sets of 64 integers, each checked item by item against
/// the whole set (the limits refuse regular expressions outright).
fn costly_closures(base: &Token, nonce: usize) -> Token {
    let set = (0..64).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let facts: String = (0..16).map(|i| format!("s({i}, {{{set}}});")).collect();
    base.attenuate()
        .datalog(
            &format!("{facts} nonce({{nonce}}); check if s($i, $x), $x.all($a -> $x.contains($a + 1));"),
            [("nonce", DatalogValue::Int(nonce as i64))],
        )
        .finish()
        .expect("valid Datalog")
}

/// Sets built at run time: the union of fifteen 64-item sets (960 items) walked item by
/// item, for each of three facts. Nesting a second such union inside the closure (the
/// attack that took 2 s a request) is refused; this is as far as the estimate lets it go.
fn costliest_unions(base: &Token, nonce: usize) -> Token {
    let sets: Vec<String> = (0..15)
        .map(|s| {
            let items = (0..64).map(|i| (s * 64 + i).to_string()).collect::<Vec<_>>();
            format!("{{{}}}", items.join(", "))
        })
        .collect();
    let vars: Vec<String> = (0..15).map(|i| format!("$v{i}")).collect();
    let union = vars[1..]
        .iter()
        .fold(vars[0].clone(), |chain, v| format!("{chain}.union({v})"));
    let w: String = (0..3).map(|i| format!("w({i});")).collect();
    base.attenuate()
        .datalog(
            &format!(
                "u({}); {w} nonce({{nonce}}); check if u({}), w($z), {union}.any($x -> $x < 0);",
                sets.join(", "),
                vars.join(", ")
            ),
            [("nonce", DatalogValue::Int(nonce as i64))],
        )
        .finish()
        .expect("valid Datalog")
}

/// A closure inside a closure over the same 64-item set: 4,096 calls for each of two
/// facts, each with a copy of the set, close to the estimate's bound.
fn nested_closures(base: &Token, nonce: usize) -> Token {
    let set = (0..64).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let facts: String = (0..2).map(|i| format!("s({i}, {{{set}}});")).collect();
    base.attenuate()
        .datalog(
            &format!(
                "{facts} nonce({{nonce}}); check if s($i, $x), $x.all($a -> $x.any($b -> $a + $b < 0));"
            ),
            [("nonce", DatalogValue::Int(nonce as i64))],
        )
        .finish()
        .expect("valid Datalog")
}

/// The most blocks the limits accept, each with the most checks: eight signatures to verify.
fn most_blocks(base: &Token, nonce: usize) -> Token {
    let checks: String = (0..16)
        .map(|i| format!("check if time($t), $t > 2000-01-01T00:00:{:02}Z;", i))
        .collect();
    let mut token = base
        .attenuate()
        .datalog("nonce({nonce});", [("nonce", DatalogValue::Int(nonce as i64))])
        .finish()
        .expect("valid Datalog");
    for _ in 0..6 {
        token = token
            .attenuate()
            .datalog(&checks, no_params())
            .finish()
            .expect("valid Datalog");
    }
    token
}

fn header(token: &Token) -> String {
    format!("Bearer {}", token.expose_secret())
}

/// One request's auth, straight through `Authority::authorize`.
fn authorize_benches(c: &mut Criterion) {
    let authority = Authority::generate();
    let base = authority
        .tokens()
        .expires_in(Duration::from_secs(24 * 3600))
        .mint();
    let honest = header(&base);
    for (name, make) in [
        ("costliest_join", costliest_join as fn(&Token, usize) -> Token),
        ("costly_closures", costly_closures),
        ("costliest_unions", costliest_unions),
        ("nested_closures", nested_closures),
        ("most_blocks", most_blocks),
    ] {
        let outcome = authority.authorize(
            Some(&header(&make(&base, 0))),
            Permission::BuildRead,
            SystemTime::now(),
        );
        assert!(
            !matches!(outcome, AuthOutcome::Unauthorized(_)),
            "{name} must be within the limits: {outcome:?}"
        );
    }

    let mut group = c.benchmark_group("authorize");
    group.bench_function("honest_remembered", |b| {
        b.iter(|| authority.authorize(Some(black_box(&honest)), Permission::BuildRead, SystemTime::now()))
    });
    let mut nonce = 0;
    let mut fresh = |make: fn(&Token, usize) -> Token| {
        nonce += 1;
        header(&make(&base, nonce))
    };
    group.bench_function("honest_first_time", |b| {
        b.iter_batched(
            || {
                fresh(|t, n| {
                    t.attenuate()
                        .datalog("nonce({n});", [("n", DatalogValue::Int(n as i64))])
                        .finish()
                        .unwrap()
                })
            },
            |h| authority.authorize(Some(&h), Permission::BuildRead, SystemTime::now()),
            BatchSize::SmallInput,
        )
    });
    for (name, make) in [
        (
            "costliest_join_first_time",
            costliest_join as fn(&Token, usize) -> Token,
        ),
        ("costly_closures_first_time", costly_closures),
        ("costliest_unions_first_time", costliest_unions),
        ("nested_closures_first_time", nested_closures),
        ("most_blocks_first_time", most_blocks),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || fresh(make),
                |h| authority.authorize(Some(&h), Permission::BuildRead, SystemTime::now()),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// A whole request, with auth on and with auth off, to the same kind of mock.
fn request_benches(c: &mut Criterion) {
    let rt = runtime::runtime();
    let (on, off) = rt.block_on(async {
        (
            MockNixbuild::builder().builds(fixtures::seed()).start().await,
            MockNixbuild::builder()
                .builds(fixtures::seed())
                .without_auth()
                .start()
                .await,
        )
    });
    let http = nixbuild::http_client_builder()
        .expect("TLS")
        .build()
        .expect("a client");
    let token = header(&on.tokens().expires_in(Duration::from_secs(24 * 3600)).mint());
    let get = |url: String, authorization: Option<String>| {
        let http = http.clone();
        async move {
            let mut request = http.get(url);
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = request.send().await.expect("the mock answers");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("a body")
        }
    };
    let mut group = c.benchmark_group("request");
    group.bench_function("auth_off", |b| {
        b.to_async(&rt)
            .iter(|| get(format!("{}/builds", off.uri()), None))
    });
    group.bench_function("auth_on", |b| {
        b.to_async(&rt)
            .iter(|| get(format!("{}/builds", on.uri()), Some(token.clone())))
    });
    group.finish();

    // An honest request while another client sends distinct costly tokens without pause,
    // each of the costliest kinds in turn.
    let stop = Arc::new(AtomicBool::new(false));
    let base = on.tokens().expires_in(Duration::from_secs(24 * 3600)).mint();
    let costliest = [costliest_join, costly_closures, costliest_unions, nested_closures];
    let hostile: Vec<String> = (0..600)
        .map(|n| header(&costliest[n % costliest.len()](&base, n)))
        .collect();
    let mut group = c.benchmark_group("honest_beside_hostile");
    group.bench_function("quiet", |b| {
        b.to_async(&rt)
            .iter(|| get(format!("{}/builds", on.uri()), Some(token.clone())))
    });
    let attacker = {
        let (stop, http, url) = (Arc::clone(&stop), http.clone(), format!("{}/builds", on.uri()));
        rt.spawn(async move {
            for value in hostile.iter().cycle() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = http.get(&url).header("authorization", value).send().await;
            }
        })
    };
    group.bench_function("under_attack", |b| {
        b.to_async(&rt)
            .iter(|| get(format!("{}/builds", on.uri()), Some(token.clone())))
    });
    group.finish();
    stop.store(true, Ordering::Relaxed);
    let _ = rt.block_on(attacker);
}

fn main() {
    let mut c = ratio::criterion();
    authorize_benches(&mut c);
    request_benches(&mut c);
    c.final_summary();
    ratio::report("request", &[("auth_on", "auth_off")]);
    ratio::report("honest_beside_hostile", &[("under_attack", "quiet")]);
    ratio::report(
        "authorize",
        &[
            ("costliest_join_first_time", "honest_first_time"),
            ("costly_closures_first_time", "honest_first_time"),
            ("costliest_unions_first_time", "honest_first_time"),
            ("nested_closures_first_time", "honest_first_time"),
            ("most_blocks_first_time", "honest_first_time"),
            ("honest_remembered", "honest_first_time"),
        ],
    );
}
