//! The value machine of advanced rules (D23-D32): runs a leaf's postfix code on a small stack
//! kept inline (no allocation for real rules), borrowing text from the request; only decoding,
//! case mapping and `+` write to a per-evaluation buffer.

use std::net::IpAddr;

use super::RequestView;
use super::engine::Bindings;
use super::verdict::Outcome;
use crate::ast::advanced::TimeLit;
use crate::ir::advanced::{
    AdvCode, AdvOp, AdvRegex, AdvSource, Arith, Cmp, Extract, SetPred, TextPred, TimeField,
};
use crate::ir::{Node, NodeKind, node};

/// A text: borrowed from the request or the program, or a range of the evaluation's buffer.
#[derive(Clone, Copy)]
enum Txt<'a> {
    Ref(&'a [u8]),
    Buf(u32, u32),
}

/// One stack value.
#[derive(Clone, Copy)]
enum Val<'a> {
    Bool(Outcome),
    Num(i64),
    Text(Txt<'a>),
    /// A header's instances, or only the `pick`-th from the last.
    Header {
        slot: u16,
        pick: Option<u8>,
    },
    Ip(IpAddr),
    Time(i64),
    /// The context's group list.
    Groups,
    /// Not known: missing context or a value we do not evaluate.
    Unknown,
    /// An appliance evaluation error (D23).
    Undef,
}

const INLINE: usize = 16;

/// A stack whose first [`INLINE`] entries live on the machine stack.
struct Stack<T: Copy> {
    inline: [T; INLINE],
    len: usize,
    spilled: Vec<T>,
}

impl<T: Copy> Stack<T> {
    fn new(fill: T) -> Stack<T> {
        Stack {
            inline: [fill; INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    fn push(&mut self, value: T) {
        match self.inline.get_mut(self.len) {
            Some(place) => *place = value,
            None => self.spilled.push(value),
        }
        self.len += 1;
    }

    fn pop(&mut self) -> Option<T> {
        let top = self.len.checked_sub(1)?;
        self.len = top;
        if top >= INLINE {
            self.spilled.pop()
        } else {
            self.inline.get(top).copied()
        }
    }

    fn peek(&self) -> Option<T> {
        let top = self.len.checked_sub(1)?;
        if top >= INLINE {
            self.spilled.last().copied()
        } else {
            self.inline.get(top).copied()
        }
    }
}

/// The outcome a value stands for when a boolean is needed.
fn outcome(v: Val<'_>) -> Outcome {
    match v {
        Val::Bool(o) => o,
        Val::Undef => Outcome::UNDEF,
        _ => Outcome::UNKNOWN,
    }
}

/// UNDEF if one of `vals` is UNDEF, else UNKNOWN if one is not known (D23, D31).
fn poisoned(vals: &[Val<'_>]) -> Option<Val<'static>> {
    if vals.iter().any(|v| matches!(v, Val::Undef)) {
        return Some(Val::Undef);
    }
    let unknown = vals.iter().any(|v| match v {
        Val::Unknown => true,
        Val::Bool(o) => o.verdict().as_bool().is_none(),
        _ => false,
    });
    unknown.then_some(Val::Unknown)
}

fn trim(value: &[u8]) -> &[u8] {
    value.trim_ascii()
}

fn find(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if fold {
        hay.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    } else {
        memchr::memmem::find(hay, needle)
    }
}

fn eq(a: &[u8], b: &[u8], fold: bool) -> bool {
    if fold {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

fn text_pred(pred: TextPred, subject: &[u8], arg: &[u8], fold: bool) -> bool {
    match pred {
        TextPred::Contains => find(subject, arg, fold).is_some(),
        TextPred::Eq => eq(subject, arg, fold),
        TextPred::Ne => !eq(subject, arg, fold),
        TextPred::StartsWith => subject
            .get(..arg.len())
            .is_some_and(|head| eq(head, arg, fold)),
        TextPred::EndsWith => subject
            .len()
            .checked_sub(arg.len())
            .and_then(|at| subject.get(at..))
            .is_some_and(|tail| eq(tail, arg, fold)),
    }
}

fn set_pred(kind: SetPred, subject: &[u8], set: &[Box<[u8]>], fold: bool) -> bool {
    set.iter().any(|member| {
        let pred = match kind {
            SetPred::Contains => TextPred::Contains,
            SetPred::Equals => TextPred::Eq,
            SetPred::StartsWith => TextPred::StartsWith,
        };
        text_pred(pred, subject, member, fold)
    })
}

/// Where the part an extractor yields sits in `subject`; `None` when the argument is not found.
fn extract_range(
    kind: Extract,
    subject: &[u8],
    arg: &[u8],
    fold: bool,
) -> Option<std::ops::Range<usize>> {
    match kind {
        Extract::StripEndChars => {
            let keep = subject
                .iter()
                .rposition(|b| !arg.contains(b))
                .map_or(0, |at| at + 1);
            Some(0..keep)
        }
        _ => {
            let at = find(subject, arg, fold)?;
            Some(match kind {
                Extract::AfterStr => at + arg.len()..subject.len(),
                Extract::BeforeStr => 0..at,
                _ => at..at + arg.len(),
            })
        }
    }
}

fn extract<'s>(kind: Extract, subject: &'s [u8], arg: &[u8], fold: bool) -> Option<&'s [u8]> {
    extract_range(kind, subject, arg, fold).and_then(|r| subject.get(r))
}

/// Percent-decoding (`URLENCODED`, D25); malformed escapes stay as written.
fn decode_into(text: &[u8], out: &mut Vec<u8>) {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (
                text.get(i + 1).and_then(|c| hex(*c)),
                text.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
}

/// The calendar fields of an instant: year, month, day, weekday (0 = Sunday), h, m, s.
fn fields(t: i64) -> [i64; 7] {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = crate::ast::value::civil_fields(days);
    let weekday = (days + 4).rem_euclid(7);
    [
        year,
        month,
        day,
        weekday,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
    ]
}

/// Compares an instant with the fields a literal writes, most significant first (D30).
fn time_order(t: i64, p: &TimeLit) -> std::cmp::Ordering {
    let [year, month, day, weekday, h, m, s] = fields(t);
    let week = (day - 1) / 7 + 1;
    let pairs = [
        (year, p.year.map(i64::from)),
        (month, p.month.map(i64::from)),
        (day, p.day.map(i64::from)),
        (weekday, p.weekday.map(i64::from)),
        (week, p.week.map(i64::from)),
        (h, p.hours.map(i64::from)),
        (m, p.minutes.map(i64::from)),
        (s, p.seconds.map(i64::from)),
    ];
    pairs
        .iter()
        .filter_map(|(have, want)| want.map(|w| have.cmp(&w)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

fn cmp_holds(cmp: Cmp, order: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match cmp {
        Cmp::Eq => order == Equal,
        Cmp::Ne => order != Equal,
        Cmp::Lt => order == Less,
        Cmp::Le => order != Greater,
        Cmp::Gt => order == Greater,
        Cmp::Ge => order != Less,
    }
}

/// Where a D29 request-target piece sits in the target.
fn url_part(target: &[u8], op: &AdvOp) -> std::ops::Range<usize> {
    let query_at = target.iter().position(|b| *b == b'?');
    let path_end = query_at.unwrap_or(target.len());
    match op {
        AdvOp::UrlPath => 0..path_end,
        AdvOp::UrlQuery => query_at.map_or(target.len()..target.len(), |at| at + 1..target.len()),
        AdvOp::UrlPathAndQuery => match target.windows(3).position(|w| w == b"://") {
            Some(at) => {
                let authority = at + 3;
                let rest = target.get(authority..).unwrap_or_default();
                let slash = rest.iter().position(|b| *b == b'/').unwrap_or(rest.len());
                authority + slash..target.len()
            }
            None => 0..target.len(),
        },
        _ => {
            let path = target.get(..path_end).unwrap_or_default();
            let segment = path.iter().rposition(|b| *b == b'/').map_or(0, |at| at + 1);
            let dot = path
                .get(segment..)
                .and_then(|seg| seg.iter().rposition(|b| *b == b'.'));
            dot.map_or(path_end..path_end, |at| segment + at + 1..path_end)
        }
    }
}

/// Numbers of the context: `None` when not supplied.
fn number(n: Option<u64>) -> Val<'static> {
    n.and_then(|n| i64::try_from(n).ok())
        .map_or(Val::Unknown, Val::Num)
}

impl<'r, V: RequestView> Bindings<'r, V> {
    /// The outcome set of one advanced leaf.
    pub(crate) fn advanced<'a>(&mut self, nodes: &[Node], code: &'a AdvCode) -> Outcome
    where
        'r: 'a,
    {
        let mut stack: Stack<Val<'a>> = Stack::new(Val::Unknown);
        let mut buf: Vec<u8> = Vec::new();
        if code.uses_scratch {
            buf.reserve(256);
        }
        let mut pc = 0usize;
        while let Some(op) = code.ops.get(pc) {
            pc += 1;
            match op {
                AdvOp::AndCheck(to) | AdvOp::OrCheck(to) => {
                    let top = stack.peek().map_or(Outcome::UNKNOWN, outcome);
                    let stop = match op {
                        AdvOp::AndCheck(_) => !top.has_true(),
                        _ => !top.has_false(),
                    };
                    if stop {
                        pc = *to as usize;
                    }
                }
                AdvOp::AndJoin | AdvOp::OrJoin => {
                    let right = stack.pop().map_or(Outcome::UNKNOWN, outcome);
                    let left = stack.pop().map_or(Outcome::UNKNOWN, outcome);
                    stack.push(Val::Bool(match op {
                        AdvOp::AndJoin => left.and(right),
                        _ => left.or(right),
                    }));
                }
                AdvOp::Not => {
                    let v = stack.pop().map_or(Outcome::UNKNOWN, outcome);
                    stack.push(Val::Bool(v.not()));
                }
                _ => {
                    let value = self.step(nodes, op, &mut stack, &mut buf);
                    stack.push(value);
                }
            }
        }
        stack.pop().map_or(Outcome::UNKNOWN, outcome)
    }

    /// The bytes of a text value.
    fn bytes<'s>(t: Txt<'s>, buf: &'s [u8]) -> &'s [u8] {
        match t {
            Txt::Ref(b) => b,
            Txt::Buf(start, end) => buf.get(start as usize..end as usize).unwrap_or_default(),
        }
    }

    /// The values of header `slot` from the last to the first, or `None` when the request does
    /// not carry it (a partial record: UNKNOWN).
    fn instances(&self, slot: u16) -> Option<impl Iterator<Item = &'r [u8]> + use<'r, V>> {
        let key = self.layout.headers.get(usize::from(slot))?;
        let request: &'r V = self.request;
        request
            .carries_header(key)
            .then(|| request.header_values(key).rev().map(trim))
    }

    /// Header instances as picked, from the last.
    fn picked(&self, slot: u16, pick: Option<u8>) -> Option<(usize, Option<&'r [u8]>)> {
        let mut all = self.instances(slot)?;
        Some(match pick {
            Some(n) => {
                let one = all.nth(usize::from(n));
                (usize::from(one.is_some()), one)
            }
            None => {
                let last = self.instances(slot)?.next();
                (all.count(), last)
            }
        })
    }

    /// A value as text: headers give their last (or picked) instance (D26), absent `""` (D27).
    fn text<'a>(&self, v: Val<'a>) -> Option<Txt<'a>>
    where
        'r: 'a,
    {
        match v {
            Val::Text(t) => Some(t),
            Val::Header { slot, pick } => {
                Some(Txt::Ref(self.picked(slot, pick)?.1.unwrap_or_default()))
            }
            _ => None,
        }
    }

    /// Evaluates one value op: pops its operands, returns its result.
    fn step<'a>(
        &mut self,
        nodes: &[Node],
        op: &'a AdvOp,
        stack: &mut Stack<Val<'a>>,
        buf: &mut Vec<u8>,
    ) -> Val<'a>
    where
        'r: 'a,
    {
        let mut pop = || stack.pop().unwrap_or(Val::Unknown);
        let ctx = self.context;
        let boolean = |b: bool| Val::Bool(Outcome::from(b));
        match op {
            AdvOp::Bool(b) => boolean(*b),
            AdvOp::Num(n) => Val::Num(*n),
            AdvOp::Text(t) => Val::Text(Txt::Ref(t)),
            AdvOp::Source(source) => self.source(*source),
            AdvOp::Unknown { pops } => {
                let mut result = Val::Unknown;
                for _ in 0..*pops {
                    if matches!(pop(), Val::Undef) {
                        result = Val::Undef;
                    }
                }
                result
            }
            AdvOp::IsMemberOf { group, fold } => match &ctx.groups {
                Some(groups) => boolean(groups.iter().any(|g| eq(g.as_bytes(), group, *fold))),
                None => Val::Unknown,
            },
            AdvOp::Node(id) => {
                let verdict = match node(nodes, *id).kind {
                    NodeKind::Leaf(_) => self.leaf_node(node(nodes, *id)),
                    _ => self.eval(nodes, *id),
                };
                Val::Bool(Outcome::from(verdict))
            }
            AdvOp::Instance(n) => match pop() {
                Val::Header { slot, pick } => Val::Header {
                    slot,
                    // Instance n of an instance other than the last is absent.
                    pick: match pick {
                        None | Some(0) => Some(*n),
                        Some(_) => Some(u8::MAX),
                    },
                },
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::Value(n) => match pop() {
                Val::Header { slot, pick } => {
                    let pick = match pick {
                        None => *n,
                        Some(p) if *n == 0 => p,
                        Some(_) => u8::MAX,
                    };
                    match self.picked(slot, Some(pick)) {
                        Some((_, v)) => Val::Text(Txt::Ref(v.unwrap_or_default())),
                        None => Val::Unknown,
                    }
                }
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::HeaderText => {
                let v = pop();
                match self.text(v) {
                    Some(t) => Val::Text(t),
                    None => poisoned(&[v]).unwrap_or(Val::Unknown),
                }
            }
            AdvOp::Exists | AdvOp::Count => match pop() {
                Val::Header { slot, pick } => match self.picked(slot, pick) {
                    None => Val::Unknown,
                    Some((count, _)) => match op {
                        AdvOp::Exists => boolean(count > 0),
                        _ if count > 15 => Val::Undef,
                        _ => Val::Num(count as i64),
                    },
                },
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::HeaderContains {
                fold,
                empty_on_absent,
            } => {
                let needle = pop();
                let header = pop();
                if let Some(bad) = poisoned(&[header, needle]) {
                    return bad;
                }
                let (Val::Header { slot, pick }, Some(needle)) = (header, self.text(needle)) else {
                    return Val::Unknown;
                };
                let needle = Self::bytes(needle, buf);
                let Some(mut all) = self.instances(slot) else {
                    return Val::Unknown;
                };
                let found = match pick {
                    Some(n) => all
                        .nth(usize::from(n))
                        .map(|v| find(v, needle, *fold).is_some()),
                    None => {
                        let mut any = None;
                        for v in all {
                            any = Some(find(v, needle, *fold).is_some());
                            if any == Some(true) {
                                break;
                            }
                        }
                        any
                    }
                };
                boolean(found.unwrap_or(*empty_on_absent && needle.is_empty()))
            }
            AdvOp::HeaderExtract { kind, fold } => {
                let arg = pop();
                let header = pop();
                if let Some(bad) = poisoned(&[header, arg]) {
                    return bad;
                }
                let (Val::Header { slot, pick }, Some(arg)) = (header, self.text(arg)) else {
                    return Val::Unknown;
                };
                let Some(all) = self.instances(slot) else {
                    return Val::Unknown;
                };
                let arg = Self::bytes(arg, buf);
                let skip = pick.map_or(0, usize::from);
                let take = if pick.is_some() { 1 } else { usize::MAX };
                let found = all
                    .skip(skip)
                    .take(take)
                    .find_map(|v| extract(*kind, v, arg, *fold));
                Val::Text(Txt::Ref(found.unwrap_or_default()))
            }
            AdvOp::HeaderSet { kind, set, fold } => match pop() {
                Val::Header { slot, pick } => match self.instances(slot) {
                    None => Val::Unknown,
                    Some(all) => {
                        let skip = pick.map_or(0, usize::from);
                        let take = if pick.is_some() { 1 } else { usize::MAX };
                        boolean(
                            all.skip(skip)
                                .take(take)
                                .any(|v| set_pred(*kind, v, set, *fold)),
                        )
                    }
                },
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::HeaderAnyPred { pred, fold } => {
                let arg = pop();
                let header = pop();
                if let Some(bad) = poisoned(&[header, arg]) {
                    return bad;
                }
                let (Val::Header { slot, pick }, Some(arg)) = (header, self.text(arg)) else {
                    return Val::Unknown;
                };
                let Some(all) = self.instances(slot) else {
                    return Val::Unknown;
                };
                let arg = Self::bytes(arg, buf);
                let skip = pick.map_or(0, usize::from);
                let take = if pick.is_some() { 1 } else { usize::MAX };
                let mut seen = false;
                let mut hit = false;
                for v in all.skip(skip).take(take) {
                    seen = true;
                    if text_pred(*pred, v, arg, *fold) {
                        hit = true;
                        break;
                    }
                }
                // An absent header reads as "" (D27).
                boolean(if seen {
                    hit
                } else {
                    text_pred(*pred, b"", arg, *fold)
                })
            }
            AdvOp::Decode | AdvOp::MapCase { .. } => {
                let v = pop();
                let Some(t) = self.text(v) else {
                    return poisoned(&[v]).unwrap_or(Val::Unknown);
                };
                let start = buf.len();
                let source = Self::bytes(t, buf).to_vec();
                match op {
                    AdvOp::MapCase { upper: true } => buf.extend(source.to_ascii_uppercase()),
                    AdvOp::MapCase { upper: false } => buf.extend(source.to_ascii_lowercase()),
                    _ => decode_into(&source, buf),
                }
                buf_text(start, buf.len())
            }
            AdvOp::UrlPath | AdvOp::UrlQuery | AdvOp::UrlPathAndQuery | AdvOp::UrlSuffix => {
                let v = pop();
                match self.text(v) {
                    Some(t) => {
                        let part = url_part(Self::bytes(t, buf), op);
                        slice(t, buf, part.start, Some(part.len()))
                    }
                    None => poisoned(&[v]).unwrap_or(Val::Unknown),
                }
            }
            AdvOp::HostDomain | AdvOp::HostPort => {
                let v = pop();
                let Some(Txt::Ref(host)) = self.text(v) else {
                    return poisoned(&[v]).unwrap_or(Val::Unknown);
                };
                let colon = host.iter().rposition(|b| *b == b':');
                match (op, colon) {
                    (AdvOp::HostDomain, Some(at)) => {
                        Val::Text(Txt::Ref(host.get(..at).unwrap_or_default()))
                    }
                    (AdvOp::HostDomain, None) => Val::Text(Txt::Ref(host)),
                    (_, Some(at)) => std::str::from_utf8(host.get(at + 1..).unwrap_or_default())
                        .ok()
                        .and_then(|p| p.parse::<u16>().ok())
                        .map_or(Val::Num(0), |p| Val::Num(i64::from(p))),
                    (_, None) => Val::Num(0),
                }
            }
            AdvOp::Skip | AdvOp::SubstrRange => {
                let (len, offset) = match op {
                    AdvOp::SubstrRange => (Some(pop()), pop()),
                    _ => (None, pop()),
                };
                let v = pop();
                if let Some(bad) = poisoned(&[v, offset, len.unwrap_or(Val::Num(0))]) {
                    return bad;
                }
                let (Some(t), Val::Num(offset)) = (self.text(v), offset) else {
                    return Val::Unknown;
                };
                let length = match len {
                    Some(Val::Num(n)) => Some(usize::try_from(n.max(0)).unwrap_or(usize::MAX)),
                    _ => None,
                };
                let offset = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
                slice(t, buf, offset, length)
            }
            AdvOp::Extract { kind, fold } => {
                let arg = pop();
                let v = pop();
                if let Some(bad) = poisoned(&[v, arg]) {
                    return bad;
                }
                let (Some(t), Some(arg)) = (self.text(v), self.text(arg)) else {
                    return Val::Unknown;
                };
                let subject = Self::bytes(t, buf);
                let arg = Self::bytes(arg, buf);
                match extract_range(*kind, subject, arg, *fold) {
                    None => Val::Text(Txt::Ref(b"")),
                    Some(part) => slice(t, buf, part.start, Some(part.len())),
                }
            }
            AdvOp::Length | AdvOp::TypecastNum | AdvOp::TypecastIp => {
                let v = pop();
                let Some(t) = self.text(v) else {
                    return poisoned(&[v]).unwrap_or(Val::Unknown);
                };
                let b = Self::bytes(t, buf);
                match op {
                    AdvOp::Length => Val::Num(b.len() as i64),
                    AdvOp::TypecastNum => std::str::from_utf8(b.trim_ascii())
                        .ok()
                        .and_then(|s| s.parse::<i64>().ok())
                        .map_or(Val::Undef, Val::Num),
                    _ => std::str::from_utf8(b.trim_ascii())
                        .ok()
                        .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
                        .map_or(Val::Undef, |ip| Val::Ip(IpAddr::V4(ip))),
                }
            }
            AdvOp::TextPred { pred, fold } => {
                let arg = pop();
                let v = pop();
                if let Some(bad) = poisoned(&[v, arg]) {
                    return bad;
                }
                let (Some(t), Some(arg)) = (self.text(v), self.text(arg)) else {
                    return Val::Unknown;
                };
                boolean(text_pred(
                    *pred,
                    Self::bytes(t, buf),
                    Self::bytes(arg, buf),
                    *fold,
                ))
            }
            AdvOp::SetPred { kind, set, fold } => {
                let v = pop();
                match self.text(v) {
                    Some(t) => boolean(set_pred(*kind, Self::bytes(t, buf), set, *fold)),
                    None => poisoned(&[v]).unwrap_or(Val::Unknown),
                }
            }
            AdvOp::Regex(re) => {
                let v = pop();
                match self.text(v) {
                    Some(t) => match &**re {
                        AdvRegex::Linear(re) => boolean(re.is_match(Self::bytes(t, buf))),
                        // Text that is not UTF-8 cannot be searched by the backtracking engine;
                        // running out of steps is an evaluation error on the appliance too.
                        #[cfg(feature = "fancy-regex")]
                        AdvRegex::Backtracking(re) => {
                            match std::str::from_utf8(Self::bytes(t, buf)) {
                                Ok(text) => match re.is_match(text) {
                                    Ok(found) => boolean(found),
                                    Err(_) => Val::Undef,
                                },
                                Err(_) => Val::Unknown,
                            }
                        }
                    },
                    None => poisoned(&[v]).unwrap_or(Val::Unknown),
                }
            }
            AdvOp::MethodIs { word, fold, negate } => {
                let v = pop();
                match self.text(v) {
                    Some(t) => boolean(eq(Self::bytes(t, buf), word, *fold) != *negate),
                    None => poisoned(&[v]).unwrap_or(Val::Unknown),
                }
            }
            AdvOp::Concat => {
                let right = pop();
                let left = pop();
                if let Some(bad) = poisoned(&[left, right]) {
                    return bad;
                }
                let (Some(l), Some(r)) = (self.text(left), self.text(right)) else {
                    return Val::Unknown;
                };
                let joined = [Self::bytes(l, buf), Self::bytes(r, buf)].concat();
                let start = buf.len();
                buf.extend(joined);
                buf_text(start, buf.len())
            }
            AdvOp::Compare(cmp) => {
                let right = pop();
                let left = pop();
                if let Some(bad) = poisoned(&[left, right]) {
                    return bad;
                }
                let order = match (left, right) {
                    (Val::Num(a), Val::Num(b)) => a.cmp(&b),
                    (Val::Ip(a), Val::Ip(b)) => a.cmp(&b),
                    (Val::Bool(a), Val::Bool(b)) => a.has_true().cmp(&b.has_true()),
                    (l, r) => match (self.text(l), self.text(r)) {
                        (Some(a), Some(b)) => Self::bytes(a, buf).cmp(Self::bytes(b, buf)),
                        _ => return Val::Unknown,
                    },
                };
                boolean(cmp_holds(*cmp, order))
            }
            AdvOp::Arith(arith) => {
                let right = pop();
                let left = pop();
                if let Some(bad) = poisoned(&[left, right]) {
                    return bad;
                }
                let (Val::Num(a), Val::Num(b)) = (left, right) else {
                    return Val::Unknown;
                };
                let result = match arith {
                    Arith::Add => a.checked_add(b),
                    Arith::Sub => a.checked_sub(b),
                    Arith::Mul => a.checked_mul(b),
                    Arith::Div => a.checked_div(b),
                    Arith::Rem => a.checked_rem(b),
                    Arith::BitAnd => Some(a & b),
                    Arith::BitOr => Some(a | b),
                    Arith::BitXor => Some(a ^ b),
                };
                result.map_or(Val::Undef, Val::Num)
            }
            AdvOp::Between => {
                let high = pop();
                let low = pop();
                let v = pop();
                if let Some(bad) = poisoned(&[v, low, high]) {
                    return bad;
                }
                match (v, low, high) {
                    (Val::Num(n), Val::Num(lo), Val::Num(hi)) => boolean(lo <= n && n <= hi),
                    _ => Val::Unknown,
                }
            }
            AdvOp::Neg => match pop() {
                Val::Num(n) => n.checked_neg().map_or(Val::Undef, Val::Num),
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::IpIn(test) => match pop() {
                Val::Ip(ip) => boolean(test.test(ip)),
                other => poisoned(&[other]).unwrap_or(Val::Unknown),
            },
            AdvOp::TimeCmp { cmp, pattern } => match self.time(pop(), pattern.local) {
                Ok(t) => boolean(cmp_holds(*cmp, time_order(t, pattern))),
                Err(bad) => bad,
            },
            AdvOp::TimeBetween { low, high } => match self.time(pop(), low.local || high.local) {
                Ok(t) => boolean(
                    time_order(t, low) != std::cmp::Ordering::Less
                        && time_order(t, high) != std::cmp::Ordering::Greater,
                ),
                Err(bad) => bad,
            },
            AdvOp::TimeField { field, local } => match self.time(pop(), *local) {
                Ok(t) => {
                    let [year, month, day, weekday, h, m, s] = fields(t);
                    Val::Num(match field {
                        TimeField::Year => year,
                        TimeField::Month => month,
                        TimeField::Day => day,
                        TimeField::Weekday => weekday,
                        TimeField::Hours => h,
                        TimeField::Minutes => m,
                        TimeField::Seconds => s,
                    })
                }
                Err(bad) => bad,
            },
            AdvOp::ListCount | AdvOp::ListContains { .. } => {
                let arg = match op {
                    AdvOp::ListContains { .. } => Some(pop()),
                    _ => None,
                };
                let list = pop();
                if let Some(bad) = poisoned(&[list, arg.unwrap_or(Val::Num(0))]) {
                    return bad;
                }
                let (Val::Groups, Some(groups)) = (list, ctx.groups.as_ref()) else {
                    return Val::Unknown;
                };
                match (op, arg.and_then(|a| self.text(a))) {
                    (AdvOp::ListContains { fold }, Some(needle)) => {
                        let needle = Self::bytes(needle, buf);
                        boolean(
                            groups
                                .iter()
                                .any(|g| find(g.as_bytes(), needle, *fold).is_some()),
                        )
                    }
                    (AdvOp::ListCount, _) => Val::Num(groups.len() as i64),
                    _ => Val::Unknown,
                }
            }
            AdvOp::AndCheck(_)
            | AdvOp::OrCheck(_)
            | AdvOp::AndJoin
            | AdvOp::OrJoin
            | AdvOp::Not => {
                debug_assert!(false, "control ops are run by `advanced`");
                Val::Unknown
            }
        }
    }

    /// A time value shifted to the zone a literal or field asks for.
    fn time(&self, v: Val<'_>, local: bool) -> Result<i64, Val<'static>> {
        let Val::Time(t) = v else {
            return Err(poisoned(&[v]).unwrap_or(Val::Unknown));
        };
        if !local {
            return Ok(t);
        }
        let offset = self.context.clock.and_then(|c| c.local_offset);
        offset
            .and_then(|o| t.checked_add(i64::from(o)))
            .ok_or(Val::Unknown)
    }

    /// A source's value (D29-D31).
    fn source<'a>(&mut self, source: AdvSource) -> Val<'a>
    where
        'r: 'a,
    {
        let ctx: &'r super::Context = self.context;
        let request: &'r V = self.request;
        let net = &ctx.request_net;
        let tls = ctx.tls.as_ref();
        match source {
            AdvSource::Header(slot) => Val::Header { slot, pick: None },
            AdvSource::Url => Val::Text(Txt::Ref(request.target())),
            AdvSource::Method => Val::Text(Txt::Ref(request.method())),
            AdvSource::Version => Val::Text(Txt::Ref(request.version())),
            AdvSource::Hostname(slot) => {
                let target = request.target();
                if let Some(at) = target.windows(3).position(|w| w == b"://") {
                    let rest = target.get(at + 3..).unwrap_or_default();
                    let end = rest.iter().position(|b| *b == b'/' || *b == b'?');
                    return Val::Text(Txt::Ref(
                        rest.get(..end.unwrap_or(rest.len())).unwrap_or_default(),
                    ));
                }
                match self.picked(slot, None) {
                    Some((_, host)) => Val::Text(Txt::Ref(host.unwrap_or_default())),
                    None => Val::Unknown,
                }
            }
            AdvSource::ClientIp { dst } => {
                let ip = if dst { net.dest_ip } else { net.source_ip };
                match ip {
                    Some(IpAddr::V6(v6)) => v6
                        .to_ipv4_mapped()
                        .map_or(Val::Unknown, |v4| Val::Ip(IpAddr::V4(v4))),
                    Some(v4) => Val::Ip(v4),
                    None => Val::Unknown,
                }
            }
            AdvSource::ClientIpv6 { dst } => {
                let ip = if dst { net.dest_ip } else { net.source_ip };
                match ip {
                    Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                        Val::Ip(IpAddr::V6(v6))
                    }
                    _ => Val::Unknown,
                }
            }
            AdvSource::ClientPort { dst } => {
                number((if dst { net.dest_port } else { net.source_port }).map(u64::from))
            }
            AdvSource::Mss => number(net.mss),
            AdvSource::Vlan => number(net.vlan),
            AdvSource::IsSsl => tls
                .and_then(|t| t.version)
                .map_or(Val::Unknown, |v| Val::Bool(Outcome::from(v != 0))),
            AdvSource::CipherBits => number(tls.and_then(|t| t.cipher_bits)),
            AdvSource::SslVersion => number(tls.and_then(|t| t.version)),
            AdvSource::CipherExportable => tls
                .and_then(|t| t.exportable)
                .map_or(Val::Unknown, |b| Val::Bool(Outcome::from(b))),
            AdvSource::SysTime => ctx.clock.map_or(Val::Unknown, |c| Val::Time(c.unix)),
            AdvSource::UserName => ctx
                .user
                .as_deref()
                .map_or(Val::Unknown, |u| Val::Text(Txt::Ref(u.as_bytes()))),
            AdvSource::Groups => {
                if ctx.groups.is_some() {
                    Val::Groups
                } else {
                    Val::Unknown
                }
            }
            AdvSource::IsValid => Val::Bool(Outcome::TRUE),
        }
    }
}

fn buf_text(start: usize, end: usize) -> Val<'static> {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(s), Ok(e)) => Val::Text(Txt::Buf(s, e)),
        _ => Val::Undef,
    }
}

/// `offset..offset+length` of a text, clamped to it.
fn slice<'a>(t: Txt<'a>, buf: &[u8], offset: usize, length: Option<usize>) -> Val<'a> {
    let clamp = |len: usize| {
        let start = offset.min(len);
        let end = length.map_or(len, |l| start.saturating_add(l).min(len));
        (start, end)
    };
    match t {
        Txt::Ref(b) => {
            let (s, e) = clamp(b.len());
            Val::Text(Txt::Ref(b.get(s..e).unwrap_or_default()))
        }
        Txt::Buf(from, to) => {
            let len = buf.get(from as usize..to as usize).map_or(0, <[u8]>::len);
            let (s, e) = clamp(len);
            Val::Text(Txt::Buf(from + s as u32, from + e as u32))
        }
    }
}
