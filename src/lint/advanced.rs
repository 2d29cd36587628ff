//! Advanced rules in the rule-truth and policy-set checks: which advanced rules the atom requests
//! decide exactly (header text tests, the method, the URL or its path against literals, `TRUE`
//! and `FALSE`, through named expressions), the tests they add to the atoms, and the
//! contradictions and rules never or always true among them.
//!
//! Anything else (regular expressions, numbers, lengths, client addresses, time, AAA values,
//! windows such as `BEFORE_STR`, pattern sets, methods outside the tables) leaves the rule
//! undecided: a claim about every request would be a claim only about the requests built.

use std::collections::HashSet;

use crate::Span;
use crate::ast::advanced::{AdvExpr, AdvKind, BinOp, ChainHead};
use crate::compile::advanced::{
    AdvCompileError, AdvType, Arg, Head, Op, Source, Step, TextMode, Typed, TypedNode,
};
use crate::compile::{AdvancedRules, CompileOptions, NamedExpressions};
use crate::config::{Config, RuleText};
use crate::eval::Verdict;
use crate::syntax::advanced::parse_advanced;
use crate::syntax::is_advanced;

use super::atoms::{Atoms, Test, TextKind};
use super::truth::{Budget, PART_LEN, report_contradiction, report_truth};
use super::{Code, Sink};

/// The configuration's named expressions: every one as a classic definition (as the classic
/// checks have always looked them up) and the advanced ones also as advanced definitions, checked
/// once for compiling advanced rules.
pub(super) fn rules(config: &Config) -> AdvancedRules {
    let mut names = NamedExpressions::new();
    for (name, text) in config.named_expressions() {
        names.define(name, &text.text);
        if is_advanced(&text.text) {
            names.insert_advanced(name, &text.text);
        }
    }
    AdvancedRules::new(names, CompileOptions::default())
}

/// Whether a policy's rule text is advanced: written so, or the name of an advanced named
/// expression (R5).
pub(super) fn is_advanced_rule(config: &Config, text: &str) -> bool {
    let text = text.trim();
    is_advanced(
        config
            .expression(text)
            .map_or(text, |e| e.value.text.as_str()),
    )
}

/// The tests of an advanced rule text, named expressions replaced by their bodies; `None` when
/// the rule does not compile or has a test the atom requests do not decide exactly.
pub(super) fn rule_tests(text: &str, rules: &AdvancedRules) -> Option<Vec<Test>> {
    tests(&rules.inlined(text).ok()?)
}

/// Every test of a checked tree, or `None` when one is not decided exactly by the atom
/// requests. Walks on an explicit stack.
fn tests(typed: &Typed) -> Option<Vec<Test>> {
    let mut out = Vec::new();
    let mut stack: Vec<&Typed> = vec![typed];
    while let Some(t) = stack.pop() {
        match &t.node {
            TypedNode::Bool(_) => {}
            TypedNode::Not(inner) => stack.push(inner),
            TypedNode::Infix { first, rest } => {
                if !rest
                    .iter()
                    .all(|(op, _)| matches!(op, BinOp::And | BinOp::Or))
                {
                    return None;
                }
                stack.push(first);
                stack.extend(rest.iter().map(|(_, r)| r));
            }
            TypedNode::Chain(chain) => {
                // `NAME.CONTAINS(..)` with `NAME` a header: one chain from the header on.
                let mut parts = vec![chain.steps.as_slice()];
                let mut head = &chain.head;
                while let Head::Expr(inner) = head
                    && let TypedNode::Chain(c) = &inner.node
                {
                    parts.push(c.steps.as_slice());
                    head = &c.head;
                }
                // Each step with the chain it was written in, innermost first.
                let steps: Vec<(usize, &Step)> = parts
                    .iter()
                    .enumerate()
                    .rev()
                    .flat_map(|(part, steps)| steps.iter().map(move |step| (part, step)))
                    .collect();
                // A trailing `.NOT` negates a boolean: the test is the same.
                let mut steps = steps.as_slice();
                while let Some((last, before)) = steps.split_last()
                    && last.1.op == Op::Not
                {
                    steps = before;
                }
                // A text mode set in a named expression is not carried into the chain that
                // uses it by the compiled rule, while the appliance may carry it: undecided.
                if let Some(&(part, _)) = steps.last()
                    && steps
                        .iter()
                        .any(|&(p, step)| p != part && step.op == Op::SetTextMode)
                {
                    return None;
                }
                let steps: Vec<&Step> = steps.iter().map(|&(_, step)| step).collect();
                match head {
                    Head::Source(source) => out.push(leaf(source, &steps)?),
                    Head::Expr(inner) if steps.is_empty() => stack.push(inner),
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The test a chain from a request value makes, when it is one the atom requests decide.
fn leaf(source: &Source, steps: &[&Step]) -> Option<Test> {
    let (last, before) = steps.split_last()?;
    match source {
        Source::Header(name) => {
            if last.on != AdvType::Header {
                return None;
            }
            let caseless = text_mode(before)?;
            let (kind, value) = text_test(last)?;
            // Header values are read without their surrounding blanks (D26).
            if value.starts_with(|c: char| c.is_ascii_whitespace())
                || value.ends_with(|c: char| c.is_ascii_whitespace())
            {
                return None;
            }
            Some(Test::Header {
                name: String::from_utf8(name.clone()).ok()?,
                kind,
                caseless,
                value,
            })
        }
        Source::Method => {
            if !before.is_empty() || !matches!(last.op, Op::Eq | Op::Ne) {
                return None;
            }
            match last.args.as_slice() {
                [Arg::MethodWord(word)] => Some(Test::Method {
                    value: word.clone(),
                    caseless: true,
                }),
                [Arg::MethodText(text)] => Some(Test::Method {
                    value: String::from_utf8(text.clone()).ok()?,
                    caseless: false,
                }),
                _ => None,
            }
        }
        Source::Url => {
            let path = before.iter().filter(|s| s.op == Op::Path).count();
            if path > 1 || !matches!(last.on, AdvType::Url | AdvType::UrlPath) {
                return None;
            }
            let modes: Vec<&Step> = before
                .iter()
                .copied()
                .filter(|s| s.op != Op::Path)
                .collect();
            let caseless = text_mode(&modes)?;
            let (kind, value) = text_test(last)?;
            if kind == TextKind::Exists {
                return None;
            }
            Some(Test::Url {
                path: path == 1,
                kind,
                caseless,
                value,
            })
        }
        _ => None,
    }
}

/// Whether `SET_TEXT_MODE` steps leave the text caseless; `None` for any other step (a window,
/// a conversion, URL decoding).
fn text_mode(steps: &[&Step]) -> Option<bool> {
    let mut caseless = false;
    for step in steps {
        match (step.op, step.args.as_slice()) {
            (Op::SetTextMode, [Arg::Mode(TextMode::IgnoreCase)]) => caseless = true,
            (Op::SetTextMode, [Arg::Mode(TextMode::NoIgnoreCase)]) => caseless = false,
            (Op::SetTextMode, [Arg::Mode(TextMode::NoUrlEncoded)]) => {}
            _ => return None,
        }
    }
    Some(caseless)
}

/// `EXISTS`, or a text comparison with a literal.
fn text_test(step: &Step) -> Option<(TextKind, String)> {
    let kind = match step.op {
        Op::Exists if step.args.is_empty() => return Some((TextKind::Exists, String::new())),
        Op::Contains => TextKind::Contains,
        Op::Eq | Op::Ne => TextKind::Equals,
        Op::StartsWith => TextKind::StartsWith,
        Op::EndsWith => TextKind::EndsWith,
        _ => return None,
    };
    match step.args.as_slice() {
        [Arg::Expr(arg)] => match &arg.node {
            TypedNode::Text(bytes) => Some((kind, String::from_utf8(bytes.clone()).ok()?)),
            _ => None,
        },
        _ => None,
    }
}

/// The rule checks for one advanced policy rule: contradictions of its `&&`s, then whether it is
/// never or always true.
pub(super) fn check(policy: &str, rule: &RuleText, rules: &AdvancedRules, sink: &mut Sink<'_>) {
    let program = match rules.compile(&rule.text) {
        Ok(program) => program,
        Err(error) => {
            let (message, span, hint) = match &error {
                AdvCompileError::Parse(e) => (e.kind().to_string(), e.span(), e.hint()),
                AdvCompileError::Check(e) => (e.kind().to_string(), e.span(), e.hint()),
            };
            let hint = hint.map_or_else(
                || "correct the rule; `nsexpr check` shows it with the error marked".to_owned(),
                str::to_owned,
            );
            sink.push(
                Code::RuleError,
                sink.rule_position(rule, span.start),
                message,
                Some(hint),
            );
            return;
        }
    };
    let Ok(ast) = parse_advanced(&rule.text) else {
        return;
    };
    if contradictions(&ast, rule, rules, sink) {
        return;
    }
    // `TRUE`, `FALSE` and a bare name say what they mean.
    let bare = match &ast.kind {
        AdvKind::Bool(_) => true,
        AdvKind::Chain(chain) => {
            chain.calls.is_empty() && matches!(&chain.head, ChainHead::Word(w) if w.args.is_none())
        }
        _ => false,
    };
    if bare {
        return;
    }
    let Some(tests) = rule_tests(&rule.text, rules) else {
        return;
    };
    let mut atoms = Atoms::default();
    atoms.add_tests(&tests);
    let Some(requests) = atoms.requests() else {
        return;
    };
    let mut verdicts = requests.iter().map(|r| program.eval(&r.view()));
    let Some(first) = verdicts.next() else { return };
    if first == Verdict::Unknown || first == Verdict::Undef || !verdicts.all(|v| v == first) {
        return;
    }
    report_truth(policy, first, rule, true, sink);
}

/// Reports each `&&` of the rule, at any depth, whose operands can never all hold; returns
/// whether the whole rule is one. `e && !e` is found by its syntax; other `&&`s whose tests the
/// atom requests decide are compiled from their text and evaluated over those requests.
fn contradictions(
    ast: &AdvExpr,
    rule: &RuleText,
    rules: &AdvancedRules,
    sink: &mut Sink<'_>,
) -> bool {
    let mut ands: Vec<&AdvExpr> = Vec::new();
    let mut stack: Vec<&AdvExpr> = vec![ast];
    while let Some(node) = stack.pop() {
        match &node.kind {
            AdvKind::Infix(infix) => {
                if infix.rest.iter().all(|(op, _)| *op == BinOp::And) {
                    ands.push(node);
                }
                stack.push(&infix.first);
                stack.extend(infix.rest.iter().map(|(_, e)| e));
            }
            AdvKind::Not(inner) | AdvKind::Neg(inner) => stack.push(inner),
            AdvKind::Chain(chain) => {
                if let ChainHead::Expr(head) = &chain.head {
                    stack.push(head);
                }
                for call in &chain.calls {
                    stack.extend(call.args.iter().flatten());
                }
            }
            _ => {}
        }
    }
    let mut found: HashSet<Span> = HashSet::new();
    let mut budget = Budget::new();
    let mut root = false;
    // Inner `&&`s first (each was listed before the ones inside it), so that one false only
    // because of a reported operand is not reported again.
    for node in ands.into_iter().rev() {
        let AdvKind::Infix(infix) = &node.kind else {
            continue;
        };
        let items: Vec<&AdvExpr> = std::iter::once(infix.first.as_ref())
            .chain(infix.rest.iter().map(|(_, e)| e))
            .collect();
        if items.iter().any(|item| known_false(item, &found)) {
            continue;
        }
        let operands = match syntactic(&items) {
            Some(pair) => pair,
            None => match evaluated(node, &items, rule, rules, &mut budget) {
                Some(operands) => operands,
                None => continue,
            },
        };
        found.insert(node.span);
        let is_root = std::ptr::eq(node, ast);
        root |= is_root;
        let shown: Vec<String> = operands.iter().copied().map(operand).collect();
        let part = (!is_root).then(|| node.to_string());
        report_contradiction(
            rule,
            node.span.start,
            part,
            &shown,
            operands.len() == items.len(),
            sink,
        );
    }
    root
}

/// Whether an operand is already known never to hold: a reported `&&`, or a `||` of them.
fn known_false(item: &AdvExpr, found: &HashSet<Span>) -> bool {
    let reported = |e: &AdvExpr| is_run(e, BinOp::And) && found.contains(&e.span);
    match &item.kind {
        AdvKind::Infix(infix) if is_run(item, BinOp::Or) => {
            reported(&infix.first) && infix.rest.iter().all(|(_, e)| reported(e))
        }
        _ => reported(item),
    }
}

/// Whether `e` is a run of `op`.
fn is_run(e: &AdvExpr, op: BinOp) -> bool {
    matches!(&e.kind, AdvKind::Infix(infix) if infix.rest.iter().all(|(o, _)| *o == op))
}

/// An operand as written inside a `&&`: parenthesised when a `&&` or `||` itself.
fn operand(e: &AdvExpr) -> String {
    match &e.kind {
        AdvKind::Infix(infix) if infix.rest.iter().any(|(op, _)| op.level() <= 2) => {
            format!("({e})")
        }
        _ => e.to_string(),
    }
}

/// `e` and `!e` among the operands of one `&&`.
fn syntactic<'e>(items: &[&'e AdvExpr]) -> Option<Vec<&'e AdvExpr>> {
    for &item in items {
        if let AdvKind::Not(inner) = &item.kind
            && let Some(&positive) = items.iter().find(|other| other.same_as(inner))
        {
            return Some(vec![positive, item]);
        }
    }
    None
}

/// The text of the rule a node was parsed from.
fn text_of(rule: &RuleText, span: Span) -> Option<&str> {
    rule.text.get(span.start..span.end)
}

/// Decides a `&&` by evaluating its text over the requests built from its tests, when they
/// decide every test in it; the operands that cannot all hold (a smallest set found by dropping
/// operands one at a time) when it is never true.
fn evaluated<'e>(
    node: &AdvExpr,
    items: &[&'e AdvExpr],
    rule: &RuleText,
    rules: &AdvancedRules,
    budget: &mut Budget,
) -> Option<Vec<&'e AdvExpr>> {
    if node.span.end.saturating_sub(node.span.start) > PART_LEN {
        return None;
    }
    budget.parts = budget.parts.checked_sub(1)?;
    let texts: Vec<&str> = items
        .iter()
        .map(|item| text_of(rule, item.span))
        .collect::<Option<_>>()?;
    let joined = |kept: &[usize]| -> String {
        let parts: Vec<String> = kept
            .iter()
            .filter_map(|&i| texts.get(i))
            .map(|t| format!("({t})"))
            .collect();
        parts.join(" && ")
    };
    let mut kept: Vec<usize> = (0..items.len()).collect();
    if !never_true(&joined(&kept), rules, budget)? {
        return None;
    }
    let mut i = 0;
    while i < kept.len() && kept.len() > 1 {
        let rest: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &k)| k)
            .collect();
        match never_true(&joined(&rest), rules, budget) {
            Some(true) => kept = rest,
            Some(false) => i += 1,
            None => break,
        }
    }
    Some(kept.iter().filter_map(|&k| items.get(k).copied()).collect())
}

/// Whether an advanced text is false on every request built from its tests; `None` when that is
/// not decided (a test the requests do not decide, too many requests, the budget spent).
fn never_true(text: &str, rules: &AdvancedRules, budget: &mut Budget) -> Option<bool> {
    let tests = rule_tests(text, rules)?;
    let mut atoms = Atoms::default();
    atoms.add_tests(&tests);
    let requests = atoms.requests()?;
    budget.requests = budget.requests.checked_sub(requests.len())?;
    let program = rules.compile(text).ok()?;
    Some(
        requests
            .iter()
            .all(|r| program.eval(&r.view()) == Verdict::False),
    )
}
