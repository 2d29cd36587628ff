//! The spanned syntax tree of an advanced (default-syntax) expression.
//!
//! The tree keeps what the user wrote, reduced only where the canonical form (D35) says two
//! spellings mean the same: prefix words, methods and enumeration words are stored upper-case,
//! redundant parentheses are dropped, joined string literals are one constant, and a chain
//! behind parentheses (`(a.b).c`) is one chain. `Display` prints the canonical text and
//! `parse(print(ast))` equals the tree ignoring spans ([`AdvExpr::same_as`]).
//!
//! Chains and runs of one precedence level are flat lists, so the depth of a tree is bounded by
//! the parser's nesting limit, not by the length of the rule.

pub(crate) mod print;

use std::net::IpAddr;

use super::Span;

/// An advanced expression or sub-expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvExpr {
    /// What the node is.
    pub kind: AdvKind,
    /// Where it was written.
    pub span: Span,
}

/// The node kinds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AdvKind {
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// A non-negative integer literal; `hex` records the `0x` spelling (kept when printing).
    Number {
        /// The value.
        value: u64,
        /// Written as `0x...`.
        hex: bool,
    },
    /// A string literal after unescaping; literals joined with `+` are one constant.
    Text(Vec<u8>),
    /// A character literal `'c'` (one byte), as in `TYPECAST_LIST_T(',')`.
    Char(u8),
    /// `re<d>...<d>` or `xp<d>...<d>`.
    Regex(RegexLit),
    /// An IPv4 or IPv6 address, optionally with `/len` (argument position only).
    Ip(IpLit),
    /// A time literal such as `GMT 2010 May 24` (argument position only).
    Time(TimeLit),
    /// A bare enumeration word in argument position (`IGNORECASE`, `GET`), upper-case.
    Enum(String),
    /// A dotted chain `head.CALL(args).CALL...`.
    Chain(Chain),
    /// `!a`
    Not(Box<AdvExpr>),
    /// `-a`
    Neg(Box<AdvExpr>),
    /// A run of binary operators of one precedence level, grouped left to right.
    Infix(Infix),
}

/// A chain: a head and the calls after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The first element.
    pub head: ChainHead,
    /// `.NAME[(args)]` after the head, in order.
    pub calls: Vec<Call>,
}

/// What a chain starts with.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainHead {
    /// A word: a prefix word (`HTTP`, stored upper-case) or a named expression (as written).
    Word(Call),
    /// A literal or parenthesised expression followed by calls (`"abc".LENGTH`, `TRUE.NOT`).
    Expr(Box<AdvExpr>),
}

/// One `NAME` or `NAME(args)` element of a chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The name; upper-case except for named expressions at the head of a chain.
    pub name: String,
    /// The argument list, `None` when written without parentheses.
    pub args: Option<Vec<AdvExpr>>,
    /// From the name to the closing parenthesis.
    pub span: Span,
}

/// `first op operand op operand ...`, every operator of one precedence level.
#[derive(Debug, Clone, PartialEq)]
pub struct Infix {
    /// The left-most operand.
    pub first: Box<AdvExpr>,
    /// The operators and their right operands, left to right (at least one).
    pub rest: Vec<(BinOp, AdvExpr)>,
}

/// Binary operators (D22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BinOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+` (addition or text concatenation)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// Every operator, for generators and tables.
    pub const ALL: [BinOp; 16] = [
        BinOp::Or,
        BinOp::And,
        BinOp::BitOr,
        BinOp::BitXor,
        BinOp::BitAnd,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Rem,
    ];

    /// Binding strength, higher binds tighter (D22): `||` 1 ... `* / %` 9.
    pub fn level(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::BitOr => 3,
            BinOp::BitXor => 4,
            BinOp::BitAnd => 5,
            BinOp::Eq | BinOp::Ne => 6,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 7,
            BinOp::Add | BinOp::Sub => 8,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 9,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

/// A regular-expression (`re`) or XPath (`xp`) literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexLit {
    /// `re` or `xp`.
    pub kind: PatternKind,
    /// The delimiter character (printable ASCII punctuation).
    pub delimiter: char,
    /// The text between the delimiters.
    pub pattern: String,
}

/// Which pattern language a delimited literal is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// `re<d>...<d>`, PCRE syntax (D28).
    Regex,
    /// `xp<d>...<d>`, XPath.
    XPath,
}

/// An IP literal `10.0.0.1` or subnet `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpLit {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length after `/`.
    pub prefix: Option<u8>,
}

/// A time literal `GMT|LOCAL [yyyy] [month] [d] [Ddd[_n]] [<n>h] [<n>m] [<n>s]`: only the
/// fields written are compared (D30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeLit {
    /// `LOCAL` rather than `GMT`.
    pub local: bool,
    /// Four-digit year.
    pub year: Option<u16>,
    /// 1 (January) to 12.
    pub month: Option<u8>,
    /// Day of the month, 1-31.
    pub day: Option<u8>,
    /// Day of the week, 0 (Sunday) to 6.
    pub weekday: Option<u8>,
    /// The `n` of `Ddd_n` (the n-th such weekday of the month), 1-5.
    pub week: Option<u8>,
    /// `<n>h`, 0-23.
    pub hours: Option<u8>,
    /// `<n>m`, 0-59.
    pub minutes: Option<u8>,
    /// `<n>s`, 0-59.
    pub seconds: Option<u8>,
}

impl TimeLit {
    /// Whether no field after the zone is given.
    pub fn is_empty(&self) -> bool {
        self.year.is_none()
            && self.month.is_none()
            && self.day.is_none()
            && self.weekday.is_none()
            && self.hours.is_none()
            && self.minutes.is_none()
            && self.seconds.is_none()
    }
}

/// English three-letter month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// English three-letter day names, Sunday first.
pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

impl AdvExpr {
    /// A node with `kind` at `span`.
    pub fn new(kind: AdvKind, span: Span) -> AdvExpr {
        AdvExpr { kind, span }
    }

    /// Structural equality ignoring spans (and so what `parse(print(ast)) == ast` means).
    pub fn same_as(&self, other: &AdvExpr) -> bool {
        self.without_spans() == other.without_spans()
    }

    /// A copy with every span set to `0..0`.
    pub fn without_spans(&self) -> AdvExpr {
        let kind = match &self.kind {
            AdvKind::Chain(chain) => AdvKind::Chain(Chain {
                head: match &chain.head {
                    ChainHead::Word(call) => ChainHead::Word(call.without_spans()),
                    ChainHead::Expr(e) => ChainHead::Expr(Box::new(e.without_spans())),
                },
                calls: chain.calls.iter().map(Call::without_spans).collect(),
            }),
            AdvKind::Not(e) => AdvKind::Not(Box::new(e.without_spans())),
            AdvKind::Neg(e) => AdvKind::Neg(Box::new(e.without_spans())),
            AdvKind::Infix(infix) => AdvKind::Infix(Infix {
                first: Box::new(infix.first.without_spans()),
                rest: infix
                    .rest
                    .iter()
                    .map(|(op, e)| (*op, e.without_spans()))
                    .collect(),
            }),
            other => other.clone(),
        };
        AdvExpr::new(kind, Span::default())
    }
}

impl Call {
    fn without_spans(&self) -> Call {
        Call {
            name: self.name.clone(),
            args: self
                .args
                .as_ref()
                .map(|args| args.iter().map(AdvExpr::without_spans).collect()),
            span: Span::default(),
        }
    }
}
