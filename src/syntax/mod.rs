//! Parsing classic rule text into an [`Expr`].
//!
//! ```
//! use nsexpr::syntax::{parse, parse_with, ParseOptions, LintKind};
//!
//! let rule = parse("header user-agent contains Worx&&HEADER X-Citrix-Gateway EXISTS").unwrap();
//! assert_eq!(
//!     rule.to_string(),
//!     "REQ.HTTP.HEADER user-agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS"
//! );
//!
//! let parsed = parse_with("a && b || c", &ParseOptions::default()).unwrap();
//! assert_eq!(parsed.lints[0].kind, LintKind::MixedAndOr);
//!
//! let err = parse("REQ.HTTP.HEADER User-Agent").unwrap_err();
//! assert!(err.to_string().contains("expected an operator such as CONTAINS, EXISTS or =="));
//! ```
//!
//! The grammar is docs/semantics.md#classic-grammar: `!` binds tighter than `&&`, which binds
//! tighter than `||` (D1); keywords are case-insensitive (D2); blanks are optional around
//! punctuation and comparisons (D3); values are bare or quoted (D4); options follow D5;
//! client-security and `FS.*` terms are kept as opaque text (D13); nesting and length are
//! limited (D16). Chains and nesting are parsed with an explicit stack, never recursion.

pub mod advanced;
mod classify;
mod error;
mod nearest;
mod parser;
mod prec;
mod value;

use std::str::FromStr;

pub use classify::is_advanced;
pub use error::{ParseError, ParseErrorKind};
pub(crate) use nearest::nearest;

use crate::ast::{Expr, Span};
use error::Fail;

/// How unparenthesised `&&` and `||` group (D1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precedence {
    /// `&&` binds tighter than `||` (the default, D1).
    #[default]
    Conventional,
    /// `&&` and `||` have equal precedence, grouped strictly left to right (D1's option):
    /// `A || B && C` is `(A || B) && C`.
    LeftToRight,
}

/// The hard ceiling on [`ParseOptions::max_nesting`] (D16): a larger value is clamped to it, so
/// a rule nested deeper is a [`ParseErrorKind::TooDeep`] error at this depth, whatever was asked.
///
/// The parser never recurses, and neither do compiling, evaluating, explaining, cloning and
/// comparing a rule; but [`Expr`]'s derived `Debug` and serde impls, its `Display` and its
/// `Drop` take calls in proportion to the tree's depth, and one nesting level can be two tree
/// levels (`(a || b && (…))`). At this depth all of them run within a 2 MiB thread stack (the
/// default for spawned threads) even in a debug build; the tightest, serialisation, leaves about
/// a quarter of it unused.
pub const MAX_NESTING_LIMIT: usize = 512;

/// Parser settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Grouping of unparenthesised `&&`/`||` (D1).
    pub precedence: Precedence,
    /// Maximum nesting of `(` and `!` (D16); default 256, at most [`MAX_NESTING_LIMIT`]: a
    /// larger value is clamped to it.
    pub max_nesting: usize,
    /// Maximum rule length in bytes (D16); default 1 MiB.
    pub max_input_len: usize,
    /// Accept value expressions (a bare qualifier such as `REQ.TCP.DESTPORT`) as used by
    /// load-balancing and persistence rules (docs/semantics.md#classic-grammar). A bare qualifier becomes a
    /// [`Simple`](crate::ast::Simple) with `op: None`. (`URL CONTENTS` parses either way: a
    /// boolean "present and non-empty" in a policy, the text itself in a value context.)
    pub value_mode: bool,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            precedence: Precedence::Conventional,
            max_nesting: 256,
            max_input_len: 1 << 20,
            value_mode: false,
        }
    }
}

impl ParseOptions {
    /// Sets [`precedence`](Self::precedence).
    ///
    /// ```
    /// use nsexpr::syntax::{ParseOptions, Precedence, parse_with};
    ///
    /// let options = ParseOptions::default().precedence(Precedence::LeftToRight);
    /// let parsed = parse_with("METHOD == GET || METHOD == HEAD && URL == /x", &options)?;
    /// assert_eq!(
    ///     nsexpr::ast::Grouped(&parsed.expr).to_string(),
    ///     "(REQ.HTTP.METHOD == GET || REQ.HTTP.METHOD == HEAD) && REQ.HTTP.URL == /x"
    /// );
    /// # Ok::<(), nsexpr::ParseError>(())
    /// ```
    #[must_use]
    pub fn precedence(mut self, precedence: Precedence) -> Self {
        self.precedence = precedence;
        self
    }

    /// Sets [`max_nesting`](Self::max_nesting) (clamped to [`MAX_NESTING_LIMIT`] when parsing).
    #[must_use]
    pub fn max_nesting(mut self, max_nesting: usize) -> Self {
        self.max_nesting = max_nesting;
        self
    }

    /// Sets [`max_input_len`](Self::max_input_len).
    #[must_use]
    pub fn max_input_len(mut self, max_input_len: usize) -> Self {
        self.max_input_len = max_input_len;
        self
    }

    /// Sets [`value_mode`](Self::value_mode).
    #[must_use]
    pub fn value_mode(mut self, value_mode: bool) -> Self {
        self.value_mode = value_mode;
        self
    }
}

/// A parsed rule and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The syntax tree.
    pub expr: Expr,
    /// Warnings, in source order of detection.
    pub lints: Vec<Lint>,
}

/// A warning about a rule that parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// Which warning.
    pub kind: LintKind,
    /// Where.
    pub span: Span,
    /// A sentence for the user.
    pub message: String,
}

/// The warnings the parser emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LintKind {
    /// `&&` and `||` mixed at one level without parentheses (D1 `mixed-and-or`).
    MixedAndOr,
    /// A NetScaler 6.0 spelling or operator alias (`HTTPHEADER`, `REQUEST.`, `EQ`...),
    /// docs/semantics.md#classic-lexical.
    OldSpelling,
    /// A `*` in a `URL ==`/`!=` pattern outside the docs/semantics.md#url-wildcards shapes (`url-wildcard-unverified`).
    UrlWildcardUnverified,
    /// `-length`/`-offset` on `EXISTS`/`NOTEXISTS`, where they do nothing (docs/semantics.md#window).
    WindowIgnored,
    /// A method that is not a standard HTTP/1.1 method (docs/semantics.md#qualifiers).
    NonStandardMethod,
    /// A named-expression reference outside the naming rules (`nonstandard-name`, docs/semantics.md#policy-expression).
    NonStandardName,
    /// A `)` without a matching `(` inside a bare value, outside any grouping parenthesis: D4
    /// keeps it in the value, but it is usually a stray parenthesis (`paren-in-value`).
    ParenInValue,
}

/// Parses a classic rule with default options, discarding lints.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    parse_with(text, &ParseOptions::default()).map(|p| p.expr)
}

/// Parses a classic rule.
///
/// Errors carry the byte span of the offending token. A rule that is a bare qualifier is a
/// value expression (docs/semantics.md#classic-grammar): an error unless [`ParseOptions::value_mode`] is set. Control
/// characters other than the blanks tab, CR and LF are refused wherever they stand (ns.conf cannot
/// carry them).
pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Parsed, ParseError> {
    if text.len() > options.max_input_len {
        let start = crate::error::floor_char_boundary(text, options.max_input_len);
        return Err(Fail::new(
            ParseErrorKind::TooLong(options.max_input_len),
            start,
            text.len(),
        )
        .expecting(format!("at most {} bytes", options.max_input_len))
        .into_error(text));
    }
    if let Some(at) = control_character(text) {
        let c = text
            .get(at..)
            .and_then(|t| t.chars().next())
            .unwrap_or('\0');
        return Err(
            Fail::new(ParseErrorKind::ControlCharacter(c), at, at + c.len_utf8())
                .expecting("printable text (a blank, or a quoted value without control characters)")
                .into_error(text),
        );
    }
    let mut parser = parser::Parser::new(text, options);
    let expr = parser.parse().map_err(|f| f.into_error(text))?;
    Ok(Parsed {
        expr,
        lints: parser.into_lints(),
    })
}

/// The offset of the first control character other than tab, CR and LF: C0 bytes, DEL, and the
/// C1 range U+0080..U+009F (UTF-8 `C2 80`..`C2 9F`). A byte scan, since it runs on every rule.
fn control_character(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().find_map(|(at, &b)| {
        let c0 = (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
        let c1 = b == 0xc2 && bytes.get(at + 1).is_some_and(|n| (0x80..=0x9f).contains(n));
        (c0 || c1).then_some(at)
    })
}

impl FromStr for Expr {
    type Err = ParseError;

    /// [`parse`] with default options.
    fn from_str(s: &str) -> Result<Expr, ParseError> {
        parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::ExprKind;

    #[test]
    fn control_characters_are_found_by_byte() {
        assert_eq!(control_character("a\tb\r\nc é"), None);
        assert_eq!(control_character("ab\0"), Some(2));
        assert_eq!(control_character("é\u{7f}"), Some(2));
        assert_eq!(control_character("x\u{85}"), Some(1));
        assert_eq!(control_character("\u{a0}\u{100}"), None);
    }

    #[test]
    fn left_to_right_precedence() {
        let options = ParseOptions {
            precedence: Precedence::LeftToRight,
            ..ParseOptions::default()
        };
        let parsed = parse_with("a || b && c", &options).map(|p| p.expr.to_string());
        assert_eq!(parsed.ok().as_deref(), Some("(a || b) && c"));
        let parsed = parse_with("a && b || c && d", &options).map(|p| p.expr.to_string());
        assert_eq!(parsed.ok().as_deref(), Some("(a && b || c) && d"));
        assert_eq!(
            parse("a || b && c").map(|e| e.to_string()).ok().as_deref(),
            Some("a || b && c")
        );
    }

    #[test]
    fn value_mode_and_from_str() {
        let options = ParseOptions {
            value_mode: true,
            ..ParseOptions::default()
        };
        let parsed = parse_with("REQ.TCP.DESTPORT", &options).map(|p| p.expr);
        assert!(matches!(
            parsed.as_ref().map(|e| &e.kind),
            Ok(ExprKind::Simple(crate::ast::Simple { op: None, .. }))
        ));
        assert!(parse_with("HEADER Cookie -length 6 -offset 2", &options).is_ok());
        assert!(parse_with("URL CONTENTS", &options).is_ok());
        let expr: Result<Expr, _> = "url == /a".parse();
        assert_eq!(
            expr.map(|e| e.to_string()).ok().as_deref(),
            Some("REQ.HTTP.URL == /a")
        );
    }

    #[test]
    fn lints_have_spans() {
        let parsed = parse_with("HTTPHEADER Host EXIST -l 3", &ParseOptions::default());
        let kinds: Vec<(LintKind, usize, usize)> = parsed
            .map(|p| {
                p.lints
                    .iter()
                    .map(|l| (l.kind, l.span.start, l.span.end))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            kinds,
            [
                (LintKind::OldSpelling, 0, 10),
                (LintKind::OldSpelling, 16, 21),
                (LintKind::WindowIgnored, 22, 24)
            ]
        );
    }
}
