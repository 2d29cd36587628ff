//! Runs `tests/data/parse.toml`: valid rules print their canonical form (D15) and produce the
//! listed lints; invalid rules fail with the listed error kind at the listed byte span.

use nsexpr::syntax::{ParseOptions, parse_with};

fn table() -> toml::Table {
    let text = include_str!("data/parse.toml");
    text.parse::<toml::Table>()
        .expect("tests/data/parse.toml is valid TOML")
}

fn cases<'a>(table: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    table
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_table()).collect())
        .unwrap_or_default()
}

fn str_field<'a>(case: &'a toml::Table, key: &str) -> &'a str {
    case.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("{key} missing in {case:?}"))
}

/// The variant name of a `Debug`-printed kind: `UnknownQualifier("x")` -> `UnknownQualifier`.
fn variant(debug: &str) -> &str {
    debug.split(['(', ' ', '{']).next().unwrap_or(debug)
}

#[test]
fn valid_rules() {
    let table = table();
    let valid = cases(&table, "valid");
    assert!(valid.len() >= 60, "at least 60 valid cases");
    for case in valid {
        let rule = str_field(case, "rule");
        let canonical = str_field(case, "canonical");
        let parsed = parse_with(rule, &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{rule:?} should parse:\n{e}"));
        assert_eq!(
            parsed.expr.to_string(),
            canonical,
            "canonical form of {rule:?}"
        );
        let again = parse_with(canonical, &ParseOptions::default())
            .unwrap_or_else(|e| panic!("canonical {canonical:?} should parse:\n{e}"));
        assert!(again.expr.same_as(&parsed.expr), "round trip of {rule:?}");
        let want: Vec<String> = case
            .get("lints")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let got: Vec<String> = parsed
            .lints
            .iter()
            .map(|l| format!("{:?}", l.kind))
            .collect();
        assert_eq!(got, want, "lints of {rule:?}");
    }
}

#[test]
fn invalid_rules() {
    let table = table();
    let invalid = cases(&table, "invalid");
    assert!(invalid.len() >= 40, "at least 40 invalid cases");
    for case in invalid {
        let rule = str_field(case, "rule");
        let kind = str_field(case, "kind");
        let _decision = str_field(case, "decision");
        let start = case.get("start").and_then(|v| v.as_integer());
        let end = case.get("end").and_then(|v| v.as_integer());
        let err = match parse_with(rule, &ParseOptions::default()) {
            Ok(p) => panic!("{rule:?} should fail, parsed as {}", p.expr),
            Err(e) => e,
        };
        let debug = format!("{:?}", err.kind());
        assert_eq!(variant(&debug), kind, "kind for {rule:?}:\n{err}");
        let span = err.span();
        let got = (i64::try_from(span.start).ok(), i64::try_from(span.end).ok());
        assert_eq!(got, (start, end), "span for {rule:?}:\n{err}");
        assert!(err.to_string().contains('^'), "caret in {err}");
    }
}
