//! Parse errors: a kind, a byte span into the rule text and an optional "expected ..." hint.
//! `Display` draws the offending line with `^^^` under the span (D16: every error has a position).

use std::borrow::Cow;
use std::fmt;

use crate::ast::{Operator, Qualifier, Span};
use crate::error::write_caret;

/// What went wrong while parsing a classic rule. Each variant names the input that produces it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The rule is empty or only blanks.
    #[error("the rule is empty")]
    Empty,
    /// The rule ends where more is needed (`A &&`, `!`, `(`).
    #[error("unexpected end of the rule")]
    UnexpectedEnd,
    /// Something other than a qualifier, name, `!` or `(` where an operand belongs (`&& A`, `()`).
    #[error("missing operand")]
    ExpectedExpression,
    /// No operator after a qualifier where one is required (`URL 'x'`).
    #[error("missing operator")]
    ExpectedOperator,
    /// `HEADER` with no header name after it (`HEADER == x`).
    #[error("missing header name")]
    MissingHeaderName,
    /// A word that is not a qualifier used with an operator (`REQ.HTTP.FOO == 1`).
    #[error("unknown qualifier `{0}`")]
    UnknownQualifier(String),
    /// A word in operator position that is not an operator (`XCONTAINS`).
    #[error("unknown operator `{0}`")]
    UnknownOperator(String),
    /// `AND`, `OR` or `NOT` used as an operator outside client-security terms (D3).
    #[error("`{word}` is not an operator in classic rules; write `{suggestion}`")]
    WordOperator {
        /// The word as written.
        word: String,
        /// The operator to write instead.
        suggestion: &'static str,
    },
    /// Advanced-expression syntax (`HTTP.REQ.HEADER("X").EXISTS`) inside a classic rule.
    #[error("`{0}` is advanced-expression syntax, not classic")]
    AdvancedSyntax(String),
    /// A `'` or `"` without its closing quote (D4).
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// A `(` that is never closed.
    #[error("this `(` is never closed")]
    UnclosedParen,
    /// A `)` with no `(` open.
    #[error("unexpected `)` without a matching `(`")]
    UnexpectedCloseParen,
    /// A binary operator with no operand after it (`HEADER A ==`).
    #[error("missing value after `{0}`")]
    MissingValue(Operator),
    /// Not a decimal number (D10).
    #[error("invalid number (unsigned decimal digits expected)")]
    InvalidNumber,
    /// A number above `u64::MAX` (D10).
    #[error("number too large (at most 18446744073709551615)")]
    NumberOverflow,
    /// A port above 65535 (D10).
    #[error("invalid port (0-65535)")]
    InvalidPort,
    /// Not an IPv4 or IPv6 address, or a bad `/len` (D11).
    #[error("invalid IP address")]
    InvalidIp,
    /// A bad `-netmask` argument, or one of the other address family (D11).
    #[error("invalid netmask")]
    InvalidNetmask,
    /// Not a MAC address `xx:xx:xx:xx:xx:xx`.
    #[error("invalid MAC address")]
    InvalidMac,
    /// A method that is not an HTTP token (`GET)`).
    #[error("invalid HTTP method")]
    InvalidMethod,
    /// A bad `DATE`, `TIME`, `DAYOFWEEK` or certificate date (docs/semantics.md#dates).
    #[error("invalid date or time")]
    InvalidDate,
    /// A URLTOKENS list item longer than one character, or an empty list (docs/semantics.md#urltokens).
    #[error("invalid URLTOKENS list (comma-separated single characters expected)")]
    InvalidTokens,
    /// `REQ.SSL.CLIENT.CIPHER.TYPE` compared with something other than `Export`.
    #[error("REQ.SSL.CLIENT.CIPHER.TYPE only compares with `Export`")]
    InvalidCipherType,
    /// An operator the qualifier does not accept (docs/semantics.md#qualifiers).
    #[error("`{op}` is not allowed with {qualifier}")]
    OperatorNotAllowed {
        /// The operator.
        op: Operator,
        /// The qualifier.
        qualifier: Qualifier,
    },
    /// An option the qualifier or operator does not accept (D5).
    #[error("`-{option}` is not allowed here")]
    OptionNotAllowed {
        /// `length`, `offset` or `netmask`.
        option: &'static str,
    },
    /// The same option twice (D5).
    #[error("`-{0}` is given twice")]
    DuplicateOption(&'static str),
    /// `-x` that is not a prefix of `-length`, `-offset` or `-netmask` (D5).
    #[error("unknown option `{0}`")]
    UnknownOption(String),
    /// A range `N-M` with an operator other than `==`, `!=`, `BETWEEN` (D10).
    #[error("a range is not allowed with `{0}` (only with ==, != and BETWEEN)")]
    RangeNotAllowed(Operator),
    /// A bare qualifier (no operator) in a boolean rule: a load-balancing or persistence value
    /// expression (docs/semantics.md#classic-grammar), accepted only with
    /// [`ParseOptions::value_mode`](super::ParseOptions::value_mode).
    #[error("value expression where a boolean rule is needed")]
    ValueExpression,
    /// Parentheses and `!` nested deeper than [`ParseOptions::max_nesting`](super::ParseOptions),
    /// or than [`MAX_NESTING_LIMIT`](super::MAX_NESTING_LIMIT) whatever the option says (D16).
    /// Carries the limit that applied.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// A rule longer than [`ParseOptions::max_input_len`](super::ParseOptions) bytes (D16).
    #[error("rule longer than {0} bytes")]
    TooLong(usize),
    /// Text left over where `&&`, `||`, `)` or the end was expected (`URL == /a b`).
    #[error("unexpected text")]
    TrailingInput,
    /// A control character (NUL, ESC, DEL...) other than tab, CR and LF, anywhere in the rule.
    #[error("control character {} in the rule", .0.escape_unicode())]
    ControlCharacter(char),
}

/// A parse error: what, where (a byte span into the rule), and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    span: Span,
    source: String,
    expected: Option<Cow<'static, str>>,
}

impl ParseError {
    pub(crate) fn new(
        kind: ParseErrorKind,
        span: Span,
        source: &str,
        expected: Option<Cow<'static, str>>,
    ) -> ParseError {
        ParseError {
            kind,
            span,
            source: source.to_owned(),
            expected,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// The byte span of the offending token in [`source_text`](Self::source_text).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The rule text that was parsed.
    pub fn source_text(&self) -> &str {
        &self.source
    }

    /// What the parser expected at the error position, as a phrase
    /// ("an operator such as CONTAINS, EXISTS or == after the header name").
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
    }
}

struct Message<'a>(&'a ParseError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)?;
        if let Some(expected) = &self.0.expected {
            write!(f, "; expected {expected}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_caret(f, &self.source, self.span, &Message(self))
    }
}

impl std::error::Error for ParseError {}

/// An error inside the parser before the source text is attached.
#[derive(Debug)]
pub(crate) struct Fail {
    pub kind: ParseErrorKind,
    pub span: Span,
    pub expected: Option<Cow<'static, str>>,
}

impl Fail {
    pub(crate) fn new(kind: ParseErrorKind, start: usize, end: usize) -> Fail {
        Fail {
            kind,
            span: Span::new(start, end),
            expected: None,
        }
    }

    pub(crate) fn expecting(mut self, expected: impl Into<Cow<'static, str>>) -> Fail {
        self.expected = Some(expected.into());
        self
    }

    pub(crate) fn into_error(self, source: &str) -> ParseError {
        ParseError::new(self.kind, self.span, source, self.expected)
    }
}
