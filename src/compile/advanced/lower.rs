//! Lowering checked advanced rules into the shared arena (D23-D32).
//!
//! A rule's boolean structure becomes the classic `&&`/`||`/`!` nodes when none of its leaves
//! can be UNDEF: D23 is then Kleene's logic, so operands may be reordered cheapest first and the
//! trigger index applies. Otherwise it becomes advanced nodes evaluated on outcome sets, left to
//! right. Each boolean chain becomes a classic header matcher when one expresses it exactly
//! (`EXISTS`, caseless header `CONTAINS`), sharing header slots and memoised leaves with classic
//! rules, else a postfix [`AdvCode`] leaf.

use std::collections::HashMap;

use super::{
    AdvCompileError, AdvType, Arg, CheckError, CheckErrorKind, CheckOptions, Head, Op, Source,
    Step, TextMode, Typed, TypedNode,
};
use crate::ast::Span;
use crate::ast::advanced::{BinOp, IpLit, PatternKind, RegexLit, TimeLit};
use crate::compile::arena::MAX_NODES;
use crate::compile::lower::Compiler;
use crate::compile::{GroupMatch, HeaderTextOps, TimeFields, UrlMode};
use crate::ir::advanced::{
    AdvCode, AdvOp, AdvRegex, AdvSource, Arith, Cmp, Extract, SetPred, TextPred, TimeField,
};
use crate::ir::matchers::{ContainsCi, IpTest, TextOp, TextTest, Window, prefix_mask};
use crate::ir::{ContextInput, InputSet, Leaf, NodeId, NodeKind, Operands};

/// Most nodes inlining named expressions may produce for one rule.
const MAX_INLINED: usize = 100_000;

/// The advanced named expressions, checked once per compiler.
#[derive(Debug, Default)]
pub(in crate::compile) struct AdvNames {
    types: HashMap<String, AdvType>,
    /// Upper-cased name → checked body, or the message of why it does not check.
    bodies: HashMap<String, Result<Typed, String>>,
}

/// A lowered rule: its root and the dependencies it can never supply (D24, D27, D28).
pub(in crate::compile) struct Lowered {
    pub root: NodeId,
    pub unsupported: Vec<String>,
}

/// Parses, checks and lowers an advanced rule into `compiler`'s arena; `names` caches the
/// checked advanced named expressions across the rules of a set.
pub(in crate::compile) fn lower_advanced(
    compiler: &mut Compiler<'_>,
    names: &mut Option<AdvNames>,
    text: &str,
) -> Result<Lowered, AdvCompileError> {
    let checked = names.get_or_insert_with(|| compiler.check_names());
    compiler.lower_checked(text, checked)
}

/// Checks the advanced named expressions of `compiler`'s names once, for
/// [`lower_with`] and [`inline_rule`] on many rules.
pub(in crate::compile) fn check_advanced_names(compiler: &Compiler<'_>) -> AdvNames {
    compiler.check_names()
}

/// [`lower_advanced`] with named expressions checked beforehand.
pub(in crate::compile) fn lower_with(
    compiler: &mut Compiler<'_>,
    names: &AdvNames,
    text: &str,
) -> Result<Lowered, AdvCompileError> {
    compiler.lower_checked(text, names)
}

/// Parses and checks an advanced rule and replaces every named expression it uses by its
/// checked body: the tree the lowering step would lower.
pub(in crate::compile) fn inline_rule(
    compiler: &Compiler<'_>,
    names: &AdvNames,
    text: &str,
) -> Result<Typed, AdvCompileError> {
    let options = compiler.check_options(names.types.clone());
    let mut typed = super::check_rule(text, &options)?.typed;
    compiler
        .inline_names(&mut typed, names)
        .map_err(|(kind, span, hint)| CheckError {
            kind,
            span,
            source: text.to_owned(),
            hint,
        })?;
    Ok(typed)
}

impl Compiler<'_> {
    fn check_options(&self, types: HashMap<String, AdvType>) -> CheckOptions {
        CheckOptions {
            strict: self.options.strict_advanced,
            named_types: types,
            parse: self.options.advanced_parse.clone(),
        }
    }

    /// Checks every advanced definition, inferring the types names have in each other.
    fn check_names(&self) -> AdvNames {
        let definitions: Vec<_> = self.names.advanced_definitions().collect();
        let mut types: HashMap<String, AdvType> = HashMap::new();
        for _ in 0..=definitions.len() {
            let mut changed = false;
            for d in &definitions {
                let options = self.check_options(types.clone());
                if let Ok(checked) = super::check_value_text(d.text(), &options) {
                    let key = d.name().to_ascii_uppercase();
                    if types.insert(key, checked.typed.ty) != Some(checked.typed.ty) {
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let options = self.check_options(types.clone());
        let bodies = definitions
            .iter()
            .map(|d| {
                let body = super::check_value_text(d.text(), &options)
                    .map(|c| c.typed)
                    .map_err(|e| e.to_string());
                (d.name().to_ascii_uppercase(), body)
            })
            .collect();
        AdvNames { types, bodies }
    }

    fn lower_checked(&mut self, text: &str, names: &AdvNames) -> Result<Lowered, AdvCompileError> {
        let options = self.check_options(names.types.clone());
        let checked = super::check_rule(text, &options)?;
        let mut typed = checked.typed;
        let fail = |kind, span, hint: Option<String>| CheckError {
            kind,
            span,
            source: text.to_owned(),
            hint,
        };
        self.inline_names(&mut typed, names)
            .map_err(|(kind, span, hint)| fail(kind, span, hint))?;
        let mut lowering = Lowering {
            undef: may_undef(&typed),
            source: text,
            mark: self.arena.nodes.len(),
            inputs: InputSet::default(),
            unsupported: checked.unsupported.iter().map(|u| u.dependency()).collect(),
            compiler: self,
        };
        let root = lowering
            .structure(&typed)
            .map_err(|(kind, span)| fail(kind, span, None))?;
        let Lowering {
            inputs,
            mut unsupported,
            ..
        } = lowering;
        self.arena.inputs = inputs;
        unsupported.sort();
        unsupported.dedup();
        Ok(Lowered { root, unsupported })
    }

    /// Replaces every use of an advanced named expression by its checked body (D32), on an
    /// explicit stack; a classic name is an error that points to `SYS.EVAL_CLASSIC_EXPR`.
    fn inline_names(
        &self,
        typed: &mut Typed,
        names: &AdvNames,
    ) -> Result<(), (CheckErrorKind, Span, Option<String>)> {
        let mut stack: Vec<(&mut Typed, Vec<String>)> = vec![(typed, Vec::new())];
        let mut inlined = 0usize;
        while let Some((t, chain)) = stack.pop() {
            let span = t.span;
            match &mut t.node {
                TypedNode::Not(inner) | TypedNode::Neg(inner) => {
                    stack.push((inner.as_mut(), chain));
                }
                TypedNode::Infix { first, rest } => {
                    stack.push((first.as_mut(), chain.clone()));
                    for (_, r) in rest.iter_mut() {
                        stack.push((r, chain.clone()));
                    }
                }
                TypedNode::Chain(c) => {
                    let mut head_chain = chain.clone();
                    // The names being expanded where each step was written (a spliced body's
                    // steps sit inside its name, for cycle detection in their arguments).
                    let mut step_chains: Vec<Vec<String>> = vec![chain.clone(); c.steps.len()];
                    // A name whose body is itself a chain is spliced in, and the splice repeated
                    // while the head is a name: `UA.ENDSWITH("x")` with
                    // `UA = HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE)` reads as the
                    // whole written chain, so the body's text mode carries on (D25).
                    while let Head::Named(name) = &c.head {
                        let name = name.clone();
                        if head_chain.contains(&name) {
                            let mut path = head_chain.clone();
                            path.push(name);
                            return Err((CheckErrorKind::NameCycle(path.join(" -> ")), span, None));
                        }
                        let body = match names.bodies.get(&name) {
                            Some(Ok(body)) => body,
                            Some(Err(message)) => {
                                return Err((
                                    CheckErrorKind::BadDefinition {
                                        name,
                                        message: message.clone(),
                                    },
                                    span,
                                    None,
                                ));
                            }
                            None => {
                                let classic = self
                                    .names
                                    .lookup(&name, self.options.unverified_builtins)
                                    .is_some();
                                let hint = classic.then(|| {
                                    format!(
                                        "`{name}` is a classic named expression: convert it, or \
                                         embed it as SYS.EVAL_CLASSIC_EXPR(\"{}\")",
                                        name.to_ascii_lowercase()
                                    )
                                });
                                let kind = if classic {
                                    CheckErrorKind::ClassicName(name)
                                } else {
                                    CheckErrorKind::UnknownName(name)
                                };
                                return Err((kind, span, hint));
                            }
                        };
                        let mut body = body.clone();
                        inlined += count_nodes(&mut body, span);
                        if inlined > MAX_INLINED {
                            return Err((CheckErrorKind::TooLarge(MAX_INLINED), span, None));
                        }
                        head_chain.push(name);
                        match body.node {
                            TypedNode::Chain(inner) => {
                                let mut chains = vec![head_chain.clone(); inner.steps.len()];
                                chains.append(&mut step_chains);
                                step_chains = chains;
                                let mut steps = inner.steps;
                                steps.append(&mut c.steps);
                                c.steps = steps;
                                c.head = inner.head;
                            }
                            _ => c.head = Head::Expr(Box::new(body)),
                        }
                    }
                    if let Head::Expr(e) = &mut c.head {
                        stack.push((e.as_mut(), head_chain));
                    }
                    for (step, names) in c.steps.iter_mut().zip(step_chains) {
                        for arg in step.args.iter_mut() {
                            if let Arg::Expr(e) = arg {
                                stack.push((e, names.clone()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Gives every node of an inlined body the span of the name's use (labels show the name) and
/// counts them.
fn count_nodes(body: &mut Typed, span: Span) -> usize {
    let mut count = 0;
    let mut stack = vec![body];
    while let Some(t) = stack.pop() {
        count += 1;
        t.span = span;
        for child in children_mut(t) {
            stack.push(child);
        }
    }
    count
}

fn children_mut(t: &mut Typed) -> Vec<&mut Typed> {
    match &mut t.node {
        TypedNode::Not(inner) | TypedNode::Neg(inner) => vec![inner.as_mut()],
        TypedNode::Infix { first, rest } => std::iter::once(first.as_mut())
            .chain(rest.iter_mut().map(|(_, r)| r))
            .collect(),
        TypedNode::Chain(c) => {
            let mut out = Vec::new();
            if let Head::Expr(e) = &mut c.head {
                out.push(e.as_mut());
            }
            for step in c.steps.iter_mut() {
                for arg in step.args.iter_mut() {
                    if let Arg::Expr(e) = arg {
                        out.push(e);
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

fn children(t: &Typed) -> Vec<&Typed> {
    match &t.node {
        TypedNode::Not(inner) | TypedNode::Neg(inner) => vec![inner.as_ref()],
        TypedNode::Infix { first, rest } => std::iter::once(first.as_ref())
            .chain(rest.iter().map(|(_, r)| r))
            .collect(),
        TypedNode::Chain(c) => {
            let mut out = Vec::new();
            if let Head::Expr(e) = &c.head {
                out.push(e.as_ref());
            }
            for step in &c.steps {
                for arg in &step.args {
                    if let Arg::Expr(e) = arg {
                        out.push(e);
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Whether evaluating `t` can be UNDEF (section 3.4).
fn may_undef(t: &Typed) -> bool {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        let undef = match &t.node {
            TypedNode::Neg(_) => true,
            TypedNode::Infix { rest, .. } => {
                rest.iter().any(|(op, _)| {
                    matches!(
                        op,
                        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
                    ) && t.ty.comparable() != AdvType::Text
                }) || rest.iter().any(|(_, r)| r.ty == AdvType::Num)
            }
            TypedNode::Chain(c) => c.steps.iter().any(|s| {
                matches!(s.op, Op::TypecastNum | Op::TypecastIp)
                    || (s.op == Op::Count && s.on == AdvType::Header)
            }),
            _ => false,
        };
        if undef {
            return true;
        }
        stack.extend(children(t));
    }
    false
}

type Fail = (CheckErrorKind, Span);

struct Lowering<'c, 'a, 's> {
    compiler: &'c mut Compiler<'a>,
    source: &'s str,
    undef: bool,
    mark: usize,
    inputs: InputSet,
    unsupported: Vec<String>,
}

enum Work<'t> {
    Enter(&'t Typed, NodeId),
    Chain {
        slot: NodeId,
        operands: Operands,
        or: bool,
    },
    Not {
        slot: NodeId,
        inner: NodeId,
    },
}

/// What a boolean expression is, structurally.
enum Shape<'t> {
    Const(bool),
    Chain(&'t Typed, &'t [(BinOp, Typed)], bool),
    /// `nots` negations of an operand.
    Not(&'t Typed, usize),
    /// `nots` negations of an embedded classic rule.
    Classic(&'t crate::ast::Expr, usize),
    Leaf,
}

fn shape(t: &Typed) -> Shape<'_> {
    match &t.node {
        TypedNode::Bool(b) => Shape::Const(*b),
        TypedNode::Infix { first, rest }
            if rest
                .first()
                .is_some_and(|(op, _)| matches!(op, BinOp::And | BinOp::Or)) =>
        {
            let or = matches!(rest.first(), Some((BinOp::Or, _)));
            Shape::Chain(first, rest, or)
        }
        TypedNode::Not(inner) if inner.ty == AdvType::Bool => Shape::Not(inner, 1),
        TypedNode::Chain(c) if c.steps.iter().all(|s| s.op == Op::Not) => match &c.head {
            Head::Expr(inner) if inner.ty == AdvType::Bool => Shape::Not(inner, c.steps.len()),
            Head::Source(Source::EvalClassic(expr)) => Shape::Classic(expr, c.steps.len()),
            _ => Shape::Leaf,
        },
        _ => Shape::Leaf,
    }
}

impl Lowering<'_, '_, '_> {
    /// Whether the `fancy_regex` option (D28) is on.
    fn fancy_regex(&self) -> bool {
        #[cfg(feature = "fancy-regex")]
        return self.compiler.options.fancy_regex;
        #[cfg(not(feature = "fancy-regex"))]
        false
    }

    fn reserve(&mut self, n: u32, span: Span) -> Result<NodeId, Fail> {
        self.compiler
            .arena
            .reserve(n, self.mark)
            .ok_or((CheckErrorKind::TooLarge(MAX_NODES), span))
    }

    /// Stores the canonical text (D35) of `span` of the rule as the label of `slot`.
    fn label(&mut self, slot: NodeId, span: Span) {
        let written = self
            .source
            .get(span.start..span.end)
            .unwrap_or(self.source)
            .trim();
        let canonical = crate::syntax::advanced::parse_advanced(written)
            .map(|e| e.to_string())
            .unwrap_or_else(|_| written.to_owned());
        let arena = &mut self.compiler.arena;
        let start = u32::try_from(arena.text.len()).unwrap_or(u32::MAX);
        arena.text.push_str(&canonical);
        let end = u32::try_from(arena.text.len()).unwrap_or(u32::MAX);
        arena.set_label(slot, (start, end));
    }

    /// Lowers the boolean structure of a rule on an explicit stack; returns the root.
    fn structure(&mut self, typed: &Typed) -> Result<NodeId, Fail> {
        let root = self.reserve(1, typed.span)?;
        let mut work = vec![Work::Enter(typed, root)];
        while let Some(item) = work.pop() {
            match item {
                Work::Enter(t, slot) => {
                    self.label(slot, t.span);
                    match shape(t) {
                        Shape::Const(b) => self.compiler.arena.set(slot, NodeKind::Const(b), 0),
                        Shape::Chain(first, rest, or) => {
                            let len = u32::try_from(rest.len() + 1).unwrap_or(u32::MAX);
                            let first_id = self.reserve(len, t.span)?;
                            let operands = Operands {
                                first: first_id,
                                len,
                            };
                            work.push(Work::Chain { slot, operands, or });
                            let items = std::iter::once(first).chain(rest.iter().map(|(_, r)| r));
                            let entries: Vec<_> = items.zip(operands.ids()).collect();
                            work.extend(
                                entries.into_iter().rev().map(|(t, id)| Work::Enter(t, id)),
                            );
                        }
                        // A parenthesised operand (or an inlined name) without `.NOT`.
                        Shape::Not(inner, 0) => work.push(Work::Enter(inner, slot)),
                        Shape::Not(inner, nots) => {
                            let mut outer = slot;
                            for _ in 1..nots {
                                let next = self.reserve(1, t.span)?;
                                self.label(next, t.span);
                                work.push(Work::Not {
                                    slot: outer,
                                    inner: next,
                                });
                                outer = next;
                            }
                            let child = self.reserve(1, inner.span)?;
                            work.push(Work::Not {
                                slot: outer,
                                inner: child,
                            });
                            work.push(Work::Enter(inner, child));
                        }
                        Shape::Classic(expr, nots) => {
                            let id = self.classic(expr, t.span)?;
                            let mut outer = slot;
                            for _ in 0..nots {
                                let next = self.reserve(1, t.span)?;
                                self.label(next, t.span);
                                work.push(Work::Not {
                                    slot: outer,
                                    inner: next,
                                });
                                outer = next;
                            }
                            let cost = self.compiler.arena.cost(id);
                            self.compiler.arena.set(outer, NodeKind::Named(id), cost);
                        }
                        Shape::Leaf => {
                            let leaf = self.leaf(t)?;
                            let cost = crate::compile::passes::leaf_cost(&leaf);
                            self.compiler.arena.set(slot, NodeKind::Leaf(leaf), cost);
                        }
                    }
                }
                Work::Chain { slot, operands, or } => {
                    let arena = &mut self.compiler.arena;
                    if self.undef {
                        let kind = if or {
                            NodeKind::AdvOr(operands)
                        } else {
                            NodeKind::AdvAnd(operands)
                        };
                        let cost = operands
                            .ids()
                            .fold(0u32, |sum, id| sum.saturating_add(arena.cost(id)));
                        arena.set(slot, kind, cost);
                    } else {
                        let (ordered, cost) =
                            crate::compile::passes::cheapest_first(arena, operands);
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
                }
                Work::Not { slot, inner } => {
                    let arena = &mut self.compiler.arena;
                    let kind = if self.undef {
                        NodeKind::AdvNot(inner)
                    } else {
                        NodeKind::Not(inner)
                    };
                    arena.set(slot, kind, arena.cost(inner));
                }
            }
        }
        Ok(root)
    }

    /// Lowers an embedded classic rule (D32) into the same arena.
    fn classic(&mut self, expr: &crate::ast::Expr, span: Span) -> Result<NodeId, Fail> {
        let text = expr.to_string();
        let id = self
            .compiler
            .lower_rule(expr, &text)
            .map_err(|e| (CheckErrorKind::ClassicExpr(e.to_string()), span))?;
        self.inputs = self.inputs.union(self.compiler.arena.inputs);
        Ok(id)
    }

    fn header_slot(&mut self, name: &[u8], span: Span) -> Result<u16, Fail> {
        let name = String::from_utf8_lossy(name);
        self.compiler
            .arena
            .header_slot(&name)
            .map_err(|m| (CheckErrorKind::ClassicExpr(m), span))
    }

    /// A boolean chain or comparison: a classic header matcher when one is exact, else code.
    fn leaf(&mut self, t: &Typed) -> Result<Leaf, Fail> {
        if let Some(leaf) = self.header_matcher(t)? {
            return Ok(leaf);
        }
        let code = self.code(t)?;
        Ok(Leaf::Advanced(Box::new(code)))
    }

    /// `HTTP.REQ.HEADER("h")[.SET_TEXT_MODE(..)].EXISTS` and the caseless header `CONTAINS`
    /// (D26: some instance contains the needle) as the classic matchers.
    fn header_matcher(&mut self, t: &Typed) -> Result<Option<Leaf>, Fail> {
        let TypedNode::Chain(chain) = &t.node else {
            return Ok(None);
        };
        let Head::Source(Source::Header(name)) = &chain.head else {
            return Ok(None);
        };
        let Some((last, modes)) = chain.steps.split_last() else {
            return Ok(None);
        };
        let mut fold = false;
        for step in modes {
            match (step.op, step.args.first()) {
                (Op::SetTextMode, Some(Arg::Mode(TextMode::IgnoreCase))) => fold = true,
                (Op::SetTextMode, Some(Arg::Mode(TextMode::NoIgnoreCase))) => fold = false,
                (Op::SetTextMode, Some(Arg::Mode(TextMode::NoUrlEncoded))) => {}
                _ => return Ok(None),
            }
        }
        let window = Window {
            offset: 0,
            length: None,
        };
        let op = match (last.op, last.args.first()) {
            (Op::Exists, None) => TextOp::Exists,
            (Op::Contains, Some(Arg::Expr(needle))) if fold => {
                let TypedNode::Text(needle) = &needle.node else {
                    return Ok(None);
                };
                let blank = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_whitespace());
                if blank(needle.first())
                    || blank(needle.last())
                    || (needle.is_empty() && self.compiler.options.empty_needle_on_absent)
                {
                    return Ok(None);
                }
                TextOp::Contains(ContainsCi::new(needle))
            }
            _ => return Ok(None),
        };
        let slot = self.header_slot(name, t.span)?;
        let test = TextTest { window, op };
        Ok(Some(match test.op {
            TextOp::Exists => Leaf::Header { slot, test },
            _ => Leaf::HeaderAny { slot, test },
        }))
    }

    /// Compiles a value expression to postfix code, on an explicit stack.
    fn code(&mut self, t: &Typed) -> Result<AdvCode, Fail> {
        let mut ops: Vec<AdvOp> = Vec::new();
        let mut checks: Vec<usize> = Vec::new();
        let mut work = vec![Emit::Value(t)];
        while let Some(item) = work.pop() {
            let t = match item {
                Emit::Op(op) => {
                    ops.push(op);
                    continue;
                }
                Emit::Check(or) => {
                    checks.push(ops.len());
                    ops.push(if or {
                        AdvOp::OrCheck(0)
                    } else {
                        AdvOp::AndCheck(0)
                    });
                    continue;
                }
                Emit::Join(or) => {
                    ops.push(if or { AdvOp::OrJoin } else { AdvOp::AndJoin });
                    let after = u32::try_from(ops.len()).unwrap_or(u32::MAX);
                    if let Some(at) = checks.pop()
                        && let Some(check) = ops.get_mut(at)
                    {
                        *check = if or {
                            AdvOp::OrCheck(after)
                        } else {
                            AdvOp::AndCheck(after)
                        };
                    }
                    continue;
                }
                Emit::Value(t) => t,
            };
            let mut items: Vec<Emit<'_>> = Vec::new();
            match &t.node {
                TypedNode::Bool(b) => items.push(Emit::Op(AdvOp::Bool(*b))),
                TypedNode::Num(n) => items.push(Emit::Op(AdvOp::Num(*n))),
                TypedNode::Text(b) => items.push(Emit::Op(AdvOp::Text(b.clone().into()))),
                TypedNode::Not(inner) => {
                    items.push(Emit::Value(inner));
                    items.push(Emit::Op(AdvOp::Not));
                }
                TypedNode::Neg(inner) => {
                    items.push(Emit::Value(inner));
                    items.push(Emit::Op(AdvOp::Neg));
                }
                TypedNode::Infix { first, rest } => {
                    items.push(Emit::Value(first));
                    let text = first.ty.comparable() == AdvType::Text;
                    for (op, right) in rest {
                        match op {
                            BinOp::And | BinOp::Or => {
                                let or = *op == BinOp::Or;
                                items.push(Emit::Check(or));
                                items.push(Emit::Value(right));
                                items.push(Emit::Join(or));
                            }
                            _ => {
                                items.push(Emit::Value(right));
                                items.push(Emit::Op(binary(*op, text)));
                            }
                        }
                    }
                }
                TypedNode::Unsupported(_) => items.push(Emit::Op(AdvOp::Unknown { pops: 0 })),
                TypedNode::Chain(chain) => {
                    match &chain.head {
                        Head::Expr(e) => items.push(Emit::Value(e)),
                        Head::Named(_) => items.push(Emit::Op(AdvOp::Unknown { pops: 0 })),
                        Head::Source(source) => {
                            let op = self.source_op(source, t.span)?;
                            items.push(Emit::Op(op));
                            if matches!(source, Source::Url)
                                && self.compiler.options.url_default_mode == UrlMode::Decoded
                            {
                                items.push(Emit::Op(AdvOp::Decode));
                            }
                        }
                    }
                    let mut fold = false;
                    for step in &chain.steps {
                        self.step(step, &mut fold, &mut items)?;
                    }
                }
            }
            work.extend(items.into_iter().rev());
        }
        let uses_scratch = ops
            .iter()
            .any(|op| matches!(op, AdvOp::Decode | AdvOp::MapCase { .. } | AdvOp::Concat));
        Ok(AdvCode {
            ops: ops.into_boxed_slice(),
            uses_scratch,
        })
    }

    fn input(&mut self, input: ContextInput) {
        self.inputs.insert(input);
    }

    fn unsupported(&mut self, dependency: String) -> AdvOp {
        self.unsupported.push(dependency);
        AdvOp::Unknown { pops: 0 }
    }

    fn source_op(&mut self, source: &Source, span: Span) -> Result<AdvOp, Fail> {
        use ContextInput as I;
        Ok(AdvOp::Source(match source {
            Source::Header(name) => AdvSource::Header(self.header_slot(name, span)?),
            Source::Url => AdvSource::Url,
            Source::Hostname => AdvSource::Hostname(self.header_slot(b"Host", span)?),
            Source::Method => AdvSource::Method,
            Source::Version => AdvSource::Version,
            Source::IsValid => AdvSource::IsValid,
            Source::ClientIp { dst } | Source::ClientIpv6 { dst } => {
                self.input(if *dst { I::DestIp } else { I::ClientIp });
                if matches!(source, Source::ClientIp { .. }) {
                    AdvSource::ClientIp { dst: *dst }
                } else {
                    AdvSource::ClientIpv6 { dst: *dst }
                }
            }
            Source::ClientPort { dst } => {
                self.input(if *dst { I::DestPort } else { I::ClientPort });
                AdvSource::ClientPort { dst: *dst }
            }
            Source::Mss => {
                self.input(I::Mss);
                AdvSource::Mss
            }
            Source::VlanId => {
                self.input(I::Vlan);
                AdvSource::Vlan
            }
            Source::IsSsl | Source::CipherBits | Source::SslVersion | Source::CipherExportable => {
                self.input(I::Tls);
                match source {
                    Source::IsSsl => AdvSource::IsSsl,
                    Source::CipherBits => AdvSource::CipherBits,
                    Source::SslVersion => AdvSource::SslVersion,
                    _ => AdvSource::CipherExportable,
                }
            }
            Source::SysTime => {
                self.input(I::Clock);
                AdvSource::SysTime
            }
            Source::UserName => {
                self.input(I::AaaUser);
                AdvSource::UserName
            }
            Source::Groups => {
                self.input(I::AaaGroups);
                AdvSource::Groups
            }
            Source::IsMemberOf(group) => {
                self.input(I::AaaGroups);
                let fold = self.compiler.options.group_match == GroupMatch::AsciiCaseless;
                return Ok(AdvOp::IsMemberOf {
                    group: group.clone().into(),
                    fold,
                });
            }
            Source::EvalClassic(expr) => return Ok(AdvOp::Node(self.classic(expr, span)?)),
            Source::Body(_) => return Ok(self.unsupported("request_body".to_owned())),
            Source::Cookie => return Ok(self.unsupported("advanced:HTTP.REQ.COOKIE".to_owned())),
            Source::Date => return Ok(self.unsupported("advanced:HTTP.REQ.DATE".to_owned())),
            Source::ClientCert => {
                return Ok(self.unsupported("advanced:CLIENT.SSL.CLIENT_CERT".to_owned()));
            }
            Source::ClientExpr(_) => return Ok(self.unsupported("epa".to_owned())),
            Source::Attribute(_) => {
                return Ok(self.unsupported("advanced:AAA.USER.ATTRIBUTE".to_owned()));
            }
        }))
    }

    /// The emission of one method: its expression arguments, then its op (receiver first, D23).
    fn step<'t>(
        &mut self,
        step: &'t Step,
        fold: &mut bool,
        items: &mut Vec<Emit<'t>>,
    ) -> Result<(), Fail> {
        let options = self.compiler.options;
        let header = step.on == AdvType::Header;
        let any = header && options.header_text_ops == HeaderTextOps::Any;
        let exprs: Vec<&Typed> = step
            .args
            .iter()
            .filter_map(|a| match a {
                Arg::Expr(e) => Some(e),
                _ => None,
            })
            .collect();
        let with_args = |items: &mut Vec<Emit<'t>>, op: AdvOp| {
            items.extend(exprs.iter().map(|e| Emit::Value(e)));
            items.push(Emit::Op(op));
        };
        let first = step.args.first();
        let pred = |p: TextPred, fold: bool| {
            if any {
                AdvOp::HeaderAnyPred { pred: p, fold }
            } else {
                AdvOp::TextPred { pred: p, fold }
            }
        };
        let cmp = |op: Op| match op {
            Op::Eq => Cmp::Eq,
            Op::Ne => Cmp::Ne,
            Op::Gt => Cmp::Gt,
            Op::Ge => Cmp::Ge,
            Op::Lt => Cmp::Lt,
            _ => Cmp::Le,
        };
        let f = *fold;
        match step.op {
            Op::SetTextMode => match first {
                Some(Arg::Mode(TextMode::IgnoreCase)) => *fold = true,
                Some(Arg::Mode(TextMode::NoIgnoreCase)) => *fold = false,
                Some(Arg::Mode(TextMode::UrlEncoded)) => items.push(Emit::Op(AdvOp::Decode)),
                _ => {}
            },
            Op::Contains if header => with_args(
                items,
                AdvOp::HeaderContains {
                    fold: f,
                    empty_on_absent: options.empty_needle_on_absent,
                },
            ),
            Op::Contains if step.on == AdvType::List => {
                with_args(items, AdvOp::ListContains { fold: f })
            }
            Op::Contains => with_args(items, pred(TextPred::Contains, f)),
            Op::Eq | Op::Ne if step.on == AdvType::Method => {
                let negate = step.op == Op::Ne;
                let op = match first {
                    Some(Arg::MethodWord(w)) => AdvOp::MethodIs {
                        word: w.as_bytes().into(),
                        fold: true,
                        negate,
                    },
                    Some(Arg::MethodText(w)) => AdvOp::MethodIs {
                        word: w.clone().into(),
                        fold: false,
                        negate,
                    },
                    _ => with_text_arg(items, &exprs, pred(ne_or_eq(negate), f)),
                };
                items.push(Emit::Op(op));
            }
            Op::Eq | Op::Ne | Op::Gt | Op::Ge | Op::Lt | Op::Le => match first {
                Some(Arg::Ip(ip)) => {
                    let mut test = ip_test(ip);
                    test.negate = step.op == Op::Ne;
                    items.push(Emit::Op(AdvOp::IpIn(test)));
                }
                Some(Arg::Time(time)) => {
                    let pattern = self.time(time);
                    items.push(Emit::Op(AdvOp::TimeCmp {
                        cmp: cmp(step.op),
                        pattern,
                    }));
                }
                _ if step.on == AdvType::Num || step.on == AdvType::Unknown => {
                    with_args(items, AdvOp::Compare(cmp(step.op)))
                }
                _ => with_args(items, pred(ne_or_eq(step.op == Op::Ne), f)),
            },
            Op::Between => match (step.args.first(), step.args.get(1)) {
                (Some(Arg::Time(low)), Some(Arg::Time(high))) => {
                    let (low, high) = (self.time(low), self.time(high));
                    items.push(Emit::Op(AdvOp::TimeBetween { low, high }));
                }
                _ => with_args(items, AdvOp::Between),
            },
            Op::StartsWith => with_args(items, pred(TextPred::StartsWith, f)),
            Op::EndsWith => with_args(items, pred(TextPred::EndsWith, f)),
            Op::Length => items.push(Emit::Op(AdvOp::Length)),
            Op::ToLower | Op::ToUpper => items.push(Emit::Op(AdvOp::MapCase {
                upper: step.op == Op::ToUpper,
            })),
            Op::Skip => with_args(items, AdvOp::Skip),
            Op::SubstrRange => with_args(items, AdvOp::SubstrRange),
            Op::SubstrText | Op::AfterStr | Op::BeforeStr | Op::StripEndChars => {
                let kind = match step.op {
                    Op::SubstrText => Extract::SubstrText,
                    Op::AfterStr => Extract::AfterStr,
                    Op::BeforeStr => Extract::BeforeStr,
                    _ => Extract::StripEndChars,
                };
                let op = if header && kind != Extract::StripEndChars {
                    AdvOp::HeaderExtract { kind, fold: f }
                } else {
                    AdvOp::Extract { kind, fold: f }
                };
                with_args(items, op);
            }
            Op::ContainsAny | Op::EqualsAny | Op::StartsWithAny => {
                let Some(Arg::PatSet(name)) = first else {
                    return Err((CheckErrorKind::UnknownPatSet(String::new()), step.span));
                };
                let Some(members) = options.pattern_sets.get(name) else {
                    return Err((CheckErrorKind::UnknownPatSet(name.clone()), step.span));
                };
                let set: Box<[Box<[u8]>]> = members.iter().map(|m| m.clone().into()).collect();
                let kind = match step.op {
                    Op::ContainsAny => SetPred::Contains,
                    Op::EqualsAny => SetPred::Equals,
                    _ => SetPred::StartsWith,
                };
                items.push(Emit::Op(if header && kind == SetPred::Contains {
                    AdvOp::HeaderSet { kind, set, fold: f }
                } else {
                    AdvOp::SetPred { kind, set, fold: f }
                }));
            }
            Op::RegexMatch => {
                let Some(Arg::Regex(re)) = first else {
                    return Err((CheckErrorKind::BadRegex(String::new()), step.span));
                };
                let op = match regex(re, f, self.fancy_regex()) {
                    Ok(re) => AdvOp::Regex(Box::new(re)),
                    Err(RegexProblem::Unsupported(dependency)) => {
                        self.unsupported.push(dependency);
                        AdvOp::Unknown { pops: 1 }
                    }
                    Err(RegexProblem::Invalid(message)) => {
                        return Err((CheckErrorKind::BadRegex(message), step.span));
                    }
                };
                items.push(Emit::Op(op));
            }
            Op::TypecastNum => items.push(Emit::Op(AdvOp::TypecastNum)),
            Op::TypecastIp => items.push(Emit::Op(AdvOp::TypecastIp)),
            Op::TypecastText => items.push(Emit::Op(AdvOp::HeaderText)),
            Op::Exists if header => items.push(Emit::Op(AdvOp::Exists)),
            Op::Count if header => items.push(Emit::Op(AdvOp::Count)),
            Op::Count if step.on == AdvType::List => items.push(Emit::Op(AdvOp::ListCount)),
            Op::Instance | Op::Value if header => {
                let Some(Arg::Index(n)) = first else {
                    return Err((CheckErrorKind::IndexRange(u64::MAX), step.span));
                };
                items.push(Emit::Op(if step.op == Op::Instance {
                    AdvOp::Instance(*n)
                } else {
                    AdvOp::Value(*n)
                }));
            }
            Op::InSubnet => match first {
                Some(Arg::Ip(ip)) => items.push(Emit::Op(AdvOp::IpIn(ip_test(ip)))),
                _ => items.push(Emit::Op(AdvOp::Unknown { pops: 1 })),
            },
            Op::Not => items.push(Emit::Op(AdvOp::Not)),
            Op::Path => items.push(Emit::Op(AdvOp::UrlPath)),
            Op::Query => items.push(Emit::Op(AdvOp::UrlQuery)),
            Op::PathAndQuery => items.push(Emit::Op(AdvOp::UrlPathAndQuery)),
            Op::Suffix => items.push(Emit::Op(AdvOp::UrlSuffix)),
            Op::Domain | Op::Server => {
                // Host parts compare caselessly (D25).
                *fold = true;
                items.push(Emit::Op(AdvOp::HostDomain));
            }
            Op::Port if step.on == AdvType::Hostname => items.push(Emit::Op(AdvOp::HostPort)),
            Op::Weekday
            | Op::Day
            | Op::Hours
            | Op::Minutes
            | Op::Seconds
            | Op::Month
            | Op::Year => {
                let local = options.sys_time_fields == TimeFields::Local;
                if local {
                    self.input(ContextInput::LocalTimeZone);
                }
                let field = match step.op {
                    Op::Weekday => TimeField::Weekday,
                    Op::Day => TimeField::Day,
                    Op::Hours => TimeField::Hours,
                    Op::Minutes => TimeField::Minutes,
                    Op::Seconds => TimeField::Seconds,
                    Op::Month => TimeField::Month,
                    _ => TimeField::Year,
                };
                items.push(Emit::Op(AdvOp::TimeField { field, local }));
            }
            _ => {
                let name = self
                    .source
                    .get(step.span.start..step.span.end)
                    .unwrap_or_default();
                let name = name.split('(').next().unwrap_or_default().trim();
                self.unsupported
                    .push(format!("advanced:{}", name.to_ascii_uppercase()));
                items.push(Emit::Op(AdvOp::Unknown { pops: 1 }));
            }
        }
        Ok(())
    }

    fn time(&mut self, t: &TimeLit) -> TimeLit {
        if t.local {
            self.input(ContextInput::LocalTimeZone);
        }
        *t
    }
}

/// What [`Lowering::code`] emits, in order: values, ops, and the short-circuit of `&&`/`||`.
enum Emit<'t> {
    Value(&'t Typed),
    Op(AdvOp),
    /// Before a right operand (`true` for `||`).
    Check(bool),
    /// After it.
    Join(bool),
}

fn ne_or_eq(negate: bool) -> TextPred {
    if negate { TextPred::Ne } else { TextPred::Eq }
}

/// A quoted-method comparison written with an expression argument: compared as text.
fn with_text_arg<'t>(items: &mut Vec<Emit<'t>>, exprs: &[&'t Typed], op: AdvOp) -> AdvOp {
    items.extend(exprs.iter().map(|e| Emit::Value(e)));
    op
}

fn binary(op: BinOp, text: bool) -> AdvOp {
    match op {
        BinOp::Add if text => AdvOp::Concat,
        BinOp::Add => AdvOp::Arith(Arith::Add),
        BinOp::Sub => AdvOp::Arith(Arith::Sub),
        BinOp::Mul => AdvOp::Arith(Arith::Mul),
        BinOp::Div => AdvOp::Arith(Arith::Div),
        BinOp::Rem => AdvOp::Arith(Arith::Rem),
        BinOp::BitAnd => AdvOp::Arith(Arith::BitAnd),
        BinOp::BitOr => AdvOp::Arith(Arith::BitOr),
        BinOp::BitXor => AdvOp::Arith(Arith::BitXor),
        BinOp::Eq => AdvOp::Compare(Cmp::Eq),
        BinOp::Ne => AdvOp::Compare(Cmp::Ne),
        BinOp::Lt => AdvOp::Compare(Cmp::Lt),
        BinOp::Le => AdvOp::Compare(Cmp::Le),
        BinOp::Gt => AdvOp::Compare(Cmp::Gt),
        BinOp::Ge => AdvOp::Compare(Cmp::Ge),
        BinOp::And | BinOp::Or => AdvOp::Unknown { pops: 2 },
    }
}

fn ip_test(ip: &IpLit) -> IpTest {
    let v6 = ip.addr.is_ipv6();
    let full = if v6 { 128 } else { 32 };
    IpTest {
        addr: ip.addr,
        mask: prefix_mask(v6, ip.prefix.unwrap_or(full)),
        negate: false,
    }
}

enum RegexProblem {
    /// A construct the `regex` crate lacks: the dependency `regex:<construct>` (D28).
    Unsupported(String),
    Invalid(String),
}

/// The first PCRE construct of `pattern` that `regex` does not implement.
fn unsupported_construct(pattern: &str) -> Option<&'static str> {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if b == b'\\' {
            match next {
                Some(b'1'..=b'9') | Some(b'g') | Some(b'k') => return Some("backreference"),
                Some(b'G') => return Some("anchor_g"),
                _ => {}
            }
            i += 2;
            continue;
        }
        let rest = bytes.get(i..).unwrap_or_default();
        if rest.starts_with(b"(?=") || rest.starts_with(b"(?!") {
            return Some("lookahead");
        }
        if rest.starts_with(b"(?<=") || rest.starts_with(b"(?<!") {
            return Some("lookbehind");
        }
        if rest.starts_with(b"(?>") {
            return Some("atomic");
        }
        if rest.starts_with(b"(?R)")
            || (rest.starts_with(b"(?") && next == Some(b'?') && {
                bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
            })
        {
            return Some("recursion");
        }
        if rest.starts_with(b"(?C") {
            return Some("callout");
        }
        if matches!(b, b'*' | b'+' | b'?' | b'}') && next == Some(b'+') {
            return Some("possessive");
        }
        i += 1;
    }
    None
}

fn regex(lit: &RegexLit, fold: bool, fancy: bool) -> Result<AdvRegex, RegexProblem> {
    if lit.kind == PatternKind::XPath {
        return Err(RegexProblem::Unsupported("advanced:XPATH".to_owned()));
    }
    if let Some(construct) = unsupported_construct(&lit.pattern) {
        if fancy {
            return backtracking(lit, fold);
        }
        return Err(RegexProblem::Unsupported(format!("regex:{construct}")));
    }
    regex::bytes::RegexBuilder::new(&lit.pattern)
        .case_insensitive(fold)
        .unicode(false)
        .build()
        .map(AdvRegex::Linear)
        .map_err(|e| RegexProblem::Invalid(e.to_string()))
}

/// Steps the backtracking engine may take per match before the result is UNDEF.
#[cfg(feature = "fancy-regex")]
const BACKTRACK_LIMIT: usize = 100_000;

#[cfg(feature = "fancy-regex")]
fn backtracking(lit: &RegexLit, fold: bool) -> Result<AdvRegex, RegexProblem> {
    let pattern = if fold {
        format!("(?i){}", lit.pattern)
    } else {
        lit.pattern.clone()
    };
    fancy_regex::RegexBuilder::new(&pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map(AdvRegex::Backtracking)
        .map_err(|e| RegexProblem::Invalid(e.to_string()))
}

#[cfg(not(feature = "fancy-regex"))]
fn backtracking(_: &RegexLit, _: bool) -> Result<AdvRegex, RegexProblem> {
    unreachable!("the fancy_regex option exists only with the fancy-regex feature")
}
