//! The evaluator's tree: names inlined (D12), qualifiers reduced to slots and context sources,
//! literals prebuilt into matchers. No spans; every node keeps a label index for `explain`.

use super::matchers::{IpTest, NumTest, TextTest, UrlPattern};
use crate::eval::HeaderKey;

/// One node of a compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Index into the program's labels (canonical text of the sub-rule).
    pub label: u32,
    /// For a leaf that occurs more than once (same canonical text) in a program or set: its slot in
    /// the per-evaluation memo, so it is computed once per request. [`NO_MEMO`] otherwise.
    pub memo: u16,
    /// The memo holds the verdict of the positive test this leaf negates (NOTCONTAINS of a
    /// shared CONTAINS, ...).
    pub memo_negate: bool,
    /// For `&&`/`||` whose operands the compiler reordered (cheapest first; Kleene `&&` and `||`
    /// are commutative and evaluation has no side effects, so the verdict is the same): the
    /// written position of each stored operand, so `explain` can show and walk the written order
    /// (D14). `None` when the order is unchanged.
    pub written: Option<Box<[u16]>>,
    pub kind: NodeKind,
}

// Leaves stay inline: boxing them would add a pointer chase to every evaluation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Const(bool),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    /// A named expression, inlined; kept as a node so `explain` can show the name.
    Named(Box<Node>),
    Leaf(Leaf),
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

/// `Node::memo` of a leaf that is not shared.
pub(crate) const NO_MEMO: u16 = u16::MAX;

#[derive(Debug, Clone)]
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
    /// URLTOKENS: any listed character in the raw target (D9, section 7).
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
}

/// A static estimate of what evaluating a node costs: presence tests and constants are cheap,
/// substring searches and clock arithmetic dearer; a compound costs the sum of its operands.
pub(crate) fn cost(node: &Node) -> u32 {
    use super::matchers::TextOp;
    match &node.kind {
        NodeKind::Const(_) => 0,
        NodeKind::And(items) | NodeKind::Or(items) => items.iter().map(cost).sum(),
        NodeKind::Not(inner) | NodeKind::Named(inner) => cost(inner),
        NodeKind::Leaf(leaf) => match leaf {
            Leaf::Header { test, .. } | Leaf::ResponseHeader { test, .. } => match test.op {
                TextOp::Exists | TextOp::NotExists => 2,
                TextOp::Contents | TextOp::Equals { .. } | TextOp::NotEquals { .. } => 3,
                TextOp::Contains(_) | TextOp::NotContains(_) => 6,
            },
            Leaf::Method(_) | Leaf::Version(_) | Leaf::UrlLen(_) => 1,
            Leaf::UrlPath(_) | Leaf::UrlQuery(_) | Leaf::UrlQueryLen(_) => 3,
            Leaf::UrlPattern { .. } => 3,
            Leaf::UrlTokens { .. } => 5,
            _ => 2,
        },
    }
}

/// Maps a signed value onto `u64` preserving order, so date comparisons reuse `NumTest`.
pub(crate) fn order_key(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}
