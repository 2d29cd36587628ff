//! Data flows one way through the crate: no module imports from a module that imports it.
//!
//! The check reads every file under `src/` and collects the paths it names in code: `use` trees
//! (braces, nested braces, `self`, renames and globs expanded) and inline paths such as
//! `crate::ir::Node` or `super::super::x::f()` in expressions and types. Comments, doc comments
//! and string or character literals are skipped. Each path is made absolute (`crate::`,
//! `super::`, `self::`, a module's own children) and followed through re-exports: every `use` of
//! every module, `pub` or not, and `pub use x::*` globs (so `crate::Program` is the module that
//! defines `Program`, not the root). Inline modules (`mod tests { … }`) count as part of the file
//! that holds them, and their `super::` is that file's module.
//!
//! A path written in a module under sibling `a` that lands in sibling `b` (two modules with the
//! same parent) is an edge `a → b` in the parent's graph. Every parent, at every level of nesting
//! (the crate root, `syntax`, `syntax::parser`, `compile::advanced`, …), must have an acyclic
//! graph; a cycle is printed with the file, line and path behind each of its edges. Run it alone
//! with `cargo test --test module_graph`.
//!
//! Calls through methods (`self.op_at()` where `op_at` is defined in a sibling's `impl`) name no
//! path and are not seen; macros are seen only through the paths in their bodies.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Source text: comments and literals blanked, then tokens.

/// `text` with comments, string literals and character literals replaced by blanks (line breaks
/// are kept, so line numbers still hold).
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let prev_is_ident = i > 0 && chars.get(i - 1).copied().is_some_and(is_ident);
        if c == '/' && next == Some('/') {
            while let Some(&c) = chars.get(i) {
                if c == '\n' {
                    break;
                }
                blank(&mut out, c);
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while let Some(&c) = chars.get(i) {
                let next = chars.get(i + 1).copied();
                if c == '/' && next == Some('*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c == '*' && next == Some('/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c);
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…", cr#"…"#.
        if !prev_is_ident && matches!(c, 'r' | 'b' | 'c') {
            let mut j = i;
            if matches!(c, 'b' | 'c') && chars.get(j + 1) == Some(&'r') {
                j += 1;
            }
            if chars.get(j) == Some(&'r') {
                let mut hashes = 0;
                let mut k = j + 1;
                while chars.get(k) == Some(&'#') {
                    hashes += 1;
                    k += 1;
                }
                if chars.get(k) == Some(&'"') {
                    // Blank through the closing quote followed by `hashes` hashes.
                    for &c in chars.get(i..=k).unwrap_or(&[]) {
                        blank(&mut out, c);
                    }
                    i = k + 1;
                    while let Some(&c) = chars.get(i) {
                        blank(&mut out, c);
                        i += 1;
                        if c == '"' && (0..hashes).all(|h| chars.get(i + h) == Some(&'#')) {
                            for _ in 0..hashes {
                                out.push(' ');
                            }
                            i += hashes;
                            break;
                        }
                    }
                    continue;
                }
            }
        }
        if c == '"' {
            blank(&mut out, c);
            i += 1;
            while let Some(&c) = chars.get(i) {
                blank(&mut out, c);
                i += 1;
                if c == '\\' {
                    if let Some(&escaped) = chars.get(i) {
                        blank(&mut out, escaped);
                        i += 1;
                    }
                } else if c == '"' {
                    break;
                }
            }
            continue;
        }
        if c == '\'' {
            // A character literal ('x', '\n', '\u{1F}', '\'') or a lifetime ('a, 'static).
            let literal_end = if next == Some('\\') {
                let mut k = i + 3;
                while chars.get(k).is_some_and(|&c| c != '\'' && c != '\n') {
                    k += 1;
                }
                Some(k)
            } else if next.is_some() && chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = literal_end {
                for &c in chars.get(i..=end).unwrap_or(&[]) {
                    blank(&mut out, c);
                }
                i = end + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// Tokens with their 1-based line numbers.
fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|&c| c.is_alphanumeric() || c == '_')
            {
                i += 1;
            }
            let mut word: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
            // A raw identifier `r#type` is the identifier `type`.
            if word == "r" && chars.get(i) == Some(&'#') {
                let rest = i + 1;
                let mut end = rest;
                while chars
                    .get(end)
                    .is_some_and(|&c| c.is_alphanumeric() || c == '_')
                {
                    end += 1;
                }
                if end > rest {
                    word = chars.get(rest..end).unwrap_or(&[]).iter().collect();
                    i = end;
                }
            }
            out.push((Tok::Ident(word), line));
        } else if c == '\'' {
            // A lifetime: skip it whole, so `'a` is not the identifier `a`.
            i += 1;
            while chars
                .get(i)
                .is_some_and(|&c| c.is_alphanumeric() || c == '_')
            {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Modules, their names, and the paths each file writes.

type ModPath = Vec<String>;

/// What one module (a file or an inline `mod x { … }`) declares at its top level.
#[derive(Debug, Default)]
struct Module {
    /// Items defined here (functions, types, constants, child modules, macros).
    items: BTreeSet<String>,
    /// `use` bindings: name → the path as written (resolved in this module's scope).
    uses: BTreeMap<String, Vec<String>>,
    /// `use x::*` sources, as written.
    globs: Vec<Vec<String>>,
}

/// A path written in code.
#[derive(Debug)]
struct Reference {
    /// The module whose code holds the path (inline modules included).
    scope: ModPath,
    /// The file's module (inline modules excluded).
    file_module: ModPath,
    file: String,
    line: usize,
    /// The path as written.
    path: Vec<String>,
}

/// One `use` tree leaf: the full path, and what it binds (`None` for a glob).
type UseLeaf = (Vec<String>, Option<String>);

/// Parses a use tree (or a plain path) starting at `tokens[i]`, with `prefix` already read.
/// Returns the leaves and the index after the tree. Brace nesting is bounded by the input,
/// which is this crate's own source; the depth is capped anyway.
fn use_tree(
    tokens: &[(Tok, usize)],
    mut i: usize,
    mut prefix: Vec<String>,
    depth: usize,
) -> (Vec<UseLeaf>, usize) {
    let mut leaves = Vec::new();
    if depth > 16 {
        return (leaves, i);
    }
    // Segments: ident (`::` ident)*, possibly ending in `::{…}` or `::*`.
    loop {
        match tokens.get(i).map(|t| &t.0) {
            Some(Tok::Ident(word)) => {
                prefix.push(word.clone());
                i += 1;
                if tokens.get(i).map(|t| &t.0) == Some(&Tok::PathSep) {
                    i += 1;
                    continue;
                }
                // `a::b as c`
                if let (Some(Tok::Ident(kw)), Some(Tok::Ident(alias))) =
                    (tokens.get(i).map(|t| &t.0), tokens.get(i + 1).map(|t| &t.0))
                    && kw == "as"
                {
                    let alias = alias.clone();
                    i += 2;
                    let binding = (alias != "_").then_some(alias);
                    leaves.push((strip_self(prefix), binding));
                } else {
                    let binding = bound_name(&prefix);
                    leaves.push((strip_self(prefix), binding));
                }
                return (leaves, i);
            }
            Some(Tok::Punct('*')) => {
                leaves.push((prefix, None));
                return (leaves, i + 1);
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                loop {
                    match tokens.get(i).map(|t| &t.0) {
                        None => return (leaves, i),
                        Some(Tok::Punct('}')) => return (leaves, i + 1),
                        Some(Tok::Punct(',')) => i += 1,
                        Some(_) => {
                            let (inner, next) = use_tree(tokens, i, prefix.clone(), depth + 1);
                            leaves.extend(inner);
                            if next == i {
                                i += 1; // not a tree: skip the token
                            } else {
                                i = next;
                            }
                        }
                    }
                }
            }
            _ => {
                // A path that ends in `::` followed by something else (`::<T>`): what was read.
                if !prefix.is_empty() {
                    let binding = bound_name(&prefix);
                    leaves.push((prefix, binding));
                }
                return (leaves, i);
            }
        }
    }
}

/// `a::b::self` is `a::b`.
fn strip_self(mut path: Vec<String>) -> Vec<String> {
    if path.len() > 1 && path.last().is_some_and(|s| s == "self") {
        path.pop();
    }
    path
}

fn bound_name(path: &[String]) -> Option<String> {
    let path = strip_self(path.to_vec());
    let last = path.last()?;
    (!matches!(last.as_str(), "crate" | "super" | "self")).then(|| last.clone())
}

const ITEM_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
];
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "union",
];

/// The module path of a file relative to `src/`: `compile/ir.rs` → `["compile", "ir"]`.
fn module_path(relative: &str) -> ModPath {
    let mut parts: Vec<String> = relative
        .trim_end_matches(".rs")
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Reads one file: its modules' declarations into `modules`, its paths into `references`.
fn read_file(
    relative: &str,
    text: &str,
    modules: &mut BTreeMap<ModPath, Module>,
    references: &mut Vec<Reference>,
) {
    let file_module = module_path(relative);
    modules.entry(file_module.clone()).or_default();
    let toks = tokens(&blank_comments_and_literals(text));
    // Open inline modules: (path, brace depth inside its body).
    let mut scopes: Vec<(ModPath, usize)> = vec![(file_module.clone(), 0)];
    let mut depth = 0usize;
    let mut pending_mod: Option<String> = None;
    let mut i = 0;
    while let Some((tok, line)) = toks.get(i) {
        let line = *line;
        let (scope, scope_depth) = scopes.last().cloned().unwrap_or((file_module.clone(), 0));
        let top_level = depth == scope_depth;
        let after_sep = i > 0 && toks.get(i - 1).map(|t| &t.0) == Some(&Tok::PathSep);
        match tok {
            Tok::Punct('{') => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    let mut path = scope.clone();
                    path.push(name);
                    modules.entry(path.clone()).or_default();
                    scopes.push((path, depth));
                }
                i += 1;
            }
            Tok::Punct('}') => {
                if scopes.len() > 1 && scopes.last().is_some_and(|s| s.1 == depth) {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Punct(';') => {
                pending_mod = None;
                i += 1;
            }
            Tok::Ident(word) if word == "use" && !after_sep => {
                let (leaves, next) = use_tree(&toks, i + 1, Vec::new(), 0);
                for (path, binding) in leaves {
                    if top_level {
                        let module = modules.entry(scope.clone()).or_default();
                        match binding {
                            Some(name) => {
                                module.uses.insert(name, path.clone());
                            }
                            None => module.globs.push(path.clone()),
                        }
                    }
                    references.push(Reference {
                        scope: scope.clone(),
                        file_module: file_module.clone(),
                        file: relative.to_string(),
                        line,
                        path,
                    });
                }
                i = next.max(i + 1);
            }
            Tok::Ident(word) if ITEM_KEYWORDS.contains(&word.as_str()) && !after_sep => {
                if let Some((Tok::Ident(name), _)) = toks.get(i + 1)
                    && !KEYWORDS.contains(&name.as_str())
                {
                    if top_level {
                        modules
                            .entry(scope.clone())
                            .or_default()
                            .items
                            .insert(name.clone());
                    }
                    if word == "mod" {
                        pending_mod = Some(name.clone());
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            Tok::Ident(word)
                if word == "macro_rules"
                    && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct('!')) =>
            {
                if top_level && let Some((Tok::Ident(name), _)) = toks.get(i + 2) {
                    modules
                        .entry(scope.clone())
                        .or_default()
                        .items
                        .insert(name.clone());
                }
                i += 3;
            }
            Tok::Ident(_) if !after_sep && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::PathSep) => {
                // A path in code: `crate::x::y`, `super::x`, `$crate::x`, `name::x`.
                let (leaves, next) = use_tree(&toks, i, Vec::new(), 0);
                for (path, _) in leaves {
                    references.push(Reference {
                        scope: scope.clone(),
                        file_module: file_module.clone(),
                        file: relative.to_string(),
                        line,
                        path,
                    });
                }
                i = next.max(i + 1);
            }
            _ => i += 1,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution: a path as written → the absolute path of what it names.

struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

/// How many re-exports one resolution may follow (a `use` cycle would otherwise not end).
const MAX_HOPS: usize = 24;

impl Crate {
    /// `path`, written in module `scope`, as an absolute path (without `crate`), or `None` when
    /// it leaves the crate (`std::…`, another crate, a local name).
    fn absolute(&self, scope: &[String], path: &[String], hops: usize) -> Option<ModPath> {
        if hops > MAX_HOPS {
            return None;
        }
        let (first, rest) = path.split_first()?;
        match first.as_str() {
            "crate" | "$crate" => Some(rest.to_vec()),
            "self" if rest.first().is_some_and(|s| s == "super") => {
                self.absolute(scope, rest, hops)
            }
            "self" => {
                let mut out = scope.to_vec();
                out.extend(rest.iter().cloned());
                Some(out)
            }
            "super" => {
                let (_, parent) = scope.split_last()?;
                self.absolute(parent, &with_self(rest), hops)
            }
            name => {
                let module = self.modules.get(scope)?;
                if module.items.contains(name) {
                    let mut out = scope.to_vec();
                    out.extend(path.iter().cloned());
                    Some(out)
                } else if let Some(target) = module.uses.get(name)
                    && target.as_slice() != path
                {
                    let mut target = self.absolute(scope, target, hops + 1)?;
                    target.extend(rest.iter().cloned());
                    Some(target)
                } else {
                    // A name brought in by `use x::*` (an inline test module's `use super::*`).
                    module.globs.iter().find_map(|glob| {
                        let source = self.absolute(scope, glob, hops + 1)?;
                        let from = self.modules.get(&source)?;
                        (from.items.contains(name) || from.uses.contains_key(name))
                            .then(|| self.absolute(&source, path, hops + 1))?
                    })
                }
            }
        }
    }

    /// Follows re-exports until the path names what defines it.
    fn resolve(&self, path: ModPath, hops: usize) -> ModPath {
        if hops > MAX_HOPS {
            return path;
        }
        // The longest prefix that is a module.
        let Some(k) = (0..=path.len())
            .rev()
            .find(|&k| path.get(..k).is_some_and(|p| self.modules.contains_key(p)))
        else {
            return path;
        };
        let (Some(module_path), Some(name)) = (path.get(..k), path.get(k)) else {
            return path;
        };
        let rest = path.get(k + 1..).unwrap_or(&[]);
        let Some(module) = self.modules.get(module_path) else {
            return path;
        };
        if module.items.contains(name) {
            return path;
        }
        if let Some(target) = module.uses.get(name)
            && let Some(mut target) = self.absolute(module_path, target, hops + 1)
        {
            target.extend(rest.iter().cloned());
            return self.resolve(target, hops + 1);
        }
        for glob in &module.globs {
            let Some(source) = self.absolute(module_path, glob, hops + 1) else {
                continue;
            };
            let source = self.resolve(source, hops + 1);
            if let Some(from) = self.modules.get(&source)
                && (from.items.contains(name) || from.uses.contains_key(name))
            {
                let mut target = source;
                target.extend(path.get(k..).unwrap_or(&[]).iter().cloned());
                return self.resolve(target, hops + 1);
            }
        }
        path
    }
}

/// `super::x` after one `super` is consumed: the rest, read from the parent as `self::…`.
fn with_self(rest: &[String]) -> Vec<String> {
    let mut out = vec!["self".to_string()];
    out.extend(rest.iter().cloned());
    out
}

// ---------------------------------------------------------------------------------------------
// The graph: edges between siblings, per parent; cycles.

/// Why an edge exists: `file:line: path`.
type Evidence = BTreeMap<(String, String), Vec<String>>;

#[derive(Debug, Default)]
struct Graphs {
    /// parent module → sibling → siblings it names.
    edges: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>>,
    /// (parent, (from, to)) → where.
    evidence: BTreeMap<ModPath, Evidence>,
}

fn graphs(files: &[(String, String)]) -> Graphs {
    let mut modules = BTreeMap::new();
    let mut references = Vec::new();
    for (relative, text) in files {
        read_file(relative, text, &mut modules, &mut references);
    }
    let krate = Crate { modules };
    let mut graphs = Graphs::default();
    for reference in &references {
        let Some(absolute) = krate.absolute(&reference.scope, &reference.path, 0) else {
            continue;
        };
        let target = krate.resolve(absolute, 0);
        let from = &reference.file_module;
        let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
        let (Some(a), Some(b)) = (from.get(common), target.get(common)) else {
            continue; // an ancestor's item, or the module itself
        };
        let Some(sibling) = target.get(..=common) else {
            continue;
        };
        if !krate.modules.contains_key(sibling) {
            continue; // an item of the parent, not a sibling module
        }
        let parent = from.get(..common).unwrap_or(&[]).to_vec();
        graphs
            .edges
            .entry(parent.clone())
            .or_default()
            .entry(a.clone())
            .or_default()
            .insert(b.clone());
        graphs
            .evidence
            .entry(parent)
            .or_default()
            .entry((a.clone(), b.clone()))
            .or_default()
            .push(format!(
                "{}:{}: {}",
                reference.file,
                reference.line,
                reference.path.join("::")
            ));
    }
    graphs
}

/// A shortest cycle through each strongly connected group of siblings: `[a, b, a]`.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&str> = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            for next in graph.get(node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
        seen
    };
    let mut found = Vec::new();
    let mut covered = BTreeSet::new();
    for node in graph.keys() {
        if covered.contains(node) || !reach(node).contains(node) {
            continue;
        }
        // Shortest way back to `node` (breadth-first).
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue: VecDeque<&str> = VecDeque::from([node.as_str()]);
        'search: while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flatten() {
                if next == node {
                    let mut cycle = vec![node.clone()];
                    let mut back = at;
                    while back != node {
                        cycle.push(back.to_string());
                        back = came_from.get(back).copied().unwrap_or(node);
                    }
                    cycle.push(node.clone());
                    cycle.reverse();
                    // Everything on a cycle with `node` is reported with it.
                    let reach_node = reach(node);
                    for other in &reach_node {
                        if reach(other).contains(node) {
                            covered.insert(other.clone());
                        }
                    }
                    found.push(cycle);
                    break 'search;
                }
                if !came_from.contains_key(next.as_str()) && next != node {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
    }
    found
}

/// Every cycle, one line per edge with the paths behind it.
fn report(files: &[(String, String)]) -> Vec<String> {
    let graphs = graphs(files);
    let mut out = Vec::new();
    for (parent, graph) in &graphs.edges {
        let parent_name = if parent.is_empty() {
            "the crate root".to_string()
        } else {
            format!("`{}`", parent.join("::"))
        };
        for cycle in cycles(graph) {
            let mut text = format!("import cycle inside {parent_name}: {}", cycle.join(" → "));
            for pair in cycle.windows(2) {
                let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
                    continue;
                };
                text.push_str(&format!("\n  {a} → {b}:"));
                let why = graphs
                    .evidence
                    .get(parent)
                    .and_then(|e| e.get(&(a.clone(), b.clone())));
                for line in why.into_iter().flatten().take(4) {
                    text.push_str(&format!("\n    {line}"));
                }
            }
            out.push(text);
        }
    }
    out
}

fn rust_files(src: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path
                .strip_prefix(src)
                .unwrap_or(&path)
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, fs::read_to_string(&path).unwrap_or_default()));
        }
    }
}

#[test]
fn modules_import_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    files.sort();
    assert!(files.len() > 10, "no sources under {}", src.display());
    // The check sees the nested levels (a reader that found no paths would pass vacuously).
    let seen = graphs(&files);
    assert!(
        seen.edges.keys().any(|parent| parent.len() >= 2),
        "no edges found two levels down: {:?}",
        seen.edges.keys().collect::<Vec<_>>()
    );
    let cycles = report(&files);
    assert!(cycles.is_empty(), "{}", cycles.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// The checker's own tests, on synthetic crates.

fn synthetic(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn checker_finds_a_cycle_two_levels_down_through_a_brace_import() {
    let files = synthetic(&[
        ("lib.rs", "mod a;\n"),
        ("a/mod.rs", "mod b;\n"),
        ("a/b/mod.rs", "mod x;\nmod y;\npub(crate) struct P;\n"),
        (
            "a/b/x.rs",
            "use super::{P, y::{self, Z}};\npub(super) struct W;\n",
        ),
        ("a/b/y.rs", "use super::x::W;\npub(super) struct Z;\n"),
    ]);
    let cycles = report(&files);
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    let first = cycles.first().map(String::as_str).unwrap_or("");
    assert!(
        first.starts_with("import cycle inside `a::b`: x → y → x"),
        "{first}"
    );
    assert!(first.contains("a/b/x.rs:1: super::y"), "{first}");
    assert!(first.contains("a/b/y.rs:1: super::x::W"), "{first}");
}

#[test]
fn checker_follows_inline_paths_super_super_and_root_re_exports() {
    // `a::p::q` names `crate::Thing`, which the root re-exports from `a::r`; `a::r` names
    // `a::p` through `super::super::a::p` in an expression.
    let files = synthetic(&[
        ("lib.rs", "mod a;\npub use a::Thing;\n"),
        ("a/mod.rs", "mod p;\nmod r;\npub use r::Thing;\n"),
        ("a/p/mod.rs", "mod q;\npub(crate) fn f() {}\n"),
        ("a/p/q.rs", "fn g() -> crate::Thing { todo!() }\n"),
        (
            "a/r.rs",
            "pub struct Thing;\nfn h() { super::super::a::p::f(); }\n",
        ),
    ]);
    let cycles = report(&files);
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    let first = cycles.first().map(String::as_str).unwrap_or("");
    assert!(
        first.starts_with("import cycle inside `a`: p → r → p"),
        "{first}"
    );
}

#[test]
fn checker_ignores_comments_strings_and_inline_test_modules_own_super() {
    let files = synthetic(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "// use crate::b::X;\n/* crate::b::X /* nested */ crate::b::X */\n\
             const S: &str = \"crate::b::X\";\nconst R: &str = r#\"crate::b::X\"#;\n\
             const C: char = '\"'; fn f<'a>(x: &'a str) -> &'a str { x }\n\
             pub struct Y;\n#[cfg(test)]\nmod tests { use super::*; fn t() { super::Y; } }\n",
        ),
        ("b.rs", "use crate::a::Y;\npub struct X;\n"),
    ]);
    assert_eq!(report(&files), Vec::<String>::new());
}
