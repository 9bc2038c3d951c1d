//! The modules of a crate and the imports between them, read from its source files: each
//! file is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`), and a module imports another
//! when its code names a path into it (`use crate::a::b::X`, `super::c::f()`, `pub use
//! d::E`), comments and string literals aside. A path through the crate root's re-exports
//! (`crate::MockNixbuild`) counts as an import of the module the root takes it from.
//!
//! A reader of tokens, not a parser: enough for paths, which is all the layer rules need,
//! and no dependency on a Rust parser for one test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path inside its crate: empty for the crate root.
pub type ModulePath = Vec<String>;

/// One import: from which module, to which, and where it is written.
#[derive(Debug, Clone)]
pub struct Import {
    pub from: ModulePath,
    pub to: ModulePath,
    pub file: String,
    pub line: usize,
}

/// A crate's modules (one per file) and its imports between different modules.
#[derive(Debug)]
pub struct ModuleGraph {
    pub modules: BTreeSet<ModulePath>,
    pub imports: Vec<Import>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

impl ModuleGraph {
    /// Reads every `.rs` file under `src` (a crate's `src/`, `bin/` left out: binaries are
    /// crates of their own).
    pub fn read(src: &Path) -> ModuleGraph {
        let mut files = Vec::new();
        collect(src, src, &mut files);
        let modules: BTreeSet<ModulePath> = files.iter().map(|(module, _)| module.clone()).collect();
        let mut tokens_of = BTreeMap::new();
        for (module, file) in &files {
            let text = std::fs::read_to_string(file).expect("a source file is readable");
            tokens_of.insert(module.clone(), (file.display().to_string(), tokenize(&text)));
        }
        let root_exports = tokens_of
            .get(&ModulePath::new())
            .map(|(_, tokens)| root_exports(tokens, &modules))
            .unwrap_or_default();
        let mut imports = Vec::new();
        for (module, (file, tokens)) in &tokens_of {
            for (segments, line) in paths(tokens, module, &modules) {
                let Some(to) = resolve(&segments, &modules, &root_exports) else {
                    continue;
                };
                if &to != module {
                    imports.push(Import {
                        from: module.clone(),
                        to,
                        file: file.clone(),
                        line,
                    });
                }
            }
        }
        ModuleGraph { modules, imports }
    }

    /// The groups of modules that import each other in a circle, each with the imports that
    /// close it. Every import counts, a child's of its parent (`super::Shared`) too: a
    /// parent that re-exports its children and also holds what they share puts each child in
    /// a circle with it, and hides circles between siblings that pass through it. What
    /// children share lives in a sibling of theirs.
    pub fn circles(&self) -> Vec<Vec<&Import>> {
        let mut circles = Vec::new();
        for component in strongly_connected(&self.modules, &self.imports) {
            if component.len() > 1 {
                circles.push(
                    self.imports
                        .iter()
                        .filter(|i| component.contains(&i.from) && component.contains(&i.to))
                        .collect(),
                );
            }
        }
        circles
    }
}

/// `(module, file)` for every source file under `dir`.
fn collect(src: &Path, dir: &Path, files: &mut Vec<(ModulePath, std::path::PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("the source folder is readable")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let relative = path.strip_prefix(src).expect("under src");
        if path.is_dir() {
            if relative != Path::new("bin") {
                collect(src, &path, files);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let mut module: ModulePath = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
            module.pop();
        }
        files.push((module, path));
    }
}

/// The source's tokens that matter to paths, each with its line, comments, strings,
/// characters, lifetimes and numbers left out.
fn tokenize(text: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            'r' | 'b' if raw_string_start(&chars, i).is_some() => {
                let (hashes, quote) = raw_string_start(&chars, i).unwrap_or((0, i));
                i = quote + 1;
                let closing: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while i < chars.len() && !chars[i..].starts_with(&closing.chars().collect::<Vec<_>>()[..]) {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += closing.chars().count();
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if at(i) == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            '\'' => {
                // A character ('a', '\n', '\u{1F600}') or a lifetime ('a, 'static).
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                }
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // b"…" and b'…' are literals; r#ident an identifier.
                if word == "b" && matches!(at(i), '"' | '\'') {
                    continue;
                }
                if word == "r" && at(i) == '#' {
                    continue;
                }
                tokens.push((Token::Ident(word), line));
            }
            _ if c.is_ascii_digit() => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                    if chars[i] == '.' && !at(i + 1).is_ascii_digit() {
                        break;
                    }
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                tokens.push((Token::PathSep, line));
                i += 2;
            }
            _ => {
                tokens.push((Token::Punct(c), line));
                i += 1;
            }
        }
    }
    tokens
}

/// At `r"`, `r#"`, `br"`, `br#"`: the number of `#` and where the quote is.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    // Not the end of an identifier such as `bar"`.
    if i > 0 && chars.get(i - 1).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j))
}

/// Every path the tokens name into the crate, made absolute (segments from the root), with
/// its line: paths from `crate::`, `super::` and `self::`, and a `use` of a child module.
fn paths(
    tokens: &[(Token, usize)],
    module: &ModulePath,
    modules: &BTreeSet<ModulePath>,
) -> Vec<(ModulePath, usize)> {
    let mut found = Vec::new();
    // The inline modules (`mod tests { … }`) the reader is in, each with its brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let here: ModulePath = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(m, _)| m.clone()))
            .collect();
        match &tokens[i].0 {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some((Token::Ident(name), _)), Some((Token::Punct('{'), _))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(word) if word == "use" => {
                // `use child::X` (relative) as well as `use crate::…`.
                if let Some((Token::Ident(first), line)) = tokens.get(i + 1)
                    && !matches!(first.as_str(), "crate" | "super" | "self")
                {
                    let mut child = here.clone();
                    child.push(first.clone());
                    if modules.contains(&child) || (inline.is_empty() && modules.contains(&child)) {
                        let (trees, _) = path_trees(tokens, i + 1);
                        for tree in trees {
                            found.push((here.iter().cloned().chain(tree).collect(), *line));
                        }
                    }
                }
            }
            Token::Ident(word) if matches!(word.as_str(), "crate" | "super" | "self") => {
                let preceded_by_sep = i > 0 && tokens[i - 1].0 == Token::PathSep;
                if !preceded_by_sep && tokens.get(i + 1).is_some_and(|(t, _)| *t == Token::PathSep) {
                    let line = tokens[i].1;
                    let (trees, next) = path_trees(tokens, i);
                    for tree in trees {
                        if let Some(absolute) = absolute(&tree, &here) {
                            found.push((absolute, line));
                        }
                    }
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The paths a path expression at `start` names (a `use` tree names several), and where it
/// ends.
fn path_trees(tokens: &[(Token, usize)], start: usize) -> (Vec<ModulePath>, usize) {
    let mut prefix = Vec::new();
    let mut i = start;
    loop {
        match tokens.get(i).map(|(t, _)| t) {
            Some(Token::Ident(segment)) => {
                prefix.push(segment.clone());
                i += 1;
            }
            Some(Token::Punct('{')) => {
                let mut trees = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i).map(|(t, _)| t) {
                        Some(Token::Punct('}')) | None => return (trees, i + 1),
                        Some(Token::Punct(',')) => i += 1,
                        _ => {
                            let (inner, next) = path_trees(tokens, i);
                            for tree in inner {
                                let mut full = prefix.clone();
                                full.extend(tree.into_iter().filter(|s| s != "self"));
                                trees.push(full);
                            }
                            // `X as Y`: skip the alias.
                            i = next;
                            if matches!(tokens.get(i).map(|(t, _)| t), Some(Token::Ident(w)) if w == "as") {
                                i += 2;
                            }
                        }
                    }
                }
            }
            _ => return (vec![prefix], i),
        }
        match tokens.get(i).map(|(t, _)| t) {
            Some(Token::PathSep) => i += 1,
            _ => return (vec![prefix], i),
        }
    }
}

/// `segments` (starting with `crate`, `super` or `self`) from the root, seen from `here`.
fn absolute(segments: &[String], here: &ModulePath) -> Option<ModulePath> {
    let mut base = here.clone();
    let mut rest = segments;
    match segments.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &segments[1..];
        }
        Some("self") => rest = &segments[1..],
        _ => {}
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    Some(base.into_iter().chain(rest.iter().cloned()).collect())
}

/// The module an absolute path leads into: its longest prefix that is a module, or, for an
/// item the root re-exports, the module it comes from. `None` for a path to the root itself
/// that the root does not re-export (a macro, an item of the root's own).
fn resolve(
    segments: &ModulePath,
    modules: &BTreeSet<ModulePath>,
    root_exports: &BTreeMap<String, ModulePath>,
) -> Option<ModulePath> {
    let longest = (0..=segments.len())
        .rev()
        .map(|n| segments[..n].to_vec())
        .find(|prefix| modules.contains(prefix))?;
    if longest.is_empty()
        && let Some(first) = segments.first()
    {
        return root_exports.get(first).cloned().or(Some(longest));
    }
    Some(longest)
}

/// What the root re-exports (`pub use a::b::Item;`), by the name it is reachable as.
fn root_exports(tokens: &[(Token, usize)], modules: &BTreeSet<ModulePath>) -> BTreeMap<String, ModulePath> {
    let mut exports = BTreeMap::new();
    for i in 0..tokens.len() {
        if tokens[i].0 != Token::Ident("use".into()) {
            continue;
        }
        let (trees, _) = path_trees(tokens, i + 1);
        for tree in trees {
            let tree: ModulePath = if tree.first().is_some_and(|s| s == "crate") {
                tree[1..].to_vec()
            } else {
                tree
            };
            if let (Some(name), Some(to)) = (tree.last(), resolve(&tree, modules, &BTreeMap::new()))
                && !to.is_empty()
            {
                exports.insert(name.clone(), to);
            }
        }
    }
    exports
}

/// Tarjan's strongly connected components of the import graph.
fn strongly_connected(modules: &BTreeSet<ModulePath>, imports: &[Import]) -> Vec<BTreeSet<ModulePath>> {
    let index_of: BTreeMap<&ModulePath, usize> = modules.iter().enumerate().map(|(i, m)| (m, i)).collect();
    let names: Vec<&ModulePath> = modules.iter().collect();
    let mut next: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); modules.len()];
    for import in imports {
        if let (Some(&a), Some(&b)) = (index_of.get(&import.from), index_of.get(&import.to)) {
            next[a].insert(b);
        }
    }
    struct Search<'g> {
        next: &'g [BTreeSet<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        components: Vec<Vec<usize>>,
    }
    impl Search<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in self.next[v].iter() {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut search = Search {
        next: &next,
        index: vec![None; modules.len()],
        low: vec![0; modules.len()],
        on_stack: vec![false; modules.len()],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for v in 0..modules.len() {
        if search.index[v].is_none() {
            search.visit(v);
        }
    }
    search
        .components
        .into_iter()
        .map(|c| c.into_iter().map(|i| names[i].clone()).collect())
        .collect()
}
