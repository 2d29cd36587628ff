//! The spanned syntax tree of a classic rule: what the user wrote, reduced only where the
//! canonical form (D15) says two spellings mean the same (aliases, redundant parentheses).
//!
//! `Display` prints the canonical text; `parse(print(ast)) == ast` holds ignoring spans
//! ([`Expr::same_as`]).

pub mod advanced;
mod print;
pub use print::Grouped;
mod qualifier;
pub(crate) mod value;

pub(crate) use qualifier::SPELLINGS;
pub use qualifier::{Qualifier, Side, ValueType};
pub use value::{CivilTime, DateKind, DateLit, IpValue, TimeZone, Value, Weekday};

pub use crate::span::Span;

use std::fmt;

/// A rule or sub-rule with its span.
///
/// `Clone` and `PartialEq` work on an explicit stack, so they hold for any depth; `Debug`,
/// `Display`, serde and `Drop` recurse once per level, within what the parser's nesting ceiling
/// ([`MAX_NESTING_LIMIT`](crate::syntax::MAX_NESTING_LIMIT), D16) lets a parsed rule reach.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The node kinds. `And`/`Or` are n-ary and flattened on the left (`a && b && c` is one `And` of
/// three), so a long chain is a wide node, not a deep one: printing, dropping and evaluating stay
/// within the D16 nesting limit. A parenthesised right operand of the same operator stays nested
/// (`a && (b && c)`), as D15 prints it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ExprKind {
    /// `a || b || ...` (at least two operands).
    Or(Vec<Expr>),
    /// `a && b && ...` (at least two operands).
    And(Vec<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `QUALIFIER [header] OP [value] [options]`
    Simple(Simple),
    /// A named-expression reference (D12), in the case it was written.
    Name(String),
    /// Client-security (EPA) or `FS.*` text kept verbatim (D13).
    Opaque(Opaque),
}

/// A simple expression: one qualifier tested by one operator.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Simple {
    /// The qualifier.
    pub qualifier: Qualifier,
    /// The header name for `HEADER` qualifiers, as written (D2: compared case-insensitively).
    pub header: Option<String>,
    /// The operator; `None` only for a bare qualifier parsed in value mode.
    pub op: Option<Operator>,
    /// The operand of a binary operator.
    pub value: Option<Value>,
    /// `-length`, `-offset`, `-netmask` (D5).
    pub options: Options,
}

/// The options of a simple expression (D5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Options {
    /// `-length L`
    pub length: Option<u64>,
    /// `-offset O`
    pub offset: Option<u64>,
    /// `-netmask M`
    pub netmask: Option<std::net::IpAddr>,
}

impl Options {
    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.length.is_none() && self.offset.is_none() && self.netmask.is_none()
    }
}

/// Opaque client-security or `FS.*` text (D13).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Opaque {
    /// Which family.
    pub family: OpaqueFamily,
    /// The text as written (trimmed); the context answers for this exact text.
    pub text: String,
}

/// The opaque families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum OpaqueFamily {
    /// `CLIENT.APPLICATION(...)`, `CLIENT.FILE(...)`, ... evaluated by the endpoint scan.
    ClientSecurity,
    /// `FS.COMMAND`, `FS.PATH`, ...
    FileSystem,
}

/// The comparison operators. 6.0 aliases (`EQ`, `NEQ`, `GT`, `EXIST`) map to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Operator {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `CONTAINS`
    Contains,
    /// `NOTCONTAINS`
    NotContains,
    /// `CONTENTS` (unary)
    Contents,
    /// `EXISTS` (unary)
    Exists,
    /// `NOTEXISTS` (unary)
    NotExists,
    /// `BETWEEN`
    Between,
}

impl Operator {
    /// Whether the operator takes no operand.
    pub fn is_unary(self) -> bool {
        matches!(
            self,
            Operator::Contents | Operator::Exists | Operator::NotExists
        )
    }

    /// The canonical spelling (D15).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "==",
            Operator::Ne => "!=",
            Operator::Gt => ">",
            Operator::Lt => "<",
            Operator::Ge => ">=",
            Operator::Le => "<=",
            Operator::Contains => "CONTAINS",
            Operator::NotContains => "NOTCONTAINS",
            Operator::Contents => "CONTENTS",
            Operator::Exists => "EXISTS",
            Operator::NotExists => "NOTEXISTS",
            Operator::Between => "BETWEEN",
        }
    }

    /// Whether it is a word operator (needs blanks around it, D3).
    pub fn is_word(self) -> bool {
        self.as_str()
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Clone for Expr {
    /// Copies the tree top-down on an explicit stack: every compound node is first copied with
    /// placeholder operands, which are then overwritten by their own copies.
    fn clone(&self) -> Expr {
        let mut root = self.shallow_clone();
        let mut pending: Vec<(&Expr, &mut Expr)> = vec![(self, &mut root)];
        while let Some((from, to)) = pending.pop() {
            match (&from.kind, &mut to.kind) {
                (ExprKind::Or(from), ExprKind::Or(to))
                | (ExprKind::And(from), ExprKind::And(to)) => {
                    for (from, to) in from.iter().zip(to.iter_mut()) {
                        *to = from.shallow_clone();
                        pending.push((from, to));
                    }
                }
                (ExprKind::Not(from), ExprKind::Not(to)) => {
                    **to = from.shallow_clone();
                    pending.push((from, to));
                }
                _ => {}
            }
        }
        root
    }
}

impl PartialEq for Expr {
    /// Structural equality, spans included, on an explicit stack ([`Expr::same_as`] ignores
    /// spans).
    fn eq(&self, other: &Expr) -> bool {
        let mut pending = vec![(self, other)];
        while let Some((a, b)) = pending.pop() {
            if a.span != b.span {
                return false;
            }
            match (&a.kind, &b.kind) {
                (ExprKind::Or(a), ExprKind::Or(b)) | (ExprKind::And(a), ExprKind::And(b)) => {
                    if a.len() != b.len() {
                        return false;
                    }
                    pending.extend(a.iter().zip(b));
                }
                (ExprKind::Not(a), ExprKind::Not(b)) => pending.push((a, b)),
                (ExprKind::Simple(a), ExprKind::Simple(b)) => {
                    if a != b {
                        return false;
                    }
                }
                (ExprKind::Name(a), ExprKind::Name(b)) => {
                    if a != b {
                        return false;
                    }
                }
                (ExprKind::Opaque(a), ExprKind::Opaque(b)) => {
                    if a != b {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }
}

impl Expr {
    /// A node.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// This node with its leaf data, and placeholders for its operands.
    fn shallow_clone(&self) -> Expr {
        let placeholder = || Expr::new(ExprKind::Name(String::new()), self.span);
        let kind = match &self.kind {
            ExprKind::Or(items) => ExprKind::Or(items.iter().map(|_| placeholder()).collect()),
            ExprKind::And(items) => ExprKind::And(items.iter().map(|_| placeholder()).collect()),
            ExprKind::Not(_) => ExprKind::Not(Box::new(placeholder())),
            ExprKind::Simple(simple) => ExprKind::Simple(simple.clone()),
            ExprKind::Name(name) => ExprKind::Name(name.clone()),
            ExprKind::Opaque(opaque) => ExprKind::Opaque(opaque.clone()),
        };
        Expr::new(kind, self.span)
    }

    /// Structural equality ignoring spans (the D15 round-trip relation). Iterative, so nesting
    /// depth never grows the call stack.
    pub fn same_as(&self, other: &Expr) -> bool {
        let mut pending = vec![(self, other)];
        while let Some((a, b)) = pending.pop() {
            match (&a.kind, &b.kind) {
                (ExprKind::Or(a), ExprKind::Or(b)) | (ExprKind::And(a), ExprKind::And(b)) => {
                    if a.len() != b.len() {
                        return false;
                    }
                    pending.extend(a.iter().zip(b));
                }
                (ExprKind::Not(a), ExprKind::Not(b)) => pending.push((a, b)),
                (ExprKind::Or(_) | ExprKind::And(_) | ExprKind::Not(_), _)
                | (_, ExprKind::Or(_) | ExprKind::And(_) | ExprKind::Not(_)) => return false,
                (a, b) => {
                    if a != b {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Calls `f` on every node, parents before children, in source order. Iterative, so nesting
    /// depth never grows the call stack.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        let mut pending = vec![self];
        while let Some(expr) = pending.pop() {
            f(expr);
            match &expr.kind {
                ExprKind::Or(items) | ExprKind::And(items) => pending.extend(items.iter().rev()),
                ExprKind::Not(inner) => pending.push(inner),
                ExprKind::Simple(_) | ExprKind::Name(_) | ExprKind::Opaque(_) => {}
            }
        }
    }

    /// The named-expression references in the rule, in order of appearance.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let ExprKind::Name(n) = &e.kind {
                out.push(n.as_str());
            }
        });
        out
    }

    /// Builds `a && b` / `a || b`, flattening a left operand of the same operator so the tree
    /// stays in its canonical shape.
    pub fn binary(and: bool, left: Expr, right: Expr) -> Expr {
        let span = left.span.to(right.span);
        let mut items = match (and, left.kind) {
            (true, ExprKind::And(items)) | (false, ExprKind::Or(items)) => items,
            (_, kind) => vec![Expr::new(kind, left.span)],
        };
        items.push(right);
        let kind = if and {
            ExprKind::And(items)
        } else {
            ExprKind::Or(items)
        };
        Expr::new(kind, span)
    }
}
