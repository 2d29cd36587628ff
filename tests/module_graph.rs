//! Data flows one way through the crate: no module imports from a module that imports it.
//!
//! The check reads every file under `src/`, collects the `crate::…` and `super::…` paths it
//! names in code (not in comments), and looks for cycles among the top-level modules (`syntax`, `ast`, `compile`, …) and,
//! inside each top-level module, among its direct submodules. Run it alone with
//! `cargo test --test module_graph`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A file's module path relative to the crate root: `src/compile/ir.rs` → `["compile", "ir"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Identifier segments following each occurrence of `prefix` in `text`.
fn paths_after<'t>(text: &'t str, prefix: &str) -> Vec<Vec<&'t str>> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        let mut segments = Vec::new();
        for segment in rest.split("::") {
            let ident: &str = segment
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            if ident.is_empty() {
                break;
            }
            segments.push(ident);
            if ident.len() != segment.len() {
                break;
            }
        }
        found.push(segments);
    }
    found
}

/// Module-to-module edges at one level of the tree.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut found = path[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                Some(_) => {}
                None => {
                    if let Some(found) = visit(next, graph, state, path) {
                        return Some(found);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str())
            && let Some(found) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn modules_import_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(!files.is_empty(), "no sources under {}", src.display());

    // Level 0: top-level modules; level 1: submodules inside each top-level module.
    let mut top = Graph::new();
    let mut inner: BTreeMap<String, Graph> = BTreeMap::new();
    let directories: BTreeSet<Vec<String>> = files
        .iter()
        .map(|f| module_path(&src, f))
        .filter(|p| !p.is_empty())
        .collect();
    let is_module = |path: &[&str]| directories.iter().any(|d| d.iter().eq(path.iter()));

    for file in &files {
        // Comments may link anywhere (`[`eval`](crate::eval)`); only code imports.
        let text: String = fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let me = module_path(&src, file);
        let Some(my_top) = me.first() else {
            continue; // lib.rs re-exports everything; it is the root, not a module.
        };
        let mut targets: Vec<Vec<String>> = paths_after(&text, "crate::")
            .into_iter()
            .map(|p| p.into_iter().map(str::to_string).collect())
            .collect();
        // `super::x` inside `a::b` (a file `a/b.rs`) names `a::x`.
        if me.len() >= 2 {
            let parent = &me[..me.len() - 1];
            for p in paths_after(&text, "super::") {
                let mut full: Vec<String> = parent.to_vec();
                full.extend(p.into_iter().map(str::to_string));
                targets.push(full);
            }
        }
        for target in targets {
            let Some(target_top) = target.first() else {
                continue;
            };
            let segments: Vec<&str> = target.iter().map(String::as_str).collect();
            if target_top != my_top {
                if is_module(&segments[..1]) {
                    top.entry(my_top.clone())
                        .or_default()
                        .insert(target_top.clone());
                }
            } else if let (Some(mine), Some(theirs)) = (me.get(1), target.get(1))
                && mine != theirs
                && is_module(&segments[..2])
            {
                inner
                    .entry(my_top.clone())
                    .or_default()
                    .entry(mine.clone())
                    .or_default()
                    .insert(theirs.clone());
            }
        }
    }

    if let Some(found) = cycle(&top) {
        panic!(
            "import cycle between top-level modules: {}",
            found.join(" → ")
        );
    }
    for (parent, graph) in &inner {
        if let Some(found) = cycle(graph) {
            panic!("import cycle inside `{parent}`: {}", found.join(" → "));
        }
    }
}
