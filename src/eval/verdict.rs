//! The result of a rule: D14's three values plus the advanced engine's UNDEF (D23), and the
//! outcome sets advanced evaluation computes with.

use std::fmt;
use std::ops::{BitAnd, BitOr, Not};
use std::str::FromStr;

/// The result of a rule (D14, D23). `!`, `&` and `|` are Kleene's negation, conjunction and
/// disjunction on TRUE/FALSE/UNKNOWN; with [`Verdict::Undef`] they follow the advanced engine's
/// left-to-right short circuit (`a & b` evaluates `b` only if `a` can be true; UNDEF aborts).
///
/// Classic rules never give `Undef`. An advanced rule's outcome is a set of TRUE, FALSE and
/// UNDEF: `{TRUE}` is `True`, `{FALSE}` `False`, `{UNDEF}` `Undef`, any set of two or more
/// (UNKNOWN context, `UNKNOWN || UNDEF`...) is `Unknown`.
///
/// ```
/// use nsexpr::Verdict;
///
/// assert_eq!(!Verdict::Unknown, Verdict::Unknown);
/// assert_eq!(Verdict::False & Verdict::Unknown, Verdict::False);
/// assert_eq!(Verdict::True | Verdict::Unknown, Verdict::True);
/// assert_eq!("unknown".parse::<Verdict>(), Ok(Verdict::Unknown));
/// assert_eq!(Verdict::True.to_string(), "true");
/// assert_eq!(Verdict::Undef | Verdict::True, Verdict::Undef);
/// assert_eq!(Verdict::True | Verdict::Undef, Verdict::True);
/// assert_eq!(Verdict::Unknown | Verdict::Undef, Verdict::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Verdict {
    /// The rule holds.
    True,
    /// The rule does not hold.
    False,
    /// The rule depends on context the caller did not supply (D13), or its outcome set holds
    /// more than one of TRUE, FALSE and UNDEF (D23).
    Unknown,
    /// An advanced rule hit an evaluation error on the appliance (COUNT over 15 instances,
    /// overflow, division by zero, a failed typecast: D23); the policy's undef action applies.
    Undef,
}

impl Verdict {
    /// `true` for [`Verdict::True`], `false` for [`Verdict::False`], `None` otherwise.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Verdict::True => Some(true),
            Verdict::False => Some(false),
            Verdict::Unknown | Verdict::Undef => None,
        }
    }

    /// Conjunction, left operand first (also `a & b`): Kleene's on TRUE/FALSE/UNKNOWN; an UNDEF
    /// left operand aborts, an UNDEF right one counts only if the left can be true (D23).
    pub fn and(self, other: Verdict) -> Verdict {
        Outcome::from(self).and(Outcome::from(other)).verdict()
    }

    /// Disjunction, left operand first (also `a | b`), as [`and`](Self::and).
    pub fn or(self, other: Verdict) -> Verdict {
        Outcome::from(self).or(Outcome::from(other)).verdict()
    }

    /// The lower-case word used in reports: `true`, `false`, `unknown`, `undef`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::Unknown => "unknown",
            Verdict::Undef => "undef",
        }
    }
}

/// A non-empty set of TRUE, FALSE and UNDEF (D23): what advanced evaluation computes, so that
/// `UNKNOWN || UNDEF` = {TRUE, UNDEF} stays exact until the rule's verdict is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Outcome(u8);

impl Outcome {
    pub(crate) const TRUE: Outcome = Outcome(1);
    pub(crate) const FALSE: Outcome = Outcome(2);
    pub(crate) const UNKNOWN: Outcome = Outcome(3);
    pub(crate) const UNDEF: Outcome = Outcome(4);

    /// The set's bits (1 TRUE, 2 FALSE, 4 UNDEF), for memo bytes.
    pub(crate) fn bits(self) -> u8 {
        self.0
    }

    /// A set from [`bits`](Self::bits); `None` for the empty set or stray bits.
    pub(crate) fn from_bits(bits: u8) -> Option<Outcome> {
        (bits != 0 && bits < 8).then_some(Outcome(bits))
    }

    pub(crate) fn has_true(self) -> bool {
        self.0 & 1 != 0
    }

    pub(crate) fn has_false(self) -> bool {
        self.0 & 2 != 0
    }

    /// `a && b` with `b` evaluated only in the worlds where `a` is true.
    pub(crate) fn and(self, right: Outcome) -> Outcome {
        if self.has_true() {
            Outcome((self.0 & !1) | right.0)
        } else {
            self
        }
    }

    /// `a || b` with `b` evaluated only in the worlds where `a` is false.
    pub(crate) fn or(self, right: Outcome) -> Outcome {
        if self.has_false() {
            Outcome((self.0 & !2) | right.0)
        } else {
            self
        }
    }

    /// Swaps TRUE and FALSE; UNDEF stays.
    pub(crate) fn not(self) -> Outcome {
        Outcome(((self.0 & 1) << 1) | ((self.0 & 2) >> 1) | (self.0 & 4))
    }

    /// The API verdict of the set.
    pub(crate) fn verdict(self) -> Verdict {
        match self.0 {
            1 => Verdict::True,
            2 => Verdict::False,
            4 => Verdict::Undef,
            _ => Verdict::Unknown,
        }
    }
}

impl From<Verdict> for Outcome {
    fn from(v: Verdict) -> Outcome {
        match v {
            Verdict::True => Outcome::TRUE,
            Verdict::False => Outcome::FALSE,
            Verdict::Unknown => Outcome::UNKNOWN,
            Verdict::Undef => Outcome::UNDEF,
        }
    }
}

impl From<bool> for Outcome {
    fn from(b: bool) -> Outcome {
        if b { Outcome::TRUE } else { Outcome::FALSE }
    }
}

impl Not for Verdict {
    type Output = Verdict;

    /// Kleene negation: UNKNOWN stays UNKNOWN, UNDEF stays UNDEF.
    fn not(self) -> Verdict {
        match self {
            Verdict::True => Verdict::False,
            Verdict::False => Verdict::True,
            Verdict::Unknown => Verdict::Unknown,
            Verdict::Undef => Verdict::Undef,
        }
    }
}

impl BitAnd for Verdict {
    type Output = Verdict;

    fn bitand(self, other: Verdict) -> Verdict {
        self.and(other)
    }
}

impl BitOr for Verdict {
    type Output = Verdict;

    fn bitor(self, other: Verdict) -> Verdict {
        self.or(other)
    }
}

impl From<bool> for Verdict {
    fn from(b: bool) -> Verdict {
        if b { Verdict::True } else { Verdict::False }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that is not `true`, `false`, `unknown` or `undef`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a verdict: expected true, false, unknown or undef")]
pub struct ParseVerdictError(String);

impl FromStr for Verdict {
    type Err = ParseVerdictError;

    /// `true`, `false`, `unknown` or `undef`, in any case.
    fn from_str(text: &str) -> Result<Verdict, ParseVerdictError> {
        [
            Verdict::True,
            Verdict::False,
            Verdict::Unknown,
            Verdict::Undef,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| ParseVerdictError(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Verdict; 4] = [
        Verdict::True,
        Verdict::False,
        Verdict::Unknown,
        Verdict::Undef,
    ];

    #[test]
    fn operators_follow_kleene_tables_and_undef_short_circuits() {
        use Verdict::{False as F, True as T, Undef as X, Unknown as U};
        let and = [[T, F, U, X], [F, F, F, F], [U, F, U, U], [X, X, X, X]];
        let or = [[T, T, T, T], [T, F, U, X], [T, U, U, U], [X, X, X, X]];
        for (i, a) in ALL.into_iter().enumerate() {
            for (j, b) in ALL.into_iter().enumerate() {
                assert_eq!(Some(a & b), and.get(i).and_then(|r| r.get(j)).copied());
                assert_eq!(Some(a | b), or.get(i).and_then(|r| r.get(j)).copied());
            }
        }
        let three = &ALL[..3];
        for &a in three {
            for &b in three {
                assert_eq!(!(a & b), !a | !b, "De Morgan without UNDEF");
            }
        }
        assert_eq!([!T, !F, !U, !X], [F, T, U, X]);
    }

    #[test]
    fn outcome_sets_keep_unknown_or_undef_exact() {
        let set = Outcome::UNKNOWN.or(Outcome::UNDEF);
        assert_eq!(set, Outcome(1 | 4));
        assert_eq!(set.not(), Outcome(2 | 4));
        assert_eq!(set.and(Outcome::FALSE), Outcome(2 | 4));
        assert_eq!(Outcome::FALSE.or(Outcome::UNDEF).verdict(), Verdict::Undef);
    }

    #[test]
    fn text_round_trips() {
        for v in ALL {
            assert_eq!(v.to_string().parse::<Verdict>(), Ok(v));
            assert_eq!(v.as_str().to_uppercase().parse::<Verdict>(), Ok(v));
        }
        assert!("maybe".parse::<Verdict>().is_err());
    }
}
