//! The atoms a set of rules tests, and the requests built from them: for each tested header,
//! absent, empty, each tested value, and a value containing exactly each subset of the tested
//! values; likewise (more coarsely) for the method, URL path and query. Evaluating the rules over
//! these requests decides whether a rule can be true, is always true, and which policies a request
//! reaches.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use crate::ast::{Expr, ExprKind, Qualifier, Side, Value};
use crate::compile::NamedExpressions;
use crate::eval::HeaderList;
use crate::syntax::{ParseOptions, is_advanced, parse_with};

/// The most requests an enumeration may build; beyond it a question is left undecided.
pub(super) const MAX_REQUESTS: usize = 4096;

/// A value no rule tests.
const OTHER: &str = "nsexpr-lint-other";

/// Candidates for the character that joins header values: the first one no tested value contains
/// is used. Not a blank, which an advanced named expression would trim away.
const SEPARATORS: [char; 6] = ['|', ';', '~', '^', '#', '\u{1}'];

/// The atoms tested, by kind.
#[derive(Debug, Default)]
pub(super) struct Atoms {
    /// Lower-cased header name → (name as first written, values tested).
    headers: BTreeMap<String, (String, BTreeSet<String>)>,
    methods: BTreeSet<String>,
    paths: BTreeSet<String>,
    queries: BTreeSet<String>,
}

impl Atoms {
    /// Adds the atoms of a rule and, transitively, of the named expressions it uses.
    pub(super) fn add_expr(&mut self, expr: &Expr, names: &NamedExpressions) {
        let options = ParseOptions::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut pending: Vec<Expr> = vec![expr.clone()];
        while let Some(expr) = pending.pop() {
            expr.walk(&mut |node| match &node.kind {
                ExprKind::Simple(simple) => {
                    let text = match &simple.value {
                        Some(Value::Text(t)) => Some(t.clone()),
                        _ => None,
                    };
                    self.add_simple(simple.qualifier, simple.header.as_deref(), text);
                }
                ExprKind::Name(name) if seen.insert(name.to_ascii_lowercase()) => {
                    if let Some(body) = names
                        .lookup(name, false)
                        .filter(|d| !is_advanced(d.text()))
                        .and_then(|d| d.parse(&options).ok())
                    {
                        pending.push(body);
                    }
                }
                _ => {}
            });
        }
    }

    /// Adds the atoms of a classic rule text; advanced or unparsable texts add none.
    pub(super) fn add_text(&mut self, text: &str, names: &NamedExpressions) {
        if is_advanced(text) {
            return;
        }
        if let Ok(parsed) = parse_with(text, &ParseOptions::default()) {
            self.add_expr(&parsed.expr, names);
        }
    }

    fn add_simple(&mut self, qualifier: Qualifier, header: Option<&str>, value: Option<String>) {
        match qualifier {
            Qualifier::Header(Side::Req) => {
                let Some(header) = header else { return };
                let entry = self
                    .headers
                    .entry(header.to_ascii_lowercase())
                    .or_insert_with(|| (header.to_owned(), BTreeSet::new()));
                entry.1.extend(value);
            }
            Qualifier::Method => self.methods.extend(value),
            Qualifier::Url => self.paths.extend(value),
            Qualifier::UrlQuery => self.queries.extend(value),
            _ => {}
        }
    }

    /// Every request built from the atoms, or `None` when there would be more than
    /// [`MAX_REQUESTS`].
    pub(super) fn requests(&self) -> Option<Vec<Synthetic>> {
        let mut methods: Vec<String> = vec!["GET".to_owned(), "POST".to_owned()];
        methods.extend(self.methods.iter().cloned());
        // So that `METHOD != GET && METHOD != POST` can be true.
        methods.push(OTHER.to_ascii_uppercase());
        methods.dedup();
        let mut paths: Vec<String> = vec!["/".to_owned()];
        for pattern in &self.paths {
            let pattern = if pattern.starts_with('/') {
                pattern.clone()
            } else {
                format!("/{pattern}")
            };
            // A `*` is a wildcard in some pattern shapes and a literal character in others.
            if pattern.contains('*') {
                paths.push(pattern.replace('*', "x"));
            }
            paths.push(pattern);
        }
        paths.push(format!("/{OTHER}"));
        let mut queries: Vec<Option<String>> = vec![None];
        if !self.queries.is_empty() {
            queries.extend(self.queries.iter().cloned().map(Some));
            queries.push(Some(OTHER.to_owned()));
        }
        let mut header_choices: Vec<(&str, Vec<Option<String>>)> = Vec::new();
        for (name, values) in self.headers.values() {
            header_choices.push((name.as_str(), header_values(values)?));
        }
        let mut total = methods
            .len()
            .saturating_mul(paths.len())
            .saturating_mul(queries.len());
        for (_, choices) in &header_choices {
            total = total.saturating_mul(choices.len());
        }
        if total > MAX_REQUESTS {
            return None;
        }
        let mut requests = Vec::with_capacity(total);
        for index in 0..total {
            let mut rest = index;
            let mut pick = |len: usize| {
                let chosen = rest % len.max(1);
                rest /= len.max(1);
                chosen
            };
            let method = methods
                .get(pick(methods.len()))
                .cloned()
                .unwrap_or_default();
            let path = paths.get(pick(paths.len())).cloned().unwrap_or_default();
            let query = queries.get(pick(queries.len())).cloned().flatten();
            let target = match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            let mut headers = Vec::new();
            for (name, choices) in &header_choices {
                if let Some(Some(value)) = choices.get(pick(choices.len())) {
                    headers.push(((*name).to_owned(), value.clone()));
                }
            }
            requests.push(Synthetic {
                method,
                target,
                headers,
            });
        }
        Some(requests)
    }
}

/// A header's choices: absent, empty, each tested value itself, and for every subset of the
/// tested values a value containing exactly those, each followed by a separator that no tested
/// value contains (so it equals none of them, and no other tested value appears across a join).
/// Any header value agrees with one of these on every `==`, `!=`, `CONTAINS`, `NOTCONTAINS`,
/// `CONTENTS`, `EXISTS` and `NOTEXISTS` test of those values, which is what makes "false on every
/// choice" mean "false on every request". `None` when there would be more than
/// [`MAX_REQUESTS`].
fn header_values(values: &BTreeSet<String>) -> Option<Vec<Option<String>>> {
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    let subsets = u32::try_from(values.len())
        .ok()
        .and_then(|n| 1usize.checked_shl(n))
        .filter(|&n| n <= MAX_REQUESTS)?;
    let separator = SEPARATORS
        .into_iter()
        .find(|&c| !values.iter().any(|v| v.contains(c)))
        .unwrap_or('|');
    let mut choices = Vec::with_capacity(2 + values.len() + subsets);
    choices.push(None);
    choices.push(Some(String::new()));
    choices.extend(
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Some((*v).to_owned())),
    );
    for mask in 0..subsets {
        let mut text = String::new();
        for (i, value) in values.iter().enumerate() {
            if (mask >> i) & 1 == 1 {
                text.push_str(value);
                text.push(separator);
            }
        }
        if text.is_empty() {
            text.push(separator);
        }
        choices.push(Some(text));
    }
    Some(choices)
}

/// A request built from atoms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Synthetic {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Synthetic {
    /// The request as a view for the evaluator.
    pub(super) fn view(&self) -> HeaderList<'_, String, String> {
        HeaderList::new(&self.method, &self.target, &self.headers)
    }
}

impl fmt::Display for Synthetic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.target)?;
        if self.headers.is_empty() {
            return f.write_str(" without headers");
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            let lead = if i == 0 { " with " } else { ", " };
            write!(f, "{lead}{name}: \"{value}\"")?;
        }
        Ok(())
    }
}
