//! The classic rule parser.
//!
//! Tokens are nom 8 recognisers ([`tokens`]); operands are simple expressions ([`simple`]),
//! client-security and `FS.*` terms ([`epa`]) or names, chosen by [`terms`], and all read the
//! pieces in [`shared`] (operator position, quoted strings, value tokens); `&&`/`||` grouping is
//! precedence climbing over each nesting level's operator list ([`precedence`]). Parentheses and
//! `!` are an explicit stack of open levels, so neither deep nesting nor long chains recurse
//! (D16).

mod epa;
mod hints;
mod precedence;
mod shared;
mod simple;
mod terms;
mod tokens;

pub(crate) use epa::{has_advanced_prefix, is_epa_word};

use super::error::{Fail, ParseErrorKind as K};
use super::{Lint, LintKind, MAX_NESTING_LIMIT, ParseOptions};
use crate::ast::{Expr, ExprKind, Opaque, OpaqueFamily, Span};
use precedence::{Chain, Link};

/// One open parenthesis level (the whole rule is level 0).
struct Level {
    /// Offset of the `(` (0 for the whole rule).
    open: usize,
    /// Offsets of the `!`s waiting for the next operand.
    nots: Vec<usize>,
    chain: Chain,
}

impl Level {
    fn new(open: usize) -> Level {
        Level {
            open,
            nots: Vec::new(),
            chain: Chain::default(),
        }
    }
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    opts: &'a ParseOptions,
    lints: Vec<Lint>,
    depth: usize,
    /// `opts.max_nesting` clamped to [`MAX_NESTING_LIMIT`].
    max_nesting: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str, opts: &'a ParseOptions) -> Parser<'a> {
        Parser {
            src,
            opts,
            lints: Vec::new(),
            depth: 0,
            max_nesting: opts.max_nesting.min(MAX_NESTING_LIMIT),
        }
    }

    /// The lints found, in source order.
    pub(crate) fn into_lints(mut self) -> Vec<Lint> {
        self.lints.sort_by_key(|l| l.span.start);
        self.lints
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    fn slice(&self, a: usize, b: usize) -> &'a str {
        self.src.get(a..b).unwrap_or("")
    }

    fn rest(&self, a: usize) -> &'a str {
        self.src.get(a..).unwrap_or("")
    }

    /// The offset at which `rest`, a suffix of the rule, starts.
    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    fn skip_blanks(&self, i: usize) -> usize {
        tokens::blanks(self.rest(i)).map_or(i, |(r, _)| self.offset(r))
    }

    /// Whether `i` is the end, `&&`, `||` or (when `paren`) `)`.
    fn is_terminator(&self, i: usize, paren: bool) -> bool {
        tokens::at_terminator(self.rest(i), paren)
    }

    /// End of the word at `i` ([`tokens::word`]), `i` when there is none.
    fn word_end(&self, i: usize, stop_at_comparison: bool) -> usize {
        tokens::word(self.rest(i), stop_at_comparison).map_or(i, |(r, _)| self.offset(r))
    }

    /// End of the character at `i` (for one-character spans).
    fn char_end(&self, i: usize) -> usize {
        self.rest(i).chars().next().map_or(i, |c| i + c.len_utf8())
    }

    /// End of the token at `i` for an error span: a word, else one character.
    fn token_end(&self, i: usize) -> usize {
        self.word_end(i, false).max(self.char_end(i))
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
        if self.depth > self.max_nesting {
            return Err(Fail::new(K::TooDeep(self.max_nesting), pos, pos + 1)
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
                            .is_some_and(|l| l.nots.is_empty() && l.chain.is_empty());
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
            if is_client_security(&expr) {
                let extended = self.extend_epa_run(end, in_group)?;
                if extended > end {
                    end = extended;
                    expr = epa::opaque(OpaqueFamily::ClientSecurity, self.slice(start, end), start);
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
                    if is_client_security(&expr) {
                        let extended = self.extend_epa_run(end, stack.len() > 1)?;
                        if extended > end {
                            end = extended;
                            expr = epa::opaque(
                                OpaqueFamily::ClientSecurity,
                                self.slice(open, end),
                                open,
                            );
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
        let Ok((rest, joiner)) = tokens::joiner(self.rest(pos)) else {
            let end = self.token_end(pos);
            let word = self.slice(pos, end);
            if let Some(suggestion) = tokens::word_operator(word) {
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
                "`&&`, `||`, `)` or the end of the rule (a value with blanks must be quoted)",
            ));
        };
        let end = self.offset(rest);
        let Some(top) = stack.last_mut() else {
            return Err(Fail::new(K::TrailingInput, pos, end));
        };
        top.chain.push_operator(Link {
            joiner,
            span: Span::new(pos, end),
        });
        Ok(end)
    }

    /// Applies the pending `!`s of `level` to `expr` and adds it to the level's chain.
    fn feed(&mut self, level: &mut Level, mut expr: Expr) {
        for &n in level.nots.iter().rev() {
            let span = Span::new(n, expr.span.end);
            expr = Expr::new(ExprKind::Not(Box::new(expr)), span);
        }
        self.depth = self.depth.saturating_sub(level.nots.len());
        level.nots.clear();
        level.chain.push_operand(expr);
    }

    /// Folds a finished level, after the mixed-operator scan of its operator list.
    fn finish(&mut self, level: Level, pos: usize) -> Result<Expr, Fail> {
        if let Some(span) = level.chain.mixed_at() {
            let message = match self.opts.precedence {
                super::Precedence::Conventional => {
                    "`&&` and `||` mixed without parentheses; read as `&&` binding tighter"
                }
                super::Precedence::LeftToRight => {
                    "`&&` and `||` mixed without parentheses; read strictly left to right"
                }
            };
            self.lint(LintKind::MixedAndOr, span, message.to_owned());
        }
        level.chain.fold(self.opts.precedence).ok_or_else(|| {
            Fail::new(K::ExpectedExpression, pos, self.char_end(pos))
                .expecting("an operand before `)`")
        })
    }
}

fn is_client_security(expr: &Expr) -> bool {
    matches!(
        &expr.kind,
        ExprKind::Opaque(Opaque {
            family: OpaqueFamily::ClientSecurity,
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use crate::syntax::{MAX_NESTING_LIMIT, ParseErrorKind, ParseOptions, Precedence, parse_with};

    #[test]
    fn deep_parentheses_stop_at_the_ceiling_and_long_chains_use_the_heap() {
        let depth = MAX_NESTING_LIMIT;
        let rule = format!("{}ns_true{}", "(".repeat(depth), ")".repeat(depth));
        let options = ParseOptions {
            max_nesting: 100_000,
            ..ParseOptions::default()
        };
        let parsed = parse_with(&rule, &options).map(|p| p.expr.to_string());
        assert_eq!(parsed.ok().as_deref(), Some("ns_true"));
        // Asking for more than the ceiling gets the ceiling.
        let deeper = format!("({rule})");
        let error = parse_with(&deeper, &options).map(|p| p.expr);
        assert_eq!(
            error
                .as_ref()
                .err()
                .map(|e| (e.kind().clone(), e.span().start)),
            Some((
                ParseErrorKind::TooDeep(MAX_NESTING_LIMIT),
                MAX_NESTING_LIMIT
            ))
        );

        let chain = vec!["a"; 100_000].join(" && ") + " || b";
        for precedence in [Precedence::Conventional, Precedence::LeftToRight] {
            let options = ParseOptions {
                precedence,
                ..ParseOptions::default()
            };
            let parsed = parse_with(&chain, &options).map(|p| p.lints.len());
            assert_eq!(parsed.ok(), Some(1), "{precedence:?}");
        }
    }
}
