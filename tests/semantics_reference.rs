//! The semantics reference travels with the code: every decision id (`D7`) or reader rule
//! (`R3`) that a doc comment, message or other string in the sources cites must have its own
//! section in `docs/semantics.md`, so a reader on docs.rs or in a fresh clone can look it up;
//! and the sources should point at that file rather than at spec files outside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const REFERENCE: &str = "docs/semantics.md";

/// Source trees scanned: the library, and the command-line package once it has its own directory.
const SOURCE_DIRS: &[&str] = &["src", "cli/src"];

/// Spec files that live outside the repository; a source that names one leads nowhere.
const EXTERNAL_SPEC_FILES: &[&str] = &[
    "classic-language.md",
    "session-policies.md",
    "advanced-language.md",
    "clients.md",
    "performance.md",
    "style.md",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under the source trees, sorted, with its path relative to the crate root.
fn rust_sources() -> Vec<(String, String)> {
    let root = root();
    let mut pending: Vec<PathBuf> = SOURCE_DIRS
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| dir.is_dir())
        .collect();
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (relative(&root, &path), text)
        })
        .collect()
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    LineComment,
    BlockComment(usize),
    Str,
    RawStr(usize),
}

/// The source with everything that is neither a comment nor inside a string literal replaced by
/// blanks (line breaks kept), so identifiers in code never count as citations.
fn comments_and_strings(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut state = State::Code;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    while let Some(c) = at(i) {
        let keep = |out: &mut String, c: char| out.push(c);
        let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
        match state {
            State::Code => {
                if c == '/' && at(i + 1) == Some('/') {
                    state = State::LineComment;
                    out.push_str("  ");
                    i += 2;
                    continue;
                }
                if c == '/' && at(i + 1) == Some('*') {
                    state = State::BlockComment(1);
                    out.push_str("  ");
                    i += 2;
                    continue;
                }
                if c == '"' {
                    state = State::Str;
                    blank(&mut out, c);
                    i += 1;
                    continue;
                }
                // Raw strings: `r"…"`, `r#"…"#`, `br#"…"#`.
                if c == 'r' && !ident(i.checked_sub(1).and_then(at))
                    || c == 'b' && at(i + 1) == Some('r') && !ident(i.checked_sub(1).and_then(at))
                {
                    let start = if c == 'b' { i + 2 } else { i + 1 };
                    let mut hashes = 0;
                    while at(start + hashes) == Some('#') {
                        hashes += 1;
                    }
                    if at(start + hashes) == Some('"') {
                        for _ in i..=start + hashes {
                            out.push(' ');
                        }
                        state = State::RawStr(hashes);
                        i = start + hashes + 1;
                        continue;
                    }
                }
                // Character literals (`'"'`, `'\''`) must not open a string; lifetimes stay code.
                if c == '\'' {
                    let len = if at(i + 1) == Some('\\') {
                        (i + 2..chars.len())
                            .find(|&j| at(j) == Some('\''))
                            .map(|j| j + 1 - i)
                    } else if at(i + 2) == Some('\'') {
                        Some(3)
                    } else {
                        None
                    };
                    if let Some(len) = len {
                        for &skipped in chars.iter().skip(i).take(len) {
                            blank(&mut out, skipped);
                        }
                        i += len;
                        continue;
                    }
                }
                blank(&mut out, c);
            }
            State::LineComment => {
                if c == '\n' {
                    state = State::Code;
                }
                keep(&mut out, c);
            }
            State::BlockComment(depth) => {
                if c == '*' && at(i + 1) == Some('/') {
                    state = if depth == 1 {
                        State::Code
                    } else {
                        State::BlockComment(depth - 1)
                    };
                    out.push_str("  ");
                    i += 2;
                    continue;
                }
                if c == '/' && at(i + 1) == Some('*') {
                    state = State::BlockComment(depth + 1);
                    out.push_str("  ");
                    i += 2;
                    continue;
                }
                keep(&mut out, c);
            }
            State::Str => {
                if c == '\\'
                    && let Some(next) = at(i + 1)
                {
                    // An escape is a separator, so `\nD1` still reads as a citation of D1.
                    out.push(' ');
                    blank(&mut out, next);
                    i += 2;
                    continue;
                }
                if c == '"' {
                    state = State::Code;
                    blank(&mut out, c);
                } else {
                    keep(&mut out, c);
                }
            }
            State::RawStr(hashes) => {
                if c == '"' && (1..=hashes).all(|k| at(i + k) == Some('#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    state = State::Code;
                    i += hashes + 1;
                    continue;
                }
                keep(&mut out, c);
            }
        }
        i += 1;
    }
    out
}

/// Decision ids (`D<digits>`) and reader rules (`R<digits>`) standing as whole words in `text`.
fn cited_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut ids = Vec::new();
    for (start, &b) in bytes.iter().enumerate() {
        if b != b'D' && b != b'R' {
            continue;
        }
        if start > 0 && bytes.get(start - 1).is_some_and(|&p| word(p)) {
            continue;
        }
        let digits = bytes[start + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        let end = start + 1 + digits;
        if digits > 0 && !bytes.get(end).is_some_and(|&n| word(n)) {
            ids.push(text[start..end].to_owned());
        }
    }
    ids
}

fn reference() -> String {
    let path = root().join(REFERENCE);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ids that have a `## <id> ` section heading in the reference, with how often each occurs.
fn reference_sections(reference: &str) -> BTreeMap<String, usize> {
    let mut sections = BTreeMap::new();
    for line in reference.lines() {
        let Some(heading) = line.strip_prefix("## ") else {
            continue;
        };
        let Some((first, _)) = heading.split_once(' ') else {
            continue;
        };
        if cited_ids(first).first().is_some_and(|id| id == first) {
            *sections.entry(first.to_owned()).or_insert(0) += 1;
        }
    }
    sections
}

#[test]
fn every_cited_id_has_a_section_in_the_reference() {
    let sections = reference_sections(&reference());
    let mut missing = Vec::new();
    let mut cited = 0;
    for (file, source) in rust_sources() {
        for (number, line) in comments_and_strings(&source).lines().enumerate() {
            for id in cited_ids(line) {
                cited += 1;
                if !sections.contains_key(&id) {
                    missing.push(format!("{file}:{}: {id}", number + 1));
                }
            }
        }
    }
    assert!(cited > 0, "no decision ids found under {SOURCE_DIRS:?}");
    assert!(
        missing.is_empty(),
        "{REFERENCE} has no `## <id> ` section for these citations:\n{}",
        missing.join("\n")
    );
}

#[test]
fn reference_has_one_anchored_section_per_decision_and_reader_rule() {
    let reference = reference();
    let sections = reference_sections(&reference);
    let expected: BTreeSet<String> = (1..=35)
        .map(|n| format!("D{n}"))
        .chain((1..=6).map(|n| format!("R{n}")))
        .collect();
    let mut problems = Vec::new();
    for id in &expected {
        match sections.get(id) {
            None => problems.push(format!("{id}: no `## {id} — <title>` heading")),
            Some(&n) if n > 1 => problems.push(format!("{id}: {n} headings")),
            Some(_) => {}
        }
        let anchor = format!("<a id=\"{}\"></a>\n## {id} — ", id.to_ascii_lowercase());
        if !reference.contains(&anchor) {
            problems.push(format!(
                "{id}: the heading must be `## {id} — <title>` right after `<a id=\"{}\"></a>`",
                id.to_ascii_lowercase()
            ));
        }
    }
    for id in sections.keys().filter(|id| !expected.contains(*id)) {
        problems.push(format!("{id}: a section for an id that no decision has"));
    }
    assert!(problems.is_empty(), "{REFERENCE}:\n{}", problems.join("\n"));
}

#[test]

fn sources_point_at_the_reference_not_the_external_spec() {
    let mut stale = Vec::new();
    for (file, source) in rust_sources() {
        for (number, line) in source.lines().enumerate() {
            for spec in EXTERNAL_SPEC_FILES {
                if line.contains(spec) {
                    stale.push(format!("{file}:{}: {spec}", number + 1));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these lines point at spec files outside the repository; cite {REFERENCE} instead:\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_scanner_reads_comments_and_strings_only() {
    let source = r####"
        let D1 = R2; // cites D3
        /* D4 /* nested D5 */ still D6 */ let x = '"'; let y = "D7 and \"D8\"";
        let z = r#"raw "D9" text"#; fn f<'a>(s: &'a str) -> &'a str { s } // D10x D11
        let w = b"D12"; let q = '\''; let e = "\nD13";
    "####;
    let ids: Vec<String> = comments_and_strings(source)
        .lines()
        .flat_map(cited_ids)
        .collect();
    assert_eq!(
        ids,
        [
            "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D11", "D12", "D13"
        ]
    );
}
