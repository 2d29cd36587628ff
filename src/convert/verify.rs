//! The proof harness: an adversarial request set built from a classic rule's own atoms, and a
//! checker that runs the classic program and a converted evaluator on every request.
//!
//! The classes follow section 7 of the advanced spec: per header atom absent, empty, equal,
//! case-variant, not containing, repeated with the value first / last / both, 16 instances;
//! per URL pattern each wildcard class with and without extension and query; boundary numbers;
//! addresses inside and outside each subnet, IPv6 and IPv4-mapped; clocks at the literal's
//! bounds; and every context input both supplied and missing.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ast::{DateLit, Expr, ExprKind, Qualifier, Simple, Value};
use crate::eval::{Clock, HeaderKey, ListValues, RequestView};
use crate::{CompileOptions, Context, NamedExpressions, Program, Verdict};

/// An owned request of the adversarial set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Method token.
    pub method: Vec<u8>,
    /// Request target as sent.
    pub target: Vec<u8>,
    /// Version text.
    pub version: Vec<u8>,
    /// Headers in order, duplicates kept.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Default for Probe {
    fn default() -> Probe {
        Probe {
            method: b"GET".to_vec(),
            target: b"/".to_vec(),
            version: b"HTTP/1.1".to_vec(),
            headers: Vec::new(),
        }
    }
}

impl RequestView for Probe {
    type Values<'a>
        = ListValues<'a, String, Vec<u8>>
    where
        Self: 'a;

    fn method(&self) -> &[u8] {
        &self.method
    }
    fn target(&self) -> &[u8] {
        &self.target
    }
    fn version(&self) -> &[u8] {
        &self.version
    }
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        ListValues::new(key, &self.headers)
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        write!(
            f,
            "{} {} {}",
            show(&self.method),
            show(&self.target),
            show(&self.version)
        )?;
        for (name, value) in &self.headers {
            write!(f, "\n{name}: {}", show(value))?;
        }
        Ok(())
    }
}

/// One request of the set with its context and the atom class it was built for.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The request.
    pub request: Probe,
    /// The caller context.
    pub context: Context,
    /// The classic atom and the class, such as `REQ.HTTP.HEADER A EXISTS: two instances`.
    pub atom: String,
}

/// The first request on which the two evaluators disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// Its position in the set.
    pub index: usize,
    /// The request, context and responsible atom.
    pub case: Case,
    /// The classic verdict.
    pub classic: Verdict,
    /// The converted rule's verdict.
    pub converted: Verdict,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "request {} ({}): classic {}, converted {}\n{}\ncontext: {:?}",
            self.index,
            self.case.atom,
            self.classic,
            self.converted,
            self.case.request,
            self.case.context
        )
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Requests evaluated.
    pub checked: usize,
    /// The first disagreement, if any.
    pub disagreement: Option<Disagreement>,
}

impl Verification {
    /// Whether both evaluators agreed on every request.
    pub fn is_equivalent(&self) -> bool {
        self.disagreement.is_none()
    }
}

/// Runs `classic` and `converted` on every case and stops at the first disagreement.
pub fn verify(
    classic: &Program,
    converted: impl Fn(&Probe, &Context) -> Verdict,
    cases: &[Case],
) -> Verification {
    for (index, case) in cases.iter().enumerate() {
        let expected = classic.eval_with(&case.request, &case.context);
        let got = converted(&case.request, &case.context);
        if expected != got {
            return Verification {
                checked: index + 1,
                disagreement: Some(Disagreement {
                    index,
                    case: case.clone(),
                    classic: expected,
                    converted: got,
                }),
            };
        }
    }
    Verification {
        checked: cases.len(),
        disagreement: None,
    }
}

/// One change to the base request or context.
#[derive(Debug, Clone)]
enum Tweak {
    Header(String, Vec<Vec<u8>>),
    Target(Vec<u8>),
    Method(Vec<u8>),
    SourceIp(Option<IpAddr>),
    DestIp(Option<IpAddr>),
    SourcePort(Option<u16>),
    DestPort(Option<u16>),
    Mss(Option<u64>),
    Vlan(Option<u64>),
    Location(Option<String>),
    Clock(Option<Clock>),
}

impl Tweak {
    fn apply(&self, request: &mut Probe, context: &mut Context) {
        let net = &mut context.request_net;
        match self {
            Tweak::Header(name, values) => {
                request
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                request
                    .headers
                    .extend(values.iter().map(|v| (name.clone(), v.clone())));
            }
            Tweak::Target(t) => request.target.clone_from(t),
            Tweak::Method(m) => request.method.clone_from(m),
            Tweak::SourceIp(ip) => net.source_ip = *ip,
            Tweak::DestIp(ip) => net.dest_ip = *ip,
            Tweak::SourcePort(p) => net.source_port = *p,
            Tweak::DestPort(p) => net.dest_port = *p,
            Tweak::Mss(n) => net.mss = *n,
            Tweak::Vlan(n) => net.vlan = *n,
            Tweak::Location(l) => context.location.clone_from(l),
            Tweak::Clock(c) => context.clock = *c,
        }
    }
}

/// The atoms of a rule, named expressions expanded (each definition once).
fn atoms(expr: &Expr, names: &NamedExpressions) -> Vec<(Simple, String)> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut stack: Vec<Expr> = vec![expr.clone()];
    while let Some(e) = stack.pop() {
        match e.kind {
            ExprKind::Or(items) | ExprKind::And(items) => stack.extend(items.into_iter().rev()),
            ExprKind::Not(inner) => stack.push(*inner),
            ExprKind::Simple(ref s) => out.push((s.clone(), e.to_string())),
            ExprKind::Name(n) => {
                let lower = n.to_ascii_lowercase();
                if seen.contains(&lower) {
                    continue;
                }
                if let Some(parsed) = names
                    .lookup(&lower, false)
                    .and_then(|d| d.parse(&crate::syntax::ParseOptions::default()).ok())
                {
                    stack.push(parsed);
                }
                seen.push(lower);
            }
            ExprKind::Opaque(_) => {}
        }
    }
    out
}

/// Builds the adversarial set for a classic rule; `names` resolves its named expressions.
pub fn adversarial_set(expr: &Expr, names: &NamedExpressions) -> Vec<Case> {
    let atoms = atoms(expr, names);
    let options = CompileOptions::default();
    let tweaks: Vec<Vec<(String, Tweak)>> = atoms.iter().map(|(s, _)| tweaks_for(s)).collect();
    // For each atom, one tweak that makes it true on the base request (when there is one), so
    // the other atoms can be exercised under a satisfied conjunction.
    let witnesses: Vec<Option<Tweak>> = atoms
        .iter()
        .zip(&tweaks)
        .map(|((s, text), list)| {
            let atom = Expr::new(ExprKind::Simple(s.clone()), expr.span);
            let program = Program::compile(&atom, text, names, &options).ok()?;
            list.iter().find_map(|(_, t)| {
                let (mut request, mut context) = (Probe::default(), Context::default());
                t.apply(&mut request, &mut context);
                (program.eval_with(&request, &context) == Verdict::True).then(|| t.clone())
            })
        })
        .collect();
    let mut cases = vec![Case {
        request: Probe::default(),
        context: Context::default(),
        atom: "base request, empty context".to_owned(),
    }];
    for (i, ((_, text), list)) in atoms.iter().zip(&tweaks).enumerate() {
        for (label, tweak) in list {
            for with_witnesses in [false, true] {
                let (mut request, mut context) = (Probe::default(), Context::default());
                if with_witnesses {
                    for (j, w) in witnesses.iter().enumerate() {
                        if let Some(w) = w.as_ref().filter(|_| j != i) {
                            w.apply(&mut request, &mut context);
                        }
                    }
                }
                tweak.apply(&mut request, &mut context);
                let others = if with_witnesses {
                    ", others satisfied"
                } else {
                    ""
                };
                cases.push(Case {
                    request,
                    context,
                    atom: format!("{text}: {label}{others}"),
                });
            }
        }
    }
    cases
}

fn swap_case(v: &[u8]) -> Vec<u8> {
    v.iter()
        .map(|&b| {
            if b.is_ascii_lowercase() {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            }
        })
        .collect()
}

fn text_value(s: &Simple) -> Vec<u8> {
    match &s.value {
        Some(Value::Text(t)) => t.as_bytes().to_vec(),
        _ => b"x".to_vec(),
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn tweaks_for(s: &Simple) -> Vec<(String, Tweak)> {
    let mut out: Vec<(String, Tweak)> = Vec::new();
    let mut push = |label: &str, t: Tweak| out.push((label.to_owned(), t));
    let v = text_value(s);
    let pad = vec![
        b'a';
        usize::try_from(s.options.offset.unwrap_or(0))
            .unwrap_or(0)
            .min(64)
    ];
    match s.qualifier {
        Qualifier::Header(_) => {
            let name = s.header.clone().unwrap_or_default();
            let h = |values: Vec<Vec<u8>>| Tweak::Header(name.clone(), values);
            let hit = cat(&[&pad, &v]);
            let other = b"zzz".to_vec();
            push("absent", h(vec![]));
            push("one empty instance", h(vec![vec![]]));
            push("one instance equal", h(vec![hit.clone()]));
            push("case variant", h(vec![cat(&[&pad, &swap_case(&v)])]));
            push("containing", h(vec![cat(&[&pad, b"<", &v, b">"])]));
            push("longer", h(vec![cat(&[&hit, b"x"])]));
            push(
                "shorter",
                h(vec![
                    v.get(..v.len().saturating_sub(1)).unwrap_or(&[]).to_vec(),
                ]),
            );
            push("not containing", h(vec![other.clone()]));
            push("non-ASCII before", h(vec![cat(&["é".as_bytes(), &hit])]));
            push(
                "value only in the first",
                h(vec![hit.clone(), other.clone()]),
            );
            push("value only in the last", h(vec![other, hit.clone()]));
            push("value in both", h(vec![hit.clone(), hit.clone()]));
            push("sixteen instances", h(vec![hit.clone(); 16]));
            push(
                "name in another case",
                Tweak::Header(
                    swap_case(name.as_bytes())
                        .into_iter()
                        .map(char::from)
                        .collect(),
                    vec![hit],
                ),
            );
        }
        Qualifier::Url => {
            let p = v.clone();
            let star = |with: &[u8]| -> Vec<u8> {
                let mut o = Vec::new();
                for &b in &p {
                    if b == b'*' {
                        o.extend_from_slice(with);
                    } else {
                        o.push(b);
                    }
                }
                if o.first() != Some(&b'/') {
                    o.insert(0, b'/');
                }
                o
            };
            let mut bases = vec![star(b""), star(b"x"), star(b"x/y"), star(b"*")];
            bases.dedup();
            for b in &bases {
                let stem = match b.iter().rposition(|&c| c == b'.') {
                    Some(dot) => b.get(..dot).unwrap_or(b).to_vec(),
                    None => b.clone(),
                };
                for (label, target) in [
                    ("path", b.clone()),
                    ("path + .html", cat(&[b, b".html"])),
                    ("path + .tar.gz", cat(&[b, b".tar.gz"])),
                    ("path + .", cat(&[b, b"."])),
                    ("path without extension", stem.clone()),
                    ("stem + .gif", cat(&[&stem, b".gif"])),
                    ("path with query", cat(&[b, b"?q=", b])),
                    ("pattern in the query", cat(&[b"/?", b])),
                    ("case variant", swap_case(b)),
                    (
                        "percent-encoded",
                        cat(&[b"/%2F", b.get(1..).unwrap_or(&[])]),
                    ),
                ] {
                    push(label, Tweak::Target(target));
                }
            }
            push("root", Tweak::Target(b"/".to_vec()));
            push("other path", Tweak::Target(b"/zzz".to_vec()));
            push("query alone", Tweak::Target(b"/?".to_vec()));
        }
        Qualifier::UrlQuery => {
            for (label, target) in [
                ("no query", b"/".to_vec()),
                ("? alone", b"/?".to_vec()),
                ("query equal", cat(&[b"/?", &pad, &v])),
                ("query case variant", cat(&[b"/?", &pad, &swap_case(&v)])),
                ("query containing", cat(&[b"/?", &pad, b"a", &v, b"b"])),
                ("value in the path", cat(&[b"/", &v, b"?z"])),
                ("other query", b"/?zzz".to_vec()),
                ("two question marks", cat(&[b"/??", &v])),
            ] {
                push(label, Tweak::Target(target));
            }
        }
        Qualifier::UrlLen | Qualifier::UrlQueryLen => {
            let query = s.qualifier == Qualifier::UrlQueryLen;
            if query {
                push("no query", Tweak::Target(b"/".to_vec()));
            }
            for k in bounds(s) {
                for n in [k.saturating_sub(1), k, k.saturating_add(1)] {
                    let n = usize::try_from(n).unwrap_or(0).min(8192);
                    let target = if query {
                        cat(&[b"/?", &vec![b'a'; n]])
                    } else {
                        cat(&[b"/", &vec![b'a'; n.saturating_sub(1)]])
                    };
                    push(&format!("length {n}"), Tweak::Target(target));
                }
            }
        }
        Qualifier::UrlTokens => {
            if let Some(Value::Tokens(tokens)) = &s.value {
                for c in tokens {
                    let c = c.to_string();
                    push(
                        "token in the path",
                        Tweak::Target(cat(&[b"/a", c.as_bytes()])),
                    );
                    push(
                        "token in the query",
                        Tweak::Target(cat(&[b"/?", c.as_bytes()])),
                    );
                }
            }
            push("no token", Tweak::Target(b"/plain".to_vec()));
        }
        Qualifier::Method => {
            for m in [
                v.clone(),
                v.to_ascii_lowercase(),
                swap_case(&v),
                b"POST".to_vec(),
                b"GET".to_vec(),
                b"FOO".to_vec(),
            ] {
                push("method", Tweak::Method(m));
            }
        }
        Qualifier::SourceIp(_) | Qualifier::DestIp(_) => {
            let make: fn(Option<IpAddr>) -> Tweak = if matches!(s.qualifier, Qualifier::SourceIp(_))
            {
                Tweak::SourceIp
            } else {
                Tweak::DestIp
            };
            push("no address", make(None));
            if let Some(Value::Ip(value)) = &s.value {
                if let IpAddr::V4(a) = value.addr {
                    let bits = u32::from(a);
                    let len = match (s.options.netmask, value.prefix) {
                        (Some(IpAddr::V4(m)), _) => u32::from(m).leading_ones(),
                        (_, Some(l)) => u32::from(l.min(32)),
                        _ => 32,
                    };
                    let flip = |bit: u32| Ipv4Addr::from(bits ^ (1u32 << (31 - bit.min(31))));
                    push("the address", make(Some(IpAddr::V4(a))));
                    push("last bit flipped", make(Some(IpAddr::V4(flip(31)))));
                    push(
                        "inside the mask",
                        make(Some(IpAddr::V4(flip(len.saturating_sub(1))))),
                    );
                    push("just outside the mask", make(Some(IpAddr::V4(flip(len)))));
                    push("first bit flipped", make(Some(IpAddr::V4(flip(0)))));
                    push(
                        "IPv4-mapped IPv6",
                        make(Some(IpAddr::V6(a.to_ipv6_mapped()))),
                    );
                }
                push("the literal", make(Some(value.addr)));
            }
            push(
                "IPv6",
                make(Some(IpAddr::V6(Ipv6Addr::new(
                    0x2001, 0xdb8, 0, 0, 0, 0, 0, 1,
                )))),
            );
        }
        Qualifier::SourcePort(_) | Qualifier::DestPort(_) => {
            let make: fn(Option<u16>) -> Tweak = if matches!(s.qualifier, Qualifier::SourcePort(_))
            {
                Tweak::SourcePort
            } else {
                Tweak::DestPort
            };
            push("no port", make(None));
            for k in bounds(s) {
                for n in [k.saturating_sub(1), k, k.saturating_add(1)] {
                    push(&format!("port {n}"), make(u16::try_from(n).ok()));
                }
            }
        }
        Qualifier::Mss(_) | Qualifier::VlanId(_) => {
            let make: fn(Option<u64>) -> Tweak = if matches!(s.qualifier, Qualifier::Mss(_)) {
                Tweak::Mss
            } else {
                Tweak::Vlan
            };
            push("not supplied", make(None));
            for k in bounds(s) {
                for n in [k.saturating_sub(1), k, k.saturating_add(1)] {
                    push(&format!("value {n}"), make(Some(n)));
                }
            }
        }
        Qualifier::Location => {
            let text = String::from_utf8_lossy(&v).into_owned();
            push("no location", Tweak::Location(None));
            push("the pattern", Tweak::Location(Some(text.clone())));
            push(
                "wildcards filled",
                Tweak::Location(Some(text.replace('*', "X"))),
            );
            push(
                "elsewhere",
                Tweak::Location(Some("Other.Place.A.B.C.D".to_owned())),
            );
        }
        Qualifier::Date | Qualifier::Time | Qualifier::DayOfWeek => {
            push("no clock", Tweak::Clock(None));
            let mut instants: Vec<i64> = Vec::new();
            match &s.value {
                Some(Value::Date(d)) => instants.push(d.time.to_unix()),
                Some(Value::DateRange(a, b)) => {
                    instants.extend([a, b].map(|d: &DateLit| d.time.to_unix()));
                }
                Some(Value::Weekday(day, _)) => {
                    // 1970-01-04 was a Sunday.
                    instants.push(259_200 + i64::from(day.index()) * 86_400);
                }
                _ => {}
            }
            for t in instants {
                for delta in [-86_400, -1, 0, 1, 86_399, 86_400] {
                    for offset in [None, Some(0), Some(3600)] {
                        push(
                            &format!("clock {delta:+}s, local offset {offset:?}"),
                            Tweak::Clock(Some(Clock {
                                unix: t + delta,
                                local_offset: offset,
                            })),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// The numbers a numeric atom compares with.
fn bounds(s: &Simple) -> Vec<u64> {
    match &s.value {
        Some(Value::Number(n)) => vec![*n, 0],
        Some(Value::Range(a, b)) => vec![*a, *b, 0],
        _ => vec![0],
    }
}
