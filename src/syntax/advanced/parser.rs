//! The advanced-expression parser: recursive descent over the rule text with the nesting limit
//! checked before every descent, nom for the tokens, and the shared precedence climber for the
//! binary operators.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::{IResult, Parser as _};

use super::error::{AdvParseErrorKind as K, Fail};
use super::{AdvLint, AdvLintKind};
use crate::ast::Span;
use crate::ast::advanced::print::MAX_LITERAL_BYTES;
use crate::ast::advanced::{
    AdvExpr, AdvKind, BinOp, Call, Chain, ChainHead, Infix, IpLit, MONTHS, PatternKind, RegexLit,
    TimeLit, WEEKDAYS,
};
use crate::syntax::prec::{Assoc, PrecedenceTable, climb};

type PResult<T> = Result<T, Fail>;

/// First words of an advanced chain that are prefixes, not named expressions (stored upper-case).
const PREFIX_WORDS: &[&str] = &[
    "AAA",
    "ANALYTICS",
    "CLIENT",
    "CONNECTION",
    "DIAMETER",
    "DNS",
    "HTTP",
    "ICA",
    "MQTT",
    "MSSQL",
    "MYSQL",
    "ORACLE",
    "Q",
    "RADIUS",
    "S",
    "SERVER",
    "SIP",
    "SMPP",
    "SUBSCRIBER",
    "SYS",
    "TARGET",
    "TEXT",
    "VPN",
];

/// Bare words read as enumeration constants in argument position.
pub(crate) const ENUM_WORDS: &[&str] = &[
    "IGNORECASE",
    "NOIGNORECASE",
    "URLENCODED",
    "NOURLENCODED",
    "PLUSASSPACE",
    "NOPLUSASSPACE",
    "BACKSLASH_ESCAPE_ENCODED",
    "NOBACKSLASH_ESCAPE_ENCODED",
    "SQLSPECIALCHARHANDLING",
    "NOSQLSPECIALCHARHANDLING",
    "HTML_XML_SAFE",
    "CSS_SAFE",
    "JAVASCRIPT_SAFE",
    "ASCII",
    "UTF_8",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "OPTIONS",
    "TRACE",
    "CONNECT",
    "PATCH",
    "NEXT",
    "END",
    "GMT",
    "LOCAL",
    "SUN",
    "MON",
    "TUE",
    "WED",
    "THU",
    "FRI",
    "SAT",
];

/// Classic operator words: one of them after an operand means a classic term.
const CLASSIC_OPERATORS: &[&str] = &["CONTAINS", "NOTCONTAINS", "EXISTS", "NOTEXISTS", "CONTENTS"];

/// Hard ceiling on the nesting option, far below what the call stack holds.
pub(super) const NESTING_CAP: usize = 128;

struct Levels;

impl PrecedenceTable<BinOp> for Levels {
    fn level(&self, op: &BinOp) -> (u8, Assoc) {
        (op.level(), Assoc::Left)
    }
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn word(i: &str) -> IResult<&str, &str> {
    take_while1(is_word_char).parse(i)
}

fn blanks(i: &str) -> IResult<&str, &str> {
    take_while(|c: char| c.is_ascii_whitespace()).parse(i)
}

fn binop(i: &str) -> IResult<&str, BinOp> {
    alt((
        alt((
            tag("||").map(|_| BinOp::Or),
            tag("&&").map(|_| BinOp::And),
            tag("==").map(|_| BinOp::Eq),
            tag("!=").map(|_| BinOp::Ne),
            tag("<=").map(|_| BinOp::Le),
            tag(">=").map(|_| BinOp::Ge),
            tag("<").map(|_| BinOp::Lt),
            tag(">").map(|_| BinOp::Gt),
        )),
        alt((
            tag("|").map(|_| BinOp::BitOr),
            tag("^").map(|_| BinOp::BitXor),
            tag("&").map(|_| BinOp::BitAnd),
            tag("+").map(|_| BinOp::Add),
            tag("-").map(|_| BinOp::Sub),
            tag("*").map(|_| BinOp::Mul),
            tag("/").map(|_| BinOp::Div),
            tag("%").map(|_| BinOp::Rem),
        )),
    ))
    .parse(i)
}

pub(super) struct Parser<'a> {
    text: &'a str,
    pos: usize,
    max_nesting: usize,
    pub lints: Vec<AdvLint>,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str, max_nesting: usize) -> Parser<'a> {
        Parser {
            text,
            pos: 0,
            max_nesting: max_nesting.min(NESTING_CAP),
            lints: Vec::new(),
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    /// Skips blanks; whether there were any.
    fn ws(&mut self) -> bool {
        let before = self.pos;
        if let Ok((rest, _)) = blanks(self.rest()) {
            self.pos = self.text.len() - rest.len();
        }
        self.pos > before
    }

    fn lint(&mut self, kind: AdvLintKind, start: usize, end: usize, message: impl Into<String>) {
        self.lints.push(AdvLint {
            kind,
            span: Span::new(start, end),
            message: message.into(),
        });
    }

    fn deeper(&self, depth: usize, start: usize) -> PResult<usize> {
        if depth >= self.max_nesting {
            return Err(Fail::new(K::TooDeep(self.max_nesting), start, start + 1));
        }
        Ok(depth + 1)
    }

    pub fn parse_rule(&mut self) -> PResult<AdvExpr> {
        self.ws();
        if self.peek().is_none() {
            return Err(Fail::new(K::Empty, 0, self.text.len()));
        }
        let expr = self.expr(0)?;
        self.ws();
        if self.peek().is_some() {
            return Err(self.unexpected());
        }
        Ok(expr)
    }

    /// The best error for text where an operator, `)`, `,` or the end was expected.
    fn unexpected(&self) -> Fail {
        let start = self.pos;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return Fail::new(K::UnexpectedEnd, start, start);
        };
        if c == ')' {
            return Fail::new(K::UnexpectedCloseParen, start, start + 1);
        }
        if let Some(fail) = self.classic_term(start) {
            return fail;
        }
        if let Ok((_, w)) = word(rest) {
            let end = start + w.len();
            let suggestion = match w.to_ascii_uppercase().as_str() {
                "AND" => Some("&&"),
                "OR" => Some("||"),
                _ => None,
            };
            if let Some(suggestion) = suggestion {
                return Fail::new(
                    K::WordOperator {
                        word: w.to_owned(),
                        suggestion,
                    },
                    start,
                    end,
                );
            }
            if CLASSIC_OPERATORS.iter().any(|o| o.eq_ignore_ascii_case(w)) {
                return Fail::new(K::TrailingInput, start, end).hint(format!(
                    "methods are chained with a dot: `.{}(...)`",
                    w.to_ascii_uppercase()
                ));
            }
            return Fail::new(K::TrailingInput, start, end)
                .hint("an operator such as `&&`, `||` or `==`, or the end of the expression");
        }
        if c == '=' {
            return Fail::new(K::TrailingInput, start, start + 1).hint("comparison is `==`");
        }
        Fail::new(K::TrailingInput, start, start + c.len_utf8())
            .hint("an operator such as `&&`, `||` or `==`, or the end of the expression")
    }

    /// A classic term around `at`: the text between the enclosing `&&`/`||`/parentheses, if
    /// it parses as a classic rule.
    fn classic_term(&self, at: usize) -> Option<Fail> {
        let bytes = self.text.as_bytes();
        let is_boundary = |i: usize| {
            let pair = bytes.get(i..i + 2);
            pair == Some(b"&&") || pair == Some(b"||")
        };
        let mut start = at.min(bytes.len());
        while start > 0 {
            if is_boundary(start.saturating_sub(2)) || bytes.get(start - 1) == Some(&b'(') {
                break;
            }
            start -= 1;
        }
        let mut end = at;
        while end < bytes.len() && !is_boundary(end) && bytes.get(end) != Some(&b')') {
            end += 1;
        }
        let segment = self.text.get(start..end)?;
        let lead = segment.len() - segment.trim_start().len();
        let term = segment.trim();
        if term.is_empty() || !term.contains(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        crate::syntax::parse(term).ok()?;
        let start = start + lead;
        Some(
            Fail::new(K::ClassicTerm(term.to_owned()), start, start + term.len()).hint(
                "convert it to advanced syntax, or wrap it in SYS.EVAL_CLASSIC_EXPR(\"...\")",
            ),
        )
    }

    fn expr(&mut self, depth: usize) -> PResult<AdvExpr> {
        let head = self.unary(depth)?;
        let mut rest = Vec::new();
        loop {
            let save = self.pos;
            self.ws();
            let Ok((after, op)) = binop(self.rest()) else {
                self.pos = save;
                break;
            };
            // `!=` needs no check; a lone `!` or `=` is not a binary operator.
            self.pos = self.text.len() - after.len();
            self.ws();
            let operand = self.unary(depth)?;
            rest.push((op, operand));
        }
        let has_and = rest.iter().any(|(op, _)| *op == BinOp::And);
        let has_or = rest.iter().any(|(op, _)| *op == BinOp::Or);
        let start = head.span.start;
        let end = rest.last().map_or(head.span.end, |(_, e)| e.span.end);
        if has_and && has_or {
            self.lint(
                AdvLintKind::MixedAndOr,
                start,
                end,
                "`&&` and `||` mixed without parentheses; `&&` binds tighter",
            );
        }
        Ok(climb(head, rest, &Levels, join))
    }

    fn unary(&mut self, depth: usize) -> PResult<AdvExpr> {
        let mut ops: Vec<(bool, usize)> = Vec::new();
        let mut depth = depth;
        loop {
            self.ws();
            let start = self.pos;
            match self.peek() {
                Some('!') if self.peek_at(1) != Some('=') => {
                    depth = self.deeper(depth, start)?;
                    ops.push((true, start));
                    self.pos += 1;
                }
                Some('-') => {
                    depth = self.deeper(depth, start)?;
                    ops.push((false, start));
                    self.pos += 1;
                }
                _ => break,
            }
        }
        self.check_not_word()?;
        let mut expr = self.postfix(depth)?;
        while let Some((not, start)) = ops.pop() {
            let span = Span::new(start, expr.span.end);
            let inner = Box::new(expr);
            expr = AdvExpr::new(
                if not {
                    AdvKind::Not(inner)
                } else {
                    AdvKind::Neg(inner)
                },
                span,
            );
        }
        Ok(expr)
    }

    /// `NOT x` (a word, blanks, then an operand) is the GUI's spelling of `!`.
    fn check_not_word(&self) -> PResult<()> {
        let rest = self.rest();
        if let Ok((after, w)) = word(rest)
            && w.eq_ignore_ascii_case("NOT")
        {
            let trimmed = after.trim_start();
            if trimmed.len() < after.len()
                && trimmed
                    .chars()
                    .next()
                    .is_some_and(|c| is_word_start(c) || matches!(c, '(' | '!' | '"'))
            {
                return Err(Fail::new(
                    K::WordOperator {
                        word: w.to_owned(),
                        suggestion: "!",
                    },
                    self.pos,
                    self.pos + w.len(),
                ));
            }
        }
        Ok(())
    }

    fn postfix(&mut self, depth: usize) -> PResult<AdvExpr> {
        let primary = self.primary(depth)?;
        let mut calls = Vec::new();
        loop {
            let save = self.pos;
            let blank_before = self.ws();
            if self.peek() != Some('.') {
                self.pos = save;
                break;
            }
            let dot = self.pos;
            self.pos += 1;
            let blank_after = self.ws();
            if !self.peek().is_some_and(is_word_start) {
                return Err(match self.peek() {
                    None => Fail::new(K::UnexpectedEnd, self.pos, self.pos),
                    Some(_) => Fail::new(K::ExpectedName, dot, dot + 1),
                });
            }
            if blank_before || blank_after {
                self.lint(
                    AdvLintKind::BlankInChain,
                    save,
                    self.pos,
                    "blank beside `.` in a method chain",
                );
            }
            calls.push(self.call(depth, true)?);
        }
        if calls.is_empty() {
            return Ok(primary);
        }
        let end = calls.last().map_or(primary.span.end, |c| c.span.end);
        let span = Span::new(primary.span.start, end);
        let chain = match primary.kind {
            AdvKind::Chain(mut chain) => {
                chain.calls.extend(calls);
                chain
            }
            kind => Chain {
                head: ChainHead::Expr(Box::new(AdvExpr::new(kind, primary.span))),
                calls,
            },
        };
        self.lint_removed(&chain, span);
        Ok(AdvExpr::new(AdvKind::Chain(chain), span))
    }

    fn lint_removed(&mut self, chain: &Chain, span: Span) {
        let ChainHead::Word(head) = &chain.head else {
            return;
        };
        let removed = match head.name.as_str() {
            "Q" | "S" => true,
            "SYS" => chain
                .calls
                .first()
                .is_some_and(|c| c.name == "EVAL_CLASSIC_EXPR"),
            _ => false,
        };
        if removed {
            self.lint(
                AdvLintKind::RemovedIn131,
                span.start,
                head.span.end,
                "removed in release 13.1 (`Q.`/`S.` are `HTTP.REQ.`/`HTTP.RES.`; \
                 SYS.EVAL_CLASSIC_EXPR embeds classic syntax)",
            );
        }
    }

    fn primary(&mut self, depth: usize) -> PResult<AdvExpr> {
        self.ws();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(Fail::new(K::UnexpectedEnd, start, start));
        };
        match c {
            '(' => {
                let inner = self.deeper(depth, start)?;
                self.pos += 1;
                let expr = self.expr(inner)?;
                self.ws();
                match self.peek() {
                    Some(')') => {
                        self.pos += 1;
                        Ok(AdvExpr::new(expr.kind, Span::new(start, self.pos)))
                    }
                    None => Err(Fail::new(K::UnclosedParen, start, start + 1)),
                    Some(_) => Err(self.unexpected()),
                }
            }
            '"' | '\'' => self.literal_run(),
            '0'..='9' => self.number(),
            c if is_word_start(c) => {
                if let Some(re) = self.regex()? {
                    return Ok(re);
                }
                let (_, w) = word(self.rest()).map_err(|_| self.operand_error())?;
                if w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE") {
                    self.pos += w.len();
                    let value = w.eq_ignore_ascii_case("TRUE");
                    return Ok(AdvExpr::new(
                        AdvKind::Bool(value),
                        Span::new(start, self.pos),
                    ));
                }
                let is_prefix = is_prefix_word(w);
                let call = self.call(depth, is_prefix)?;
                let span = call.span;
                Ok(AdvExpr::new(
                    AdvKind::Chain(Chain {
                        head: ChainHead::Word(call),
                        calls: Vec::new(),
                    }),
                    span,
                ))
            }
            _ => Err(self.operand_error()),
        }
    }

    fn operand_error(&self) -> Fail {
        let start = self.pos;
        if let Some(fail) = self.classic_term(start) {
            return fail;
        }
        match self.peek() {
            None => Fail::new(K::UnexpectedEnd, start, start),
            Some(c) => Fail::new(K::ExpectedOperand, start, start + c.len_utf8()).hint(
                "a prefix such as HTTP.REQ, a literal, `!`, `-` or `(` where an operand belongs",
            ),
        }
    }

    /// `NAME` or `NAME(args)`; `upper` stores the name upper-case.
    fn call(&mut self, depth: usize, upper: bool) -> PResult<Call> {
        let start = self.pos;
        let (_, w) = word(self.rest()).map_err(|_| self.operand_error())?;
        self.pos += w.len();
        let name = if upper {
            w.to_ascii_uppercase()
        } else {
            w.to_owned()
        };
        let save = self.pos;
        self.ws();
        if self.peek() != Some('(') {
            self.pos = save;
            return Ok(Call {
                name,
                args: None,
                span: Span::new(start, self.pos),
            });
        }
        let open = self.pos;
        let inner = self.deeper(depth, open)?;
        self.pos += 1;
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                args.push(self.arg(inner)?);
                self.ws();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(Fail::new(K::UnclosedParen, open, open + 1)),
                    Some(_) => {
                        let fail = self.unexpected();
                        return Err(if fail.kind == K::TrailingInput {
                            Fail::new(K::ExpectedCommaOrClose, fail.span.start, fail.span.end)
                        } else {
                            fail
                        });
                    }
                }
            }
        }
        Ok(Call {
            name,
            args: Some(args),
            span: Span::new(start, self.pos),
        })
    }

    /// Whether the next non-blank character after byte `at` ends an argument.
    fn ends_argument(&self, at: usize) -> bool {
        self.text
            .get(at..)
            .and_then(|s| s.trim_start().chars().next())
            .is_some_and(|c| c == ',' || c == ')')
    }

    fn arg(&mut self, depth: usize) -> PResult<AdvExpr> {
        self.ws();
        let start = self.pos;
        if let Some(ip) = self.ip()? {
            return Ok(ip);
        }
        if let Ok((after, w)) = word(self.rest()) {
            let end = start + w.len();
            let upper = w.to_ascii_uppercase();
            let zone = upper == "GMT" || upper == "LOCAL";
            if zone
                && !self.ends_argument(end)
                && after.starts_with(|c: char| c.is_ascii_whitespace())
            {
                return self.time(upper == "LOCAL");
            }
            if self.ends_argument(end) && ENUM_WORDS.contains(&upper.as_str()) {
                self.pos = end;
                return Ok(AdvExpr::new(AdvKind::Enum(upper), Span::new(start, end)));
            }
        }
        self.expr(depth)
    }

    fn ip(&mut self) -> PResult<Option<AdvExpr>> {
        let start = self.pos;
        let rest = self.rest();
        let addr_len = rest
            .find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.'))
            .unwrap_or(rest.len());
        let addr_text = rest.get(..addr_len).unwrap_or("");
        let dotted = addr_text.matches('.').count() == 3
            && addr_text.starts_with(|c: char| c.is_ascii_digit());
        let colon = addr_text.contains(':');
        if !(dotted || colon) {
            return Ok(None);
        }
        let mut end = start + addr_len;
        let mut prefix = None;
        if self.text.get(end..).is_some_and(|s| s.starts_with('/')) {
            let digits = self.text.get(end + 1..).map_or(0, |s| {
                s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len())
            });
            let len_text = self.text.get(end + 1..end + 1 + digits).unwrap_or("");
            prefix = Some(len_text.parse::<u8>().ok());
            end += 1 + digits;
        }
        if !self.ends_argument(end) {
            return Ok(None);
        }
        let invalid = || Fail::new(K::InvalidIp, start, end);
        let addr: std::net::IpAddr = addr_text.parse().map_err(|_| invalid())?;
        let prefix = match prefix {
            None => None,
            Some(None) => return Err(invalid()),
            Some(Some(len)) => {
                let max = if addr.is_ipv4() { 32 } else { 128 };
                if len > max {
                    return Err(invalid());
                }
                Some(len)
            }
        };
        self.pos = end;
        Ok(Some(AdvExpr::new(
            AdvKind::Ip(IpLit { addr, prefix }),
            Span::new(start, end),
        )))
    }

    fn time(&mut self, local: bool) -> PResult<AdvExpr> {
        let start = self.pos;
        let mut lit = TimeLit {
            local,
            ..TimeLit::default()
        };
        if let Ok((_, w)) = word(self.rest()) {
            self.pos += w.len();
        }
        loop {
            self.ws();
            if self.peek().is_none_or(|c| c == ',' || c == ')') {
                break;
            }
            let field_start = self.pos;
            let field = word(self.rest()).map(|(_, w)| w).unwrap_or("");
            let field_end = field_start + field.len().max(1);
            let bad = || {
                Fail::new(
                    K::InvalidTime(
                        self.text
                            .get(field_start..field_end)
                            .unwrap_or("")
                            .to_owned(),
                    ),
                    field_start,
                    field_end,
                )
                .hint("fields are yyyy, Jan..Dec, 1-31, Sun..Sat or Sun_1, <n>h, <n>m, <n>s")
            };
            if !time_field(field, &mut lit) {
                return Err(bad());
            }
            self.pos = field_end;
        }
        if lit.is_empty() {
            return Err(Fail::new(K::InvalidTime(String::new()), start, self.pos));
        }
        Ok(AdvExpr::new(AdvKind::Time(lit), Span::new(start, self.pos)))
    }

    fn regex(&mut self) -> PResult<Option<AdvExpr>> {
        let start = self.pos;
        let rest = self.rest();
        let kind = match rest.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("re") => PatternKind::Regex,
            Some(p) if p.eq_ignore_ascii_case("xp") => PatternKind::XPath,
            _ => return Ok(None),
        };
        let Some(delimiter) = rest.get(2..).and_then(|s| s.chars().next()) else {
            return Ok(None);
        };
        if !(delimiter.is_ascii_graphic() && !delimiter.is_ascii_alphanumeric() && delimiter != '_')
        {
            return Ok(None);
        }
        let body = rest.get(3..).unwrap_or("");
        let Some(close) = body.find(delimiter) else {
            return Err(Fail::new(
                K::UnterminatedRegex(delimiter),
                start,
                self.text.len(),
            ));
        };
        let pattern = body.get(..close).unwrap_or("").to_owned();
        self.pos = start + 3 + close + 1;
        Ok(Some(AdvExpr::new(
            AdvKind::Regex(RegexLit {
                kind,
                delimiter,
                pattern,
            }),
            Span::new(start, self.pos),
        )))
    }

    fn number(&mut self) -> PResult<AdvExpr> {
        let start = self.pos;
        let rest = self.rest();
        let hex = rest.starts_with("0x") || rest.starts_with("0X");
        let digits_from = if hex { 2 } else { 0 };
        let tail = rest.get(digits_from..).unwrap_or("");
        let len = tail.find(|c: char| !is_word_char(c)).unwrap_or(tail.len());
        let digits = tail.get(..len).unwrap_or("");
        let end = start + digits_from + len;
        let radix = if hex { 16 } else { 10 };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Err(Fail::new(K::InvalidNumber, start, end));
        }
        let value = u64::from_str_radix(digits, radix)
            .map_err(|_| Fail::new(K::NumberOverflow, start, end))?;
        if hex {
            self.lint(
                AdvLintKind::HexNumber,
                start,
                end,
                "hexadecimal number; decimal is the documented form",
            );
        }
        self.pos = end;
        Ok(AdvExpr::new(
            AdvKind::Number { value, hex },
            Span::new(start, end),
        ))
    }

    /// A quoted literal, then any `+ "..."` literals joined to it.
    fn literal_run(&mut self) -> PResult<AdvExpr> {
        let start = self.pos;
        let first = self.quoted()?;
        let mut text = match first {
            Quoted::Char(b) => {
                return Ok(AdvExpr::new(AdvKind::Char(b), Span::new(start, self.pos)));
            }
            Quoted::Text(bytes) => bytes,
        };
        loop {
            let save = self.pos;
            self.ws();
            if self.peek() == Some('+') {
                self.pos += 1;
                self.ws();
                if self.peek() == Some('"')
                    && let Quoted::Text(more) = self.quoted()?
                {
                    text.extend(more);
                    continue;
                }
            }
            self.pos = save;
            break;
        }
        Ok(AdvExpr::new(
            AdvKind::Text(text),
            Span::new(start, self.pos),
        ))
    }

    fn quoted(&mut self) -> PResult<Quoted> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let Some(&quote) = bytes.get(start) else {
            return Err(Fail::new(K::UnexpectedEnd, start, start));
        };
        let mut out = Vec::new();
        let mut i = start + 1;
        loop {
            let Some(&b) = bytes.get(i) else {
                return Err(Fail::new(K::UnterminatedString, start, self.text.len()));
            };
            match b {
                _ if b == quote => {
                    i += 1;
                    break;
                }
                b'\n' | b'\r' => return Err(Fail::new(K::RawNewline, i, i + 1)),
                b'\\' => {
                    let (byte, len) = escape(bytes.get(i + 1..).unwrap_or(&[])).ok_or_else(|| {
                        let end = crate::error::floor_char_boundary(
                            self.text,
                            (i + 2).min(self.text.len()),
                        );
                        let end = if end <= i + 1 { (i + 2).min(self.text.len()) } else { end };
                        let shown = self.text.get(i..end).unwrap_or("\\").to_owned();
                        Fail::new(K::InvalidEscape(shown), i, end.max(i + 1)).hint(
                            "escapes are \\\" \\\\ \\' \\t \\n \\r \\xHH and octal \\ooo up to \\377",
                        )
                    })?;
                    out.push(byte);
                    i += 1 + len;
                }
                _ => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        self.pos = i;
        if out.len() > MAX_LITERAL_BYTES {
            return Err(Fail::new(K::LiteralTooLong(out.len()), start, i));
        }
        if quote == b'\'' {
            return match out.as_slice() {
                [] => Err(Fail::new(K::EmptyChar, start, i)),
                [b] if b.is_ascii() => Ok(Quoted::Char(*b)),
                _ => {
                    self.lint(
                        AdvLintKind::SingleQuotedString,
                        start,
                        i,
                        "single quotes hold one character; strings take double quotes",
                    );
                    Ok(Quoted::Text(out))
                }
            };
        }
        Ok(Quoted::Text(out))
    }
}

enum Quoted {
    Char(u8),
    Text(Vec<u8>),
}

/// The byte an escape after `\` stands for, and how many bytes of `after` it used.
fn escape(after: &[u8]) -> Option<(u8, usize)> {
    let first = *after.first()?;
    Some(match first {
        b'"' | b'\\' | b'\'' => (first, 1),
        b't' => (b'\t', 1),
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b'x' => {
            let hex = after.get(1..3)?;
            let text = std::str::from_utf8(hex).ok()?;
            (u8::from_str_radix(text, 16).ok()?, 3)
        }
        b'0'..=b'7' => {
            let len = after
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let text = std::str::from_utf8(after.get(..len)?).ok()?;
            (u8::try_from(u32::from_str_radix(text, 8).ok()?).ok()?, len)
        }
        _ => return None,
    })
}

/// Reads one time field into `lit`; false if it is not a field or repeats one.
fn time_field(field: &str, lit: &mut TimeLit) -> bool {
    fn set<T>(slot: &mut Option<T>, value: T) -> bool {
        if slot.is_some() {
            return false;
        }
        *slot = Some(value);
        true
    }
    if field.is_empty() {
        return false;
    }
    if field.chars().all(|c| c.is_ascii_digit()) {
        let Ok(n) = field.parse::<u16>() else {
            return false;
        };
        return match field.len() {
            4 => set(&mut lit.year, n),
            1 | 2 if (1..=31).contains(&n) => set(&mut lit.day, n as u8),
            _ => false,
        };
    }
    if let Some(unit) = field.chars().last()
        && let Some(num) = field.get(..field.len() - 1)
        && !num.is_empty()
        && num.chars().all(|c| c.is_ascii_digit())
    {
        let Ok(n) = num.parse::<u8>() else {
            return false;
        };
        return match unit.to_ascii_lowercase() {
            'h' if n < 24 => set(&mut lit.hours, n),
            'm' if n < 60 => set(&mut lit.minutes, n),
            's' if n < 60 => set(&mut lit.seconds, n),
            _ => false,
        };
    }
    if let Some(m) = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(field)) {
        return set(&mut lit.month, m as u8 + 1);
    }
    let (day, week) = match field.split_once('_') {
        Some((d, n)) => match n.parse::<u8>() {
            Ok(n) if (1..=5).contains(&n) => (d, Some(n)),
            _ => return false,
        },
        None => (field, None),
    };
    if let Some(d) = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(day)) {
        if let Some(n) = week {
            lit.week = Some(n);
        }
        return set(&mut lit.weekday, d as u8);
    }
    false
}

/// Joins `lhs op rhs`, extending a run of the same level instead of nesting.
fn join(lhs: AdvExpr, op: BinOp, rhs: AdvExpr) -> AdvExpr {
    let span = lhs.span.to(rhs.span);
    match lhs.kind {
        AdvKind::Infix(mut infix)
            if infix
                .rest
                .first()
                .is_some_and(|(o, _)| o.level() == op.level()) =>
        {
            infix.rest.push((op, rhs));
            AdvExpr::new(AdvKind::Infix(infix), span)
        }
        kind => AdvExpr::new(
            AdvKind::Infix(Infix {
                first: Box::new(AdvExpr::new(kind, lhs.span)),
                rest: vec![(op, rhs)],
            }),
            span,
        ),
    }
}

pub(super) fn is_prefix_word(word: &str) -> bool {
    PREFIX_WORDS.iter().any(|p| p.eq_ignore_ascii_case(word))
}
