//! Simple expressions: a qualifier, a header name where the qualifier takes one, an operator,
//! a typed value (docs/semantics.md#qualifiers) and the `-length`/`-offset`/`-netmask` options (D5).

use std::borrow::Cow;

use super::shared::OpAt;
use super::{Parser, hints, tokens};
use crate::ast::{
    DateKind, Expr, ExprKind, Operator, Options, Qualifier, Simple, Span, Value, ValueType,
};
use crate::syntax::LintKind;
use crate::syntax::error::{Fail, ParseErrorKind as K};
use crate::syntax::value as lit;

const STANDARD_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

impl Parser<'_> {
    pub(super) fn simple(
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
                .expecting("a header name after HEADER, such as User-Agent");
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
                return Err(
                    Fail::new(K::ValueExpression, start, p).expecting(hints::operators_of(q, None))
                );
            }
            OpAt::Word(_) if self.at(o) == Some(b'-') && self.opts.value_mode && o > p => (None, p),
            OpAt::Word(e) if self.at(o) == Some(b'-') => {
                return Err(
                    Fail::new(K::ExpectedOperator, o, e).expecting(hints::operators_of(q, None))
                );
            }
            OpAt::Word(e) => {
                let word = self.slice(o, e);
                return Err(Fail::new(K::UnknownOperator(word.to_owned()), o, e)
                    .expecting(hints::operators_of(q, Some(word))));
            }
            OpAt::Other => {
                return Err(Fail::new(K::ExpectedOperator, o, self.char_end(o))
                    .expecting(hints::operators_of(q, None)));
            }
        };
        if let Some(op) = op
            && !q.operators().contains(&op)
        {
            return Err(
                Fail::new(K::OperatorNotAllowed { op, qualifier: q }, o, op_end)
                    .expecting(format!("one of {}", hints::op_list(q.operators()))),
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
                        .expecting(hints::value_of(q)));
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

    /// End of a bare header name at `i` ([`tokens::bare_header`]), `i` when there is none.
    fn header_end(&self, i: usize) -> usize {
        tokens::bare_header(self.rest(i)).map_or(i, |(r, _)| self.offset(r))
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
                        format!("`{text}` is not a standard HTTP/1.1 method"),
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
                            "`*` in `{text}` is not in one of the recognised wildcard \
                             pattern shapes; it is compared literally"
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
            let name = tokens::option_name(self.rest(o)).map_or("", |(_, n)| n);
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
                    format!("`-{which}` has no effect on EXISTS / NOTEXISTS"),
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
}

/// Whether a `URL ==` pattern is one of the docs/semantics.md#url-wildcards shapes (or has no `*`).
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
}
