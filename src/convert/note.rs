//! What the converter wants a reviewer to know about an atom it rewrote.

use std::fmt;

use crate::ast::Span;

/// A remark on one converted construct; `span` is into the classic rule text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Note {
    /// `VALUE(0)` reads the last instance, as classic does; plain advanced header methods would
    /// test every instance.
    LastInstance {
        /// The header name.
        header: String,
        /// The classic atom.
        span: Span,
    },
    /// `SET_TEXT_MODE(IGNORECASE)` keeps classic's caseless `CONTAINS`.
    IgnoreCase {
        /// The classic atom.
        span: Span,
    },
    /// An explicit presence test, because advanced reads an absent item as `""`.
    GuardAdded {
        /// The guard, in advanced syntax.
        guard: String,
        /// The classic atom.
        span: Span,
    },
    /// `-offset`/`-length` became `SKIP(O).SUBSTR(0,L)`, which counts characters: equal to
    /// classic's byte window for ASCII values.
    Window {
        /// The classic atom.
        span: Span,
    },
    /// A range or `BETWEEN` became `GE(a) && LE(b)` (advanced `BETWEEN` ends are undocumented).
    RangeSplit {
        /// The classic atom.
        span: Span,
    },
    /// On an IPv6 connection classic is false where advanced `CLIENT.IP` is unknown.
    Ipv4Only {
        /// The classic atom.
        span: Span,
    },
    /// A built-in named expression was replaced by its converted definition.
    Inlined {
        /// The built-in's name.
        name: String,
        /// The reference.
        span: Span,
    },
    /// A user named expression is referenced through its advanced twin.
    Renamed {
        /// The classic name.
        from: String,
        /// The twin's name.
        to: String,
        /// The reference.
        span: Span,
    },
    /// nspepi-compatible output that does not mean what the classic atom means.
    Inexact {
        /// What differs.
        reason: String,
        /// The classic atom.
        span: Span,
    },
}

impl Note {
    /// The classic construct the note is about.
    pub fn span(&self) -> Span {
        match self {
            Note::LastInstance { span, .. }
            | Note::IgnoreCase { span }
            | Note::GuardAdded { span, .. }
            | Note::Window { span }
            | Note::RangeSplit { span }
            | Note::Ipv4Only { span }
            | Note::Inlined { span, .. }
            | Note::Renamed { span, .. }
            | Note::Inexact { span, .. } => *span,
        }
    }

    /// Whether the converted atom is not exactly equivalent.
    pub fn is_inexact(&self) -> bool {
        matches!(self, Note::Inexact { .. })
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Span { start, end } = self.span();
        write!(f, "[{start}..{end}] ")?;
        match self {
            Note::LastInstance { header, .. } => write!(
                f,
                "header `{header}`: VALUE(0) tests the last instance, as the classic rule does"
            ),
            Note::IgnoreCase { .. } => {
                f.write_str("SET_TEXT_MODE(IGNORECASE) keeps the classic caseless CONTAINS")
            }
            Note::GuardAdded { guard, .. } => write!(
                f,
                "guard `{guard}` added: the advanced engine reads an absent item as empty text"
            ),
            Note::Window { .. } => f.write_str(
                "-offset/-length became SKIP/SUBSTR, which count characters: same window for ASCII values",
            ),
            Note::RangeSplit { .. } => {
                f.write_str("range written as GE/LE: advanced BETWEEN's ends are undocumented")
            }
            Note::Ipv4Only { .. } => f.write_str(
                "on an IPv6 connection the classic test is false, the advanced one unknown",
            ),
            Note::Inlined { name, .. } => {
                write!(f, "built-in `{name}` inlined from its classic definition")
            }
            Note::Renamed { from, to, .. } => {
                write!(f, "named expression `{from}` referenced as its advanced twin `{to}`")
            }
            Note::Inexact { reason, .. } => write!(f, "not equivalent: {reason}"),
        }
    }
}
