//! [`Anonymiser`]: `record --anonymise` maps what identifies an account's work, the same
//! input always to the same output within a recording, so that a filter selects the same
//! builds after as before.
//!
//! | what | becomes |
//! |---|---|
//! | a store path's hash, anywhere in any string | 32 random Nix-base32 characters |
//! | a store path's name (a derivation's keeps `.drv`) | `name-1`, `name-2`… in order of appearance |
//! | a tag's value (`tags` of a build, `tags=NAME:VALUE` of a query) | `value-1`, `value-2`… |
//! | an output's `nar_hash` | a random `sha256-…` of the same shape |
//! | an account id (`account`/`account_id` fields, `account 123` in a message) | a random id |
//!
//! Numbers, statuses, systems, times, build ids and tag names stay as they were. The random
//! parts come from the OS's generator, so that a name's mapping cannot be recomputed from the
//! name (a hash of a public derivation would give the derivation away).

use std::borrow::Cow;
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Nix's Base32 alphabet.
const NIX_BASE32: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";
const STORE_DIR: &str = "/nix/store/";

/// The mappings of one recording.
pub(crate) struct Anonymiser {
    random: fastrand::Rng,
    hashes: HashMap<String, String>,
    names: HashMap<String, String>,
    tag_values: HashMap<String, String>,
    nar_hashes: HashMap<String, String>,
    accounts: HashMap<u64, u64>,
}

impl std::fmt::Debug for Anonymiser {
    /// Never the mappings: they undo the anonymisation.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Anonymiser({} names)", self.names.len())
    }
}

impl Default for Anonymiser {
    fn default() -> Self {
        Anonymiser::new()
    }
}

impl Anonymiser {
    /// Fresh mappings, seeded by the OS's generator.
    pub(crate) fn new() -> Anonymiser {
        let mut seed = [0u8; 8];
        // Without the OS's generator, fastrand's own seed: still unknown to whoever reads
        // the file.
        if getrandom::fill(&mut seed).is_err() {
            seed = fastrand::u64(..).to_le_bytes();
        }
        Anonymiser::seeded(u64::from_le_bytes(seed))
    }

    /// Mappings from a seed (tests).
    pub(crate) fn seeded(seed: u64) -> Anonymiser {
        Anonymiser {
            random: fastrand::Rng::with_seed(seed),
            hashes: HashMap::new(),
            names: HashMap::new(),
            tag_values: HashMap::new(),
            nar_hashes: HashMap::new(),
            accounts: HashMap::new(),
        }
    }

    /// Maps a JSON value in place: a build, an array of builds, a summary, an error.
    pub(crate) fn value(&mut self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    match (name.as_str(), field) {
                        ("tags", Value::Object(tags)) => {
                            for tag_value in tags.values_mut() {
                                if let Value::String(text) = tag_value {
                                    *text = self.tag_value(text);
                                }
                            }
                        }
                        ("nar_hash", Value::String(hash)) => *hash = self.nar_hash(hash),
                        ("account" | "account_id", Value::Number(number)) => {
                            if let Some(id) = number.as_u64() {
                                *number = self.account(id).into();
                            }
                        }
                        (_, other) => self.value(other),
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Maps a query string's values: `derivation_path` and any store path, each value of
    /// `tags`, an account id; the result is form-encoded.
    pub(crate) fn query(&mut self, query: &str) -> String {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(name, value)| {
                let value = match name.as_ref() {
                    "tags" => value
                        .split(',')
                        .map(|pair| match pair.split_once(':') {
                            Some((tag, tag_value)) => format!("{tag}:{}", self.tag_value(tag_value)),
                            None => pair.to_owned(),
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    "account" | "account_id" => match value.parse::<u64>() {
                        Ok(id) => self.account(id).to_string(),
                        Err(_) => value.into_owned(),
                    },
                    _ => self.text(&value),
                };
                (name.into_owned(), value)
            })
            .collect();
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    /// `text` with each store path in it mapped, and each `account 123` (or `account(123)`,
    /// `account=123`, `account:123`).
    pub(crate) fn text(&mut self, text: &str) -> String {
        let text = self.store_paths(text);
        self.account_mentions(&text)
    }

    fn store_paths(&mut self, text: &str) -> String {
        if !text.contains(STORE_DIR) {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(STORE_DIR) {
            let (before, from) = rest.split_at(at);
            out.push_str(before);
            let after_dir = &from[STORE_DIR.len()..];
            let hash_len = after_dir.bytes().take_while(|b| NIX_BASE32.contains(b)).count();
            if hash_len != 32 || !after_dir[32..].starts_with('-') {
                out.push_str(STORE_DIR);
                rest = after_dir;
                continue;
            }
            let name_len = after_dir[33..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || b"+-._?=".contains(b))
                .count();
            let hash = self.hash(&after_dir[..32]);
            let name = self.name(&after_dir[33..33 + name_len]);
            out.push_str(&format!("{STORE_DIR}{hash}-{name}"));
            rest = &after_dir[33 + name_len..];
        }
        out.push_str(rest);
        out
    }

    fn account_mentions(&mut self, text: &str) -> String {
        const WORD: &str = "account";
        // In any case (`Account 4242`), and as `account_id=4242`: ASCII lower case keeps
        // every byte where it was, so offsets found in it hold in the text.
        let lower = text.to_ascii_lowercase();
        if !lower.contains(WORD) {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut rest_lower = lower.as_str();
        while let Some(at) = rest_lower.find(WORD) {
            let mut end = at + WORD.len();
            if rest_lower[end..].starts_with("_id") {
                end += "_id".len();
            }
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            rest_lower = &rest_lower[end..];
            let separator = rest
                .chars()
                .next()
                .filter(|c| matches!(c, ' ' | '(' | '=' | ':'))
                .map_or(0, char::len_utf8);
            let digits = rest[separator..].bytes().take_while(u8::is_ascii_digit).count();
            if let (true, Ok(id)) = (digits > 0, rest[separator..separator + digits].parse::<u64>()) {
                out.push_str(&rest[..separator]);
                out.push_str(&self.account(id).to_string());
                rest = &rest[separator + digits..];
                rest_lower = &rest_lower[separator + digits..];
            }
        }
        out.push_str(rest);
        out
    }

    /// Every original learned so far with what it became, for the final pass over the
    /// recording ([`Originals`]): hashes, names, tag values, NAR hashes and account ids.
    pub(crate) fn originals(&self) -> Originals {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (original, mapped) in self
            .hashes
            .iter()
            .chain(&self.names)
            .chain(&self.tag_values)
            .chain(&self.nar_hashes)
        {
            pairs.push((original.clone(), mapped.clone()));
        }
        for (original, mapped) in &self.accounts {
            pairs.push((original.to_string(), mapped.to_string()));
        }
        Originals::new(pairs)
    }

    fn hash(&mut self, hash: &str) -> String {
        if let Some(mapped) = self.hashes.get(hash) {
            return mapped.clone();
        }
        // 160 random bits: two hashes of one recording never meet (a check against every
        // hash mapped so far made a recording of a million store paths quadratic).
        let mapped: String = (0..32)
            .map(|_| NIX_BASE32[self.random.usize(..32)] as char)
            .collect();
        self.hashes.insert(hash.to_owned(), mapped.clone());
        mapped
    }

    fn name(&mut self, name: &str) -> String {
        let (stem, drv) = match name.strip_suffix(".drv") {
            Some(stem) => (stem, ".drv"),
            None => (name, ""),
        };
        let next = self.names.len() + 1;
        let mapped = self
            .names
            .entry(stem.to_owned())
            .or_insert_with(|| format!("name-{next}"));
        format!("{mapped}{drv}")
    }

    fn tag_value(&mut self, value: &str) -> String {
        let next = self.tag_values.len() + 1;
        self.tag_values
            .entry(value.to_owned())
            .or_insert_with(|| format!("value-{next}"))
            .clone()
    }

    fn nar_hash(&mut self, hash: &str) -> String {
        if let Some(mapped) = self.nar_hashes.get(hash) {
            return mapped.clone();
        }
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        // 32 bytes of SHA-256: 43 characters, then one `=`.
        let digest: String = (0..43).map(|_| BASE64[self.random.usize(..64)] as char).collect();
        let mapped = format!("sha256-{digest}=");
        self.nar_hashes.insert(hash.to_owned(), mapped.clone());
        mapped
    }

    fn account(&mut self, id: u64) -> u64 {
        let random = &mut self.random;
        *self
            .accounts
            .entry(id)
            .or_insert_with(|| random.u64(1_000..1_000_000_000))
    }
}

/// The shortest original replaced wherever it appears: a shorter one (a tag value `1`, a
/// branch `main`) would replace parts of unrelated text, so it is mapped only where the
/// anonymiser recognises it (a build's tags, a `tags=` query). Account ids, digits only, are
/// replaced at any length, but only standing alone (no digit beside them).
const MIN_ORIGINAL_CHARS: usize = 6;

/// The final pass of `--anonymise`: every original the anonymiser learned, wherever it
/// appears in the recording, raw or percent-encoded (either case of hex), replaced by what it
/// became. It catches what the field-by-field mapping cannot recognise: a name quoted in an
/// error message, a store name without `/nix/store/`, a filter's value echoed back.
pub(crate) struct Originals {
    matcher: Option<AhoCorasick>,
    replacements: Vec<String>,
    /// Whether each pattern is an account id, replaced only where no digit touches it.
    digits: Vec<bool>,
}

impl Originals {
    fn new(pairs: Vec<(String, String)>) -> Originals {
        let mut patterns = Vec::new();
        let mut replacements = Vec::new();
        let mut digits = Vec::new();
        for (original, mapped) in pairs {
            let is_number = !original.is_empty() && original.bytes().all(|b| b.is_ascii_digit());
            if !is_number && original.chars().count() < MIN_ORIGINAL_CHARS {
                continue;
            }
            let encoded = utf8_percent_encode(&original, NON_ALPHANUMERIC).to_string();
            let encoded_mapped = utf8_percent_encode(&mapped, NON_ALPHANUMERIC).to_string();
            let form: String = url::form_urlencoded::byte_serialize(original.as_bytes()).collect();
            let form_mapped: String = url::form_urlencoded::byte_serialize(mapped.as_bytes()).collect();
            let forms = [
                (original.clone(), mapped.clone()),
                (encoded.clone(), encoded_mapped.clone()),
                (lower_hex(&encoded), encoded_mapped),
                (form, form_mapped),
            ];
            for (form, replacement) in forms {
                if !patterns.contains(&form) {
                    patterns.push(form);
                    replacements.push(replacement);
                    digits.push(is_number);
                }
            }
        }
        let matcher = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Originals {
            matcher,
            replacements,
            digits,
        }
    }

    /// `text` with every original replaced.
    pub(crate) fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(matcher) = &self.matcher else {
            return Cow::Borrowed(text);
        };
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        for found in matcher.find_iter(text) {
            let pattern = found.pattern().as_usize();
            if self.digits[pattern] {
                // Standing alone (`Account 4242`, `account_id=4242`), never part of a longer
                // number, a word or a time (`2024-05-01T10:42`).
                let touches = |b: u8| b.is_ascii_alphanumeric() || b"-:._".contains(&b);
                let before = found.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(found.end()).copied();
                if before.is_some_and(touches) || after.is_some_and(touches) {
                    continue;
                }
            }
            out.push_str(&text[copied..found.start()]);
            out.push_str(&self.replacements[pattern]);
            copied = found.end();
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }
}

/// `%2F` as `%2f`.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DRV: &str = "/nix/store/6a0s3wdzm6j7ns9x2hapq0ds8pk55xq4-hello-2.12.drv";

    #[test]
    fn the_same_input_gives_the_same_output_and_numbers_and_statuses_stay() {
        let mut anonymiser = Anonymiser::seeded(7);
        let mut build = json!({
            "build_id": 42, "status": "built", "cpu_seconds": 9, "system": "x86_64-linux",
            "derivation_path": DRV,
            "status_message": format!("builder for '{DRV}' failed"),
            "tags": {"GITHUB_REPOSITORY": "acme/secret-project"},
            "outputs": [{"name": "out", "path": "/nix/store/6a0s3wdzm6j7ns9x2hapq0ds8pk55xq4-x",
                         "nar_hash": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "nar_size_bytes": 5}],
            "account_id": 1234,
        });
        anonymiser.value(&mut build);
        let drv = build["derivation_path"].as_str().unwrap().to_owned();
        assert_ne!(drv, DRV);
        assert!(
            drv.starts_with(STORE_DIR) && drv.ends_with("-name-1.drv"),
            "{drv}"
        );
        assert_eq!(drv.len(), DRV.len() - "hello-2.12".len() + "name-1".len());
        assert_eq!(build["status_message"], format!("builder for '{drv}' failed"));
        assert_eq!(build["tags"]["GITHUB_REPOSITORY"], "value-1");
        let out = build["outputs"][0]["path"].as_str().unwrap();
        assert_eq!(&out[..43], &drv[..43], "one hash, one mapping");
        let nar = build["outputs"][0]["nar_hash"].as_str().unwrap();
        assert!(
            nar.starts_with("sha256-")
                && nar.len() == 51
                && nar != "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_ne!(build["account_id"], 1234);
        for (field, kept) in [
            ("build_id", json!(42)),
            ("status", json!("built")),
            ("cpu_seconds", json!(9)),
        ] {
            assert_eq!(build[field], kept);
        }
        let query = anonymiser.query(&format!(
            "derivation_path={DRV}&tags=GITHUB_REPOSITORY:acme/secret-project&limit=5"
        ));
        let parsed: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            parsed,
            [
                ("derivation_path".to_owned(), drv.clone()),
                ("tags".to_owned(), "GITHUB_REPOSITORY:value-1".to_owned()),
                ("limit".to_owned(), "5".to_owned()),
            ]
        );
        assert_eq!(
            anonymiser.text("token is for account 1234, not account(1234)"),
            format!("token is for account {0}, not account({0})", build["account_id"])
        );
    }

    #[test]
    fn what_is_not_a_store_path_is_left_alone() {
        let mut anonymiser = Anonymiser::seeded(1);
        for text in [
            "/nix/store/",
            "/nix/store/short-x",
            "/nix/store/ABCDEFGHIJKLMNOPQRSTUVWXYZ012345-x",
            "/nix/store/0123456789abcdfghijklmnpqrsvwxyz",
            "accountant 7",
            "account",
            "account(",
            "account 99999999999999999999999",
            "ünïcode /nix/store/ü",
            "/nix/store//nix/store/",
        ] {
            assert_eq!(anonymiser.text(text), text);
        }
        // A store path with an empty name, at the very end of the text, is still a path.
        let bare = anonymiser.text("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-");
        assert!(bare.starts_with(STORE_DIR) && bare.ends_with("-name-1"), "{bare}");
    }
}
