//! Lowering: the syntax tree of a rule, and of every named expression it uses, into the arena.
//! A named expression is compiled once and shared by all its uses (D12), so the arena grows with
//! the size of the text, not with the number of paths through the names. Everything runs on
//! explicit heap stacks: no recursion, whatever the nesting or the length of a chain of names.

use std::collections::HashMap;
use std::fmt::Write;

use super::CompileOptions;
use super::arena::{Arena, MAX_NODES, NameState};
use super::error::{CompileError, CompileErrorKind};
use super::names::{self, Definition, NamedExpressions};
use super::passes;
use crate::ast::{Expr, ExprKind, OpaqueFamily, Simple};
use crate::ir::{ContextInput, InputSet, Leaf, NodeId, NodeKind, Operands};

/// A named expression looked up and parsed with the caller's parse options, once per compiler.
struct Resolved<'a> {
    definition: &'a Definition,
    parsed: Result<Expr, String>,
}

/// Compiles rules into one arena.
pub(super) struct Compiler<'a> {
    pub(super) names: &'a NamedExpressions,
    pub options: &'a CompileOptions,
    definitions: HashMap<String, Resolved<'a>>,
    pub arena: Arena,
}

/// The text being lowered: the rule, or a named expression's definition.
struct Source<'e> {
    text: &'e str,
    /// The named expression, when not the rule itself.
    origin: Option<&'e str>,
    /// Canonical-text ranges of its expressions, in pre-order.
    ranges: Vec<(u32, u32)>,
    next: usize,
}

enum Work<'e> {
    Enter(&'e Expr, NodeId),
    Chain {
        slot: NodeId,
        operands: Operands,
        or: bool,
    },
    Not {
        slot: NodeId,
        inner: NodeId,
    },
    EndName {
        key: &'e str,
        slot: NodeId,
        body: NodeId,
        outer_inputs: InputSet,
    },
}

impl<'a> Compiler<'a> {
    pub(super) fn new(names: &'a NamedExpressions, options: &'a CompileOptions) -> Compiler<'a> {
        Compiler {
            names,
            options,
            definitions: HashMap::new(),
            arena: Arena::default(),
        }
    }

    /// Lowers one rule and returns its root; `arena.inputs` then holds the rule's context inputs.
    pub(super) fn lower_rule(&mut self, expr: &Expr, source: &str) -> Result<NodeId, CompileError> {
        self.resolve(expr);
        let mark = self.arena.nodes.len();
        let mut path = Vec::new();
        let result = lower(
            &mut self.arena,
            &self.definitions,
            expr,
            source,
            mark,
            &mut path,
        );
        if result.is_err() {
            // Names left half-lowered by the error must not look like cycles to later rules.
            for key in path {
                self.arena.names.remove(key);
            }
        }
        result
    }

    /// Looks up and parses every named expression `expr` reaches that this compiler has not seen.
    fn resolve(&mut self, expr: &Expr) {
        let mut pending = Vec::new();
        names_in(expr, &mut pending);
        while let Some(lower) = pending.pop() {
            if self.definitions.contains_key(&lower) {
                continue;
            }
            let Some(definition) = self.names.lookup(&lower, self.options.unverified_builtins)
            else {
                continue;
            };
            let parsed = definition.parse(&self.options.parse);
            if let Ok(body) = &parsed {
                names_in(body, &mut pending);
            }
            self.definitions
                .insert(lower, Resolved { definition, parsed });
        }
    }
}

/// The lower-case names `expr` refers to (constants excluded).
fn names_in(expr: &Expr, out: &mut Vec<String>) {
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::And(items) | ExprKind::Or(items) => stack.extend(items.iter()),
            ExprKind::Not(inner) => stack.push(inner),
            ExprKind::Name(name) if constant(name).is_none() => {
                out.push(name.to_ascii_lowercase());
            }
            ExprKind::Name(_) | ExprKind::Simple(_) | ExprKind::Opaque(_) => {}
        }
    }
}

/// The built-in constants `ns_true` and `ns_false` (D12).
fn constant(name: &str) -> Option<bool> {
    if name.eq_ignore_ascii_case("ns_true") {
        Some(true)
    } else if name.eq_ignore_ascii_case("ns_false") {
        Some(false)
    } else {
        None
    }
}

fn lower<'e>(
    arena: &mut Arena,
    definitions: &'e HashMap<String, Resolved<'_>>,
    expr: &'e Expr,
    source: &'e str,
    mark: usize,
    path: &mut Vec<&'e str>,
) -> Result<NodeId, CompileError> {
    let ranges = write_canonical(expr, &mut arena.text);
    let root = arena.reserve(1, mark);
    let (Some(ranges), Some(root)) = (ranges, root) else {
        let kind = CompileErrorKind::TooLarge(MAX_NODES);
        return Err(CompileError::new(kind, expr.span, source, None));
    };
    let mut sources = vec![Source {
        text: source,
        origin: None,
        ranges,
        next: 0,
    }];
    arena.inputs = InputSet::default();
    // Names on the current chain, as written, for cycle messages.
    let mut chain: Vec<&'e str> = Vec::new();
    let mut work = vec![Work::Enter(expr, root)];
    while let Some(item) = work.pop() {
        let Some(current) = sources.last_mut() else {
            debug_assert!(false, "the rule's source stays until the end");
            break;
        };
        match item {
            Work::Enter(expr, slot) => {
                let label = current.ranges.get(current.next).copied();
                debug_assert!(label.is_some(), "one canonical range per expression");
                current.next += 1;
                let (text, origin) = (current.text, current.origin);
                arena.set_label(slot, label.unwrap_or_default());
                let fail = |kind| CompileError::new(kind, expr.span, text, origin);
                match &expr.kind {
                    ExprKind::And(items) | ExprKind::Or(items) => {
                        let len = u32::try_from(items.len()).ok();
                        let first = len.and_then(|len| arena.reserve(len, mark));
                        let (Some(len), Some(first)) = (len, first) else {
                            return Err(fail(CompileErrorKind::TooLarge(MAX_NODES)));
                        };
                        let or = matches!(expr.kind, ExprKind::Or(_));
                        let operands = Operands { first, len };
                        work.push(Work::Chain { slot, operands, or });
                        work.extend(
                            items
                                .iter()
                                .zip(operands.ids())
                                .rev()
                                .map(|(item, id)| Work::Enter(item, id)),
                        );
                    }
                    ExprKind::Not(inner) => {
                        let Some(child) = arena.reserve(1, mark) else {
                            return Err(fail(CompileErrorKind::TooLarge(MAX_NODES)));
                        };
                        work.push(Work::Not { slot, inner: child });
                        work.push(Work::Enter(inner, child));
                    }
                    ExprKind::Simple(simple) => {
                        let leaf = arena.lower_simple(simple).map_err(fail)?;
                        arena.set_leaf(slot, leaf);
                    }
                    ExprKind::Opaque(opaque) => {
                        arena.inputs.insert(match opaque.family {
                            OpaqueFamily::ClientSecurity => ContextInput::ClientSecurity,
                            OpaqueFamily::FileSystem => ContextInput::FileSystem,
                        });
                        let text = opaque.text.clone().into_boxed_str();
                        arena.set_leaf(slot, Leaf::Opaque { text });
                    }
                    ExprKind::Name(name) => {
                        if let Some(value) = constant(name) {
                            arena.set(slot, NodeKind::Const(value), 0);
                            continue;
                        }
                        let lower = name.to_ascii_lowercase();
                        match arena.names.get(&lower).copied() {
                            Some(NameState::Done { body, inputs }) => {
                                arena.inputs = arena.inputs.union(inputs);
                                arena.set(slot, NodeKind::Named(body), arena.cost(body));
                            }
                            Some(NameState::InProgress { depth }) => {
                                let mut cycle = chain.get(depth..).unwrap_or_default().to_vec();
                                cycle.push(name);
                                let path = cycle_path(&cycle);
                                return Err(fail(CompileErrorKind::Cycle { path }));
                            }
                            None => {
                                let Some((key, resolved)) = definitions.get_key_value(&lower)
                                else {
                                    let hint = names::unknown_name_hint(&lower);
                                    let name = name.clone();
                                    return Err(fail(CompileErrorKind::UnknownName { name, hint }));
                                };
                                let body_expr = match &resolved.parsed {
                                    Ok(body) => body,
                                    Err(message) => {
                                        return Err(fail(CompileErrorKind::BadDefinition {
                                            name: name.clone(),
                                            message: message.clone(),
                                        }));
                                    }
                                };
                                let ranges = write_canonical(body_expr, &mut arena.text);
                                let body = arena.reserve(1, mark);
                                let (Some(ranges), Some(body)) = (ranges, body) else {
                                    return Err(fail(CompileErrorKind::TooLarge(MAX_NODES)));
                                };
                                let depth = chain.len();
                                arena.names.insert(lower, NameState::InProgress { depth });
                                path.push(key.as_str());
                                chain.push(resolved.definition.name());
                                sources.push(Source {
                                    text: resolved.definition.text(),
                                    origin: Some(resolved.definition.name()),
                                    ranges,
                                    next: 0,
                                });
                                work.push(Work::EndName {
                                    key,
                                    slot,
                                    body,
                                    outer_inputs: arena.inputs,
                                });
                                arena.inputs = InputSet::default();
                                work.push(Work::Enter(body_expr, body));
                            }
                        }
                    }
                }
            }
            Work::Chain { slot, operands, or } => {
                let (ordered, cost) = passes::cheapest_first(arena, operands);
                let kind = if or {
                    NodeKind::Or(operands)
                } else {
                    NodeKind::And(operands)
                };
                arena.set(slot, kind, cost);
                if let Some(meta) = arena.meta.get_mut(slot as usize) {
                    meta.written = ordered;
                }
            }
            Work::Not { slot, inner } => arena.set(slot, NodeKind::Not(inner), arena.cost(inner)),
            Work::EndName {
                key,
                slot,
                body,
                outer_inputs,
            } => {
                sources.pop();
                chain.pop();
                path.pop();
                let inputs = arena.inputs;
                arena
                    .names
                    .insert(key.to_owned(), NameState::Done { body, inputs });
                arena.inputs = outer_inputs.union(inputs);
                arena.set(slot, NodeKind::Named(body), arena.cost(body));
            }
        }
    }
    Ok(root)
}

impl Arena {
    fn set_leaf(&mut self, slot: NodeId, leaf: Leaf) {
        let cost = passes::leaf_cost(&leaf);
        self.set(slot, NodeKind::Leaf(leaf), cost);
    }

    fn lower_simple(&mut self, simple: &Simple) -> Result<Leaf, CompileErrorKind> {
        let Some(op) = simple.op else {
            return Err(CompileErrorKind::ValueExpression(simple.to_string()));
        };
        self.leaf(simple, op).map_err(CompileErrorKind::Unsupported)
    }
}

/// Appends the canonical text of `expr` (D15, as `Display` prints it) to `out` and returns the
/// range of every sub-expression in pre-order, so a program stores its text once. `None` when
/// the text outgrows 32-bit positions.
fn write_canonical(expr: &Expr, out: &mut String) -> Option<Vec<(u32, u32)>> {
    enum Step<'e> {
        Enter(&'e Expr),
        Text(&'static str),
        Close(usize),
    }
    let position = |out: &String| u32::try_from(out.len()).ok();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut steps = vec![Step::Enter(expr)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Text(text) => out.push_str(text),
            Step::Close(at) => {
                let end = position(out)?;
                if let Some(range) = ranges.get_mut(at) {
                    range.1 = end;
                }
            }
            Step::Enter(e) => {
                let start = position(out)?;
                let at = ranges.len();
                ranges.push((start, start));
                let compound = |e: &Expr| matches!(e.kind, ExprKind::And(_) | ExprKind::Or(_));
                match &e.kind {
                    ExprKind::And(items) | ExprKind::Or(items) => {
                        let or = matches!(e.kind, ExprKind::Or(_));
                        let separator = if or { " || " } else { " && " };
                        steps.push(Step::Close(at));
                        for (i, item) in items.iter().enumerate().rev() {
                            let parens = if or {
                                matches!(item.kind, ExprKind::Or(_))
                            } else {
                                compound(item)
                            };
                            if parens {
                                steps.push(Step::Text(")"));
                            }
                            steps.push(Step::Enter(item));
                            if parens {
                                steps.push(Step::Text("("));
                            }
                            if i > 0 {
                                steps.push(Step::Text(separator));
                            }
                        }
                    }
                    ExprKind::Not(inner) => {
                        steps.push(Step::Close(at));
                        let parens = compound(inner);
                        if parens {
                            steps.push(Step::Text(")"));
                        }
                        steps.push(Step::Enter(inner));
                        steps.push(Step::Text(if parens { "!(" } else { "!" }));
                    }
                    ExprKind::Simple(simple) => {
                        // Writing to a String cannot fail.
                        let _ = write!(out, "{simple}");
                        steps.push(Step::Close(at));
                    }
                    ExprKind::Name(name) => {
                        out.push_str(name);
                        steps.push(Step::Close(at));
                    }
                    ExprKind::Opaque(opaque) => {
                        out.push_str(&opaque.text);
                        steps.push(Step::Close(at));
                    }
                }
            }
        }
    }
    Some(ranges)
}

/// `a -> b -> a`, with the middle of a long cycle elided so a diagnostic stays short.
fn cycle_path<S: AsRef<str>>(cycle: &[S]) -> String {
    const SHOWN: usize = 8;
    if cycle.len() <= 2 * SHOWN {
        return cycle
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(" -> ");
    }
    let head: Vec<&str> = cycle.iter().take(SHOWN).map(AsRef::as_ref).collect();
    let tail: Vec<&str> = cycle
        .iter()
        .skip(cycle.len() - SHOWN)
        .map(AsRef::as_ref)
        .collect();
    let elided = cycle.len() - 2 * SHOWN;
    format!(
        "{} -> ... ({elided} more) ... -> {}",
        head.join(" -> "),
        tail.join(" -> ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_matches_display_with_ranges_per_subexpression() {
        for rule in [
            "a && (b || c) || !(d && e) || !f",
            "!(!(HEADER A EXISTS)) && URL == /x*",
            "(a || b) && (c || (d && e))",
        ] {
            let expr: Expr = rule.parse().expect("parses");
            let mut text = String::from("prefix ");
            let ranges = write_canonical(&expr, &mut text).expect("fits");
            assert_eq!(text.get(7..), Some(expr.to_string().as_str()));
            // Pre-order: the first range is the whole rule, and every range is a sub-rule.
            let mut stack = vec![&expr];
            let mut order = Vec::new();
            while let Some(e) = stack.pop() {
                order.push(e);
                match &e.kind {
                    ExprKind::And(items) | ExprKind::Or(items) => stack.extend(items.iter().rev()),
                    ExprKind::Not(inner) => stack.push(inner),
                    _ => {}
                }
            }
            assert_eq!(order.len(), ranges.len());
            for (e, (start, end)) in order.iter().zip(&ranges) {
                assert_eq!(
                    text.get(*start as usize..*end as usize),
                    Some(e.to_string().as_str())
                );
            }
        }
    }
}
