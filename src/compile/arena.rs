//! The arena the compiler lowers rules into: IR nodes with what only the compiler needs beside
//! them (labels, costs, written order), the text of every rule once, and the header slots.

use std::collections::HashMap;

use crate::ir::{HeaderKey, InputSet, Node, NodeId, NodeKind};

/// Most nodes one rule (with the named expressions it is the first to use) may add.
pub(super) const MAX_NODES: usize = 1_000_000;

/// What the compiler knows of a node besides its evaluation form.
#[derive(Debug, Clone, Default)]
pub(super) struct Meta {
    /// `start..end` of its canonical text in [`Arena::text`].
    pub label: (u32, u32),
    /// Static cost estimate, for cheapest-first ordering.
    pub cost: u32,
    /// For a reordered `&&`/`||`: the written position of each stored operand.
    pub written: Option<Box<[u32]>>,
}

/// A named expression's lowering state.
#[derive(Debug, Clone, Copy)]
pub(super) enum NameState {
    /// Being lowered: it sits at `depth` in the chain of names being expanded.
    InProgress { depth: usize },
    /// Lowered: its body and the context inputs it needs.
    Done { body: NodeId, inputs: InputSet },
}

/// The nodes and tables being built; shared by the rules of a set.
#[derive(Debug, Default)]
pub(super) struct Arena {
    pub nodes: Vec<Node>,
    /// Parallel to `nodes`.
    pub meta: Vec<Meta>,
    /// The canonical text of every rule and named expression, each once.
    pub text: String,
    pub headers: Vec<HeaderKey>,
    pub header_slots: HashMap<Box<str>, u16>,
    /// The context inputs of the rule (or named expression) being lowered.
    pub inputs: InputSet,
    pub names: HashMap<String, NameState>,
}

impl Arena {
    /// Reserves `n` consecutive slots; `None` when the rule started at `mark` grows too large.
    pub(super) fn reserve(&mut self, n: u32, mark: usize) -> Option<NodeId> {
        let first = self.nodes.len();
        let end = first.checked_add(n as usize)?;
        if end - mark > MAX_NODES {
            return None;
        }
        let id = NodeId::try_from(first).ok()?;
        self.nodes.resize_with(end, Node::placeholder);
        self.meta.resize_with(end, Meta::default);
        Some(id)
    }

    pub(super) fn set_label(&mut self, slot: NodeId, label: (u32, u32)) {
        if let Some(meta) = self.meta.get_mut(slot as usize) {
            meta.label = label;
        }
    }

    pub(super) fn set(&mut self, slot: NodeId, kind: NodeKind, cost: u32) {
        if let (Some(node), Some(meta)) = (
            self.nodes.get_mut(slot as usize),
            self.meta.get_mut(slot as usize),
        ) {
            node.kind = kind;
            meta.cost = cost;
        }
    }

    pub(super) fn cost(&self, id: NodeId) -> u32 {
        self.meta.get(id as usize).map_or(0, |m| m.cost)
    }
}
