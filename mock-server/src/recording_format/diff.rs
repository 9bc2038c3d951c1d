//! [`json_differences`]: where a recorded answer and the mock's differ, each place a
//! [`Finding`] a person reads (`build 10000458: status: recorded "cancelled", served
//! "built"`) and a program reads (a JSON pointer, a kind, both values).

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// The most findings listed for one answer; [`Findings::more`] says how many more.
pub(crate) const MAX_LISTED_DIFFERENCES: usize = 20;

/// What kind of difference a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// The answers' statuses differ.
    Status,
    /// A header the recording keeps differs.
    Header,
    /// A value differs (numbers compare by value: `1` and `1.0` are equal).
    Changed,
    /// A value is of another JSON type (a string recorded, a number served).
    Retyped,
    /// The recording has a field the mock does not serve.
    NotServed,
    /// The mock serves a field the recording does not have.
    NotRecorded,
    /// A build (matched by `build_id`) the recording lists and the mock does not.
    MissingBuild,
    /// A build the mock lists and the recording does not.
    ExtraBuild,
    /// The same builds, in another order.
    Order,
    /// An array (not of builds) of another length.
    Length,
    /// A body that is not JSON, or not on both sides.
    Body,
    /// The mock gave no answer at all.
    NoAnswer,
}

/// One place where the answers differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Where, as a JSON pointer into the recorded answer (RFC 6901; `""` for the whole
    /// answer; a build matched by id is pointed at where the recording has it, or where
    /// the mock does when only the mock has it). For a status or a header, `""`.
    pub pointer: String,
    /// The header, for a [`FindingKind::Header`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// The kind of difference.
    pub kind: FindingKind,
    /// The build it is in, when it is in a list of builds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_id: Option<u64>,
    /// The recorded value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Value>,
    /// The served value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served: Option<Value>,
    /// The finding as a person reads it (what `Display` writes).
    pub says: String,
}

impl Finding {
    /// A finding of `kind` at `pointer`, its sentence written from the other fields.
    pub(crate) fn new(
        pointer: String,
        kind: FindingKind,
        build_id: Option<u64>,
        recorded: Option<Value>,
        served: Option<Value>,
    ) -> Finding {
        let says = sentence(&pointer, kind, build_id, recorded.as_ref(), served.as_ref());
        Finding {
            pointer,
            header: None,
            kind,
            build_id,
            recorded,
            served,
            says,
        }
    }

    /// The answers' statuses differ.
    pub(crate) fn status(recorded: u16, served: u16) -> Finding {
        Finding::new(
            String::new(),
            FindingKind::Status,
            None,
            Some(recorded.into()),
            Some(served.into()),
        )
    }

    /// Header `name` differs (`None`: not sent).
    pub(crate) fn header(name: &str, recorded: Option<&str>, served: Option<&str>) -> Finding {
        let shown = |value: Option<&str>| value.map_or_else(|| "nothing".to_owned(), |v| format!("{v:?}"));
        Finding {
            pointer: String::new(),
            header: Some(name.to_owned()),
            kind: FindingKind::Header,
            build_id: None,
            recorded: recorded.map(Value::from),
            served: served.map(Value::from),
            says: format!(
                "header {name}: recorded {}, served {}",
                shown(recorded),
                shown(served)
            ),
        }
    }

    /// The mock gave no answer: `why`, the client's error.
    pub(crate) fn no_answer(why: &str) -> Finding {
        Finding {
            pointer: String::new(),
            header: None,
            kind: FindingKind::NoAnswer,
            build_id: None,
            recorded: None,
            served: None,
            says: format!("the mock did not answer: {why}"),
        }
    }

    /// A body that is not JSON on both sides, and differs.
    pub(crate) fn body(recorded_bytes: usize, served_bytes: usize) -> Finding {
        Finding {
            pointer: String::new(),
            header: None,
            kind: FindingKind::Body,
            build_id: None,
            recorded: Some(recorded_bytes.into()),
            served: Some(served_bytes.into()),
            says: format!(
                "body: recorded {recorded_bytes} bytes, served {served_bytes} bytes, not both JSON"
            ),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.says)
    }
}

/// The findings for one answer: the first [`MAX_LISTED_DIFFERENCES`], and how many more.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Findings {
    pub(crate) listed: Vec<Finding>,
    pub(crate) more: usize,
}

impl Findings {
    pub(crate) fn note(&mut self, finding: Finding) {
        if self.listed.len() < MAX_LISTED_DIFFERENCES {
            self.listed.push(finding);
        } else {
            self.more += 1;
        }
    }
}

/// Where `recorded` and `served` differ. Objects compare by key, whatever the order; an
/// array whose elements are builds (objects with a `build_id`) by build id: missing,
/// extra, and changed builds each named, then their order; other arrays by position.
pub(crate) fn json_differences(recorded: &Value, served: &Value) -> Findings {
    let mut found = Findings::default();
    walk(&mut Place::root(), recorded, served, &mut found);
    found
}

/// Where the walk is: the pointer so far, and the build it is inside, if any.
struct Place {
    pointer: String,
    build_id: Option<u64>,
}

impl Place {
    fn root() -> Place {
        Place {
            pointer: String::new(),
            build_id: None,
        }
    }

    /// Runs `inside` one step further in, at `token` (escaped as RFC 6901 says).
    fn within(&mut self, token: &str, build_id: Option<u64>, inside: impl FnOnce(&mut Place)) {
        let (length, outer) = (self.pointer.len(), self.build_id);
        self.pointer.push('/');
        self.pointer
            .push_str(&token.replace('~', "~0").replace('/', "~1"));
        self.build_id = build_id.or(outer);
        inside(self);
        self.pointer.truncate(length);
        self.build_id = outer;
    }

    fn finding(&self, kind: FindingKind, recorded: Option<&Value>, served: Option<&Value>) -> Finding {
        Finding::new(
            self.pointer.clone(),
            kind,
            self.build_id,
            recorded.cloned(),
            served.cloned(),
        )
    }
}

fn walk(place: &mut Place, recorded: &Value, served: &Value, found: &mut Findings) {
    match (recorded, served) {
        (Value::Number(a), Value::Number(b)) => {
            let same = a == b || matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y);
            if !same {
                found.note(place.finding(FindingKind::Changed, Some(recorded), Some(served)));
            }
        }
        (Value::Array(a), Value::Array(b)) => match (build_ids(a), build_ids(b)) {
            (Some(recorded_ids), Some(served_ids)) => {
                builds(place, (a, &recorded_ids), (b, &served_ids), found);
            }
            _ => {
                if a.len() != b.len() {
                    let lengths = (Value::from(a.len()), Value::from(b.len()));
                    found.note(place.finding(FindingKind::Length, Some(&lengths.0), Some(&lengths.1)));
                }
                for (index, (x, y)) in a.iter().zip(b).enumerate() {
                    place.within(&index.to_string(), None, |place| walk(place, x, y, found));
                }
            }
        },
        (Value::Object(a), Value::Object(b)) => {
            for (key, x) in a {
                match b.get(key) {
                    Some(y) => place.within(key, None, |place| walk(place, x, y, found)),
                    None => place.within(key, None, |place| {
                        found.note(place.finding(FindingKind::NotServed, Some(x), None));
                    }),
                }
            }
            for (key, y) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
                place.within(key, None, |place| {
                    found.note(place.finding(FindingKind::NotRecorded, None, Some(y)));
                });
            }
        }
        (a, b) if a == b => {}
        (a, b) if type_name(a) != type_name(b) && !a.is_null() && !b.is_null() => {
            found.note(place.finding(FindingKind::Retyped, Some(a), Some(b)));
        }
        (a, b) => found.note(place.finding(FindingKind::Changed, Some(a), Some(b))),
    }
}

/// The `build_id` of each element, when every element is an object that has one (an empty
/// array is a list of no builds).
fn build_ids(values: &[Value]) -> Option<Vec<u64>> {
    values.iter().map(|v| v.get("build_id")?.as_u64()).collect()
}

/// Two lists of builds, matched by id: each build only the recording lists, each only the
/// mock lists, each in both compared field by field, then the order of those in both.
fn builds(place: &mut Place, recorded: (&[Value], &[u64]), served: (&[Value], &[u64]), found: &mut Findings) {
    let served_at: HashMap<u64, usize> = served.1.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let recorded_at: HashMap<u64, usize> = recorded.1.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for (index, (build, id)) in recorded.0.iter().zip(recorded.1).enumerate() {
        place.within(&index.to_string(), Some(*id), |place| match served_at.get(id) {
            Some(&at) => walk(place, build, &served.0[at], found),
            None => found.note(place.finding(FindingKind::MissingBuild, Some(build), None)),
        });
    }
    for (index, (build, id)) in served.0.iter().zip(served.1).enumerate() {
        if !recorded_at.contains_key(id) {
            place.within(&index.to_string(), Some(*id), |place| {
                found.note(place.finding(FindingKind::ExtraBuild, None, Some(build)));
            });
        }
    }
    let in_both = |ids: &[u64], other: &HashMap<u64, usize>| -> Vec<u64> {
        ids.iter().copied().filter(|id| other.contains_key(id)).collect()
    };
    let (recorded_order, served_order) = (in_both(recorded.1, &served_at), in_both(served.1, &recorded_at));
    if recorded_order != served_order {
        found.note(place.finding(
            FindingKind::Order,
            Some(&Value::from(recorded_order)),
            Some(&Value::from(served_order)),
        ));
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A finding as a person reads it.
fn sentence(
    pointer: &str,
    kind: FindingKind,
    build_id: Option<u64>,
    recorded: Option<&Value>,
    served: Option<&Value>,
) -> String {
    let shown = |value: Option<&Value>| value.map_or_else(|| "nothing".to_owned(), short);
    let field = pointer
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace("~1", "/")
        .replace("~0", "~");
    let at = match build_id {
        // Inside a build: the field's path within it.
        Some(id) => {
            let within = pointer.splitn(3, '/').nth(2).unwrap_or("");
            match within {
                "" => format!("build {id}"),
                path => format!("build {id}: {}", path.replace('/', ".")),
            }
        }
        None if pointer.is_empty() => "the answer".to_owned(),
        None => pointer[1..].replace('/', "."),
    };
    match kind {
        FindingKind::Status => format!("status: recorded {}, served {}", shown(recorded), shown(served)),
        // Headers, bodies and no answer at all are written by their own constructors,
        // which know more than a pointer says; this is only their fallback.
        FindingKind::Changed | FindingKind::Header | FindingKind::Body | FindingKind::NoAnswer => {
            format!("{at}: recorded {}, served {}", shown(recorded), shown(served))
        }
        FindingKind::Retyped => format!(
            "{at}: recorded {} ({}), served {} ({})",
            type_name(recorded.unwrap_or(&Value::Null)),
            shown(recorded),
            type_name(served.unwrap_or(&Value::Null)),
            shown(served)
        ),
        FindingKind::NotServed => format!(
            "{at}: the service sends `{field}`, the mock does not (recorded {})",
            shown(recorded)
        ),
        FindingKind::NotRecorded => format!(
            "{at}: the mock sends `{field}`, the service did not (served {})",
            shown(served)
        ),
        FindingKind::MissingBuild => format!("{at}: recorded, not served"),
        FindingKind::ExtraBuild => format!("{at}: served, not recorded"),
        FindingKind::Order => format!(
            "{at}: builds in another order: recorded {}, served {}",
            shown(recorded),
            shown(served)
        ),
        FindingKind::Length => format!(
            "{at}: recorded {} elements, served {}",
            shown(recorded),
            shown(served)
        ),
    }
}

/// A value as a finding shows it: its JSON, at most 120 characters of it.
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

    fn said(recorded: &Value, served: &Value) -> Vec<String> {
        json_differences(recorded, served)
            .listed
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn builds_are_matched_by_id_and_each_difference_names_its_build_and_field() {
        let recorded = json!([
            {"build_id": 1, "status": "cancelled", "cpu": 1, "tags": {"a": "1"}},
            {"build_id": 2, "status": "built"},
            {"build_id": 3, "status": "built"},
        ]);
        let served = json!([
            {"build_id": 3, "status": "built"},
            {"build_id": 1, "status": "built", "cpu": 1.0, "tags": {"b": "1"}, "queue": 2},
            {"build_id": 4, "status": "built"},
        ]);
        assert_eq!(
            said(&recorded, &served),
            [
                "build 1: status: recorded \"cancelled\", served \"built\"",
                "build 1: tags.a: the service sends `a`, the mock does not (recorded \"1\")",
                "build 1: tags.b: the mock sends `b`, the service did not (served \"1\")",
                "build 1: queue: the mock sends `queue`, the service did not (served 2)",
                "build 2: recorded, not served",
                "build 4: served, not recorded",
                "the answer: builds in another order: recorded [1,3], served [3,1]",
            ]
        );
        let found = json_differences(&recorded, &served);
        assert_eq!(found.listed[0].pointer, "/0/status");
        assert_eq!(found.listed[0].build_id, Some(1));
        assert_eq!(found.listed[4].kind, FindingKind::MissingBuild);
        assert!(json_differences(&recorded, &recorded).listed.is_empty());
    }

    #[test]
    fn other_arrays_by_position_numbers_by_value_and_types_named() {
        let recorded = json!({"counts": [1, 2, 3], "n": 1, "s": "7", "a/b": null});
        let served = json!({"counts": [1, 5], "n": 1.0, "s": 7, "a/b": null});
        let found = json_differences(&recorded, &served);
        let said: Vec<String> = found.listed.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "counts: recorded 3 elements, served 2",
                "counts.1: recorded 2, served 5",
                "s: recorded a string (\"7\"), served a number (7)",
            ]
        );
        assert_eq!(found.listed[2].kind, FindingKind::Retyped);
    }

    #[test]
    fn a_long_list_of_differences_is_cut_and_counted() {
        let recorded = Value::Array((0..50).map(|i| json!(i)).collect());
        let served = Value::Array((0..50).map(|i| json!(i + 1)).collect());
        let found = json_differences(&recorded, &served);
        assert_eq!(found.listed.len(), MAX_LISTED_DIFFERENCES);
        assert_eq!(found.more, 30);
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let found = json_differences(&json!({"a/b~c": 1}), &json!({"a/b~c": 2}));
        assert_eq!(found.listed[0].pointer, "/a~1b~0c");
    }
}
