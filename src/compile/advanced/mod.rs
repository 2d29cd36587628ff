//! Type checking advanced expressions (D24, section 3) into a typed tree that a lowering step
//! turns into the shared IR.
//!
//! Every chain is resolved against the tables of section 4: the prefix path becomes a
//! [`Source`] (a header, the URL, the client address, the AAA user...), each later method an
//! [`Op`] with checked [`Arg`]s. A well-formed name outside the tables is [`Unsupported`]
//! (UNKNOWN at evaluation, dependency `advanced:<PATH>`), or an error under
//! [`CheckOptions::strict`].
//!
//! ```
//! use nsexpr::compile::advanced::{check_rule, CheckOptions, TypedNode};
//!
//! let checked = check_rule(
//!     r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx")"#,
//!     &CheckOptions::default(),
//! )
//! .unwrap();
//! assert!(matches!(checked.typed.node, TypedNode::Chain(_)));
//!
//! let unsupported = check_rule(r#"HTTP.RES.STATUS.EQ(200)"#, &CheckOptions::default()).unwrap();
//! assert_eq!(unsupported.unsupported[0].dependency(), "advanced:HTTP.RES");
//! ```

mod check;
pub(in crate::compile) mod lower;
mod tables;
mod types;

use std::collections::HashMap;
use std::fmt;

pub use tables::Op;
pub use types::{AdvType, Prefix, TextMode};

use crate::ast::Span;
use crate::ast::advanced::{BinOp, IpLit, RegexLit, TimeLit};
use crate::error::{WithHint, write_caret};
use crate::syntax::advanced::{AdvParseError, AdvParseOptions, parse_advanced_with};

/// Pattern sets (`add policy patset` / `bind policy patset`, D32): caseless names, each with
/// its literal members in binding order.
///
/// ```
/// use nsexpr::PatternSets;
///
/// let mut sets = PatternSets::new();
/// sets.bind("receivers", "CitrixReceiver");
/// sets.bind("RECEIVERS", "Citrix Workspace");
/// assert_eq!(sets.get("Receivers").map(<[_]>::len), Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternSets {
    sets: HashMap<String, Vec<Vec<u8>>>,
}

impl PatternSets {
    /// No sets.
    pub fn new() -> PatternSets {
        PatternSets::default()
    }

    /// Declares an empty set (`add policy patset`); an existing one keeps its members.
    pub fn add(&mut self, name: &str) {
        self.sets.entry(name.to_ascii_uppercase()).or_default();
    }

    /// Appends a member (`bind policy patset`), creating the set if needed.
    pub fn bind(&mut self, name: &str, member: impl AsRef<[u8]>) {
        self.sets
            .entry(name.to_ascii_uppercase())
            .or_default()
            .push(member.as_ref().to_vec());
    }

    /// The members of a set, in binding order.
    pub fn get(&self, name: &str) -> Option<&[Vec<u8>]> {
        self.sets.get(&name.to_ascii_uppercase()).map(Vec::as_slice)
    }
}

/// Type-checker settings (section 8).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckOptions {
    /// `strict_advanced`: a method outside the tables is an error instead of UNKNOWN (D24).
    pub strict: bool,
    /// Types of advanced named expressions, keyed by name in any case; a name not listed is a
    /// boolean named expression.
    pub named_types: HashMap<String, AdvType>,
    /// Parser settings for [`check_rule`].
    pub parse: AdvParseOptions,
}

/// A type-checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The typed tree.
    pub typed: Typed,
    /// The unsupported names the rule uses, in source order.
    pub unsupported: Vec<Unsupported>,
    /// Warnings (`unsupported-method`, bare pattern-set names).
    pub lints: Vec<CheckLint>,
}

/// A typed node.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    /// What it computes.
    pub node: TypedNode,
    /// Its static type.
    pub ty: AdvType,
    /// Where it was written.
    pub span: Span,
}

/// Typed node kinds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TypedNode {
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// A number literal.
    Num(i64),
    /// A text constant.
    Text(Vec<u8>),
    /// A source followed by methods.
    Chain(TypedChain),
    /// `!a` (also `.NOT` when it ends a chain on a parenthesised operand).
    Not(Box<Typed>),
    /// `-a`
    Neg(Box<Typed>),
    /// A run of one precedence level, left to right: `&&`, `||`, comparisons, arithmetic,
    /// bitwise operators, text concatenation with `+`.
    Infix {
        /// Left-most operand.
        first: Box<Typed>,
        /// Operators and right operands.
        rest: Vec<(BinOp, Typed)>,
    },
    /// A chain that uses a name outside our tables (UNKNOWN at evaluation).
    Unsupported(Unsupported),
}

/// `head.step.step...`
#[derive(Debug, Clone, PartialEq)]
pub struct TypedChain {
    /// Where the value comes from.
    pub head: Head,
    /// The methods applied, in order.
    pub steps: Vec<Step>,
}

/// The start of a typed chain.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Head {
    /// A request or context value.
    Source(Source),
    /// An advanced named expression, name upper-cased (names are caseless, D21).
    Named(String),
    /// A literal or parenthesised expression.
    Expr(Box<Typed>),
}

/// One method application.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The operation.
    pub op: Op,
    /// Its checked arguments.
    pub args: Vec<Arg>,
    /// The receiver's type (a header `CONTAINS` differs from a text `CONTAINS`, D26).
    pub on: AdvType,
    /// The result type.
    pub ty: AdvType,
    /// From the method name to its closing parenthesis.
    pub span: Span,
}

/// A checked argument.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Arg {
    /// A text or number expression (constants are [`TypedNode::Text`] / [`TypedNode::Num`]).
    Expr(Typed),
    /// An instance number 0-14.
    Index(u8),
    /// A regular expression.
    Regex(RegexLit),
    /// A separator character.
    Char(u8),
    /// A text mode.
    Mode(TextMode),
    /// An unquoted method word, upper-cased: compared caselessly (D29).
    MethodWord(String),
    /// A quoted method: compared exactly (D29).
    MethodText(Vec<u8>),
    /// An address or subnet.
    Ip(IpLit),
    /// A time literal.
    Time(TimeLit),
    /// A pattern-set name (caseless).
    PatSet(String),
}

/// Request and context values at the start of a chain (sections 4.1-4.3).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Source {
    /// `HTTP.REQ.HEADER("name")`; `CACHE_CONTROL` is `Header("Cache-Control")`.
    Header(Vec<u8>),
    /// `HTTP.REQ.URL`
    Url,
    /// `HTTP.REQ.HOSTNAME`
    Hostname,
    /// `HTTP.REQ.METHOD`
    Method,
    /// `HTTP.REQ.VERSION`
    Version,
    /// `HTTP.REQ.COOKIE`
    Cookie,
    /// `HTTP.REQ.IS_VALID`
    IsValid,
    /// `HTTP.REQ.BODY(n)`: never observed (UNKNOWN, dependency `request_body`, D27).
    Body(u64),
    /// `HTTP.REQ.DATE`
    Date,
    /// `CLIENT.IP.SRC` / `.DST`
    ClientIp {
        /// `DST` rather than `SRC`.
        dst: bool,
    },
    /// `CLIENT.IPV6.SRC` / `.DST`
    ClientIpv6 {
        /// `DST` rather than `SRC`.
        dst: bool,
    },
    /// `CLIENT.TCP.SRCPORT` / `.DSTPORT`
    ClientPort {
        /// `DSTPORT` rather than `SRCPORT`.
        dst: bool,
    },
    /// `CLIENT.TCP.MSS`
    Mss,
    /// `CLIENT.VLAN.ID`
    VlanId,
    /// `CLIENT.SSL.IS_SSL`
    IsSsl,
    /// `CLIENT.SSL.CLIENT_CERT`
    ClientCert,
    /// `CLIENT.SSL.CIPHER_BITS`
    CipherBits,
    /// `CLIENT.SSL.VERSION`
    SslVersion,
    /// `CLIENT.SSL.CIPHER_EXPORTABLE`
    CipherExportable,
    /// `SYS.TIME`
    SysTime,
    /// `SYS.EVAL_CLASSIC_EXPR("c")` with `c` parsed as classic (D32).
    EvalClassic(Box<crate::ast::Expr>),
    /// `SYS.CLIENT_EXPR("name")`, an EPA term (opaque).
    ClientExpr(Vec<u8>),
    /// `AAA.USER.NAME`
    UserName,
    /// `AAA.USER.IS_MEMBER_OF("g")`
    IsMemberOf(Vec<u8>),
    /// `AAA.USER.GROUPS`
    Groups,
    /// `AAA.USER.ATTRIBUTE(n)` / `("name")`
    Attribute(AttributeKey),
}

/// How `AAA.USER.ATTRIBUTE` names its attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeKey {
    /// 1-16.
    Number(u8),
    /// A named attribute.
    Name(Vec<u8>),
}

impl Source {
    /// The context input the value needs, named as dependencies are (D31); `None` for request
    /// values.
    pub fn dependency(&self) -> Option<&'static str> {
        Some(match self {
            Source::Header(_)
            | Source::Url
            | Source::Hostname
            | Source::Method
            | Source::Version
            | Source::Cookie
            | Source::IsValid
            | Source::Date
            | Source::EvalClassic(_) => return None,
            Source::Body(_) => "request_body",
            Source::ClientIp { .. } | Source::ClientIpv6 { .. } => "client_ip",
            Source::ClientPort { .. } | Source::Mss | Source::VlanId => "client_net",
            Source::IsSsl
            | Source::ClientCert
            | Source::CipherBits
            | Source::SslVersion
            | Source::CipherExportable => "client_ssl",
            Source::SysTime => "clock",
            Source::ClientExpr(_) => "epa",
            Source::UserName | Source::Attribute(_) => "aaa_user",
            Source::IsMemberOf(_) | Source::Groups => "aaa_groups",
        })
    }
}

/// A name outside our tables (D24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The dotted names up to and including the unsupported one (`HTTP.RES`,
    /// `HTTP.REQ.HEADER.NOTCONTAINS`).
    pub path: String,
    /// The unsupported name's span.
    pub span: Span,
}

impl Unsupported {
    /// The dependency an evaluation reports: `advanced:<PATH>`.
    pub fn dependency(&self) -> String {
        format!("advanced:{}", self.path)
    }
}

/// A warning from the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLint {
    /// Which warning.
    pub kind: CheckLintKind,
    /// Where.
    pub span: Span,
    /// A sentence for the user.
    pub message: String,
}

/// Checker warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckLintKind {
    /// A method or prefix outside our tables; it evaluates UNKNOWN (`unsupported-method`).
    UnsupportedMethod,
    /// A pattern-set name written bare instead of as a string.
    BarePatsetName,
}

/// What is wrong with a rule's types (D24, section 3.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckErrorKind {
    /// The rule is not boolean (`HTTP.REQ.URL`).
    #[error("the rule has type {0}, not boolean")]
    NotBoolean(AdvType),
    /// A prefix that stops before a value (`HTTP.REQ`).
    #[error("`{0}` is an incomplete prefix")]
    IncompletePrefix(String),
    /// A name that is probably a misspelling of a known one.
    #[error("unknown method `{name}` for type {receiver}; did you mean `{suggestion}`?")]
    UnknownMethod {
        /// As written.
        name: String,
        /// The receiver's type.
        receiver: AdvType,
        /// The nearest known name.
        suggestion: &'static str,
    },
    /// A known method applied to a type that does not have it
    /// (`CLIENT.IP.SRC.CONTAINS("10.")`).
    #[error("`{name}` does not apply to type {receiver}")]
    MethodNotForType {
        /// The method.
        name: String,
        /// The receiver's type.
        receiver: AdvType,
    },
    /// A name outside our tables while strict checking is on.
    #[error("`{0}` is not supported")]
    Unsupported(String),
    /// Wrong number of arguments.
    #[error("`{method}` takes {expected} argument(s), not {found}")]
    ArgumentCount {
        /// The method.
        method: String,
        /// How many it takes.
        expected: usize,
        /// How many were given.
        found: usize,
    },
    /// An argument of the wrong kind.
    #[error("`{method}` expects {expected} here")]
    ArgumentType {
        /// The method.
        method: String,
        /// What it expects.
        expected: &'static str,
    },
    /// `INSTANCE(n)`/`VALUE(n)` outside 0-14.
    #[error("instance {0} is out of range (0-14)")]
    IndexRange(u64),
    /// A header name over 32 characters.
    #[error("header name of {0} characters; at most 32 are allowed")]
    HeaderNameTooLong(usize),
    /// A header name that is not a string literal.
    #[error("a header name must be a string literal")]
    HeaderNameNotLiteral,
    /// An operand of the wrong type for an operator.
    #[error("`{op}` needs {expected}, not type {found}")]
    OperandType {
        /// The operator.
        op: &'static str,
        /// What it needs.
        expected: &'static str,
        /// What it got.
        found: AdvType,
    },
    /// A comparison of two different types.
    #[error("`{op}` compares type {left} with type {right}")]
    Mismatch {
        /// The operator.
        op: &'static str,
        /// The left type.
        left: AdvType,
        /// The right type.
        right: AdvType,
    },
    /// A literal that is only allowed as a method argument.
    #[error("{0} is allowed only as a method argument")]
    Misplaced(&'static str),
    /// A number above the signed 64-bit range.
    #[error("number out of range (at most 9223372036854775807)")]
    NumberRange,
    /// The text of `SYS.EVAL_CLASSIC_EXPR` is not a classic rule.
    #[error("the embedded classic expression does not parse: {0}")]
    ClassicExpr(String),
    /// A named expression written with arguments.
    #[error("`{0}` is neither a prefix nor a method; named expressions take no arguments")]
    NamedWithArguments(String),
    /// A name that is neither an advanced named expression nor a prefix.
    #[error("unknown named expression `{0}`")]
    UnknownName(String),
    /// A classic named expression used in an advanced rule (D32).
    #[error("`{0}` is a classic named expression; an advanced rule may use only advanced ones")]
    ClassicName(String),
    /// An advanced named expression whose definition does not check.
    #[error("named expression `{name}` is invalid: {message}")]
    BadDefinition {
        /// The name.
        name: String,
        /// Why its definition fails.
        message: String,
    },
    /// Named expressions that use each other in a circle.
    #[error("named expressions use each other in a circle: {0}")]
    NameCycle(String),
    /// A pattern set that is not defined.
    #[error("unknown pattern set `{0}`")]
    UnknownPatSet(String),
    /// A regular expression that does not compile.
    #[error("invalid regular expression: {0}")]
    BadRegex(String),
    /// The compiled rule would exceed the size limit.
    #[error("the rule is too large to compile (more than {0} nodes)")]
    TooLarge(usize),
}

/// A type error with its span and the rule text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    kind: CheckErrorKind,
    span: Span,
    source: String,
    hint: Option<String>,
}

impl CheckError {
    /// What is wrong.
    pub fn kind(&self) -> &CheckErrorKind {
        &self.kind
    }

    /// Where.
    pub fn span(&self) -> Span {
        self.span
    }

    /// A suggestion, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The rule text the span points into.
    pub fn source_text(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = WithHint {
            kind: &self.kind,
            hint: self.hint.as_deref(),
        };
        write_caret(f, &self.source, self.span, &message)
    }
}

impl std::error::Error for CheckError {}

/// Parsing or checking failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdvCompileError {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] AdvParseError),
    /// The tree does not type-check.
    #[error(transparent)]
    Check(#[from] CheckError),
}

/// Type-checks a parsed rule; `source` is the text it was parsed from (for messages).
pub fn check(
    expr: &crate::ast::advanced::AdvExpr,
    source: &str,
    options: &CheckOptions,
) -> Result<Checked, CheckError> {
    check::Checker::new(options)
        .rule(expr)
        .map_err(|f| CheckError {
            kind: f.kind,
            span: f.span,
            source: source.to_owned(),
            hint: f.hint,
        })
}

/// Parses and type-checks an advanced expression of any type (a named expression's body).
pub fn check_value_text(text: &str, options: &CheckOptions) -> Result<Checked, AdvCompileError> {
    let parsed = parse_advanced_with(text, &options.parse)?;
    check::Checker::new(options)
        .value(&parsed.expr)
        .map_err(|f| {
            AdvCompileError::Check(CheckError {
                kind: f.kind,
                span: f.span,
                source: text.to_owned(),
                hint: f.hint,
            })
        })
}

/// Parses and type-checks an advanced rule.
pub fn check_rule(text: &str, options: &CheckOptions) -> Result<Checked, AdvCompileError> {
    let parsed = parse_advanced_with(text, &options.parse)?;
    Ok(check(&parsed.expr, text, options)?)
}
