//! Advanced parse errors: a kind, a byte span into the rule and an optional hint. `Display`
//! draws the offending line with `^^^` under the span, like the classic parser's errors.

use std::borrow::Cow;
use std::fmt;

use crate::ast::Span;
use crate::error::{WithHint, write_caret};

/// What went wrong while parsing an advanced expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdvParseErrorKind {
    /// The rule is empty or only blanks.
    #[error("the expression is empty")]
    Empty,
    /// The rule ends where more is needed (`a &&`, `!`, `HTTP.`).
    #[error("unexpected end of the expression")]
    UnexpectedEnd,
    /// Something that cannot start an operand (`&& a`, `()`, `,`).
    #[error("missing operand")]
    ExpectedOperand,
    /// A `.` not followed by a method or prefix name.
    #[error("missing name after `.`")]
    ExpectedName,
    /// Text left over where an operator, `)` or the end belongs.
    #[error("unexpected text")]
    TrailingInput,
    /// `AND`, `OR` or `NOT` used as an operator.
    #[error("`{word}` is not an operator in advanced expressions; write `{suggestion}`")]
    WordOperator {
        /// The word as written.
        word: String,
        /// The operator to write instead.
        suggestion: &'static str,
    },
    /// A classic term (`REQ.HTTP.HEADER User-Agent CONTAINS x`) inside an advanced expression.
    #[error("`{0}` is classic syntax, not an advanced expression")]
    ClassicTerm(String),
    /// A `(` that is never closed.
    #[error("this `(` is never closed")]
    UnclosedParen,
    /// A `)` with no `(` open.
    #[error("unexpected `)` without a matching `(`")]
    UnexpectedCloseParen,
    /// An argument list item not followed by `,` or `)`.
    #[error("expected `,` or `)` in the argument list")]
    ExpectedCommaOrClose,
    /// A string literal without its closing quote.
    #[error("unterminated string literal")]
    UnterminatedString,
    /// A line break inside a string literal.
    #[error("line break inside a string literal")]
    RawNewline,
    /// A backslash escape outside `\" \\ \' \t \n \r \xHH \ooo`.
    #[error("invalid escape `{0}` in a string literal")]
    InvalidEscape(String),
    /// A string literal longer than 255 bytes after unescaping.
    #[error("string literal of {0} bytes; at most 255 are allowed (join longer text with `+`)")]
    LiteralTooLong(usize),
    /// `''`: a character literal with no character.
    #[error("empty character literal")]
    EmptyChar,
    /// Digits followed by letters (`10abc`) or `0x` without hex digits.
    #[error("invalid number")]
    InvalidNumber,
    /// A number above the 64-bit range.
    #[error("number too large (at most 18446744073709551615)")]
    NumberOverflow,
    /// An address or prefix length that is not a valid IPv4 or IPv6 literal.
    #[error("invalid IP address or subnet")]
    InvalidIp,
    /// A time literal field that is not `yyyy`, a month, a day, `Ddd[_n]`, `<n>h`, `<n>m`, `<n>s`.
    #[error("invalid time literal field `{0}`")]
    InvalidTime(String),
    /// `re<d>...` or `xp<d>...` without the closing delimiter.
    #[error("regular expression without its closing `{0}`")]
    UnterminatedRegex(char),
    /// Parentheses, argument lists and prefix operators nested deeper than the limit.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// An expression longer than the limit in characters.
    #[error("expression longer than {0} characters")]
    TooLong(usize),
}

/// An advanced parse error: what, where and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvParseError {
    kind: AdvParseErrorKind,
    span: Span,
    source: String,
    hint: Option<Cow<'static, str>>,
}

impl AdvParseError {
    /// What went wrong.
    pub fn kind(&self) -> &AdvParseErrorKind {
        &self.kind
    }

    /// The byte span of the offending text.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The rule text that was parsed.
    pub fn source_text(&self) -> &str {
        &self.source
    }

    /// A suggestion or the expected input, as a phrase.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for AdvParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = WithHint {
            kind: &self.kind,
            hint: self.hint.as_deref(),
        };
        write_caret(f, &self.source, self.span, &message)
    }
}

impl std::error::Error for AdvParseError {}

/// An error inside the parser before the source text is attached.
#[derive(Debug)]
pub(super) struct Fail {
    pub kind: AdvParseErrorKind,
    pub span: Span,
    pub hint: Option<Cow<'static, str>>,
}

impl Fail {
    pub fn new(kind: AdvParseErrorKind, start: usize, end: usize) -> Fail {
        Fail {
            kind,
            span: Span::new(start, end),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<Cow<'static, str>>) -> Fail {
        self.hint = Some(hint.into());
        self
    }

    pub fn into_error(self, source: &str) -> AdvParseError {
        AdvParseError {
            kind: self.kind,
            span: self.span,
            source: source.to_owned(),
            hint: self.hint,
        }
    }
}
