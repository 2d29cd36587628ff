//! Every sourced real advanced rule (`corpus/expressions/advanced.tsv`) parses, prints stably
//! (D35), and type-checks; rules using names outside our tables report each one as
//! `Unsupported` with a dotted path (D24).

use nsexpr::compile::advanced::{CheckOptions, check};
use nsexpr::syntax::advanced::parse_advanced;

const CORPUS: &str = include_str!("../corpus/expressions/advanced.tsv");

fn rows() -> Vec<(&'static str, &'static str)> {
    CORPUS
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            (cols.next().unwrap_or(""), cols.next().unwrap_or(""))
        })
        .collect()
}

#[test]
fn corpus_has_forty_sourced_rules() {
    let rows = rows();
    assert!(rows.len() >= 40, "at least 40 rules, found {}", rows.len());
    for (rule, source) in rows {
        assert!(!source.trim().is_empty(), "{rule} has a source");
    }
}

#[test]
fn every_rule_parses_prints_stably_and_checks() {
    for (rule, _) in rows() {
        let expr = parse_advanced(rule).unwrap_or_else(|e| panic!("{rule:?} should parse:\n{e}"));
        let printed = expr.to_string();
        let again = parse_advanced(&printed)
            .unwrap_or_else(|e| panic!("canonical {printed:?} should parse:\n{e}"));
        assert!(again.same_as(&expr), "round trip of {rule:?}");
        assert_eq!(again.to_string(), printed, "printing {rule:?} is stable");
        let checked = check(&expr, rule, &CheckOptions::default())
            .unwrap_or_else(|e| panic!("{rule:?} should type-check:\n{e}"));
        for unsupported in &checked.unsupported {
            let path = unsupported.path.as_str();
            assert!(
                path.contains('.') || path.chars().all(|c| c.is_ascii_uppercase()),
                "{rule:?}: unsupported path {path:?}"
            );
            assert!(
                rule.to_ascii_uppercase()
                    .contains(path.rsplit('.').next().unwrap_or(path)),
                "{rule:?}: {path:?} names a word of the rule"
            );
        }
    }
}
