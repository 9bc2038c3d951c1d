//! Every control route has a way in from each language the mock ships for: the method its
//! row in `CONTROL_ROUTES` names exists on the Rust `MockNixbuild` (its public API, as
//! `public-api.txt` lists it), on the Python `NixbuildMock` and on the JavaScript
//! `NixbuildMock` (its code and its types), or the row says why there is none. A new route
//! without its helpers fails here, naming each place left.

use std::path::Path;

use nixbuild_mock::control::{CONTROL_ROUTES, Helper};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How a language writes the declaration of a method named so, as a line starts.
type Shape = fn(&str) -> String;

/// One language's place to look: its name, the route's helper in it, its sources, and the
/// shapes a declaration takes there.
type Place<'a> = (&'a str, Helper, Vec<&'a str>, Vec<Shape>);

/// Whether `text` holds a line that, trimmed, starts with one of `shapes` for `name`.
fn declares(text: &str, shapes: &[Shape], name: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .any(|line| shapes.iter().any(|shape| line.starts_with(&shape(name))))
}

#[test]
fn every_control_route_has_a_helper_in_rust_python_and_javascript_or_says_why_not() {
    let rust = read("public-api.txt");
    let python = read("python/nixbuild_mock/_mock.py");
    let javascript = read("../npm/nixbuild-mock/index.js");
    let types = read("../npm/nixbuild-mock/index.d.ts");
    let mut missing = Vec::new();
    for route in CONTROL_ROUTES {
        let places: [Place; 3] = [
            (
                "Rust MockNixbuild",
                route.rust,
                vec![&rust],
                vec![|n| format!("pub fn nixbuild_mock::MockNixbuild::{n}("), |n| {
                    format!("pub fn nixbuild_mock::MockNixbuild::{n}<")
                }],
            ),
            (
                "Python NixbuildMock",
                route.python,
                vec![&python],
                vec![|n| format!("def {n}(")],
            ),
            (
                "JavaScript NixbuildMock",
                route.javascript,
                vec![&javascript, &types],
                vec![|n| format!("async {n}("), |n| format!("{n}(")],
            ),
        ];
        for (language, helper, sources, shapes) in places {
            match helper {
                Helper::Named(name) => {
                    for source in sources {
                        if !declares(source, &shapes, name) {
                            missing.push(format!("{} {}: no {language}::{name}", route.method, route.path));
                        }
                    }
                }
                Helper::Without(why) => assert!(
                    why.len() > 10,
                    "{} {}: a route without a {language} helper says why",
                    route.method,
                    route.path
                ),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without their helpers:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_missing_helper_is_seen() {
    let python = "class NixbuildMock:\n    def health(self) -> None:\n        pass\n";
    let shapes: [Shape; 1] = [|n| format!("def {n}(")];
    assert!(declares(python, &shapes, "health"));
    assert!(!declares(python, &shapes, "faults"));
    assert!(
        !declares(python, &shapes, "heal"),
        "a prefix of a name is not the name"
    );
}
