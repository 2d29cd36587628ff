//! The compiled form of an advanced value chain (D23-D32) that no classic matcher expresses:
//! a flat postfix program over a value stack, so evaluation needs no recursion and no tree
//! walk. `&&`/`||` inside it short-circuit through [`AdvOp::AndCheck`]/[`AdvOp::OrCheck`]
//! jumps on outcome sets.

use super::NodeId;

use super::matchers::IpTest;
use crate::ast::advanced::TimeLit;

/// One boolean leaf of an advanced rule.
#[derive(Debug, Clone)]
pub(crate) struct AdvCode {
    pub ops: Box<[AdvOp]>,
    /// Whether an op needs the per-evaluation text buffer (decoding, case mapping, `+`).
    pub uses_scratch: bool,
}

/// A request or context value pushed onto the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdvSource {
    /// All instances of header slot `n`.
    Header(u16),
    Url,
    Method,
    Version,
    /// Request-line host, else the last Host header (D29); holds the Host slot.
    Hostname(u16),
    ClientIp {
        dst: bool,
    },
    ClientIpv6 {
        dst: bool,
    },
    ClientPort {
        dst: bool,
    },
    Mss,
    Vlan,
    IsSsl,
    CipherBits,
    SslVersion,
    CipherExportable,
    SysTime,
    UserName,
    Groups,
    IsValid,
}

/// Comparisons of two numbers, two texts, or a time with a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Integer and bitwise operators (D30: overflow and division by zero are UNDEF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
}

/// Text predicates with one text argument popped from the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextPred {
    Contains,
    Eq,
    Ne,
    StartsWith,
    EndsWith,
}

/// Pattern-set predicates (D32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetPred {
    /// `CONTAINS_ANY`
    Contains,
    /// `EQUALS_ANY`
    Equals,
    /// `STARTSWITH_ANY`
    StartsWith,
}

/// Text extractors with one text argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extract {
    AfterStr,
    BeforeStr,
    SubstrText,
    StripEndChars,
}

/// Fields of a time value (GMT unless the option says local, D30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeField {
    Weekday,
    Day,
    Hours,
    Minutes,
    Seconds,
    Month,
    Year,
}

/// A regular expression (D28), compiled once.
#[derive(Debug, Clone)]
pub(crate) enum AdvRegex {
    /// The `regex` crate: linear time, no back-references or look-around.
    Linear(regex::bytes::Regex),
    /// The `fancy_regex` option: backtracking with a step limit.
    #[cfg(feature = "fancy-regex")]
    Backtracking(fancy_regex::Regex),
}

/// One postfix operation. "Pops" lists what it takes, receiver first.
#[derive(Debug, Clone)]
pub(crate) enum AdvOp {
    Bool(bool),
    Num(i64),
    Text(Box<[u8]>),
    Source(AdvSource),
    /// Pops `pops` values; pushes UNKNOWN (a value outside what we evaluate), or UNDEF if one
    /// of them was.
    Unknown {
        pops: u8,
    },
    /// `AAA.USER.IS_MEMBER_OF("g")`; `fold` under `group_match = AsciiCaseless`.
    IsMemberOf {
        group: Box<[u8]>,
        fold: bool,
    },
    /// A classic sub-rule (`SYS.EVAL_CLASSIC_EXPR`), evaluated in the same arena.
    Node(NodeId),
    /// Pops a header; pushes the header restricted to the n-th instance from the last.
    Instance(u8),
    /// Pops a header; pushes the n-th value from the last (`""` past the first).
    Value(u8),
    /// Pops a header; pushes the last instance's value (D26), or `""`.
    HeaderText,
    Exists,
    Count,
    /// Pops a header and a text: some single instance contains it (D26); an absent header
    /// contains `""` only under `empty_needle_on_absent` (D27).
    HeaderContains {
        fold: bool,
        empty_on_absent: bool,
    },
    /// Pops a header and a text; last instance to first, the first that matches (D26).
    HeaderExtract {
        kind: Extract,
        fold: bool,
    },
    /// Pops a header: some instance matches some member of the set.
    HeaderSet {
        kind: SetPred,
        set: Box<[Box<[u8]>]>,
        fold: bool,
    },
    /// Pops a header and a text; some instance satisfies `pred` (`header_text_ops = Any`).
    HeaderAnyPred {
        pred: TextPred,
        fold: bool,
    },
    /// Pops a text; pushes its percent-decoded form (`URLENCODED`, D25).
    Decode,
    /// Pops a text; pushes it with ASCII letters mapped (`TO_LOWER`/`TO_UPPER`).
    MapCase {
        upper: bool,
    },
    UrlPath,
    UrlQuery,
    UrlPathAndQuery,
    UrlSuffix,
    /// Pops a host name; pushes the part before the port.
    HostDomain,
    /// Pops a host name; pushes its port number (0 if none).
    HostPort,
    /// Pops a text and a number.
    Skip,
    /// Pops a text and two numbers.
    SubstrRange,
    /// Pops a text and a text.
    Extract {
        kind: Extract,
        fold: bool,
    },
    Length,
    TypecastNum,
    TypecastIp,
    /// Pops a text and a text.
    TextPred {
        pred: TextPred,
        fold: bool,
    },
    /// Pops a text.
    SetPred {
        kind: SetPred,
        set: Box<[Box<[u8]>]>,
        fold: bool,
    },
    /// Pops a text.
    Regex(Box<AdvRegex>),
    /// Pops a method token.
    MethodIs {
        word: Box<[u8]>,
        fold: bool,
        negate: bool,
    },
    /// Pops two texts; pushes their concatenation.
    Concat,
    /// Pops two values of one type (numbers, texts, booleans, addresses).
    Compare(Cmp),
    /// Pops two numbers.
    Arith(Arith),
    /// Pops a number and two bounds (inclusive).
    Between,
    Neg,
    /// Pops a boolean.
    Not,
    /// Pops an address.
    IpIn(IpTest),
    /// Pops a time.
    TimeCmp {
        cmp: Cmp,
        pattern: TimeLit,
    },
    /// Pops a time.
    TimeBetween {
        low: TimeLit,
        high: TimeLit,
    },
    /// Pops a time; `local` under `sys_time_fields = Local`.
    TimeField {
        field: TimeField,
        local: bool,
    },
    /// Pops a list (groups); pushes its element count.
    ListCount,
    /// Pops a list and a text: some element contains it.
    ListContains {
        fold: bool,
    },
    /// Looks at the boolean on top: if it cannot be true, jumps to op `n` (keeping it);
    /// otherwise evaluation continues with the right operand.
    AndCheck(u32),
    /// Pops the right and left operands of `&&`; pushes the combined set.
    AndJoin,
    /// As [`AndCheck`](Self::AndCheck) for `||`: jumps when the top cannot be false.
    OrCheck(u32),
    OrJoin,
}

impl AdvCode {
    /// The classic sub-rule this code evaluates, as a child range (at most one per leaf: the
    /// lowering gives each `SYS.EVAL_CLASSIC_EXPR` chain its own leaf).
    pub(crate) fn node_range(&self) -> std::ops::Range<NodeId> {
        self.ops
            .iter()
            .find_map(|op| match op {
                AdvOp::Node(id) => Some(*id..*id + 1),
                _ => None,
            })
            .unwrap_or(0..0)
    }

    pub(crate) fn header_slots_mut(&mut self) -> Vec<&mut u16> {
        self.ops
            .iter_mut()
            .filter_map(|op| match op {
                AdvOp::Source(AdvSource::Header(slot) | AdvSource::Hostname(slot)) => Some(slot),
                _ => None,
            })
            .collect()
    }
}
