//! D16: deep nesting and long rules give errors with positions, never a stack overflow, and take
//! time linear in the input (no timing assertions; the tests only have to finish).

use nsexpr::syntax::{MAX_NESTING_LIMIT, ParseErrorKind, ParseOptions, parse, parse_with};

#[test]
fn hundred_thousand_open_parens_is_too_deep() {
    let rule = "(".repeat(100_000);
    let err = parse(&rule).expect_err("too deep");
    assert_eq!(err.kind(), &ParseErrorKind::TooDeep(256));
    assert_eq!(err.span().start, 256, "the 257th `(` is at byte 256");
}

#[test]
fn balanced_deep_parens_are_too_deep_but_256_is_fine() {
    let deep = format!("{}ns_true{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(
        parse(&deep).expect_err("too deep").kind(),
        &ParseErrorKind::TooDeep(256)
    );
    let ok = format!("{}ns_true{}", "(".repeat(256), ")".repeat(256));
    assert_eq!(
        parse(&ok).map(|e| e.to_string()).ok().as_deref(),
        Some("ns_true")
    );
}

#[test]
fn deep_negation() {
    let rule = format!("{}ns_true", "!".repeat(100_000));
    let err = parse(&rule).expect_err("too deep");
    assert_eq!(err.kind(), &ParseErrorKind::TooDeep(256));
    let ok = format!("{}ns_true", "!".repeat(256));
    assert!(parse(&ok).is_ok());
    // Parentheses and `!` count together.
    let mixed = format!("{}ns_true{}", "!(".repeat(128), ")".repeat(128));
    assert!(parse(&mixed).is_ok());
    let mixed = format!("{}ns_true{}", "!(".repeat(129), ")".repeat(129));
    assert!(parse(&mixed).is_err());
}

#[test]
fn one_mebibyte_rule() {
    let unit = "REQ.HTTP.HEADER A EXISTS && ";
    let count = ((1 << 20) - "ns_true".len()) / unit.len();
    let mut rule = unit.repeat(count);
    rule.push_str("ns_true");
    assert!(rule.len() <= 1 << 20);
    match parse(&rule) {
        Ok(expr) => match &expr.kind {
            nsexpr::ast::ExprKind::And(items) => assert_eq!(items.len(), count + 1),
            other => panic!("expected a wide And, got {other:?}"),
        },
        Err(err) => assert_eq!(err.kind(), &ParseErrorKind::TooLong(1 << 20)),
    }
    // Printing and dropping a wide chain does not recurse deeply either.
    let printed = parse(&rule).map(|e| e.to_string()).unwrap_or_default();
    assert!(printed.len() > 1_000_000);
}

#[test]
fn over_the_limit_is_too_long() {
    let unit = "REQ.HTTP.HEADER A EXISTS || ";
    let rule = format!("{}ns_true", unit.repeat((1 << 20) / unit.len() + 1));
    let err = parse(&rule).expect_err("too long");
    assert_eq!(err.kind(), &ParseErrorKind::TooLong(1 << 20));
    assert_eq!(err.span().start, 1 << 20);
}

#[test]
fn long_mixed_chain_and_long_value() {
    let rule = "a && b || ".repeat(50_000) + "c";
    assert!(parse(&rule).is_ok());
    let value = "x".repeat(900_000);
    let rule = format!("REQ.HTTP.HEADER A CONTAINS {value}");
    assert!(parse(&rule).is_ok());
    let quoted = format!("REQ.HTTP.HEADER A CONTAINS '{value}");
    assert_eq!(
        parse(&quoted).expect_err("open quote").kind(),
        &ParseErrorKind::UnterminatedQuote
    );
}

#[test]
fn configurable_limits() {
    let options = ParseOptions {
        max_nesting: 2,
        ..ParseOptions::default()
    };
    assert!(parse_with("((a))", &options).is_ok());
    let err = parse_with("(((a)))", &options).expect_err("too deep");
    assert_eq!(
        (err.kind(), err.span().start),
        (&ParseErrorKind::TooDeep(2), 2)
    );
    let options = ParseOptions {
        max_input_len: 3,
        ..ParseOptions::default()
    };
    assert!(parse_with("abc", &options).is_ok());
    assert!(parse_with("abcd", &options).is_err());
}

#[test]
fn max_nesting_is_clamped_to_the_ceiling() {
    let options = ParseOptions {
        max_nesting: usize::MAX,
        ..ParseOptions::default()
    };
    let ok = format!("{}ns_true", "!".repeat(MAX_NESTING_LIMIT));
    assert!(parse_with(&ok, &options).is_ok());
    // The `(` is level 1, so the last `!` (at byte MAX_NESTING_LIMIT) is one level too many.
    let err = parse_with(&format!("({ok})"), &options).expect_err("too deep");
    assert_eq!(
        (err.kind(), err.span().start),
        (
            &ParseErrorKind::TooDeep(MAX_NESTING_LIMIT),
            MAX_NESTING_LIMIT
        )
    );
}

#[test]
fn epa_runs_and_unbalanced_groups_stay_linear() {
    let rule = "CLIENT.OS(a) EXISTS OR ".repeat(20_000) + "CLIENT.OS(b) EXISTS";
    assert!(parse(&rule).is_ok());
    let rule = "CLIENT.OS(a) EXISTS OR (".repeat(20_000);
    assert!(parse(&rule).is_err());
}
