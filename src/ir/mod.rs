//! The compiled form of a rule, written by [`compile`](crate::compile) and read by
//! [`eval`](crate::eval): an arena of nodes in which named expressions are compiled once and
//! shared (a DAG, D12), qualifiers reduced to header slots and context sources, literals prebuilt
//! into matchers. Nodes carry no text; labels for `explain` sit in a side table.

pub(crate) mod advanced;
mod header;
mod input;
pub(crate) mod matchers;
mod program;
pub(crate) mod visit;

pub use header::HeaderKey;
pub use input::ContextInput;
pub(crate) use input::InputSet;
pub(crate) use program::{HeaderAtoms, Labels, Layout, Member, TriggerIndex};
pub use program::{HeaderInstance, Program, ProgramSet, SetScratch, Syntax};

use matchers::{IpTest, NumTest, TextTest, UrlPattern};

/// Index of a node in a program's arena.
pub(crate) type NodeId = u32;

/// One node of a compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// For a leaf whose test is evaluated more than once per request (it occurs several times, or
    /// sits in a named expression used several times), and for the body of a named expression
    /// used several times: its slot in the per-evaluation memo. [`NO_MEMO`] otherwise.
    pub memo: u16,
    /// The memo holds the verdict of the positive test this leaf negates (NOTCONTAINS of a
    /// shared CONTAINS, ...).
    pub memo_negate: bool,
    pub kind: NodeKind,
}

/// `Node::memo` of a leaf that is not shared.
pub(crate) const NO_MEMO: u16 = u16::MAX;

impl Node {
    /// A placeholder for a reserved arena slot, overwritten when its expression is lowered.
    pub(crate) const fn placeholder() -> Node {
        Node {
            memo: NO_MEMO,
            memo_negate: false,
            kind: NodeKind::Const(false),
        }
    }
}

/// The operands of `&&`/`||`: consecutive arena nodes, so evaluation scans them in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operands {
    pub first: NodeId,
    pub len: u32,
}

impl Operands {
    /// The operand nodes, in evaluation order.
    #[inline]
    pub(crate) fn of(self, nodes: &[Node]) -> &[Node] {
        let start = self.first as usize;
        let found = nodes.get(start..start + self.len as usize);
        debug_assert!(found.is_some(), "operands outside the arena");
        found.unwrap_or(&[])
    }

    /// The operand ids, in evaluation order.
    pub(crate) fn ids(self) -> std::ops::Range<NodeId> {
        self.first..self.first + self.len
    }
}

// Leaves stay inline: boxing them would add a pointer chase to every evaluation.
// An explicit tag byte (no niche inside the leaf) makes the evaluator's dispatch one compare.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
#[repr(u8)]
pub(crate) enum NodeKind {
    Const(bool),
    And(Operands),
    Or(Operands),
    Not(NodeId),
    /// A use of a named expression: the shared body, kept as a node so `explain` can show the
    /// name.
    Named(NodeId),
    Leaf(Leaf),
    /// Advanced `&&` of a rule that can be UNDEF: evaluated on outcome sets, left to right,
    /// never reordered (D23).
    AdvAnd(Operands),
    /// Advanced `||`, as [`AdvAnd`](Self::AdvAnd).
    AdvOr(Operands),
    /// Advanced `!` on an outcome set (UNDEF stays UNDEF).
    AdvNot(NodeId),
}

impl NodeKind {
    /// The nodes this one refers to directly.
    pub(crate) fn children(&self) -> std::ops::Range<NodeId> {
        match self {
            NodeKind::And(ops)
            | NodeKind::Or(ops)
            | NodeKind::AdvAnd(ops)
            | NodeKind::AdvOr(ops) => ops.ids(),
            NodeKind::Not(inner) | NodeKind::Named(inner) | NodeKind::AdvNot(inner) => {
                *inner..*inner + 1
            }
            NodeKind::Leaf(Leaf::Advanced(code)) => code.node_range(),
            NodeKind::Const(_) | NodeKind::Leaf(_) => 0..0,
        }
    }
}

/// The node `id` of an arena built by the compiler (ids always point inside it).
#[inline]
pub(crate) fn node(nodes: &[Node], id: NodeId) -> &Node {
    static MISSING: Node = Node::placeholder();
    let found = nodes.get(id as usize);
    debug_assert!(found.is_some(), "node {id} outside the arena");
    found.unwrap_or(&MISSING)
}

/// A context value's source: which field of `Context` and which input it reports when missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetField {
    SourceIp,
    DestIp,
    SourcePort,
    DestPort,
    Mss,
    SourceMac,
    DestMac,
    RxThroughput,
    TxThroughput,
    RxTxThroughput,
    Vlan,
}

/// Certificate text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertText {
    Whole,
    Subject,
    Issuer,
    SigAlgo,
    Serial,
}

/// Numbers read from TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsNumber {
    CertVersion,
    CipherBits,
    SslVersion,
}

/// What a clock comparison looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClockUnit {
    /// Calendar day (`DATE`).
    Day,
    /// Seconds (`TIME`).
    Second,
    /// 0 = Sunday (`DAYOFWEEK`).
    Weekday,
}

#[derive(Debug, Clone)]
#[repr(u8)]
pub(crate) enum Leaf {
    /// A request header in slot `slot` of the program's header table.
    Header {
        slot: u16,
        test: TextTest,
    },
    /// A response header (read from the context's response).
    ResponseHeader {
        key: HeaderKey,
        test: TextTest,
    },
    Method(TextTest),
    /// `URL CONTAINS`/`CONTENTS`/`EXISTS` on the D9 path.
    UrlPath(TextTest),
    /// `URL ==`/`!=` wildcard table.
    UrlPattern {
        pattern: UrlPattern,
        negate: bool,
    },
    UrlQuery(TextTest),
    Version(TextTest),
    ResponseVersion(TextTest),
    UrlLen(NumTest),
    UrlQueryLen(NumTest),
    /// URLTOKENS: any listed character in the raw target (D9, docs/semantics.md#urltokens).
    UrlTokens {
        tokens: Box<[Box<[u8]>]>,
        negate: bool,
    },
    StatusCode(NumTest),
    NetNumber {
        response: bool,
        field: NetField,
        test: NumTest,
    },
    NetIp {
        response: bool,
        field: NetField,
        test: IpTest,
    },
    NetMac {
        response: bool,
        field: NetField,
        value: [u8; 6],
        negate: bool,
    },
    /// The interface id.
    InterfaceId {
        response: bool,
        test: TextTest,
    },
    CertText {
        field: CertText,
        test: TextTest,
    },
    TlsNumber {
        field: TlsNumber,
        test: NumTest,
    },
    CipherExport {
        negate: bool,
    },
    /// Certificate validity bound (`true` = not-after) against a Unix time, order-mapped to u64.
    CertDate {
        not_after: bool,
        test: NumTest,
    },
    Location {
        pattern: Box<[Box<str>]>,
        negate: bool,
    },
    /// `DATE`/`TIME`/`DAYOFWEEK`; `local` literals need the context's offset.
    Clock {
        unit: ClockUnit,
        local: bool,
        test: NumTest,
    },
    /// EPA / `FS.*` text answered only by the context (D13).
    Opaque {
        text: Box<str>,
    },
    /// An advanced header test over every instance (D26): a positive test on some instance.
    HeaderAny {
        slot: u16,
        test: TextTest,
    },
    /// An advanced boolean chain evaluated by the value machine (D23-D32).
    Advanced(Box<advanced::AdvCode>),
}

impl Leaf {
    /// The header slots the leaf reads, for renumbering the header table.
    pub(crate) fn header_slots_mut(&mut self) -> Vec<&mut u16> {
        match self {
            Leaf::Header { slot, .. } | Leaf::HeaderAny { slot, .. } => vec![slot],
            Leaf::Advanced(code) => code.header_slots_mut(),
            _ => Vec::new(),
        }
    }
}

/// Maps a signed value onto `u64` preserving order, so date comparisons reuse `NumTest`.
pub(crate) fn order_key(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}
