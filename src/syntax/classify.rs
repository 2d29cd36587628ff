//! Telling classic rules from advanced ones (docs/semantics.md#classic-grammar, "Telling classic from advanced").

use super::parser::{has_advanced_prefix, is_epa_word};
use super::{ParseOptions, parse_with};
use crate::ast::Qualifier;

/// Whether `rule` is an advanced expression rather than a classic one.
///
/// Advanced when the rule is `TRUE` or `FALSE` (any case, possibly inside parentheses or after
/// `!`), or when, outside quoted text, a dotted name is followed directly by `(`
/// (`HTTP.REQ.HEADER("X").EXISTS`, and so `.METHOD(` chaining) or is an advanced name such as
/// `HTTP.REQ.IS_VALID`, and the rule is not valid classic text. `CLIENT.<epa>(` (client
/// security, D13) and the classic short forms `CLIENT.CERT...` are classic.
///
/// ```
/// use nsexpr::syntax::is_advanced;
/// assert!(is_advanced(r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("CitrixReceiver")"#));
/// assert!(is_advanced("true"));
/// assert!(!is_advanced("REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver"));
/// assert!(!is_advanced("CLIENT.APPLICATION.PROCESS(antivirus.exe) EXISTS"));
/// assert!(!is_advanced("CLIENT.CIPHER.BITS < 128"));
/// ```
pub fn is_advanced(rule: &str) -> bool {
    let core = rule.trim_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '!' | '"'));
    if core.eq_ignore_ascii_case("TRUE") || core.eq_ignore_ascii_case("FALSE") {
        return true;
    }
    has_advanced_token(rule)
        && parse_with(
            rule,
            &ParseOptions {
                value_mode: true,
                ..ParseOptions::default()
            },
        )
        .is_err()
}

/// Scans words at token starts, skipping quoted text.
fn has_advanced_token(rule: &str) -> bool {
    let bytes = rule.as_bytes();
    let mut i = 0;
    let mut boundary = true;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' | b'\'' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    if c == b'\\' {
                        i += 1;
                    } else if c == b {
                        break;
                    }
                }
                boundary = false;
                continue;
            }
            b if boundary && (b.is_ascii_alphabetic() || b == b'_') => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
                {
                    i += 1;
                }
                let word = rule.get(start..i).unwrap_or("");
                if word.contains('.') {
                    let call = bytes.get(i) == Some(&b'(');
                    if call && !is_epa_word(word) {
                        return true;
                    }
                    if !call && has_advanced_prefix(word) && Qualifier::lookup(word).is_none() {
                        return true;
                    }
                }
                boundary = false;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b'!' | b'&' | b'|' | b'=' | b'<'
            | b'>' | b',' | b'+' => boundary = true,
            _ => boundary = false,
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_advanced;

    #[test]
    fn advanced_rules() {
        for rule in [
            r#"HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#,
            r#"HTTP.REQ.URL.PATH.STARTSWITH("/cgi-bin/")"#,
            "TRUE",
            "false",
            "(true)",
            r#"CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8)"#,
            "HTTP.REQ.IS_VALID",
            "HTTP.REQ.IS_VALID && REQ.HTTP.HEADER A EXISTS",
            r#"!HTTP.REQ.HEADER("Referer").EXISTS"#,
            r#"SYS.EVAL_CLASSIC_EXPR("URL == /a")"#,
        ] {
            assert!(is_advanced(rule), "{rule}");
        }
    }

    #[test]
    fn classic_rules() {
        for rule in [
            "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER Referer EXISTS",
            "ns_true",
            "URL==/foo",
            "CLIENT.APPLICATION.AV(sophos).version==7.0 AND CLIENT.SVC(netlogon) EXISTS",
            "CLIENT.CERT.SUBJECT CONTAINS x",
            "HEADER X CONTAINS 'HTTP.REQ.HEADER(\"a\")'",
            "URL CONTAINS a.b(c)",
            "",
        ] {
            assert!(!is_advanced(rule), "{rule}");
        }
    }
}
