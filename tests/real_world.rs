//! Every sourced real-world rule (`corpus/expressions/real-world.tsv`) parses, and its canonical
//! form (D15) is a fixpoint. Rows noted "unbalanced as printed" must fail with a clear error;
//! value expressions (a bare qualifier, or a note saying "value expression") fail in rule mode and
//! parse in value mode (section 3.2).

use nsexpr::syntax::{ParseErrorKind, ParseOptions, parse, parse_with};

const CORPUS: &str = include_str!("../corpus/expressions/real-world.tsv");

fn rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    CORPUS
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut cols = line.split('\t');
            let rule = cols.next().unwrap_or("");
            let _source = cols.next();
            (rule, cols.next().unwrap_or(""))
        })
}

fn is_value_expression(rule: &str, note: &str) -> bool {
    note.contains("value expression") || note.starts_with("bare qualifier") || {
        let value = ParseOptions {
            value_mode: true,
            ..ParseOptions::default()
        };
        matches!(parse_with(rule, &value), Ok(p) if matches!(
            &p.expr.kind,
            nsexpr::ast::ExprKind::Simple(s) if s.op.is_none()
        ))
    }
}

fn check_fixpoint(rule: &str, options: &ParseOptions) {
    let ast = parse_with(rule, options)
        .unwrap_or_else(|e| panic!("{rule}\n{e}"))
        .expr;
    let printed = ast.to_string();
    let again = parse_with(&printed, options)
        .unwrap_or_else(|e| panic!("canonical form of {rule:?} does not parse:\n{e}"))
        .expr;
    assert!(
        again.same_as(&ast),
        "{rule:?}: parse(print(ast)) differs\n{ast:#?}\n{again:#?}"
    );
    assert_eq!(
        again.to_string(),
        printed,
        "{rule:?}: printing is not a fixpoint"
    );
}

#[test]
fn corpus_rules() {
    let mut counts = (0, 0, 0, 0);
    for (rule, note) in rows() {
        if note.contains("unbalanced as printed") {
            let err = parse(rule).expect_err(rule);
            assert!(
                matches!(
                    err.kind(),
                    ParseErrorKind::UnexpectedCloseParen | ParseErrorKind::UnclosedParen
                ),
                "{rule}: {err}"
            );
            assert!(err.to_string().contains('^'));
            counts.0 += 1;
        } else if is_value_expression(rule, note) {
            if rule.to_ascii_uppercase().ends_with(" CONTENTS") {
                // `<qualifier> CONTENTS` is also a boolean rule (present and non-empty).
                check_fixpoint(rule, &ParseOptions::default());
                counts.3 += 1;
            } else {
                let err = parse(rule).expect_err(rule);
                assert_eq!(err.kind(), &ParseErrorKind::ValueExpression, "{rule}");
            }
            check_fixpoint(
                rule,
                &ParseOptions {
                    value_mode: true,
                    ..ParseOptions::default()
                },
            );
            counts.1 += 1;
        } else {
            check_fixpoint(rule, &ParseOptions::default());
            counts.2 += 1;
        }
    }
    assert_eq!(
        counts,
        (1, 5, 120, 4),
        "unbalanced, value expressions, rules, value expressions that are also rules"
    );
}

#[test]
fn headline_rule() {
    let rule =
        "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS";
    assert_eq!(
        parse(rule).map(|e| e.to_string()).ok().as_deref(),
        Some(rule)
    );
}
