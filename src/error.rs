//! Shared error plumbing: every error in nsexpr carries a byte span into the text it came from,
//! and its `Display` draws that text with `^^^` under the span.

use std::fmt;

use crate::span::Span;

/// `kind`, then `; hint` when there is one: the message line of errors that carry a hint.
pub(crate) struct WithHint<'a> {
    pub kind: &'a dyn fmt::Display,
    pub hint: Option<&'a str>,
}

impl fmt::Display for WithHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(hint) = self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// Writes `message`, then the line of `source` that holds `span` with carets under the span.
/// A span past the end of the text points just after its last character.
pub(crate) fn write_caret(
    f: &mut fmt::Formatter<'_>,
    source: &str,
    span: Span,
    message: &dyn fmt::Display,
) -> fmt::Result {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
    let (line_start, line_end) = line_bounds(source, start);
    let line = source.get(line_start..line_end).unwrap_or("");
    let line_no = source
        .get(..line_start)
        .map_or(0, |s| s.matches('\n').count())
        + 1;
    let prefix = source.get(line_start..start).unwrap_or("");
    let column = prefix.chars().count() + 1;
    let marked = source.get(start..end.min(line_end)).unwrap_or("");
    let width = marked.chars().count().max(1);
    writeln!(f, "{message} (line {line_no}, column {column})")?;
    writeln!(f, "  {}", line.replace('\t', " "))?;
    write!(
        f,
        "  {}{}",
        " ".repeat(prefix.chars().count()),
        "^".repeat(width)
    )
}

/// The largest char boundary not above `i`.
/// The byte range of the line of `source` that holds byte `at` (a char boundary), without its
/// line end.
pub(crate) fn line_bounds(source: &str, at: usize) -> (usize, usize) {
    let start = source
        .get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = source
        .get(at..)
        .and_then(|s| s.find('\n'))
        .map_or(source.len(), |i| at + i);
    (start, end)
}

pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = source.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}
