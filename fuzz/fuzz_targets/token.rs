//! Any bytes as a token, both as the text a user pastes and as the bytes inside the base64:
//! reading one never panics, what it shows is safe on a terminal, and a readable token can
//! be attenuated and read again with one more block. And any text as the Datalog of an
//! attenuation block of a genuine token, authorized by the mock: never a panic, and (run
//! with `-timeout`) never slow, whatever unions and closures it holds.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use libfuzzer_sys::fuzz_target;
use nixbuild::Token;

fn check(token: &Token) {
    let Ok(info) = token.inspect() else {
        return;
    };
    let shown = info.to_string();
    // Tabs stay (Biscuit's parser reads them back; terminals do not act on them).
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{shown:?}");
    let _ = (info.is_expired(), info.account_id());
    if let Ok(narrowed) = token.attenuate().only(["build:read"]).finish() {
        let again = narrowed.inspect().expect("an attenuated readable token is readable");
        assert_eq!(again.blocks.len(), info.blocks.len() + 1);
        assert_eq!(again.rights, info.rights, "a block grants nothing");
    }
}

fuzz_target!(|data: &[u8]| {
    check(&Token::new(String::from_utf8_lossy(data)));
    check(&Token::new(URL_SAFE.encode(data)));
    if let Ok(code) = std::str::from_utf8(data) {
        let _ = nixbuild_mock::fuzzing::authorize_attenuation(code);
    }
});
