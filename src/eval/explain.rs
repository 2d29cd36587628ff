//! `explain`: the evaluation with every sub-expression's verdict and the value it looked at.

use std::collections::BTreeSet;
use std::fmt;

use super::engine::Bindings;
use super::{ContextInput, RequestView, Verdict};
use crate::compile::ir::{Leaf, Node, NodeKind};

/// The verdict tree of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Explanation {
    /// The canonical text of the sub-expression, or the name of a named expression.
    pub text: String,
    /// Its verdict; `None` when short-circuiting skipped it (D14).
    pub verdict: Option<Verdict>,
    /// For simple expressions: what was looked at (`"CitrixReceiver/..."`, `absent`).
    pub observed: Option<String>,
    /// Operands, in order.
    pub children: Vec<Explanation>,
}

const MAX_OBSERVED: usize = 120;

pub(crate) fn explain<V: RequestView>(
    bindings: &mut Bindings<'_, V>,
    node: &Node,
    labels: &[String],
    inputs: &BTreeSet<ContextInput>,
) -> Explanation {
    let text = labels.get(node.label as usize).cloned().unwrap_or_default();
    let (verdict, observed, children) = match &node.kind {
        NodeKind::And(items) | NodeKind::Or(items) => {
            let is_and = matches!(node.kind, NodeKind::And(_));
            let (decisive, mut result) = if is_and {
                (Verdict::False, Verdict::True)
            } else {
                (Verdict::True, Verdict::False)
            };
            let mut children = Vec::with_capacity(items.len());
            let mut decided = false;
            // Walk the operands as written (D14), whatever order the compiler evaluates them in.
            let mut in_written_order: Vec<&Node> = items.iter().collect();
            if let Some(written) = &node.written {
                let mut positioned: Vec<(u16, &Node)> =
                    written.iter().copied().zip(items.iter()).collect();
                positioned.sort_by_key(|(at, _)| *at);
                in_written_order = positioned.into_iter().map(|(_, n)| n).collect();
            }
            for item in in_written_order {
                if decided {
                    children.push(skipped(item, labels));
                    continue;
                }
                let child = explain(bindings, item, labels, inputs);
                match child.verdict {
                    Some(v) if v == decisive => {
                        result = decisive;
                        decided = true;
                    }
                    Some(Verdict::Unknown) => result = Verdict::Unknown,
                    _ => {}
                }
                children.push(child);
            }
            (result, None, children)
        }
        NodeKind::Not(inner) | NodeKind::Named(inner) => {
            let child = explain(bindings, inner, labels, inputs);
            let v = child.verdict.unwrap_or(Verdict::Unknown);
            let v = if matches!(node.kind, NodeKind::Not(_)) {
                v.not()
            } else {
                v
            };
            (v, None, vec![child])
        }
        NodeKind::Const(b) => (Verdict::from(*b), None, Vec::new()),
        NodeKind::Leaf(leaf) => {
            let verdict = bindings.eval(node);
            (
                verdict,
                Some(observe(bindings, leaf, verdict, inputs)),
                Vec::new(),
            )
        }
    };
    Explanation {
        text,
        verdict: Some(verdict),
        observed,
        children,
    }
}

fn skipped(node: &Node, labels: &[String]) -> Explanation {
    Explanation {
        text: labels.get(node.label as usize).cloned().unwrap_or_default(),
        verdict: None,
        observed: None,
        children: Vec::new(),
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
                .headers
                .get(usize::from(*slot))
                .map_or("", |k| k.as_str());
            if verdict == Verdict::Unknown {
                format!("{name}: not carried by this record")
            } else {
                format!("{name}: {}", shown(bindings.header_value(*slot)))
            }
        }
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
            let names: Vec<&str> = super::missing(inputs, bindings.context)
                .iter()
                .map(|i| i.as_str())
                .collect();
            format!("not supplied by the context: {}", names.join(", "))
        }
        _ => "from the context".to_owned(),
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_tree(f, "", "")
    }
}

impl Explanation {
    fn write_tree(&self, f: &mut fmt::Formatter<'_>, first: &str, rest: &str) -> fmt::Result {
        let verdict = self.verdict.map_or("skipped", Verdict::as_str);
        write!(f, "{first}{verdict:<7} {}", self.text)?;
        if let Some(observed) = &self.observed {
            write!(f, "    [{observed}]")?;
        }
        writeln!(f)?;
        for (i, child) in self.children.iter().enumerate() {
            let last = i + 1 == self.children.len();
            let (branch, indent) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            child.write_tree(f, &format!("{rest}{branch}"), &format!("{rest}{indent}"))?;
        }
        Ok(())
    }
}
