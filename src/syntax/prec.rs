//! Precedence climbing over a flat operand/operator list, shared by the classic and advanced
//! parsers.
//!
//! A parser reads `operand (operator operand)*` at one nesting level into a head operand and a
//! list of `(operator, operand)` pairs, then [`climb`] folds that list into a tree following a
//! [`PrecedenceTable`]. The two readings of classic `&&`/`||` grouping are two tables; a lint over
//! the operator list (say, "mixed `&&` and `||` without parentheses") is a scan of the same list
//! before it is folded.
//!
//! The fold is iterative (an explicit stack), so operator chains of any length never grow the call
//! stack.

/// How operators of equal precedence group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assoc {
    /// `a ~ b ~ c` is `(a ~ b) ~ c`.
    Left,
    /// `a ~ b ~ c` is `a ~ (b ~ c)`.
    #[cfg_attr(
        not(test),
        allow(
            dead_code,
            reason = "classic has no right-associative operator; advanced does"
        )
    )]
    Right,
}

/// A precedence table: for each binary operator, its binding strength (higher binds tighter) and
/// its associativity.
pub(crate) trait PrecedenceTable<Op> {
    /// The binding strength and associativity of `op`.
    fn level(&self, op: &Op) -> (u8, Assoc);

    /// Whether `left` (already on the stack) must be folded before `right` is pushed.
    fn folds_before(&self, left: &Op, right: &Op) -> bool {
        let (l, _) = self.level(left);
        let (r, assoc) = self.level(right);
        l > r || (l == r && assoc == Assoc::Left)
    }
}

/// Folds `head (op operand)*` into one tree with `build(lhs, op, rhs)`.
///
/// `build` receives operands in source order, so spans can be joined left to right.
pub(crate) fn climb<T, Op, P>(
    head: T,
    rest: impl IntoIterator<Item = (Op, T)>,
    table: &P,
    mut build: impl FnMut(T, Op, T) -> T,
) -> T
where
    P: PrecedenceTable<Op> + ?Sized,
{
    // Each stack entry is a left operand waiting for the operator's right side.
    let mut pending: Vec<(T, Op)> = Vec::new();
    let mut current = head;
    for (op, operand) in rest {
        while let Some((lhs, top)) = pending.pop() {
            if table.folds_before(&top, &op) {
                current = build(lhs, top, current);
            } else {
                pending.push((lhs, top));
                break;
            }
        }
        pending.push((current, op));
        current = operand;
    }
    while let Some((lhs, op)) = pending.pop() {
        current = build(lhs, op, current);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Op {
        Add,
        Mul,
        Pow,
    }

    struct Arith;

    impl PrecedenceTable<Op> for Arith {
        fn level(&self, op: &Op) -> (u8, Assoc) {
            match op {
                Op::Add => (1, Assoc::Left),
                Op::Mul => (2, Assoc::Left),
                Op::Pow => (3, Assoc::Right),
            }
        }
    }

    struct Flat;

    impl PrecedenceTable<Op> for Flat {
        fn level(&self, _: &Op) -> (u8, Assoc) {
            (1, Assoc::Left)
        }
    }

    fn show(head: &str, rest: &[(Op, &str)], table: &dyn PrecedenceTable<Op>) -> String {
        let rest = rest.iter().map(|(op, s)| (*op, s.to_string()));
        climb(head.to_string(), rest, table, |l, op, r| {
            let sym = match op {
                Op::Add => "+",
                Op::Mul => "*",
                Op::Pow => "^",
            };
            format!("({l}{sym}{r})")
        })
    }

    #[test]
    fn tighter_operators_fold_first() {
        let rest = [(Op::Add, "b"), (Op::Mul, "c"), (Op::Add, "d")];
        assert_eq!(show("a", &rest, &Arith), "((a+(b*c))+d)");
        assert_eq!(show("a", &rest, &Flat), "(((a+b)*c)+d)");
    }

    #[test]
    fn right_associative_operators_fold_from_the_right() {
        let rest = [(Op::Pow, "b"), (Op::Pow, "c"), (Op::Mul, "d")];
        assert_eq!(show("a", &rest, &Arith), "((a^(b^c))*d)");
    }

    #[test]
    fn long_chains_do_not_grow_the_call_stack() {
        let n = 200_000;
        let rest = (0..n).map(|_| (Op::Pow, 1u64));
        let depth = climb(0u64, rest, &Arith, |l, _, r| l.max(r) + 1);
        assert_eq!(depth, n + 1);
    }
}
