//! A deliberately simple reference evaluator for advanced rules (D21-D32): walks the parsed
//! syntax tree directly (recursively; test inputs are small), with owned values and outcome
//! sets, sharing nothing with the compiler's checker, lowering or IR. `SYS.EVAL_CLASSIC_EXPR`
//! delegates to the classic engine, which has its own reference.

use std::collections::HashMap;
use std::net::IpAddr;

use nsexpr::ast::advanced::{AdvExpr, AdvKind, BinOp, Call, ChainHead, IpLit, TimeLit};
use nsexpr::syntax::advanced::parse_advanced;

/// A request with its context.
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub user: Option<String>,
    pub groups: Option<Vec<String>>,
    pub client_ip: Option<IpAddr>,
    pub clock: Option<i64>,
}

/// Pattern sets and advanced named expressions, by upper-case name.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub patsets: HashMap<String, Vec<Vec<u8>>>,
    pub names: HashMap<String, String>,
}

/// The verdict of an outcome set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    True,
    False,
    Undef,
    Unknown,
}

const T: u8 = 1;
const F: u8 = 2;
const X: u8 = 4;

#[derive(Debug, Clone)]
enum V {
    Bool(u8),
    Num(i64),
    Text(Vec<u8>),
    /// Header instances in arrival order.
    Header(Vec<Vec<u8>>),
    Method(Vec<u8>),
    Ip(IpAddr),
    Time(i64),
    List(Vec<String>),
    Unknown,
    Undef,
}

/// Evaluates `rule` on `req`.
pub fn eval(rule: &str, req: &Req, env: &Env) -> Outcome {
    let Ok(expr) = parse_advanced(rule) else {
        return Outcome::Unknown;
    };
    match boolean(&expr, req, env) {
        T => Outcome::True,
        F => Outcome::False,
        X => Outcome::Undef,
        _ => Outcome::Unknown,
    }
}

fn boolean(e: &AdvExpr, req: &Req, env: &Env) -> u8 {
    to_set(&value(e, req, env))
}

fn to_set(v: &V) -> u8 {
    match v {
        V::Bool(s) => *s,
        V::Undef => X,
        _ => T | F,
    }
}

fn b(x: bool) -> V {
    V::Bool(if x { T } else { F })
}

fn not(s: u8) -> u8 {
    ((s & T) << 1) | ((s & F) >> 1) | (s & X)
}

fn value(e: &AdvExpr, req: &Req, env: &Env) -> V {
    match &e.kind {
        AdvKind::Bool(x) => b(*x),
        AdvKind::Number { value, .. } => i64::try_from(*value).map_or(V::Undef, V::Num),
        AdvKind::Text(t) => V::Text(t.clone()),
        AdvKind::Not(inner) => V::Bool(not(boolean(inner, req, env))),
        AdvKind::Neg(inner) => match value(inner, req, env) {
            V::Num(n) => n.checked_neg().map_or(V::Undef, V::Num),
            other => poison(&[other]),
        },
        AdvKind::Infix(infix) => {
            let mut acc = value(&infix.first, req, env);
            for (op, right) in &infix.rest {
                acc = match op {
                    BinOp::And => {
                        let left = to_set(&acc);
                        if left & T == 0 {
                            V::Bool(left)
                        } else {
                            V::Bool((left & !T) | boolean(right, req, env))
                        }
                    }
                    BinOp::Or => {
                        let left = to_set(&acc);
                        if left & F == 0 {
                            V::Bool(left)
                        } else {
                            V::Bool((left & !F) | boolean(right, req, env))
                        }
                    }
                    _ => binary(*op, acc, value(right, req, env)),
                };
            }
            acc
        }
        AdvKind::Chain(chain) => {
            let mut calls: Vec<&Call> = Vec::new();
            let start = match &chain.head {
                ChainHead::Expr(inner) => Some(value(inner, req, env)),
                ChainHead::Word(call) => {
                    calls.push(call);
                    None
                }
            };
            calls.extend(chain.calls.iter());
            chain_value(start, &calls, req, env)
        }
        _ => V::Unknown,
    }
}

fn poison(vals: &[V]) -> V {
    if vals.iter().any(|v| matches!(v, V::Undef)) {
        V::Undef
    } else {
        V::Unknown
    }
}

fn text_of(v: &V) -> Option<Vec<u8>> {
    match v {
        V::Text(t) | V::Method(t) => Some(t.clone()),
        V::Header(h) => Some(h.last().cloned().unwrap_or_default()),
        _ => None,
    }
}

fn binary(op: BinOp, l: V, r: V) -> V {
    if matches!(l, V::Undef | V::Unknown) || matches!(r, V::Undef | V::Unknown) {
        return poison(&[l, r]);
    }
    match (l, r) {
        (V::Num(a), V::Num(c)) => {
            let num = |x: Option<i64>| x.map_or(V::Undef, V::Num);
            match op {
                BinOp::Add => num(a.checked_add(c)),
                BinOp::Sub => num(a.checked_sub(c)),
                BinOp::Mul => num(a.checked_mul(c)),
                BinOp::Div => num(a.checked_div(c)),
                BinOp::Rem => num(a.checked_rem(c)),
                BinOp::BitAnd => V::Num(a & c),
                BinOp::BitOr => V::Num(a | c),
                BinOp::BitXor => V::Num(a ^ c),
                _ => b(compare(op, a.cmp(&c))),
            }
        }
        (V::Bool(a), V::Bool(c)) => b(compare(op, (a & T).cmp(&(c & T)))),
        (l, r) => match (text_of(&l), text_of(&r)) {
            (Some(a), Some(c)) if op == BinOp::Add => V::Text([a, c].concat()),
            (Some(a), Some(c)) => b(compare(op, a.cmp(&c))),
            _ => V::Unknown,
        },
    }
}

fn compare(op: BinOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        BinOp::Eq => o == Equal,
        BinOp::Ne => o != Equal,
        BinOp::Lt => o == Less,
        BinOp::Le => o != Greater,
        BinOp::Gt => o == Greater,
        _ => o != Less,
    }
}

fn word(call: &Call) -> String {
    call.name.to_ascii_uppercase()
}

fn arg(call: &Call, i: usize) -> Option<&AdvExpr> {
    call.args.as_ref().and_then(|a| a.get(i))
}

fn text_arg(call: &Call, i: usize, req: &Req, env: &Env) -> Option<Vec<u8>> {
    text_of(&value(arg(call, i)?, req, env))
}

fn num_arg(call: &Call, i: usize, req: &Req, env: &Env) -> Option<i64> {
    match value(arg(call, i)?, req, env) {
        V::Num(n) => Some(n),
        _ => None,
    }
}

fn header(req: &Req, name: &[u8]) -> Vec<Vec<u8>> {
    req.headers
        .iter()
        .filter(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().as_bytes().to_vec())
        .collect()
}

/// The source a prefix path names, and how many calls it used.
fn source(calls: &[&Call], req: &Req, env: &Env) -> (V, usize) {
    let names: Vec<String> = calls.iter().map(|c| word(c)).collect();
    let at = |i: usize| names.get(i).map(String::as_str).unwrap_or("");
    match (at(0), at(1), at(2)) {
        ("HTTP", "REQ", "HEADER") => {
            let name = calls
                .get(2)
                .and_then(|c| text_arg(c, 0, req, env))
                .unwrap_or_default();
            (V::Header(header(req, &name)), 3)
        }
        ("HTTP", "REQ", "URL") => (V::Text(req.target.as_bytes().to_vec()), 3),
        ("HTTP", "REQ", "METHOD") => (V::Method(req.method.as_bytes().to_vec()), 3),
        ("HTTP", "REQ", "HOSTNAME") => {
            let host = header(req, b"Host").pop().unwrap_or_default();
            (V::Text(host), 3)
        }
        ("HTTP", "REQ", _) | ("HTTP", _, _) => (V::Unknown, calls.len()),
        ("CLIENT", "IP", "SRC") => {
            let ip = match req.client_ip {
                Some(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4),
                other => other,
            };
            (ip.map_or(V::Unknown, V::Ip), 3)
        }
        ("CLIENT", "IPV6", "SRC") => {
            let ip = req.client_ip.filter(|ip| ip.is_ipv6());
            (ip.map_or(V::Unknown, V::Ip), 3)
        }
        ("SYS", "TIME", _) => (req.clock.map_or(V::Unknown, V::Time), 2),
        ("SYS", "EVAL_CLASSIC_EXPR", _) => {
            let text = calls
                .get(1)
                .and_then(|c| text_arg(c, 0, req, env))
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&text).into_owned();
            (classic(&text, req), 2)
        }
        ("AAA", "USER", "NAME") => (
            req.user
                .as_ref()
                .map_or(V::Unknown, |u| V::Text(u.as_bytes().to_vec())),
            3,
        ),
        ("AAA", "USER", "IS_MEMBER_OF") => {
            let group = calls
                .get(2)
                .and_then(|c| text_arg(c, 0, req, env))
                .unwrap_or_default();
            let v = req
                .groups
                .as_ref()
                .map_or(V::Unknown, |g| b(g.iter().any(|x| x.as_bytes() == group)));
            (v, 3)
        }
        ("AAA", "USER", "GROUPS") => (req.groups.clone().map_or(V::Unknown, V::List), 3),
        (name, _, _) => match env.names.get(name) {
            Some(text) => match parse_advanced(text) {
                Ok(body) => (value(&body, req, env), 1),
                Err(_) => (V::Unknown, calls.len()),
            },
            None => (V::Unknown, calls.len()),
        },
    }
}

fn classic(text: &str, req: &Req) -> V {
    let Ok(program) = nsexpr::Program::builder()
        .syntax(nsexpr::Syntax::Classic)
        .build(text)
    else {
        return V::Unknown;
    };
    let headers: Vec<(&str, &[u8])> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let view =
        nsexpr::eval::HeaderList::new(req.method.as_bytes(), req.target.as_bytes(), &headers);
    match program.eval(&view) {
        nsexpr::Verdict::True => b(true),
        nsexpr::Verdict::False => b(false),
        _ => V::Unknown,
    }
}

fn fold_eq(a: &[u8], c: &[u8], fold: bool) -> bool {
    if fold {
        a.eq_ignore_ascii_case(c)
    } else {
        a == c
    }
}

fn contains(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    (0..hay.len().saturating_sub(needle.len()) + 1)
        .take_while(|i| i + needle.len() <= hay.len())
        .find(|&i| fold_eq(&hay[i..i + needle.len()], needle, fold))
}

fn chain_value(start: Option<V>, calls: &[&Call], req: &Req, env: &Env) -> V {
    chain_value_within(start, calls, req, env, 0)
}

/// [`chain_value`] with the number of names spliced so far (a cycle of names gives up, as the
/// compiler rejects it).
fn chain_value_within(
    start: Option<V>,
    calls: &[&Call],
    req: &Req,
    env: &Env,
    spliced_names: usize,
) -> V {
    // A named expression at the head of a chain stands for its text: `UA.ENDSWITH("x")` is
    // evaluated as the body's chain followed by `.ENDSWITH("x")`, so a text mode set in the body
    // carries on (D25, D32).
    if start.is_none()
        && spliced_names < 64
        && let Some((first, rest)) = calls.split_first()
        && let Some(text) = env.names.get(word(first).as_str())
        && let Ok(body) = parse_advanced(text)
        && let AdvKind::Chain(inner) = &body.kind
    {
        let mut spliced: Vec<&Call> = Vec::new();
        let start = match &inner.head {
            ChainHead::Expr(e) => Some(value(e, req, env)),
            ChainHead::Word(call) => {
                spliced.push(call);
                None
            }
        };
        spliced.extend(inner.calls.iter());
        spliced.extend(rest.iter().copied());
        return chain_value_within(start, &spliced, req, env, spliced_names + 1);
    }
    let (mut v, mut used) = match start {
        Some(v) => (v, 0),
        None => source(calls, req, env),
    };
    let mut fold = false;
    while let Some(call) = calls.get(used) {
        used += 1;
        if matches!(v, V::Undef) {
            return V::Undef;
        }
        let name = word(call);
        v = method(&name, v, call, &mut fold, req, env);
    }
    v
}

fn time_fields(t: i64) -> [i64; 7] {
    let zoned = jiff::Timestamp::from_second(t)
        .expect("time")
        .to_zoned(jiff::tz::TimeZone::UTC);
    [
        i64::from(zoned.year()),
        i64::from(zoned.month()),
        i64::from(zoned.day()),
        i64::from(zoned.weekday().to_sunday_zero_offset()),
        i64::from(zoned.hour()),
        i64::from(zoned.minute()),
        i64::from(zoned.second()),
    ]
}

fn time_cmp(t: i64, lit: &TimeLit) -> std::cmp::Ordering {
    let f = time_fields(t);
    let want = [
        (f[0], lit.year.map(i64::from)),
        (f[1], lit.month.map(i64::from)),
        (f[2], lit.day.map(i64::from)),
        (f[3], lit.weekday.map(i64::from)),
        (f[4], lit.hours.map(i64::from)),
        (f[5], lit.minutes.map(i64::from)),
        (f[6], lit.seconds.map(i64::from)),
    ];
    for (have, w) in want {
        if let Some(w) = w
            && have != w
        {
            return have.cmp(&w);
        }
    }
    std::cmp::Ordering::Equal
}

fn in_subnet(ip: IpAddr, lit: &IpLit) -> bool {
    match (ip, lit.addr) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let len = u32::from(lit.prefix.unwrap_or(32));
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let len = u32::from(lit.prefix.unwrap_or(128));
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn method(name: &str, v: V, call: &Call, fold: &mut bool, req: &Req, env: &Env) -> V {
    let f = *fold;
    if matches!(v, V::Unknown) {
        return V::Unknown;
    }
    let set = |i: usize| {
        arg(call, i)
            .and_then(|a| match &a.kind {
                AdvKind::Text(t) => Some(String::from_utf8_lossy(t).to_ascii_uppercase()),
                _ => None,
            })
            .and_then(|n| env.patsets.get(&n).cloned())
            .unwrap_or_default()
    };
    let text = text_of(&v);
    match (name, &v) {
        ("SET_TEXT_MODE", _) => {
            if let Some(AdvKind::Enum(mode)) = arg(call, 0).map(|a| &a.kind) {
                match mode.to_ascii_uppercase().as_str() {
                    "IGNORECASE" => *fold = true,
                    "NOIGNORECASE" => *fold = false,
                    "URLENCODED" => {
                        let t = text.unwrap_or_default();
                        let s = String::from_utf8_lossy(&t).into_owned();
                        let mut out = Vec::new();
                        let mut i = 0;
                        let bytes = s.as_bytes();
                        while i < bytes.len() {
                            if bytes[i] == b'%'
                                && let Some(Ok(n)) =
                                    s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
                            {
                                out.push(n);
                                i += 3;
                            } else {
                                out.push(bytes[i]);
                                i += 1;
                            }
                        }
                        return V::Text(out);
                    }
                    _ => {}
                }
            }
            v
        }
        ("NOT", V::Bool(s)) => V::Bool(not(*s)),
        ("EXISTS", V::Header(h)) => b(!h.is_empty()),
        ("COUNT", V::Header(h)) => {
            if h.len() > 15 {
                V::Undef
            } else {
                V::Num(h.len() as i64)
            }
        }
        ("COUNT", V::List(l)) => V::Num(l.len() as i64),
        ("CONTAINS", V::Header(h)) => {
            let needle = text_arg(call, 0, req, env).unwrap_or_default();
            b(h.iter().any(|x| contains(x, &needle, f).is_some()))
        }
        ("VALUE", V::Header(h)) => {
            let n = num_arg(call, 0, req, env).unwrap_or(0) as usize;
            V::Text(h.iter().rev().nth(n).cloned().unwrap_or_default())
        }
        ("INSTANCE", V::Header(h)) => {
            let n = num_arg(call, 0, req, env).unwrap_or(0) as usize;
            V::Header(h.iter().rev().nth(n).cloned().into_iter().collect())
        }
        ("AFTER_STR" | "BEFORE_STR", V::Header(h)) => {
            let s = text_arg(call, 0, req, env).unwrap_or_default();
            for x in h.iter().rev() {
                if let Some(i) = contains(x, &s, f) {
                    return V::Text(if name == "AFTER_STR" {
                        x[i + s.len()..].to_vec()
                    } else {
                        x[..i].to_vec()
                    });
                }
            }
            V::Text(Vec::new())
        }
        ("CONTAINS_ANY", V::Header(h)) => {
            let members = set(0);
            b(h.iter()
                .any(|x| members.iter().any(|m| contains(x, m, f).is_some())))
        }
        ("EQ" | "NE", V::Method(m)) => {
            let eq = match arg(call, 0).map(|a| &a.kind) {
                Some(AdvKind::Enum(w)) => m.eq_ignore_ascii_case(w.as_bytes()),
                Some(AdvKind::Text(t)) => m == t,
                _ => false,
            };
            b(eq == (name == "EQ"))
        }
        ("EQ" | "NE" | "GT" | "GE" | "LT" | "LE", V::Num(n)) => match num_arg(call, 0, req, env) {
            Some(c) => {
                let op = match name {
                    "EQ" => BinOp::Eq,
                    "NE" => BinOp::Ne,
                    "GT" => BinOp::Gt,
                    "GE" => BinOp::Ge,
                    "LT" => BinOp::Lt,
                    _ => BinOp::Le,
                };
                b(compare(op, n.cmp(&c)))
            }
            None => V::Unknown,
        },
        ("BETWEEN", V::Num(n)) => match (num_arg(call, 0, req, env), num_arg(call, 1, req, env)) {
            (Some(lo), Some(hi)) => b(lo <= *n && *n <= hi),
            _ => V::Unknown,
        },
        ("EQ" | "GT" | "GE" | "LT" | "LE", V::Time(t)) => {
            let Some(AdvKind::Time(lit)) = arg(call, 0).map(|a| &a.kind) else {
                return V::Unknown;
            };
            if lit.local {
                return V::Unknown;
            }
            let o = time_cmp(*t, lit);
            let op = match name {
                "EQ" => BinOp::Eq,
                "GT" => BinOp::Gt,
                "GE" => BinOp::Ge,
                "LT" => BinOp::Lt,
                _ => BinOp::Le,
            };
            b(compare(op, o))
        }
        ("BETWEEN", V::Time(t)) => {
            match (arg(call, 0).map(|a| &a.kind), arg(call, 1).map(|a| &a.kind)) {
                (Some(AdvKind::Time(lo)), Some(AdvKind::Time(hi))) => {
                    b(time_cmp(*t, lo).is_ge() && time_cmp(*t, hi).is_le())
                }
                _ => V::Unknown,
            }
        }
        ("WEEKDAY" | "HOURS" | "YEAR" | "MONTH" | "DAY" | "MINUTES" | "SECONDS", V::Time(t)) => {
            let f = time_fields(*t);
            V::Num(match name {
                "YEAR" => f[0],
                "MONTH" => f[1],
                "DAY" => f[2],
                "WEEKDAY" => f[3],
                "HOURS" => f[4],
                "MINUTES" => f[5],
                _ => f[6],
            })
        }
        ("EQ" | "IN_SUBNET", V::Ip(ip)) => match arg(call, 0).map(|a| &a.kind) {
            Some(AdvKind::Ip(lit)) => b(in_subnet(*ip, lit)),
            _ => V::Unknown,
        },
        ("TYPECAST_NUM_T", _) => {
            let t = text.unwrap_or_default();
            String::from_utf8_lossy(&t)
                .trim()
                .parse::<i64>()
                .map_or(V::Undef, V::Num)
        }
        ("PATH" | "QUERY" | "SUFFIX" | "PATH_AND_QUERY", _) => {
            let t = String::from_utf8_lossy(&text.unwrap_or_default()).into_owned();
            let (path, query) = match t.split_once('?') {
                Some((p, q)) => (p.to_owned(), q.to_owned()),
                None => (t.clone(), String::new()),
            };
            V::Text(
                match name {
                    "PATH" => path,
                    "QUERY" => query,
                    "PATH_AND_QUERY" => t,
                    _ => {
                        let last = path.rsplit('/').next().unwrap_or("");
                        last.rsplit_once('.')
                            .map(|(_, s)| s.to_owned())
                            .unwrap_or_default()
                    }
                }
                .into_bytes(),
            )
        }
        ("DOMAIN", _) => {
            *fold = true;
            let t = text.unwrap_or_default();
            let s = String::from_utf8_lossy(&t).into_owned();
            V::Text(
                s.rsplit_once(':')
                    .map_or(s.clone(), |(h, _)| h.to_owned())
                    .into_bytes(),
            )
        }
        _ => {
            let Some(t) = text else {
                return V::Unknown;
            };
            let a = || text_arg(call, 0, req, env).unwrap_or_default();
            match name {
                "CONTAINS" => b(contains(&t, &a(), f).is_some()),
                "EQ" => b(fold_eq(&t, &a(), f)),
                "NE" => b(!fold_eq(&t, &a(), f)),
                "STARTSWITH" => {
                    let a = a();
                    b(t.len() >= a.len() && fold_eq(&t[..a.len()], &a, f))
                }
                "ENDSWITH" => {
                    let a = a();
                    b(t.len() >= a.len() && fold_eq(&t[t.len() - a.len()..], &a, f))
                }
                "LENGTH" => V::Num(t.len() as i64),
                "TO_LOWER" => V::Text(t.to_ascii_lowercase()),
                "TO_UPPER" => V::Text(t.to_ascii_uppercase()),
                "SKIP" => {
                    let n = num_arg(call, 0, req, env).unwrap_or(0).max(0) as usize;
                    V::Text(t.get(n.min(t.len())..).unwrap_or_default().to_vec())
                }
                "SUBSTR" => {
                    let i = num_arg(call, 0, req, env).unwrap_or(0).max(0) as usize;
                    let n = num_arg(call, 1, req, env).unwrap_or(0).max(0) as usize;
                    let i = i.min(t.len());
                    V::Text(t[i..(i + n).min(t.len())].to_vec())
                }
                "AFTER_STR" | "BEFORE_STR" => {
                    let s = a();
                    V::Text(match contains(&t, &s, f) {
                        Some(i) if name == "AFTER_STR" => t[i + s.len()..].to_vec(),
                        Some(i) => t[..i].to_vec(),
                        None => Vec::new(),
                    })
                }
                "CONTAINS_ANY" => b(set(0).iter().any(|m| contains(&t, m, f).is_some())),
                "EQUALS_ANY" => b(set(0).iter().any(|m| fold_eq(&t, m, f))),
                "STARTSWITH_ANY" => b(set(0)
                    .iter()
                    .any(|m| t.len() >= m.len() && fold_eq(&t[..m.len()], m, f))),
                "REGEX_MATCH" => {
                    let Some(AdvKind::Regex(re)) = arg(call, 0).map(|a| &a.kind) else {
                        return V::Unknown;
                    };
                    let p = &re.pattern;
                    if p.contains("(?=")
                        || p.contains("(?<")
                        || p.contains("(?!")
                        || p.contains("\\1")
                    {
                        return V::Unknown;
                    }
                    let pattern = if f {
                        format!("(?i-u){p}")
                    } else {
                        format!("(?-u){p}")
                    };
                    match regex::bytes::Regex::new(&pattern) {
                        Ok(re) => b(re.is_match(&t)),
                        Err(_) => V::Unknown,
                    }
                }
                _ => V::Unknown,
            }
        }
    }
}
