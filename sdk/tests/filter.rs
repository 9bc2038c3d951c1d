//! The query-string format of `BuildFilter`: exact strings, parsing, errors, and a property
//! test that parsing what was written gives back the filter.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use nixbuild::{BuildFilter, BuildStatus, FilterParam, TimeBound};
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn each_filter_writes_its_exact_query_string() {
    let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 30, 0).unwrap();
    let cases: Vec<(BuildFilter, &str)> = vec![
        (BuildFilter::new(), ""),
        (
            BuildFilter::new()
                .derivation_path("/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv"),
            "derivation_path=/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-snix-qemu-6.1.0.drv",
        ),
        (
            BuildFilter::new().tag("GITHUB_REPOSITORY", "owner/repo"),
            "tags=GITHUB_REPOSITORY:owner/repo",
        ),
        (
            BuildFilter::new()
                .tag("GITHUB_RUN_ID", "42")
                .tag("GITHUB_RUN_ATTEMPT", "1"),
            "tags=GITHUB_RUN_ID:42,GITHUB_RUN_ATTEMPT:1",
        ),
        (
            BuildFilter::new().tag("url", "http://x:80/a b"),
            "tags=url:http://x:80/a%20b",
        ),
        (
            BuildFilter::new().tag("lang", "c++ & ü"),
            "tags=lang:c%2B%2B%20%26%20%C3%BC",
        ),
        (BuildFilter::new().status(BuildStatus::Built), "status=built"),
        (
            BuildFilter::new()
                .status(BuildStatus::Built)
                .status(BuildStatus::BuildFailed),
            "status=built,build_failed",
        ),
        (
            BuildFilter::new().status(BuildStatus::Unknown("quarantined".into())),
            "status=quarantined",
        ),
        (
            BuildFilter::new().created_from(date(2024, 5, 1)),
            "create_time_from=2024-05-01",
        ),
        (
            BuildFilter::new().created_before(t),
            "create_time_to=2024-05-01T12:30:00Z",
        ),
        (
            BuildFilter::new().created_from(Utc.timestamp_opt(1_700_000_000, 5_000_000).unwrap()),
            "create_time_from=2023-11-14T22:13:20.005Z",
        ),
        (BuildFilter::new().limit(100), "limit=100"),
        (
            BuildFilter::new()
                .limit(5)
                .tag("a", "b")
                .derivation_path("/d.drv")
                .status(BuildStatus::Pending),
            "derivation_path=/d.drv&tags=a:b&status=pending&limit=5",
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(filter.to_query_string().unwrap(), expected, "{filter:?}");
    }
}

#[test]
fn the_parser_reads_raw_and_encoded_values_alike() {
    let expected = BuildFilter::new()
        .tag("GITHUB_REPOSITORY", "owner/repo")
        .tag("k", "a b+c");
    for query in [
        "tags=GITHUB_REPOSITORY:owner/repo,k:a%20b%2Bc",
        "?tags=GITHUB_REPOSITORY%3Aowner%2Frepo,k:a+b%2Bc",
        "tags=GITHUB_REPOSITORY:owner/repo&tags=k:a b%2Bc&unknown=1",
    ] {
        assert_eq!(BuildFilter::from_query(query).unwrap(), expected, "{query}");
    }
}

#[test]
fn parameters_outside_the_chosen_ones_are_ignored() {
    let window = [FilterParam::CreateTimeFrom, FilterParam::CreateTimeTo];
    let filter =
        BuildFilter::from_query_params("limit=oops&tags=x&create_time_from=2024-05-01", &window).unwrap();
    assert_eq!(filter, BuildFilter::new().created_from(date(2024, 5, 1)));
}

#[test]
fn a_tag_splits_at_its_first_colon() {
    let filter = BuildFilter::from_query("tags=url:https://h:8080/x").unwrap();
    assert_eq!(
        filter.tags,
        vec![("url".to_owned(), "https://h:8080/x".to_owned())]
    );
}

#[test]
fn time_bounds_read_dates_and_date_times_with_offsets() {
    let filter =
        BuildFilter::from_query("create_time_from=2024-05-01&create_time_to=2024-05-02T02:00:00+02:00")
            .unwrap();
    assert_eq!(filter.created_from, Some(TimeBound::Date(date(2024, 5, 1))));
    let to = Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap();
    assert_eq!(filter.created_before.unwrap().instant(), to);
    // An unencoded `+` in the offset arrives as a space; it is still read as the offset.
    let raw_plus = BuildFilter::from_query("create_time_to=2024-05-02T02:00:00+02:00").unwrap();
    assert_eq!(raw_plus.created_before.unwrap().instant(), to);
}

#[test]
fn every_parameter_is_read_by_its_name_and_only_tags_and_status_repeat() {
    for param in FilterParam::ALL {
        let value = match param {
            FilterParam::DerivationPath => "/nix/store/a-x.drv".to_owned(),
            FilterParam::Tags => "ci:1".to_owned(),
            FilterParam::Status => BuildStatus::Built.to_string(),
            FilterParam::Limit => "3".to_owned(),
            _ => "2024-05-01".to_owned(),
        };
        let once = format!("{}={value}", param.name());
        let read = BuildFilter::from_query(&once).unwrap();
        assert_ne!(read, BuildFilter::new(), "{once} was read");
        // The name percent-encoded, a letter of it.
        let encoded = format!("%{:02X}{}", param.name().as_bytes()[0], &once[1..]);
        assert_eq!(BuildFilter::from_query(&encoded).unwrap(), read, "{encoded}");
        let twice = BuildFilter::from_query(&format!("{once}&&{once}"));
        match param {
            FilterParam::Tags | FilterParam::Status => assert!(twice.is_ok(), "{once}: {twice:?}"),
            _ => {
                let err = twice.unwrap_err();
                assert_eq!(err.parameter(), param);
                assert!(err.to_string().contains("more than once"), "{err}");
            }
        }
    }
    // Each other parameter once besides: each is counted on its own.
    let all =
        "derivation_path=/nix/store/a-x.drv&limit=2&create_time_from=2024-05-01&create_time_to=2024-06-01";
    assert!(BuildFilter::from_query(all).is_ok());
}

#[test]
fn malformed_values_are_errors_naming_the_parameter() {
    let cases = [
        ("limit=0", FilterParam::Limit, "positive integer"),
        ("limit=-3", FilterParam::Limit, "positive integer"),
        ("limit=ten", FilterParam::Limit, "positive integer"),
        (
            "limit=18446744073709551616",
            FilterParam::Limit,
            "larger than 18446744073709551615",
        ),
        ("limit=+5", FilterParam::Limit, "positive integer"),
        ("limit=1&limit=2", FilterParam::Limit, "more than once"),
        (
            "status=built,exploded",
            FilterParam::Status,
            "`exploded` is not a build status",
        ),
        ("tags=no-colon", FilterParam::Tags, "not NAME:VALUE"),
        ("tags=:value", FilterParam::Tags, "name must not be empty"),
        (
            "create_time_from=yesterday",
            FilterParam::CreateTimeFrom,
            "neither a date",
        ),
        (
            "create_time_to=2024-13-01",
            FilterParam::CreateTimeTo,
            "neither a date",
        ),
        (
            "derivation_path=",
            FilterParam::DerivationPath,
            "must not be empty",
        ),
        ("derivation_path=%FF", FilterParam::DerivationPath, "UTF-8"),
    ];
    for (query, param, message) in cases {
        let err = BuildFilter::from_query(query).unwrap_err();
        assert_eq!(err.parameter(), param, "{query}");
        assert!(err.to_string().contains(message), "{query}: {err}");
        assert!(err.to_string().contains(param.name()), "{query}: {err}");
    }
}

#[test]
fn values_the_wire_cannot_carry_are_refused_when_written() {
    for filter in [
        BuildFilter::new().tag("a", "x,y"),
        BuildFilter::new().tag("a:b", "x"),
        BuildFilter::new().tag("", "x"),
        BuildFilter::new().limit(0),
        BuildFilter::new().derivation_path(""),
        BuildFilter::new().status(BuildStatus::Unknown("a,b".into())),
    ] {
        assert!(filter.to_query_string().is_err(), "{filter:?}");
    }
}

fn tag_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_./ é-]{0,12}"
}

fn tag_value() -> impl Strategy<Value = String> {
    // Every character a value may hold but `,`: separators, `/`, `:`, `+`, `%`, spaces,
    // non-ASCII.
    "[A-Za-z0-9/:. +%&=?#ü✓日本-]{0,16}"
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| Utc.timestamp_opt(secs, nanos).unwrap())
}

fn time_bound() -> impl Strategy<Value = TimeBound> {
    prop_oneof![
        instant().prop_map(TimeBound::DateTime),
        instant().prop_map(|t| TimeBound::Date(t.date_naive())),
    ]
}

fn filter() -> impl Strategy<Value = BuildFilter> {
    (
        proptest::option::of("/nix/store/[a-z0-9]{32}-[a-zA-Z0-9+._?=-]{1,20}\\.drv"),
        proptest::collection::vec((tag_name(), tag_value()), 0..4),
        proptest::collection::vec(proptest::sample::select(BuildStatus::KNOWN.to_vec()), 0..4),
        proptest::option::of(time_bound()),
        proptest::option::of(time_bound()),
        proptest::option::of(1u64..),
    )
        .prop_map(
            |(derivation_path, tags, statuses, created_from, created_before, limit)| BuildFilter {
                derivation_path,
                tags,
                statuses,
                created_from,
                created_before,
                limit,
            },
        )
}

proptest! {
    #[test]
    fn parse_of_write_is_the_identity(filter in filter()) {
        let query = filter.to_query_string().unwrap();
        prop_assert_eq!(BuildFilter::from_query(&query).unwrap(), filter);
    }

    #[test]
    fn the_parser_never_panics(query in ".{0,64}") {
        let _ = BuildFilter::from_query(&query);
    }
}
