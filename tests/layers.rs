//! The workspace's modules import in one direction: no crate has a circle of imports, and
//! the mock's modules import only from their own layer or the layers below it (the
//! diagram in `mock-server/src/lib.rs`). A new import that breaks either names the file and
//! line here.

mod module_graph;

use std::path::Path;

use module_graph::{Import, ModuleGraph, ModulePath};

/// The mock's layers, lowest first, each with the top-level modules it holds (as
/// `mock-server/src/lib.rs` draws them). A module may import from its own layer and from
/// those below; the root (`lib.rs`) and the public `recording` module gather and re-export,
/// above every layer.
const MOCK_LAYERS: &[(&str, &[&str])] = &[
    ("base", &["sync", "limits", "redaction", "text", "answer"]),
    ("fixtures", &["fixtures"]),
    ("world", &["world"]),
    ("auth", &["auth"]),
    ("instruments", &["instruments"]),
    ("recording format", &["recording_format"]),
    ("app", &["app"]),
    ("api", &["api"]),
    ("control", &["control"]),
    ("dispatch", &["dispatch"]),
    ("mock", &["mock"]),
    ("standalone", &["standalone"]),
    ("fuzzing", &["fuzzing"]),
    ("public", &["", "recording"]),
];

fn crate_src(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name).join("src")
}

fn shown(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

fn line(import: &Import) -> String {
    format!(
        "{} -> {} ({}:{})",
        shown(&import.from),
        shown(&import.to),
        import
            .file
            .rsplit_once("/src/")
            .map_or(import.file.as_str(), |(_, f)| f),
        import.line
    )
}

#[test]
fn no_crate_of_the_workspace_has_a_circle_of_imports() {
    let mut circles = Vec::new();
    for krate in ["sdk", "openapi", "mock-server", "cli"] {
        let graph = ModuleGraph::read(&crate_src(krate));
        assert!(graph.modules.len() > 3, "{krate}: its modules were found");
        for circle in graph.circles() {
            circles.push(format!(
                "{krate}: {}",
                circle.iter().map(|i| line(i)).collect::<Vec<_>>().join("; ")
            ));
        }
    }
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

/// The layer of a module of the mock, by its top-level module.
fn layer_of(module: &ModulePath) -> Option<usize> {
    let top = module.first().map_or("", String::as_str);
    MOCK_LAYERS.iter().position(|(_, tops)| tops.contains(&top))
}

#[test]
fn the_mock_imports_only_from_its_own_layer_and_those_below() {
    let graph = ModuleGraph::read(&crate_src("mock-server"));
    let unplaced: Vec<String> = graph
        .modules
        .iter()
        .filter(|m| layer_of(m).is_none())
        .map(shown)
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to MOCK_LAYERS and lib.rs's diagram): {unplaced:?}"
    );
    let upward: Vec<String> = graph
        .imports
        .iter()
        .filter(|i| layer_of(&i.to) > layer_of(&i.from))
        .map(|i| {
            format!(
                "{} ({} imports from {})",
                line(i),
                MOCK_LAYERS[layer_of(&i.from).unwrap_or(0)].0,
                MOCK_LAYERS[layer_of(&i.to).unwrap_or(0)].0
            )
        })
        .collect();
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn the_diagram_in_the_mock_docs_names_every_layer_in_order() {
    let lib = std::fs::read_to_string(crate_src("mock-server").join("lib.rs")).expect("lib.rs");
    let mut from = 0;
    for (name, _) in MOCK_LAYERS.iter().rev() {
        let at = lib[from..]
            .find(&format!("{name:<}"))
            .unwrap_or_else(|| panic!("lib.rs's diagram names the layer {name:?}, in order, top first"));
        from += at + name.len();
    }
}

#[test]
fn the_reader_sees_imports_of_every_shape() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).expect("a folder");
    std::fs::write(
        src.join("lib.rs"),
        "mod a; mod b; mod c;\npub use c::Thing;\n// use crate::b::Commented;\n",
    )
    .expect("write");
    std::fs::write(
        src.join("a/mod.rs"),
        "mod inner;\npub use inner::f;\nuse crate::{b::{self, X}, Thing};\nconst S: &str = \"crate::c::InString\";\n",
    )
    .expect("write");
    std::fs::write(
        src.join("a/inner.rs"),
        "use super::S;\nfn f<'a>(x: &'a str) -> char { let _ = super::super::b::g(); 'x' }\n#[cfg(test)]\nmod tests { use super::*; }\n",
    )
    .expect("write");
    std::fs::write(src.join("b.rs"), "pub fn g() { crate::a::h() }\n").expect("write");
    std::fs::write(src.join("c.rs"), "pub struct Thing;\n").expect("write");
    let graph = ModuleGraph::read(&src);
    let mut seen: Vec<String> = graph
        .imports
        .iter()
        .map(|i| format!("{}->{}", shown(&i.from), shown(&i.to)))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "a->a::inner",
            "a->b",
            "a->c",
            "a::inner->a",
            "a::inner->b",
            "b->a",
            "crate->c"
        ],
        "a group, a root re-export, super::super, a relative use; not comments, strings or a test's super::*"
    );
    assert_eq!(
        graph.circles().len(),
        1,
        "a <-> b; a::inner -> a is a child's use of its parent"
    );
    let _ = std::fs::remove_dir_all(dir);
}
