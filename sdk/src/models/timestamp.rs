//! RFC 3339 timestamps as nixbuild.net writes them.
//!
//! The service writes as many fraction digits as a timestamp needs (`…16.069456Z`,
//! `…17.53853Z`), not a fixed three, six or nine as chrono's own serde support does. Writing
//! the shortest exact fraction keeps a response identical after a decode and re-encode; reading
//! accepts any number of digits and any offset, and keeps the full (nanosecond) precision.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Writes `t` in UTC with `Z` and the shortest fraction that keeps every nanosecond.
pub(crate) fn format(t: &DateTime<Utc>) -> String {
    let full = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    // `full` ends in `.NNNNNNNNNZ`: drop the fraction's trailing zeros, and the dot with them
    // when nothing is left.
    let without_z = &full[..full.len() - 1];
    let trimmed = without_z.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}Z")
}

/// Reads an RFC 3339 date-time with any offset and any number of fraction digits.
pub(crate) fn parse(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(t))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
    parse(&s).map_err(|e| serde::de::Error::custom(format!("`{s}` is not an RFC 3339 date-time: {e}")))
}

/// The same, for a nullable timestamp.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serialize(t, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(deserialize_with = "super::deserialize")] DateTime<Utc>);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(t)| t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_fraction_the_service_wrote() {
        for s in [
            "2022-08-19T07:33:16.069456Z",
            "2022-08-19T07:33:17.53853Z",
            "2022-08-19T07:33:17Z",
            "2022-08-19T07:33:17.1Z",
            "2022-08-19T07:33:17.000000001Z",
        ] {
            assert_eq!(format(&parse(s).unwrap()), s);
        }
    }

    #[test]
    fn keeps_every_fraction_digit_it_reads() {
        let t = parse("2022-08-19T07:33:17.123456789Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_789);
        // Digits past the nanosecond cannot be kept, but must not be refused.
        let t = parse("2022-08-19T07:33:17.1234567891234Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_789);
    }

    #[test]
    fn reads_other_offsets_as_utc() {
        let t = parse("2022-08-19T09:33:17+02:00").unwrap();
        assert_eq!(format(&t), "2022-08-19T07:33:17Z");
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        assert!(parse("yesterday").is_err());
        assert!(parse("2022-08-19").is_err());
    }
}
