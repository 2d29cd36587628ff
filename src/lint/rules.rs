//! Rules one by one: the parser's lints, parse and compile errors, contradictions, rules that are
//! never or always true, and classic rules on firmware that no longer accepts them.

use std::collections::{HashMap, HashSet};

use crate::Span;
use crate::ast::{Expr, ExprKind, Grouped, Operator, Qualifier, Side, Simple, Value};
use crate::compile::{CompileErrorKind, CompileOptions, NamedExpressions, Program};
use crate::config::{Config, RuleText};
use crate::eval::Verdict;
use crate::syntax::{LintKind, ParseOptions, is_advanced, parse_with};

use super::advanced;
use super::atoms::Atoms;
use super::truth::{Budget, PART_LEN, report_contradiction, report_truth};
use super::{Code, Firmware, LintOptions, Sink};

pub(super) fn check(config: &Config, options: &LintOptions, sink: &mut Sink<'_>) {
    let rules = advanced::rules(config);
    let names = rules.names();
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
            advanced::check(&policy.name, rule, &rules, sink);
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
        let program = match Program::compile(&expr, &rule.text, names, &CompileOptions::default()) {
            Ok(program) => program,
            Err(error) => {
                let hint = match error.kind() {
                    CompileErrorKind::UnknownName { .. } => {
                        "define it with `add policy expression`, or correct the name"
                    }
                    _ => "break the cycle: a named expression may not use itself",
                };
                sink.push(
                    Code::RuleError,
                    sink.rule_position(rule, error.span().start),
                    error.kind().to_string(),
                    Some(hint.to_owned()),
                );
                continue;
            }
        };
        if contradictions(&expr, rule, names, sink) {
            continue;
        }
        truth(&policy.name, &expr, &program, rule, names, sink);
    }
}

/// Parses a classic rule, reporting its error or lints; the tree when it parses.
fn syntax(rule: &RuleText, sink: &mut Sink<'_>) -> Option<Expr> {
    match parse_with(&rule.text, &ParseOptions::default()) {
        Err(error) => {
            sink.push(
                Code::RuleError,
                sink.rule_position(rule, error.span().start),
                error.kind().to_string(),
                error
                    .expected()
                    .map(|expected| format!("expected {expected}")),
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
                    LintKind::OldSpelling => {
                        Some("write the current spelling the message gives".to_owned())
                    }
                    LintKind::UrlWildcardUnverified => Some(
                        "use a pattern shape the appliance documents (`/dir/*`, `*.ext`, `/dir/*.ext`) or an exact path"
                            .to_owned(),
                    ),
                    LintKind::WindowIgnored => Some("remove the window option".to_owned()),
                    LintKind::NonStandardMethod => {
                        Some("check the method's spelling (GET, POST, HEAD...)".to_owned())
                    }
                    LintKind::NonStandardName => Some(
                        "check the name, or quote it if it is meant as a value".to_owned(),
                    ),
                };
                sink.push(
                    code,
                    sink.rule_position(rule, lint.span.start),
                    lint.message.clone(),
                    hint,
                );
            }
            Some(parsed.expr)
        }
    }
}

/// What a simple term tests, for pairing terms of one `&&`.
type Subject = (Qualifier, Option<String>);

/// Reports each `&&` of the rule, at any depth, whose operands can never all hold. Returns
/// whether the whole rule is one (then it is reported once, here, and not also as never true).
///
/// Pairs of terms that clash by their syntax are found without evaluating; other `&&`s whose
/// tests the atom requests fully cover are decided by evaluating them over those requests.
fn contradictions(
    expr: &Expr,
    rule: &RuleText,
    names: &NamedExpressions,
    sink: &mut Sink<'_>,
) -> bool {
    let mut ands: Vec<&Expr> = Vec::new();
    expr.walk(&mut |node| {
        if matches!(node.kind, ExprKind::And(_)) {
            ands.push(node);
        }
    });
    let mut found: HashSet<Span> = HashSet::new();
    let mut budget = Budget::new();
    let mut root = false;
    // Inner `&&`s first, so that one false only because of a reported operand is not reported
    // again.
    for node in ands.into_iter().rev() {
        let ExprKind::And(items) = &node.kind else {
            continue;
        };
        if items.iter().any(|item| known_false(item, &found)) {
            continue;
        }
        let operands = match syntactic(items) {
            Some(pair) => pair,
            None => match evaluated(node, items, rule, names, &mut budget) {
                Some(operands) => operands,
                None => continue,
            },
        };
        found.insert(node.span);
        let is_root = std::ptr::eq(node, expr);
        root |= is_root;
        let shown: Vec<String> = operands.iter().copied().map(operand).collect();
        let part = (!is_root).then(|| Grouped(node).to_string());
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
fn known_false(item: &Expr, found: &HashSet<Span>) -> bool {
    let reported = |e: &Expr| matches!(e.kind, ExprKind::And(_)) && found.contains(&e.span);
    match &item.kind {
        ExprKind::Or(branches) => branches.iter().all(reported),
        _ => reported(item),
    }
}

/// An operand as written inside a `&&`: parenthesised when compound.
fn operand(expr: &Expr) -> String {
    match expr.kind {
        ExprKind::And(_) | ExprKind::Or(_) => format!("({})", Grouped(expr)),
        _ => Grouped(expr).to_string(),
    }
}

/// Two operands of one `&&` that clash by their syntax: `X EXISTS` and `X NOTEXISTS`, two
/// different `==` texts of a header, query or method, `e` and `!e`.
fn syntactic(items: &[Expr]) -> Option<Vec<&Expr>> {
    let mut tests: HashMap<Subject, Vec<(&Expr, &Simple)>> = HashMap::new();
    for item in items {
        if let ExprKind::Not(inner) = &item.kind
            && let Some(positive) = items.iter().find(|other| other.same_as(inner))
        {
            return Some(vec![positive, item]);
        }
        if let ExprKind::Simple(simple) = &item.kind
            && simple.op.is_some()
            && simple.options.is_empty()
        {
            let subject = (
                simple.qualifier,
                simple.header.as_ref().map(|h| h.to_ascii_lowercase()),
            );
            let earlier = tests.entry(subject).or_default();
            if let Some((other, _)) = earlier.iter().find(|(_, s)| clash(s, simple)) {
                return Some(vec![other, item]);
            }
            earlier.push((item, simple));
        }
    }
    None
}

/// Whether two tests of one subject cannot both hold.
fn clash(a: &Simple, b: &Simple) -> bool {
    match (a.op, b.op) {
        (Some(Operator::Exists), Some(Operator::NotExists))
        | (Some(Operator::NotExists), Some(Operator::Exists)) => true,
        (Some(Operator::Eq), Some(Operator::Eq)) => match (&a.value, &b.value) {
            // Other `==` tests match patterns, ranges or subnets, which may overlap.
            (Some(Value::Text(x)), Some(Value::Text(y))) => match a.qualifier {
                Qualifier::Header(_) | Qualifier::UrlQuery => x != y,
                Qualifier::Method => !x.eq_ignore_ascii_case(y),
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

/// Decides a `&&` by evaluating it over the requests built from its atoms, when the requests
/// cover every test in it and fit the budget; the operands that cannot all hold (a smallest set
/// found by dropping operands one at a time) when it is never true.
fn evaluated<'e>(
    node: &Expr,
    items: &'e [Expr],
    rule: &RuleText,
    names: &NamedExpressions,
    budget: &mut Budget,
) -> Option<Vec<&'e Expr>> {
    if node.span.end.saturating_sub(node.span.start) > PART_LEN {
        return None;
    }
    budget.parts = budget.parts.checked_sub(1)?;
    if !covered(node, names) {
        return None;
    }
    if !never_true(node, rule, names, budget)? {
        return None;
    }
    let mut kept: Vec<&Expr> = items.iter().collect();
    let mut i = 0;
    while i < kept.len() && kept.len() > 1 {
        let rest: Vec<Expr> = kept
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, e)| (*e).clone())
            .collect();
        let candidate = match <[Expr; 1]>::try_from(rest) {
            Ok([one]) => one,
            Err(rest) => Expr::new(ExprKind::And(rest), node.span),
        };
        match never_true(&candidate, rule, names, budget) {
            Some(true) => {
                kept.remove(i);
            }
            Some(false) => i += 1,
            None => break,
        }
    }
    Some(kept)
}

/// Whether `expr` is false on every request built from its atoms; `None` when that is not
/// decided (too many requests, the budget spent, or it does not compile).
fn never_true(
    expr: &Expr,
    rule: &RuleText,
    names: &NamedExpressions,
    budget: &mut Budget,
) -> Option<bool> {
    let mut atoms = Atoms::default();
    atoms.add_expr(expr, names);
    let requests = atoms.requests()?;
    budget.requests = budget.requests.checked_sub(requests.len())?;
    let program = Program::compile(expr, &rule.text, names, &CompileOptions::default()).ok()?;
    Some(
        requests
            .iter()
            .all(|r| program.eval(&r.view()) == Verdict::False),
    )
}

/// Whether the atom requests decide a policy rule's text exactly: a covered classic rule (see
/// [`covered`]), or a constant (`true`, `false`, `ns_true`, `ns_false`).
pub(super) fn covered_text(text: &str, names: &NamedExpressions) -> bool {
    let text = text.trim();
    if ["true", "false", "ns_true", "ns_false"]
        .iter()
        .any(|constant| text.eq_ignore_ascii_case(constant))
    {
        return true;
    }
    if is_advanced(text) {
        return false;
    }
    parse_with(text, &ParseOptions::default()).is_ok_and(|parsed| covered(&parsed.expr, names))
}

/// Whether every test in `expr` (and in the named expressions it uses) is one the atom requests
/// decide exactly: `==`, `!=`, `CONTAINS`, `NOTCONTAINS`, `CONTENTS`, `EXISTS` and `NOTEXISTS`
/// on a request header, `==` and `!=` on the method, without windows.
fn covered(expr: &Expr, names: &NamedExpressions) -> bool {
    let options = ParseOptions::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut pending: Vec<Expr> = vec![expr.clone()];
    let mut ok = true;
    while let Some(expr) = pending.pop() {
        expr.walk(&mut |node| match &node.kind {
            ExprKind::Simple(simple) => ok &= covered_simple(simple),
            ExprKind::Name(name) => {
                if name.eq_ignore_ascii_case("ns_true") || name.eq_ignore_ascii_case("ns_false") {
                    return;
                }
                if !seen.insert(name.to_ascii_lowercase()) {
                    return;
                }
                match names
                    .lookup(name, false)
                    .filter(|d| !is_advanced(d.text()))
                    .and_then(|d| d.parse(&options).ok())
                {
                    Some(body) => pending.push(body),
                    None => ok = false,
                }
            }
            ExprKind::Opaque(_) => ok = false,
            ExprKind::Or(_) | ExprKind::And(_) | ExprKind::Not(_) => {}
        });
        if !ok {
            return false;
        }
    }
    true
}

fn covered_simple(simple: &Simple) -> bool {
    let text = matches!(simple.value, None | Some(Value::Text(_)));
    let test = matches!(
        (simple.qualifier, simple.op),
        (
            Qualifier::Header(Side::Req),
            Some(
                Operator::Eq
                    | Operator::Ne
                    | Operator::Contains
                    | Operator::NotContains
                    | Operator::Contents
                    | Operator::Exists
                    | Operator::NotExists
            )
        ) | (Qualifier::Method, Some(Operator::Eq | Operator::Ne))
    );
    text && test && simple.options.is_empty()
}

/// Reports a rule that is false, or true, for every request built from its atoms.
fn truth(
    policy: &str,
    expr: &Expr,
    program: &Program,
    rule: &RuleText,
    names: &NamedExpressions,
    sink: &mut Sink<'_>,
) {
    // A bare name (`ns_true`) says what it means; a rule with a test the atom requests do not
    // decide exactly (a window, a URL or number test, a context qualifier) is left alone, since
    // "false for every request" would only be true of the requests built.
    if matches!(expr.kind, ExprKind::Name(_)) || !covered(expr, names) {
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
    report_truth(policy, first, rule, false, sink);
}
