//! Session parameters as written: unknown option names, values outside a parameter's domain,
//! values in another case than their canonical spelling. Works on the lexed lines, so findings
//! point at the option itself.

use crate::config::{ParameterIssue, TokenKind, check_parameter, lex_line};

use super::{Code, Sink};

/// Checks every `add`/`set vpn sessionAction` and `set vpn parameter` line of the file.
pub(super) fn check(source: &[u8], sink: &mut Sink<'_>) {
    for (index, line) in source.split(|&b| b == b'\n').enumerate() {
        // Lines that are not UTF-8 are reported by the reader.
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let Ok(tokens) = lex_line(line) else { continue };
        let words: Vec<&str> = tokens.iter().take(3).map(|t| t.value.as_ref()).collect();
        let first_option = match words.as_slice() {
            [verb, vpn, object] if vpn.eq_ignore_ascii_case("vpn") => {
                let verb = verb.to_ascii_lowercase();
                if abbreviates(object, "sessionAction", 8) && (verb == "add" || verb == "set") {
                    4
                } else if abbreviates(object, "parameter", 4) && verb == "set" {
                    3
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let mut rest = tokens.iter().skip(first_option).peekable();
        while let Some(token) = rest.next() {
            if token.kind != TokenKind::Option {
                continue;
            }
            let value = rest.next_if(|t| t.kind != TokenKind::Option);
            let at = |span: crate::Span| {
                let column = line.get(..span.start).map_or(0, |b| b.chars().count()) + 1;
                (index + 1, column)
            };
            let Some(issue) = check_parameter(&token.value, value.map(|v| v.value.as_ref())) else {
                continue;
            };
            // Value findings point at the value.
            let value_span = value.map_or(token.span, |v| v.span);
            let (code, span) = match issue {
                ParameterIssue::Unknown { .. } => (Code::UnknownParameter, token.span),
                ParameterIssue::Case { .. } => (Code::ParameterCase, value_span),
                _ => (Code::ParameterValue, value_span),
            };
            sink.push(code, at(span), issue.to_string(), issue.hint());
        }
    }
}

/// Whether `word` is `full` or an abbreviation of it at least `min` characters long (R1).
fn abbreviates(word: &str, full: &str, min: usize) -> bool {
    word.len() >= min.min(full.len())
        && full
            .get(..word.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(word))
}
