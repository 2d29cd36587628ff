//! Client-security (EPA) and `FS.*` terms, kept as opaque text (D13): the `CLIENT.<name>(...)`
//! argument, its `.property` chain, an operator part, the optional `-frequency` scan interval,
//! and runs of such terms joined by the words `AND`/`OR` (D3).

use super::shared::OpAt;
use super::{Parser, tokens};
use crate::ast::{Expr, ExprKind, Opaque, OpaqueFamily, Span};
use crate::syntax::error::{Fail, ParseErrorKind as K};

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

/// First segments of advanced-expression names (nspepi's list; docs/semantics.md#classic-grammar), minus the ones that
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

impl Parser<'_> {
    /// After `CLIENT.<epa>` at `open` (a `(`): the balanced argument, the `.word` chain, an
    /// optional operator part and an optional `-frequency N`. Returns the end of the term.
    pub(super) fn epa_term(&mut self, open: usize, in_group: bool) -> Result<usize, Fail> {
        let mut p = self.balanced(open)?;
        while self.at(p) == Some(b'.') {
            let Ok((rest, _)) = tokens::property(self.rest(p)) else {
                return Err(
                    Fail::new(K::ExpectedOperator, p, p + 1).expecting("a property name after `.`")
                );
            };
            p = self.offset(rest);
        }
        let p = self.op_part_opaque(p, in_group, false)?;
        let f = self.skip_blanks(p);
        Ok(match tokens::frequency(self.rest(f)) {
            Ok((rest, _)) if f > p => self.offset(rest),
            _ => p,
        })
    }

    /// The operator part of an opaque term (EPA or FS): unary, or binary with a raw value.
    pub(super) fn op_part_opaque(
        &mut self,
        p: usize,
        in_group: bool,
        required: bool,
    ) -> Result<usize, Fail> {
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
            OpAt::Word(e) if !required && tokens::word_operator(self.slice(o, e)).is_some() => {
                Ok(p)
            }
            OpAt::Word(_) if !required && o > p && tokens::frequency(self.rest(o)).is_ok() => Ok(p),
            OpAt::End if !required => Ok(p),
            OpAt::Word(e) => {
                let word = self.slice(o, e);
                let hint = match super::hints::nearest_operator(word) {
                    Some(near) => {
                        format!("an operator such as EXISTS or ==: did you mean `{near}`?")
                    }
                    None => "an operator such as EXISTS or ==".to_owned(),
                };
                Err(Fail::new(K::UnknownOperator(word.to_owned()), o, e).expecting(hint))
            }
            OpAt::End | OpAt::Other => {
                Err(Fail::new(K::ExpectedOperator, o, self.char_end(o).max(o))
                    .expecting("an operator such as EXISTS or =="))
            }
        }
    }

    /// From a `(` at `open`, the offset after its matching `)`, skipping quoted text.
    fn balanced(&self, open: usize) -> Result<usize, Fail> {
        tokens::balanced(self.rest(open))
            .map(|(rest, _)| self.offset(rest))
            .map_err(|_| Fail::new(K::UnclosedParen, open, open + 1).expecting("a matching `)`"))
    }

    /// Extends a client-security operand ending at `end` over `AND`/`OR` words followed by
    /// further EPA terms (possibly parenthesised), D3/D13. Returns the new end (or `end`).
    pub(super) fn extend_epa_run(&mut self, mut end: usize, in_group: bool) -> Result<usize, Fail> {
        loop {
            let w = self.skip_blanks(end);
            let we = self.word_end(w, true);
            if we == w || tokens::word_operator(self.slice(w, we)).is_none_or(|s| s == "!") {
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

/// An opaque node for `text` (trailing blanks trimmed) starting at `start`.
pub(super) fn opaque(family: OpaqueFamily, text: &str, start: usize) -> Expr {
    let trimmed = text.trim_end_matches(tokens::is_blank);
    Expr::new(
        ExprKind::Opaque(Opaque {
            family,
            text: trimmed.to_owned(),
        }),
        Span::new(start, start + trimmed.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epa_words() {
        assert!(is_epa_word("client.application.AV"));
        assert!(is_epa_word("CLIENT.REG"));
        assert!(!is_epa_word("CLIENT.IP.SRC"));
        assert!(has_advanced_prefix("HTTP.REQ.URL"));
        assert!(!has_advanced_prefix("HTTP"));
    }
}
