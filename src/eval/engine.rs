//! The evaluator: binds a request lazily (each header once, the target split once) and walks the
//! compiled tree left to right with Kleene short-circuiting (D14).

use std::net::IpAddr;

use super::request::split_target;
use super::verdict::Outcome;
use super::{Context, ContextInput, NetInfo, RequestView, Verdict};
use crate::ir::matchers::{TextOp, TextTest};
use crate::ir::{
    CertText, ClockUnit, HeaderInstance, HeaderKey, Layout, Leaf, NO_MEMO, NetField, Node, NodeId,
    NodeKind, TlsNumber, node, order_key,
};

/// Number of shared header slots kept on the stack; programs with more headers read by several
/// leaves use one heap buffer per evaluation.
const INLINE_SLOTS: usize = 8;

/// One header slot: not looked up yet, absent, not carried by a partial record, or its value.
#[derive(Clone, Copy)]
enum Slot<'r> {
    Unbound,
    Absent,
    NotCarried,
    Present(&'r [u8]),
}

/// The cache of headers read by more than one leaf, sized to the program at its first use: a
/// rule that never reads a cached header initialises nothing.
enum Slots<'r> {
    Unset,
    Two([Slot<'r>; 2]),
    Inline([Slot<'r>; INLINE_SLOTS]),
    Heap(Vec<Slot<'r>>),
}

impl<'r> Slots<'r> {
    #[inline]
    fn get(&self, index: usize) -> Option<Slot<'r>> {
        match self {
            Slots::Unset => None,
            Slots::Two(s) => s.get(index).copied(),
            Slots::Inline(s) => s.get(index).copied(),
            Slots::Heap(s) => s.get(index).copied(),
        }
    }

    /// Stores slot `index` of a cache of `cached` slots, creating the cache at its first store.
    #[inline]
    fn set(&mut self, index: usize, slot: Slot<'r>, cached: usize) {
        if let Slots::Unset = self {
            *self = match cached {
                0..=2 => Slots::Two([Slot::Unbound; 2]),
                3..=INLINE_SLOTS => Slots::Inline([Slot::Unbound; INLINE_SLOTS]),
                n => Slots::Heap(vec![Slot::Unbound; n]),
            };
        }
        let place = match self {
            Slots::Unset => None,
            Slots::Two(s) => s.get_mut(index),
            Slots::Inline(s) => s.get_mut(index),
            Slots::Heap(s) => s.get_mut(index),
        };
        if let Some(place) = place {
            *place = slot;
        }
    }
}

/// Memos kept on the stack; programs and sets with more shared leaves spill the rest to one heap
/// buffer per evaluation.
const INLINE_MEMOS: usize = 16;

/// Outcomes of leaves shared within a program or set, computed once per evaluation. The spill
/// buffer is an `Option<Box>` (one word, nothing to free when unused) so that binding a request
/// for a rule without shared leaves costs two stores.
struct Memos {
    inline: [u8; INLINE_MEMOS],
    spilled: Option<Box<[u8]>>,
}

const MEMO_UNSET: u8 = u8::MAX;

impl Memos {
    #[inline]
    fn new(count: usize) -> Memos {
        let spilled = match count.checked_sub(INLINE_MEMOS) {
            Some(extra) if extra > 0 => Some(vec![MEMO_UNSET; extra].into_boxed_slice()),
            _ => None,
        };
        Memos {
            inline: [MEMO_UNSET; INLINE_MEMOS],
            spilled,
        }
    }

    #[inline(always)]
    fn get(&self, index: u16) -> Option<Outcome> {
        let index = usize::from(index);
        let byte = match self.inline.get(index) {
            Some(byte) => Some(byte),
            None => self
                .spilled
                .as_deref()
                .and_then(|spilled| spilled.get(index - INLINE_MEMOS)),
        };
        byte.copied().and_then(Outcome::from_bits)
    }

    /// Stores an outcome set (advanced leaves keep theirs exact, D23).
    #[inline(always)]
    fn set(&mut self, index: u16, outcome: Outcome) {
        let index = usize::from(index);
        let place = match self.inline.get_mut(index) {
            Some(place) => Some(place),
            None => self
                .spilled
                .as_deref_mut()
                .and_then(|spilled| spilled.get_mut(index - INLINE_MEMOS)),
        };
        if let Some(place) = place {
            *place = outcome.bits();
        }
    }
}

/// A request bound to a program for one evaluation.
pub(crate) struct Bindings<'r, V: RequestView> {
    memos: Memos,
    /// The arena, for advanced leaves that embed a classic sub-rule.
    nodes: &'r [Node],
    /// The program's header table (the first `cached_headers` are read by several leaves and
    /// cached) and instance option, read through one pointer so binding copies nothing.
    pub(crate) layout: &'r Layout,
    pub(crate) request: &'r V,
    pub(crate) context: &'r Context,
    slots: Slots<'r>,
    target: Option<(&'r [u8], Option<&'r [u8]>)>,
}

/// A value read from the context: known, absent (D7), or not supplied (UNKNOWN, D13).
pub(crate) enum Lookup<T> {
    Known(T),
    Absent,
    Missing,
}

impl<'r, V: RequestView> Bindings<'r, V> {
    /// Binds `request` for one evaluation of a program laid out by `layout`.
    #[inline]
    pub(crate) fn new(
        layout: &'r Layout,
        nodes: &'r [Node],
        request: &'r V,
        context: &'r Context,
    ) -> Self {
        Bindings {
            memos: Memos::new(layout.memos),
            nodes,
            layout,
            request,
            context,
            slots: Slots::Unset,
            target: None,
        }
    }

    /// The verdict of node `id`. A root `&&`/`||` (the common rule) is evaluated in this loop,
    /// its leaves in place; anything nested goes to [`leaf_chain`](Self::leaf_chain) or
    /// [`eval_nested`](Self::eval_nested).
    #[inline]
    pub(crate) fn eval(&mut self, nodes: &[Node], id: NodeId) -> Verdict {
        let root = node(nodes, id);
        let (operands, or) = match &root.kind {
            NodeKind::Leaf(_) => return self.leaf_node(root),
            NodeKind::And(operands) => (operands.of(nodes), false),
            NodeKind::Or(operands) => (operands.of(nodes), true),
            NodeKind::AdvAnd(_) | NodeKind::AdvOr(_) | NodeKind::AdvNot(_) => {
                return self.outcome_of(nodes, root).verdict();
            }
            _ => return self.eval_nested(nodes, root),
        };
        let identity = Verdict::from(!or);
        let mut result = identity;
        for operand in operands {
            let verdict = match &operand.kind {
                // The common operand first: one discriminant compare, no memo.
                NodeKind::Leaf(Leaf::Header { slot, test }) if operand.memo == NO_MEMO => {
                    self.header(*slot, test)
                }
                NodeKind::Leaf(_) => self.leaf_node(operand),
                NodeKind::And(inner) => self.leaf_chain(nodes, inner.of(nodes), false),
                NodeKind::Or(inner) => self.leaf_chain(nodes, inner.of(nodes), true),
                _ => self.eval_nested(nodes, operand),
            };
            // Anything but the identity decides the chain, except UNKNOWN (D14); UNDEF aborts
            // it (D23).
            if verdict != identity {
                if verdict != Verdict::Unknown {
                    return verdict;
                }
                result = Verdict::Unknown;
            }
        }
        result
    }

    /// A chain of `&&` (`or` false) or `||` operands one level below the root (a rule in
    /// disjunctive form), left to right with Kleene short-circuiting; UNDEF aborts it (D23).
    /// Leaves are tested in place, anything deeper goes to the explicit stack. Kept out of line
    /// so the root loop stays small enough for its leaves to be inlined.
    #[inline(never)]
    fn leaf_chain(&mut self, nodes: &[Node], operands: &[Node], or: bool) -> Verdict {
        let identity = Verdict::from(!or);
        let mut result = identity;
        for operand in operands {
            let verdict = match &operand.kind {
                NodeKind::Leaf(_) => self.leaf_node(operand),
                _ => self.eval_nested(nodes, operand),
            };
            // Anything but the identity decides the chain, except UNKNOWN (D14); UNDEF aborts
            // it (D23).
            if verdict != identity {
                if verdict != Verdict::Unknown {
                    return verdict;
                }
                result = Verdict::Unknown;
            }
        }
        result
    }

    /// The outcome set of an advanced boolean tree (D23): left to right, the right operand of
    /// `&&` only in the worlds where the left is true, of `||` where it is false; on an
    /// explicit stack.
    pub(crate) fn outcome_of(&mut self, nodes: &[Node], start: &Node) -> Outcome {
        let mut frames: InlineFrames<AdvFrame> = InlineFrames::new(AdvFrame::NOT);
        let mut current = start;
        'descend: loop {
            let mut out = loop {
                match &current.kind {
                    NodeKind::AdvAnd(ops) | NodeKind::AdvOr(ops) => {
                        let or = matches!(current.kind, NodeKind::AdvOr(_));
                        let mut rest = ops.ids();
                        let Some(first) = rest.next() else {
                            break Outcome::from(!or);
                        };
                        frames.push(AdvFrame {
                            kind: if or {
                                AdvFrameKind::Or
                            } else {
                                AdvFrameKind::And
                            },
                            rest,
                        });
                        current = node(nodes, first);
                    }
                    NodeKind::AdvNot(inner) => {
                        frames.push(AdvFrame::NOT);
                        current = node(nodes, *inner);
                    }
                    NodeKind::Leaf(_) => break self.leaf_outcome(current),
                    _ => break Outcome::from(self.eval_nested(nodes, current)),
                }
            };
            loop {
                let Some(top) = frames.top() else {
                    return out;
                };
                let decided = match top.kind {
                    AdvFrameKind::Not => {
                        frames.pop();
                        out = out.not();
                        continue;
                    }
                    AdvFrameKind::Join(or, bits) => {
                        let left = Outcome::from_bits(bits).unwrap_or(Outcome::UNKNOWN);
                        out = if or { left.or(out) } else { left.and(out) };
                        frames.pop();
                        continue;
                    }
                    AdvFrameKind::And => !out.has_true(),
                    AdvFrameKind::Or => !out.has_false(),
                };
                let next = if decided { None } else { top.rest.next() };
                let Some(next) = next else {
                    frames.pop();
                    continue;
                };
                // Evaluate the right operand, then combine it with what is known so far.
                let kind = top.kind;
                frames.push(AdvFrame {
                    kind: AdvFrameKind::Join(kind == AdvFrameKind::Or, out.bits()),
                    rest: 0..0,
                });
                current = node(nodes, next);
                continue 'descend;
            }
        }
    }

    /// An advanced tree's leaf: its exact outcome set, memoised when shared.
    fn leaf_outcome(&mut self, leaf: &Node) -> Outcome {
        if leaf.memo != NO_MEMO
            && let Some(known) = self.memos.get(leaf.memo)
        {
            return if leaf.memo_negate { known.not() } else { known };
        }
        let outcome = match &leaf.kind {
            NodeKind::Leaf(Leaf::Advanced(code)) => self.advanced(self.nodes, code),
            _ => Outcome::from(self.leaf_node(leaf)),
        };
        if leaf.memo != NO_MEMO {
            let stored = if leaf.memo_negate {
                outcome.not()
            } else {
                outcome
            };
            self.memos.set(leaf.memo, stored);
        }
        outcome
    }

    /// Any node, on an explicit stack (no recursion, whatever the nesting): descends to a leaf or
    /// constant, then folds its verdict into the open `&&`/`||`/`!` above it, short-circuiting
    /// left to right (D14). Leaf operands are evaluated without a descent.
    #[inline(never)]
    fn eval_nested(&mut self, nodes: &[Node], start: &Node) -> Verdict {
        let mut frames = Frames::new();
        let mut current = start;
        'descend: loop {
            let mut verdict = loop {
                match &current.kind {
                    NodeKind::Leaf(_) => break self.leaf_node(current),
                    NodeKind::Const(b) => break Verdict::from(*b),
                    NodeKind::Named(body) => {
                        current = node(nodes, *body);
                        // A body shared by several uses is evaluated once per request.
                        if current.memo != NO_MEMO {
                            if let Some(known) = self.memos.get(current.memo) {
                                break known.verdict();
                            }
                            frames.push(Frame::store(current.memo));
                        }
                    }
                    NodeKind::Not(inner) => {
                        frames.push(Frame::not());
                        current = node(nodes, *inner);
                    }
                    // A fresh chain folds its identity, then moves on to its first operand.
                    NodeKind::And(operands) => {
                        frames.push(Frame::chain(false, operands.ids()));
                        break Verdict::True;
                    }
                    NodeKind::Or(operands) => {
                        frames.push(Frame::chain(true, operands.ids()));
                        break Verdict::False;
                    }
                    NodeKind::AdvAnd(_) | NodeKind::AdvOr(_) | NodeKind::AdvNot(_) => {
                        break self.outcome_of(nodes, current).verdict();
                    }
                }
            };
            loop {
                let Some(top) = frames.top() else {
                    return verdict;
                };
                let or = match top.kind {
                    FrameKind::Chain { or } => or,
                    FrameKind::Not => {
                        frames.pop();
                        verdict = !verdict;
                        continue;
                    }
                    FrameKind::Store(memo) => {
                        self.memos.set(memo, Outcome::from(verdict));
                        frames.pop();
                        continue;
                    }
                };
                let decisive = Verdict::from(or);
                // UNDEF aborts the chain (D23); only advanced leaves produce it.
                if verdict == decisive || verdict == Verdict::Undef {
                    frames.pop();
                    continue;
                }
                if verdict == Verdict::Unknown {
                    top.result = Verdict::Unknown;
                }
                loop {
                    let Some(next) = top.operands.next() else {
                        verdict = top.result;
                        frames.pop();
                        break;
                    };
                    let operand = node(nodes, next);
                    if !matches!(operand.kind, NodeKind::Leaf(_)) {
                        current = operand;
                        continue 'descend;
                    }
                    match self.leaf_node(operand) {
                        v if v == decisive || v == Verdict::Undef => {
                            verdict = v;
                            frames.pop();
                            break;
                        }
                        Verdict::Unknown => top.result = Verdict::Unknown,
                        _ => {}
                    }
                }
            }
        }
    }

    /// A leaf: read back from the memo when shared, else tested.
    #[inline(always)]
    pub(crate) fn leaf_node(&mut self, leaf: &Node) -> Verdict {
        if leaf.memo != NO_MEMO {
            if let Some(shared) = self.memos.get(leaf.memo) {
                let verdict = shared.verdict();
                return if leaf.memo_negate { !verdict } else { verdict };
            }
            return self.shared_leaf(leaf);
        }
        match &leaf.kind {
            NodeKind::Leaf(Leaf::Header { slot, test }) => self.header(*slot, test),
            NodeKind::Leaf(Leaf::HeaderAny { slot, test }) => self.header_any(*slot, test),
            NodeKind::Leaf(leaf) => self.leaf(leaf),
            _ => {
                debug_assert!(false, "leaf_node on a compound node");
                Verdict::Unknown
            }
        }
    }

    /// A leaf that occurs several times, at its first use: computed and stored.
    #[inline(never)]
    fn shared_leaf(&mut self, node: &Node) -> Verdict {
        let orient = |v: Verdict| if node.memo_negate { !v } else { v };
        let verdict = match &node.kind {
            NodeKind::Leaf(Leaf::Header { slot, test }) => self.header(*slot, test),
            NodeKind::Leaf(leaf) => self.leaf(leaf),
            _ => {
                debug_assert!(false, "only leaves are memoised");
                return Verdict::Unknown;
            }
        };
        self.memos.set(node.memo, Outcome::from(orient(verdict)));
        verdict
    }

    /// The D6 instance of a request header, looked up at most once per evaluation.
    #[inline]
    fn slot(&mut self, index: u16) -> Slot<'r> {
        let index = usize::from(index);
        let cache = index < self.layout.cached_headers;
        if cache
            && let Some(slot) = self.slots.get(index)
            && !matches!(slot, Slot::Unbound)
        {
            return slot;
        }
        let Some(key) = self.layout.headers.get(index) else {
            debug_assert!(false, "header slot {index} outside the table");
            return Slot::Absent;
        };
        let slot = if !self.request.carries_header(key) {
            Slot::NotCarried
        } else {
            let mut values = self.request.header_values(key);
            let value = match self.layout.header_instance {
                HeaderInstance::First => values.next(),
                _ => values.next_back(),
            };
            value.map_or(Slot::Absent, Slot::Present)
        };
        if cache {
            self.slots.set(index, slot, self.layout.cached_headers);
        }
        slot
    }

    /// Whether the request carries header `index` at all (partial records do not, D13).
    pub(crate) fn carries(&self, index: u16) -> bool {
        self.layout
            .headers
            .get(usize::from(index))
            .is_some_and(|key| self.request.carries_header(key))
    }

    /// The value the header leaf looks at (`None` = absent or not carried).
    pub(crate) fn header_value(&mut self, index: u16) -> Option<&'r [u8]> {
        match self.slot(index) {
            Slot::Present(v) => Some(v),
            _ => None,
        }
    }

    #[inline(always)]
    fn header(&mut self, index: u16, test: &TextTest) -> Verdict {
        if usize::from(index) < self.layout.cached_headers
            && self.layout.header_instance != HeaderInstance::Any
        {
            return match self.slot(index) {
                Slot::Present(value) => Verdict::from(test.test(Some(value))),
                Slot::Absent | Slot::Unbound => Verdict::from(test.test(None)),
                Slot::NotCarried => Verdict::Unknown,
            };
        }
        // A header only this leaf reads: look it up directly, nothing to cache.
        let Some(key) = self.layout.headers.get(usize::from(index)) else {
            debug_assert!(false, "header slot {index} outside the table");
            return Verdict::from(test.test(None));
        };
        uncached_header(self.request, key, self.layout.header_instance, test)
    }

    /// An advanced header test over every instance (D26): some instance passes.
    #[inline(always)]
    fn header_any(&mut self, index: u16, test: &TextTest) -> Verdict {
        let Some(key) = self.layout.headers.get(usize::from(index)) else {
            return Verdict::Unknown;
        };
        let request = self.request;
        if !request.carries_header(key) {
            return Verdict::Unknown;
        }
        Verdict::from(
            request
                .header_values(key)
                .any(|value| test.test(Some(value))),
        )
    }

    /// The D9 path and query, split once.
    #[inline]
    pub(crate) fn path_query(&mut self) -> (&'r [u8], Option<&'r [u8]>) {
        *self
            .target
            .get_or_insert_with(|| split_target(self.request.target()))
    }

    #[inline(never)]
    fn leaf(&mut self, leaf: &Leaf) -> Verdict {
        let v = Verdict::from;
        match leaf {
            Leaf::Header { slot, test } => self.header(*slot, test),
            Leaf::Method(test) => v(test.test(Some(self.request.method()))),
            Leaf::UrlPath(test) => v(test.test(Some(self.path_query().0))),
            Leaf::UrlPattern { pattern, negate } => {
                v(pattern.is_match(self.path_query().0) != *negate)
            }
            Leaf::UrlQuery(test) => v(test.test(self.path_query().1)),
            Leaf::Version(test) => v(test.test(Some(self.request.version()))),
            Leaf::UrlLen(test) => v(test.test(len_u64(self.request.target()))),
            Leaf::UrlQueryLen(test) => v(test.test(self.path_query().1.map_or(0, len_u64))),
            Leaf::UrlTokens { tokens, negate } => {
                let target = self.request.target();
                let any = tokens
                    .iter()
                    .any(|t| memchr::memmem::find(target, t).is_some());
                v(any != *negate)
            }
            _ => self.context_leaf(leaf),
        }
    }

    /// Leaves that read the context (D13): missing context is UNKNOWN, absent data follows D7.
    #[cold]
    fn context_leaf(&mut self, leaf: &Leaf) -> Verdict {
        let v = Verdict::from;
        let ctx = self.context;
        match leaf {
            Leaf::ResponseHeader { key, test } => match &ctx.response {
                None => Verdict::Unknown,
                Some(response) => {
                    let mut values = response
                        .headers
                        .iter()
                        .filter(|(n, _)| key.matches(n))
                        .map(|(_, value)| value.as_slice());
                    match self.layout.header_instance {
                        HeaderInstance::Any => v(any_instance(values, test)),
                        HeaderInstance::First => v(test.test(values.next())),
                        HeaderInstance::Last => v(test.test(values.next_back())),
                    }
                }
            },
            Leaf::ResponseVersion(test) => {
                match ctx.response.as_ref().and_then(|r| r.version.as_ref()) {
                    Some(version) => v(test.test(Some(version.as_bytes()))),
                    None => Verdict::Unknown,
                }
            }
            Leaf::StatusCode(test) => match ctx.response.as_ref().and_then(|r| r.status) {
                Some(status) => v(test.test(status)),
                None => Verdict::Unknown,
            },
            Leaf::NetNumber {
                response,
                field,
                test,
            } => match net_number(net(ctx, *response), *field) {
                Some(n) => v(test.test(n)),
                None => Verdict::Unknown,
            },
            Leaf::NetIp {
                response,
                field,
                test,
            } => {
                let net = net(ctx, *response);
                let ip = match field {
                    NetField::DestIp => net.dest_ip,
                    _ => net.source_ip,
                };
                ip.map_or(Verdict::Unknown, |ip: IpAddr| v(test.test(ip)))
            }
            Leaf::NetMac {
                response,
                field,
                value,
                negate,
            } => {
                let net = net(ctx, *response);
                let mac = match field {
                    NetField::DestMac => net.dest_mac,
                    _ => net.source_mac,
                };
                mac.map_or(Verdict::Unknown, |mac| v((mac == *value) != *negate))
            }
            Leaf::InterfaceId { response, test } => match &net(ctx, *response).interface_id {
                Some(id) => v(test.test(Some(id.as_bytes()))),
                None => Verdict::Unknown,
            },
            Leaf::CertText { field, test } => match cert(ctx) {
                Lookup::Missing => Verdict::Unknown,
                Lookup::Absent => v(test.test(None)),
                Lookup::Known(c) => {
                    let text = match field {
                        CertText::Whole => &c.text,
                        CertText::Subject => &c.subject,
                        CertText::Issuer => &c.issuer,
                        CertText::SigAlgo => &c.sigalgo,
                        CertText::Serial => &c.serial,
                    };
                    v(test.test(Some(text.as_bytes())))
                }
            },
            Leaf::TlsNumber {
                field: TlsNumber::CertVersion,
                test,
            } => match cert(ctx) {
                Lookup::Missing => Verdict::Unknown,
                Lookup::Absent => v(test.on_absent()),
                Lookup::Known(c) => v(test.test(c.version)),
            },
            Leaf::TlsNumber { field, test } => {
                let tls = ctx.tls.as_ref();
                let n = match field {
                    TlsNumber::CipherBits => tls.and_then(|t| t.cipher_bits),
                    _ => tls.and_then(|t| t.version),
                };
                n.map_or(Verdict::Unknown, |n| v(test.test(n)))
            }
            Leaf::CipherExport { negate } => match ctx.tls.as_ref().and_then(|t| t.exportable) {
                Some(export) => v(export != *negate),
                None => Verdict::Unknown,
            },
            Leaf::CertDate { not_after, test } => match cert(ctx) {
                Lookup::Missing => Verdict::Unknown,
                Lookup::Absent => v(test.on_absent()),
                Lookup::Known(c) => {
                    let t = if *not_after {
                        c.not_after
                    } else {
                        c.not_before
                    };
                    v(test.test(order_key(t)))
                }
            },
            Leaf::Location { pattern, negate } => match &ctx.location {
                Some(location) => v(location_matches(pattern, location) != *negate),
                None => Verdict::Unknown,
            },
            Leaf::Clock { unit, local, test } => {
                let Some(clock) = ctx.clock else {
                    return Verdict::Unknown;
                };
                let offset = if *local {
                    match clock.local_offset {
                        Some(o) => i64::from(o),
                        None => return Verdict::Unknown,
                    }
                } else {
                    0
                };
                // A caller's clock near the ends of time cannot be shifted: UNKNOWN, not a wrap.
                let Some(t) = clock.unix.checked_add(offset) else {
                    return Verdict::Unknown;
                };
                let key = match unit {
                    ClockUnit::Second => order_key(t),
                    ClockUnit::Day => order_key(t.div_euclid(86_400)),
                    ClockUnit::Weekday => (t.div_euclid(86_400) + 4).rem_euclid(7) as u64,
                };
                v(test.test(key))
            }
            Leaf::Opaque { text, .. } => match ctx.opaque_verdicts.get(&**text) {
                Some(b) => v(*b),
                None => Verdict::Unknown,
            },
            Leaf::HeaderAny { slot, test } => self.header_any(*slot, test),
            Leaf::Advanced(code) => self.advanced(self.nodes, code).verdict(),
            Leaf::Header { .. }
            | Leaf::Method(_)
            | Leaf::UrlPath(_)
            | Leaf::UrlPattern { .. }
            | Leaf::UrlQuery(_)
            | Leaf::Version(_)
            | Leaf::UrlLen(_)
            | Leaf::UrlQueryLen(_)
            | Leaf::UrlTokens { .. } => unreachable!("request leaves are tested by `leaf`"),
        }
    }
}

/// A header test on a header no other leaf reads: looked up directly, nothing cached.
#[inline(always)]
fn uncached_header<V: RequestView>(
    request: &V,
    key: &HeaderKey,
    instance: HeaderInstance,
    test: &TextTest,
) -> Verdict {
    if !request.carries_header(key) {
        return Verdict::Unknown;
    }
    let found = match (instance, &test.op) {
        (HeaderInstance::Any, _) => {
            return Verdict::from(any_instance(request.header_values(key), test));
        }
        // Presence alone: no need to find the instance (D7).
        (_, TextOp::Exists) => return Verdict::from(request.has_header(key)),
        (_, TextOp::NotExists) => return Verdict::from(!request.has_header(key)),
        (HeaderInstance::First, _) => request.header_values(key).next(),
        (HeaderInstance::Last, _) => request.header_values(key).next_back(),
    };
    Verdict::from(test.test(found))
}

/// The verdict of a program that is one request leaf (the most common session-policy rule,
/// `HEADER User-Agent CONTAINS ...`), without binding the request: nothing is shared, so there
/// is nothing to cache. `None` for any other program.
#[inline(always)]
pub(crate) fn lone_leaf<V: RequestView>(
    root: &Node,
    layout: &Layout,
    request: &V,
) -> Option<Verdict> {
    if root.memo != NO_MEMO {
        return None;
    }
    match &root.kind {
        NodeKind::Leaf(Leaf::Header { slot, test })
            if usize::from(*slot) >= layout.cached_headers =>
        {
            let key = layout.headers.get(usize::from(*slot))?;
            Some(uncached_header(request, key, layout.header_instance, test))
        }
        NodeKind::Leaf(Leaf::Method(test)) => {
            Some(Verdict::from(test.test(Some(request.method()))))
        }
        _ => None,
    }
}

/// D6 `Any`: a positive operator needs one instance to match; a negative one needs every
/// instance to pass (no instance matches its positive form). No instance is absent (D7).
fn any_instance<'a>(mut values: impl Iterator<Item = &'a [u8]>, test: &TextTest) -> bool {
    if test.op.is_negative() {
        values.all(|value| test.test(Some(value)))
    } else {
        values.any(|value| test.test(Some(value)))
    }
}

fn len_u64(s: &[u8]) -> u64 {
    u64::try_from(s.len()).unwrap_or(u64::MAX)
}

fn net(ctx: &Context, response: bool) -> &NetInfo {
    if response {
        &ctx.response_net
    } else {
        &ctx.request_net
    }
}

fn net_number(net: &NetInfo, field: NetField) -> Option<u64> {
    match field {
        NetField::SourcePort => net.source_port.map(u64::from),
        NetField::DestPort => net.dest_port.map(u64::from),
        NetField::Mss => net.mss,
        NetField::RxThroughput => net.rx_throughput,
        NetField::TxThroughput => net.tx_throughput,
        NetField::RxTxThroughput => net.rxtx_throughput,
        NetField::Vlan => net.vlan,
        NetField::SourceIp | NetField::DestIp | NetField::SourceMac | NetField::DestMac => {
            unreachable!("the compiler gives number leaves number fields")
        }
    }
}

fn cert(ctx: &Context) -> Lookup<&super::ClientCert> {
    match ctx.tls.as_ref().and_then(|t| t.client_cert.as_ref()) {
        None => Lookup::Missing,
        Some(None) => Lookup::Absent,
        Some(Some(c)) => Lookup::Known(c),
    }
}

/// `LOCATION` patterns compare dot-separated parts case-insensitively; `*` matches any part.
fn location_matches(pattern: &[Box<str>], location: &str) -> bool {
    let mut parts = location.split('.');
    pattern.iter().all(|p| match parts.next() {
        Some(part) => &**p == "*" || p.eq_ignore_ascii_case(part),
        None => &**p == "*",
    })
}

/// Whether the context supplies an input (for `missing_inputs`).
pub(crate) fn supplies(ctx: &Context, input: ContextInput) -> bool {
    let n = &ctx.request_net;
    match input {
        ContextInput::ClientIp => n.source_ip.is_some(),
        ContextInput::DestIp => n.dest_ip.is_some(),
        ContextInput::ClientPort => n.source_port.is_some(),
        ContextInput::DestPort => n.dest_port.is_some(),
        ContextInput::Mss => n.mss.is_some(),
        ContextInput::Mac => n.source_mac.is_some() || n.dest_mac.is_some(),
        ContextInput::Interface => n.interface_id.is_some() || n.rx_throughput.is_some(),
        ContextInput::Vlan => n.vlan.is_some(),
        ContextInput::Location => ctx.location.is_some(),
        ContextInput::Tls => ctx.tls.is_some(),
        ContextInput::ClientCert => ctx.tls.as_ref().is_some_and(|t| t.client_cert.is_some()),
        ContextInput::Clock => ctx.clock.is_some(),
        ContextInput::LocalTimeZone => ctx.clock.is_some_and(|c| c.local_offset.is_some()),
        ContextInput::ClientSecurity | ContextInput::FileSystem => !ctx.opaque_verdicts.is_empty(),
        ContextInput::Response => ctx.response.is_some(),
        ContextInput::AaaUser => ctx.user.is_some(),
        ContextInput::AaaGroups => ctx.groups.is_some(),
        // Partial records report headers they do not carry per request, not through the context.
        ContextInput::Headers => true,
    }
}

/// An open node of [`Bindings::outcome_of`].
#[derive(Clone)]
struct AdvFrame {
    kind: AdvFrameKind,
    rest: std::ops::Range<NodeId>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AdvFrameKind {
    And,
    Or,
    Not,
    /// The right operand of the `&&` (`false`) or `||` (`true`) below is being evaluated;
    /// the left operand's outcome bits.
    Join(bool, u8),
}

impl AdvFrame {
    const NOT: AdvFrame = AdvFrame {
        kind: AdvFrameKind::Not,
        rest: 0..0,
    };
}

/// A frame stack whose first [`INLINE_FRAMES`] entries need no allocation.
struct InlineFrames<T: Clone> {
    inline: [T; INLINE_FRAMES],
    len: usize,
    spilled: Vec<T>,
}

impl<T: Clone> InlineFrames<T> {
    fn new(fill: T) -> InlineFrames<T> {
        InlineFrames {
            inline: std::array::from_fn(|_| fill.clone()),
            len: 0,
            spilled: Vec::new(),
        }
    }

    fn push(&mut self, frame: T) {
        match self.inline.get_mut(self.len) {
            Some(place) => *place = frame,
            None => self.spilled.push(frame),
        }
        self.len += 1;
    }

    fn top(&mut self) -> Option<&mut T> {
        let top = self.len.checked_sub(1)?;
        match top.checked_sub(INLINE_FRAMES) {
            None => self.inline.get_mut(top),
            Some(_) => self.spilled.last_mut(),
        }
    }

    fn pop(&mut self) {
        if self.len > INLINE_FRAMES {
            self.spilled.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}

/// An open node of [`Bindings::eval_nested`].
#[derive(Clone)]
struct Frame {
    kind: FrameKind,
    operands: std::ops::Range<NodeId>,
    result: Verdict,
}

#[derive(Clone, Copy)]
enum FrameKind {
    /// `&&` (`or == false`) or `||`.
    Chain {
        or: bool,
    },
    Not,
    /// A shared named-expression body: memoise its verdict.
    Store(u16),
}

impl Frame {
    const fn not() -> Frame {
        Frame {
            kind: FrameKind::Not,
            operands: 0..0,
            result: Verdict::Unknown,
        }
    }

    const fn store(memo: u16) -> Frame {
        Frame {
            kind: FrameKind::Store(memo),
            operands: 0..0,
            result: Verdict::Unknown,
        }
    }

    fn chain(or: bool, operands: std::ops::Range<NodeId>) -> Frame {
        Frame {
            kind: FrameKind::Chain { or },
            operands,
            // The identity: true for `&&`, false for `||`.
            result: Verdict::from(!or),
        }
    }
}

/// Open frames: the first [`INLINE_FRAMES`] on the stack (real rules nest a few levels; no
/// allocation), deeper ones on the heap.
struct Frames {
    inline: [Frame; INLINE_FRAMES],
    len: usize,
    spilled: Vec<Frame>,
}

const INLINE_FRAMES: usize = 8;

impl Frames {
    #[inline]
    fn new() -> Frames {
        Frames {
            inline: [const { Frame::not() }; INLINE_FRAMES],
            len: 0,
            spilled: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, frame: Frame) {
        match self.inline.get_mut(self.len) {
            Some(place) => *place = frame,
            None => self.spilled.push(frame),
        }
        self.len += 1;
    }

    #[inline]
    fn top(&mut self) -> Option<&mut Frame> {
        let top = self.len.checked_sub(1)?;
        match top.checked_sub(INLINE_FRAMES) {
            None => self.inline.get_mut(top),
            Some(_) => self.spilled.last_mut(),
        }
    }

    #[inline]
    fn pop(&mut self) {
        if self.len > INLINE_FRAMES {
            self.spilled.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}

/// The inputs of `inputs` that `context` does not supply.
pub(crate) fn missing(
    inputs: &std::collections::BTreeSet<ContextInput>,
    context: &Context,
) -> Vec<ContextInput> {
    inputs
        .iter()
        .copied()
        .filter(|input| !supplies(context, *input))
        .collect()
}
