//! Diagnostics on standard error: ariadne reports for rules, `file:line:column` reports for ns.conf
//! lines, and plain `error:` lines. Colour as anstream decides for standard error: on a terminal,
//! never with `NO_COLOR`, always with `CLICOLOR_FORCE`.

use std::io::Write;

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};
use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind, Source};
use nsexpr::config::ConfigError;

use super::Failure;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();

/// Whether standard error gets colour.
fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != ColorChoice::Never
}

fn write_stderr(text: &str) {
    // anstream strips the escape codes when standard error gets no colour.
    let mut err = anstream::stderr();
    // Nothing sensible is left to do when standard error itself fails.
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Prints `error: <message>`.
pub fn print_failure(failure: &Failure) {
    write_stderr(&format!("{ERROR}error{ERROR:#}: {}\n", failure.0));
}

/// Prints a warning line.
pub fn print_warning(message: &str) {
    write_stderr(&format!("{WARNING}warning{WARNING:#}: {message}\n"));
}

/// Prints a `note:` line.
pub fn print_note(message: &str) {
    write_stderr(&format!("{NOTE}note{NOTE:#}: {message}\n"));
}

/// Prints the reader's errors, `file:line:column: message` with the line and carets.
pub fn print_config_errors(errors: &[ConfigError]) {
    for e in errors {
        write_stderr(&format!("{e}\n"));
    }
}

/// What a rule diagnostic shows: the text, the byte span, the message and a hint.
pub struct RuleDiagnostic<'a> {
    /// Where the text came from (`rule`, `rule 2`, `named expression X`).
    pub origin: String,
    /// The text the span points into.
    pub source: &'a str,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The error message.
    pub message: String,
    /// What was expected at the span, if known.
    pub expected: Option<&'a str>,
    /// An extra note.
    pub note: Option<String>,
}

/// Renders a rule diagnostic with ariadne (ASCII carets; colour as [`stderr_color`] says).
pub fn render_rule(d: &RuleDiagnostic<'_>, color: bool) -> String {
    // Only a window of the text around the span is shown, so the output stays bounded whatever
    // the rule's size; `...` marks a cut.
    let (mut text, start, mut end) = window(d.source, d.start, d.end);
    // ariadne draws a one-character span as a bare `|`; every span is widened to at least two
    // characters (blanks appended past the end of the text) so that it always gets a `^`.
    while text.get(start..end).map_or(0, |s| s.chars().count()) < 2 {
        match text.get(end..).and_then(|s| s.chars().next()) {
            Some(c) => end += c.len_utf8(),
            None => {
                text.push(' ');
                end += 1;
            }
        }
    }
    let label_message = match d.expected {
        Some(expected) => format!("expected {expected}"),
        None => d.message.clone(),
    };
    let config = Config::default()
        .with_color(color)
        .with_char_set(CharSet::Ascii)
        .with_index_type(IndexType::Byte);
    let origin = d.origin.as_str();
    let mut report = Report::build(ReportKind::Error, (origin, start..end))
        .with_config(config)
        .with_message(&d.message)
        .with_label(Label::new((origin, start..end)).with_message(label_message));
    if let Some(note) = &d.note {
        report = report.with_note(note);
    }
    let mut out = Vec::new();
    let written = report
        .finish()
        .write((origin, Source::from(text.as_str())), &mut out);
    match written {
        // ariadne numbers the shown window; the header gives the span's place in the source.
        Ok(()) => String::from_utf8_lossy(&out).replacen(
            &format!("{origin}:{}:{} ]", 1, column_of(&text, start)),
            &format!(
                "{origin}:{}:{} ]",
                line_of(d.source, d.start),
                column_of(d.source, d.start)
            ),
            1,
        ),
        Err(_) => format!("error: {}\n", d.message),
    }
}

/// The 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at.min(text.len()));
    text.get(..at).map_or(0, |s| s.matches('\n').count()) + 1
}

/// The 1-based column (in characters) of byte `at` in `text`.
fn column_of(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at.min(text.len()));
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before.get(line_start..).map_or(0, |s| s.chars().count()) + 1
}

/// Characters shown before the span, of the span, and after it.
const WINDOW: (usize, usize, usize) = (80, 120, 60);

/// The text shown for a span: the source itself when short, else a window around the span with
/// `...` at the cuts; with the span's byte range in it.
fn window(source: &str, start: usize, end: usize) -> (String, usize, usize) {
    let start = floor_boundary(source, start.min(source.len()));
    let end = floor_boundary(source, end.clamp(start, source.len()));
    let (before, inside, after) = WINDOW;
    let first = source
        .get(..start)
        .and_then(|s| s.char_indices().rev().nth(before - 1))
        .map_or(0, |(i, _)| i);
    let span_end = source
        .get(start..end)
        .and_then(|s| s.char_indices().nth(inside))
        .map_or(end, |(i, _)| start + i);
    let last = source
        .get(span_end..)
        .and_then(|s| s.char_indices().nth(after))
        .map_or(source.len(), |(i, _)| span_end + i);
    let mut text = String::new();
    if first > 0 {
        text.push_str("...");
    }
    let offset = text.len();
    text.push_str(source.get(first..last).unwrap_or(""));
    if last < source.len() {
        text.push_str("...");
    }
    (
        text.replace(['\n', '\r'], " "),
        offset + start - first,
        offset + span_end - first,
    )
}

/// The largest char boundary not above `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Prints a rule diagnostic on standard error.
pub fn print_rule(d: &RuleDiagnostic<'_>) {
    write_stderr(&render_rule(d, stderr_color()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_rule_is_shown_as_a_window() {
        let source = format!("{}CONTAIN{}", "a".repeat(5_000_000), "b".repeat(5_000_000));
        let d = RuleDiagnostic {
            origin: "rule".to_owned(),
            source: &source,
            start: 5_000_000,
            end: 5_000_007,
            message: "unknown operator".to_owned(),
            expected: None,
            note: None,
        };
        let text = render_rule(&d, false);
        assert!(text.len() < 2_000, "{}", text.len());
        assert!(text.contains("...aaa"), "{text}");
        assert!(text.contains("CONTAIN"), "{text}");
        assert!(text.contains("bbb..."), "{text}");
        // The header gives the span's column in the rule, not in the window.
        assert!(text.contains("[ rule:1:5000001 ]"), "{text}");
    }

    #[test]
    fn a_diagnostic_at_the_end_has_a_caret() {
        let d = RuleDiagnostic {
            origin: "rule".to_owned(),
            source: "REQ.HTTP.HEADER User-Agent",
            start: 26,
            end: 26,
            message: "missing operator".to_owned(),
            expected: Some("an operator such as CONTAINS"),
            note: None,
        };
        let text = render_rule(&d, false);
        assert!(text.contains("missing operator"), "{text}");
        assert!(
            text.contains("expected an operator such as CONTAINS"),
            "{text}"
        );
        assert!(text.contains('^'), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
    }
}
