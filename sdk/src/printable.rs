//! Server-supplied text made safe to print: a terminal acts on control characters (ANSI
//! escapes, `\r` that rewrites a line, C1's CSI), a line or paragraph separator starts a new
//! line in many terminals and editors, bidirectional overrides reorder what a reader sees,
//! and zero-width and other format characters hide text or join it. So every string from
//! the network that reaches `Display`, a log or the terminal report passes through
//! [`escape_controls`], and JSON written for people's pipes through [`to_json_string`].
//! Both are public for programs that print what the API answered themselves (the `nixbuild`
//! command does).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

/// Unicode's format characters (general category Cf, Unicode 16): invisible, yet they join,
/// split, hide or reorder the text around them. Sorted, inclusive ranges.
const FORMAT_CHARACTERS: [(char, char); 21] = [
    ('\u{00AD}', '\u{00AD}'),   // soft hyphen
    ('\u{0600}', '\u{0605}'),   // Arabic number signs
    ('\u{061C}', '\u{061C}'),   // Arabic letter mark
    ('\u{06DD}', '\u{06DD}'),   // Arabic end of ayah
    ('\u{070F}', '\u{070F}'),   // Syriac abbreviation mark
    ('\u{0890}', '\u{0891}'),   // Arabic pound and piastre marks above
    ('\u{08E2}', '\u{08E2}'),   // Arabic disputed end of ayah
    ('\u{180E}', '\u{180E}'),   // Mongolian vowel separator
    ('\u{200B}', '\u{200F}'),   // zero-width space, (non-)joiners, direction marks
    ('\u{202A}', '\u{202E}'),   // bidirectional embeddings and overrides
    ('\u{2060}', '\u{2064}'),   // word joiner, invisible operators
    ('\u{2066}', '\u{206F}'),   // bidirectional isolates, deprecated format characters
    ('\u{FEFF}', '\u{FEFF}'),   // zero-width no-break space (byte order mark)
    ('\u{FFF9}', '\u{FFFB}'),   // interlinear annotations
    ('\u{110BD}', '\u{110BD}'), // Kaithi number sign
    ('\u{110CD}', '\u{110CD}'), // Kaithi number sign above
    ('\u{13430}', '\u{1343F}'), // Egyptian hieroglyph format controls
    ('\u{1BCA0}', '\u{1BCA3}'), // shorthand format controls
    ('\u{1D173}', '\u{1D17A}'), // musical symbol format controls
    ('\u{E0001}', '\u{E0001}'), // language tag
    ('\u{E0020}', '\u{E007F}'), // tag characters
];

/// Whether `c` must not reach a reader as it is: C0 and C1 controls, DEL, the line and
/// paragraph separators (U+2028, U+2029), and every format character (category Cf: soft
/// hyphen, zero-width characters, direction marks and overrides, tags).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || (c >= '\u{00AD}'
            && FORMAT_CHARACTERS
                .binary_search_by(|&(first, last)| {
                    if last < c {
                        std::cmp::Ordering::Less
                    } else if first > c {
                        std::cmp::Ordering::Greater
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .is_ok())
}

/// `text` with each [unsafe](is_unsafe) character written as `\u{…}` (so it stays visible,
/// and one line stays one line).
///
/// ```
/// use nixbuild::printable::escape_controls;
/// assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
/// assert_eq!(escape_controls("x86_64-linux\u{2028}FAKE"), "x86_64-linux\\u{2028}FAKE");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `url` as it may be shown: without its user name and password (`https://user:pw@host/`
/// becomes `https://host/`), whether or not the rest parses as a URL. Errors, logs and
/// `Debug` output show URLs through this, so a password in `NIXBUILD_API_URL` is never
/// printed.
///
/// ```
/// use nixbuild::printable::url_without_userinfo;
/// assert_eq!(url_without_userinfo("https://ci-bot:s3cr3t@api.example/v1"), "https://api.example/v1");
/// assert_eq!(url_without_userinfo("not a url:pw@x y"), "not a url:pw@x y");
/// assert_eq!(url_without_userinfo("http://u:p@h:port oops"), "http://h:port oops");
/// ```
pub fn url_without_userinfo(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return Cow::Borrowed(url);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}{}", &url[..scheme_end], &rest[at + 1..])),
        None => Cow::Borrowed(url),
    }
}

/// `value` as one line of JSON in which every [unsafe](is_unsafe) character of a string is
/// written `\uXXXX` (a surrogate pair beyond the Basic Multilingual Plane). serde_json
/// escapes only C0 controls; this also escapes DEL, C1, separators and format characters,
/// so JSON printed to a terminal or a log cannot drive it. Any JSON reader reads the same
/// value back.
///
/// ```
/// let line = nixbuild::printable::to_json_string(&"a\u{9b}2J\u{202e}b").unwrap();
/// assert_eq!(line, r#""a\u009b2J\u202eb""#);
/// assert_eq!(serde_json::from_str::<String>(&line).unwrap(), "a\u{9b}2J\u{202e}b");
/// ```
pub fn to_json_string(value: &impl serde::Serialize) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    to_json_writer(&mut out, value)?;
    // The formatter writes only what serde_json gives it and ASCII escapes: valid UTF-8.
    Ok(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`to_json_string`] into a writer, for output too large to hold as one string.
pub fn to_json_writer(writer: impl io::Write, value: &impl serde::Serialize) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, EscapingFormatter);
    value.serialize(&mut serializer)
}

/// serde_json's compact formatter, but string fragments escape every unsafe character.
struct EscapingFormatter;

impl serde_json::ser::Formatter for EscapingFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_are_escaped_and_the_rest_kept() {
        assert_eq!(escape_controls("plain é 🦀 ‐ ‑"), "plain é 🦀 ‐ ‑");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("\u{1b}[31mred\r\n\t\u{9b}2J\u{7f}\u{202e}"),
            "\\u{1b}[31mred\\u{d}\\u{a}\\u{9}\\u{9b}2J\\u{7f}\\u{202e}"
        );
    }

    #[test]
    fn separators_zero_width_and_every_format_character_are_escaped() {
        for c in [
            '\u{2028}',
            '\u{2029}',
            '\u{200B}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{061C}',
            '\u{E0041}',
            '\u{1D173}',
            '\u{0600}',
            '\u{206F}',
            '\u{85}',
        ] {
            assert!(is_unsafe(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            'a', ' ', '\u{A0}', '\u{AC}', '\u{AE}', '\u{2027}', '\u{202F}', '\u{2065}', 'é', '🦀',
        ] {
            assert!(!is_unsafe(c), "U+{:04X}", u32::from(c));
        }
        assert_eq!(
            escape_controls("x86_64-linux\u{2028}FAKE: all builds passed"),
            "x86_64-linux\\u{2028}FAKE: all builds passed"
        );
    }

    #[test]
    fn every_format_range_is_sorted_and_checked_by_the_search() {
        assert!(FORMAT_CHARACTERS.windows(2).all(|w| w[0].1 < w[1].0));
        for (first, last) in FORMAT_CHARACTERS {
            assert!(first <= last);
            assert!(is_unsafe(first) && is_unsafe(last));
        }
    }

    #[test]
    fn urls_lose_their_userinfo_and_nothing_else() {
        for (url, shown) in [
            (
                "https://ci-bot:s3cr3t-pass@api.nixbuild.net/v1?x#y",
                "https://api.nixbuild.net/v1?x#y",
            ),
            ("https://token@h", "https://h"),
            ("https://a@b:pw@h/p@q", "https://h/p@q"),
            ("http://h/p@q", "http://h/p@q"),
            ("ftp://u:p@h", "ftp://h"),
            ("u:p@h", "u:p@h"),
            ("", ""),
        ] {
            assert_eq!(url_without_userinfo(url), shown, "{url}");
        }
    }

    #[test]
    fn json_escapes_what_a_terminal_would_obey_and_reads_back_the_same() {
        let hostile = "a\u{1b}[2J\u{7f}\u{9b}\u{2028}\u{200b}\u{202e}\u{E0041}é🦀\"\\";
        let line = to_json_string(&serde_json::json!({ "system": hostile })).unwrap();
        assert_eq!(
            line,
            r#"{"system":"a\u001b[2J\u007f\u009b\u2028\u200b\u202e\udb40\udc41é🦀\"\\"}"#
        );
        assert!(!line.chars().any(is_unsafe));
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["system"], hostile);
    }
}
