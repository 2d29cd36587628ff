//! The atoms a set of rules tests, and the requests built from them: for each tested header,
//! absent, empty, each tested value, and a value containing exactly each subset of the tested
//! values (behind a tested prefix, before a tested suffix, or as the earlier of two instances,
//! when advanced tests ask for it); likewise for the advanced URL, and more coarsely for the
//! method, classic URL path and query. Evaluating the rules over these requests decides whether a
//! rule can be true, is always true, and which policies a request reaches.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use crate::ast::{Expr, ExprKind, Operator, Qualifier, Side, Value};
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

/// What a text test of an advanced rule compares (`NE` is the negation of `EQ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextKind {
    /// `EXISTS`: presence, no value.
    Exists,
    /// `CONTAINS(v)`.
    Contains,
    /// `EQ(v)` or `NE(v)`.
    Equals,
    /// `STARTSWITH(v)`.
    StartsWith,
    /// `ENDSWITH(v)`.
    EndsWith,
}

/// A test of an advanced rule that the atom requests decide exactly (see
/// [`super::advanced`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Test {
    /// A test of `HTTP.REQ.HEADER("name")`.
    Header {
        /// The header name as written.
        name: String,
        /// What it compares.
        kind: TextKind,
        /// Under `SET_TEXT_MODE(IGNORECASE)`.
        caseless: bool,
        /// The literal (empty for `EXISTS`).
        value: String,
    },
    /// `HTTP.REQ.METHOD.EQ(m)` or `.NE(m)`.
    Method {
        /// The method as written.
        value: String,
        /// An unquoted method word, compared caselessly (D29).
        caseless: bool,
    },
    /// A test of `HTTP.REQ.URL` or of `HTTP.REQ.URL.PATH`.
    Url {
        /// `URL.PATH` rather than the whole target.
        path: bool,
        /// What it compares (never `Exists`).
        kind: TextKind,
        /// Under `SET_TEXT_MODE(IGNORECASE)`.
        caseless: bool,
        /// The literal.
        value: String,
    },
}

/// Which instances of a repeated header a test reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Instances {
    /// Some instance (advanced `CONTAINS`, D26).
    Any,
    /// The last one (classic tests, D6; advanced `EQ`, `STARTSWITH`, `ENDSWITH`, D26).
    Last,
}

/// The tests of one header (or of the URL), from which its values are built.
#[derive(Debug, Default)]
struct Domain {
    /// Every value tested.
    values: BTreeSet<String>,
    /// Values tested with `STARTSWITH`.
    starts: BTreeSet<String>,
    /// Values tested with `ENDSWITH`.
    ends: BTreeSet<String>,
    /// Substring tests (`CONTAINS`, `STARTSWITH`, `ENDSWITH`) comparing exact bytes.
    exact_substring: bool,
    /// Substring tests ignoring case (classic `CONTAINS`, advanced ones under IGNORECASE).
    caseless_substring: bool,
    /// Equality tests comparing exact bytes (classic `==`, advanced `EQ`).
    exact_equals: bool,
    /// Equality tests ignoring case.
    caseless_equals: bool,
    /// Tests that read some instance of a repeated header.
    any_instance: bool,
    /// Tests that read the last instance.
    last_instance: bool,
}

impl Domain {
    fn record(&mut self, kind: TextKind, caseless: bool, value: &str, instances: Instances) {
        if kind == TextKind::Exists {
            return;
        }
        self.values.insert(value.to_owned());
        match kind {
            TextKind::Exists => {}
            TextKind::Equals if caseless => self.caseless_equals = true,
            TextKind::Equals => self.exact_equals = true,
            TextKind::StartsWith => {
                self.starts.insert(value.to_owned());
            }
            TextKind::EndsWith => {
                self.ends.insert(value.to_owned());
            }
            TextKind::Contains => {}
        }
        if kind != TextKind::Equals {
            if caseless {
                self.caseless_substring = true;
            } else {
                self.exact_substring = true;
            }
        }
        match instances {
            Instances::Any => self.any_instance = true,
            Instances::Last => self.last_instance = true,
        }
    }

    /// Whether the built values stand for every value: they do when all substring tests compare
    /// the same way (then a value and the built one with the same tested parts agree), and
    /// caseless equality is not mixed with exact tests (`EQ("abc")` exactly and ignoring case
    /// differ on `ABC`, which is built only if tested).
    fn decided(&self) -> bool {
        !(self.exact_substring && (self.caseless_substring || self.caseless_equals))
            && !(self.caseless_equals && self.exact_equals)
    }

    /// The values one instance may take: absent, empty, each tested value itself, and for every
    /// subset of the tested values a value containing exactly those, each followed by a separator
    /// that no tested value contains (so it equals none of them, and no other tested value
    /// appears across a join). With `STARTSWITH`/`ENDSWITH` tests, also each such value behind a
    /// separator, or behind one of the tested prefixes and a separator, and before one of the
    /// tested suffixes: a value starts with exactly the tested prefixes of its longest tested
    /// prefix, and so does the built one. Any value agrees with one of these on every `==`, `!=`,
    /// `CONTAINS`, `NOTCONTAINS`, `CONTENTS`, `EXISTS`, `NOTEXISTS`, `EQ`, `NE`, `STARTSWITH`
    /// and `ENDSWITH` test of those values (as long as [`Domain::decided`]), which is what makes
    /// "false on every choice" mean "false on every request". The subset values come second in
    /// the pair. `None` when there would be more than [`MAX_REQUESTS`].
    fn single(&self) -> Option<(Vec<Option<String>>, Vec<String>)> {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        let subsets = u32::try_from(values.len())
            .ok()
            .and_then(|n| 1usize.checked_shl(n))
            .filter(|&n| n <= MAX_REQUESTS)?;
        let separator = SEPARATORS
            .into_iter()
            .find(|&c| !values.iter().any(|v| v.contains(c)))
            .unwrap_or('|');
        let mut joined = Vec::with_capacity(subsets);
        for mask in 0..subsets {
            let mut text = String::new();
            for (i, value) in values.iter().enumerate() {
                if (mask >> i) & 1 == 1 {
                    text.push_str(value);
                    text.push(separator);
                }
            }
            joined.push(text);
        }
        let mut choices = Vec::with_capacity(2 + values.len() + subsets);
        choices.push(None);
        choices.push(Some(String::new()));
        choices.extend(
            values
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| Some((*v).to_owned())),
        );
        choices.extend(joined.iter().map(|text| {
            Some(if text.is_empty() {
                separator.to_string()
            } else {
                text.clone()
            })
        }));
        if !self.starts.is_empty() || !self.ends.is_empty() {
            let edges = |set: &BTreeSet<String>| -> Vec<String> {
                std::iter::once(String::new())
                    .chain(set.iter().filter(|v| !v.is_empty()).cloned())
                    .collect()
            };
            let (starts, ends) = (edges(&self.starts), edges(&self.ends));
            let more = starts
                .len()
                .saturating_mul(ends.len())
                .saturating_mul(subsets);
            if choices.len().saturating_add(more) > MAX_REQUESTS {
                return None;
            }
            for start in &starts {
                for end in &ends {
                    for text in &joined {
                        choices.push(Some(format!("{start}{separator}{text}{end}")));
                    }
                }
            }
        }
        Some((choices, joined))
    }

    /// The instance lists a header may have: each single value, and, when some tests read any
    /// instance and others the last, two instances: a value containing exactly a subset of the
    /// tested values, then any single value (whatever the instances before the last contain, one
    /// instance containing the same tested values stands for them). `None` when the values do
    /// not stand for every request ([`Domain::decided`]) or there would be more than
    /// [`MAX_REQUESTS`].
    fn choices(&self) -> Option<Vec<Vec<String>>> {
        if !self.decided() {
            return None;
        }
        let (single, joined) = self.single()?;
        let mut choices: Vec<Vec<String>> = single
            .iter()
            .map(|value| value.iter().cloned().collect())
            .collect();
        if self.any_instance && self.last_instance {
            let more = joined.len().saturating_mul(single.len());
            if choices.len().saturating_add(more) > MAX_REQUESTS {
                return None;
            }
            for before in &joined {
                for last in single.iter().flatten() {
                    choices.push(vec![before.clone(), last.clone()]);
                }
            }
        }
        Some(choices)
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The atoms tested, by kind.
#[derive(Debug, Default)]
pub(super) struct Atoms {
    /// Lower-cased header name → (name as first written, its tests).
    headers: BTreeMap<String, (String, Domain)>,
    methods: BTreeSet<String>,
    /// Methods an advanced rule compares exactly (a quoted `METHOD.EQ("GET")`, D29).
    exact_methods: BTreeSet<String>,
    paths: BTreeSet<String>,
    queries: BTreeSet<String>,
    /// Advanced tests of the URL.
    url: Domain,
    /// Whether advanced rules test `HTTP.REQ.URL`, and `HTTP.REQ.URL.PATH`.
    url_whole: bool,
    url_path: bool,
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
                    self.add_simple(simple.qualifier, simple.op, simple.header.as_deref(), text);
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

    /// Adds the tests of an advanced rule.
    pub(super) fn add_tests(&mut self, tests: &[Test]) {
        for test in tests {
            match test {
                Test::Header {
                    name,
                    kind,
                    caseless,
                    value,
                } => {
                    let instances = if *kind == TextKind::Contains {
                        Instances::Any
                    } else {
                        Instances::Last
                    };
                    self.header(name).record(*kind, *caseless, value, instances);
                }
                Test::Method { value, caseless } => {
                    self.methods.insert(value.clone());
                    if !caseless {
                        self.exact_methods.insert(value.clone());
                    }
                }
                Test::Url {
                    path,
                    kind,
                    caseless,
                    value,
                } => {
                    if *path {
                        self.url_path = true;
                    } else {
                        self.url_whole = true;
                    }
                    self.url.record(*kind, *caseless, value, Instances::Last);
                }
            }
        }
    }

    fn header(&mut self, name: &str) -> &mut Domain {
        &mut self
            .headers
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| (name.to_owned(), Domain::default()))
            .1
    }

    fn add_simple(
        &mut self,
        qualifier: Qualifier,
        op: Option<Operator>,
        header: Option<&str>,
        value: Option<String>,
    ) {
        match qualifier {
            Qualifier::Header(Side::Req) => {
                let Some(header) = header else { return };
                let domain = self.header(header);
                match (op, value) {
                    // Classic CONTAINS ignores case, `==` compares bytes (D8); both read the
                    // last instance (D6).
                    (Some(Operator::Contains | Operator::NotContains), Some(value)) => {
                        domain.record(TextKind::Contains, true, &value, Instances::Last);
                    }
                    (Some(Operator::Eq | Operator::Ne), Some(value)) => {
                        domain.record(TextKind::Equals, false, &value, Instances::Last);
                    }
                    (Some(Operator::Exists | Operator::NotExists), _) => {}
                    (_, value) => {
                        domain.values.extend(value);
                        domain.last_instance = true;
                    }
                }
            }
            Qualifier::Method => self.methods.extend(value),
            Qualifier::Url => self.paths.extend(value),
            Qualifier::UrlQuery => self.queries.extend(value),
            _ => {}
        }
    }

    /// The methods to build: GET, POST, each tested one and one nobody tests; with exact method
    /// tests also each tested method in lower, upper and capitalised case. `None` when a tested
    /// method has no built spelling that an exact test does not name.
    fn methods(&self) -> Option<Vec<String>> {
        let mut methods: Vec<String> = vec!["GET".to_owned(), "POST".to_owned()];
        methods.extend(self.methods.iter().cloned());
        if !self.exact_methods.is_empty() {
            let variants: Vec<String> = methods
                .iter()
                .flat_map(|m| {
                    let lower = m.to_ascii_lowercase();
                    let mut chars = lower.chars();
                    let capital: String = chars
                        .next()
                        .map(|c| c.to_ascii_uppercase())
                        .into_iter()
                        .chain(chars)
                        .collect();
                    [lower.clone(), m.to_ascii_uppercase(), capital]
                })
                .collect();
            for variant in variants {
                if !methods.contains(&variant) {
                    methods.push(variant);
                }
            }
            // A method spelt like an exact test in another case must have a built stand-in.
            let stand_in = |exact: &String| {
                methods
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(exact) && !self.exact_methods.contains(m))
            };
            if !self.exact_methods.iter().all(stand_in) {
                return None;
            }
        }
        // So that `METHOD != GET && METHOD != POST` can be true.
        methods.push(OTHER.to_ascii_uppercase());
        methods.dedup();
        Some(methods)
    }

    /// The request targets to build: from the advanced URL tests when there are some (only of
    /// the whole URL or only of its path: a test of each may tell a path from a query), else
    /// each tested path and query or another.
    fn targets(&self) -> Option<Vec<String>> {
        if self.url_whole || self.url_path || !self.url.is_empty() {
            if (self.url_whole && self.url_path)
                || !self.paths.is_empty()
                || !self.queries.is_empty()
            {
                return None;
            }
            let choices = self.url.choices()?;
            return Some(
                choices
                    .into_iter()
                    .filter_map(|c| c.last().cloned())
                    .collect(),
            );
        }
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
        let mut targets = Vec::with_capacity(paths.len().saturating_mul(queries.len()));
        for query in &queries {
            for path in &paths {
                targets.push(match query {
                    Some(q) => format!("{path}?{q}"),
                    None => path.clone(),
                });
            }
        }
        Some(targets)
    }

    /// Every request built from the atoms, or `None` when there would be more than
    /// [`MAX_REQUESTS`] or the built requests would not stand for every request (see
    /// [`Domain::decided`]).
    pub(super) fn requests(&self) -> Option<Vec<Synthetic>> {
        let methods = self.methods()?;
        let targets = self.targets()?;
        let mut header_choices: Vec<(&str, Vec<Vec<String>>)> = Vec::new();
        for (name, domain) in self.headers.values() {
            header_choices.push((name.as_str(), domain.choices()?));
        }
        let mut total = methods.len().saturating_mul(targets.len());
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
            let target = targets
                .get(pick(targets.len()))
                .cloned()
                .unwrap_or_default();
            let mut headers = Vec::new();
            for (name, choices) in &header_choices {
                if let Some(instances) = choices.get(pick(choices.len())) {
                    for value in instances {
                        headers.push(((*name).to_owned(), value.clone()));
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: TextKind, caseless: bool, value: &str) -> Test {
        Test::Header {
            name: name.to_owned(),
            kind,
            caseless,
            value: value.to_owned(),
        }
    }

    /// The instance lists built for header `X`.
    fn instances(tests: &[Test]) -> Option<Vec<Vec<String>>> {
        let mut atoms = Atoms::default();
        atoms.add_tests(tests);
        let requests = atoms.requests()?;
        let mut out: Vec<Vec<String>> = Vec::new();
        for request in requests {
            let values: Vec<String> = request
                .headers
                .iter()
                .filter(|(n, _)| n == "X")
                .map(|(_, v)| v.clone())
                .collect();
            if !out.contains(&values) {
                out.push(values);
            }
        }
        Some(out)
    }

    #[test]
    fn classic_tests_build_the_same_values_as_before() {
        let mut atoms = Atoms::default();
        let expr = crate::syntax::parse_with(
            "REQ.HTTP.HEADER X CONTAINS abc && REQ.HTTP.HEADER X != xyz",
            &ParseOptions::default(),
        )
        .map(|p| p.expr);
        atoms.add_expr(&expr.expect("parses"), &NamedExpressions::new());
        let requests = atoms.requests().expect("requests");
        // 3 methods, 2 paths, and for X: absent, "", 2 values, 4 subsets.
        assert_eq!(requests.len(), 3 * 2 * 8);
        let x: Vec<String> = requests
            .iter()
            .step_by(3 * 2)
            .map(|r| r.to_string())
            .collect();
        assert_eq!(
            x,
            [
                "GET / without headers",
                "GET / with X: \"\"",
                "GET / with X: \"abc\"",
                "GET / with X: \"xyz\"",
                "GET / with X: \"|\"",
                "GET / with X: \"abc|\"",
                "GET / with X: \"xyz|\"",
                "GET / with X: \"abc|xyz|\"",
            ]
        );
    }

    #[test]
    fn prefixes_and_suffixes_get_values_that_start_and_end_with_them_or_not() {
        let built = instances(&[
            header("X", TextKind::StartsWith, false, "ab"),
            header("X", TextKind::EndsWith, false, "yz"),
        ])
        .expect("decided");
        let values: Vec<&str> = built.iter().flatten().map(String::as_str).collect();
        for expected in ["ab", "yz", "|", "ab|", "|yz", "ab|yz", "|ab|yz|"] {
            assert!(values.contains(&expected), "{expected}: {values:?}");
        }
        // Without a prefix the value starts with the separator, so with no tested value.
        assert!(values.contains(&"|ab|"), "{values:?}");
    }

    #[test]
    fn a_header_read_by_any_and_by_the_last_instance_gets_two_instances() {
        let one = instances(&[header("X", TextKind::Contains, false, "a")]).expect("decided");
        assert!(one.iter().all(|i| i.len() <= 1), "{one:?}");
        let two = instances(&[
            header("X", TextKind::Contains, false, "a"),
            header("X", TextKind::Equals, false, "b"),
        ])
        .expect("decided");
        assert!(
            two.contains(&vec!["a|".to_owned(), "b".to_owned()]),
            "{two:?}"
        );
    }

    #[test]
    fn mixed_case_modes_leave_a_header_undecided() {
        assert!(
            instances(&[
                header("X", TextKind::Contains, true, "abc"),
                header("X", TextKind::Contains, false, "ab"),
            ])
            .is_none()
        );
        assert!(
            instances(&[
                header("X", TextKind::Equals, true, "abc"),
                header("X", TextKind::Equals, false, "abc"),
            ])
            .is_none()
        );
        // Caseless substrings with exact equality, as classic rules have them, are decided.
        assert!(
            instances(&[
                header("X", TextKind::Contains, true, "abc"),
                header("X", TextKind::Equals, false, "abc"),
            ])
            .is_some()
        );
    }

    #[test]
    fn exact_methods_get_other_spellings() {
        let method = |value: &str, caseless: bool| Test::Method {
            value: value.to_owned(),
            caseless,
        };
        let mut atoms = Atoms::default();
        atoms.add_tests(&[method("get", false), method("GET", true)]);
        let methods = atoms.methods().expect("decided");
        for spelling in ["GET", "get", "Get", "POST", "NSEXPR-LINT-OTHER"] {
            assert!(methods.iter().any(|m| m == spelling), "{methods:?}");
        }
        // Every spelling built is named by an exact test: another one stands for none.
        let mut atoms = Atoms::default();
        atoms.add_tests(&[
            method("GET", false),
            method("get", false),
            method("Get", false),
        ]);
        assert!(atoms.methods().is_none());
    }

    #[test]
    fn a_test_of_the_url_and_one_of_its_path_leave_the_target_undecided() {
        let url = |path: bool| Test::Url {
            path,
            kind: TextKind::Contains,
            caseless: false,
            value: "a=1".to_owned(),
        };
        let mut atoms = Atoms::default();
        atoms.add_tests(&[url(false)]);
        let targets = atoms.targets().expect("decided");
        assert!(targets.contains(&"a=1".to_owned()), "{targets:?}");
        atoms.add_tests(&[url(true)]);
        assert!(atoms.targets().is_none());
    }
}
