//! Builds the trigger index of a large [`ProgramSet`](crate::ProgramSet) (see
//! [`TriggerIndex`]): per rule, header atoms one of which must hold for the rule to be true.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::ir::matchers::{ContainsCi, TextOp};
use crate::ir::visit::{self, Visitor};
use crate::ir::{HeaderAtoms, Leaf, Node, NodeId, NodeKind, TriggerIndex};

/// One header atom that can trigger rules.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Atom {
    Present(u16),
    Contains(u16, Box<[u8]>),
    Equals(u16, Box<[u8]>),
}

impl Atom {
    /// Lower is more selective (fewer requests fire it).
    fn cost(&self) -> usize {
        match self {
            Atom::Equals(..) => 0,
            Atom::Contains(_, needle) => 16usize.saturating_sub(needle.len()).max(1),
            Atom::Present(_) => 100,
        }
    }
}

/// The rules each atom of one header triggers, while building.
#[derive(Default)]
struct AtomRules {
    present: Vec<u32>,
    needles: HashMap<Box<[u8]>, Vec<u32>>,
    equals: HashMap<Box<[u8]>, Vec<u32>>,
}

/// The trigger set of every node, bottom up: `None` when the node can be true without any
/// header atom. Shared nodes are computed once.
struct Triggers(Vec<Option<Vec<Atom>>>);

impl Visitor for Triggers {
    fn visit_post(&mut self, id: NodeId, node: &Node) {
        let of = |id: NodeId| self.0.get(id as usize).and_then(Option::as_ref);
        let atoms = match &node.kind {
            NodeKind::Const(false) => Some(Vec::new()),
            // Advanced trees with UNDEF are evaluated for every request.
            NodeKind::Const(true)
            | NodeKind::Not(_)
            | NodeKind::AdvAnd(_)
            | NodeKind::AdvOr(_)
            | NodeKind::AdvNot(_) => None,
            NodeKind::Named(inner) => of(*inner).cloned(),
            NodeKind::And(operands) => operands
                .ids()
                .filter_map(of)
                .min_by_key(|atoms| atoms.iter().map(Atom::cost).sum::<usize>())
                .cloned(),
            NodeKind::Or(operands) => {
                let mut all = Vec::new();
                let mut every = true;
                for id in operands.ids() {
                    match of(id) {
                        Some(atoms) => all.extend(atoms.iter().cloned()),
                        None => every = false,
                    }
                }
                all.sort();
                all.dedup();
                every.then_some(all)
            }
            NodeKind::Leaf(Leaf::Header { slot, test }) => {
                let slot = *slot;
                match &test.op {
                    TextOp::Exists | TextOp::Contents => Some(vec![Atom::Present(slot)]),
                    TextOp::Contains(m) if test.window.is_full() => Some(vec![match m {
                        ContainsCi::Empty => Atom::Present(slot),
                        _ => Atom::Contains(slot, m.lower_needle().into()),
                    }]),
                    TextOp::Contains(_) => Some(vec![Atom::Present(slot)]),
                    TextOp::Equals { value, fold: false } if test.window.is_full() => {
                        Some(vec![Atom::Equals(slot, value.clone())])
                    }
                    TextOp::Equals { .. } => Some(vec![Atom::Present(slot)]),
                    TextOp::NotExists | TextOp::NotContains(_) | TextOp::NotEquals { .. } => None,
                }
            }
            NodeKind::Leaf(_) => None,
        };
        if let Some(place) = self.0.get_mut(id as usize) {
            *place = atoms;
        }
    }
}

/// Builds the index over the roots of a set (rule `i` is `roots[i]`).
pub(super) fn build(nodes: &[Node], roots: &[NodeId]) -> TriggerIndex {
    let mut triggers = Triggers(vec![None; nodes.len()]);
    visit::walk(nodes, roots, &mut triggers);
    let mut by_header: HashMap<u16, AtomRules> = HashMap::new();
    let mut always = Vec::new();
    for (rule, root) in (0u32..).zip(roots) {
        let Some(atoms) = triggers.0.get_mut(*root as usize).and_then(Option::take) else {
            always.push(rule);
            continue;
        };
        let mut atoms = atoms;
        atoms.sort();
        atoms.dedup();
        for atom in atoms {
            match atom {
                Atom::Present(h) => by_header.entry(h).or_default().present.push(rule),
                Atom::Contains(h, needle) => by_header
                    .entry(h)
                    .or_default()
                    .needles
                    .entry(needle)
                    .or_default()
                    .push(rule),
                Atom::Equals(h, value) => by_header
                    .entry(h)
                    .or_default()
                    .equals
                    .entry(value)
                    .or_default()
                    .push(rule),
            }
        }
    }
    let mut headers: Vec<HeaderAtoms> = by_header
        .into_iter()
        .map(|(header, rules)| {
            let mut needles: Vec<(Box<[u8]>, Vec<u32>)> = rules.needles.into_iter().collect();
            needles.sort();
            let automaton = if needles.is_empty() {
                None
            } else {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(needles.iter().map(|(n, _)| n))
                    .ok()
            };
            HeaderAtoms {
                header,
                present: rules.present,
                automaton,
                needle_rules: needles.into_iter().map(|(_, rules)| rules).collect(),
                equals: rules.equals,
            }
        })
        .collect();
    headers.sort_by_key(|h| h.header);
    TriggerIndex { headers, always }
}
