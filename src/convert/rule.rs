//! One classic rule to its exact advanced form (section 6 of the advanced spec).

use std::net::{IpAddr, Ipv4Addr};

use super::build::{
    ChainBuilder, and, boolean, enum_word, ip, name, node, not, number, on, or, path, text, time,
};
use super::{ConvertError, ConvertErrorKind, Note};
use crate::NamedExpressions;
use crate::ast::advanced::{AdvExpr, AdvKind, BinOp, IpLit, TimeLit};
use crate::ast::{
    DateKind, DateLit, Expr, ExprKind, OpaqueFamily, Operator, Qualifier, Side, Simple, Span,
    TimeZone, Value,
};
use crate::compile::advanced::{CheckOptions, check_rule};
use crate::ir::matchers::UrlPattern;
use crate::syntax::advanced::{AdvParseErrorKind, DEFAULT_NESTING, parse_advanced};

/// How to convert, set with builder-style methods.
///
/// ```
/// use nsexpr::convert::{ConvertOptions, convert_rule};
///
/// let text = "REQ.HTTP.HEADER X-Citrix-Gateway EXISTS";
/// let options = ConvertOptions::default().nspepi_compatible(false).twin_prefix("v2_");
/// let converted = convert_rule(&nsexpr::syntax::parse(text)?, text, &options)?;
/// assert_eq!(converted.advanced, r#"HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// Emit nspepi's forms (any-instance headers, `HTTP.REQ.URL` for URL, `BETWEEN`, `_adv`
    /// built-ins) and mark every atom whose meaning changes with [`Note::Inexact`].
    pub nspepi_compatible: bool,
    /// User named expressions (`add policy expression`) the rule may reference.
    pub names: NamedExpressions,
    /// Replace references to user named expressions by their converted definitions instead of
    /// referencing advanced twins.
    pub inline_names: bool,
    /// The prefix of an advanced twin's name (`adv_` makes `is_receiver` `adv_is_receiver`).
    pub twin_prefix: String,
}

impl Default for ConvertOptions {
    fn default() -> ConvertOptions {
        ConvertOptions {
            nspepi_compatible: false,
            names: NamedExpressions::new(),
            inline_names: false,
            twin_prefix: "adv_".to_owned(),
        }
    }
}

impl ConvertOptions {
    /// Sets [`nspepi_compatible`](Self::nspepi_compatible).
    #[must_use]
    pub fn nspepi_compatible(mut self, nspepi_compatible: bool) -> Self {
        self.nspepi_compatible = nspepi_compatible;
        self
    }

    /// Sets [`names`](Self::names).
    #[must_use]
    pub fn names(mut self, names: NamedExpressions) -> Self {
        self.names = names;
        self
    }

    /// Sets [`inline_names`](Self::inline_names).
    #[must_use]
    pub fn inline_names(mut self, inline_names: bool) -> Self {
        self.inline_names = inline_names;
        self
    }

    /// Sets [`twin_prefix`](Self::twin_prefix).
    #[must_use]
    pub fn twin_prefix(mut self, twin_prefix: impl Into<String>) -> Self {
        self.twin_prefix = twin_prefix.into();
        self
    }
}

/// A converted rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The advanced rule in canonical form; the advanced parser and checker accept it.
    pub advanced: String,
    /// Its tree.
    pub expr: AdvExpr,
    /// Remarks per classic atom, in rule order.
    pub notes: Vec<Note>,
}

impl Converted {
    /// Whether every atom was converted exactly (no [`Note::Inexact`]).
    pub fn is_exact(&self) -> bool {
        !self.notes.iter().any(Note::is_inexact)
    }
}

/// Parses classic `text` and converts it with default options.
pub fn convert_text(text: &str) -> Result<Converted, ConvertError> {
    let expr = crate::syntax::parse(text)
        .map_err(|e| ConvertError::new(ConvertErrorKind::Parse(e), Span::default(), text))?;
    convert_rule(&expr, text, &ConvertOptions::default())
}

/// Converts a parsed classic rule; `source` is the text it was parsed from (for spans).
///
/// The output is printed by the canonical printer and checked: the advanced parser must accept
/// it, reprint it identically, and the type checker must accept it with no unsupported method.
pub fn convert_rule(
    expr: &Expr,
    source: &str,
    options: &ConvertOptions,
) -> Result<Converted, ConvertError> {
    let mut converter = Converter {
        options,
        source,
        notes: Vec::new(),
        stack: Vec::new(),
        depth: 0,
    };
    let advanced = converter.expr(expr)?;
    let text = advanced.to_string();
    self_check(&text, expr.span, source)?;
    Ok(Converted {
        advanced: text,
        expr: advanced,
        notes: converter.notes,
    })
}

fn self_check(text: &str, span: Span, source: &str) -> Result<(), ConvertError> {
    let fail = |message: String| {
        ConvertError::new(
            ConvertErrorKind::SelfCheck {
                advanced: text.to_owned(),
                message,
            },
            span,
            source,
        )
    };
    let reparsed = parse_advanced(text).map_err(|e| match e.kind() {
        AdvParseErrorKind::TooDeep(limit) => {
            ConvertError::new(ConvertErrorKind::TooDeep(*limit), span, source)
        }
        _ => fail(e.to_string()),
    })?;
    if reparsed.to_string() != text {
        return Err(fail(format!("it reprints as `{reparsed}`")));
    }
    let checked = check_rule(text, &CheckOptions::default()).map_err(|e| fail(e.to_string()))?;
    if let Some(unsupported) = checked.unsupported.first() {
        return Err(fail(format!("`{}` is not supported", unsupported.path)));
    }
    Ok(())
}

/// How deep named expressions may nest before inlining gives up.
const MAX_NAME_DEPTH: usize = 32;

/// How deep `&&`, `||` and `!` may nest, inlined definitions included; this bounds the
/// converter's recursion. At least every second level of a parsed rule is a parenthesis or a `!`
/// in the advanced form, so a deeper rule would convert to one nested deeper than the self-check
/// accepts ([`DEFAULT_NESTING`] levels), unless its `!`s fold into a constant (`!!…!ns_true`).
const MAX_DEPTH: usize = 2 * (DEFAULT_NESTING + 1);

/// Standard methods, which advanced compares caselessly when written unquoted (D29).
const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

/// Built-ins whose nspepi twin has a longer suffix.
const ADVANCED_SUFFIX: &[&str] = &["ns_content_type", "ns_msword", "ns_msexcel", "ns_msppt"];

struct Converter<'a> {
    options: &'a ConvertOptions,
    source: &'a str,
    notes: Vec<Note>,
    /// Named expressions being expanded (lower case), for cycle detection.
    stack: Vec<String>,
    /// `&&`, `||` and `!` levels open, in the rule and the definitions being expanded.
    depth: usize,
}

type Conv<T> = Result<T, ConvertError>;

/// Where a text atom reads from: the text and, for items that can be absent, a presence test.
struct Subject {
    text: ChainBuilder,
    presence: Option<AdvExpr>,
}

impl Converter<'_> {
    fn error(&self, kind: ConvertErrorKind, span: Span) -> ConvertError {
        ConvertError::new(kind, span, self.source)
    }

    fn refuse(&self, span: Span, construct: impl Into<String>, reason: &str) -> ConvertError {
        self.error(
            ConvertErrorKind::NoExactForm {
                construct: construct.into(),
                reason: reason.to_owned(),
            },
            span,
        )
    }

    fn inexact(&mut self, span: Span, reason: &str) {
        self.notes.push(Note::Inexact {
            reason: reason.to_owned(),
            span,
        });
    }

    /// Recursion here follows the classic tree and the named expressions it inlines, together
    /// at most [`MAX_DEPTH`] levels of `&&`, `||` and `!`.
    fn expr(&mut self, e: &Expr) -> Conv<AdvExpr> {
        let compound = matches!(
            e.kind,
            ExprKind::Or(_) | ExprKind::And(_) | ExprKind::Not(_)
        );
        if compound {
            if self.depth >= MAX_DEPTH {
                return Err(self.error(ConvertErrorKind::TooDeep(DEFAULT_NESTING), e.span));
            }
            self.depth += 1;
        }
        let converted = match &e.kind {
            ExprKind::Or(items) => self.all(items).map(or),
            ExprKind::And(items) => self.all(items).map(and),
            ExprKind::Not(inner) => self.expr(inner).map(not),
            ExprKind::Simple(s) => self.simple(s, e.span),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Opaque(o) => {
                let construct = match o.family {
                    OpaqueFamily::ClientSecurity => "the client-security (EPA) expression",
                    OpaqueFamily::FileSystem => "the FS expression",
                };
                Err(self.refuse(
                    e.span,
                    format!("{construct} `{}`", o.text),
                    "a rule cannot run an endpoint scan; nFactor EPA with AAA.USER.IS_MEMBER_OF is a redesign",
                ))
            }
        };
        if compound {
            self.depth -= 1;
        }
        converted
    }

    /// A plain loop: an iterator chain would put a dozen frames per level on the stack in an
    /// unoptimised build.
    fn all(&mut self, items: &[Expr]) -> Conv<Vec<AdvExpr>> {
        let mut converted = Vec::with_capacity(items.len());
        for item in items {
            converted.push(self.expr(item)?);
        }
        Ok(converted)
    }

    fn name(&mut self, written: &str, span: Span) -> Conv<AdvExpr> {
        let lower = written.to_ascii_lowercase();
        match lower.as_str() {
            "ns_true" => return Ok(boolean(true)),
            "ns_false" => return Ok(boolean(false)),
            _ => {}
        }
        let builtin = NamedExpressions::new().lookup(&lower, false).is_some();
        if builtin && self.options.nspepi_compatible {
            let suffix = if ADVANCED_SUFFIX.contains(&lower.as_str()) {
                "_advanced"
            } else {
                "_adv"
            };
            self.inexact(
                span,
                "nspepi's built-in twins are case-sensitive and test every header instance",
            );
            return Ok(name(&format!("{lower}{suffix}")));
        }
        let definition =
            self.options.names.lookup(&lower, false).ok_or_else(|| {
                self.error(ConvertErrorKind::UnknownName(written.to_owned()), span)
            })?;
        if self.stack.contains(&lower) || self.stack.len() >= MAX_NAME_DEPTH {
            let mut chain = self.stack.clone();
            chain.push(lower);
            return Err(self.error(ConvertErrorKind::NameCycle(chain.join(" -> ")), span));
        }
        let parsed = definition
            .parse(&crate::syntax::ParseOptions::default())
            .map_err(|message| {
                self.refuse(span, format!("named expression `{written}`"), &message)
            })?;
        let text = definition.text().to_owned();
        // The definition converts in its own text; errors are reported at the reference.
        self.stack.push(lower.clone());
        let inner = {
            let mut sub = Converter {
                options: self.options,
                source: &text,
                notes: Vec::new(),
                stack: std::mem::take(&mut self.stack),
                depth: self.depth,
            };
            let result = sub.expr(&parsed);
            self.stack = std::mem::take(&mut sub.stack);
            result
        };
        self.stack.pop();
        let inner = inner.map_err(|e| match e.into_kind() {
            ConvertErrorKind::NoExactForm { construct, reason } => self.refuse(
                span,
                format!("named expression `{written}` ({construct})"),
                &reason,
            ),
            kind => self.error(kind, span),
        })?;
        if builtin {
            self.notes.push(Note::Inlined { name: lower, span });
            Ok(inner)
        } else if self.options.inline_names {
            Ok(inner)
        } else {
            let twin = format!("{}{}", self.options.twin_prefix, definition.name());
            self.notes.push(Note::Renamed {
                from: written.to_owned(),
                to: twin.clone(),
                span,
            });
            Ok(name(&twin))
        }
    }

    fn simple(&mut self, s: &Simple, span: Span) -> Conv<AdvExpr> {
        let Some(op) = s.op else {
            return Err(self.refuse(
                span,
                format!("the bare qualifier `{}`", s.qualifier.canonical_name()),
                "a value expression is not a boolean rule",
            ));
        };
        let construct = || format!("`{} {}`", s.qualifier.canonical_name(), op);
        let q = s.qualifier;
        match q {
            Qualifier::Header(Side::Req) => self.header(s, op, span),
            Qualifier::Url => self.url(s, op, span),
            Qualifier::UrlQuery => {
                let subject = Subject {
                    text: path("HTTP.REQ.URL.QUERY"),
                    presence: Some(query_present()),
                };
                self.text_atom(s, op, span, subject)
            }
            Qualifier::UrlLen => self.number_atom(s, op, span, path("HTTP.REQ.URL.LENGTH")),
            Qualifier::UrlQueryLen => {
                self.number_atom(s, op, span, path("HTTP.REQ.URL.QUERY.LENGTH"))
            }
            Qualifier::UrlTokens => {
                let Some(Value::Tokens(tokens)) = &s.value else {
                    return Err(self.refuse(span, construct(), "no token list"));
                };
                let tests = tokens
                    .iter()
                    .map(|c| {
                        path("HTTP.REQ.URL")
                            .with("SET_TEXT_MODE", vec![enum_word("NOURLENCODED")])
                            .with("CONTAINS", vec![text(c.to_string().as_bytes())])
                            .build()
                    })
                    .collect::<Vec<_>>();
                let any = if tests.is_empty() {
                    boolean(false)
                } else {
                    or(tests)
                };
                Ok(negate_if(op == Operator::Ne, any))
            }
            Qualifier::Method => {
                let Some(Value::Text(method)) = &s.value else {
                    return Err(self.refuse(span, construct(), "no method"));
                };
                let upper = method.to_ascii_uppercase();
                if !METHODS.contains(&upper.as_str()) {
                    return Err(self.refuse(
                        span,
                        format!("the method `{method}`"),
                        "only standard methods compare caselessly in advanced syntax",
                    ));
                }
                let eq = path("HTTP.REQ.METHOD")
                    .with("EQ", vec![enum_word(&upper)])
                    .build();
                match op {
                    Operator::Eq => Ok(eq),
                    Operator::Ne => Ok(not(eq)),
                    _ => Err(self.refuse(span, construct(), "operator")),
                }
            }
            Qualifier::SourceIp(Side::Req) => self.ip_atom(s, op, span, "CLIENT.IP.SRC"),
            Qualifier::DestIp(Side::Req) => self.ip_atom(s, op, span, "CLIENT.IP.DST"),
            Qualifier::SourcePort(Side::Req) => {
                self.number_atom(s, op, span, path("CLIENT.TCP.SRCPORT"))
            }
            Qualifier::DestPort(Side::Req) => {
                self.number_atom(s, op, span, path("CLIENT.TCP.DSTPORT"))
            }
            Qualifier::Mss(Side::Req) => self.number_atom(s, op, span, path("CLIENT.TCP.MSS")),
            Qualifier::VlanId(Side::Req) => self.number_atom(s, op, span, path("CLIENT.VLAN.ID")),
            Qualifier::Location => {
                let Some(Value::Text(location)) = &s.value else {
                    return Err(self.refuse(span, construct(), "no location"));
                };
                let test = path("CLIENT.IP.SRC")
                    .with("MATCHES_LOCATION", vec![text(location.as_bytes())])
                    .build();
                Ok(negate_if(op == Operator::Ne, test))
            }
            Qualifier::Date | Qualifier::Time => self.clock(s, op, span),
            Qualifier::DayOfWeek => self.weekday(s, op, span),
            Qualifier::Version(Side::Req) => Err(self.refuse(
                span,
                construct(),
                "advanced HTTP.REQ.VERSION's text form is undocumented",
            )),
            Qualifier::ClientCert
            | Qualifier::CertSubject
            | Qualifier::CertIssuer
            | Qualifier::CertSigAlgo
            | Qualifier::CertSerialNumber
            | Qualifier::CertVersion
            | Qualifier::CertValidFrom
            | Qualifier::CertValidTo
            | Qualifier::CipherType
            | Qualifier::CipherBits
            | Qualifier::SslVersion => Err(self.refuse(
                span,
                construct(),
                "classic and advanced disagree or are undocumented without a client certificate or on plain connections",
            )),
            Qualifier::SourceIp(Side::Res)
            | Qualifier::DestIp(Side::Res)
            | Qualifier::SourcePort(Side::Res)
            | Qualifier::DestPort(Side::Res)
            | Qualifier::Mss(Side::Res)
            | Qualifier::VlanId(Side::Res)
            | Qualifier::Header(Side::Res)
            | Qualifier::Version(Side::Res)
            | Qualifier::StatusCode => Err(self.refuse(
                span,
                construct(),
                "response-side methods are outside the advanced subset nsexpr checks",
            )),
            _ => Err(self.refuse(
                span,
                construct(),
                "no advanced twin of this context qualifier in the checked subset",
            )),
        }
    }

    fn header(&mut self, s: &Simple, op: Operator, span: Span) -> Conv<AdvExpr> {
        let header = s.header.as_deref().unwrap_or_default();
        if header.is_empty() || header.len() > 32 {
            return Err(self.refuse(
                span,
                format!("the header name `{header}`"),
                "advanced header names are literals of 1 to 32 characters",
            ));
        }
        let h = || path("HTTP.REQ").with("HEADER", vec![text(header.as_bytes())]);
        let exists = h().then("EXISTS").build();
        let text = if self.options.nspepi_compatible
            && matches!(
                op,
                Operator::Contains
                    | Operator::NotContains
                    | Operator::Eq
                    | Operator::Ne
                    | Operator::Contents
            )
            && s.options.offset.is_none()
            && s.options.length.is_none()
        {
            self.inexact(
                span,
                "the header-level form tests every instance where classic tests the last (and `EQ(\"\")` is true on an absent header)",
            );
            h()
        } else {
            if !op.is_unary() || op == Operator::Contents {
                self.notes.push(Note::LastInstance {
                    header: header.to_owned(),
                    span,
                });
            }
            h().with("VALUE", vec![number(0)])
        };
        let presence = if self.options.nspepi_compatible && s.options.is_empty() {
            None
        } else {
            Some(exists)
        };
        // nspepi mode without a guard: keep nspepi's `EXISTS` for the unary operators.
        match (op, presence) {
            (Operator::Exists | Operator::NotExists, None) => {
                let e = h().then("EXISTS").build();
                Ok(negate_if(op == Operator::NotExists, e))
            }
            (_, presence) => self.text_atom(s, op, span, Subject { text, presence }),
        }
    }

    fn url(&mut self, s: &Simple, op: Operator, span: Span) -> Conv<AdvExpr> {
        if let (Operator::Eq | Operator::Ne, Some(Value::Text(pattern))) = (op, &s.value) {
            let p = || path("HTTP.REQ.URL.PATH");
            let suffix = || path("HTTP.REQ.URL.SUFFIX");
            let test = match UrlPattern::new(pattern.as_bytes()) {
                UrlPattern::Always => boolean(true),
                UrlPattern::Never => boolean(false),
                UrlPattern::Prefix(prefix) => p().with("STARTSWITH", vec![text(&prefix)]).build(),
                UrlPattern::AnyExtension(q) => {
                    let mut base = q.to_vec();
                    base.push(b'.');
                    let joined = node(AdvKind::Infix(crate::ast::advanced::Infix {
                        first: Box::new(text(&base)),
                        rest: vec![(BinOp::Add, suffix().build())],
                    }));
                    let stripped = on(joined).with("STRIP_END_CHARS", vec![text(b".")]).build();
                    p().with("EQ", vec![stripped]).build()
                }
                UrlPattern::Suffix(ext) => suffix().with("EQ", vec![text(&ext)]).build(),
                UrlPattern::PrefixAndSuffix(prefix, ext) => and(vec![
                    p().with("STARTSWITH", vec![text(&prefix)]).build(),
                    suffix().with("EQ", vec![text(&ext)]).build(),
                ]),
                UrlPattern::Exact(exact) => p().with("EQ", vec![text(&exact)]).build(),
            };
            return Ok(negate_if(op == Operator::Ne, test));
        }
        let text = if self.options.nspepi_compatible {
            self.inexact(
                span,
                "HTTP.REQ.URL includes the query; classic URL is the path",
            );
            path("HTTP.REQ.URL")
        } else {
            path("HTTP.REQ.URL.PATH")
        };
        match op {
            Operator::Exists => Ok(boolean(true)),
            Operator::NotExists => Ok(boolean(false)),
            _ => self.text_atom(
                s,
                op,
                span,
                Subject {
                    text,
                    presence: None,
                },
            ),
        }
    }

    /// The text operators over a subject that may be absent (D7 against D27).
    fn text_atom(
        &mut self,
        s: &Simple,
        op: Operator,
        span: Span,
        subject: Subject,
    ) -> Conv<AdvExpr> {
        let mut windowed = subject.text;
        if s.options.offset.is_some() || s.options.length.is_some() {
            if let Some(offset) = s.options.offset.filter(|&o| o > 0) {
                windowed = windowed.with("SKIP", vec![number(offset)]);
            }
            if let Some(length) = s.options.length {
                windowed = windowed.with("SUBSTR", vec![number(0), number(length)]);
            }
            if !op.is_unary() || op == Operator::Contents {
                self.notes.push(Note::Window { span });
            }
        }
        let present = |me: &mut Self, added: bool| match &subject.presence {
            Some(guard) => {
                if added {
                    me.notes.push(Note::GuardAdded {
                        guard: guard.to_string(),
                        span,
                    });
                }
                guard.clone()
            }
            None => boolean(true),
        };
        let value = || match &s.value {
            Some(Value::Text(v)) => Some(v.as_bytes().to_vec()),
            _ => None,
        };
        let needs_value = |me: &Self| {
            value().ok_or_else(|| {
                me.refuse(
                    span,
                    format!("`{} {op}`", s.qualifier.canonical_name()),
                    "no text operand",
                )
            })
        };
        match op {
            Operator::Exists => Ok(present(self, false)),
            Operator::NotExists => Ok(not(present(self, false))),
            Operator::Contents => Ok(windowed.then("LENGTH").with("GT", vec![number(0)]).build()),
            Operator::Contains | Operator::NotContains => {
                let v = needs_value(self)?;
                let test = if v.is_empty() {
                    present(self, true)
                } else {
                    self.notes.push(Note::IgnoreCase { span });
                    windowed
                        .with("SET_TEXT_MODE", vec![enum_word("IGNORECASE")])
                        .with("CONTAINS", vec![text(&v)])
                        .build()
                };
                Ok(negate_if(op == Operator::NotContains, test))
            }
            Operator::Eq | Operator::Ne => {
                let v = needs_value(self)?;
                let eq = windowed.with("EQ", vec![text(&v)]).build();
                let test = if v.is_empty() && subject.presence.is_some() {
                    and(vec![present(self, true), eq])
                } else {
                    eq
                };
                Ok(negate_if(op == Operator::Ne, test))
            }
            _ => Err(self.refuse(
                span,
                format!("`{} {op}`", s.qualifier.canonical_name()),
                "operator not defined on text",
            )),
        }
    }

    fn number_atom(
        &mut self,
        s: &Simple,
        op: Operator,
        span: Span,
        subject: ChainBuilder,
    ) -> Conv<AdvExpr> {
        let cmp = |name: &str, n: u64| subject.clone().with(name, vec![number(n)]).build();
        let construct = || format!("`{} {op}`", s.qualifier.canonical_name());
        match (&s.value, op) {
            (Some(Value::Range(a, b)), Operator::Eq | Operator::Ne | Operator::Between) => {
                let (lo, hi) = ((*a).min(*b), (*a).max(*b));
                let within = if self.options.nspepi_compatible {
                    self.inexact(span, "advanced BETWEEN's inclusivity is undocumented");
                    subject
                        .clone()
                        .with("BETWEEN", vec![number(lo), number(hi)])
                        .build()
                } else {
                    self.notes.push(Note::RangeSplit { span });
                    and(vec![cmp("GE", lo), cmp("LE", hi)])
                };
                Ok(negate_if(op == Operator::Ne, within))
            }
            (Some(Value::Number(n)), _) => {
                let method = match op {
                    Operator::Eq => "EQ",
                    Operator::Ne => "NE",
                    Operator::Gt => "GT",
                    Operator::Lt => "LT",
                    Operator::Ge => "GE",
                    Operator::Le => "LE",
                    _ => {
                        return Err(self.refuse(
                            span,
                            construct(),
                            "operator not defined on numbers",
                        ));
                    }
                };
                Ok(cmp(method, *n))
            }
            _ => Err(self.refuse(span, construct(), "no numeric operand")),
        }
    }

    fn ip_atom(&mut self, s: &Simple, op: Operator, span: Span, subject: &str) -> Conv<AdvExpr> {
        let construct = || format!("`{} {op}`", s.qualifier.canonical_name());
        let Some(Value::Ip(value)) = &s.value else {
            return Err(self.refuse(span, construct(), "no address"));
        };
        let IpAddr::V4(addr) = value.addr else {
            return Err(self.refuse(
                span,
                format!("the IPv6 address {}", value.addr),
                "CLIENT.IPV6 is outside the checked advanced subset",
            ));
        };
        let len = match (s.options.netmask, value.prefix) {
            (None, None) => 32,
            (None, Some(len)) => len.min(32),
            (Some(IpAddr::V4(mask)), None) => {
                let bits = u32::from(mask);
                let ones = bits.leading_ones();
                if bits.checked_shl(ones).unwrap_or(0) != 0 {
                    return Err(self.refuse(
                        span,
                        format!("the non-contiguous netmask {mask}"),
                        "IN_SUBNET takes a prefix length; no verified advanced form tests a bit mask",
                    ));
                }
                u8::try_from(ones).unwrap_or(32)
            }
            _ => {
                return Err(self.refuse(
                    span,
                    construct(),
                    "a netmask together with an inline prefix, or of another address family",
                ));
            }
        };
        self.notes.push(Note::Ipv4Only { span });
        let test = if len == 32 {
            path(subject)
                .with(
                    "EQ",
                    vec![ip(IpLit {
                        addr: IpAddr::V4(addr),
                        prefix: None,
                    })],
                )
                .build()
        } else {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            let network = Ipv4Addr::from(u32::from(addr) & mask);
            path(subject)
                .with(
                    "IN_SUBNET",
                    vec![ip(IpLit {
                        addr: IpAddr::V4(network),
                        prefix: Some(len),
                    })],
                )
                .build()
        };
        match op {
            Operator::Eq => Ok(test),
            Operator::Ne => Ok(not(test)),
            _ => Err(self.refuse(span, construct(), "operator not defined on addresses")),
        }
    }

    fn clock(&mut self, s: &Simple, op: Operator, span: Span) -> Conv<AdvExpr> {
        let construct = || format!("`{} {op}`", s.qualifier.canonical_name());
        let cmp = |name: &str, lit: TimeLit| path("SYS.TIME").with(name, vec![time(lit)]).build();
        match (&s.value, op) {
            (Some(Value::DateRange(a, b)), Operator::Between | Operator::Eq) => {
                if a.zone != b.zone {
                    return Err(self.refuse(
                        span,
                        construct(),
                        "the two ends are in different zones",
                    ));
                }
                let (lo, hi) = if a.time <= b.time { (a, b) } else { (b, a) };
                let (lo, hi) = (time_lit(lo), time_lit(hi));
                if self.options.nspepi_compatible {
                    self.inexact(
                        span,
                        "advanced BETWEEN's wording is ambiguous about its ends",
                    );
                    return Ok(path("SYS.TIME")
                        .with("BETWEEN", vec![time(lo), time(hi)])
                        .build());
                }
                self.notes.push(Note::RangeSplit { span });
                Ok(and(vec![cmp("GE", lo), cmp("LE", hi)]))
            }
            (Some(Value::Date(d)), _) if d.kind != DateKind::Cert => {
                let lit = time_lit(d);
                Ok(match op {
                    Operator::Eq => cmp("EQ", lit),
                    Operator::Ne => not(cmp("EQ", lit)),
                    Operator::Gt => cmp("GT", lit),
                    Operator::Lt => cmp("LT", lit),
                    Operator::Ge => cmp("GE", lit),
                    Operator::Le => cmp("LE", lit),
                    _ => {
                        return Err(self.refuse(
                            span,
                            construct(),
                            "operator not defined on dates",
                        ));
                    }
                })
            }
            _ => Err(self.refuse(span, construct(), "no date operand")),
        }
    }

    fn weekday(&mut self, s: &Simple, op: Operator, span: Span) -> Conv<AdvExpr> {
        let construct = || format!("`{} {op}`", s.qualifier.canonical_name());
        let (index, local) = match &s.value {
            Some(Value::Weekday(day, zone)) => (day.index(), *zone != TimeZone::Gmt),
            // A numeric weekday is GMT in classic too: compare the extractor directly.
            Some(Value::Number(_)) => {
                return self.number_atom(s, op, span, path("SYS.TIME.WEEKDAY"));
            }
            _ => return Err(self.refuse(span, construct(), "no weekday")),
        };
        if matches!(op, Operator::Eq | Operator::Ne) {
            let eq = if self.options.nspepi_compatible {
                self.inexact(span, "SYS.TIME.WEEKDAY's zone is undocumented");
                path("SYS.TIME.WEEKDAY")
                    .with("EQ", vec![number(u64::from(index))])
                    .build()
            } else {
                let lit = TimeLit {
                    local,
                    weekday: Some(index),
                    ..TimeLit::default()
                };
                path("SYS.TIME").with("EQ", vec![time(lit)]).build()
            };
            return Ok(negate_if(op == Operator::Ne, eq));
        }
        if local {
            return Err(self.refuse(
                span,
                construct(),
                "SYS.TIME.WEEKDAY reads GMT; a local-zone weekday order has no exact form",
            ));
        }
        let method = match op {
            Operator::Gt => "GT",
            Operator::Lt => "LT",
            Operator::Ge => "GE",
            Operator::Le => "LE",
            _ => return Err(self.refuse(span, construct(), "operator not defined on weekdays")),
        };
        Ok(path("SYS.TIME.WEEKDAY")
            .with(method, vec![number(u64::from(index))])
            .build())
    }
}

fn negate_if(negate: bool, e: AdvExpr) -> AdvExpr {
    if negate { not(e) } else { e }
}

/// The query is present exactly when the raw target holds a `?` (D9).
fn query_present() -> AdvExpr {
    path("HTTP.REQ.URL")
        .with("SET_TEXT_MODE", vec![enum_word("NOURLENCODED")])
        .with("CONTAINS", vec![text(b"?")])
        .build()
}

/// A zone-explicit time literal with the fields the classic literal compares.
fn time_lit(d: &DateLit) -> TimeLit {
    let t = d.time;
    let mut lit = TimeLit {
        local: d.zone != TimeZone::Gmt,
        year: u16::try_from(t.year).ok(),
        month: Some(t.month),
        day: Some(t.day),
        ..TimeLit::default()
    };
    if d.kind != DateKind::Day {
        lit.hours = Some(t.hour);
        lit.minutes = Some(t.minute);
        lit.seconds = Some(t.second);
    }
    lit
}
