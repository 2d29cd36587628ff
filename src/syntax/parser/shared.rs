//! The pieces every operand shares: what stands in operator position ([`OpAt`]), quoted
//! strings and value tokens. Simple expressions ([`simple`](super::simple)), client-security and
//! `FS.*` terms ([`epa`](super::epa)) and the operand dispatch ([`terms`](super::terms)) all read
//! them, so they sit below all three.

use std::borrow::Cow;

use super::Parser;
use super::tokens::{self, Bare};
use crate::ast::{Operator, Span};
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
