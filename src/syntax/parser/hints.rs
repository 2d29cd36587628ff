//! The "expected ..." phrases of parse errors: qualifier and operator suggestions, value hints.

use super::tokens::KEYWORD_OPERATORS;
use crate::ast::{Operator, Qualifier, SPELLINGS, ValueType};
use crate::syntax::nearest;

/// Headers are the most common thing a mistyped qualifier was meant to read.
const HEADER_HINT: &str = "a header is read with `REQ.HTTP.HEADER <name>`";

/// The hint for an unknown qualifier `word`: the nearest known spelling when there is a plausible
/// one, else the spellings that share the longest dotted prefix with `word` (`REQ.HTTP.FOO`
/// lists the `REQ.HTTP.` qualifiers); always mentions `REQ.HTTP.HEADER`.
pub(super) fn unknown_qualifier(word: &str) -> String {
    if let Some(near) = nearest(word, SPELLINGS.iter().map(|s| s.text)) {
        return if near == "REQ.HTTP.HEADER" {
            "a known qualifier: did you mean `REQ.HTTP.HEADER`?".to_owned()
        } else {
            format!("a known qualifier: did you mean `{near}`? ({HEADER_HINT})")
        };
    }
    let mut prefix = word;
    while let Some(dot) = prefix
        .get(..prefix.len().saturating_sub(1))
        .and_then(|p| p.rfind('.'))
    {
        prefix = prefix.get(..=dot).unwrap_or("");
        let found: Vec<&str> = SPELLINGS
            .iter()
            .filter(|s| {
                s.text
                    .get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            })
            .map(|s| s.text)
            .take(6)
            .collect();
        if !found.is_empty() {
            return format!("a qualifier such as {} ({HEADER_HINT})", found.join(", "));
        }
    }
    "a known qualifier such as REQ.HTTP.HEADER <name>, REQ.HTTP.URL or REQ.IP.SOURCEIP".to_owned()
}

/// "did you mean `CONTAINS`?" for an unknown operator word, or nothing.
pub(super) fn nearest_operator(word: &str) -> Option<&'static str> {
    nearest(word, KEYWORD_OPERATORS.iter().map(|(w, _, _)| *w))
}

/// What the operator of `q` may be, for "missing" and "unknown" operator errors; `unknown` is
/// the word written in operator position, if any.
pub(super) fn operators_of(q: Qualifier, unknown: Option<&str>) -> String {
    let base = if q.takes_header_name() {
        "an operator such as CONTAINS, EXISTS or == after the header name".to_owned()
    } else {
        format!(
            "an operator ({}) after {}",
            op_list(q.operators()),
            q.canonical_name()
        )
    };
    match unknown.and_then(nearest_operator) {
        Some(near) => format!("{base}: did you mean `{near}`?"),
        None => base,
    }
}

/// What a value of `q` looks like.
pub(super) fn value_of(q: Qualifier) -> &'static str {
    match q.value_type() {
        ValueType::Number | ValueType::Port => "a number",
        ValueType::Ip => "an IP address",
        ValueType::Mac => "a MAC address",
        ValueType::Date | ValueType::Time | ValueType::CertDate | ValueType::Weekday => {
            "a date or time"
        }
        ValueType::CipherType => "`Export`",
        ValueType::Tokens => "a list of characters such as '+,?,%'",
        _ => "a bare or quoted value",
    }
}

/// `==, !=, CONTAINS` for a list of operators.
pub(super) fn op_list(ops: &[Operator]) -> String {
    ops.iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
