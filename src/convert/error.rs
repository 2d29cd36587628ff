//! Why a classic rule was not converted.

use std::fmt;

use crate::ast::Span;
use crate::error::write_caret;
use crate::syntax::ParseError;

/// What stopped a conversion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertErrorKind {
    /// The classic text does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A construct with no advanced form known to mean exactly the same.
    #[error("{construct} has no verified advanced equivalent: {reason}")]
    NoExactForm {
        /// The construct as the user would name it (`REQ.IP.SOURCEIP -netmask 255.0.255.0`).
        construct: String,
        /// Why.
        reason: String,
    },
    /// A named expression nobody defined.
    #[error("unknown named expression `{0}`")]
    UnknownName(String),
    /// Named expressions that refer to each other, or nest too deeply to inline.
    #[error("named expressions form a cycle or nest too deeply: {0}")]
    NameCycle(String),
    /// The rule (with the named expressions it inlines) nests so deeply that its advanced form
    /// would nest parentheses and `!` more than this many levels, which advanced rules may not
    /// ([`AdvParseOptions::max_nesting`](crate::syntax::advanced::AdvParseOptions), default 64).
    #[error(
        "the rule nests too deeply to convert: its advanced form would nest parentheses and `!` \
         more than {0} levels deep"
    )]
    TooDeep(usize),
    /// The converter produced text the advanced parser or checker rejects: a converter bug.
    #[error("internal error: the converted rule `{advanced}` is rejected: {message}")]
    SelfCheck {
        /// The rejected advanced text.
        advanced: String,
        /// The parser's or checker's message.
        message: String,
    },
}

/// A conversion error with the span of the classic construct it is about (boxed: errors are
/// rare and results stay small).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ConvertErrorKind,
    span: Span,
    source: String,
}

impl ConvertError {
    pub(crate) fn new(kind: ConvertErrorKind, span: Span, source: &str) -> ConvertError {
        ConvertError(Box::new(Inner {
            kind,
            span,
            source: source.to_owned(),
        }))
    }

    pub(crate) fn into_kind(self) -> ConvertErrorKind {
        self.0.kind
    }

    /// What went wrong.
    pub fn kind(&self) -> &ConvertErrorKind {
        &self.0.kind
    }

    /// The classic construct's bytes in the rule text.
    pub fn span(&self) -> Span {
        self.0.span
    }

    /// The classic rule text the span points into.
    pub fn source_text(&self) -> &str {
        &self.0.source
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ConvertErrorKind::Parse(e) => e.fmt(f),
            kind => write_caret(f, &self.0.source, self.0.span, kind),
        }
    }
}

impl std::error::Error for ConvertError {}
