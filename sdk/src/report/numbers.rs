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

/// `parseFloat(x.toFixed(digits))` printed back: `to_fixed` without trailing zeros.
fn to_fixed_trimmed(value: f64, digits: usize) -> String {
    let fixed = to_fixed(value, digits);
    if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        fixed
    }
}

const UNITS: [&str; 9] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// A size in 1024-based units with at most `decimals` decimals: `245 MB`, `1.57 GB`; zero
/// (or nothing) is `0 KB`, as the Action writes it.
pub fn format_bytes(bytes: f64, decimals: usize) -> String {
    if bytes == 0.0 || bytes.is_nan() {
        return "0 KB".to_owned();
    }
    let unit = ((bytes.ln() / 1024f64.ln()).floor() as i32).clamp(0, UNITS.len() as i32 - 1);
    let scaled = bytes / 1024f64.powi(unit);
    format!("{} {}", to_fixed_trimmed(scaled, decimals), UNITS[unit as usize])
}

/// A duration as the Action writes it: `23.74 s` under a minute, else `07:40` or
/// `01:02:03`. Seconds under ten get a leading zero before rounding, so 9.6 s past the
/// minute reads `010`, exactly as there.
pub fn format_duration(seconds: f64) -> String {
    let hours = (seconds / 3600.0).floor();
    let minutes = ((seconds - hours * 3600.0) / 60.0).floor();
    let rest = seconds - hours * 3600.0 - minutes * 60.0;
    if hours <= 0.0 && minutes <= 0.0 {
        return format!("{} s", to_fixed(rest, 2));
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

/// CPU seconds as hours with two decimals: `0.54`.
pub fn format_cpu_hours(cpu_seconds: u64) -> String {
    to_fixed(cpu_seconds as f64 / 3600.0, 2)
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
    fn sizes_read_like_the_actions() {
        assert_eq!(format_bytes(0.0, 0), "0 KB");
        assert_eq!(format_bytes(500.0, 0), "500 Bytes");
        assert_eq!(format_bytes(1024.0 * 1_648_064.0, 0), "2 GB");
        assert_eq!(format_bytes(256_898_464.0, 0), "245 MB");
        assert_eq!(format_bytes(1024.0 * 250_878.0, 2), "245 MB");
        assert_eq!(format_bytes(1536.0, 2), "1.5 KB");
    }

    #[test]
    fn durations_read_like_the_actions() {
        assert_eq!(format_duration(23.74416), "23.74 s");
        assert_eq!(format_duration(0.0), "0.00 s");
        assert_eq!(format_duration(459.689893), "07:40");
        assert_eq!(format_duration(7205.5), "02:00:06");
        assert_eq!(format_duration(69.6), "01:010");
        assert_eq!(format_duration(36_000.0), "10:00:00");
    }
}
