//! The data of compiled rules: what [`Program`] and [`ProgramSet`] hold. The compiler builds
//! them; every evaluation method lives in [`eval`](crate::eval).

use std::collections::{BTreeSet, HashMap};

use aho_corasick::AhoCorasick;

use super::{ContextInput, HeaderKey, Node, NodeId};

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

/// The expression language of a rule: classic (D1-D16) or advanced (D21-D35).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Syntax {
    /// Classic policy expressions.
    #[default]
    Classic,
    /// Advanced (default-syntax) policy expressions.
    Advanced,
}

/// A compiled rule. Immutable, `Send + Sync`, cheap to share behind an `Arc`.
///
/// ```
/// use nsexpr::eval::HeaderList;
/// use nsexpr::{Program, Verdict};
///
/// let program = Program::new("HEADER User-Agent CONTAINS CitrixReceiver && METHOD == POST")?;
/// let headers = [("User-Agent", "CitrixReceiver/23.9")];
/// let request = HeaderList::new("POST", "/cgi/login", &headers);
/// assert_eq!(program.eval(&request), Verdict::True);
/// assert!(program.is_match(&request));
/// # Ok::<(), nsexpr::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) nodes: Box<[Node]>,
    pub(crate) root: NodeId,
    pub(crate) layout: Layout,
    pub(crate) labels: Labels,
    pub(crate) inputs: BTreeSet<ContextInput>,
    pub(crate) syntax: Syntax,
    /// Dependencies no context supplies (`advanced:<PATH>`, `regex:<construct>`,
    /// `request_body`): the rule is UNKNOWN where it reaches them (D24, D27, D28).
    pub(crate) unsupported: Box<[String]>,
}

/// Several rules compiled together (a vserver's session policies): one header table and one
/// arena, so a request binds each distinct header once for all of them and named expressions
/// are compiled once for the whole set.
///
/// ```
/// use nsexpr::eval::HeaderList;
/// use nsexpr::{CompileOptions, NamedExpressions, ProgramSetBuilder, SetScratch, Verdict};
///
/// let names = NamedExpressions::new();
/// let options = CompileOptions::default();
/// let mut builder = ProgramSetBuilder::new(&names, &options);
/// for rule in ["HEADER User-Agent CONTAINS Receiver", "METHOD == GET", "CLIENT.SSL.VERSION == 3"] {
///     builder.add(&rule.parse()?, rule)?;
/// }
/// let set = builder.build();
/// let request = HeaderList::new("POST", "/", &[("User-Agent", "CitrixReceiver")]);
/// let mut verdicts = Vec::new();
/// set.eval_all(&request, &mut verdicts);
/// assert_eq!(verdicts, [Verdict::True, Verdict::False, Verdict::Unknown]);
/// let mut hits = Vec::new();
/// set.eval_sparse(&request, &mut SetScratch::default(), &mut hits);
/// assert_eq!(hits, [(0, Verdict::True), (2, Verdict::Unknown)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProgramSet {
    pub(crate) nodes: Box<[Node]>,
    pub(crate) members: Box<[Member]>,
    /// Built for sets of at least `INDEX_THRESHOLD` rules.
    pub(crate) index: Option<TriggerIndex>,
    pub(crate) layout: Layout,
    pub(crate) labels: Labels,
}

/// One rule of a set.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub root: NodeId,
    pub inputs: BTreeSet<ContextInput>,
    pub syntax: Syntax,
    pub unsupported: Box<[String]>,
}

/// What evaluation needs besides the nodes: the header table and the per-request scratch sizes.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Header table; the first `cached_headers` are read by more than one leaf.
    pub headers: Box<[HeaderKey]>,
    pub cached_headers: usize,
    /// Number of memo slots (leaves evaluated more than once per request).
    pub memos: usize,
    pub header_instance: HeaderInstance,
}

/// The canonical text of every node, stored once: each rule's and each named expression's text,
/// and per node the range of its own sub-rule in it (a named-expression use shows the name).
#[derive(Debug, Clone, Default)]
pub(crate) struct Labels {
    pub text: Box<str>,
    /// Per node id: `start..end` in `text`.
    pub ranges: Box<[(u32, u32)]>,
    /// For `&&`/`||` nodes whose operands the compiler reordered (cheapest first; Kleene `&&`
    /// and `||` are commutative and evaluation has no side effects, so the verdict is the same):
    /// the written position of each stored operand, so `explain` walks the written order (D14).
    /// Sorted by node id.
    pub written: Box<[(NodeId, Box<[u32]>)]>,
}

impl Labels {
    /// The canonical text of node `id`.
    pub(crate) fn text(&self, id: NodeId) -> &str {
        let range = self.ranges.get(id as usize);
        debug_assert!(range.is_some(), "every node has a label");
        range
            .and_then(|&(start, end)| self.text.get(start as usize..end as usize))
            .unwrap_or_default()
    }

    /// The range of node `id`'s canonical text in `text`.
    pub(crate) fn range(&self, id: NodeId) -> (u32, u32) {
        let range = self.ranges.get(id as usize);
        debug_assert!(range.is_some(), "every node has a label");
        range.copied().unwrap_or_default()
    }

    /// The written positions of a reordered `&&`/`||` node's operands.
    pub(crate) fn written(&self, id: NodeId) -> Option<&[u32]> {
        self.written
            .binary_search_by_key(&id, |(node, _)| *node)
            .ok()
            .and_then(|at| self.written.get(at))
            .map(|(_, positions)| &**positions)
    }
}

/// The trigger index of a large [`ProgramSet`]: evaluates only the rules that can be true for a
/// request, so the cost grows with the rules a request can hit, not with the size of the set.
///
/// Every rule gets a *trigger set*: header atoms (a CONTAINS needle, an `==` value, a presence)
/// one of which must hold for the rule to be true. A rule whose trigger did not fire is false: an
/// `&&` with a false operand is false even next to an UNKNOWN one (D14), and every operand of an
/// `||` had a trigger.
#[derive(Debug, Clone)]
pub(crate) struct TriggerIndex {
    pub headers: Vec<HeaderAtoms>,
    /// Rules without a trigger set: always evaluated.
    pub always: Vec<u32>,
}

/// The atoms of one header.
#[derive(Debug, Clone)]
pub(crate) struct HeaderAtoms {
    pub header: u16,
    pub present: Vec<u32>,
    /// Lower-cased needles (standard match kind, so overlapping search reports every needle)
    /// and, per needle, the rules it triggers.
    pub automaton: Option<AhoCorasick>,
    pub needle_rules: Vec<Vec<u32>>,
    pub equals: HashMap<Box<[u8]>, Vec<u32>>,
}

/// Reusable per-caller buffers for [`ProgramSet::eval_sparse`], so indexed evaluation allocates
/// nothing once warmed up.
#[derive(Debug, Clone, Default)]
pub struct SetScratch {
    pub(crate) stamps: Vec<u32>,
    pub(crate) generation: u32,
    pub(crate) folded: Vec<u8>,
    pub(crate) candidates: Vec<u32>,
}

/// Compiled programs are shared across threads (a proxy evaluates one set on every worker).
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
    assert_send_sync::<ProgramSet>();
};
