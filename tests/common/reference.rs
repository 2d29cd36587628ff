//! A deliberately simple reference evaluator: walks the AST, resolves names on the fly, and
//! implements each decision with plain `String` operations. Used only by tests, to check the
//! compiled evaluator against a second, independent reading of the spec.

use std::collections::HashMap;
use std::net::IpAddr;

use nsexpr::ast::{Expr, ExprKind, Operator, Qualifier, Side, Simple, TimeZone, Value};
use nsexpr::{Context, HeaderInstance, Verdict};

/// The verified built-ins (classic-language.md 10.1), written out again for the reference.
pub const BUILTINS: &[(&str, &str)] = &[
    ("ns_non_get", "METHOD != GET"),
    (
        "ns_cachecontrol_nostore",
        "HEADER Cache-Control CONTAINS 'no-store'",
    ),
    (
        "ns_cachecontrol_nocache",
        "HEADER Cache-Control CONTAINS 'no-cache'",
    ),
    ("ns_header_pragma", "HEADER Pragma CONTAINS 'no-cache'"),
    ("ns_header_cookie", "HEADER Cookie EXISTS"),
    ("ns_ext_cgi", "URL == '/*.cgi'"),
    ("ns_ext_asp", "URL == '/*.asp'"),
    ("ns_ext_exe", "URL == '/*.exe'"),
    ("ns_ext_cfm", "URL == '/*.cfm'"),
    ("ns_ext_ex", "URL == '/*.ex'"),
    ("ns_ext_shtml", "URL == '/*.shtml'"),
    ("ns_ext_htx", "URL == '/*.htx'"),
];

/// A request as plain strings.
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
}

pub struct Reference<'a> {
    pub names: &'a HashMap<String, Expr>,
    pub instance: HeaderInstance,
    pub context: Option<&'a Context>,
}

fn kleene_and(a: Verdict, b: impl FnOnce() -> Verdict) -> Verdict {
    match a {
        Verdict::False => Verdict::False,
        Verdict::True => b(),
        // Classic rules are never UNDEF.
        Verdict::Undef => Verdict::Undef,
        Verdict::Unknown => match b() {
            Verdict::False => Verdict::False,
            _ => Verdict::Unknown,
        },
    }
}

fn kleene_or(a: Verdict, b: impl FnOnce() -> Verdict) -> Verdict {
    match a {
        Verdict::True => Verdict::True,
        Verdict::False => b(),
        Verdict::Undef => Verdict::Undef,
        Verdict::Unknown => match b() {
            Verdict::True => Verdict::True,
            _ => Verdict::Unknown,
        },
    }
}

fn b(x: bool) -> Verdict {
    if x { Verdict::True } else { Verdict::False }
}

impl Reference<'_> {
    pub fn eval(&self, expr: &Expr, req: &Req) -> Verdict {
        match &expr.kind {
            ExprKind::And(items) => items.iter().fold(Verdict::True, |acc, item| {
                kleene_and(acc, || self.eval(item, req))
            }),
            ExprKind::Or(items) => items.iter().fold(Verdict::False, |acc, item| {
                kleene_or(acc, || self.eval(item, req))
            }),
            ExprKind::Not(inner) => match self.eval(inner, req) {
                Verdict::True => Verdict::False,
                Verdict::False => Verdict::True,
                Verdict::Unknown => Verdict::Unknown,
                Verdict::Undef => Verdict::Undef,
            },
            ExprKind::Name(name) => {
                let lower = name.to_lowercase();
                match lower.as_str() {
                    "ns_true" => Verdict::True,
                    "ns_false" => Verdict::False,
                    _ => {
                        let def = self.names.get(&lower).expect("test names are defined");
                        self.eval(def, req)
                    }
                }
            }
            ExprKind::Opaque(o) => {
                match self.context.and_then(|c| c.opaque_verdicts.get(&o.text)) {
                    Some(v) => b(*v),
                    None => Verdict::Unknown,
                }
            }
            ExprKind::Simple(s) => self.simple(s, req),
            _ => Verdict::Unknown,
        }
    }

    fn simple(&self, s: &Simple, req: &Req) -> Verdict {
        let op = s.op.expect("boolean rule");
        match s.qualifier {
            Qualifier::Header(Side::Req) => {
                let name = s.header.clone().unwrap_or_default().to_lowercase();
                let values: Vec<&str> = req
                    .headers
                    .iter()
                    .filter(|(n, _)| n.to_lowercase() == name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                b(self.text_on_instances(&values, s, op))
            }
            Qualifier::Method => {
                let v = text_of(s);
                let eq = req.method.to_uppercase() == v.to_uppercase();
                b(if op == Operator::Eq { eq } else { !eq })
            }
            Qualifier::Url => {
                let path = path_of(&req.target);
                match op {
                    Operator::Eq => b(url_matches(&text_of(s), &path)),
                    Operator::Ne => b(!url_matches(&text_of(s), &path)),
                    _ => b(text_op(Some(&path), s, op)),
                }
            }
            Qualifier::UrlQuery => b(text_op(query_of(&req.target).as_deref(), s, op)),
            Qualifier::Version(Side::Req) => b(text_op(Some(&req.version), s, op)),
            Qualifier::UrlLen => b(num_op(req.target.len() as u64, s, op)),
            Qualifier::UrlQueryLen => b(num_op(
                query_of(&req.target).map_or(0, |q| q.len()) as u64,
                s,
                op,
            )),
            Qualifier::UrlTokens => {
                let Some(Value::Tokens(t)) = &s.value else {
                    panic!("tokens")
                };
                let any = t.iter().any(|c| req.target.contains(*c));
                b(if op == Operator::Eq { any } else { !any })
            }
            Qualifier::SourceIp(Side::Req) | Qualifier::DestIp(Side::Req) => {
                let ctx = match self.context {
                    Some(c) => c,
                    None => return Verdict::Unknown,
                };
                let ip = if matches!(s.qualifier, Qualifier::SourceIp(_)) {
                    ctx.request_net.source_ip
                } else {
                    ctx.request_net.dest_ip
                };
                match ip {
                    None => Verdict::Unknown,
                    Some(ip) => {
                        let eq = ip_eq(ip, s);
                        b(if op == Operator::Eq { eq } else { !eq })
                    }
                }
            }
            Qualifier::DestPort(Side::Req) | Qualifier::SourcePort(Side::Req) => {
                let port = self.context.and_then(|c| {
                    if matches!(s.qualifier, Qualifier::DestPort(_)) {
                        c.request_net.dest_port
                    } else {
                        c.request_net.source_port
                    }
                });
                match port {
                    None => Verdict::Unknown,
                    Some(p) => b(num_op(u64::from(p), s, op)),
                }
            }
            Qualifier::VlanId(Side::Req) => match self.context.and_then(|c| c.request_net.vlan) {
                None => Verdict::Unknown,
                Some(v) => b(num_op(v, s, op)),
            },
            Qualifier::DayOfWeek => match self.context.and_then(|c| c.clock) {
                None => Verdict::Unknown,
                Some(clock) => {
                    let Some(Value::Weekday(day, zone)) = &s.value else {
                        panic!("weekday")
                    };
                    let offset = match zone {
                        TimeZone::Gmt => 0,
                        TimeZone::Local(_) => match clock.local_offset {
                            Some(o) => i64::from(o),
                            None => return Verdict::Unknown,
                        },
                    };
                    let today = ((clock.unix + offset).div_euclid(86_400) + 4).rem_euclid(7) as u64;
                    let want = u64::from(day.index());
                    b(cmp(op, today, want, None))
                }
            },
            Qualifier::Date => match self.context.and_then(|c| c.clock) {
                None => Verdict::Unknown,
                Some(clock) => {
                    let day = clock.unix.div_euclid(86_400);
                    match &s.value {
                        Some(Value::Date(d)) => {
                            let want = d.time.to_unix().div_euclid(86_400);
                            b(cmp_i(op, day, want, None))
                        }
                        Some(Value::DateRange(a, c)) => b(cmp_i(
                            op,
                            day,
                            a.time.to_unix().div_euclid(86_400),
                            Some(c.time.to_unix().div_euclid(86_400)),
                        )),
                        _ => panic!("date"),
                    }
                }
            },
            // Everything else is context the reference tests do not supply.
            _ => Verdict::Unknown,
        }
    }

    fn text_on_instances(&self, values: &[&str], s: &Simple, op: Operator) -> bool {
        if values.is_empty() {
            return text_op(None, s, op);
        }
        match self.instance {
            HeaderInstance::Last => text_op(values.last().copied(), s, op),
            HeaderInstance::First => text_op(values.first().copied(), s, op),
            HeaderInstance::Any => {
                let negative = matches!(
                    op,
                    Operator::NotContains | Operator::Ne | Operator::NotExists
                );
                if negative {
                    values.iter().all(|v| text_op(Some(v), s, op))
                } else {
                    values.iter().any(|v| text_op(Some(v), s, op))
                }
            }
        }
    }
}

fn text_of(s: &Simple) -> String {
    match &s.value {
        Some(Value::Text(t)) => t.clone(),
        other => panic!("text value expected, got {other:?}"),
    }
}

/// D5 window on characters == bytes for the ASCII test data.
fn window(subject: &str, s: &Simple) -> String {
    let bytes = subject.as_bytes();
    let start = (s.options.offset.unwrap_or(0) as usize).min(bytes.len());
    let end = match s.options.length {
        Some(l) => (start + l as usize).min(bytes.len()),
        None => bytes.len(),
    };
    String::from_utf8_lossy(&bytes[start..end]).into_owned()
}

/// D7 / D8 text operators.
fn text_op(subject: Option<&str>, s: &Simple, op: Operator) -> bool {
    let Some(subject) = subject else {
        return matches!(
            op,
            Operator::NotExists | Operator::NotContains | Operator::Ne
        );
    };
    let w = window(subject, s);
    match op {
        Operator::Exists => true,
        Operator::NotExists => false,
        Operator::Contents => !w.is_empty(),
        Operator::Contains => w
            .to_ascii_lowercase()
            .contains(&text_of(s).to_ascii_lowercase()),
        Operator::NotContains => !w
            .to_ascii_lowercase()
            .contains(&text_of(s).to_ascii_lowercase()),
        Operator::Eq => w == text_of(s),
        Operator::Ne => w != text_of(s),
        other => panic!("not a text operator: {other:?}"),
    }
}

fn cmp(op: Operator, n: u64, v: u64, hi: Option<u64>) -> bool {
    match (op, hi) {
        (Operator::Eq | Operator::Between, Some(h)) => n >= v.min(h) && n <= v.max(h),
        (Operator::Ne, Some(h)) => !(n >= v.min(h) && n <= v.max(h)),
        (Operator::Eq | Operator::Between, None) => n == v,
        (Operator::Ne, None) => n != v,
        (Operator::Gt, _) => n > v,
        (Operator::Lt, _) => n < v,
        (Operator::Ge, _) => n >= v,
        (Operator::Le, _) => n <= v,
        other => panic!("not numeric: {other:?}"),
    }
}

fn cmp_i(op: Operator, n: i64, v: i64, hi: Option<i64>) -> bool {
    let shift = |x: i64| (x + (1 << 40)) as u64;
    cmp(op, shift(n), shift(v), hi.map(shift))
}

fn num_op(n: u64, s: &Simple, op: Operator) -> bool {
    match &s.value {
        Some(Value::Number(v)) => cmp(op, n, *v, None),
        Some(Value::Range(a, c)) => cmp(op, n, *a, Some(*c)),
        other => panic!("number expected, got {other:?}"),
    }
}

fn ip_eq(ip: IpAddr, s: &Simple) -> bool {
    let Some(Value::Ip(want)) = &s.value else {
        panic!("ip")
    };
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match (ip, want.addr) {
        (IpAddr::V4(a), IpAddr::V4(w)) => {
            let mask = match (s.options.netmask, want.prefix) {
                (Some(IpAddr::V4(m)), _) => u32::from(m),
                (_, Some(len)) => {
                    if len == 0 {
                        0
                    } else {
                        u32::MAX << (32 - u32::from(len))
                    }
                }
                _ => u32::MAX,
            };
            u32::from(a) & mask == u32::from(w) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(w)) => {
            let mask = match want.prefix {
                Some(len) => {
                    if len == 0 {
                        0
                    } else {
                        u128::MAX << (128 - u32::from(len))
                    }
                }
                None => u128::MAX,
            };
            u128::from(a) & mask == u128::from(w) & mask
        }
        _ => false,
    }
}

/// D9 path: without query or fragment; absolute form keeps the path.
pub fn path_of(target: &str) -> String {
    let no_frag = target.split('#').next().unwrap_or("");
    let path = no_frag.split('?').next().unwrap_or("");
    if let Some(i) = path.find("://") {
        let after = &path[i + 3..];
        return match after.find('/') {
            Some(j) => after[j..].to_string(),
            None => "/".to_string(),
        };
    }
    path.to_string()
}

pub fn query_of(target: &str) -> Option<String> {
    let no_frag = target.split('#').next().unwrap_or("");
    no_frag.find('?').map(|i| no_frag[i + 1..].to_string())
}

fn suffix(path: &str) -> String {
    let seg = path.rsplit('/').next().unwrap_or("");
    match seg.rfind('.') {
        Some(i) => seg[i + 1..].to_string(),
        None => String::new(),
    }
}

/// The section-6 wildcard table, row by row, with strings.
pub fn url_matches(p: &str, path: &str) -> bool {
    let any_ext = |q: &str| {
        let candidate = format!("{q}.{}", suffix(path));
        path == candidate.trim_end_matches('.')
    };
    if p == "/*" {
        true
    } else if p.ends_with('.') {
        false
    } else if let Some(pre) = p.strip_suffix("*.*") {
        path.starts_with(pre)
    } else if let Some(q) = p.strip_suffix(".*") {
        any_ext(q)
    } else if let Some(pre) = p.strip_suffix('*') {
        path.starts_with(pre)
    } else if !p.rsplit('/').next().unwrap_or("").contains('.') {
        any_ext(p)
    } else {
        let dot = p.rfind('.').unwrap();
        let (before, ext) = (&p[..dot], &p[dot + 1..]);
        if before == "/" {
            suffix(path) == ext
        } else if let Some(head) = before.strip_suffix('*') {
            let prefix = head.split('*').next().unwrap_or("");
            path.starts_with(prefix) && suffix(path) == ext
        } else {
            path == p
        }
    }
}
