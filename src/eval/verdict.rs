//! The three-valued result (D14) and its Kleene operators.

use std::fmt;
use std::ops::{BitAnd, BitOr, Not};
use std::str::FromStr;

/// A three-valued result (D14). `!`, `&` and `|` are Kleene's negation, conjunction and
/// disjunction.
///
/// ```
/// use nsexpr::Verdict;
///
/// assert_eq!(!Verdict::Unknown, Verdict::Unknown);
/// assert_eq!(Verdict::False & Verdict::Unknown, Verdict::False);
/// assert_eq!(Verdict::True | Verdict::Unknown, Verdict::True);
/// assert_eq!("unknown".parse::<Verdict>(), Ok(Verdict::Unknown));
/// assert_eq!(Verdict::True.to_string(), "true");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Verdict {
    /// The rule holds.
    True,
    /// The rule does not hold.
    False,
    /// The rule depends on context the caller did not supply (D13).
    Unknown,
}

impl Verdict {
    /// `true` for [`Verdict::True`], `false` for [`Verdict::False`], `None` for unknown.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Verdict::True => Some(true),
            Verdict::False => Some(false),
            Verdict::Unknown => None,
        }
    }

    /// Kleene conjunction (also `a & b`).
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::False, _) | (_, Verdict::False) => Verdict::False,
            (Verdict::True, Verdict::True) => Verdict::True,
            _ => Verdict::Unknown,
        }
    }

    /// Kleene disjunction (also `a | b`).
    pub fn or(self, other: Verdict) -> Verdict {
        !(!self).and(!other)
    }

    /// The lower-case word used in reports: `true`, `false`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::Unknown => "unknown",
        }
    }
}

impl Not for Verdict {
    type Output = Verdict;

    /// Kleene negation: UNKNOWN stays UNKNOWN.
    fn not(self) -> Verdict {
        match self {
            Verdict::True => Verdict::False,
            Verdict::False => Verdict::True,
            Verdict::Unknown => Verdict::Unknown,
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

/// Text that is not `true`, `false` or `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a verdict: expected true, false or unknown")]
pub struct ParseVerdictError(String);

impl FromStr for Verdict {
    type Err = ParseVerdictError;

    /// `true`, `false` or `unknown`, in any case.
    fn from_str(text: &str) -> Result<Verdict, ParseVerdictError> {
        [Verdict::True, Verdict::False, Verdict::Unknown]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| ParseVerdictError(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Verdict; 3] = [Verdict::True, Verdict::False, Verdict::Unknown];

    #[test]
    fn operators_follow_kleene_tables() {
        use Verdict::{False as F, True as T, Unknown as U};
        let and = [[T, F, U], [F, F, F], [U, F, U]];
        let or = [[T, T, T], [T, F, U], [T, U, U]];
        for (i, a) in ALL.into_iter().enumerate() {
            for (j, b) in ALL.into_iter().enumerate() {
                assert_eq!(Some(a & b), and.get(i).and_then(|r| r.get(j)).copied());
                assert_eq!(Some(a | b), or.get(i).and_then(|r| r.get(j)).copied());
                assert_eq!(!(a & b), !a | !b, "De Morgan");
            }
        }
        assert_eq!([!T, !F, !U], [F, T, U]);
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
