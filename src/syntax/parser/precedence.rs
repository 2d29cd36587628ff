//! `&&`/`||` grouping at one nesting level: the operand/operator list of a level, D1's two
//! readings as two [`PrecedenceTable`]s, and the mixed-operator lint as a scan of the list.
//!
//! `!` is a prefix that binds tighter than both (the parser applies it to the next operand before
//! the operand joins the list), so the tables only rank the two binary operators.

use crate::ast::{Expr, Span};
use crate::syntax::Precedence;
use crate::syntax::prec::{Assoc, PrecedenceTable, climb};

/// A binary boolean operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Joiner {
    And,
    Or,
}

/// A binary operator as written: which one, and where.
#[derive(Debug, Clone, Copy)]
pub(super) struct Link {
    pub joiner: Joiner,
    pub span: Span,
}

/// D1's default reading: `&&` binds tighter than `||`.
struct Conventional;

impl PrecedenceTable<Link> for Conventional {
    fn level(&self, op: &Link) -> (u8, Assoc) {
        match op.joiner {
            Joiner::And => (2, Assoc::Left),
            Joiner::Or => (1, Assoc::Left),
        }
    }
}

/// D1's option: `&&` and `||` are equal and group left to right.
struct LeftToRight;

impl PrecedenceTable<Link> for LeftToRight {
    fn level(&self, _: &Link) -> (u8, Assoc) {
        (1, Assoc::Left)
    }
}

/// `operand (operator operand)*` read so far at one nesting level.
#[derive(Default)]
pub(super) struct Chain {
    head: Option<Expr>,
    rest: Vec<(Link, Expr)>,
    pending: Option<Link>,
}

impl Chain {
    /// Whether nothing has been read at this level.
    pub(super) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Adds an operand after the pending operator (or as the first operand).
    pub(super) fn push_operand(&mut self, expr: Expr) {
        match self.pending.take() {
            Some(link) => self.rest.push((link, expr)),
            None => self.head = Some(expr),
        }
    }

    /// Records the operator that joins the next operand.
    pub(super) fn push_operator(&mut self, link: Link) {
        self.pending = Some(link);
    }

    /// The first operator that differs from the level's first operator: where `&&` and `||`
    /// are mixed without parentheses.
    pub(super) fn mixed_at(&self) -> Option<Span> {
        let mut links = self.rest.iter().map(|(link, _)| link);
        let first = links.next()?.joiner;
        links.find(|l| l.joiner != first).map(|l| l.span)
    }

    /// Folds the level into one tree under `precedence`; same-operator chains come out n-ary
    /// ([`Expr::binary`] extends a left operand of the same kind). `None` when the level is empty.
    pub(super) fn fold(self, precedence: Precedence) -> Option<Expr> {
        let head = self.head?;
        let build =
            |lhs: Expr, link: Link, rhs: Expr| Expr::binary(link.joiner == Joiner::And, lhs, rhs);
        Some(match precedence {
            Precedence::Conventional => climb(head, self.rest, &Conventional, build),
            Precedence::LeftToRight => climb(head, self.rest, &LeftToRight, build),
        })
    }
}
