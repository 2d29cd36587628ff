//! The classic rule parser. Boolean structure (`||`, `&&`, `!`, parentheses) is an iterative
//! precedence loop with an explicit stack of open parentheses, so neither deep nesting nor long
//! chains recurse (D16); tokens and operands are recognised with nom 8 combinators.

use std::borrow::Cow;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::{IResult, Parser as _};

use super::error::{Fail, ParseErrorKind as K};
use super::{Lint, LintKind, ParseOptions, Precedence, value as lit};
use crate::ast::{
    DateKind, Expr, ExprKind, Opaque, OpaqueFamily, Operator, Options, Qualifier, SPELLINGS,
    Simple, Span, Value, ValueType,
};

/// Client-security (EPA) names after `CLIENT.` that take a parenthesised argument (D13).
const EPA_NAMES: &[&str] = &[
    "APPLICATION",
    "APPLICATION.AV",
    "APPLICATION.PF",
    "APPLICATION.IS",
    "APPLICATION.AS",
    "APPLICATION.PROCESS",
    "FILE",
    "OS",
    "REG",
    "SVC",
    "PROC",
    "SYSTEM",
];

/// First segments of advanced-expression names (nspepi's list, section 3.2), minus the ones that
/// start classic qualifiers.
const ADVANCED_PREFIXES: &[&str] = &[
    "AAA",
    "ANALYTICS",
    "CLIENT",
    "CONNECTION",
    "DIAMETER",
    "DNS",
    "HTTP",
    "ICA",
    "MSSQL",
    "MYSQL",
    "ORACLE",
    "RADIUS",
    "SERVER",
    "SIP",
    "SMPP",
    "SUBSCRIBER",
    "SYS",
    "TARGET",
    "TEXT",
];

const STANDARD_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

/// Whether `word` (a dotted name written directly before `(`) is a client-security term
/// `CLIENT.<epa>` (D13).
pub(crate) fn is_epa_word(word: &str) -> bool {
    word.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("CLIENT."))
        && word
            .get(7..)
            .is_some_and(|rest| EPA_NAMES.iter().any(|n| n.eq_ignore_ascii_case(rest)))
}

/// Whether the first dotted segment of `word` starts advanced syntax.
pub(crate) fn has_advanced_prefix(word: &str) -> bool {
    let first = word.split('.').next().unwrap_or("");
    word.contains('.')
        && ADVANCED_PREFIXES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(first))
}

fn keyword_op(word: &str) -> Option<(Operator, bool)> {
    const TABLE: &[(&str, Operator, bool)] = &[
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
    TABLE
        .iter()
        .find(|(w, _, _)| w.eq_ignore_ascii_case(word))
        .map(|&(_, op, alias)| (op, alias))
}

fn word_operator(word: &str) -> Option<&'static str> {
    if word.eq_ignore_ascii_case("AND") {
        Some("&&")
    } else if word.eq_ignore_ascii_case("OR") {
        Some("||")
    } else if word.eq_ignore_ascii_case("NOT") {
        Some("!")
    } else {
        None
    }
}

fn comparison(i: &str) -> IResult<&str, Operator> {
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

fn option_name(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphabetic()).parse_complete(i)
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// An operator position, as seen by [`Parser::op_at`].
enum OpAt {
    /// An operator, whether it is a 6.0 alias, and its end.
    Op(Operator, bool, usize),
    /// End of input, `&&`, `||` or `)`.
    End,
    /// Some other word, ending at the offset.
    Word(usize),
    /// Some other character.
    Other,
}

/// One open parenthesis level (the whole rule is level 0).
struct Level {
    open: usize,
    nots: Vec<usize>,
    or_acc: Option<Expr>,
    and_acc: Option<Expr>,
    pending_and: bool,
    saw_and: bool,
    saw_or: bool,
    mixed: bool,
}

impl Level {
    fn new(open: usize) -> Level {
        Level {
            open,
            nots: Vec::new(),
            or_acc: None,
            and_acc: None,
            pending_and: false,
            saw_and: false,
            saw_or: false,
            mixed: false,
        }
    }
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    opts: &'a ParseOptions,
    pub(crate) lints: Vec<Lint>,
    depth: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, opts: &'a ParseOptions) -> Parser<'a> {
        Parser {
            src,
            bytes: src.as_bytes(),
            opts,
            lints: Vec::new(),
            depth: 0,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.src.get(a..b).unwrap_or("")
    }

    fn rest(&self, a: usize) -> &'a str {
        self.src.get(a..).unwrap_or("")
    }

    fn skip_blanks(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_blank) {
            i += 1;
        }
        i
    }

    fn is_pair(&self, i: usize, c: u8) -> bool {
        self.at(i) == Some(c) && self.at(i + 1) == Some(c)
    }

    /// Whether `i` is the end, `&&`, `||` or (when `paren`) `)`.
    fn is_terminator(&self, i: usize, paren: bool) -> bool {
        match self.at(i) {
            None => true,
            Some(b')') => paren,
            _ => self.is_pair(i, b'&') || self.is_pair(i, b'|'),
        }
    }

    /// End of a word: stops at blanks, parentheses, quotes, `&&`, `||`, and (for qualifier and
    /// name words, D3) at `=`, `<`, `>` and `!=`.
    fn word_end(&self, mut i: usize, stop_at_comparison: bool) -> usize {
        while let Some(b) = self.at(i) {
            let stop = match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b'\'' | b'"' => true,
                b'&' | b'|' => self.at(i + 1) == Some(b),
                b'=' | b'<' | b'>' => stop_at_comparison,
                b'!' => stop_at_comparison && self.at(i + 1) == Some(b'='),
                _ => false,
            };
            if stop {
                break;
            }
            i += 1;
        }
        i
    }

    /// End of the character at `i` (for one-character spans).
    fn char_end(&self, i: usize) -> usize {
        self.rest(i).chars().next().map_or(i, |c| i + c.len_utf8())
    }

    fn lint(&mut self, kind: LintKind, span: Span, message: String) {
        self.lints.push(Lint {
            kind,
            span,
            message,
        });
    }

    fn enter(&mut self, pos: usize) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > self.opts.max_nesting {
            return Err(Fail::new(K::TooDeep(self.opts.max_nesting), pos, pos + 1)
                .expecting("fewer nested parentheses and `!`"));
        }
        Ok(())
    }

    /// Parses the whole rule.
    pub(crate) fn parse(&mut self) -> Result<Expr, Fail> {
        let mut stack = vec![Level::new(0)];
        let mut pos = 0;
        loop {
            // Expecting an operand.
            pos = self.skip_blanks(pos);
            let in_group = stack.len() > 1;
            let (mut expr, start, mut end) = match self.at(pos) {
                None => {
                    let nothing = stack.len() == 1
                        && stack
                            .last()
                            .is_some_and(|l| l.nots.is_empty() && l.and_acc.is_none());
                    return Err(if nothing {
                        Fail::new(K::Empty, 0, self.src.len())
                            .expecting("a classic expression such as `URL == /index.html`")
                    } else {
                        Fail::new(K::UnexpectedEnd, pos, pos)
                            .expecting("an operand: a qualifier, a named expression, `!` or `(`")
                    });
                }
                Some(b'(') => {
                    self.enter(pos)?;
                    stack.push(Level::new(pos));
                    pos += 1;
                    continue;
                }
                Some(b'!') if self.at(pos + 1) != Some(b'=') => {
                    self.enter(pos)?;
                    if let Some(top) = stack.last_mut() {
                        top.nots.push(pos);
                    }
                    pos += 1;
                    continue;
                }
                _ => {
                    let (expr, end) = self.term(pos, in_group)?;
                    (expr, pos, end)
                }
            };
            if let ExprKind::Opaque(Opaque {
                family: OpaqueFamily::ClientSecurity,
                ..
            }) = &expr.kind
            {
                let extended = self.extend_epa_run(end, in_group)?;
                if extended > end {
                    end = extended;
                    expr = opaque(OpaqueFamily::ClientSecurity, self.slice(start, end), start);
                }
            }
            let Some(top) = stack.last_mut() else {
                return Err(Fail::new(K::UnexpectedEnd, pos, pos));
            };
            self.feed(top, expr);
            let (next, done) = self.after_operand(&mut stack, end)?;
            if let Some(result) = done {
                return Ok(result);
            }
            pos = next;
        }
    }

    /// After an operand has been fed: handles further `)`, the end, or the next
    /// binary operator. Returns the position after the operator, or the finished rule.
    fn after_operand(
        &mut self,
        stack: &mut Vec<Level>,
        mut end: usize,
    ) -> Result<(usize, Option<Expr>), Fail> {
        loop {
            let pos = self.skip_blanks(end);
            match self.at(pos) {
                None => {
                    if stack.len() > 1 {
                        let open = stack.last().map_or(0, |l| l.open);
                        return Err(
                            Fail::new(K::UnclosedParen, open, open + 1).expecting("a matching `)`")
                        );
                    }
                    let level = stack.pop().unwrap_or_else(|| Level::new(0));
                    return Ok((pos, Some(self.finish(level, pos)?)));
                }
                Some(b')') => {
                    if stack.len() == 1 {
                        return Err(Fail::new(K::UnexpectedCloseParen, pos, pos + 1)
                            .expecting("`&&`, `||` or the end of the rule"));
                    }
                    let Some(level) = stack.pop() else {
                        return Err(Fail::new(K::UnexpectedCloseParen, pos, pos + 1));
                    };
                    self.depth = self.depth.saturating_sub(1);
                    let open = level.open;
                    let mut expr = self.finish(level, pos)?;
                    expr.span = Span::new(open, pos + 1);
                    end = pos + 1;
                    if let ExprKind::Opaque(Opaque {
                        family: OpaqueFamily::ClientSecurity,
                        ..
                    }) = &expr.kind
                    {
                        let extended = self.extend_epa_run(end, stack.len() > 1)?;
                        if extended > end {
                            end = extended;
                            expr =
                                opaque(OpaqueFamily::ClientSecurity, self.slice(open, end), open);
                        }
                    }
                    let Some(top) = stack.last_mut() else {
                        return Err(Fail::new(K::UnexpectedCloseParen, pos, pos + 1));
                    };
                    self.feed(top, expr);
                }
                Some(_) => return Ok((self.binary_operator(stack, pos)?, None)),
            }
        }
    }

    /// Expects `&&` or `||` at `pos` (not `)` or the end); records it on the innermost level.
    fn binary_operator(&mut self, stack: &mut [Level], pos: usize) -> Result<usize, Fail> {
        let and = if self.is_pair(pos, b'&') {
            true
        } else if self.is_pair(pos, b'|') {
            false
        } else {
            let end = self.word_end(pos, false).max(self.char_end(pos));
            let word = self.slice(pos, end);
            if let Some(suggestion) = word_operator(word) {
                return Err(Fail::new(
                    K::WordOperator {
                        word: word.to_owned(),
                        suggestion,
                    },
                    pos,
                    end,
                )
                .expecting(
                    "`&&`, `||` or `!` (the words AND/OR are accepted only between \
                     client-security terms)",
                ));
            }
            return Err(Fail::new(K::TrailingInput, pos, end).expecting(
                "`&&`, `||`, `)` or the end of the rule (a value with blanks must be quoted, D4)",
            ));
        };
        let span = Span::new(pos, pos + 2);
        let precedence = self.opts.precedence;
        let Some(top) = stack.last_mut() else {
            return Err(Fail::new(K::TrailingInput, pos, pos + 2));
        };
        if and {
            top.saw_and = true;
        } else {
            top.saw_or = true;
        }
        let mixed = top.saw_and && top.saw_or && !top.mixed;
        if mixed {
            top.mixed = true;
        }
        match precedence {
            Precedence::Conventional => {
                if !and {
                    let and_part = top.and_acc.take();
                    top.or_acc = match (top.or_acc.take(), and_part) {
                        (Some(o), Some(a)) => Some(Expr::binary(false, o, a)),
                        (o, a) => o.or(a),
                    };
                }
            }
            Precedence::LeftToRight => top.pending_and = and,
        }
        if mixed {
            let message = match precedence {
                Precedence::Conventional => {
                    "`&&` and `||` mixed without parentheses; read as `&&` binding tighter (D1)"
                }
                Precedence::LeftToRight => {
                    "`&&` and `||` mixed without parentheses; read strictly left to right (D1)"
                }
            };
            self.lint(LintKind::MixedAndOr, span, message.to_owned());
        }
        Ok(pos + 2)
    }

    /// Applies the pending `!`s of `level` to `expr` and adds it to the level's chain.
    fn feed(&mut self, level: &mut Level, mut expr: Expr) {
        for &n in level.nots.iter().rev() {
            let span = Span::new(n, expr.span.end);
            expr = Expr::new(ExprKind::Not(Box::new(expr)), span);
        }
        self.depth = self.depth.saturating_sub(level.nots.len());
        level.nots.clear();
        level.and_acc = Some(match (level.and_acc.take(), self.opts.precedence) {
            (Some(a), Precedence::Conventional) => Expr::binary(true, a, expr),
            (Some(a), Precedence::LeftToRight) => Expr::binary(level.pending_and, a, expr),
            (None, _) => expr,
        });
    }

    fn finish(&self, level: Level, pos: usize) -> Result<Expr, Fail> {
        match (level.or_acc, level.and_acc) {
            (Some(o), Some(a)) => Ok(Expr::binary(false, o, a)),
            (None, Some(a)) => Ok(a),
            _ => Err(Fail::new(K::ExpectedExpression, pos, self.char_end(pos))
                .expecting("an operand before `)`")),
        }
    }

    /// One operand that is not `!` or `(`: a simple expression, an EPA or FS term, or a name.
    fn term(&mut self, pos: usize, in_group: bool) -> Result<(Expr, usize), Fail> {
        let end = self.word_end(pos, true);
        if end == pos {
            let token_end = if self.is_pair(pos, b'&') || self.is_pair(pos, b'|') {
                pos + 2
            } else {
                self.char_end(pos)
            };
            return Err(Fail::new(K::ExpectedExpression, pos, token_end)
                .expecting("an operand: a qualifier, a named expression, `!` or `(`"));
        }
        let word = self.slice(pos, end);
        if self.at(end) == Some(b'(') && word.contains('.') {
            if is_epa_word(word) {
                let term_end = self.epa_term(end, in_group)?;
                let text = self.slice(pos, term_end);
                return Ok((opaque(OpaqueFamily::ClientSecurity, text, pos), term_end));
            }
            return Err(Fail::new(K::AdvancedSyntax(word.to_owned()), pos, end)
                .expecting("a classic qualifier (advanced rules are not parsed here)"));
        }
        if word.len() > 3 && word.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("FS.")) {
            let term_end = self.op_part_opaque(end, in_group, true)?;
            let text = self.slice(pos, term_end);
            return Ok((opaque(OpaqueFamily::FileSystem, text, pos), term_end));
        }
        if let Some(suggestion) = word_operator(word) {
            return Err(Fail::new(
                K::WordOperator {
                    word: word.to_owned(),
                    suggestion,
                },
                pos,
                end,
            )
            .expecting(format!("`{suggestion}`")));
        }
        if keyword_op(word).is_some() {
            return Err(Fail::new(K::ExpectedExpression, pos, end)
                .expecting(format!("a qualifier or a named expression before `{word}`")));
        }
        if let Some((q, old)) = Qualifier::lookup(word) {
            return self.simple(q, old, pos, end, in_group);
        }
        self.name(word, pos, end)
    }

    fn name(&mut self, word: &str, pos: usize, end: usize) -> Result<(Expr, usize), Fail> {
        let unknown =
            || Fail::new(K::UnknownQualifier(word.to_owned()), pos, end).expecting(suggest(word));
        if word.contains('.') {
            let first = word.split('.').next().unwrap_or("");
            let classic_prefix = ["REQ", "RES", "REQUEST", "RESPONSE"]
                .iter()
                .any(|p| p.eq_ignore_ascii_case(first));
            let client_qualifier = word
                .get(..12)
                .is_some_and(|p| p.eq_ignore_ascii_case("CLIENT.CERT."));
            if classic_prefix || client_qualifier {
                return Err(unknown());
            }
            if has_advanced_prefix(word) {
                return Err(Fail::new(K::AdvancedSyntax(word.to_owned()), pos, end)
                    .expecting("a classic qualifier or a named expression"));
            }
        }
        let next = self.skip_blanks(end);
        if matches!(self.op_at(next), OpAt::Op(..)) {
            return Err(unknown());
        }
        let mut chars = word.chars();
        let standard = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !standard {
            self.lint(
                LintKind::NonStandardName,
                Span::new(pos, end),
                format!(
                    "`{word}` is not a standard expression name (letters, digits and `_`, \
                     section 10.4)"
                ),
            );
        }
        Ok((
            Expr::new(ExprKind::Name(word.to_owned()), Span::new(pos, end)),
            end,
        ))
    }

    /// What stands at an operator position.
    fn op_at(&self, p: usize) -> OpAt {
        if self.is_terminator(p, true) {
            return OpAt::End;
        }
        if let Ok((rest, op)) = comparison(self.rest(p)) {
            return OpAt::Op(op, false, self.src.len() - rest.len());
        }
        let e = self.word_end(p, false);
        if e == p {
            return OpAt::Other;
        }
        match keyword_op(self.slice(p, e)) {
            Some((op, alias)) => OpAt::Op(op, alias, e),
            None => OpAt::Word(e),
        }
    }

    /// A quoted string at `p` (D4): `\\`, `\'`, `\"` are escapes, other backslashes literal.
    /// Returns the text and the offset after the closing quote.
    fn quoted(&self, p: usize) -> Result<(String, usize), Fail> {
        let quote = self.at(p).unwrap_or(b'\'');
        let body = self.rest(p + 1);
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == char::from(quote) {
                return Ok((out, p + 1 + i + 1));
            }
            if c == '\\' {
                match body.get(i + 1..).and_then(|s| s.chars().next()) {
                    Some(e @ ('\\' | '\'' | '"')) => {
                        out.push(e);
                        chars.next();
                    }
                    _ => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        Err(Fail::new(K::UnterminatedQuote, p, self.src.len())
            .expecting(format!("a closing {}", char::from(quote))))
    }

    /// End of a bare value (D4): the next blank, `&&`, `||`, or a `)` at parenthesis count zero
    /// while a grouping parenthesis is open.
    fn bare_value_end(&self, mut i: usize, in_group: bool) -> usize {
        let mut count = 0usize;
        while let Some(b) = self.at(i) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => break,
                b'&' | b'|' if self.at(i + 1) == Some(b) => break,
                b'(' => count += 1,
                b')' if count > 0 => count -= 1,
                b')' if in_group => break,
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// A value token at `p`: quoted or bare. `None` when there is none.
    fn value_token(
        &self,
        p: usize,
        in_group: bool,
    ) -> Result<Option<(Cow<'a, str>, usize, usize)>, Fail> {
        if self.is_terminator(p, in_group) {
            return Ok(None);
        }
        if matches!(self.at(p), Some(b'\'' | b'"')) {
            let (text, end) = self.quoted(p)?;
            let ok = self.at(end).is_none_or(is_blank) || self.is_terminator(end, true);
            if !ok {
                let bad_end = self.word_end(end, false).max(self.char_end(end));
                return Err(Fail::new(K::TrailingInput, end, bad_end)
                    .expecting("a blank after the closing quote (D4)"));
            }
            return Ok(Some((Cow::Owned(text), p, end)));
        }
        let end = self.bare_value_end(p, in_group);
        Ok(Some((Cow::Borrowed(self.slice(p, end)), p, end)))
    }

    fn simple(
        &mut self,
        q: Qualifier,
        old: bool,
        start: usize,
        qend: usize,
        in_group: bool,
    ) -> Result<(Expr, usize), Fail> {
        if old {
            self.lint(
                LintKind::OldSpelling,
                Span::new(start, qend),
                format!(
                    "`{}` is a NetScaler 6.0 spelling; write `{}`",
                    self.slice(start, qend),
                    q.canonical_name()
                ),
            );
        }
        let mut p = qend;
        let mut header = None;
        if q.takes_header_name() {
            let h = self.skip_blanks(p);
            let missing = Fail::new(K::MissingHeaderName, h, self.char_end(h).max(h))
                .expecting("a header name after HEADER, such as User-Agent (D4)");
            if h == p || self.is_terminator(h, true) {
                return Err(missing);
            }
            if matches!(self.at(h), Some(b'\'' | b'"')) {
                let (name, e) = self.quoted(h)?;
                header = Some(name);
                p = e;
            } else {
                let e = self.header_end(h);
                if e == h {
                    return Err(missing);
                }
                header = Some(self.slice(h, e).to_owned());
                p = e;
            }
        }
        let o = self.skip_blanks(p);
        let ops_hint = || -> Cow<'static, str> {
            if q.takes_header_name() {
                Cow::Borrowed("an operator such as CONTAINS, EXISTS or == after the header name")
            } else {
                Cow::Owned(format!(
                    "an operator ({}) after {}",
                    op_list(q.operators()),
                    q.canonical_name()
                ))
            }
        };
        let (op, op_end) = match self.op_at(o) {
            OpAt::Op(op, alias, e) => {
                if alias {
                    self.lint(
                        LintKind::OldSpelling,
                        Span::new(o, e),
                        format!(
                            "`{}` is a NetScaler 6.0 alias; write `{op}`",
                            self.slice(o, e)
                        ),
                    );
                }
                (Some(op), e)
            }
            OpAt::End if self.opts.value_mode => (None, p),
            OpAt::End => {
                return Err(Fail::new(K::ValueExpression, start, p).expecting(ops_hint()));
            }
            OpAt::Word(e) if self.at(o) == Some(b'-') && self.opts.value_mode && o > p => {
                let _ = e;
                (None, p)
            }
            OpAt::Word(e) if self.at(o) == Some(b'-') => {
                return Err(Fail::new(K::ExpectedOperator, o, e).expecting(ops_hint()));
            }
            OpAt::Word(e) => {
                let word = self.slice(o, e).to_owned();
                return Err(Fail::new(K::UnknownOperator(word), o, e).expecting(ops_hint()));
            }
            OpAt::Other => {
                return Err(
                    Fail::new(K::ExpectedOperator, o, self.char_end(o)).expecting(ops_hint())
                );
            }
        };
        if let Some(op) = op
            && !q.operators().contains(&op)
        {
            return Err(
                Fail::new(K::OperatorNotAllowed { op, qualifier: q }, o, op_end)
                    .expecting(format!("one of {}", op_list(q.operators()))),
            );
        }
        p = op_end;
        let mut value = None;
        if let Some(op) = op
            && !op.is_unary()
        {
            let v = self.skip_blanks(op_end);
            match self.value_token(v, in_group)? {
                None => {
                    return Err(Fail::new(K::MissingValue(op), v, self.char_end(v).max(v))
                        .expecting(value_hint(q)));
                }
                Some((text, vs, ve)) => {
                    value = Some(self.typed_value(q, op, &text, Span::new(vs, ve))?);
                    p = ve;
                }
            }
        }
        let options = self.options(q, op, value.as_ref(), &mut p)?;
        let simple = Simple {
            qualifier: q,
            header,
            op,
            value,
            options,
        };
        Ok((Expr::new(ExprKind::Simple(simple), Span::new(start, p)), p))
    }

    /// End of a bare header name: a blank, `=`, `<`, `>`, `(`, `)` or `!=` (section 2).
    fn header_end(&self, mut i: usize) -> usize {
        while let Some(b) = self.at(i) {
            let stop = match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'<' | b'>' | b'(' | b')' => true,
                b'!' => self.at(i + 1) == Some(b'='),
                _ => false,
            };
            if stop {
                break;
            }
            i += 1;
        }
        i
    }

    fn typed_value(
        &mut self,
        q: Qualifier,
        op: Operator,
        text: &str,
        span: Span,
    ) -> Result<Value, Fail> {
        let fail = |kind: K| Fail::new(kind, span.start, span.end);
        let ranged = matches!(op, Operator::Eq | Operator::Ne | Operator::Between);
        Ok(match q.value_type() {
            ValueType::Text | ValueType::Location => Value::Text(text.to_owned()),
            ValueType::Method => {
                let token = !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
                if !token {
                    return Err(fail(K::InvalidMethod)
                        .expecting("an HTTP method token such as GET or POST"));
                }
                if !STANDARD_METHODS
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(text))
                {
                    self.lint(
                        LintKind::NonStandardMethod,
                        span,
                        format!("`{text}` is not a standard HTTP/1.1 method (section 4.1)"),
                    );
                }
                Value::Text(text.to_owned())
            }
            ValueType::UrlPath => {
                if matches!(op, Operator::Eq | Operator::Ne) && !wildcard_verified(text) {
                    self.lint(
                        LintKind::UrlWildcardUnverified,
                        span,
                        format!(
                            "`*` in `{text}` is not one of the section 6 pattern shapes; it is \
                             compared literally"
                        ),
                    );
                }
                Value::Text(text.to_owned())
            }
            ValueType::Tokens => Value::Tokens(lit::tokens(text).map_err(|k| {
                fail(k).expecting("comma-separated single characters, such as '+,?,%'")
            })?),
            ValueType::Number | ValueType::Port => {
                let port = q.value_type() == ValueType::Port;
                let (a, b) = lit::number_or_range(text).map_err(|k| {
                    fail(k).expecting(if ranged {
                        "a number or a range N-M"
                    } else {
                        "a number"
                    })
                })?;
                if port && (a > 65535 || b.is_some_and(|b| b > 65535)) {
                    return Err(fail(K::InvalidPort).expecting("a port 0-65535"));
                }
                match b {
                    Some(_) if !ranged => return Err(fail(K::RangeNotAllowed(op))),
                    Some(b) => Value::Range(a, b),
                    None if op == Operator::Between => {
                        return Err(fail(K::InvalidNumber).expecting("a range N-M after BETWEEN"));
                    }
                    None => Value::Number(a),
                }
            }
            ValueType::Ip => {
                Value::Ip(lit::ip(text).map_err(|k| {
                    fail(k).expecting("an IPv4 or IPv6 address, optionally with /len")
                })?)
            }
            ValueType::Mac => Value::Mac(
                lit::mac(text).map_err(|k| fail(k).expecting("a MAC address xx:xx:xx:xx:xx:xx"))?,
            ),
            ValueType::CipherType => {
                if !lit::is_export(text) {
                    return Err(fail(K::InvalidCipherType).expecting("`Export`"));
                }
                Value::Text("Export".to_owned())
            }
            ValueType::CertDate | ValueType::Date | ValueType::Time => {
                let (kind, hint) = match q.value_type() {
                    ValueType::Date => (DateKind::Day, "a date 'YYYY-MM-DDGMT'"),
                    ValueType::Time => (DateKind::Instant, "a time 'YYYY-MM-DD-HH:MM:SSGMT'"),
                    _ => (
                        DateKind::Cert,
                        "a date such as 'Thu, 27 May 2010 16:10:15 GMT'",
                    ),
                };
                if op == Operator::Between {
                    let (a, b) = lit::date_pair(kind, text).map_err(|k| {
                        fail(k).expecting(format!("two of {hint} joined by `-` after BETWEEN"))
                    })?;
                    Value::DateRange(a, b)
                } else {
                    Value::Date(lit::date(kind, text).map_err(|k| fail(k).expecting(hint))?)
                }
            }
            ValueType::Weekday => {
                let (day, zone) = lit::weekday(text)
                    .map_err(|k| fail(k).expecting("a day name and zone such as SUNDAYGMT"))?;
                Value::Weekday(day, zone)
            }
        })
    }

    /// `-length`, `-offset`, `-netmask` by unambiguous prefix, once each, any order (D5).
    fn options(
        &mut self,
        q: Qualifier,
        op: Option<Operator>,
        value: Option<&Value>,
        p: &mut usize,
    ) -> Result<Options, Fail> {
        let mut options = Options::default();
        loop {
            let o = self.skip_blanks(*p);
            if o == *p || self.at(o) != Some(b'-') {
                return Ok(options);
            }
            let token_end = self.word_end(o, false);
            let name = option_name(self.rest(o + 1)).map_or("", |(_, n)| n);
            let name_end = o + 1 + name.len();
            let which = ["length", "offset", "netmask"].into_iter().find(|full| {
                !name.is_empty()
                    && full.len() >= name.len()
                    && full
                        .get(..name.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(name))
            });
            let Some(which) = which.filter(|_| name_end == token_end) else {
                return Err(Fail::new(
                    K::UnknownOption(self.slice(o, token_end).to_owned()),
                    o,
                    token_end.max(o + 1),
                )
                .expecting("-length, -offset or -netmask (or a prefix such as -l, -o, -n)"));
            };
            let span = Span::new(o, token_end);
            let window = which != "netmask";
            let allowed = if window {
                q.takes_window()
            } else {
                q.takes_netmask() && matches!(op, Some(Operator::Eq | Operator::Ne))
            };
            if !allowed {
                let hint = if window {
                    "no option here: -length and -offset apply to text qualifiers only"
                } else {
                    "no option here: -netmask applies to SOURCEIP/DESTIP with == or != only"
                };
                return Err(
                    Fail::new(K::OptionNotAllowed { option: which }, o, token_end).expecting(hint),
                );
            }
            let duplicate = match which {
                "length" => options.length.is_some(),
                "offset" => options.offset.is_some(),
                _ => options.netmask.is_some(),
            };
            if duplicate {
                return Err(Fail::new(K::DuplicateOption(which), o, token_end)
                    .expecting("each option at most once"));
            }
            if window && matches!(op, Some(Operator::Exists | Operator::NotExists)) {
                self.lint(
                    LintKind::WindowIgnored,
                    span,
                    format!("`-{which}` has no effect on EXISTS / NOTEXISTS (section 8.1)"),
                );
            }
            let a = self.skip_blanks(token_end);
            let arg = if a == token_end || self.is_terminator(a, true) {
                None
            } else if matches!(self.at(a), Some(b'\'' | b'"')) {
                self.value_token(a, true)?
            } else {
                let e = self.word_end(a, false);
                Some((Cow::Borrowed(self.slice(a, e)), a, e))
            };
            let Some((text, s, e)) = arg else {
                let kind = if window {
                    K::InvalidNumber
                } else {
                    K::InvalidNetmask
                };
                return Err(Fail::new(kind, a, self.char_end(a).max(a))
                    .expecting(format!("an argument after -{which}")));
            };
            match which {
                "length" | "offset" => {
                    let n = lit::number(&text).map_err(|k| {
                        Fail::new(k, s, e).expecting(format!("a number after -{which}"))
                    })?;
                    if which == "length" {
                        options.length = Some(n);
                    } else {
                        options.offset = Some(n);
                    }
                }
                _ => {
                    let mask: std::net::IpAddr = text.parse().map_err(|_| {
                        Fail::new(K::InvalidNetmask, s, e).expecting("a mask such as 255.255.0.0")
                    })?;
                    if let Some(Value::Ip(ip)) = value
                        && ip.addr.is_ipv4() != mask.is_ipv4()
                    {
                        return Err(Fail::new(K::InvalidNetmask, s, e)
                            .expecting("a mask of the same address family as the address"));
                    }
                    options.netmask = Some(mask);
                }
            }
            *p = e;
        }
    }

    /// After `CLIENT.<epa>` at `open` (a `(`): the balanced argument, the `.word` chain and an
    /// optional operator part. Returns the end of the term.
    fn epa_term(&mut self, open: usize, in_group: bool) -> Result<usize, Fail> {
        let mut p = self.balanced(open)?;
        while self.at(p) == Some(b'.') {
            let mut e = p + 1;
            while self
                .at(e)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                e += 1;
            }
            if e == p + 1 {
                return Err(
                    Fail::new(K::ExpectedOperator, p, p + 1).expecting("a property name after `.`")
                );
            }
            p = e;
        }
        self.op_part_opaque(p, in_group, false)
    }

    /// The operator part of an opaque term (EPA or FS): unary, or binary with a raw value.
    fn op_part_opaque(&mut self, p: usize, in_group: bool, required: bool) -> Result<usize, Fail> {
        let o = self.skip_blanks(p);
        match self.op_at(o) {
            OpAt::Op(op, _, e) if op.is_unary() => Ok(e),
            OpAt::Op(op, _, e) => {
                let v = self.skip_blanks(e);
                match self.value_token(v, in_group)? {
                    Some((_, _, ve)) => Ok(ve),
                    None => Err(Fail::new(K::MissingValue(op), v, self.char_end(v).max(v))
                        .expecting(format!("a value after `{op}`"))),
                }
            }
            OpAt::Word(e) if !required && word_operator(self.slice(o, e)).is_some() => Ok(p),
            OpAt::End if !required => Ok(p),
            OpAt::Word(e) => Err(
                Fail::new(K::UnknownOperator(self.slice(o, e).to_owned()), o, e)
                    .expecting("an operator such as EXISTS or =="),
            ),
            OpAt::End | OpAt::Other => {
                Err(Fail::new(K::ExpectedOperator, o, self.char_end(o).max(o))
                    .expecting("an operator such as EXISTS or =="))
            }
        }
    }

    /// From a `(` at `open`, the offset after its matching `)`, skipping quoted text.
    fn balanced(&self, open: usize) -> Result<usize, Fail> {
        let mut depth = 0usize;
        let mut i = open;
        let mut quote: Option<u8> = None;
        while let Some(b) = self.at(i) {
            match (quote, b) {
                (Some(_), b'\\') => i += 1,
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'(') => depth += 1,
                (None, b')') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                (None, _) => {}
            }
            i += 1;
        }
        Err(Fail::new(K::UnclosedParen, open, open + 1).expecting("a matching `)`"))
    }

    /// Extends a client-security operand ending at `end` over `AND`/`OR` words followed by
    /// further EPA terms (possibly parenthesised), D3/D13. Returns the new end (or `end`).
    fn extend_epa_run(&mut self, mut end: usize, in_group: bool) -> Result<usize, Fail> {
        loop {
            let w = self.skip_blanks(end);
            let we = self.word_end(w, true);
            if we == w || word_operator(self.slice(w, we)).is_none_or(|s| s == "!") {
                return Ok(end);
            }
            let t = self.skip_blanks(we);
            // Find the EPA word after any `(`.
            let mut s = t;
            while self.at(s) == Some(b'(') {
                s = self.skip_blanks(s + 1);
            }
            let se = self.word_end(s, true);
            if self.at(se) != Some(b'(') || !is_epa_word(self.slice(s, se)) {
                return Ok(end);
            }
            end = if s > t {
                self.balanced(t)?
            } else {
                self.epa_term(se, in_group)?
            };
        }
    }
}

fn opaque(family: OpaqueFamily, text: &str, start: usize) -> Expr {
    let trimmed = text.trim_end_matches(|c: char| c.is_ascii() && is_blank(c as u8));
    Expr::new(
        ExprKind::Opaque(Opaque {
            family,
            text: trimmed.to_owned(),
        }),
        Span::new(start, start + trimmed.len()),
    )
}

/// "a qualifier such as ..." listing the spellings that share the longest dotted prefix with
/// `word` (`REQ.HTTP.FOO` suggests the `REQ.HTTP.` qualifiers).
fn suggest(word: &str) -> String {
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
            return format!("a qualifier such as {}", found.join(", "));
        }
    }
    "a qualifier of section 4, such as REQ.HTTP.HEADER, REQ.HTTP.URL or REQ.IP.SOURCEIP".to_owned()
}

fn value_hint(q: Qualifier) -> &'static str {
    match q.value_type() {
        ValueType::Number | ValueType::Port => "a number (D10)",
        ValueType::Ip => "an IP address (D11)",
        ValueType::Mac => "a MAC address",
        ValueType::Date | ValueType::Time | ValueType::CertDate | ValueType::Weekday => {
            "a date or time (section 4.6)"
        }
        ValueType::CipherType => "`Export`",
        ValueType::Tokens => "a list of characters such as '+,?,%'",
        _ => "a bare or quoted value (D4)",
    }
}

fn op_list(ops: &[Operator]) -> String {
    ops.iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a `URL ==` pattern is one of the section 6 shapes (or has no `*`).
fn wildcard_verified(p: &str) -> bool {
    let stars = p.matches('*').count();
    if stars == 0 {
        return true;
    }
    if stars > 1 {
        return stars == 2 && p.ends_with("*.*");
    }
    if p.ends_with('*') || p.ends_with(".*") || p.ends_with('.') {
        return true;
    }
    let last = p.rsplit('/').next().unwrap_or(p);
    if !last.contains('.') {
        return false;
    }
    p.rfind('.')
        .and_then(|i| p.get(..i))
        .is_some_and(|before| before.ends_with('*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_shapes() {
        for ok in [
            "/*",
            "/a/*.*",
            "/a/b.*",
            "/cgi-bin/*",
            "/*.jsp",
            "*.jpeg",
            "/index.html",
            "/a.",
        ] {
            assert!(wildcard_verified(ok), "{ok}");
        }
        for bad in ["*gif", "/a*b", "/a*.b/c", "/*/*.gif"] {
            assert!(!wildcard_verified(bad), "{bad}");
        }
    }

    #[test]
    fn epa_words() {
        assert!(is_epa_word("client.application.AV"));
        assert!(is_epa_word("CLIENT.REG"));
        assert!(!is_epa_word("CLIENT.IP.SRC"));
        assert!(has_advanced_prefix("HTTP.REQ.URL"));
        assert!(!has_advanced_prefix("HTTP"));
    }
}
