//! Compiles a parsed rule into an immutable, `Send + Sync` [`Program`]: named expressions are
//! resolved transitively (D12), header names interned into slots, literals prebuilt into
//! matchers, and URL patterns lowered by the wildcard table.

pub mod advanced;
mod index;
pub(crate) mod ir;
pub(crate) mod matchers;
mod names;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

pub use index::SetScratch;
pub use names::{NamedExpressions, UNVERIFIED_BUILTINS};

use crate::ast::{
    DateLit, Expr, ExprKind, OpaqueFamily, Operator, Qualifier, Side, Simple, Span, TimeZone, Value,
};
use crate::eval::{ContextInput, HeaderKey};
use ir::{CertText, ClockUnit, Leaf, NetField, Node, NodeKind, TlsNumber, order_key};
use matchers::{ContainsCi, IpTest, NumTest, TextOp, TextTest, UrlPattern, Window, prefix_mask};

/// Which instance of a repeated header a rule tests (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HeaderInstance {
    /// The last instance (D6 default, NetScaler 6.0 manual).
    #[default]
    Last,
    /// The first instance.
    First,
    /// Any instance: positive operators need one instance to match; negative ones need none to
    /// match their positive form (the advanced `.CONTAINS(..).NOT` reading).
    Any,
}

/// Compile settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CompileOptions {
    /// D6 option `header_instance`.
    pub header_instance: HeaderInstance,
    /// D12 option `unverified_builtins`: predefine the probable definitions of section 10.2.
    pub unverified_builtins: bool,
}

/// What went wrong while compiling.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// A named expression that nobody defined (D12).
    #[error("unknown named expression `{name}`{hint}")]
    UnknownName {
        /// The name as written.
        name: String,
        /// Extra advice (for example, an unverified built-in).
        hint: String,
    },
    /// Named expressions that refer to each other (D12).
    #[error("named expressions form a cycle: {path}")]
    Cycle {
        /// `a -> b -> a`
        path: String,
    },
    /// A bare qualifier (value expression) where a boolean rule is needed.
    #[error(
        "`{0}` is a value expression, not a boolean rule: add an operator such as EXISTS or =="
    )]
    ValueExpression(String),
    /// An operator, value or option that does not fit the qualifier (hand-built ASTs).
    #[error("{0}")]
    Unsupported(String),
    /// The rule, with named expressions inlined, is too large.
    #[error("the rule expands to more than {0} nodes once named expressions are inlined")]
    TooLarge(usize),
    /// A definition of a named expression did not parse.
    #[error("named expression `{name}` does not parse: {message}")]
    BadDefinition {
        /// The name.
        name: String,
        /// The parse error, rendered.
        message: String,
    },
}

/// A compile error: a kind, the span it points at, and the text that span is in (the rule, or the
/// definition of the named expression where it happened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    kind: CompileErrorKind,
    span: Span,
    source_text: String,
    definition: Option<String>,
}

impl CompileError {
    /// The kind.
    pub fn kind(&self) -> &CompileErrorKind {
        &self.kind
    }
    /// The span in [`source_text`](Self::source_text).
    pub fn span(&self) -> Span {
        self.span
    }
    /// The text the span points into.
    pub fn source_text(&self) -> &str {
        &self.source_text
    }
    /// The named expression whose definition holds the error, if not the rule itself.
    pub fn definition(&self) -> Option<&str> {
        self.definition.as_deref()
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message: &dyn fmt::Display = &self.kind;
        match &self.definition {
            Some(name) => {
                let within = format!("{message} (in the definition of `{name}`)");
                crate::error::write_caret(f, &self.source_text, self.span, &within)
            }
            None => crate::error::write_caret(f, &self.source_text, self.span, message),
        }
    }
}

impl std::error::Error for CompileError {}

const MAX_NODES: usize = 1_000_000;

/// Sets with at least this many rules get a trigger index; below it, evaluating every rule is
/// cheaper than consulting one.
pub const INDEX_THRESHOLD: usize = 16;

/// A compiled rule. Immutable, `Send + Sync`, cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) root: Node,
    pub(crate) layout: Layout,
    pub(crate) labels: Box<[String]>,
    pub(crate) inputs: BTreeSet<ContextInput>,
}

/// What evaluation needs besides the tree: the header table and the per-request scratch sizes.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Header table; the first `cached_headers` are read by more than one leaf.
    pub(crate) headers: Box<[HeaderKey]>,
    pub(crate) cached_headers: usize,
    /// Number of leaves shared within the rule or set (memoised per evaluation).
    pub(crate) memos: usize,
    pub(crate) header_instance: HeaderInstance,
}

impl Layout {
    /// A request bound for one evaluation.
    #[inline]
    pub(crate) fn bind<'r, V: crate::eval::RequestView>(
        &'r self,
        request: &'r V,
        context: Option<&'r crate::eval::Context>,
    ) -> crate::eval::Bindings<'r, V> {
        crate::eval::Bindings::new(
            &self.headers,
            self.cached_headers,
            self.memos,
            self.header_instance,
            request,
            context,
        )
    }
}

impl Program {
    /// Compiles a parsed rule. `source` is the text it was parsed from (for error carets);
    /// `names` supplies user named expressions (D12).
    pub fn compile(
        expr: &Expr,
        source: &str,
        names: &NamedExpressions,
        options: &CompileOptions,
    ) -> Result<Program, CompileError> {
        let mut compiler = Compiler::new(names, options);
        let mut root = compiler.lower_rule(expr, source)?;
        let (headers, cached_headers) = compiler.order_headers(std::slice::from_mut(&mut root));
        let memos = compiler.share_leaves(std::slice::from_mut(&mut root));
        Ok(Program {
            root,
            layout: Layout {
                headers,
                cached_headers,
                memos,
                header_instance: options.header_instance,
            },
            labels: compiler.labels.into_boxed_slice(),
            inputs: compiler.inputs,
        })
    }

    /// Parses and compiles rule text with default parse options.
    pub fn from_rule(
        text: &str,
        names: &NamedExpressions,
        options: &CompileOptions,
    ) -> Result<Program, crate::Error> {
        let expr = crate::syntax::parse(text)?;
        Ok(Program::compile(&expr, text, names, options)?)
    }

    /// The canonical text of the rule (D15).
    pub fn text(&self) -> &str {
        // The root's label is its canonical text (names print as written).
        self.labels
            .get(self.root.label as usize)
            .map_or("", String::as_str)
    }

    /// The request headers the rule reads, lower-case, each once.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.layout.headers.iter().map(HeaderKey::as_str)
    }

    /// The context inputs the rule may need (D13); a request evaluated without them can be UNKNOWN.
    pub fn context_inputs(&self) -> &BTreeSet<ContextInput> {
        &self.inputs
    }
}

/// Several rules compiled together (a vserver's session policies): one header table, so a
/// request binds each distinct header once for all of them.
#[derive(Debug, Clone)]
pub struct ProgramSet {
    members: Vec<Member>,
    /// Built for sets of at least [`INDEX_THRESHOLD`] rules.
    index: Option<index::TriggerIndex>,
    layout: Layout,
    labels: Box<[String]>,
}

#[derive(Debug, Clone)]
struct Member {
    root: Node,
    inputs: BTreeSet<ContextInput>,
}

/// Builds a [`ProgramSet`] rule by rule.
pub struct ProgramSetBuilder<'a> {
    compiler: Compiler<'a>,
    members: Vec<Member>,
}

impl<'a> ProgramSetBuilder<'a> {
    /// An empty set whose rules resolve names in `names`.
    pub fn new(names: &'a NamedExpressions, options: &'a CompileOptions) -> ProgramSetBuilder<'a> {
        ProgramSetBuilder {
            compiler: Compiler::new(names, options),
            members: Vec::new(),
        }
    }

    /// Adds a parsed rule; returns its index in the set.
    pub fn add(&mut self, expr: &Expr, source: &str) -> Result<usize, CompileError> {
        let root = self.compiler.lower_rule(expr, source)?;
        let inputs = std::mem::take(&mut self.compiler.inputs);
        self.members.push(Member { root, inputs });
        Ok(self.members.len() - 1)
    }

    /// The finished set.
    pub fn build(mut self) -> ProgramSet {
        let mut roots: Vec<Node> = self
            .members
            .iter_mut()
            .map(|m| {
                std::mem::replace(
                    &mut m.root,
                    Node {
                        label: 0,
                        memo: ir::NO_MEMO,
                        memo_negate: false,
                        written: None,
                        kind: NodeKind::Const(false),
                    },
                )
            })
            .collect();
        let (headers, cached_headers) = self.compiler.order_headers(&mut roots);
        let memos = self.compiler.share_leaves(&mut roots);
        for (member, root) in self.members.iter_mut().zip(roots) {
            member.root = root;
        }
        let index = (self.members.len() >= INDEX_THRESHOLD).then(|| {
            index::TriggerIndex::build(&self.members.iter().map(|m| &m.root).collect::<Vec<_>>())
        });
        ProgramSet {
            members: self.members,
            index,
            layout: Layout {
                headers,
                cached_headers,
                memos,
                header_instance: self.compiler.options.header_instance,
            },
            labels: self.compiler.labels.into_boxed_slice(),
        }
    }
}

impl ProgramSet {
    /// The number of rules.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the set has no rules.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Evaluates every rule on one request, binding each distinct header once; `out` is cleared
    /// and receives one verdict per rule, in order (no allocation when it has the capacity).
    pub fn eval_all<V: crate::eval::RequestView>(
        &self,
        request: &V,
        context: Option<&crate::eval::Context>,
        out: &mut Vec<crate::eval::Verdict>,
    ) {
        out.clear();
        let mut bindings = self.layout.bind(request, context);
        out.extend(self.members.iter().map(|m| bindings.eval(&m.root)));
    }

    /// Evaluates the set on one request and reports only the rules that are not false (true or
    /// unknown), in rule order. Large sets use the trigger index: only rules that a header atom of
    /// this request can make true are evaluated. `scratch` is reused across requests.
    pub fn eval_sparse<V: crate::eval::RequestView>(
        &self,
        request: &V,
        context: Option<&crate::eval::Context>,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, crate::eval::Verdict)>,
    ) {
        use crate::eval::Verdict;
        out.clear();
        let mut bindings = self.layout.bind(request, context);
        let indexed = self.index.as_ref().filter(|index| {
            self.layout.header_instance != HeaderInstance::Any
                && index.headers().all(|h| bindings.carries(h))
        });
        match indexed {
            Some(index) => {
                scratch.begin(self.members.len());
                index.collect(scratch, |h| bindings.header_value(h));
                for &rule in scratch.candidates() {
                    let Some(member) = self.members.get(rule as usize) else {
                        continue;
                    };
                    let verdict = bindings.eval(&member.root);
                    if verdict != Verdict::False {
                        out.push((rule as usize, verdict));
                    }
                }
            }
            None => {
                for (i, member) in self.members.iter().enumerate() {
                    let verdict = bindings.eval(&member.root);
                    if verdict != Verdict::False {
                        out.push((i, verdict));
                    }
                }
            }
        }
    }

    /// The explanation of rule `index` on a request.
    pub fn explain<V: crate::eval::RequestView>(
        &self,
        index: usize,
        request: &V,
        context: Option<&crate::eval::Context>,
    ) -> Option<crate::eval::Explanation> {
        let member = self.members.get(index)?;
        let mut bindings = self.layout.bind(request, context);
        Some(crate::eval::explain_node(
            &mut bindings,
            &member.root,
            &self.labels,
            &member.inputs,
        ))
    }

    /// The context inputs rule `index` needs that `context` lacks (D20).
    pub fn missing_inputs(
        &self,
        index: usize,
        context: Option<&crate::eval::Context>,
    ) -> Vec<ContextInput> {
        self.members
            .get(index)
            .map(|m| crate::eval::missing(&m.inputs, context))
            .unwrap_or_default()
    }

    /// The request headers the set reads, lower-case, each once.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        self.layout.headers.iter().map(HeaderKey::as_str)
    }
}

struct Compiler<'a> {
    names: &'a NamedExpressions,
    options: &'a CompileOptions,
    headers: Vec<HeaderKey>,
    labels: Vec<String>,
    inputs: BTreeSet<ContextInput>,
    /// Names being expanded, for cycle detection.
    stack: Vec<String>,
    nodes: usize,
}

type Origin<'a> = Option<&'a str>;

impl<'a> Compiler<'a> {
    fn new(names: &'a NamedExpressions, options: &'a CompileOptions) -> Compiler<'a> {
        Compiler {
            names,
            options,
            headers: Vec::new(),
            labels: Vec::new(),
            inputs: BTreeSet::new(),
            stack: Vec::new(),
            nodes: 0,
        }
    }

    /// Lowers one rule; `inputs` then holds that rule's context inputs.
    fn lower_rule(&mut self, expr: &Expr, source: &str) -> Result<Node, CompileError> {
        self.inputs.clear();
        self.nodes = 0;
        self.lower(expr, source, None)
    }

    fn error(
        &self,
        kind: CompileErrorKind,
        span: Span,
        source: &str,
        origin: Origin<'_>,
    ) -> CompileError {
        CompileError {
            kind,
            span,
            source_text: source.to_owned(),
            definition: origin.map(str::to_owned),
        }
    }

    fn label(&mut self, text: String) -> u32 {
        let index = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.labels.push(text);
        index
    }

    fn node(&mut self, label: String, kind: NodeKind) -> Node {
        let label = self.label(label);
        Node {
            label,
            memo: ir::NO_MEMO,
            memo_negate: false,
            written: None,
            kind,
        }
    }

    fn lower(
        &mut self,
        expr: &Expr,
        source: &str,
        origin: Origin<'_>,
    ) -> Result<Node, CompileError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.error(
                CompileErrorKind::TooLarge(MAX_NODES),
                expr.span,
                source,
                origin,
            ));
        }
        let kind = match &expr.kind {
            ExprKind::Or(items) | ExprKind::And(items) => {
                let lowered = items
                    .iter()
                    .map(|item| self.lower(item, source, origin))
                    .collect::<Result<Vec<_>, _>>()?;
                let (ordered, written) = cheapest_first(lowered);
                let kind = if matches!(expr.kind, ExprKind::Or(_)) {
                    NodeKind::Or(ordered)
                } else {
                    NodeKind::And(ordered)
                };
                let mut node = self.node(expr.to_string(), kind);
                node.written = written;
                return Ok(node);
            }
            ExprKind::Not(inner) => NodeKind::Not(Box::new(self.lower(inner, source, origin)?)),
            ExprKind::Simple(simple) => {
                NodeKind::Leaf(self.lower_simple(simple, expr.span, source, origin)?)
            }
            ExprKind::Name(name) => return self.lower_name(name, expr.span, source, origin),
            ExprKind::Opaque(opaque) => {
                let input = match opaque.family {
                    OpaqueFamily::ClientSecurity => ContextInput::ClientSecurity,
                    OpaqueFamily::FileSystem => ContextInput::FileSystem,
                };
                self.inputs.insert(input);
                NodeKind::Leaf(Leaf::Opaque {
                    text: opaque.text.clone().into_boxed_str(),
                })
            }
        };
        Ok(self.node(expr.to_string(), kind))
    }

    fn lower_name(
        &mut self,
        name: &str,
        span: Span,
        source: &str,
        origin: Origin<'_>,
    ) -> Result<Node, CompileError> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "ns_true" => return Ok(self.node(name.to_owned(), NodeKind::Const(true))),
            "ns_false" => return Ok(self.node(name.to_owned(), NodeKind::Const(false))),
            _ => {}
        }
        if let Some(at) = self.stack.iter().position(|n| n.eq_ignore_ascii_case(name)) {
            let mut path: Vec<&str> = self.stack.iter().skip(at).map(String::as_str).collect();
            path.push(name);
            let kind = CompileErrorKind::Cycle {
                path: path.join(" -> "),
            };
            return Err(self.error(kind, span, source, origin));
        }
        let Some(definition) = self.names.lookup(name, self.options.unverified_builtins) else {
            let hint = names::unknown_name_hint(&lower);
            let kind = CompileErrorKind::UnknownName {
                name: name.to_owned(),
                hint,
            };
            return Err(self.error(kind, span, source, origin));
        };
        let expr = match definition.parsed() {
            Ok(expr) => expr,
            Err(message) => {
                let kind = CompileErrorKind::BadDefinition {
                    name: name.to_owned(),
                    message,
                };
                return Err(self.error(kind, span, source, origin));
            }
        };
        self.stack.push(definition.name().to_owned());
        let inner = self.lower(expr, definition.text(), Some(definition.name()));
        self.stack.pop();
        let inner = inner?;
        Ok(self.node(name.to_owned(), NodeKind::Named(Box::new(inner))))
    }

    /// Gives every leaf test that occurs more than once among `roots` a memo slot, so the
    /// evaluator computes it once per request (the wizard sets test `User-Agent CONTAINS
    /// CitrixReceiver` or its NOTCONTAINS negation in every policy). Returns the number of slots.
    fn share_leaves(&self, roots: &mut [Node]) -> usize {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for root in roots.iter_mut() {
            for_each_leaf(root, &mut |node| {
                *counts.entry(leaf_key(node, &self.labels).0).or_default() += 1;
            });
        }
        let mut memo_of: HashMap<String, u16> = HashMap::new();
        for root in roots.iter_mut() {
            for_each_leaf(root, &mut |node| {
                let (key, negate) = leaf_key(node, &self.labels);
                if counts.get(&key).copied().unwrap_or(0) < 2 {
                    return;
                }
                let next = u16::try_from(memo_of.len()).unwrap_or(ir::NO_MEMO);
                if next == ir::NO_MEMO && !memo_of.contains_key(&key) {
                    return;
                }
                node.memo = *memo_of.entry(key).or_insert(next);
                node.memo_negate = negate;
            });
        }
        memo_of.len()
    }

    /// Orders the header table so headers read by several leaves come first (they are cached per
    /// evaluation; the others are looked up directly), renumbering the leaves.
    fn order_headers(&mut self, roots: &mut [Node]) -> (Box<[HeaderKey]>, usize) {
        let mut uses = vec![0usize; self.headers.len()];
        for root in roots.iter() {
            count_header_uses(root, &mut uses);
        }
        let mut order: Vec<usize> = (0..self.headers.len()).collect();
        order.sort_by_key(|&i| (uses.get(i).copied().unwrap_or(0) <= 1, i));
        let mut new_index = vec![0u16; self.headers.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = new_index.get_mut(old) {
                *slot = u16::try_from(new).unwrap_or(u16::MAX);
            }
        }
        for root in roots.iter_mut() {
            renumber_headers(root, &new_index);
        }
        let cached = uses.iter().filter(|&&n| n > 1).count();
        let headers = order
            .iter()
            .filter_map(|&i| self.headers.get(i).cloned())
            .collect();
        (headers, cached)
    }

    fn header_slot(&mut self, name: &str) -> Result<u16, String> {
        let key = HeaderKey::new(name);
        let index = match self.headers.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                self.headers.push(key);
                self.headers.len() - 1
            }
        };
        u16::try_from(index)
            .map_err(|_| "a rule may read at most 65,536 distinct headers".to_owned())
    }

    fn lower_simple(
        &mut self,
        simple: &Simple,
        span: Span,
        source: &str,
        origin: Origin<'_>,
    ) -> Result<Leaf, CompileError> {
        let Some(op) = simple.op else {
            let kind = CompileErrorKind::ValueExpression(simple.to_string());
            return Err(self.error(kind, span, source, origin));
        };
        self.leaf(simple, op).map_err(|message| {
            self.error(CompileErrorKind::Unsupported(message), span, source, origin)
        })
    }

    fn leaf(&mut self, s: &Simple, op: Operator) -> Result<Leaf, String> {
        let q = s.qualifier;
        if !q.operators().contains(&op) {
            return Err(format!("{q} does not accept the operator {op}"));
        }
        if let Some(input) = context_input(q) {
            self.inputs.insert(input);
        }
        let net = |response: bool, field| (response, field);
        Ok(match q {
            Qualifier::Header(Side::Req) => {
                let name = s.header.as_deref().ok_or("HEADER needs a header name")?;
                Leaf::Header {
                    slot: self.header_slot(name)?,
                    test: text_test(s, op, false)?,
                }
            }
            Qualifier::Header(Side::Res) => {
                let name = s.header.as_deref().ok_or("HEADER needs a header name")?;
                Leaf::ResponseHeader {
                    key: HeaderKey::new(name),
                    test: text_test(s, op, false)?,
                }
            }
            Qualifier::Method => Leaf::Method(text_test(s, op, true)?),
            Qualifier::Url => match (op, &s.value) {
                (Operator::Eq | Operator::Ne, Some(Value::Text(p))) => Leaf::UrlPattern {
                    pattern: UrlPattern::new(p.as_bytes()),
                    negate: op == Operator::Ne,
                },
                _ => Leaf::UrlPath(text_test(s, op, false)?),
            },
            Qualifier::UrlQuery => Leaf::UrlQuery(text_test(s, op, false)?),
            Qualifier::Version(Side::Req) => Leaf::Version(text_test(s, op, false)?),
            Qualifier::Version(Side::Res) => Leaf::ResponseVersion(text_test(s, op, false)?),
            Qualifier::UrlLen => Leaf::UrlLen(num_test(s, op)?),
            Qualifier::UrlQueryLen => Leaf::UrlQueryLen(num_test(s, op)?),
            Qualifier::StatusCode => Leaf::StatusCode(num_test(s, op)?),
            Qualifier::UrlTokens => {
                let Some(Value::Tokens(tokens)) = &s.value else {
                    return Err("URLTOKENS needs a comma-separated character list".into());
                };
                let tokens = tokens
                    .iter()
                    .map(|c| c.to_string().into_bytes().into_boxed_slice())
                    .collect();
                Leaf::UrlTokens {
                    tokens,
                    negate: op == Operator::Ne,
                }
            }
            Qualifier::SourceIp(side) => {
                ip_leaf(s, op, net(side == Side::Res, NetField::SourceIp))?
            }
            Qualifier::DestIp(side) => ip_leaf(s, op, net(side == Side::Res, NetField::DestIp))?,
            Qualifier::SourcePort(side) => num_leaf(s, op, side, NetField::SourcePort)?,
            Qualifier::DestPort(side) => num_leaf(s, op, side, NetField::DestPort)?,
            Qualifier::Mss(side) => num_leaf(s, op, side, NetField::Mss)?,
            Qualifier::RxThroughput(side) => num_leaf(s, op, side, NetField::RxThroughput)?,
            Qualifier::TxThroughput(side) => num_leaf(s, op, side, NetField::TxThroughput)?,
            Qualifier::RxTxThroughput(side) => num_leaf(s, op, side, NetField::RxTxThroughput)?,
            Qualifier::VlanId(side) => num_leaf(s, op, side, NetField::Vlan)?,
            Qualifier::SourceMac(side) => mac_leaf(s, op, side, NetField::SourceMac)?,
            Qualifier::DestMac(side) => mac_leaf(s, op, side, NetField::DestMac)?,
            Qualifier::InterfaceId(side) => Leaf::InterfaceId {
                response: side == Side::Res,
                test: text_test(s, op, false)?,
            },
            Qualifier::Location => {
                let Some(Value::Text(text)) = &s.value else {
                    return Err("LOCATION needs a location such as Asia.India.*.*.*.*".into());
                };
                let pattern = text.split('.').map(Box::from).collect();
                Leaf::Location {
                    pattern,
                    negate: op == Operator::Ne,
                }
            }
            Qualifier::ClientCert => cert_text(s, op, CertText::Whole)?,
            Qualifier::CertSubject => cert_text(s, op, CertText::Subject)?,
            Qualifier::CertIssuer => cert_text(s, op, CertText::Issuer)?,
            Qualifier::CertSigAlgo => cert_text(s, op, CertText::SigAlgo)?,
            Qualifier::CertSerialNumber => cert_text(s, op, CertText::Serial)?,
            Qualifier::CertVersion => Leaf::TlsNumber {
                field: TlsNumber::CertVersion,
                test: num_test(s, op)?,
            },
            Qualifier::CipherBits => Leaf::TlsNumber {
                field: TlsNumber::CipherBits,
                test: num_test(s, op)?,
            },
            Qualifier::SslVersion => Leaf::TlsNumber {
                field: TlsNumber::SslVersion,
                test: num_test(s, op)?,
            },
            Qualifier::CipherType => match &s.value {
                Some(Value::Text(t)) if t.eq_ignore_ascii_case("export") => Leaf::CipherExport {
                    negate: op == Operator::Ne,
                },
                _ => return Err("CIPHER.TYPE compares only with Export".into()),
            },
            Qualifier::CertValidFrom | Qualifier::CertValidTo => Leaf::CertDate {
                not_after: q == Qualifier::CertValidTo,
                test: date_test(s, op, |d| d.time.to_unix())?,
            },
            Qualifier::Date => self.clock_leaf(s, op, ClockUnit::Day)?,
            Qualifier::Time => self.clock_leaf(s, op, ClockUnit::Second)?,
            Qualifier::DayOfWeek => self.clock_leaf(s, op, ClockUnit::Weekday)?,
        })
    }

    fn clock_leaf(&mut self, s: &Simple, op: Operator, unit: ClockUnit) -> Result<Leaf, String> {
        let local = match &s.value {
            Some(Value::Date(d)) => d.zone != TimeZone::Gmt,
            Some(Value::DateRange(a, b)) => a.zone != TimeZone::Gmt || b.zone != TimeZone::Gmt,
            Some(Value::Weekday(_, zone)) => *zone != TimeZone::Gmt,
            _ => false,
        };
        if local {
            self.inputs.insert(ContextInput::LocalTimeZone);
        }
        let test = match (unit, &s.value) {
            (ClockUnit::Weekday, Some(Value::Weekday(day, _))) => {
                numeric(op, u64::from(day.index()), None)?
            }
            (ClockUnit::Weekday, Some(Value::Number(n))) => numeric(op, *n, None)?,
            (ClockUnit::Day, _) => date_test(s, op, |d| d.time.to_unix().div_euclid(86_400))?,
            (ClockUnit::Second, _) => date_test(s, op, |d| d.time.to_unix())?,
            (ClockUnit::Weekday, _) => return Err("DAYOFWEEK needs a day such as SUNDAYGMT".into()),
        };
        Ok(Leaf::Clock { unit, local, test })
    }
}

/// Sorts operands cheapest first (stable), returning them with their written positions when the
/// order changed.
fn cheapest_first(items: Vec<Node>) -> (Box<[Node]>, Option<Box<[u16]>>) {
    let mut indexed: Vec<(usize, Node)> = items.into_iter().enumerate().collect();
    indexed.sort_by_key(|(_, node)| ir::cost(node));
    let moved = indexed
        .iter()
        .enumerate()
        .any(|(at, (from, _))| at != *from);
    let written = moved.then(|| {
        indexed
            .iter()
            .map(|(from, _)| u16::try_from(*from).unwrap_or(u16::MAX))
            .collect()
    });
    (indexed.into_iter().map(|(_, node)| node).collect(), written)
}

/// Calls `f` on every leaf under `node`.
fn for_each_leaf(node: &mut Node, f: &mut impl FnMut(&mut Node)) {
    match &mut node.kind {
        NodeKind::And(items) | NodeKind::Or(items) => {
            items.iter_mut().for_each(|n| for_each_leaf(n, f))
        }
        NodeKind::Not(inner) | NodeKind::Named(inner) => for_each_leaf(inner, f),
        NodeKind::Leaf(_) => f(node),
        NodeKind::Const(_) => {}
    }
}

/// What a leaf tests, as a sharing key, and whether the leaf is the negation of that test: a
/// header's NOTCONTAINS, NOTEXISTS and `!=` share the search of CONTAINS, EXISTS and `==`
/// (their D7 results on absent headers are the negations too). Other leaves key on their text.
fn leaf_key(node: &Node, labels: &[String]) -> (String, bool) {
    let NodeKind::Leaf(Leaf::Header { slot, test }) = &node.kind else {
        let text = labels.get(node.label as usize).map_or("", String::as_str);
        return (format!("text {text}"), false);
    };
    let window = format!("{} {:?}", test.window.offset, test.window.length);
    let bytes = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let (test_key, negate) = match &test.op {
        TextOp::Exists => ("exists".to_owned(), false),
        TextOp::NotExists => ("exists".to_owned(), true),
        TextOp::Contents => ("contents".to_owned(), false),
        TextOp::Contains(m) => (format!("contains {}", bytes(m.lower_needle())), false),
        TextOp::NotContains(m) => (format!("contains {}", bytes(m.lower_needle())), true),
        TextOp::Equals { value, fold } => (format!("equals {fold} {}", bytes(value)), false),
        TextOp::NotEquals { value, fold } => (format!("equals {fold} {}", bytes(value)), true),
    };
    (format!("header {slot} {window} {test_key}"), negate)
}

fn count_header_uses(node: &Node, uses: &mut [usize]) {
    match &node.kind {
        NodeKind::And(items) | NodeKind::Or(items) => {
            items.iter().for_each(|n| count_header_uses(n, uses))
        }
        NodeKind::Not(inner) | NodeKind::Named(inner) => count_header_uses(inner, uses),
        NodeKind::Leaf(Leaf::Header { slot, .. }) => {
            if let Some(n) = uses.get_mut(usize::from(*slot)) {
                *n += 1;
            }
        }
        NodeKind::Leaf(_) | NodeKind::Const(_) => {}
    }
}

fn renumber_headers(node: &mut Node, new_index: &[u16]) {
    match &mut node.kind {
        NodeKind::And(items) | NodeKind::Or(items) => items
            .iter_mut()
            .for_each(|n| renumber_headers(n, new_index)),
        NodeKind::Not(inner) | NodeKind::Named(inner) => renumber_headers(inner, new_index),
        NodeKind::Leaf(Leaf::Header { slot, .. }) => {
            if let Some(&n) = new_index.get(usize::from(*slot)) {
                *slot = n;
            }
        }
        NodeKind::Leaf(_) | NodeKind::Const(_) => {}
    }
}

/// The context input a qualifier reads, if any (D13).
fn context_input(q: Qualifier) -> Option<ContextInput> {
    use Qualifier as Q;
    Some(match q {
        Q::Method | Q::Url | Q::UrlTokens | Q::UrlLen | Q::UrlQuery | Q::UrlQueryLen => {
            return None;
        }
        Q::Version(Side::Req) | Q::Header(Side::Req) => return None,
        Q::Version(Side::Res) | Q::Header(Side::Res) | Q::StatusCode => ContextInput::Response,
        Q::SourceIp(Side::Res) | Q::DestIp(Side::Res) | Q::SourcePort(Side::Res) => {
            ContextInput::Response
        }
        Q::DestPort(Side::Res) | Q::Mss(Side::Res) | Q::SourceMac(Side::Res) => {
            ContextInput::Response
        }
        Q::DestMac(Side::Res) | Q::InterfaceId(Side::Res) | Q::VlanId(Side::Res) => {
            ContextInput::Response
        }
        Q::RxThroughput(Side::Res) | Q::TxThroughput(Side::Res) => ContextInput::Response,
        Q::RxTxThroughput(Side::Res) => ContextInput::Response,
        Q::SourceIp(_) => ContextInput::ClientIp,
        Q::DestIp(_) => ContextInput::DestIp,
        Q::SourcePort(_) => ContextInput::ClientPort,
        Q::DestPort(_) => ContextInput::DestPort,
        Q::Mss(_) => ContextInput::Mss,
        Q::SourceMac(_) | Q::DestMac(_) => ContextInput::Mac,
        Q::InterfaceId(_) | Q::RxThroughput(_) | Q::TxThroughput(_) | Q::RxTxThroughput(_) => {
            ContextInput::Interface
        }
        Q::VlanId(_) => ContextInput::Vlan,
        Q::Location => ContextInput::Location,
        Q::ClientCert | Q::CertSubject | Q::CertIssuer | Q::CertSigAlgo | Q::CertSerialNumber => {
            ContextInput::ClientCert
        }
        Q::CertVersion | Q::CertValidFrom | Q::CertValidTo => ContextInput::ClientCert,
        Q::CipherType | Q::CipherBits | Q::SslVersion => ContextInput::Tls,
        Q::Date | Q::Time | Q::DayOfWeek => ContextInput::Clock,
    })
}

fn window(s: &Simple) -> Result<Window, String> {
    let to_usize = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    if (s.options.length.is_some() || s.options.offset.is_some()) && !s.qualifier.takes_window() {
        return Err(format!(
            "-length and -offset apply only to text qualifiers, not {}",
            s.qualifier
        ));
    }
    Ok(Window {
        offset: s.options.offset.map_or(0, to_usize),
        length: s.options.length.map(to_usize),
    })
}

fn text_value(s: &Simple) -> Result<&[u8], String> {
    match &s.value {
        Some(Value::Text(t)) => Ok(t.as_bytes()),
        Some(other) => Err(format!("{} compares with text, not {other}", s.qualifier)),
        None => Err(format!("{} needs a value", s.qualifier)),
    }
}

/// A windowed text test; `fold` makes `==`/`!=` case-insensitive (METHOD, D8).
fn text_test(s: &Simple, op: Operator, fold: bool) -> Result<TextTest, String> {
    let boxed = |b: &[u8]| b.to_vec().into_boxed_slice();
    let op = match op {
        Operator::Exists => TextOp::Exists,
        Operator::NotExists => TextOp::NotExists,
        Operator::Contents => TextOp::Contents,
        Operator::Contains => TextOp::Contains(ContainsCi::new(text_value(s)?)),
        Operator::NotContains => TextOp::NotContains(ContainsCi::new(text_value(s)?)),
        Operator::Eq => TextOp::Equals {
            value: boxed(text_value(s)?),
            fold,
        },
        Operator::Ne => TextOp::NotEquals {
            value: boxed(text_value(s)?),
            fold,
        },
        other => {
            return Err(format!(
                "{} does not accept the operator {other}",
                s.qualifier
            ));
        }
    };
    Ok(TextTest {
        window: window(s)?,
        op,
    })
}

/// A numeric test from a number or range operand (D10).
fn num_test(s: &Simple, op: Operator) -> Result<NumTest, String> {
    match &s.value {
        Some(Value::Number(n)) => numeric(op, *n, None),
        Some(Value::Range(a, b)) => numeric(op, *a, Some(*b)),
        Some(other) => Err(format!(
            "{} compares with a number, not {other}",
            s.qualifier
        )),
        None => Err(format!("{} needs a number", s.qualifier)),
    }
}

fn numeric(op: Operator, n: u64, upper: Option<u64>) -> Result<NumTest, String> {
    if let Some(m) = upper {
        let (lo, hi) = (n.min(m), n.max(m));
        return match op {
            Operator::Eq | Operator::Between => Ok(NumTest::In(lo, hi)),
            Operator::Ne => Ok(NumTest::NotIn(lo, hi)),
            other => Err(format!(
                "a range is allowed only with ==, != and BETWEEN, not {other}"
            )),
        };
    }
    Ok(match op {
        Operator::Eq | Operator::Between => NumTest::Eq(n),
        Operator::Ne => NumTest::Ne(n),
        Operator::Gt => NumTest::Gt(n),
        Operator::Lt => NumTest::Lt(n),
        Operator::Ge => NumTest::Ge(n),
        Operator::Le => NumTest::Le(n),
        other => return Err(format!("{other} is not a numeric operator")),
    })
}

/// A date comparison: the literal mapped by `key` (days or seconds), order-mapped onto `u64`.
fn date_test(s: &Simple, op: Operator, key: impl Fn(&DateLit) -> i64) -> Result<NumTest, String> {
    match &s.value {
        Some(Value::Date(d)) => numeric(op, order_key(key(d)), None),
        Some(Value::DateRange(a, b)) => numeric(op, order_key(key(a)), Some(order_key(key(b)))),
        _ => Err(format!("{} needs a date", s.qualifier)),
    }
}

fn num_leaf(s: &Simple, op: Operator, side: Side, field: NetField) -> Result<Leaf, String> {
    Ok(Leaf::NetNumber {
        response: side == Side::Res,
        field,
        test: num_test(s, op)?,
    })
}

fn mac_leaf(s: &Simple, op: Operator, side: Side, field: NetField) -> Result<Leaf, String> {
    let Some(Value::Mac(value)) = &s.value else {
        return Err(format!("{} compares with a MAC address", s.qualifier));
    };
    Ok(Leaf::NetMac {
        response: side == Side::Res,
        field,
        value: *value,
        negate: op == Operator::Ne,
    })
}

fn cert_text(s: &Simple, op: Operator, field: CertText) -> Result<Leaf, String> {
    Ok(Leaf::CertText {
        field,
        test: text_test(s, op, false)?,
    })
}

fn ip_leaf(s: &Simple, op: Operator, (response, field): (bool, NetField)) -> Result<Leaf, String> {
    let Some(Value::Ip(ip)) = &s.value else {
        return Err(format!("{} compares with an IP address", s.qualifier));
    };
    let v6 = ip.addr.is_ipv6();
    let mask = match (s.options.netmask, ip.prefix) {
        (Some(_), Some(_)) => return Err("use either -netmask or /len, not both".into()),
        (Some(IpAddr::V4(m)), None) if !v6 => u128::from(u32::from(m)),
        (Some(IpAddr::V6(m)), None) if v6 => u128::from(m),
        (Some(_), None) => {
            return Err("the netmask and the address are of different families".into());
        }
        (None, Some(len)) => prefix_mask(v6, len),
        (None, None) => prefix_mask(v6, if v6 { 128 } else { 32 }),
    };
    let test = IpTest {
        addr: ip.addr,
        mask,
        negate: op == Operator::Ne,
    };
    Ok(Leaf::NetIp {
        response,
        field,
        test,
    })
}
