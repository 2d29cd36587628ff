//! Parsing advanced (default-syntax) expressions into an [`AdvExpr`].
//!
//! ```
//! use nsexpr::syntax::advanced::parse_advanced;
//!
//! let rule = parse_advanced(
//!     r#"http.req.header("User-Agent").set_text_mode(ignorecase).contains("Worx")"#,
//! )
//! .unwrap();
//! assert_eq!(
//!     rule.to_string(),
//!     r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx")"#
//! );
//! let err = parse_advanced(r#"HTTP.REQ.URL.EXISTS AND TRUE"#).unwrap_err();
//! assert!(err.to_string().contains("write `&&`"));
//! ```
//!
//! Lexical rules are D21 (caseless words, escapes, the 255-byte literal limit, `+` joining
//! literals, IP and time literals in argument position, `re<d>...<d>`), the grammar and
//! precedence are D22 through the shared precedence climber, and printing is D35. Nesting of
//! parentheses, argument lists and prefix operators is limited before every descent, so input
//! never controls the depth of the call stack beyond that limit.

mod error;
mod parser;

pub use error::{AdvParseError, AdvParseErrorKind};

/// The default of [`AdvParseOptions::max_nesting`].
pub(crate) const DEFAULT_NESTING: usize = 64;

use crate::ast::Span;
use crate::ast::advanced::AdvExpr;
use error::Fail;

/// Parser settings for advanced expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvParseOptions {
    /// Maximum expression length in characters (D21 `max_advanced_len`, default 1,499); 0
    /// applies only [`max_input_len`](Self::max_input_len).
    pub max_len: usize,
    /// Maximum rule length in bytes whatever `max_len` says (default 1 MiB).
    pub max_input_len: usize,
    /// Maximum nesting of `(`, argument lists, `!` and unary `-` (default 64; at most 128).
    pub max_nesting: usize,
}

impl Default for AdvParseOptions {
    fn default() -> AdvParseOptions {
        AdvParseOptions {
            max_len: 1499,
            max_input_len: 1 << 20,
            max_nesting: DEFAULT_NESTING,
        }
    }
}

impl AdvParseOptions {
    /// Sets [`max_len`](Self::max_len).
    #[must_use]
    pub fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Sets [`max_input_len`](Self::max_input_len).
    #[must_use]
    pub fn max_input_len(mut self, max_input_len: usize) -> Self {
        self.max_input_len = max_input_len;
        self
    }

    /// Sets [`max_nesting`](Self::max_nesting).
    #[must_use]
    pub fn max_nesting(mut self, max_nesting: usize) -> Self {
        self.max_nesting = max_nesting;
        self
    }
}

/// A parsed advanced expression and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvParsed {
    /// The syntax tree.
    pub expr: AdvExpr,
    /// Warnings, in order of detection.
    pub lints: Vec<AdvLint>,
}

/// A warning about an advanced expression that parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvLint {
    /// Which warning.
    pub kind: AdvLintKind,
    /// Where.
    pub span: Span,
    /// A sentence for the user.
    pub message: String,
}

/// The warnings the advanced parser emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdvLintKind {
    /// `&&` and `||` at one level without parentheses (`mixed-and-or`).
    MixedAndOr,
    /// A blank beside `.` in a chain (`blank-in-chain`).
    BlankInChain,
    /// A single-quoted literal of more than one character (`single-quoted-string`).
    SingleQuotedString,
    /// A `0x` number.
    HexNumber,
    /// `Q.`, `S.` or `SYS.EVAL_CLASSIC_EXPR`, removed in release 13.1 (`removed-in-13.1`).
    RemovedIn131,
}

/// Parses an advanced expression with default options, discarding lints.
pub fn parse_advanced(text: &str) -> Result<AdvExpr, AdvParseError> {
    parse_advanced_with(text, &AdvParseOptions::default()).map(|p| p.expr)
}

/// Parses an advanced expression.
pub fn parse_advanced_with(
    text: &str,
    options: &AdvParseOptions,
) -> Result<AdvParsed, AdvParseError> {
    if text.len() > options.max_input_len {
        let start = crate::error::floor_char_boundary(text, options.max_input_len);
        return Err(Fail::new(
            AdvParseErrorKind::TooLong(options.max_input_len),
            start,
            text.len(),
        )
        .into_error(text));
    }
    if options.max_len > 0
        && let Some((start, _)) = text.char_indices().nth(options.max_len)
    {
        return Err(Fail::new(
            AdvParseErrorKind::TooLong(options.max_len),
            start,
            text.len(),
        )
        .hint("split the rule into named expressions")
        .into_error(text));
    }
    let mut parser = parser::Parser::new(text, options.max_nesting);
    let expr = parser.parse_rule().map_err(|f| f.into_error(text))?;
    Ok(AdvParsed {
        expr,
        lints: parser.lints,
    })
}

/// Whether `word` is read as an enumeration constant in argument position (`IGNORECASE`, `GET`).
pub fn is_enum_word(word: &str) -> bool {
    parser::ENUM_WORDS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether `word` starts a prefix path (`HTTP`, `CLIENT`, `SYS`...) rather than naming a named
/// expression.
pub fn is_prefix_word(word: &str) -> bool {
    parser::is_prefix_word(word)
}
