//! Small constructors for advanced trees; every node gets an empty span because the tree is
//! printed, not pointed into.

use crate::ast::Span;
use crate::ast::advanced::{
    AdvExpr, AdvKind, BinOp, Call, Chain, ChainHead, Infix, IpLit, TimeLit,
};

pub(crate) fn node(kind: AdvKind) -> AdvExpr {
    AdvExpr::new(kind, Span::default())
}

pub(crate) fn boolean(value: bool) -> AdvExpr {
    node(AdvKind::Bool(value))
}

pub(crate) fn text(bytes: &[u8]) -> AdvExpr {
    node(AdvKind::Text(bytes.to_vec()))
}

pub(crate) fn number(value: u64) -> AdvExpr {
    node(AdvKind::Number { value, hex: false })
}

pub(crate) fn enum_word(word: &str) -> AdvExpr {
    node(AdvKind::Enum(word.to_ascii_uppercase()))
}

pub(crate) fn ip(lit: IpLit) -> AdvExpr {
    node(AdvKind::Ip(lit))
}

pub(crate) fn time(lit: TimeLit) -> AdvExpr {
    node(AdvKind::Time(lit))
}

fn call(name: &str, args: Option<Vec<AdvExpr>>) -> Call {
    Call {
        name: name.to_owned(),
        args,
        span: Span::default(),
    }
}

/// A chain under construction: `path("HTTP.REQ.URL").then("PATH").with("EQ", [..])`.
#[derive(Debug, Clone)]
pub(crate) struct ChainBuilder(Chain);

/// A dotted prefix path without arguments (`HTTP.REQ.URL`).
pub(crate) fn path(dotted: &str) -> ChainBuilder {
    let mut words = dotted.split('.');
    let head = call(words.next().unwrap_or(dotted), None);
    ChainBuilder(Chain {
        head: ChainHead::Word(head),
        calls: words.map(|w| call(w, None)).collect(),
    })
}

/// A chain whose head is an expression (`("a." + HTTP.REQ.URL.SUFFIX).STRIP_END_CHARS(".")`).
pub(crate) fn on(expr: AdvExpr) -> ChainBuilder {
    ChainBuilder(Chain {
        head: ChainHead::Expr(Box::new(expr)),
        calls: Vec::new(),
    })
}

/// A named-expression reference.
pub(crate) fn name(name: &str) -> AdvExpr {
    node(AdvKind::Chain(Chain {
        head: ChainHead::Word(call(name, None)),
        calls: Vec::new(),
    }))
}

impl ChainBuilder {
    /// `.NAME`
    pub(crate) fn then(mut self, name: &str) -> ChainBuilder {
        self.0.calls.push(call(name, None));
        self
    }

    /// `.NAME(args)`
    pub(crate) fn with(mut self, name: &str, args: Vec<AdvExpr>) -> ChainBuilder {
        self.0.calls.push(call(name, Some(args)));
        self
    }

    pub(crate) fn build(self) -> AdvExpr {
        node(AdvKind::Chain(self.0))
    }
}

/// `a op b op c ...`; one operand stays itself.
pub(crate) fn infix(op: BinOp, mut operands: Vec<AdvExpr>) -> AdvExpr {
    if operands.len() < 2 {
        return operands.pop().unwrap_or_else(|| boolean(op == BinOp::And));
    }
    let first = operands.remove(0);
    node(AdvKind::Infix(Infix {
        first: Box::new(first),
        rest: operands.into_iter().map(|e| (op, e)).collect(),
    }))
}

pub(crate) fn and(operands: Vec<AdvExpr>) -> AdvExpr {
    infix(BinOp::And, operands)
}

pub(crate) fn or(operands: Vec<AdvExpr>) -> AdvExpr {
    infix(BinOp::Or, operands)
}

/// `!e`, folding constants (`!TRUE` is `FALSE`).
pub(crate) fn not(e: AdvExpr) -> AdvExpr {
    match e.kind {
        AdvKind::Bool(b) => boolean(!b),
        kind => node(AdvKind::Not(Box::new(node(kind)))),
    }
}
