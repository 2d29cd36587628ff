//! `explain`: the evaluation with every sub-expression's verdict and the value it looked at.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::engine::Bindings;
use super::{ContextInput, Explanation, RequestView, Verdict};
use crate::ir::{Labels, Leaf, Node, NodeId, NodeKind};

const MAX_OBSERVED: usize = 120;
/// The instances of a repeated header shown for an any-instance test.
const MAX_VALUES: usize = 8;

/// An open node of [`explain`]: its explanation so far and the operands still to explain.
struct Open {
    out: Explanation,
    kind: OpenKind,
    /// Operands in written order (D14), whatever order the compiler evaluates them in.
    order: Vec<NodeId>,
    next: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpenKind {
    Not,
    /// A use of a named expression with this body.
    Named(NodeId),
    Chain {
        decisive: Verdict,
        /// For advanced `&&`/`||`: the exact verdict of the outcome set (D23), which per-operand
        /// verdicts cannot always reconstruct (`UNKNOWN || UNDEF`).
        exact: Option<Verdict>,
    },
}

/// Explains node `root`. A named expression used again is shown once: later uses give its
/// verdict without the subtree, so the explanation stays as small as the program; its nodes
/// share one copy of the texts they show.
pub(crate) fn explain<V: RequestView>(
    bindings: &mut Bindings<'_, V>,
    nodes: &[Node],
    labels: &Labels,
    root: NodeId,
    inputs: &BTreeSet<ContextInput>,
) -> Explanation {
    let pending: Arc<str> = Arc::from("");
    let mut explanation = walk(bindings, nodes, labels, root, inputs, &pending);
    explanation.share(&labels.text);
    explanation
}

/// The tree of [`explain`], each node labelled with its range in `labels`, built on an explicit
/// stack (no recursion, whatever the nesting).
fn walk<V: RequestView>(
    bindings: &mut Bindings<'_, V>,
    nodes: &[Node],
    labels: &Labels,
    root: NodeId,
    inputs: &BTreeSet<ContextInput>,
    pending: &Arc<str>,
) -> Explanation {
    let mut stack: Vec<Open> = Vec::new();
    let mut explained: HashMap<NodeId, Verdict> = HashMap::new();
    let mut at = root;
    'descend: loop {
        let node = crate::ir::node(nodes, at);
        let mut out = Explanation::pending(pending, labels.range(at));
        let open = match &node.kind {
            NodeKind::Const(b) => {
                out.verdict = Some(Verdict::from(*b));
                None
            }
            NodeKind::Leaf(leaf) => {
                let verdict = bindings.leaf_node(node);
                out.verdict = Some(verdict);
                out.observed = Some(observe(bindings, leaf, verdict, inputs));
                None
            }
            NodeKind::Not(inner) => Some((OpenKind::Not, vec![*inner])),
            NodeKind::Named(body) => match explained.get(body) {
                Some(verdict) => {
                    out.verdict = Some(*verdict);
                    out.observed = Some("explained above".to_owned());
                    None
                }
                None => Some((OpenKind::Named(*body), vec![*body])),
            },
            NodeKind::And(operands) | NodeKind::Or(operands) => {
                let or = matches!(node.kind, NodeKind::Or(_));
                // The identity of the chain, until an operand says otherwise.
                out.verdict = Some(Verdict::from(!or));
                let mut order: Vec<NodeId> = operands.ids().collect();
                if let Some(written) = labels.written(at) {
                    let mut positioned: Vec<(u32, NodeId)> =
                        written.iter().copied().zip(order).collect();
                    positioned.sort_unstable_by_key(|(position, _)| *position);
                    order = positioned.into_iter().map(|(_, id)| id).collect();
                }
                let decisive = Verdict::from(or);
                Some((
                    OpenKind::Chain {
                        decisive,
                        exact: None,
                    },
                    order,
                ))
            }
            NodeKind::AdvAnd(operands) | NodeKind::AdvOr(operands) => {
                let or = matches!(node.kind, NodeKind::AdvOr(_));
                out.verdict = Some(Verdict::from(!or));
                let exact = Some(bindings.outcome_of(nodes, node).verdict());
                let decisive = Verdict::from(or);
                let kind = OpenKind::Chain { decisive, exact };
                Some((kind, operands.ids().collect()))
            }
            NodeKind::AdvNot(inner) => Some((OpenKind::Not, vec![*inner])),
        };
        if let Some((kind, order)) = open
            && let Some(&first) = order.first()
        {
            stack.push(Open {
                out,
                kind,
                order,
                next: 1,
            });
            at = first;
            continue 'descend;
        }
        // Fold the finished explanation into the open nodes above it.
        let mut child = out;
        loop {
            let Some(open) = stack.last_mut() else {
                return child;
            };
            let verdict = child.verdict.unwrap_or(Verdict::Unknown);
            open.out.children.push(child);
            match open.kind {
                OpenKind::Not => open.out.verdict = Some(!verdict),
                OpenKind::Named(body) => {
                    open.out.verdict = Some(verdict);
                    explained.insert(body, verdict);
                }
                OpenKind::Chain { decisive, exact }
                    if verdict == decisive || (exact.is_some() && verdict == Verdict::Undef) =>
                {
                    open.out.verdict = Some(verdict);
                    let skipped = open.order.get(open.next..).unwrap_or_default();
                    let skipped = skipped
                        .iter()
                        .map(|&id| Explanation::pending(pending, labels.range(id)));
                    open.out.children.extend(skipped);
                }
                OpenKind::Chain { .. } => {
                    if verdict == Verdict::Unknown {
                        open.out.verdict = Some(Verdict::Unknown);
                    }
                    if let Some(&next) = open.order.get(open.next) {
                        open.next += 1;
                        at = next;
                        continue 'descend;
                    }
                }
            }
            let finished = stack.pop();
            debug_assert!(finished.is_some(), "the loop holds an open node");
            match finished {
                Some(mut done) => {
                    if let OpenKind::Chain {
                        exact: Some(exact), ..
                    } = done.kind
                    {
                        done.out.verdict = Some(exact);
                    }
                    child = done.out;
                }
                None => return Explanation::default(),
            }
        }
    }
}

fn shown(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "absent".to_owned(),
        Some(b) => {
            let text = String::from_utf8_lossy(b);
            let mut out: String = text.chars().take(MAX_OBSERVED).collect();
            if text.chars().count() > MAX_OBSERVED {
                out.push('…');
            }
            format!("{out:?}")
        }
    }
}

fn observe<V: RequestView>(
    bindings: &mut Bindings<'_, V>,
    leaf: &Leaf,
    verdict: Verdict,
    inputs: &BTreeSet<ContextInput>,
) -> String {
    match leaf {
        Leaf::Header { slot, .. } => {
            let name = bindings
                .layout
                .headers
                .get(usize::from(*slot))
                .map_or("", |k| k.as_str());
            if verdict == Verdict::Unknown {
                format!("{name}: not carried by this record")
            } else {
                format!("{name}: {}", shown(bindings.header_value(*slot)))
            }
        }
        Leaf::HeaderAny { slot, .. } => {
            let key = bindings.layout.headers.get(usize::from(*slot));
            let name = key.map_or("", |k| k.as_str());
            if verdict == Verdict::Unknown {
                return format!("{name}: not carried by this record");
            }
            let request = bindings.request;
            let mut values: Vec<String> = Vec::new();
            let mut more = 0usize;
            for value in key.into_iter().flat_map(|k| request.header_values(k)) {
                if values.len() < MAX_VALUES {
                    values.push(shown(Some(value)));
                } else {
                    more += 1;
                }
            }
            if more > 0 {
                values.push(format!("… ({more} more)"));
            }
            if values.is_empty() {
                format!("{name}: absent")
            } else {
                format!("{name}: {}", values.join(", "))
            }
        }
        Leaf::Advanced(_) if verdict == Verdict::Undef => "evaluation error (undef)".to_owned(),
        Leaf::Method(_) => format!("method: {}", shown(Some(bindings.request.method()))),
        Leaf::UrlPath(_) | Leaf::UrlPattern { .. } => {
            format!("path: {}", shown(Some(bindings.path_query().0)))
        }
        Leaf::UrlQuery(_) => format!("query: {}", shown(bindings.path_query().1)),
        Leaf::Version(_) => format!("version: {}", shown(Some(bindings.request.version()))),
        Leaf::UrlLen(_) => format!("target length: {}", bindings.request.target().len()),
        Leaf::UrlQueryLen(_) => {
            format!(
                "query length: {}",
                bindings.path_query().1.map_or(0, <[u8]>::len)
            )
        }
        Leaf::UrlTokens { .. } => format!("target: {}", shown(Some(bindings.request.target()))),
        _ if verdict == Verdict::Unknown => {
            let names: Vec<&str> = super::engine::missing(inputs, bindings.context)
                .iter()
                .map(|i| i.as_str())
                .collect();
            format!("not supplied by the context: {}", names.join(", "))
        }
        _ => "from the context".to_owned(),
    }
}
