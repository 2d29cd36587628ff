//! Rules one by one: the parser's lints, parse and compile errors, contradictions, rules that are
//! never or always true, and classic rules on firmware that no longer accepts them.

use std::collections::HashMap;

use crate::Span;
use crate::ast::{Expr, ExprKind, Operator, Value};
use crate::compile::{CompileOptions, NamedExpressions, Program};
use crate::config::{Config, RuleText};
use crate::eval::Verdict;
use crate::syntax::{LintKind, ParseOptions, is_advanced, parse_with};

use super::atoms::Atoms;
use super::{Code, Firmware, LintOptions, Sink};

pub(super) fn check(config: &Config, options: &LintOptions, sink: &mut Sink<'_>) {
    let mut names = NamedExpressions::new();
    for (name, text) in config.named_expressions() {
        names.define(name, &text.text);
    }
    for expression in config.expressions() {
        if !is_advanced(&expression.value.text) {
            syntax(&expression.value, sink);
        }
    }
    for policy in config.session_policies() {
        if policy.builtin {
            continue;
        }
        let rule = &policy.rule;
        let resolved = config
            .expression(rule.text.trim())
            .map_or(rule.text.as_str(), |e| e.value.text.as_str());
        if is_advanced(resolved) {
            continue;
        }
        if let Some(firmware) = options.firmware.filter(|f| *f >= Firmware::ADVANCED_ONLY) {
            sink.push(
                Code::ClassicRemoved,
                (rule.line, rule.column),
                format!(
                    "session policy `{}` has a classic rule, which firmware {firmware} no longer accepts",
                    policy.name
                ),
                Some("convert it to advanced syntax with `nsexpr convert`".to_owned()),
            );
        }
        let Some(expr) = syntax(rule, sink) else {
            continue;
        };
        if contradiction(&expr, rule, sink) {
            continue;
        }
        truth(&policy.name, &expr, rule, &names, sink);
    }
}

/// The position of a byte offset of a rule text in the file.
fn position(rule: &RuleText, offset: usize) -> (usize, usize) {
    let before = rule
        .text
        .get(..offset)
        .map_or(0, |prefix| prefix.chars().count());
    (rule.line, rule.column + before)
}

/// Parses a classic rule, reporting its error or lints; the tree when it parses.
fn syntax(rule: &RuleText, sink: &mut Sink<'_>) -> Option<Expr> {
    match parse_with(&rule.text, &ParseOptions::default()) {
        Err(error) => {
            sink.push(
                Code::RuleError,
                position(rule, error.span().start),
                error.kind().to_string(),
                None,
            );
            None
        }
        Ok(parsed) => {
            for lint in &parsed.lints {
                let code = match lint.kind {
                    LintKind::MixedAndOr => Code::MixedAndOr,
                    LintKind::OldSpelling => Code::OldSpelling,
                    LintKind::UrlWildcardUnverified => Code::UrlWildcardUnverified,
                    LintKind::WindowIgnored => Code::WindowIgnored,
                    LintKind::NonStandardMethod => Code::NonStandardMethod,
                    LintKind::NonStandardName => Code::NonStandardName,
                    LintKind::ParenInValue => Code::ParenInValue,
                };
                let hint = match lint.kind {
                    LintKind::MixedAndOr => Some(format!(
                        "add parentheses: it reads as `{}`",
                        crate::ast::Grouped(&parsed.expr)
                    )),
                    LintKind::ParenInValue => {
                        Some("quote the value, or remove the stray `)`".to_owned())
                    }
                    _ => None,
                };
                sink.push(
                    code,
                    position(rule, lint.span.start),
                    lint.message.clone(),
                    hint,
                );
            }
            Some(parsed.expr)
        }
    }
}

/// What a simple term tests, for pairing terms of one `&&`.
type Subject = (crate::ast::Qualifier, Option<String>);

/// One test of a subject: operator, operand, where.
type Test<'e> = (Operator, Option<&'e Value>, Span);

/// Reports a `&&` whose operands cannot all hold: `X EXISTS && X NOTEXISTS`, `X == a && X == b`,
/// `e && !e`. Returns whether one was found.
fn contradiction(expr: &Expr, rule: &RuleText, sink: &mut Sink<'_>) -> bool {
    let mut found: Option<(Span, String)> = None;
    expr.walk(&mut |node| {
        let ExprKind::And(items) = &node.kind else {
            return;
        };
        if found.is_some() {
            return;
        }
        let mut tests: HashMap<Subject, Vec<Test<'_>>> = HashMap::new();
        for item in items {
            if let ExprKind::Simple(simple) = &item.kind
                && let Some(op) = simple.op
                && simple.options.is_empty()
            {
                let subject = (
                    simple.qualifier,
                    simple.header.as_ref().map(|h| h.to_ascii_lowercase()),
                );
                tests
                    .entry(subject)
                    .or_default()
                    .push((op, simple.value.as_ref(), item.span));
            }
            if let ExprKind::Not(inner) = &item.kind
                && items.iter().any(|other| other.same_as(inner))
            {
                found = Some((item.span, "it requires a term and its negation".to_owned()));
                return;
            }
        }
        for ops in tests.values() {
            for (i, (op, value, span)) in ops.iter().enumerate() {
                for (other_op, other_value, _) in ops.iter().skip(i + 1) {
                    let clash = matches!(
                        (op, other_op),
                        (Operator::Exists, Operator::NotExists)
                            | (Operator::NotExists, Operator::Exists)
                    ) || (*op == Operator::Eq
                        && *other_op == Operator::Eq
                        && value.is_some()
                        && value != other_value);
                    if clash {
                        found = Some((*span, "its `&&` operands cannot all hold".to_owned()));
                        return;
                    }
                }
            }
        }
    });
    match found {
        Some((span, why)) => {
            sink.push(
                Code::Contradiction,
                position(rule, span.start),
                format!("the rule can never be true: {why}"),
                None,
            );
            true
        }
        None => false,
    }
}

/// Reports a rule that is false, or true, for every request built from its atoms.
fn truth(
    policy: &str,
    expr: &Expr,
    rule: &RuleText,
    names: &NamedExpressions,
    sink: &mut Sink<'_>,
) {
    let program = match Program::compile(expr, &rule.text, names, &CompileOptions::default()) {
        Ok(program) => program,
        Err(error) => {
            sink.push(
                Code::RuleError,
                position(rule, error.span().start),
                error.kind().to_string(),
                None,
            );
            return;
        }
    };
    // A bare name (`ns_true`) says what it means.
    if matches!(expr.kind, ExprKind::Name(_)) {
        return;
    }
    let mut atoms = Atoms::default();
    atoms.add_expr(expr, names);
    let Some(requests) = atoms.requests() else {
        return;
    };
    let mut verdicts = requests.iter().map(|r| program.eval(&r.view()));
    let Some(first) = verdicts.next() else { return };
    if first == Verdict::Unknown || !verdicts.all(|v| v == first) {
        return;
    }
    let (code, message) = if first == Verdict::True {
        (
            Code::AlwaysTrue,
            format!("the rule of `{policy}` is true for every request"),
        )
    } else {
        (
            Code::NeverTrue,
            format!("the rule of `{policy}` is false for every request"),
        )
    };
    sink.push(code, (rule.line, rule.column), message, None);
}
