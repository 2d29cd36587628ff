//! The atoms a set of rules tests, and the requests built from them: for each tested header,
//! absent, empty, each tested value, all tested values together, and none of them; likewise for
//! the method, URL path and query. Evaluating the rules over these requests decides whether a
//! rule can be true, is always true, and which policies a request reaches.

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
        methods.dedup();
        let mut paths: Vec<String> = vec!["/".to_owned()];
        paths.extend(self.paths.iter().map(|p| {
            let p = p.replace('*', "x");
            if p.starts_with('/') {
                p
            } else {
                format!("/{p}")
            }
        }));
        paths.push(format!("/{OTHER}"));
        let mut queries: Vec<Option<String>> = vec![None];
        if !self.queries.is_empty() {
            queries.extend(self.queries.iter().cloned().map(Some));
            queries.push(Some(OTHER.to_owned()));
        }
        let header_choices: Vec<(&str, Vec<Option<String>>)> = self
            .headers
            .values()
            .map(|(name, values)| (name.as_str(), header_values(values)))
            .collect();
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

/// A header's choices: absent, empty, each value, all values together, another value.
fn header_values(values: &BTreeSet<String>) -> Vec<Option<String>> {
    let mut choices = vec![None, Some(String::new())];
    choices.extend(values.iter().cloned().map(Some));
    if values.len() > 1 {
        choices.push(Some(values.iter().cloned().collect::<Vec<_>>().join(" ")));
    }
    choices.push(Some(OTHER.to_owned()));
    choices
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
