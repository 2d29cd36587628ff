//! Regression tests for the compile and eval bugs of issue 9 section 4: inputs that aborted the
//! process (stack overflows), grew exponentially, or gave a wrong verdict.

use nsexpr::ast::ExprKind;
use nsexpr::compile::CompileErrorKind;
use nsexpr::eval::{Clock, HeaderList};
use nsexpr::syntax::Precedence;
use nsexpr::{CompileOptions, Context, Error, Expr, NamedExpressions, Program, Span, Verdict};

const WITH_A: [(&str, &str); 1] = [("A", "x")];
const WITHOUT_A: [(&str, &str); 1] = [("B", "x")];

fn request<'r>(
    headers: &'r [(&'static str, &'static str)],
) -> HeaderList<'r, &'static str, &'static str> {
    HeaderList::new("GET", "/", headers)
}

#[test]
fn a_chain_of_50000_names_compiles_evaluates_and_explains() {
    const LINKS: usize = 50_000;
    let mut names = NamedExpressions::new();
    for k in 0..LINKS {
        names.define(&format!("e{k}"), &format!("e{}", k + 1));
    }
    names.define(&format!("e{LINKS}"), "REQ.HTTP.HEADER A EXISTS");
    let program = Program::builder()
        .names(&names)
        .build("e0")
        .expect("a long chain compiles");
    assert_eq!(program.eval(&request(&WITH_A)), Verdict::True);
    assert_eq!(program.eval(&request(&WITHOUT_A)), Verdict::False);
    let explained = program.explain(&request(&WITH_A));
    assert_eq!(explained.verdict, Some(Verdict::True));
    assert_eq!(explained.text(), "e0");
    // Each definition's text once, one line per link, and a deep tree cloned, compared and
    // printed without recursion.
    assert!(
        explained.held_bytes() < 16 * LINKS,
        "{}",
        explained.held_bytes()
    );
    assert!(explained.source().starts_with("e0\ne1\ne2\n"));
    let shown = explained.to_string();
    assert_eq!(shown.lines().count(), LINKS + 2);
    assert!(shown.len() < 200 * LINKS, "{} bytes", shown.len());
    assert!(shown.contains(&format!("[depth {LINKS}] └─ true    e{LINKS}\n")));
    let copy = explained.clone();
    assert_eq!(copy, explained);
    assert!(format!("{copy:?}").len() < 200 * LINKS);
}

#[test]
fn a_cycle_of_10000_names_is_a_cycle_error() {
    const NAMES: usize = 10_000;
    let mut names = NamedExpressions::new();
    for k in 0..NAMES {
        names.define(&format!("e{k}"), &format!("e{}", (k + 1) % NAMES));
    }
    let err = Program::builder()
        .names(&names)
        .build("HEADER A EXISTS && e0")
        .expect_err("a cycle does not compile");
    let Error::Compile(err) = err else {
        panic!("a compile error, not {err:?}");
    };
    let CompileErrorKind::Cycle { path } = err.kind() else {
        panic!("a cycle error, not {:?}", err.kind());
    };
    assert!(path.starts_with("e0 -> e1 -> e2 -> "), "{}", &path[..40]);
    assert!(path.ends_with("e9998 -> e9999 -> e0"));
    // The middle of a long cycle is elided so the message stays short.
    assert!(
        path.contains(&format!("... ({} more) ...", NAMES + 1 - 16)),
        "{path}"
    );
    assert!(path.len() < 300, "{path}");
    assert_eq!(err.definition(), Some("e9999"));
}

#[test]
fn a_diamond_of_names_stays_linear_to_compile_and_evaluate() {
    // d_k uses d_{k-1} twice: inlined, d_40 would have 2^40 leaves.
    const LEVELS: usize = 40;
    let mut names = NamedExpressions::new();
    names.define("d0", "REQ.HTTP.HEADER A CONTAINS x");
    for k in 1..=LEVELS {
        names.define(&format!("d{k}"), &format!("d{0} || !d{0}", k - 1));
        names.define(&format!("c{k}"), &format!("c{0} && c{0}", k - 1));
    }
    names.define("c0", "REQ.HTTP.HEADER A CONTAINS x");
    let program = Program::builder()
        .names(&names)
        .build(&format!("d{LEVELS} && c{LEVELS}"))
        .expect("a diamond compiles");
    // Without A, d_1 = false || !false is true at every level while c is false throughout: each
    // level's body is evaluated once, not once per path.
    assert_eq!(program.eval(&request(&WITHOUT_A)), Verdict::False);
    assert_eq!(program.eval(&request(&WITH_A)), Verdict::True);
    let explained = program.explain(&request(&WITHOUT_A));
    assert_eq!(explained.verdict, Some(Verdict::False));
    assert!(explained.to_string().lines().count() < 10 * LEVELS);
}

#[test]
fn left_to_right_gives_the_same_verdict_inline_and_through_a_name() {
    let rule = "REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS && REQ.HTTP.HEADER C EXISTS";
    let mut names = NamedExpressions::new();
    names.define("grouped", rule);
    // With only A: left to right, (A || B) && C is false; conventionally A || (B && C) is true.
    for (precedence, want) in [
        (Precedence::LeftToRight, Verdict::False),
        (Precedence::Conventional, Verdict::True),
    ] {
        let builder = Program::builder().precedence(precedence).names(&names);
        let inline = builder.build(rule).expect("compiles");
        let named = builder.build("grouped").expect("compiles");
        assert_eq!(
            inline.eval(&request(&WITH_A)),
            want,
            "{precedence:?} inline"
        );
        assert_eq!(
            named.eval(&request(&WITH_A)),
            want,
            "{precedence:?} by name"
        );
    }
}

#[test]
fn four_thousand_nested_levels_compile_evaluate_and_explain() {
    const LEVELS: usize = 4_000;
    // ((((A && B) || C) && B) || C) ...: every level is a compound inside parentheses.
    let mut rule = "REQ.HTTP.HEADER A EXISTS".to_owned();
    for level in 0..LEVELS {
        rule = if level % 2 == 0 {
            format!("({rule} && REQ.HTTP.HEADER B EXISTS)")
        } else {
            format!("({rule} || REQ.HTTP.HEADER C EXISTS)")
        };
    }
    // An odd number of negations of an absent header.
    let negations = LEVELS - 1;
    let negated = format!(
        "{}REQ.HTTP.HEADER A EXISTS{}",
        "!(".repeat(negations),
        ")".repeat(negations)
    );
    for (text, want) in [
        (rule.as_str(), Verdict::False),
        (negated.as_str(), Verdict::True),
    ] {
        let program = Program::builder()
            .max_nesting(2 * LEVELS)
            .build(text)
            .expect("deep rules compile under a raised limit");
        // Only B: every `&&` level is false (A is absent), every `||` falls to C, also absent.
        let only_b = [("B", "x")];
        assert_eq!(program.eval(&request(&only_b)), want);
        let explained = program.explain(&request(&only_b));
        assert_eq!(explained.verdict, Some(want));
        assert!(explained.to_string().lines().count() >= LEVELS);
    }
}

#[test]
fn explain_keeps_the_written_order_past_65535_operands() {
    const OPERANDS: usize = 80_001;
    // The dear CONTAINS first, then cheaper URL tests: the compiler evaluates the CONTAINS last;
    // explain must still show the operands as written. The rule is built as a tree because its
    // text would exceed the parser's length limit.
    let operand = |k: usize| -> Expr {
        let text = if k == 0 {
            "REQ.HTTP.HEADER A CONTAINS x".to_owned()
        } else {
            format!("URL != /p{k}")
        };
        text.parse().expect("parses")
    };
    let operands: Vec<Expr> = (0..OPERANDS).map(operand).collect();
    let written: Vec<String> = operands.iter().map(ToString::to_string).collect();
    let rule = Expr::new(ExprKind::And(operands), Span::new(0, 0));
    let program = Program::compile(
        &rule,
        "",
        &NamedExpressions::new(),
        &CompileOptions::default(),
    )
    .expect("compiles");
    let explained = program.explain(&request(&WITH_A));
    assert_eq!(explained.verdict, Some(Verdict::True));
    let shown: Vec<&str> = explained.children.iter().map(|c| c.text()).collect();
    assert!(
        shown == written,
        "operands are explained in the written order"
    );
}

#[test]
fn out_of_range_clocks_are_unknown() {
    let local = Program::new("DATE == '2010-05-24LCL'").expect("compiles");
    let gmt = Program::new("TIME >= '2010-05-26-13:31:37GMT'").expect("compiles");
    let weekday = Program::new("DAYOFWEEK == MONDAYLCL").expect("compiles");
    let req = request(&WITH_A);
    for (unix, offset) in [(i64::MAX, 3_600), (i64::MIN, -3_600)] {
        let mut context = Context::default();
        context.clock = Some(Clock {
            unix,
            local_offset: Some(offset),
        });
        assert_eq!(local.eval_with(&req, &context), Verdict::Unknown);
        // Without a shift the clock is in range: a plain comparison.
        let late = Verdict::from(unix > 0);
        assert_eq!(gmt.eval_with(&req, &context), late);
        assert_eq!(weekday.eval_with(&req, &context), Verdict::Unknown);
    }
    assert_eq!(nsexpr::ast::CivilTime::from_unix(i64::MAX), None);
}
