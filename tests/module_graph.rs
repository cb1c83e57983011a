//! The house has no circles: no module imports, directly or through others, a module that imports it.
//! Checked on two floors: between the rooms of the crate (`domain::bundle`, `domain::formats`, `ui::app`,
//! `cli::export`, ...), and between the files inside each folder module (`bundle/prefill.rs` and
//! `bundle/validate.rs`). A facade's re-exports (`pub use` in a `mod.rs`) are not dependencies; code,
//! `use` lines and paths in code are. Test code is left out.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `src/domain/bundle/mod.rs` is `domain::bundle`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code of a file without comments, test modules, or `pub use` re-exports.
fn code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with("pub use ") {
            continue;
        }
        // A comment after code; `//` inside a string (a URL) is rare enough in code paths to ignore.
        let line = match line.find(" // ") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    // A multi-line `pub use a::{...};` re-export: drop until its `;`.
    let mut kept = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("pub use ") {
        kept.push_str(&rest[..i]);
        rest = rest[i..].find(';').map_or("", |j| &rest[i + j + 1..]);
    }
    kept.push_str(rest);
    kept
}

/// Splits `use` trees: `a::{b, c::{d, e}}` gives `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_owned()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| format!("{prefix}{p}"))
        .collect()
}

/// Every path the code names that starts with `crate::` or `super::`, resolved from `module`, as
/// module path segments (the item's own name included; the caller cuts to the floor it looks at).
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = after.find(';') {
            paths.extend(expand(&after[..end]));
        }
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            paths.push(code[at..end].trim_end_matches(':').to_owned());
        }
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let segments: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
            match segments.first() {
                Some(&"crate") => Some(segments[1..].iter().map(|s| s.to_string()).collect()),
                Some(&"super") => {
                    // `x/y.rs` is module `x::y` and `x/mod.rs` module `x`: `super` is one up from either.
                    let mut base: Vec<String> = module.to_vec();
                    base.pop();
                    let mut rest = &segments[1..];
                    while rest.first() == Some(&"super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().map(|s| s.to_string()));
                    Some(base)
                }
                _ => None,
            }
        })
        .collect()
}

/// A circle in `edges`, if there is one, as the rooms along it.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(circle) = visit(next, edges, state, stack) {
                        return Some(circle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(circle) = visit(node, edges, &mut state, &mut stack) {
                return Some(circle);
            }
        }
    }
    None
}

/// The import graph cut at `depth` segments: between rooms at `depth` (files shallower are left out).
/// Names that exist as modules are kept; a path's item name at the end falls away with the cut.
fn graph(depth: usize) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let module = module_of(&src, file);
        if module.len() < depth {
            continue;
        }
        let room = module[..depth].join("::");
        let text = std::fs::read_to_string(file).unwrap();
        for target in references(&code(&text), &module) {
            // The longest prefix of the path that is a module.
            let known = (1..=target.len())
                .rev()
                .find(|&n| modules.contains(&target[..n]))
                .unwrap_or(0);
            if known < depth {
                continue;
            }
            let other = target[..depth].join("::");
            // Within one room, or a file of one folder naming another folder's facade at this floor.
            if other == room || module[..depth - 1] != target[..depth - 1] && depth > 2 {
                continue;
            }
            edges.entry(room.clone()).or_default().insert(other);
        }
    }
    edges
}

#[test]
fn no_circle_between_the_rooms_of_the_crate() {
    let edges = graph(2);
    assert!(
        edges.contains_key("domain::session") && edges.contains_key("ui::app"),
        "the graph was not read: {edges:?}"
    );
    if let Some(circle) = find_circle(&edges) {
        panic!("import circle: {}", circle.join(" -> "));
    }
}

#[test]
fn no_circle_between_the_files_of_a_folder() {
    let edges = graph(3);
    assert!(
        edges.contains_key("domain::bundle::validate"),
        "the graph was not read: {edges:?}"
    );
    if let Some(circle) = find_circle(&edges) {
        panic!("import circle: {}", circle.join(" -> "));
    }
}

#[test]
fn the_checker_finds_a_circle_when_there_is_one() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_circle(&edges), None);
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_circle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        expand("crate::domain::{a::X, b::{c, d as e}}"),
        [
            "crate::domain::a::X",
            "crate::domain::b::c",
            "crate::domain::b::d"
        ]
    );
}
