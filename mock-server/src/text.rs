//! Text from outside: a header's value read as text, and text from a request (a path, a
//! parameter's name) put into a message.

/// Text from a request, quoted and escaped for a message (a path may hold anything), and
/// cut to 200 characters.
pub(crate) fn escaped(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    format!("{short:?}")
}

/// A header's value as text: `None` unless it is UTF-8.
///
/// `HeaderValue::to_str` takes visible ASCII alone, and checked it byte by byte in code that a
/// debug build, where a test suite runs the mock, leaves unoptimised: forty instructions a
/// byte, ten thousand for a token, on every request carrying one. std's UTF-8 check is
/// compiled code (about a hundred for a token). It also reads a value with letters past
/// ASCII, which no token holds: such a token is refused as invalid rather than as missing.
pub(crate) fn header_text(value: &wiremock::http::HeaderValue) -> Option<&str> {
    std::str::from_utf8(value.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use wiremock::http::HeaderValue;

    use super::*;

    #[test]
    fn a_header_is_text_when_it_is_utf8_and_as_to_str_reads_ascii() {
        let mut values: Vec<Vec<u8>> = vec![
            b"Bearer abc".to_vec(),
            b"".to_vec(),
            b"\ttab\t and ~".to_vec(),
            "caf\u{e9}".as_bytes().to_vec(),
            vec![b'a', 0x80, b'b'],
            vec![0xff],
        ];
        values.extend((0u8..=255).map(|b| vec![b'x', b]));
        for bytes in values {
            let Ok(value) = HeaderValue::from_bytes(&bytes) else {
                continue; // control characters: no header value holds them
            };
            let text = header_text(&value);
            assert_eq!(text, std::str::from_utf8(&bytes).ok(), "{bytes:?}");
            if bytes.is_ascii() {
                assert_eq!(text, value.to_str().ok(), "{bytes:?}");
            }
        }
        let value = HeaderValue::from_bytes("Bearer caf\u{e9}".as_bytes()).unwrap();
        assert_eq!(header_text(&value), Some("Bearer caf\u{e9}"));
    }
}
