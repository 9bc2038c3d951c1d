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
    let mut text = String::with_capacity(MAX_FAST_LEN);
    // Writing into a String cannot fail.
    let _ = write(t, &mut text);
    text
}

/// `2024-01-01T00:00:00.123456789Z`: the longest timestamp [`write`] spells by hand.
const MAX_FAST_LEN: usize = 30;

/// Writes `t` as [`format`] does, without allocating: every build a mock serves carries two
/// timestamps, and chrono's general formatter (two strings a timestamp) cost more than the
/// rest of a build's JSON. Years 0–9999 and ordinary seconds are spelled by hand; the rest
/// (a leap second, a year of five digits or before Christ) go through chrono.
pub(crate) fn write(t: &DateTime<Utc>, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    use chrono::{Datelike, Timelike};
    let nanos = t.timestamp_subsec_nanos();
    let year = t.year();
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&year) {
        let full = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
        // `full` ends in `.NNNNNNNNNZ`: drop the fraction's trailing zeros, and the dot with
        // them when nothing is left.
        let without_z = &full[..full.len() - 1];
        let trimmed = without_z.trim_end_matches('0').trim_end_matches('.');
        out.write_str(trimmed)?;
        return out.write_char('Z');
    }
    let mut text = [0u8; MAX_FAST_LEN];
    let digits = |into: &mut [u8], mut value: u32| {
        for place in into.iter_mut().rev() {
            *place = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    // The year is within 0..=9999 and every other field within its calendar range.
    digits(&mut text[0..4], year.unsigned_abs());
    text[4] = b'-';
    digits(&mut text[5..7], t.month());
    text[7] = b'-';
    digits(&mut text[8..10], t.day());
    text[10] = b'T';
    digits(&mut text[11..13], t.hour());
    text[13] = b':';
    digits(&mut text[14..16], t.minute());
    text[16] = b':';
    digits(&mut text[17..19], t.second());
    let mut end = 19;
    if nanos > 0 {
        text[19] = b'.';
        digits(&mut text[20..29], nanos);
        end = 29;
        while text[end - 1] == b'0' {
            end -= 1;
        }
    }
    text[end] = b'Z';
    // Only ASCII digits and punctuation were written.
    out.write_str(std::str::from_utf8(&text[..=end]).map_err(|_| std::fmt::Error)?)
}

/// Reads an RFC 3339 date-time with any offset and any number of fraction digits.
pub(crate) fn parse(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    if let Some(t) = parse_canonical(s) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` with an optional fraction of one to nine digits, the form the
/// service and [`write`] spell, by hand: every build carries two, and the mock reads the
/// window of every query, where chrono's general parser cost more than the rest of the
/// query (most of all in a debug build). Anything else, a date that does not exist and a
/// leap second among them, is `None`, left to chrono.
fn parse_canonical(s: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDate, NaiveTime};
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b.last() == Some(&b'Z');
    if !shape {
        return None;
    }
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            // Nine digits at most: below 10⁹, and the scale is a power of ten up to 10⁸.
            number(b, 20, b.len() - 1)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(b, 0, 4)?).ok()?,
        number(b, 5, 7)?,
        number(b, 8, 10)?,
    )?;
    // Seconds past 59 (a leap second) are refused here: chrono reads those its own way.
    let time =
        NaiveTime::from_hms_nano_opt(number(b, 11, 13)?, number(b, 14, 16)?, number(b, 17, 19)?, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// The number the ASCII digits `b[from..to]` spell, if they are all digits; nine at most (below
/// 2³²). A plain loop over indices: in a debug build, where users' tests decode builds and
/// the mock reads every query's window, a fold made a call of each step and a slice iterator
/// one of each digit (callgrind: 2,400 instructions a timestamp with the fold).
fn number(b: &[u8], from: usize, to: usize) -> Option<u32> {
    let mut n = 0u32;
    let mut at = from;
    while at < to {
        let digit = b[at];
        if !digit.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(digit - b'0');
        at += 1;
    }
    Some(n)
}

pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    // Written straight into the serializer's output: no string between.
    serializer.collect_str(&Spelled(t))
}

/// A timestamp that displays as [`format`] writes it.
struct Spelled<'a>(&'a DateTime<Utc>);

impl std::fmt::Display for Spelled<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write(self.0, f)
    }
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
    fn the_hand_written_form_is_chronos_with_the_fraction_trimmed() {
        use chrono::TimeZone;
        let chrono_form = |t: &DateTime<Utc>| {
            let full = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
            let without_z = &full[..full.len() - 1];
            format!("{}Z", without_z.trim_end_matches('0').trim_end_matches('.'))
        };
        let mut rng = fastrand::Rng::with_seed(7);
        let edges = [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            // A leap second: chrono keeps it as 59 seconds and more than 10⁹ nanoseconds.
            parse("2016-12-31T23:59:60.5Z").unwrap(),
        ];
        let random = (0..20_000).map(|_| {
            let seconds = rng.i64(-62_167_219_200..253_402_300_800);
            let nanos = match rng.u8(..4) {
                0 => 0,
                1 => rng.u32(0..1000) * 1_000_000,
                2 => rng.u32(0..1_000_000) * 1000,
                _ => rng.u32(0..1_000_000_000),
            };
            DateTime::from_timestamp(seconds, nanos).unwrap()
        });
        for t in edges.into_iter().chain(random) {
            assert_eq!(format(&t), chrono_form(&t), "{t:?}");
        }
    }

    #[test]
    fn the_hand_reader_reads_what_chrono_reads() {
        let chrono_parse = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
        let mut rng = fastrand::Rng::with_seed(11);
        let mut texts: Vec<String> = [
            "2024-01-13T05:06:07Z",
            "2024-01-13T05:06:07.5Z",
            "2024-01-13T05:06:07.123456789Z",
            "2024-01-13T05:06:07.1234567891Z",
            "2024-01-13T05:06:07.Z",
            "2024-02-29T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:60:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00+00:00",
            "+2024-01-01T00:00:00Z",
            "2024-01-01T00:00:0aZ",
            "2024-01-01T00:00:00.-5Z",
            "２０２４-01-01T00:00:00Z",
        ]
        .map(String::from)
        .to_vec();
        // Right-shaped texts of random digits, valid or not, with fractions of 0 to 10 digits.
        for _ in 0..20_000 {
            let fraction_digits = rng.usize(..11);
            let mut digits = |n: usize| {
                (0..n)
                    .map(|_| char::from(b'0' + rng.u8(..10)))
                    .collect::<String>()
            };
            let fraction = match fraction_digits {
                0 => String::new(),
                n => format!(".{}", digits(n)),
            };
            let text = format!(
                "{}-{}-{}T{}:{}:{}{fraction}Z",
                digits(4),
                digits(2),
                digits(2),
                digits(2),
                digits(2),
                digits(2)
            );
            texts.push(text);
        }
        // Real times, as chrono spells them with 0, 3, 6 or 9 fraction digits, and as `write`
        // does.
        for _ in 0..20_000 {
            let t = DateTime::from_timestamp(rng.i64(0..253_402_300_800), rng.u32(0..1_000_000_000))
                .unwrap_or_default();
            let digits = [
                SecondsFormat::Secs,
                SecondsFormat::Millis,
                SecondsFormat::Micros,
                SecondsFormat::Nanos,
            ];
            texts.push(t.to_rfc3339_opts(digits[rng.usize(..4)], true));
            texts.push(format(&t));
        }
        for text in &texts {
            let chrono_reads = chrono_parse(text).ok();
            let hand_reads = parse_canonical(text);
            if let Some(hand) = hand_reads {
                assert_eq!(Some(hand), chrono_reads, "{text}");
            }
            assert_eq!(parse(text).ok(), chrono_reads, "{text}");
        }
        let read_by_hand = texts.iter().filter(|t| parse_canonical(t).is_some()).count();
        assert!(read_by_hand > 40_000, "the hand reader took {read_by_hand} texts");
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
