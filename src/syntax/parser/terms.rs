//! Operands that are not `!` or `(`: dispatch to a simple expression, a client-security or
//! `FS.*` term, or a named expression. The pieces every operand shares (what stands in operator
//! position, quoted strings, value tokens) are in [`shared`](super::shared).

use super::shared::OpAt;
use super::{Parser, epa, hints, tokens};
use crate::ast::{Expr, ExprKind, OpaqueFamily, Qualifier, Span};
use crate::syntax::LintKind;
use crate::syntax::error::{Fail, ParseErrorKind as K};

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
}
