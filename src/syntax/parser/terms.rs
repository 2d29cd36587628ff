//! Operands that are not `!` or `(`: dispatch to a simple expression, a client-security or
//! `FS.*` term, or a named expression; and the pieces every operand shares (what stands in
//! operator position, quoted strings, value tokens).

use std::borrow::Cow;

use super::tokens::{self, Bare};
use super::{Parser, epa, hints};
use crate::ast::{Expr, ExprKind, OpaqueFamily, Operator, Qualifier, Span};
use crate::syntax::LintKind;
use crate::syntax::error::{Fail, ParseErrorKind as K};

/// An operator position, as seen by [`Parser::op_at`].
pub(super) enum OpAt {
    /// An operator, whether it is a 6.0 alias, and its end.
    Op(Operator, bool, usize),
    /// End of input, `&&`, `||` or `)`.
    End,
    /// Some other word, ending at the offset.
    Word(usize),
    /// Some other character.
    Other,
}

/// A value token: its text (unquoted) and span.
pub(super) type ValueToken<'a> = (Cow<'a, str>, usize, usize);

impl<'a> Parser<'a> {
    /// One operand that is not `!` or `(`: a simple expression, an EPA or FS term, or a name.
    pub(super) fn term(&mut self, pos: usize, in_group: bool) -> Result<(Expr, usize), Fail> {
        let end = self.word_end(pos, true);
        if end == pos {
            let token_end = match tokens::joiner(self.rest(pos)) {
                Ok((rest, _)) => self.offset(rest),
                Err(_) => self.char_end(pos),
            };
            return Err(Fail::new(K::ExpectedExpression, pos, token_end)
                .expecting("an operand: a qualifier, a named expression, `!` or `(`"));
        }
        let word = self.slice(pos, end);
        if self.at(end) == Some(b'(') && word.contains('.') {
            if epa::is_epa_word(word) {
                let term_end = self.epa_term(end, in_group)?;
                let text = self.slice(pos, term_end);
                return Ok((
                    epa::opaque(OpaqueFamily::ClientSecurity, text, pos),
                    term_end,
                ));
            }
            return Err(Fail::new(K::AdvancedSyntax(word.to_owned()), pos, end)
                .expecting("a classic qualifier (advanced rules are not parsed here)"));
        }
        if word.len() > 3 && word.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("FS.")) {
            let term_end = self.op_part_opaque(end, in_group, true)?;
            let text = self.slice(pos, term_end);
            return Ok((epa::opaque(OpaqueFamily::FileSystem, text, pos), term_end));
        }
        if let Some(suggestion) = tokens::word_operator(word) {
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
        if tokens::keyword_op(word).is_some() {
            return Err(Fail::new(K::ExpectedExpression, pos, end)
                .expecting(format!("a qualifier or a named expression before `{word}`")));
        }
        if let Some((q, old)) = Qualifier::lookup(word) {
            return self.simple(q, old, pos, end, in_group);
        }
        self.name(word, pos, end)
    }

    /// A named-expression reference (D12), or an unknown qualifier when it looks like one.
    fn name(&mut self, word: &str, pos: usize, end: usize) -> Result<(Expr, usize), Fail> {
        let unknown = || {
            Fail::new(K::UnknownQualifier(word.to_owned()), pos, end)
                .expecting(hints::unknown_qualifier(word))
        };
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
            if epa::has_advanced_prefix(word) {
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
                format!("`{word}` is not a standard expression name (letters, digits and `_`)"),
            );
        }
        Ok((
            Expr::new(ExprKind::Name(word.to_owned()), Span::new(pos, end)),
            end,
        ))
    }

    /// What stands at an operator position.
    pub(super) fn op_at(&self, p: usize) -> OpAt {
        if self.is_terminator(p, true) {
            return OpAt::End;
        }
        if let Ok((rest, op)) = tokens::comparison(self.rest(p)) {
            return OpAt::Op(op, false, self.offset(rest));
        }
        let e = self.word_end(p, false);
        if e == p {
            return OpAt::Other;
        }
        match tokens::keyword_op(self.slice(p, e)) {
            Some((op, alias)) => OpAt::Op(op, alias, e),
            None => OpAt::Word(e),
        }
    }

    /// A quoted string at `p` (D4). Returns the text and the offset after the closing quote.
    pub(super) fn quoted(&self, p: usize) -> Result<(String, usize), Fail> {
        match tokens::quoted(self.rest(p)) {
            Ok((rest, text)) => Ok((text, self.offset(rest))),
            Err(_) => {
                let quote = if self.at(p) == Some(b'"') { '"' } else { '\'' };
                Err(Fail::new(K::UnterminatedQuote, p, self.src.len())
                    .expecting(format!("a closing {quote}")))
            }
        }
    }

    /// A value token at `p`: quoted or bare (D4). `None` when there is none.
    pub(super) fn value_token(
        &mut self,
        p: usize,
        in_group: bool,
    ) -> Result<Option<ValueToken<'a>>, Fail> {
        if self.is_terminator(p, in_group) {
            return Ok(None);
        }
        if matches!(self.at(p), Some(b'\'' | b'"')) {
            let (text, end) = self.quoted(p)?;
            if !self.rest(end).starts_with(tokens::is_blank) && !self.is_terminator(end, true) {
                return Err(Fail::new(K::TrailingInput, end, self.token_end(end))
                    .expecting("a blank after the closing quote"));
            }
            return Ok(Some((Cow::Owned(text), p, end)));
        }
        let (rest, Bare { text, stray_paren }) =
            tokens::bare_value(self.rest(p), in_group).unwrap_or((self.rest(p), Bare::default()));
        if let Some(at) = stray_paren {
            self.lint(
                LintKind::ParenInValue,
                Span::new(p + at, p + at + 1),
                format!(
                    "`)` without a matching `(` is part of the value `{text}`; quote the value \
                     if that is meant, or add the missing `(`"
                ),
            );
        }
        Ok(Some((Cow::Borrowed(text), p, self.offset(rest))))
    }
}
