//! Server-supplied text made safe to print: a terminal acts on control characters (ANSI
//! escapes, `\r` that rewrites a line, C1's CSI) and bidirectional overrides reorder what a
//! reader sees, so every string from the network that reaches `Display`, a log or the
//! terminal report passes through [`escape_controls`]. It is public for programs that print
//! what the API answered themselves (the `nixbuild` command does).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL, and the
/// Unicode marks that change the direction of text.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with each unsafe character written as `\u{…}` (so it stays visible, and one line
/// stays one line).
///
/// ```
/// assert_eq!(nixbuild::printable::escape_controls("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_are_escaped_and_the_rest_kept() {
        assert_eq!(escape_controls("plain é 🦀"), "plain é 🦀");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("\u{1b}[31mred\r\n\t\u{9b}2J\u{7f}\u{202e}"),
            "\\u{1b}[31mred\\u{d}\\u{a}\\u{9}\\u{9b}2J\\u{7f}\\u{202e}"
        );
    }
}
