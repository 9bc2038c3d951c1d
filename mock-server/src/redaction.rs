//! Redaction: the one policy for what the journal, the standalone mock's log and a recording
//! never hold, and the code that applies it.
//!
//! - By name: the value of a header or query parameter whose name looks secret
//!   ([`looks_secret`]: `token`, `key`, `auth`, `cookie`… in any case) is [`REDACTED`],
//!   keeping a header's scheme (`Bearer [redacted]`).
//! - By shape ([`redact_token_shapes`]), seen before or not: anything that reads as a Biscuit
//!   token, a JWT (`eyJ….….`) or the mock's admin token (`nbmock-admin-…`), wherever it sits:
//!   after `=`, `:`, `.`, `?`, `&` or a quote, percent-encoded in any case (`%3D`, `%3d`, even
//!   twice), and inside a JSON string written with `\u00XX` escapes (read decoded, see
//!   [`Scrubber::json`]).
//! - By value ([`Secrets`], the recorder's): every secret a request or an answer showed (its
//!   `Authorization`, cookies, secret-looking query values, the tokens an exchange answered),
//!   wherever it appears again.
//!
//! A JSON body is redacted string by string, decoded, and written again only when something
//! was redacted, so a redaction never makes it invalid JSON (a cookie value of
//! `,"system":"x86_64-linux"` is a string like any other); any other text is redacted as text.

use std::borrow::Cow;
use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};
use percent_encoding::percent_decode_str;

/// What every admin token starts with, so that one is told from an API token at a glance,
/// and found by redaction wherever it is written (the admin token is made in `auth::admin`).
pub const ADMIN_TOKEN_PREFIX: &str = "nbmock-admin-";

/// What a redacted value becomes (after its scheme, for `Authorization`).
pub const REDACTED: &str = "[redacted]";

/// What the name of a header or query parameter holding a secret contains (compared in
/// lower case): `Authorization`, `Proxy-Authorization`, `Cookie`, the OIDC ID token header,
/// `X-Api-Key`, `Authorization-Token`, `?access_token=`, `?session_id=`, `X-Auth-Password`…
/// A name is redacted when it merely looks secret: a journal that hides a harmless value
/// costs a test little, one that shows a token costs its owner the account.
const SECRET_NAME_PARTS: [&str; 9] = [
    "token",
    "key",
    "secret",
    "password",
    "passwd",
    "auth",
    "session",
    "cookie",
    "credential",
];

/// The API's query parameters and the headers every HTTP client sends, as they arrive (header
/// names in lower case): names known to hold no secret.
const PLAIN_NAMES: [&str; 13] = [
    "limit",
    "create_time_from",
    "create_time_to",
    "tags",
    "status",
    "derivation_path",
    "host",
    "accept",
    "user-agent",
    "accept-encoding",
    "content-type",
    "content-length",
    "connection",
];

/// Whether a header or query parameter named `name` (any case) may hold a secret.
pub(crate) fn looks_secret(name: &str) -> bool {
    // The one every API request carries a secret in, and the names nearly every request
    // carries, answered without nine substring searches (which a debug build pays for on
    // every header and parameter of every request). None of the plain names holds a secret
    // part, so the answer is the same (a test holds that).
    if name == "authorization" {
        return true;
    }
    if PLAIN_NAMES.contains(&name) {
        return false;
    }
    // Lowered only when it has capitals: this runs for every header and parameter of every
    // request the journal keeps.
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// A header's value as the journal keeps it: a secret header's scheme alone, followed by
/// [`REDACTED`]; any other header with what reads as a token redacted.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    if !looks_secret(name) {
        return redact_token_shapes(value).into_owned();
    }
    // The scheme: up to 16 letters, then a space. Counted in a plain loop, and the result
    // pushed rather than formatted: this runs for every request that carries a token, and a
    // debug build makes calls of an iterator's steps and of formatting's machinery.
    const MAX_SCHEME: usize = 16;
    let value = value.trim();
    let bytes = value.as_bytes();
    let mut letters = 0;
    while letters <= MAX_SCHEME && letters < bytes.len() && bytes[letters].is_ascii_alphabetic() {
        letters += 1;
    }
    if letters > MAX_SCHEME || bytes.get(letters) != Some(&b' ') {
        return REDACTED.to_owned();
    }
    let mut redacted = String::with_capacity(letters + 1 + REDACTED.len());
    redacted.push_str(&value[..letters]);
    redacted.push(' ');
    redacted.push_str(REDACTED);
    redacted
}

/// `query` with the value of each parameter whose name (percent-decoded) looks secret
/// replaced by [`REDACTED`], and each token in any other value (`tags=ci:<token>` becomes
/// `tags=ci:[redacted]`, so the query still asks what it asked; a value hiding one in its
/// percent-encoding becomes [`REDACTED`] whole); the rest exactly as sent.
pub(crate) fn redact_query(query: &str) -> Cow<'_, str> {
    // Percent-decoded (`+` a space); the text itself when there is nothing to decode.
    fn decoded(text: &str) -> Cow<'_, str> {
        // Byte searches: in a debug build the char-set `contains(['%', '+'])` is about forty
        // times slower, and this runs for every parameter of every request journaled.
        let bytes = text.as_bytes();
        if !bytes.contains(&b'%') && !bytes.contains(&b'+') {
            return Cow::Borrowed(text);
        }
        Cow::Owned(
            percent_decode_str(&text.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned(),
        )
    }
    let redacted_pair = |pair: &str| -> Option<String> {
        let (name, value) = pair.split_once('=').unwrap_or(("", pair));
        // The pair rewritten with `value` for its value (made only when it is rewritten).
        let named = |value: &str| match pair.split_once('=') {
            Some((name, _)) => format!("{name}={value}"),
            None => value.to_owned(),
        };
        if pair.contains('=') && looks_secret(&decoded(name)) {
            return Some(named(REDACTED));
        }
        // Neither the value nor its decoding can hold a token (most values: a time, a limit).
        if !may_hide_token(value) {
            return None;
        }
        if let Cow::Owned(value) = redact_token_shapes(value) {
            return Some(named(&value));
        }
        // A value that decodes to another text may hide a token in its encoding.
        match decoded(value) {
            Cow::Owned(plain) => {
                matches!(redact_token_shapes(&plain), Cow::Owned(_)).then(|| named(REDACTED))
            }
            Cow::Borrowed(_) => None,
        }
    };
    // Each pair looked at once, and the query copied only from the first pair rewritten:
    // this runs for every request the journal keeps.
    let mut rewritten: Option<String> = None;
    let mut at = 0;
    for pair in query.split('&') {
        let redacted = redacted_pair(pair);
        match (&mut rewritten, redacted) {
            (Some(out), redacted) => {
                out.push('&');
                out.push_str(redacted.as_deref().unwrap_or(pair));
            }
            (None, Some(redacted)) => {
                let mut out = String::with_capacity(query.len() + REDACTED.len());
                out.push_str(&query[..at]);
                out.push_str(&redacted);
                rewritten = Some(out);
            }
            (None, None) => {}
        }
        at += pair.len() + 1;
    }
    rewritten.map_or(Cow::Borrowed(query), Cow::Owned)
}

/// The shortest run of Base64url characters tried as a Biscuit token: the smallest token
/// this mock mints is several hundred characters long.
const MIN_BISCUIT_CHARS: usize = 64;
/// The shortest first and second parts of a JWT (`eyJhbGciOi…`).
const MIN_JWT_PART_CHARS: usize = 10;
/// How many times percent-encoding is undone looking for a token: `%253D` is `%3D` is `=`.
const PERCENT_DECODINGS: usize = 3;

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// `text` with each run that reads as a Biscuit token, a JWT or the mock's admin token
/// replaced by [`REDACTED`]; borrowed when there was none.
pub(crate) fn redact_token_shapes(text: &str) -> Cow<'_, str> {
    if !may_hide_token(text) {
        return Cow::Borrowed(text);
    }
    redact_every_shape(text)
}

/// [`redact_token_shapes`] without its quick check.
fn redact_every_shape(text: &str) -> Cow<'_, str> {
    let plain = redact_plain(text);
    if !plain.contains('%') {
        return plain;
    }
    // A token percent-encoded (`token%3D<biscuit>`, `%2D` inside it) is found decoded: each
    // run of token characters and escapes that hides one becomes REDACTED whole.
    let owned = redact_encoded(&plain);
    match (plain, owned) {
        (plain, None) => plain,
        (_, Some(owned)) => Cow::Owned(owned),
    }
}

/// Whether `text`, as it is or percent-decoded, could hold a token at all, found with byte
/// and substring searches alone (the scans below are this crate's code, slow in a debug
/// build): a Biscuit is one run of at least [`MIN_BISCUIT_CHARS`], and decoding never
/// lengthens a text; a JWT starts `eyJ`, and the admin token with its prefix. Decoding can
/// make those marks (`ey%4A`) but never unmake them (they hold no `%`), so the text decoded
/// as often as the search below decodes it shows every mark any decoding would. Most of a
/// request's values (a time, a limit, a host) are let through here.
fn may_hide_token(text: &str) -> bool {
    if text.len() >= MIN_BISCUIT_CHARS {
        return true;
    }
    let mut decoded = Cow::Borrowed(text);
    for _ in 0..PERCENT_DECODINGS {
        if !decoded.contains('%') {
            break;
        }
        decoded = Cow::Owned(percent_decode_str(&decoded).decode_utf8_lossy().into_owned());
    }
    holds(&decoded, "eyJ") || holds(&decoded, ADMIN_TOKEN_PREFIX)
}

/// Whether `text` holds `mark`, searched for only where a byte search finds its first
/// letter: in a debug build the substring search costs several times the byte search, and
/// most values (a time, a limit) lack the letter.
fn holds(text: &str, mark: &str) -> bool {
    mark.as_bytes()
        .first()
        .is_none_or(|first| text.as_bytes().contains(first))
        && text.contains(mark)
}

/// Runs of `[A-Za-z0-9-_=.%]` holding a `%` whose decoded text holds a token, replaced.
fn redact_encoded(text: &str) -> Option<String> {
    let in_run = |b: u8| is_base64url(b) || matches!(b, b'=' | b'.' | b'%');
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !in_run(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && in_run(bytes[i]) {
            i += 1;
        }
        let run = &text[start..i];
        if run.contains('%') && hides_token(run) {
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            copied = i;
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

fn hides_token(run: &str) -> bool {
    let mut decoded = run.to_owned();
    for _ in 0..PERCENT_DECODINGS {
        decoded = percent_decode_str(&decoded).decode_utf8_lossy().into_owned();
        if matches!(redact_plain(&decoded), Cow::Owned(_)) {
            return true;
        }
        if !decoded.contains('%') {
            return false;
        }
    }
    false
}

/// One run of Base64url characters in a text, by byte offsets.
#[derive(Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
}

/// A request or answer body as the journal keeps it: what reads as a token redacted (a JSON
/// body string by string, so that it stays JSON).
pub(crate) fn redact_body(body: &[u8]) -> Cow<'_, [u8]> {
    // Most requests (every GET) have none: no parse, no error made and dropped.
    if body.is_empty() {
        return Cow::Borrowed(body);
    }
    Scrubber::default().body(body)
}

/// `text` with tokens replaced, where a token is made of Base64url runs: a Biscuit is one run
/// (with its `=` padding after it), a JWT three runs joined by dots, the admin token one run
/// from its prefix on. Anything else separates runs.
fn redact_plain(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !may_hold_token(text) {
        return Cow::Borrowed(text);
    }
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // A percent escape (`%3A`) separates, as the character it stands for would.
        if bytes[i] == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
        {
            i += 3;
            continue;
        }
        if is_base64url(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_base64url(bytes[i]) {
                i += 1;
            }
            pieces.push(Piece { start, end: i });
        } else {
            i += 1;
        }
    }
    // Each token's byte range, in order.
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < pieces.len() {
        let piece = pieces[k];
        let word = &text[piece.start..piece.end];
        if let Some(end) = jwt_end(text, &pieces, k) {
            tokens.push((piece.start, end.0));
            k = end.1;
            continue;
        }
        if let Some(at) = admin_prefix_at(word) {
            tokens.push((piece.start + at, piece.end));
        } else if word.len() >= MIN_BISCUIT_CHARS && is_biscuit(word) {
            let padding = bytes[piece.end..]
                .iter()
                .take(2)
                .take_while(|&&b| b == b'=')
                .count();
            tokens.push((piece.start, piece.end + padding));
        }
        k += 1;
    }
    if tokens.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in tokens {
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether any run of Base64url characters in `text` could start a token: a Biscuit's length,
/// a JWT's `eyJ`, the admin token's prefix. Text with none (a time, a system, a store path)
/// is let through at once, with nothing allocated: most of a page's strings.
fn may_hold_token(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii() || !is_base64url(c as u8))
        .any(|run| {
            run.len() >= MIN_BISCUIT_CHARS
                || (run.starts_with("eyJ") && run.len() >= MIN_JWT_PART_CHARS)
                || admin_prefix_at(run).is_some()
        })
}

/// Where the admin token's prefix starts in `word`, if it does: found from each `n` (by
/// memchr), not with a substring searcher built anew for each of a page's strings.
fn admin_prefix_at(word: &str) -> Option<usize> {
    if word.len() < ADMIN_TOKEN_PREFIX.len() {
        return None;
    }
    let mut from = 0;
    while let Some(at) = word[from..].find('n') {
        let at = from + at;
        if word[at..].starts_with(ADMIN_TOKEN_PREFIX) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where a JWT starting at piece `k` ends (its byte offset, and the next piece's index):
/// `eyJ…` (a JSON object's Base64url) and a second run, each of ten characters or more,
/// joined by a dot, then a dot and the signature (which may be empty).
fn jwt_end(text: &str, pieces: &[Piece], k: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let header = pieces[k];
    let payload = *pieces.get(k + 1)?;
    let word = &text[header.start..header.end];
    if !word.starts_with("eyJ") || word.len() < MIN_JWT_PART_CHARS {
        return None;
    }
    if payload.start != header.end + 1 || bytes[header.end] != b'.' {
        return None;
    }
    if payload.end - payload.start < MIN_JWT_PART_CHARS || bytes.get(payload.end) != Some(&b'.') {
        return None;
    }
    match pieces.get(k + 2) {
        Some(signature) if signature.start == payload.end + 1 => Some((signature.end, k + 3)),
        _ => Some((payload.end + 1, k + 2)),
    }
}

fn is_biscuit(word: &str) -> bool {
    ["", "=", "=="]
        .iter()
        .any(|padding| biscuit_auth::UnverifiedBiscuit::from_base64(format!("{word}{padding}")).is_ok())
}

/// The shortest secret searched for by its text: shorter values (a session id of a few
/// characters) would match ordinary words, and are never written anyway (no header is).
pub(crate) const MIN_SECRET_CHARS: usize = 12;
/// The most secrets a recorder learns; past it, learning refuses and the recorder records
/// nothing more of a request whose secrets it could not learn (it forwards it all the same).
pub const MAX_LEARNED_SECRETS: usize = 4096;
/// The most values learned from one header (a cookie list's pairs): one header of 20,000
/// pairs once taught a recorder 20,000 secrets to search every answer for.
pub const MAX_SECRETS_PER_HEADER: usize = 64;

/// Learning a secret failed: [`MAX_LEARNED_SECRETS`] are known, or a header holds more than
/// [`MAX_SECRETS_PER_HEADER`] values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooManySecrets;

/// Secret values seen, each searched for and redacted wherever it appears again.
#[derive(Default, Clone)]
pub(crate) struct Secrets {
    known: BTreeSet<String>,
    /// The scrubber for the secrets known, built again after the set changed.
    scrubber: Option<Scrubber>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} known)", self.known.len())
    }
}

impl Secrets {
    /// No secret known yet.
    pub(crate) fn new() -> Secrets {
        Secrets::default()
    }

    /// Learns a secret value: the whole of it, and without its `=` padding (which a query
    /// string carries as `%3D`).
    pub(crate) fn learn(&mut self, value: &str) -> Result<(), TooManySecrets> {
        let value = value.trim();
        for form in [value, value.trim_end_matches('=')] {
            if form.chars().count() >= MIN_SECRET_CHARS && !self.known.contains(form) {
                if self.known.len() >= MAX_LEARNED_SECRETS {
                    return Err(TooManySecrets);
                }
                self.known.insert(form.to_owned());
                self.scrubber = None;
            }
        }
        Ok(())
    }

    /// Learns what a header may hide: when its name looks secret, its value, the part after
    /// a scheme (`Bearer …`), and each value of a cookie list.
    pub(crate) fn learn_header(&mut self, name: &str, value: &str) -> Result<(), TooManySecrets> {
        if !looks_secret(name) {
            return Ok(());
        }
        self.learn(value)?;
        if let Some((_, credential)) = value.trim().split_once(' ') {
            self.learn(credential)?;
        }
        let cookies: Vec<&str> = value
            .split(';')
            .filter_map(|pair| pair.split_once('=').map(|(_, value)| value))
            .collect();
        if cookies.len() > MAX_SECRETS_PER_HEADER {
            return Err(TooManySecrets);
        }
        cookies.into_iter().try_for_each(|cookie| self.learn(cookie))
    }

    /// Learns the values of a query string's secret-looking parameters.
    pub(crate) fn learn_query(&mut self, query: &str) -> Result<(), TooManySecrets> {
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if looks_secret(&name) {
                self.learn(&value)?;
            }
        }
        Ok(())
    }

    /// What redacts the secrets known now: cheap to clone, and used without the lock that
    /// guards the learning.
    pub(crate) fn scrubber(&mut self) -> Scrubber {
        if self.scrubber.is_none() {
            let matcher = (!self.known.is_empty())
                .then(|| {
                    AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostLongest)
                        .build(&self.known)
                        .ok()
                })
                .flatten();
            self.scrubber = Some(Scrubber { matcher });
        }
        self.scrubber.clone().unwrap_or_default()
    }
}

/// Redacts a set of known secrets (one automaton for all of them, leftmost-longest: a
/// secret holding another is redacted whole) and anything that reads as a token.
#[derive(Default, Clone)]
pub(crate) struct Scrubber {
    matcher: Option<AhoCorasick>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrubber")
    }
}

impl Scrubber {
    /// `text` with every known secret, and anything that reads as a token, replaced by
    /// [`REDACTED`]; borrowed when nothing was.
    pub(crate) fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let known = match &self.matcher {
            Some(matcher) if matcher.is_match(text) => {
                let mut out = String::with_capacity(text.len());
                matcher.replace_all_with(text, &mut out, |_, _, out| {
                    out.push_str(REDACTED);
                    true
                });
                Cow::Owned(out)
            }
            _ => Cow::Borrowed(text),
        };
        match known {
            Cow::Borrowed(text) => redact_token_shapes(text),
            Cow::Owned(text) => Cow::Owned(redact_token_shapes(&text).into_owned()),
        }
    }

    /// A body with every secret redacted: JSON (as [`json`](Scrubber::json) does it), or
    /// any other bytes as text.
    pub(crate) fn body<'b>(&self, body: &'b [u8]) -> Cow<'b, [u8]> {
        if let Ok(json) = std::str::from_utf8(body)
            && serde_json::from_str::<serde::de::IgnoredAny>(json).is_ok()
        {
            return match self.json(json) {
                Cow::Borrowed(_) => Cow::Borrowed(body),
                Cow::Owned(json) => Cow::Owned(json.into_bytes()),
            };
        }
        let text = String::from_utf8_lossy(body);
        match (&text, self.text(&text)) {
            (Cow::Borrowed(_), Cow::Borrowed(_)) => Cow::Borrowed(body),
            (_, scrubbed) => Cow::Owned(scrubbed.into_owned().into_bytes()),
        }
    }

    /// A JSON text with every secret redacted, string by string (object keys too), as
    /// [`map_json_strings`] does it.
    pub(crate) fn json<'j>(&self, json: &'j str) -> Cow<'j, str> {
        map_json_strings(json, |text| self.text(text))
    }
}

/// A JSON text with `map` applied to each of its strings (object keys too): each is read
/// decoded, so that text written with `\u00XX` escapes is seen as it reads, and a string
/// that changed is written again as JSON, so that the text stays valid JSON whatever the
/// replacement holds. Everything else is kept byte for byte, in one pass and without
/// building the document's tree (a 200 MiB answer would take a gigabyte as one).
pub(crate) fn map_json_strings<'j>(
    json: &'j str,
    map: impl for<'t> Fn(&'t str) -> Cow<'t, str>,
) -> Cow<'j, str> {
    let bytes = json.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    // Each string found by memchr for its quotes: most of a page's bytes are inside strings.
    while let Some(at) = json[i..].find('"') {
        let start = i + at;
        let mut escaped = false;
        i = start + 1;
        while let Some(at) = json.get(i..).and_then(|rest| rest.find(['"', '\\'])) {
            i += at;
            if bytes[i] == b'"' {
                break;
            }
            escaped = true;
            i += 2;
        }
        let end = (i + 1).min(bytes.len());
        i = end;
        // Only text that is not JSON could end a literal inside a character.
        let Some(literal) = json.get(start..end) else {
            break;
        };
        let replaced = if escaped {
            // Decoded, mapped, and written again only when the map changed it.
            serde_json::from_str::<String>(literal)
                .ok()
                .and_then(|decoded| match map(&decoded) {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(mapped) => serde_json::to_string(&mapped).ok(),
                })
        } else if literal.len() >= 2 {
            // No escape: the literal's inside is its text.
            match map(&literal[1..literal.len() - 1]) {
                Cow::Borrowed(_) => None,
                Cow::Owned(mapped) => serde_json::to_string(&mapped).ok(),
            }
        } else {
            None
        };
        if let Some(replaced) = replaced {
            out.push_str(&json[copied..start]);
            out.push_str(&replaced);
            copied = end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(json);
    }
    out.push_str(&json[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn the_plain_names_are_those_that_never_looked_secret() {
        for name in PLAIN_NAMES {
            let lower = name.to_ascii_lowercase();
            assert!(
                !SECRET_NAME_PARTS.iter().any(|part| lower.contains(part)),
                "`{name}` would look secret: the shortcut would change the answer"
            );
        }
        assert!(
            looks_secret("authorization") && looks_secret("Authorization") && looks_secret("access_token")
        );
        assert!(!looks_secret("limit") && !looks_secret("user-agent"));
    }

    /// A real Biscuit token, made with biscuit-auth alone (this module is below `auth`).
    pub(crate) fn token() -> String {
        let root = biscuit_auth::KeyPair::new();
        biscuit_auth::Biscuit::builder()
            .fact("right(\"build:read\")")
            .and_then(|builder| builder.build(&root))
            .and_then(|token| token.to_base64())
            .expect("a token")
    }

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2lnbmF0dXJl";

    #[test]
    fn the_quick_check_lets_through_only_text_without_a_token() {
        // Texts made of the pieces tokens and their encodings are made of: each must be
        // redacted the same with the quick check as without it.
        let pieces = [
            "eyJ",
            "ey",
            "J",
            "%4A",
            "%254A",
            "%25254A",
            "%",
            "%25",
            "nbmock-",
            "admin-",
            "nbmock-admin-",
            "nbmock%2Dadmin-",
            "abcdefghij",
            "0123456789",
            ".",
            "=",
            ":",
            " ",
            "%3A",
            "2024-01-13T05",
            "é",
            "-",
            "_",
            "ey%254Aabcdefghij",
            "ey%25254Aabcdefghij",
            "nbmock%252Dadmin-",
            "nbmock%25252Dadmin-",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        let mut redacted = 0;
        for _ in 0..20_000 {
            let text: String = (0..rng.usize(1..12))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            let expected = redact_every_shape(&text);
            redacted += usize::from(matches!(expected, Cow::Owned(_)));
            assert_eq!(redact_token_shapes(&text), expected, "{text:?}");
        }
        assert!(
            redacted > 100,
            "the texts hold tokens often enough to test: {redacted}"
        );
        assert!(matches!(redact_token_shapes(JWT), Cow::Owned(_)));
    }

    #[test]
    fn every_known_secret_is_redacted_wherever_it_is() {
        let mut secrets = Secrets::new();
        secrets
            .learn_header("Authorization", "Bearer abcdefghijklmnop123==")
            .unwrap();
        secrets
            .learn_header("Cookie", "session=cookievalue-0123456; theme=dark")
            .unwrap();
        secrets
            .learn_header("Accept", "application/json-but-long-enough")
            .unwrap();
        secrets
            .learn_query("access_token=querysecret-9876543&status=built")
            .unwrap();
        let text = "a abcdefghijklmnop123%3D%3D b cookievalue-0123456 c querysecret-9876543 \
                    d application/json-but-long-enough e dark";
        assert_eq!(
            secrets.scrubber().text(text),
            "a [redacted]%3D%3D b [redacted] c [redacted] d application/json-but-long-enough e dark"
        );
    }

    #[test]
    fn a_token_is_found_after_any_separator_and_through_percent_encoding() {
        let token = token();
        let encoded = |text: &str| text.replace('=', "%3D");
        for text in [
            format!("NIXBUILD_TOKEN={token} and more"),
            format!("GET /builds?token={token}&limit=5"),
            format!("x?t={}&y", encoded(&token)),
            format!("token%3d{}", token.trim_end_matches('=')),
            format!("id_token={JWT}."),
            format!("\"{JWT}\""),
            format!("a:{token}"),
            format!("token%253D{}", token.replace('-', "%2D")),
            format!("x={}", crate::ADMIN_TOKEN_PREFIX.to_owned() + "0123456789abcdef"),
        ] {
            let redacted = redact_token_shapes(&text);
            assert!(redacted.contains(REDACTED), "{text}");
            for secret in [token.trim_end_matches('='), JWT, "0123456789abcdef"] {
                assert!(!redacted.contains(secret), "{text} -> {redacted}");
            }
        }
        let ordinary = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-a-very-long-name-of-a-package-that-goes-on.drv \
                        tags=GITHUB_RUN_ID:42&limit=50 eyJ.short.x 100%25";
        assert!(matches!(redact_token_shapes(ordinary), Cow::Borrowed(_)));
    }

    #[test]
    fn a_short_value_hides_a_token_only_with_its_mark_even_encoded() {
        for hiding in [
            "eyJhbGciOi.eyJzdWIiOi",
            // The marks' first letters themselves percent-encoded, once and twice.
            "%65yJhbGciOi.%65yJzdWIiOi",
            "%2565yJhbGciOi",
            "nbmock%2Dadmin%2Dabc",
            "%6Ebmock-admin-abc",
        ] {
            assert!(may_hide_token(hiding), "{hiding}");
        }
        for plain in [
            "2024-01-15T10:11:12Z",
            "50",
            "acme/web",
            "eyj",
            "nbmock-admin",
            "é€ñ",
        ] {
            assert!(!may_hide_token(plain), "{plain}");
        }
    }

    #[test]
    fn a_query_loses_any_value_that_is_a_token_whatever_its_name() {
        let token = token();
        let query = format!(
            "t={token}&limit=5&x={}&tags=ci%3A{JWT}",
            token.replace('=', "%3D")
        );
        let redacted = redact_query(&query);
        assert_eq!(
            redacted,
            "t=[redacted]&limit=5&x=[redacted]%3D&tags=ci%3A[redacted]"
        );
        assert_eq!(redact_query("limit=5&tags=a:b"), "limit=5&tags=a:b");
        assert_eq!(
            redact_query("access_token=abc&limit=5&API%5FKEY=x&Session=y&password&secret+x=z"),
            "access_token=[redacted]&limit=5&API%5FKEY=[redacted]&Session=[redacted]&password&secret+x=[redacted]"
        );
    }

    #[test]
    fn a_json_body_is_redacted_decoded_and_stays_json() {
        let token = token();
        let escaped: String = token.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        let mut secrets = Secrets::new();
        secrets
            .learn_header("Cookie", "a=,\"system\":\"x86_64-linux\"")
            .unwrap();
        let body = format!(
            r#"{{"status_message":"{escaped}","system":"x86_64-linux","m":",\"system\":\"x86_64-linux\"","{JWT}":1}}"#
        );
        let scrubbed = secrets.scrubber().body(body.as_bytes());
        let value: Value = serde_json::from_slice(&scrubbed).expect("JSON still");
        assert_eq!(value["status_message"], REDACTED);
        assert_eq!(value["system"], "x86_64-linux");
        assert_eq!(value["m"], REDACTED);
        assert_eq!(value[REDACTED], 1);
        let untouched = br#"{"system":"x86_64-linux"}"#;
        assert!(matches!(secrets.scrubber().body(untouched), Cow::Borrowed(_)));
    }

    #[test]
    fn learning_is_bounded() {
        let mut secrets = Secrets::new();
        let many: Vec<String> = (0..100).map(|i| format!("c{i}=cookie-value-{i:08}")).collect();
        assert_eq!(
            secrets.learn_header("Set-Cookie", &many.join("; ")),
            Err(TooManySecrets)
        );
        for i in 0..MAX_LEARNED_SECRETS {
            let _ = secrets.learn(&format!("a-secret-number-{i:08}"));
        }
        assert_eq!(secrets.learn("one-more-secret-value"), Err(TooManySecrets));
        assert!(secrets.known.len() <= MAX_LEARNED_SECRETS);
    }

    #[test]
    fn secret_headers_keep_their_scheme_and_lose_their_value() {
        assert_eq!(
            redact_header("Authorization", "Bearer En0KEw"),
            "Bearer [redacted]"
        );
        assert_eq!(redact_header("authorization", "En0KEw"), "[redacted]");
        assert_eq!(redact_header("cookie", "a=b; c=d"), "[redacted]");
        assert_eq!(
            redact_header("nixbuildnet-oidc-id-token", "eyJ.eyJ.sig"),
            "[redacted]"
        );
        assert_eq!(redact_header("user-agent", "probe/1"), "probe/1");
        assert_eq!(redact_header("X-Api-Key", "k3y"), "[redacted]");
        assert_eq!(
            redact_header("Authorization-Token", "Token abc"),
            "Token [redacted]"
        );
        assert_eq!(redact_header("x-session-id", "s"), "[redacted]");
        assert_eq!(redact_header("X-PASSWORD", "p"), "[redacted]");
        assert_eq!(
            redact_header("x-forwarded-for", &format!("a {JWT}")),
            "a [redacted]"
        );
        // A scheme is 1 to 16 letters, then a space; anything else is redacted whole.
        for (value, journaled) in [
            ("  Bearer   En0KEw  ", "Bearer [redacted]"),
            ("SixteenLettersAb x", "SixteenLettersAb [redacted]"),
            ("SeventeenLettersA x", "[redacted]"),
            ("Bearer", "[redacted]"),
            ("Bearer\tEn0KEw", "[redacted]"),
            ("Be4rer x", "[redacted]"),
            ("Bearér x", "[redacted]"),
            (" x", "[redacted]"),
            ("", "[redacted]"),
        ] {
            assert_eq!(redact_header("authorization", value), journaled, "{value:?}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut secrets = Secrets::new();
        secrets.learn("a-secret-of-some-length").unwrap();
        assert!(!format!("{secrets:?}").contains("a-secret"));
    }
}
