//! The token level, in nom 8 combinators: blanks, `&&`/`||`, words, comparisons, keyword
//! operators, quoted strings (D4 escapes), bare values (D4 parenthesis counting), header names,
//! option names and balanced client-security arguments. Every recogniser takes the rest of the
//! rule and returns the rest after the token; the parser turns rest lengths back into offsets.

use std::cell::Cell;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{alpha1, char, one_of};
use nom::combinator::{not, peek, recognize, rest_len, verify};
use nom::multi::{fold_many0, many1_count};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::precedence::Joiner;
use crate::ast::Operator;

pub(super) type Res<'a, T> = IResult<&'a str, T>;

/// Blanks between tokens (docs/semantics.md#classic-lexical): space, tab, CR, LF.
pub(super) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Zero or more blanks.
pub(super) fn blanks(i: &str) -> Res<'_, &str> {
    take_while(is_blank).parse_complete(i)
}

/// `&&` or `||`.
pub(super) fn joiner(i: &str) -> Res<'_, Joiner> {
    alt((
        tag("&&").map(|_| Joiner::And),
        tag("||").map(|_| Joiner::Or),
    ))
    .parse_complete(i)
}

/// Whether `i` starts with the end of input, `&&`, `||` or (when `paren`) `)`.
pub(super) fn at_terminator(i: &str, paren: bool) -> bool {
    i.is_empty() || (paren && i.starts_with(')')) || joiner(i).is_ok()
}

/// `c` not followed by `next`: a lone `&` or `|` inside a word, or `!` not starting `!=`.
fn lone(c: char, next: char) -> impl Fn(&str) -> Res<'_, &str> {
    move |i| recognize((char(c), not(char(next)))).parse_complete(i)
}

/// A word: stops at blanks, parentheses, quotes, `&&` and `||`, and (for qualifier and name
/// words, D3) at `=`, `<`, `>` and `!=`.
pub(super) fn word(i: &str, stop_at_comparison: bool) -> Res<'_, &str> {
    let plain = take_while1(|c: char| {
        !(is_blank(c)
            || matches!(c, '(' | ')' | '\'' | '"' | '&' | '|')
            || (stop_at_comparison && matches!(c, '=' | '<' | '>' | '!')))
    });
    recognize(many1_count(alt((
        plain,
        lone('&', '&'),
        lone('|', '|'),
        lone('!', '='),
    ))))
    .parse_complete(i)
}

/// A comparison operator (D3: no blanks needed around it).
pub(super) fn comparison(i: &str) -> Res<'_, Operator> {
    // Most operator positions hold a word: one character class test rejects them.
    let (_, _) = peek(one_of("=!<>")).parse_complete(i)?;
    alt((
        tag("==").map(|_| Operator::Eq),
        tag("!=").map(|_| Operator::Ne),
        tag(">=").map(|_| Operator::Ge),
        tag("<=").map(|_| Operator::Le),
        tag(">").map(|_| Operator::Gt),
        tag("<").map(|_| Operator::Lt),
    ))
    .parse_complete(i)
}

/// Keyword operators with whether each is a NetScaler 6.0 alias.
pub(super) const KEYWORD_OPERATORS: &[(&str, Operator, bool)] = &[
    ("CONTAINS", Operator::Contains, false),
    ("NOTCONTAINS", Operator::NotContains, false),
    ("CONTENTS", Operator::Contents, false),
    ("EXISTS", Operator::Exists, false),
    ("NOTEXISTS", Operator::NotExists, false),
    ("BETWEEN", Operator::Between, false),
    ("EQ", Operator::Eq, true),
    ("NEQ", Operator::Ne, true),
    ("GT", Operator::Gt, true),
    ("EXIST", Operator::Exists, true),
];

/// The keyword operator spelled by `word` (any case), and whether it is a 6.0 alias.
pub(super) fn keyword_op(word: &str) -> Option<(Operator, bool)> {
    KEYWORD_OPERATORS
        .iter()
        .find(|(w, _, _)| w.eq_ignore_ascii_case(word))
        .map(|&(_, op, alias)| (op, alias))
}

/// The operator that the word `AND`, `OR` or `NOT` stands for (D3).
pub(super) fn word_operator(word: &str) -> Option<&'static str> {
    [("AND", "&&"), ("OR", "||"), ("NOT", "!")]
        .into_iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, op)| op)
}

/// One piece of a quoted string's body.
enum Piece<'a> {
    Text(&'a str),
    Char(char),
}

/// A quoted string (D4): `\\`, `\'`, `\"` are escapes, any other backslash is literal. Returns
/// the unescaped text.
pub(super) fn quoted(i: &str) -> Res<'_, String> {
    let (i, quote) = one_of("'\"").parse_complete(i)?;
    let mut body = fold_many0(
        alt((
            take_while1(move |c: char| c != quote && c != '\\').map(Piece::Text),
            preceded(char('\\'), one_of("\\'\"")).map(Piece::Char),
            char('\\').map(Piece::Char),
        )),
        String::new,
        |mut out, piece| {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Char(c) => out.push(c),
            }
            out
        },
    );
    let (i, text) = body.parse_complete(i)?;
    let (i, _) = char(quote).parse_complete(i)?;
    Ok((i, text))
}

/// A bare value and where, relative to its start, a `)` without a `(` in the value sits.
#[derive(Default)]
pub(super) struct Bare<'a> {
    pub text: &'a str,
    pub stray_paren: Option<usize>,
}

/// A bare value (D4): runs to the next blank, `&&`, `||`, or a `)` at the value's own
/// parenthesis count zero while a grouping parenthesis is open (`in_group`). With no group open
/// such a `)` stays in the value and is reported as `stray_paren`.
pub(super) fn bare_value(i: &str, in_group: bool) -> Res<'_, Bare<'_>> {
    enum Step {
        Text,
        Open,
        /// A `)`, with the length of the input left from it.
        Close(usize),
    }
    // Read by the `)` recogniser, updated by the fold (nom runs side-effect-free `map`s lazily,
    // so all state changes happen in the fold's accumulator).
    let depth = Cell::new(0usize);
    let plain = take_while1(|c: char| !(is_blank(c) || matches!(c, '&' | '|' | '(' | ')')));
    let close = verify((rest_len, char(')')), |_: &(usize, char)| {
        depth.get() > 0 || !in_group
    });
    let (rest, stray_paren) = fold_many0(
        alt((
            plain.map(|_| Step::Text),
            char('(').map(|_| Step::Open),
            close.map(|(left, _)| Step::Close(left)),
            lone('&', '&').map(|_| Step::Text),
            lone('|', '|').map(|_| Step::Text),
        )),
        || None,
        |stray: Option<usize>, step| match step {
            Step::Text => stray,
            Step::Open => {
                depth.set(depth.get() + 1);
                stray
            }
            Step::Close(left) => match depth.get() {
                0 => stray.or(Some(i.len() - left)),
                d => {
                    depth.set(d - 1);
                    stray
                }
            },
        },
    )
    .parse_complete(i)?;
    let text = i.get(..i.len() - rest.len()).unwrap_or(i);
    Ok((rest, Bare { text, stray_paren }))
}

/// A bare header name (docs/semantics.md#classic-lexical): stops at a blank, `=`, `<`, `>`, `(`, `)` or `!=`.
pub(super) fn bare_header(i: &str) -> Res<'_, &str> {
    let plain =
        take_while1(|c: char| !(is_blank(c) || matches!(c, '=' | '<' | '>' | '(' | ')' | '!')));
    recognize(many1_count(alt((plain, lone('!', '='))))).parse_complete(i)
}

/// `-name` of an option (D5), returning the letters after `-`.
pub(super) fn option_name(i: &str) -> Res<'_, &str> {
    preceded(char('-'), alpha1).parse_complete(i)
}

/// `.name` after a client-security argument (`.VERSION`, `.SP`).
pub(super) fn property(i: &str) -> Res<'_, &str> {
    preceded(
        char('.'),
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    )
    .parse_complete(i)
}

/// A parenthesised argument with balanced parentheses, quoted text skipped; starts at `(`.
/// Iterative, so nesting inside the argument never grows the call stack.
pub(super) fn balanced(i: &str) -> Res<'_, &str> {
    enum Step {
        Open,
        Close,
        Other,
    }
    let mut step = alt((
        char('(').map(|_| Step::Open),
        char(')').map(|_| Step::Close),
        recognize(quoted).map(|_| Step::Other),
        take_while1(|c: char| !matches!(c, '(' | ')' | '\'' | '"')).map(|_| Step::Other),
    ));
    let (mut rest, _) = char('(').parse_complete(i)?;
    let mut depth = 1usize;
    loop {
        let (next, s) = step.parse_complete(rest)?;
        rest = next;
        match s {
            Step::Open => depth += 1,
            Step::Close => {
                depth -= 1;
                if depth == 0 {
                    let used = i.len() - rest.len();
                    return Ok((rest, i.get(..used).unwrap_or(i)));
                }
            }
            Step::Other => {}
        }
    }
}

/// The client-security post-authentication scan interval, `-frequency <minutes>` (kept inside
/// the opaque term, D13).
pub(super) fn frequency(i: &str) -> Res<'_, &str> {
    recognize((
        verify(option_name, |n: &str| n.eq_ignore_ascii_case("frequency")),
        take_while1(is_blank),
        take_while1(|c: char| c.is_ascii_digit()),
    ))
    .parse_complete(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stop_where_the_grammar_says() {
        assert_eq!(word("URL==/a", true), Ok(("==/a", "URL")));
        assert_eq!(word("a&b&&c", false), Ok(("&&c", "a&b")));
        assert_eq!(word("x!=y", true), Ok(("!=y", "x")));
        assert!(word(" x", true).is_err());
    }

    #[test]
    fn quoted_escapes() {
        assert_eq!(
            quoted(r"'a\'b\\c\d' rest"),
            Ok((" rest", r"a'b\c\d".to_owned()))
        );
        assert!(quoted("'open").is_err());
    }

    fn bare(i: &str, in_group: bool) -> Option<(&str, &str, Option<usize>)> {
        let (rest, b) = bare_value(i, in_group).ok()?;
        Some((rest, b.text, b.stray_paren))
    }

    #[test]
    fn bare_values_count_parentheses() {
        assert_eq!(bare("f(x)) y", true), Some((") y", "f(x)", None)));
        assert_eq!(bare("x)&&y", false), Some(("&&y", "x)", Some(1))));
        assert_eq!(bare("a&b|c d", false), Some((" d", "a&b|c", None)));
    }

    #[test]
    fn balanced_arguments_skip_quotes() {
        assert_eq!(balanced("(a(')')b).x"), Ok((".x", "(a(')')b)")));
        assert!(balanced("(a").is_err());
    }

    #[test]
    fn frequency_option() {
        assert_eq!(frequency("-frequency 5 x"), Ok((" x", "-frequency 5")));
        assert!(frequency("-freq 5").is_err());
    }
}
