//! [`json_differences`]: where two JSON values differ, one line per place.

use serde_json::Value;

/// The most differences listed for one pair of values; the count says how many more.
pub(crate) const MAX_LISTED_DIFFERENCES: usize = 20;

/// Where `recorded` and `served` differ, as `$[3].status: recorded "built", served
/// "build_failed"`, at most [`MAX_LISTED_DIFFERENCES`] lines (and one saying how many
/// more). Numbers are equal when their values are (`1` and `1.0`); objects compare by
/// key, whatever the order.
pub(crate) fn json_differences(recorded: &Value, served: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut total = 0;
    walk("$", recorded, served, &mut found, &mut total);
    if total > found.len() {
        found.push(format!("… and {} more", total - found.len()));
    }
    found
}

fn walk(at: &str, recorded: &Value, served: &Value, found: &mut Vec<String>, total: &mut usize) {
    match (recorded, served) {
        (Value::Number(a), Value::Number(b)) => {
            let same = a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y);
            if !same {
                note(found, total, format!("{at}: recorded {a}, served {b}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                note(
                    found,
                    total,
                    format!("{at}: recorded {} elements, served {}", a.len(), b.len()),
                );
            }
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                walk(&format!("{at}[{index}]"), x, y, found, total);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (key, x) in a {
                match b.get(key) {
                    Some(y) => walk(&format!("{at}.{key}"), x, y, found, total),
                    None => note(
                        found,
                        total,
                        format!("{at}.{key}: recorded {}, served nothing", short(x)),
                    ),
                }
            }
            for (key, y) in b {
                if !a.contains_key(key) {
                    note(
                        found,
                        total,
                        format!("{at}.{key}: recorded nothing, served {}", short(y)),
                    );
                }
            }
        }
        (a, b) if a == b => {}
        (a, b) => note(
            found,
            total,
            format!("{at}: recorded {}, served {}", short(a), short(b)),
        ),
    }
}

fn note(found: &mut Vec<String>, total: &mut usize, line: String) {
    *total += 1;
    if found.len() < MAX_LISTED_DIFFERENCES {
        found.push(line);
    }
}

/// A value as a difference shows it: its JSON, at most 120 characters of it.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_difference_is_named_by_its_place_and_equal_numbers_are_equal() {
        let recorded = json!([{"status": "built", "cpu": 1, "tags": {"a": "1"}}, {"x": 1}]);
        let served = json!([{"status": "failed", "cpu": 1.0, "tags": {"b": "1"}}]);
        assert_eq!(
            json_differences(&recorded, &served),
            [
                "$: recorded 2 elements, served 1",
                "$[0].status: recorded \"built\", served \"failed\"",
                "$[0].tags.a: recorded \"1\", served nothing",
                "$[0].tags.b: recorded nothing, served \"1\"",
            ]
        );
        assert!(json_differences(&recorded, &recorded).is_empty());
    }

    #[test]
    fn a_long_list_of_differences_is_cut_and_counted() {
        let recorded = Value::Array((0..50).map(|i| json!(i)).collect());
        let served = Value::Array((0..50).map(|i| json!(i + 1)).collect());
        let found = json_differences(&recorded, &served);
        assert_eq!(found.len(), MAX_LISTED_DIFFERENCES + 1);
        assert_eq!(found.last().unwrap(), "… and 30 more");
    }
}
