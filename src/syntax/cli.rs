//! Removing the ns.conf / CLI quoting layer from one argument (`session-policies.md` section 2),
//! before the rule text reaches the classic parser (D4 applies to what is left).

/// Why an ns.conf argument could not be unquoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnquoteError {
    /// `"...` or `'...` without the closing quote.
    #[error("unterminated {0} quote")]
    UnterminatedQuote(char),
    /// A backslash as the last character inside quotes.
    #[error("backslash at the end of the argument")]
    TrailingBackslash,
    /// Text after the closing quote or q-delimiter (`"abc"def` is two tokens), at this byte offset.
    #[error("text after the closing quote at byte {0}")]
    TrailingText(usize),
}

/// The q-quoting delimiters of GUIDE92 p.72 and the character that closes each.
const Q_DELIMITERS: &[(char, char)] = &[
    ('/', '/'),
    ('{', '}'),
    ('<', '>'),
    ('|', '|'),
    ('~', '~'),
    ('$', '$'),
    ('^', '^'),
    ('+', '+'),
    ('=', '='),
    ('&', '&'),
    ('%', '%'),
    ('@', '@'),
    ('`', '`'),
    ('?', '?'),
];

/// Removes the CLI quoting of ONE ns.conf argument:
/// * `"..."` and `'...'`: the outer quotes go; inside, `\"`, `\'`, `\\`, `\t`, `\n`, `\r` are
///   escapes and a backslash before any other character is kept with it;
/// * `q/.../` and the other q-delimiters `` / { < | ~ $ ^ + = & % @ ` ? `` (`}` closes `{`,
///   `>` closes `<`): the text between is literal. A q-prefix without its closing delimiter at
///   the end is not q-quoting (the argument is returned as is);
/// * anything else is returned unchanged.
///
/// ```
/// use nsexpr::syntax::unquote_cli_argument;
/// assert_eq!(
///     unquote_cli_argument(r#""HEADER Cookie contains \"abc pqr\"""#).unwrap(),
///     r#"HEADER Cookie contains "abc pqr""#
/// );
/// assert_eq!(unquote_cli_argument("q{true}").unwrap(), "true");
/// ```
pub fn unquote_cli_argument(arg: &str) -> Result<String, UnquoteError> {
    let mut chars = arg.chars();
    match chars.next() {
        Some(quote @ ('"' | '\'')) => unquote(arg, quote),
        Some('q') => {
            let Some(open) = chars.next() else {
                return Ok(arg.to_owned());
            };
            let Some(&(_, close)) = Q_DELIMITERS.iter().find(|(o, _)| *o == open) else {
                return Ok(arg.to_owned());
            };
            let body = chars.as_str();
            // The closing delimiter is the first one followed by a blank or the end.
            let mut found = None;
            for (i, c) in body.char_indices() {
                if c != close {
                    continue;
                }
                let after = body.get(i + c.len_utf8()..).unwrap_or("");
                if after.is_empty() || after.starts_with([' ', '\t', '\n']) {
                    found = Some((i, after.len()));
                    break;
                }
            }
            match found {
                Some((i, 0)) => Ok(body.get(..i).unwrap_or("").to_owned()),
                Some((_, rest)) => Err(UnquoteError::TrailingText(arg.len() - rest)),
                None => Ok(arg.to_owned()),
            }
        }
        _ => Ok(arg.to_owned()),
    }
}

fn unquote(arg: &str, quote: char) -> Result<String, UnquoteError> {
    let body = arg.get(1..).unwrap_or("");
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            let end = 1 + i + 1;
            return if end == arg.len() {
                Ok(out)
            } else {
                Err(UnquoteError::TrailingText(end))
            };
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => return Err(UnquoteError::TrailingBackslash),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, e @ ('"' | '\'' | '\\'))) => out.push(e),
            Some((_, other)) => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Err(UnquoteError::UnterminatedQuote(quote))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_and_single_quotes() {
        let u = unquote_cli_argument;
        assert_eq!(
            u(r#""a \"b\" \\ \t\n\r \' \x""#).unwrap(),
            "a \"b\" \\ \t\n\r ' \\x"
        );
        assert_eq!(u("'a\"b'").unwrap(), "a\"b");
        assert_eq!(
            u(r#""REQ.HTTP.HEADER Cookie contains \\\"x\\\"""#).unwrap(),
            r#"REQ.HTTP.HEADER Cookie contains \"x\""#
        );
        assert_eq!(u("\"abc"), Err(UnquoteError::UnterminatedQuote('"')));
        assert_eq!(u("\"abc\\"), Err(UnquoteError::TrailingBackslash));
        assert_eq!(u("\"abc\"def"), Err(UnquoteError::TrailingText(5)));
        assert_eq!(u("\"\"").unwrap(), "");
    }

    #[test]
    fn q_quoting() {
        let u = unquote_cli_argument;
        assert_eq!(
            u("q/CLIENT.REG('HKLM\\\\x').VALUE == example.net/").unwrap(),
            "CLIENT.REG('HKLM\\\\x').VALUE == example.net"
        );
        assert_eq!(u("q{true}").unwrap(), "true");
        assert_eq!(u("q<a>b>").unwrap(), "a>b");
        assert_eq!(u("q|a/b|").unwrap(), "a/b");
        assert_eq!(u("q/a/ b/"), Err(UnquoteError::TrailingText(4)));
        // No closing delimiter: lexed normally, i.e. returned as is.
        assert_eq!(u("q/abc").unwrap(), "q/abc");
        assert_eq!(u("qfoo").unwrap(), "qfoo");
    }

    #[test]
    fn unquoted_is_unchanged() {
        assert_eq!(unquote_cli_argument("ns_true").unwrap(), "ns_true");
        assert_eq!(unquote_cli_argument("a\\b").unwrap(), "a\\b");
        assert_eq!(unquote_cli_argument("").unwrap(), "");
    }
}
