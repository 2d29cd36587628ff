//! Regression tests for the compile and eval bugs of issue 9 section 4: inputs that aborted the
//! process (stack overflows), grew exponentially, or gave a wrong verdict; and for the nesting
//! ceilings (D16) that keep every recursive walk of a parsed tree within a 2 MiB stack.

use nsexpr::ast::{ExprKind, Grouped};
use nsexpr::compile::CompileErrorKind;
use nsexpr::convert::{ConvertErrorKind, ConvertOptions, convert_rule, convert_text};
use nsexpr::eval::{Clock, HeaderList};
use nsexpr::syntax::advanced::{
    AdvParseErrorKind, AdvParseOptions, parse_advanced, parse_advanced_with,
};
use nsexpr::syntax::{
    MAX_NESTING_LIMIT, ParseError, ParseErrorKind, ParseOptions, Precedence, parse_with,
};
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
fn nested_levels_at_the_ceiling_compile_evaluate_and_explain() {
    const LEVELS: usize = MAX_NESTING_LIMIT;
    // ((((A && B) || C) && B) || C) ...: every level is a compound inside parentheses.
    let mut rule = "REQ.HTTP.HEADER A EXISTS".to_owned();
    for level in 0..LEVELS {
        rule = if level % 2 == 0 {
            format!("({rule} && REQ.HTTP.HEADER B EXISTS)")
        } else {
            format!("({rule} || REQ.HTTP.HEADER C EXISTS)")
        };
    }
    // An odd number of negations of an absent header, each `!(` two levels.
    let negations = LEVELS / 2 - 1;
    assert_eq!(negations % 2, 1);
    let negated = format!(
        "{}REQ.HTTP.HEADER A EXISTS{}",
        "!(".repeat(negations),
        ")".repeat(negations)
    );
    for (text, want, depth) in [
        (rule.as_str(), Verdict::False, LEVELS),
        (negated.as_str(), Verdict::True, negations),
    ] {
        let program = Program::builder()
            .max_nesting(LEVELS)
            .build(text)
            .expect("rules at the ceiling compile under a raised limit");
        // Only B: every `&&` level is false (A is absent), every `||` falls to C, also absent.
        let only_b = [("B", "x")];
        assert_eq!(program.eval(&request(&only_b)), want);
        let explained = program.explain(&request(&only_b));
        assert_eq!(explained.verdict, Some(want));
        assert!(explained.to_string().lines().count() > depth);
    }
}

/// Runs `f` on a thread with a 2 MiB stack, the default for spawned threads: a recursion that
/// the nesting ceilings fail to bound aborts the test run instead of passing on a larger stack.
fn on_a_2_mib_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawns a thread")
        .join()
        .expect("the checks pass");
}

/// Classic rules nested `depth` levels deep (`(` and `!` counted as the parser counts them), in
/// the shapes that make the deepest trees: a `!` chain, alternating parenthesised `&&`/`||`,
/// `(C || B && (…))` (two tree levels per parenthesis) and `!(… && B)`.
fn deep_classic_rules(depth: usize) -> Vec<String> {
    let a = "REQ.HTTP.HEADER A EXISTS";
    let mut alternating = String::new();
    for level in 0..depth {
        alternating.push_str(if level % 2 == 0 {
            " && REQ.HTTP.HEADER B EXISTS)"
        } else {
            " || REQ.HTTP.HEADER C EXISTS)"
        });
    }
    vec![
        format!("{}{a}", "!".repeat(depth)),
        format!("{}{a}{alternating}", "(".repeat(depth)),
        format!(
            "{}{a}{}",
            "(REQ.HTTP.HEADER C EXISTS || REQ.HTTP.HEADER B EXISTS && ".repeat(depth),
            ")".repeat(depth)
        ),
        format!(
            "{}{a}{}",
            "!(".repeat(depth / 2),
            " && REQ.HTTP.HEADER B EXISTS)".repeat(depth / 2)
        ),
    ]
}

/// Everything a caller may do with a parsed classic rule: parse, compile, evaluate, explain,
/// print (`Display`, `Grouped`, `Debug`), serialise, clone, compare, convert and drop.
fn exercise_classic(text: &str, requested: usize) {
    let options = ParseOptions {
        max_nesting: requested,
        ..ParseOptions::default()
    };
    let parsed = parse_with(text, &options).expect("parses at the ceiling");
    let expr = parsed.expr;
    let program = Program::builder()
        .max_nesting(requested)
        .build(text)
        .expect("compiles at the ceiling");
    let verdict = program.eval(&request(&WITHOUT_A));
    assert_ne!(verdict, Verdict::Unknown, "{}", &text[..40]);
    let explained = program.explain(&request(&WITHOUT_A));
    assert_eq!(explained.verdict, Some(verdict));
    assert!(!explained.to_string().is_empty());
    let compiled = Program::compile(&expr, text, &NamedExpressions::new(), &{
        let mut options = CompileOptions::default();
        options.parse.max_nesting = requested;
        options
    })
    .expect("compiles from the tree");
    assert_eq!(compiled.eval(&request(&WITHOUT_A)), verdict);

    let printed = expr.to_string();
    let reparsed = parse_with(&printed, &options).expect("the printed rule parses");
    assert!(reparsed.expr.same_as(&expr), "printing round-trips");
    assert!(!Grouped(&expr).to_string().is_empty());
    assert!(format!("{expr:?}").starts_with("Expr {"));
    let json = serde_json::to_string(&expr).expect("serialises");
    assert!(json.len() > text.len() / 2);

    let copy = expr.clone();
    assert!(copy == expr);
    assert!(copy.same_as(&reparsed.expr));
    let converted = convert_rule(&expr, text, &ConvertOptions::default());
    let Err(error) = converted else {
        panic!("a rule this deep has no advanced form");
    };
    assert!(
        matches!(error.kind(), ConvertErrorKind::TooDeep(_)),
        "{error}"
    );
    drop((copy, reparsed, expr, program, compiled, explained));
}

#[test]
fn classic_rules_at_the_nesting_ceiling_work_on_a_2_mib_stack() {
    on_a_2_mib_stack(|| {
        for text in deep_classic_rules(MAX_NESTING_LIMIT) {
            exercise_classic(&text, MAX_NESTING_LIMIT);
        }
    });
}

#[test]
fn a_million_levels_requested_stop_at_the_nesting_ceiling() {
    on_a_2_mib_stack(|| {
        const REQUESTED: usize = 1_000_000;
        // A rule at the ceiling works as well when far more was asked for.
        for text in deep_classic_rules(MAX_NESTING_LIMIT) {
            exercise_classic(&text, REQUESTED);
        }
        // One level more, or a million (openers only, within the 1 MiB length limit), is the
        // nesting error at the ceiling, at the opener that crosses it.
        let a = "REQ.HTTP.HEADER A EXISTS";
        let mut too_deep = deep_classic_rules(MAX_NESTING_LIMIT + 2);
        too_deep.extend([
            format!("{}{a}", "!".repeat(REQUESTED)),
            format!("{}{a}", "(".repeat(REQUESTED)),
            format!("{}{a}", "!(".repeat(REQUESTED / 2)),
        ]);
        for text in &too_deep {
            let check = |error: &ParseError| {
                assert_eq!(
                    error.kind(),
                    &ParseErrorKind::TooDeep(MAX_NESTING_LIMIT),
                    "{}",
                    &text[..40]
                );
                let at = error.span().start;
                assert!(matches!(text.as_bytes()[at], b'(' | b'!'), "{at}");
                let openers = text[..=at].bytes().filter(|b| matches!(b, b'(' | b'!'));
                assert_eq!(openers.count(), MAX_NESTING_LIMIT + 1, "{}", &text[..40]);
                assert!(!error.to_string().is_empty());
            };
            for requested in [MAX_NESTING_LIMIT + 1, REQUESTED, usize::MAX] {
                let options = ParseOptions {
                    max_nesting: requested,
                    ..ParseOptions::default()
                };
                check(&parse_with(text, &options).expect_err("too deep"));
                match Program::builder().max_nesting(requested).build(text) {
                    Err(Error::Parse(error)) => check(&error),
                    other => panic!("a parse error, not {:?}", other.map(|p| p.text().len())),
                }
            }
        }
    });
}

#[test]
fn converting_a_rule_nested_to_the_default_limit_is_an_error_not_an_abort() {
    on_a_2_mib_stack(|| {
        let default = ParseOptions::default().max_nesting;
        for text in deep_classic_rules(default) {
            let error = convert_text(&text).expect_err("too deep for an advanced rule");
            assert!(
                matches!(error.kind(), ConvertErrorKind::TooDeep(_)),
                "{error}"
            );
        }
        // Shallower rules still convert.
        for text in deep_classic_rules(8) {
            let converted = convert_text(&text).expect("converts");
            assert!(parse_advanced(&converted.advanced).is_ok());
        }
    });
}

#[test]
fn advanced_rules_at_the_nesting_cap_work_on_a_2_mib_stack() {
    on_a_2_mib_stack(|| {
        let shapes: [fn(usize) -> String; 3] = [
            |n| format!("{}HTTP.REQ.HEADER(\"A\").EXISTS", "!".repeat(n)),
            |n| {
                let mut rule = "HTTP.REQ.HEADER(\"A\").EXISTS".to_owned();
                for level in 0..n {
                    let op = if level % 2 == 0 { "&&" } else { "||" };
                    rule = format!("({rule} {op} HTTP.REQ.HEADER(\"B\").EXISTS)");
                }
                rule
            },
            |n| {
                format!(
                    "{}HTTP.REQ.HEADER(\"A\").EXISTS{}",
                    "(HTTP.REQ.HEADER(\"C\").EXISTS || HTTP.REQ.HEADER(\"B\").EXISTS && ".repeat(n),
                    ")".repeat(n)
                )
            },
        ];
        let unlimited = AdvParseOptions {
            max_nesting: usize::MAX,
            max_len: 0,
            ..AdvParseOptions::default()
        };
        let mut compile_options = CompileOptions::default();
        compile_options.advanced_parse = unlimited.clone();
        for shape in shapes {
            // The deepest rule of this shape the parser takes, whatever was asked for.
            let deepest = (0..=256)
                .rev()
                .find(|&n| parse_advanced_with(&shape(n), &unlimited).is_ok())
                .expect("some depth parses");
            assert!(deepest < 256, "the advanced parser caps nesting");
            let error = parse_advanced_with(&shape(deepest + 1), &unlimited)
                .expect_err("one more level is too deep");
            assert!(
                matches!(error.kind(), AdvParseErrorKind::TooDeep(_)),
                "{error}"
            );
            let text = shape(deepest);
            let expr = parse_advanced_with(&text, &unlimited).expect("parses").expr;
            // The canonical form parenthesises `&&` inside `||`, so it may nest deeper than the
            // text it was parsed from: only printing is checked here.
            assert!(!expr.to_string().is_empty());
            assert!(format!("{expr:?}").starts_with("AdvExpr {"));
            let copy = expr.clone();
            assert!(copy == expr && copy.same_as(&expr));
            let program =
                Program::compile_advanced(&text, &NamedExpressions::new(), &compile_options)
                    .expect("compiles");
            let verdict = program.eval(&request(&WITHOUT_A));
            let explained = program.explain(&request(&WITHOUT_A));
            assert_eq!(explained.verdict, Some(verdict));
            assert!(!explained.to_string().is_empty());
            drop((copy, expr, program, explained));
        }
    });
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
