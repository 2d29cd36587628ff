//! The trigger index of a large [`ProgramSet`](super::ProgramSet): evaluates only the rules that
//! can be true for a request, so the cost grows with the rules a request can hit, not with the
//! size of the set.
//!
//! Every rule gets a *trigger set*: header atoms (a CONTAINS needle, an `==` value, a presence)
//! one of which must hold for the rule to be true. Per request the index binds each header once,
//! folds it to lower case once, runs one aho-corasick automaton over it for all CONTAINS needles of
//! all rules, looks `==` values up in a hash map, and evaluates only the rules whose trigger fired
//! (plus the few rules that have no trigger). A rule whose trigger did not fire is false: an
//! `&&` with a false operand is false even next to an UNKNOWN one (D14), and every operand of an
//! `||` had a trigger.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::ir::{Leaf, Node, NodeKind};
use super::matchers::{ContainsCi, TextOp};

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

/// The atoms of one header.
#[derive(Debug, Clone)]
struct HeaderAtoms {
    header: u16,
    present: Vec<u32>,
    /// Lower-cased needles and, per needle, the rules it triggers.
    automaton: Option<AhoCorasick>,
    needle_rules: Vec<Vec<u32>>,
    equals: HashMap<Box<[u8]>, Vec<u32>>,
}

/// The rules each atom of one header triggers, while building.
#[derive(Default)]
struct AtomRules {
    present: Vec<u32>,
    needles: HashMap<Box<[u8]>, Vec<u32>>,
    equals: HashMap<Box<[u8]>, Vec<u32>>,
}

/// Rules per trigger, for a whole set.
#[derive(Debug, Clone)]
pub(crate) struct TriggerIndex {
    headers: Vec<HeaderAtoms>,
    /// Rules without a trigger set: always evaluated.
    always: Vec<u32>,
}

/// Reusable per-caller buffers, so indexed evaluation allocates nothing once warmed up.
#[derive(Debug, Clone, Default)]
pub struct SetScratch {
    stamps: Vec<u32>,
    generation: u32,
    folded: Vec<u8>,
    candidates: Vec<u32>,
}

impl SetScratch {
    /// Starts a request: a new stamp generation, an empty candidate list.
    pub(crate) fn begin(&mut self, rules: usize) {
        if self.stamps.len() < rules {
            self.stamps.resize(rules, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.candidates.clear();
    }

    fn add(&mut self, rule: u32) {
        if let Some(stamp) = self.stamps.get_mut(rule as usize)
            && *stamp != self.generation
        {
            *stamp = self.generation;
            self.candidates.push(rule);
        }
    }

    fn add_all(&mut self, rules: &[u32]) {
        for &rule in rules {
            self.add(rule);
        }
    }

    /// The candidate rules of this request, in rule order.
    pub(crate) fn candidates(&mut self) -> &[u32] {
        self.candidates.sort_unstable();
        &self.candidates
    }
}

/// The trigger set of a node: `None` when the node can be true without any header atom.
fn triggers(node: &Node) -> Option<Vec<Atom>> {
    match &node.kind {
        NodeKind::Const(false) => Some(Vec::new()),
        NodeKind::Const(true) | NodeKind::Not(_) => None,
        NodeKind::Named(inner) => triggers(inner),
        NodeKind::And(items) => items
            .iter()
            .filter_map(triggers)
            .min_by_key(|atoms| atoms.iter().map(Atom::cost).sum::<usize>()),
        NodeKind::Or(items) => {
            let mut all = Vec::new();
            for item in items.iter() {
                all.extend(triggers(item)?);
            }
            Some(all)
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
    }
}

impl TriggerIndex {
    /// Builds the index over the roots of a set.
    pub(crate) fn build(roots: &[&Node]) -> TriggerIndex {
        let mut by_header: HashMap<u16, AtomRules> = HashMap::new();
        let mut always = Vec::new();
        for (rule, root) in roots.iter().enumerate() {
            let rule = u32::try_from(rule).unwrap_or(u32::MAX);
            let Some(mut atoms) = triggers(root) else {
                always.push(rule);
                continue;
            };
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
            .map(
                |(
                    header,
                    AtomRules {
                        present,
                        needles,
                        equals,
                    },
                )| {
                    let mut needles: Vec<(Box<[u8]>, Vec<u32>)> = needles.into_iter().collect();
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
                        present,
                        automaton,
                        needle_rules: needles.into_iter().map(|(_, rules)| rules).collect(),
                        equals,
                    }
                },
            )
            .collect();
        headers.sort_by_key(|h| h.header);
        TriggerIndex { headers, always }
    }

    /// The headers the index reads.
    pub(crate) fn headers(&self) -> impl Iterator<Item = u16> + '_ {
        self.headers.iter().map(|h| h.header)
    }

    /// Collects the candidate rules for a request into `scratch`, given each indexed header's
    /// bound value.
    pub(crate) fn collect<'v>(
        &self,
        scratch: &mut SetScratch,
        mut value_of: impl FnMut(u16) -> Option<&'v [u8]>,
    ) {
        scratch.add_all(&self.always);
        for atoms in &self.headers {
            let Some(value) = value_of(atoms.header) else {
                continue;
            };
            scratch.add_all(&atoms.present);
            if let Some(rules) = atoms.equals.get(value) {
                scratch.add_all(rules);
            }
            if let Some(automaton) = &atoms.automaton {
                let mut folded = std::mem::take(&mut scratch.folded);
                folded.clear();
                folded.extend(value.iter().map(u8::to_ascii_lowercase));
                // Standard match kind (set at build) supports overlapping search, so every
                // contained needle is reported, not only the leftmost.
                if let Ok(matches) = automaton.try_find_overlapping_iter(folded.as_slice()) {
                    for found in matches {
                        if let Some(rules) = atoms.needle_rules.get(found.pattern().as_usize()) {
                            scratch.add_all(rules);
                        }
                    }
                }
                scratch.folded = folded;
            }
        }
    }
}
