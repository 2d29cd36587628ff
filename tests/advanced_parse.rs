//! Runs `tests/data/advanced_parse.toml`: valid advanced rules print their canonical form (D35),
//! which parses back to the same tree and prints identically; invalid rules fail with the listed
//! error kind at the listed byte span.

use nsexpr::syntax::advanced::{AdvParseOptions, parse_advanced, parse_advanced_with};

fn table() -> toml::Table {
    include_str!("data/advanced_parse.toml")
        .parse::<toml::Table>()
        .expect("tests/data/advanced_parse.toml is valid TOML")
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

/// The variant name of a `Debug`-printed kind: `InvalidEscape("\\q")` -> `InvalidEscape`.
fn variant(debug: &str) -> &str {
    debug.split(['(', ' ', '{']).next().unwrap_or(debug)
}

#[test]
fn table_is_large_and_cites_decisions() {
    let table = table();
    let all: Vec<_> = cases(&table, "valid")
        .into_iter()
        .chain(cases(&table, "invalid"))
        .collect();
    assert!(all.len() >= 120, "at least 120 cases, found {}", all.len());
    for case in all {
        let decision = str_field(case, "decision");
        assert!(decision.starts_with('D'), "decision of {case:?}");
    }
}

#[test]
fn valid_rules_print_canonically() {
    for case in cases(&table(), "valid") {
        let rule = str_field(case, "rule");
        let canonical = str_field(case, "canonical");
        let parsed = parse_advanced(rule).unwrap_or_else(|e| panic!("{rule:?} should parse:\n{e}"));
        assert_eq!(parsed.to_string(), canonical, "canonical form of {rule:?}");
        let again = parse_advanced(canonical)
            .unwrap_or_else(|e| panic!("canonical {canonical:?} should parse:\n{e}"));
        assert!(again.same_as(&parsed), "round trip of {rule:?}");
        assert_eq!(
            again.to_string(),
            canonical,
            "printing {rule:?} is idempotent"
        );
    }
}

#[test]
fn invalid_rules_fail_at_their_span() {
    for case in cases(&table(), "invalid") {
        let rule = str_field(case, "rule");
        let want = str_field(case, "error");
        let span: Vec<usize> = case
            .get("span")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_integer())
                    .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                    .collect()
            })
            .unwrap_or_default();
        let err = match parse_advanced_with(rule, &AdvParseOptions::default()) {
            Ok(p) => panic!("{rule:?} should fail, parsed as {}", p.expr),
            Err(e) => e,
        };
        let got = format!("{:?}", err.kind());
        assert_eq!(variant(&got), want, "error kind of {rule:?}:\n{err}");
        assert_eq!(
            [err.span().start, err.span().end],
            span.as_slice(),
            "span of {rule:?}:\n{err}"
        );
    }
}
