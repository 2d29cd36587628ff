//! Session parameters as written: unknown option names, values outside a parameter's domain,
//! values in another case than their canonical spelling. Works on the lexed lines, so findings
//! point at the option itself.

use crate::config::{
    ParameterDomain, SESSION_PARAMETERS, TokenKind, canonical_parameter, lex_line, parameter_domain,
};

use super::{Code, Sink, did_you_mean};

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
            let name = token.value.as_ref();
            let Some(canonical) = canonical_parameter(name) else {
                sink.push(
                    Code::UnknownParameter,
                    at(token.span),
                    format!("unknown session parameter `-{name}`"),
                    Some(
                        did_you_mean(name, SESSION_PARAMETERS.iter().copied()).map_or_else(
                            || {
                                "remove it, or check its spelling in the session-action reference"
                                    .to_owned()
                            },
                            |h| h.replacen('`', "`-", 1),
                        ),
                    ),
                );
                continue;
            };
            let Some(value) = value else { continue };
            check_value(canonical, &value.value, at(value.span), sink);
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

fn check_value(parameter: &str, value: &str, at: (usize, usize), sink: &mut Sink<'_>) {
    match parameter_domain(parameter) {
        Some(ParameterDomain::Words(words)) => {
            if words.contains(&value) {
                return;
            }
            match words.iter().find(|w| w.eq_ignore_ascii_case(value)) {
                Some(canonical) => sink.push(
                    Code::ParameterCase,
                    at,
                    format!("`-{parameter} {value}` is read as `{canonical}`"),
                    Some(format!("write `{canonical}`, as `show` prints it")),
                ),
                None => sink.push(
                    Code::ParameterValue,
                    at,
                    format!(
                        "`-{parameter}` must be one of {}, found `{value}`",
                        words.join(", ")
                    ),
                    Some(
                        did_you_mean(value, words.iter().copied())
                            .unwrap_or_else(|| format!("write one of {}", words.join(", "))),
                    ),
                ),
            }
        }
        Some(ParameterDomain::Number { min, max }) => {
            let ok = value.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n));
            if !ok {
                sink.push(
                    Code::ParameterValue,
                    at,
                    format!(
                        "`-{parameter}` must be a whole number from {min} to {max}, found `{value}`"
                    ),
                    Some(format!(
                        "write `-{parameter}` followed by a number from {min} to {max}"
                    )),
                );
            }
        }
        _ => {}
    }
}
