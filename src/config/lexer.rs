//! The ns.conf / CLI line lexer (docs/semantics.md#nsconf-lexing).
//!
//! It follows Citrix's own CLI lexer as found in nspepi (`cli_lex.py`, `Lexer.token`):
//!
//! * blanks (space, tab, newline) separate tokens; a CR before the end of the line is dropped (R2);
//! * a `#` at the start of a token begins a comment that runs to the end of the line (`a#b` is a word);
//! * a token starting with `-` is an option name that runs to the next blank;
//! * a token starting with `"` or `'` is quoted: the outer quotes are removed, the escapes
//!   `\t \n \r \' \" \\` are decoded, any other backslash is kept with its character, and the token
//!   ends at the matching quote even when non-blank text follows (`"abc"def` is two tokens);
//! * inside a bare token, quote characters stay in the value and blanks between them do not split
//!   the token (`abc"d e"f`); escapes are decoded between such quotes too;
//! * outside quotes, blanks inside balanced parentheses do not end a token; an unbalanced `)` is an
//!   error, and so is an unclosed `(` or quote at the end of the line;
//! * a backslash inside quotes as the last character of the line is an error;
//! * q-quoting: at the start of a token, `q` followed by one of `` / { < | ~ $ ^ + = & % @ ` ? ``
//!   (or the nonstandard `#` and `[`) starts a literal that ends at the first matching delimiter
//!   (`}` for `{`, `>` for `<`, `]` for `[`, else the same character) that is followed by a blank or
//!   the end of the line. There are no escapes inside. Without such a delimiter the token is lexed
//!   normally. (nspepi only tries the *first* closing delimiter; this reader takes the first one
//!   that is followed by a blank, as the appliance's CLI reference describes it.)

use std::borrow::Cow;

use crate::ast::Span;

/// What kind of token the lexer produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TokenKind {
    /// A bare token (it may still contain quote characters: `abc"d e"f`).
    Word,
    /// An option name (`-priority`); the value holds the name without the dash.
    Option,
    /// A token that started with `"` or `'`; the value has the quotes removed and escapes decoded.
    Quoted,
    /// A q-quoted literal (`q/.../`); the value is the text between the delimiters.
    QQuoted {
        /// The opening delimiter character.
        delimiter: char,
    },
}

/// One token of a CLI line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Token<'a> {
    /// The kind of token.
    pub kind: TokenKind,
    /// The token's value after CLI unquoting (borrowed from the line when nothing was decoded).
    pub value: Cow<'a, str>,
    /// The bytes of the line the token was read from, quotes and dash included.
    pub span: Span,
}

impl Token<'_> {
    /// Whether the token was written quoted (`"..."`, `'...'` or q-quoted).
    pub fn is_quoted(&self) -> bool {
        matches!(self.kind, TokenKind::Quoted | TokenKind::QQuoted { .. })
    }

    /// Byte offset in the line where the value's text begins: after the opening quote, after
    /// `q` and its delimiter, after the dash of an option.
    pub fn content_start(&self) -> usize {
        match self.kind {
            TokenKind::Word => self.span.start,
            TokenKind::Option | TokenKind::Quoted => self.span.start + 1,
            TokenKind::QQuoted { .. } => self.span.start + 2,
        }
    }

    /// Whether this is a q-quoted token with a delimiter outside GUIDE92's list (`#`, `[`);
    /// accepted, but worth a `qquote-nonstandard` lint.
    pub fn is_nonstandard_qquote(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::QQuoted {
                delimiter: '#' | '['
            }
        )
    }
}

/// What went wrong while lexing a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum LexErrorKind {
    /// A quote that is not closed before the end of the line.
    #[error("unclosed {quote} quote")]
    UnclosedQuote {
        /// The quote character.
        quote: char,
    },
    /// A `(` outside quotes that is not closed before the end of the line.
    #[error("unclosed parenthesis")]
    UnclosedParen,
    /// A `)` outside quotes without a matching `(`.
    #[error("unbalanced closing parenthesis")]
    UnbalancedParen,
    /// A backslash inside quotes as the last character of the line.
    #[error("backslash at the end of the line inside quotes")]
    TrailingBackslash,
}

/// A lexing error with the bytes of the line it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[error("{kind}")]
pub struct LexError {
    /// What went wrong.
    pub kind: LexErrorKind,
    /// Where, in bytes of the line.
    pub span: Span,
}

/// Lexes one line (without or with its line end) into tokens, stopping at a comment.
pub fn lex_line(line: &str) -> Result<Vec<Token<'_>>, LexError> {
    Lexer::new(line).collect()
}

/// Why [`unquote_argument`] could not read its text as one ns.conf argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum UnquoteError {
    /// The text does not lex (an unclosed quote, a backslash at the end inside quotes, an
    /// unbalanced parenthesis).
    #[error("{0}")]
    Lex(LexError),
    /// Blank, or only a comment.
    #[error("no argument")]
    NoArgument,
    /// More than one argument: the first one ends before this byte offset (`"abc"def` is two).
    #[error("text after the first argument at byte {at}")]
    TrailingText {
        /// Byte offset where the second argument starts.
        at: usize,
    },
}

/// Removes the ns.conf / CLI quoting of ONE argument, exactly as the reader does for every
/// argument of a line (rules in [the semantics reference](crate::semantics)): `"..."` and `'...'` lose their
/// quotes and have their escapes decoded, `q/.../` and the other q-delimiters give their literal
/// text, a bare argument (or an option) is returned as written.
///
/// ```
/// use nsexpr::config::unquote_argument;
///
/// assert_eq!(
///     unquote_argument(r#""HEADER Cookie contains \"abc pqr\"""#).unwrap(),
///     r#"HEADER Cookie contains "abc pqr""#
/// );
/// assert_eq!(unquote_argument("q{true}").unwrap(), "true");
/// assert_eq!(unquote_argument("q[abc]").unwrap(), "abc");
/// assert!(unquote_argument(r#""abc"def"#).is_err());
/// ```
pub fn unquote_argument(text: &str) -> Result<String, UnquoteError> {
    let mut lexer = Lexer::new(text);
    let line = lexer.line();
    let first = match lexer.next() {
        None => return Err(UnquoteError::NoArgument),
        Some(Err(e)) => return Err(UnquoteError::Lex(e)),
        Some(Ok(token)) => token,
    };
    match lexer.next() {
        None => {}
        Some(Ok(second)) => {
            return Err(UnquoteError::TrailingText {
                at: second.span.start,
            });
        }
        Some(Err(e)) => return Err(UnquoteError::Lex(e)),
    }
    Ok(match first.kind {
        TokenKind::Option => line
            .get(first.span.start..first.span.end)
            .unwrap_or_default()
            .to_owned(),
        TokenKind::Word | TokenKind::Quoted | TokenKind::QQuoted { .. } => first.value.into_owned(),
    })
}

/// An iterator over the tokens of one CLI line. After an error it yields nothing more.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'a> {
    line: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer over `line`; a trailing `\n`, `\r\n` or `\r` is dropped (R2).
    pub(super) fn new(line: &'a str) -> Lexer<'a> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        Lexer {
            line,
            pos: 0,
            done: false,
        }
    }

    /// The line being lexed, without its line end.
    pub(super) fn line(&self) -> &'a str {
        self.line
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.line.as_bytes().get(i).copied()
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.line.get(start..end).unwrap_or("")
    }

    fn option(&mut self, start: usize) -> Token<'a> {
        let bytes = self.line.as_bytes();
        let end = bytes
            .iter()
            .skip(start)
            .position(|&b| is_blank(b))
            .map_or(bytes.len(), |n| start + n);
        self.pos = end;
        Token {
            kind: TokenKind::Option,
            value: Cow::Borrowed(self.slice(start + 1, end)),
            span: Span::new(start, end),
        }
    }

    fn qquote(&mut self, start: usize) -> Option<Token<'a>> {
        let bytes = self.line.as_bytes();
        if bytes.len().saturating_sub(start) <= 2 {
            return None;
        }
        let open = self.byte(start + 1)?;
        let close = match open {
            b'/' | b'|' | b'~' | b'$' | b'^' | b'+' | b'=' | b'&' | b'%' | b'@' | b'`' | b'?'
            | b'#' => open,
            b'{' => b'}',
            b'<' => b'>',
            b'[' => b']',
            _ => return None,
        };
        let end = (start + 2..bytes.len())
            .find(|&k| self.byte(k) == Some(close) && self.byte(k + 1).is_none_or(is_blank))?;
        self.pos = end + 1;
        Some(Token {
            kind: TokenKind::QQuoted {
                delimiter: char::from(open),
            },
            value: Cow::Borrowed(self.slice(start + 2, end)),
            span: Span::new(start, end + 1),
        })
    }

    fn general(&mut self, start: usize) -> Result<Token<'a>, LexError> {
        let bytes = self.line.as_bytes();
        let first = self.byte(start);
        let starts_quoted = matches!(first, Some(b'"' | b'\''));
        // The quote we are inside of, and where it opened.
        let mut state: Option<(u8, usize)> = None;
        let mut i = start;
        let content_start = if starts_quoted {
            state = first.map(|q| (q, start));
            i += 1;
            start + 1
        } else {
            start
        };
        let mut parens: Vec<usize> = Vec::new();
        let mut owned: Option<String> = None;
        let mut plain_from = content_start;
        let mut content_end = bytes.len();
        let mut end = bytes.len();
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' | b'\'' => match state {
                    Some((q, _)) if q == b => {
                        state = None;
                        if starts_quoted {
                            content_end = i;
                            end = i + 1;
                            break;
                        }
                        i += 1;
                    }
                    Some(_) => i += 1,
                    None => {
                        state = Some((b, i));
                        i += 1;
                    }
                },
                b' ' | b'\t' | b'\n' if state.is_none() && parens.is_empty() => {
                    content_end = i;
                    end = i;
                    break;
                }
                b'(' => {
                    if state.is_none() {
                        parens.push(i);
                    }
                    i += 1;
                }
                b')' => {
                    if state.is_none() && parens.pop().is_none() {
                        return Err(LexError {
                            kind: LexErrorKind::UnbalancedParen,
                            span: Span::new(i, i + 1),
                        });
                    }
                    i += 1;
                }
                b'\\' if state.is_some() => {
                    let decoded = match self.byte(i + 1) {
                        None => {
                            return Err(LexError {
                                kind: LexErrorKind::TrailingBackslash,
                                span: Span::new(i, i + 1),
                            });
                        }
                        Some(b't') => Some('\t'),
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(c @ (b'\'' | b'"' | b'\\')) => Some(char::from(c)),
                        Some(_) => None,
                    };
                    match decoded {
                        Some(c) => {
                            let s = owned.get_or_insert_with(String::new);
                            s.push_str(self.slice(plain_from, i));
                            s.push(c);
                            i += 2;
                            plain_from = i;
                        }
                        None => i += 1,
                    }
                }
                _ => i += 1,
            }
        }
        if let Some((q, at)) = state {
            return Err(LexError {
                kind: LexErrorKind::UnclosedQuote {
                    quote: char::from(q),
                },
                span: Span::new(at, bytes.len()),
            });
        }
        if let Some(&open) = parens.last() {
            return Err(LexError {
                kind: LexErrorKind::UnclosedParen,
                span: Span::new(open, open + 1),
            });
        }
        self.pos = end;
        let value = match owned {
            None => Cow::Borrowed(self.slice(content_start, content_end)),
            Some(mut s) => {
                s.push_str(self.slice(plain_from, content_end));
                Cow::Owned(s)
            }
        };
        Ok(Token {
            kind: if starts_quoted {
                TokenKind::Quoted
            } else {
                TokenKind::Word
            },
            value,
            span: Span::new(start, end),
        })
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Token<'a>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let bytes = self.line.as_bytes();
        while self.byte(self.pos).is_some_and(is_blank) {
            self.pos += 1;
        }
        let start = self.pos;
        let result = match bytes.get(start) {
            None | Some(b'#') => None,
            Some(b'-') => Some(Ok(self.option(start))),
            Some(b'q') => match self.qquote(start) {
                Some(token) => Some(Ok(token)),
                None => Some(self.general(start)),
            },
            Some(_) => Some(self.general(start)),
        };
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(line: &str) -> Vec<String> {
        match lex_line(line) {
            Ok(tokens) => tokens.into_iter().map(|t| t.value.into_owned()).collect(),
            Err(e) => vec![format!("ERROR {e} at {}..{}", e.span.start, e.span.end)],
        }
    }

    fn kinds(line: &str) -> Vec<TokenKind> {
        lex_line(line)
            .map(|ts| ts.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    fn error(line: &str) -> Option<LexError> {
        lex_line(line).err()
    }

    #[test]
    fn separators_are_space_tab_newline() {
        assert_eq!(values("a b\tc\n"), ["a", "b", "c"]);
        assert_eq!(values("  a   b  "), ["a", "b"]);
        assert_eq!(values(""), Vec::<String>::new());
        assert_eq!(values("a\x0bb"), ["a\x0bb"]);
    }

    #[test]
    fn carriage_return_before_line_end_is_dropped() {
        assert_eq!(values("a b\r\n"), ["a", "b"]);
        assert_eq!(values("a \"b\"\r"), ["a", "b"]);
        assert_eq!(values("a\rb"), ["a\rb"]);
    }

    #[test]
    fn comments_start_at_token_start_only() {
        assert_eq!(values("#NS10.1 Build 121.14"), Vec::<String>::new());
        assert_eq!(values("add x # assumed"), ["add", "x"]);
        assert_eq!(values("a#b c"), ["a#b", "c"]);
        assert_eq!(values("a \"#b\""), ["a", "#b"]);
    }

    #[test]
    fn options_run_to_the_next_blank() {
        assert_eq!(values("-priority 10"), ["priority", "10"]);
        assert_eq!(kinds("-priority 10"), [TokenKind::Option, TokenKind::Word]);
        assert_eq!(values("-a\"b c"), ["a\"b", "c"]);
        assert_eq!(values("x \"-5\""), ["x", "-5"]);
        assert_eq!(kinds("\"-5\""), [TokenKind::Quoted]);
        let tokens = lex_line("  -prio 1").unwrap_or_default();
        assert_eq!(tokens.first().map(|t| t.span), Some(Span::new(2, 7)));
    }

    #[test]
    fn quoted_tokens_lose_their_quotes() {
        assert_eq!(values("\"a b\" 'c d'"), ["a b", "c d"]);
        assert_eq!(
            kinds("\"a b\" 'c d'"),
            [TokenKind::Quoted, TokenKind::Quoted]
        );
        assert_eq!(values("\"\""), [""]);
        let tokens = lex_line("x \"a b\"").unwrap_or_default();
        assert_eq!(tokens.get(1).map(|t| t.span), Some(Span::new(2, 7)));
        assert_eq!(tokens.get(1).map(Token::content_start), Some(3));
    }

    #[test]
    fn quoted_token_ends_at_its_quote() {
        assert_eq!(values("\"abc\"def"), ["abc", "def"]);
        assert_eq!(kinds("\"abc\"def"), [TokenKind::Quoted, TokenKind::Word]);
        assert_eq!(values("'a'\"b\""), ["a", "b"]);
    }

    #[test]
    fn escapes_inside_quotes() {
        assert_eq!(values(r#""a\tb\nc\rd""#), ["a\tb\nc\rd"]);
        assert_eq!(values(r#""\"x\" \\ \'""#), ["\"x\" \\ '"]);
        assert_eq!(values(r#"'\"'"#), ["\""]);
        assert!(matches!(
            lex_line(r#""a\"b""#).ok().as_deref(),
            Some([Token {
                value: Cow::Owned(_),
                ..
            }])
        ));
        assert!(matches!(
            lex_line(r#""a b""#).ok().as_deref(),
            Some([Token {
                value: Cow::Borrowed(_),
                ..
            }])
        ));
    }

    #[test]
    fn other_backslashes_are_kept() {
        assert_eq!(values(r#""a\qb\(""#), [r"a\qb\("]);
        assert_eq!(values(r#""\d+""#), [r"\d+"]);
    }

    #[test]
    fn trailing_backslash_inside_quotes_is_an_error() {
        let e = error(r#"x "abc\"#);
        assert_eq!(e.map(|e| e.kind), Some(LexErrorKind::TrailingBackslash));
        assert_eq!(e.map(|e| e.span), Some(Span::new(6, 7)));
        assert_eq!(values(r"abc\"), [r"abc\"]);
    }

    #[test]
    fn other_quote_inside_quotes_is_literal() {
        assert_eq!(values(r#"'a"b'"#), ["a\"b"]);
        assert_eq!(values(r#""a'b""#), ["a'b"]);
    }

    #[test]
    fn quotes_inside_a_bare_token_stay() {
        assert_eq!(values(r#"abc"d e"f g"#), [r#"abc"d e"f"#, "g"]);
        assert_eq!(kinds(r#"abc"d e"f"#), [TokenKind::Word]);
        assert_eq!(values(r#"a'b "c' d"#), [r#"a'b "c'"#, "d"]);
        assert_eq!(values(r#"a"b\"c" d"#), [r#"a"b"c""#, "d"]);
    }

    #[test]
    fn backslash_outside_quotes_is_ordinary() {
        assert_eq!(values(r"a\b \n"), [r"a\b", r"\n"]);
    }

    #[test]
    fn parentheses_keep_blanks_inside_a_token() {
        assert_eq!(
            values(r#"HTTP.REQ.HEADER("User Agent").CONTAINS("x y") next"#),
            [r#"HTTP.REQ.HEADER("User Agent").CONTAINS("x y")"#, "next"]
        );
        assert_eq!(values("(a || (b && c)) d"), ["(a || (b && c))", "d"]);
        assert_eq!(values("\"(\" x"), ["(", "x"]);
        assert_eq!(values("a\"(\"b"), ["a\"(\"b"]);
    }

    #[test]
    fn unbalanced_closing_paren_is_an_error() {
        let e = error("add a) b");
        assert_eq!(e.map(|e| e.kind), Some(LexErrorKind::UnbalancedParen));
        assert_eq!(e.map(|e| e.span), Some(Span::new(5, 6)));
    }

    #[test]
    fn unclosed_paren_or_quote_is_an_error() {
        let e = error("x (a (b) c");
        assert_eq!(e.map(|e| e.kind), Some(LexErrorKind::UnclosedParen));
        assert_eq!(e.map(|e| e.span), Some(Span::new(2, 3)));
        let e = error("x \"abc");
        assert_eq!(
            e.map(|e| e.kind),
            Some(LexErrorKind::UnclosedQuote { quote: '"' })
        );
        assert_eq!(e.map(|e| e.span), Some(Span::new(2, 6)));
        let e = error("x ab'c");
        assert_eq!(
            e.map(|e| e.kind),
            Some(LexErrorKind::UnclosedQuote { quote: '\'' })
        );
    }

    #[test]
    fn lexer_stops_after_an_error() {
        let mut lexer = Lexer::new("a ) b");
        assert!(matches!(lexer.next(), Some(Ok(_))));
        assert!(matches!(lexer.next(), Some(Err(_))));
        assert!(lexer.next().is_none());
    }

    #[test]
    fn q_quoting() {
        assert_eq!(
            values("q/CLIENT.REG('x').VALUE == example.net/ z"),
            ["CLIENT.REG('x').VALUE == example.net", "z"]
        );
        assert_eq!(values("-rule q{true}"), ["rule", "true"]);
        assert_eq!(values("q<a>b> c"), ["a>b", "c"]);
        assert_eq!(values("q|a \"b|"), ["a \"b"]);
        assert_eq!(values(r"q~a\~"), [r"a\"]);
        assert_eq!(values("q//"), [""]);
        for d in ['/', '|', '~', '$', '^', '+', '=', '&', '%', '@', '`', '?'] {
            let line = format!("q{d}a b{d}");
            assert_eq!(values(&line), ["a b"], "{line}");
            let tokens = lex_line(&line).unwrap_or_default();
            assert_eq!(
                tokens.first().map(|t| t.kind),
                Some(TokenKind::QQuoted { delimiter: d })
            );
            assert!(tokens.first().is_some_and(|t| !t.is_nonstandard_qquote()));
        }
        let tokens = lex_line("x q{a b}").unwrap_or_default();
        assert_eq!(tokens.get(1).map(|t| t.span), Some(Span::new(2, 8)));
        assert_eq!(tokens.get(1).map(Token::content_start), Some(4));
        assert!(tokens.get(1).is_some_and(Token::is_quoted));
    }

    #[test]
    fn q_quoting_nonstandard_delimiters() {
        assert_eq!(values("q#a b# c"), ["a b", "c"]);
        assert_eq!(values("q[a b] c"), ["a b", "c"]);
        let tokens = lex_line("q[a]").unwrap_or_default();
        assert!(tokens.first().is_some_and(Token::is_nonstandard_qquote));
    }

    #[test]
    fn q_quote_without_closing_delimiter_is_lexed_normally() {
        assert_eq!(values("q/abc def"), ["q/abc", "def"]);
        assert_eq!(kinds("q/abc def"), [TokenKind::Word, TokenKind::Word]);
        assert_eq!(values("q/a/b"), ["q/a/b"]);
        assert_eq!(values("qx/a/"), ["qx/a/"]);
        assert_eq!(values("q(a b)"), ["q(a b)"]);
        assert_eq!(values("q/"), ["q/"]);
        // The first delimiter followed by a blank ends the literal.
        assert_eq!(values("q/a/b c/ d"), ["a/b c", "d"]);
    }

    #[test]
    fn non_ascii_text_is_kept() {
        assert_eq!(values("\"é ü\" ñ(a b)"), ["é ü", "ñ(a b)"]);
    }

    #[test]
    fn unquote_argument_reads_one_argument() {
        let u = unquote_argument;
        assert_eq!(
            u(r#""a \"b\" \\ \t\n\r \' \x""#).as_deref(),
            Ok("a \"b\" \\ \t\n\r ' \\x")
        );
        assert_eq!(u("'a\"b'").as_deref(), Ok("a\"b"));
        assert_eq!(u("q|a/b|").as_deref(), Ok("a/b"));
        assert_eq!(u("q#abc#").as_deref(), Ok("abc"));
        assert_eq!(u("q/abc").as_deref(), Ok("q/abc"));
        assert_eq!(u("  ns_true \r\n").as_deref(), Ok("ns_true"));
        assert_eq!(u("-5").as_deref(), Ok("-5"));
        assert_eq!(u("\"\"").as_deref(), Ok(""));
        assert_eq!(u(""), Err(UnquoteError::NoArgument));
        assert_eq!(u("# comment"), Err(UnquoteError::NoArgument));
        assert_eq!(u("\"abc\"def"), Err(UnquoteError::TrailingText { at: 5 }));
        assert_eq!(u("q/a/ b/"), Err(UnquoteError::TrailingText { at: 5 }));
        assert!(matches!(
            u("\"abc"),
            Err(UnquoteError::Lex(LexError {
                kind: LexErrorKind::UnclosedQuote { quote: '"' },
                ..
            }))
        ));
    }
}
