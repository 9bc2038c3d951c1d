//! Numbers written the way the official nixbuild.net GitHub Action writes them, so that a
//! summary made here reads the same as one made there (JavaScript's `toFixed` rounding,
//! its byte units, its duration format, quirks included).

/// JavaScript's `Number.prototype.toFixed(digits)` for a finite number: the decimal nearest
/// to the exact binary value, ties away from zero (Rust's `{:.N}` rounds ties to even).
pub(crate) fn to_fixed(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    // f64 values of the magnitudes here have short exact decimal expansions: 60 digits after
    // the point hold them, so the rounding below sees the true value.
    let exact = format!("{:.60}", value.abs());
    let (whole, fraction) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut digits_kept: Vec<u8> = whole
        .bytes()
        .chain(fraction.bytes().take(digits))
        .map(|b| b - b'0')
        .collect();
    let rest = &fraction.as_bytes()[digits.min(fraction.len())..];
    if rest.first().is_some_and(|d| *d >= b'5') {
        let mut i = digits_kept.len();
        loop {
            if i == 0 {
                digits_kept.insert(0, 1);
                break;
            }
            i -= 1;
            if digits_kept[i] == 9 {
                digits_kept[i] = 0;
            } else {
                digits_kept[i] += 1;
                break;
            }
        }
    }
    let text: String = digits_kept.iter().map(|d| char::from(b'0' + d)).collect();
    let (int_part, frac_part) = text.split_at(text.len() - digits);
    let sign = if value < 0.0 && text.bytes().any(|b| b != b'0') {
        "-"
    } else {
        ""
    };
    if digits == 0 {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// JavaScript's `Number.prototype.toPrecision(precision)` for a finite number and a
/// precision of 1 to 100: `precision` significant digits, the decimal nearest to the exact
/// binary value with ties away from zero, in exponent form (`1.02e+3`) when the exponent is
/// below -6 or at least `precision`.
pub(crate) fn to_precision(value: f64, precision: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let precision = precision.clamp(1, 100);
    if value == 0.0 {
        return to_fixed(0.0, precision - 1);
    }
    // Every f64 has an exact decimal expansion of at most 767 significant digits: with 800,
    // `{:e}` writes it whole, so the rounding below sees the true value.
    let exact = format!("{:.800e}", value.abs());
    let (mantissa, exponent) = exact.split_once('e').unwrap_or((&exact, "0"));
    let mut exponent: i32 = exponent.parse().unwrap_or(0);
    let all_digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let mut digits: Vec<u8> = all_digits.iter().copied().take(precision).collect();
    if all_digits.get(precision).is_some_and(|d| *d >= 5) && round_up(&mut digits) {
        // 9.99 became 10.0: one more digit before the point.
        digits.insert(0, 1);
        digits.truncate(precision);
        exponent += 1;
    }
    let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let sign = if value < 0.0 { "-" } else { "" };
    if exponent < -6 || exponent >= precision as i32 {
        let (first, rest) = text.split_at(1);
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}e{exponent_sign}{}", exponent.unsigned_abs());
    }
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{text}");
    }
    let (whole, fraction) = text.split_at(exponent as usize + 1);
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// Adds one to the last of `digits`, carrying; whether the carry ran off the front (all
/// nines), leaving all zeros.
fn round_up(digits: &mut [u8]) -> bool {
    for digit in digits.iter_mut().rev() {
        if *digit == 9 {
            *digit = 0;
        } else {
            *digit += 1;
            return false;
        }
    }
    true
}

/// What JavaScript prints for `parseFloat(text)`: the shortest decimal that reads back as
/// the same number (`1.50` is `1.5`, `1.02e+3` is `1020`).
fn js_number(text: &str) -> String {
    match text.parse::<f64>() {
        Ok(value) => value.to_string(),
        Err(_) => text.to_owned(),
    }
}

const UNITS: [&str; 9] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// A size in 1024-based units with three significant digits, as the Action's `formatBytes`
/// writes it: `245 MB`, `1.57 GB`, `1020 KB` (its quirk for 1020 to 1023 of a unit); zero
/// (or nothing) is `0 KB`.
pub(crate) fn format_bytes(bytes: f64) -> String {
    if bytes == 0.0 || bytes.is_nan() {
        return "0 KB".to_owned();
    }
    let unit = ((bytes.ln() / 1024f64.ln()).floor() as i32).clamp(0, UNITS.len() as i32 - 1);
    let scaled = bytes / 1024f64.powi(unit);
    format!("{} {}", js_number(&to_precision(scaled, 3)), UNITS[unit as usize])
}

/// A duration as the Action writes it: `23.7 s` (three significant digits) under a minute,
/// else `07:40` or `01:02:03`. Seconds under ten get a leading zero before rounding, so
/// 9.6 s past the minute reads `010`, exactly as there.
pub(crate) fn format_duration(seconds: f64) -> String {
    let hours = (seconds / 3600.0).floor();
    let minutes = ((seconds - hours * 3600.0) / 60.0).floor();
    let rest = seconds - hours * 3600.0 - minutes * 60.0;
    if hours <= 0.0 && minutes <= 0.0 {
        return format!("{} s", to_precision(rest, 3));
    }
    let pad = |n: f64, text: String| if n < 10.0 { format!("0{text}") } else { text };
    let seconds_text = pad(rest, to_fixed(rest, 0));
    let minutes_text = pad(minutes, format!("{minutes}"));
    if hours <= 0.0 {
        format!("{minutes_text}:{seconds_text}")
    } else {
        format!("{}:{minutes_text}:{seconds_text}", pad(hours, format!("{hours}")))
    }
}

/// CPU seconds as hours with three significant digits: `0.540`, `1.57`, `1.00e+3`.
pub(crate) fn format_cpu_hours(cpu_seconds: u64) -> String {
    to_precision(cpu_seconds as f64 / 3600.0, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_fixed_rounds_like_javascript() {
        for (value, digits, expected) in [
            (0.125, 2, "0.13"),
            (2.5, 0, "3"),
            (1.005, 2, "1.00"),
            (1.45, 1, "1.4"),
            (9.995, 2, "9.99"),
            (99.996, 2, "100.00"),
            (0.0, 2, "0.00"),
            (1234.5678, 0, "1235"),
            (-1.5, 0, "-2"),
        ] {
            assert_eq!(to_fixed(value, digits), expected, "{value} to {digits}");
        }
    }

    #[test]
    fn to_precision_writes_like_javascript() {
        // Each expected value is what node 20 prints for `(value).toPrecision(3)`.
        for (value, expected) in [
            (0.0, "0.00"),
            (1.0, "1.00"),
            (259.56, "260"),
            (734.99, "735"),
            (1.5703, "1.57"),
            (999.5, "1.00e+3"),
            (1023.0, "1.02e+3"),
            (0.000277777, "0.000278"),
            (0.0000001, "1.00e-7"),
            (1.005, "1.00"),
            (0.125, "0.125"),
            (1.0005, "1.00"),
            (-2.5, "-2.50"),
            (123456.0, "1.23e+5"),
        ] {
            assert_eq!(to_precision(value, 3), expected, "{value}");
        }
        assert_eq!(to_precision(9.96, 2), "10");
        assert_eq!(to_precision(0.5, 1), "0.5");
    }

    #[test]
    fn sizes_read_like_the_actions() {
        assert_eq!(format_bytes(0.0), "0 KB");
        assert_eq!(format_bytes(500.0), "500 Bytes");
        assert_eq!(format_bytes(1023.0), "1020 Bytes");
        assert_eq!(format_bytes(1024.0 * 1_648_064.0), "1.57 GB");
        assert_eq!(format_bytes(256_898_464.0), "245 MB");
        assert_eq!(format_bytes(1536.0), "1.5 KB");
        assert_eq!(format_bytes(1024.0 * 72_704.0), "71 MB");
    }

    #[test]
    fn durations_read_like_the_actions() {
        assert_eq!(format_duration(23.74416), "23.7 s");
        assert_eq!(format_duration(0.0), "0.00 s");
        assert_eq!(format_duration(5.2), "5.20 s");
        assert_eq!(format_duration(59.99), "60.0 s");
        assert_eq!(format_duration(459.689893), "07:40");
        assert_eq!(format_duration(7205.5), "02:00:06");
        assert_eq!(format_duration(69.6), "01:010");
        assert_eq!(format_duration(36_000.0), "10:00:00");
    }

    /// 6,000 inputs and what the Action's own code prints for them (`golden/numbers.tsv`).
    #[test]
    fn every_figure_of_the_actions_table_is_written_the_same() {
        let table = include_str!("../../tests/golden/numbers.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let [kind, input, expected] = line.split('\t').collect::<Vec<_>>()[..] else {
                panic!("a row of three columns: {line:?}")
            };
            let value: f64 = input.parse().unwrap();
            let ours = match kind {
                "bytes" => format_bytes(value),
                "duration" => format_duration(value),
                "cpu_hours" => format_cpu_hours(value as u64),
                other => panic!("unknown kind {other}"),
            };
            assert_eq!(ours, expected, "{kind} {input}");
            checked += 1;
        }
        assert!(checked > 6000, "{checked}");
    }

    proptest::proptest! {
        /// `to_precision` against Rust's own correctly rounded `{:e}`, which agrees with
        /// JavaScript everywhere but on exact ties (where JavaScript rounds away from zero).
        #[test]
        fn to_precision_agrees_with_an_independent_rounding(
            mantissa in 1.0f64..10.0,
            exponent in -12i32..12,
            precision in 1usize..8,
        ) {
            let value = mantissa * 10f64.powi(exponent);
            let exact = format!("{:.800e}", value);
            let digits: String = exact.split('e').next().unwrap().chars().filter(char::is_ascii_digit).collect();
            let tail = &digits[precision.min(digits.len())..];
            proptest::prop_assume!(!(tail.starts_with('5') && tail[1..].bytes().all(|b| b == b'0')));
            let rust = format!("{:.*e}", precision - 1, value);
            let (m, e) = rust.split_once('e').unwrap();
            let e: i32 = e.parse().unwrap();
            let ours = to_precision(value, precision);
            // Read both back as numbers: the same decimal, whichever notation each chose.
            let ours_value: f64 = ours.parse().unwrap();
            let expected: f64 = format!("{m}e{e}").parse().unwrap();
            proptest::prop_assert_eq!(ours_value, expected, "{} vs {}", ours, rust);
            let significant = ours.split('e').next().unwrap().chars().filter(char::is_ascii_digit)
                .skip_while(|c| *c == '0').count();
            proptest::prop_assert_eq!(significant.max(1), precision, "{}", ours);
            proptest::prop_assert_eq!(ours.contains('e'), e < -6 || e >= precision as i32, "{}", ours);
        }
    }
}
