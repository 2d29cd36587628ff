//! Passes over the arena: cheapest-first operand order (while lowering), then, once every rule
//! is lowered, how often each node is evaluated, the header table order, leaf sharing and the
//! label table.

use std::collections::HashMap;

use super::arena::{Arena, Meta};
use crate::ir::matchers::TextOp;
use crate::ir::visit;
use crate::ir::{
    HeaderInstance, HeaderKey, Labels, Layout, Leaf, NO_MEMO, Node, NodeId, NodeKind, Operands,
    node,
};

/// A static estimate of what evaluating a leaf costs: presence tests are cheap, substring
/// searches and clock arithmetic dearer.
pub(super) fn leaf_cost(leaf: &Leaf) -> u32 {
    match leaf {
        Leaf::Header { test, .. }
        | Leaf::HeaderAny { test, .. }
        | Leaf::ResponseHeader { test, .. } => match test.op {
            TextOp::Exists | TextOp::NotExists => 2,
            TextOp::Contents | TextOp::Equals { .. } | TextOp::NotEquals { .. } => 3,
            TextOp::Contains(_) | TextOp::NotContains(_) => 6,
        },
        Leaf::Method(_) | Leaf::Version(_) | Leaf::UrlLen(_) => 1,
        Leaf::UrlPath(_) | Leaf::UrlQuery(_) | Leaf::UrlQueryLen(_) => 3,
        Leaf::UrlPattern { .. } => 3,
        Leaf::UrlTokens { .. } => 5,
        _ => 2,
    }
}

/// Sorts the operands of a finished `&&`/`||` cheapest first (stable), in place. Returns the
/// written position of each stored operand when the order changed, and the compound's cost (the
/// sum of its operands').
pub(super) fn cheapest_first(arena: &mut Arena, operands: Operands) -> (Option<Box<[u32]>>, u32) {
    let costs: Vec<u32> = operands.ids().map(|id| arena.cost(id)).collect();
    let total = costs.iter().fold(0u32, |sum, c| sum.saturating_add(*c));
    let mut order: Vec<u32> = (0..operands.len).collect();
    order.sort_by_key(|&i| costs.get(i as usize).copied().unwrap_or(0));
    let moved = order.iter().zip(0u32..).any(|(from, at)| *from != at);
    if !moved {
        return (None, total);
    }
    let block = operands.first as usize..(operands.first + operands.len) as usize;
    if let Some(nodes) = arena.nodes.get_mut(block.clone()) {
        permute(nodes, &order, Node::placeholder);
    }
    if let Some(meta) = arena.meta.get_mut(block) {
        permute(meta, &order, Meta::default);
    }
    (Some(order.into_boxed_slice()), total)
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`.
fn permute<T>(items: &mut [T], order: &[u32], placeholder: fn() -> T) {
    let mut taken: Vec<Option<T>> = items
        .iter_mut()
        .map(|item| Some(std::mem::replace(item, placeholder())))
        .collect();
    for (slot, &from) in items.iter_mut().zip(order) {
        let item = taken.get_mut(from as usize).and_then(Option::take);
        debug_assert!(item.is_some(), "order is a permutation");
        if let Some(item) = item {
            *slot = item;
        }
    }
}

/// What the evaluator needs from a finished arena.
pub(super) struct Finished {
    pub nodes: Box<[Node]>,
    pub layout: Layout,
    pub labels: Labels,
}

/// Orders the header table, gives leaves evaluated more than once a memo slot and builds the
/// label table, for the rules rooted at `roots`.
pub(super) fn finish(mut arena: Arena, roots: &[NodeId], instance: HeaderInstance) -> Finished {
    let reach = reach(&arena.nodes, roots);
    let memos = share_leaves(&mut arena, &reach);
    let (headers, cached_headers) = order_headers(&mut arena, &reach, memos);
    let memos = share_bodies(&mut arena, &reach, memos);
    let written = arena
        .meta
        .iter_mut()
        .zip(0..)
        .filter_map(|(meta, id)| Some((id, meta.written.take()?)))
        .collect();
    let labels = Labels {
        ranges: arena.meta.iter().map(|meta| meta.label).collect(),
        written,
        text: arena.text.into_boxed_str(),
    };
    Finished {
        nodes: arena.nodes.into_boxed_slice(),
        layout: Layout {
            headers,
            cached_headers,
            memos,
            header_instance: instance,
        },
        labels,
    }
}

/// How many times each node is evaluated per request at most, saturated at 2 (0 = unreachable):
/// a leaf in a named expression used twice counts twice.
fn reach(nodes: &[Node], roots: &[NodeId]) -> Vec<u8> {
    let mut reach = vec![0u8; nodes.len()];
    let bump = |reach: &mut [u8], id: NodeId, by: u8| {
        if let Some(r) = reach.get_mut(id as usize) {
            *r = r.saturating_add(by).min(2);
        }
    };
    for &root in roots {
        bump(&mut reach, root, 1);
    }
    for id in visit::top_down(nodes, roots) {
        let by = reach.get(id as usize).copied().unwrap_or(0);
        for child in node(nodes, id).kind.children() {
            bump(&mut reach, child, by);
        }
    }
    reach
}

/// Orders the header table so headers read by several leaves come first (they are cached per
/// evaluation; the others are looked up directly), renumbering the leaves. A shared leaf is
/// evaluated once per request (its `memos` slot), so all its uses read the header once.
fn order_headers(arena: &mut Arena, reach: &[u8], memos: usize) -> (Box<[HeaderKey]>, usize) {
    let mut uses = vec![0u8; arena.headers.len()];
    let mut counted = vec![false; memos];
    for (n, r) in arena.nodes.iter().zip(reach) {
        let NodeKind::Leaf(Leaf::Header { slot, .. }) = n.kind else {
            continue;
        };
        let reads = if n.memo == NO_MEMO {
            *r
        } else {
            match counted.get_mut(usize::from(n.memo)) {
                Some(seen) if *r > 0 && !*seen => {
                    *seen = true;
                    1
                }
                Some(_) => 0,
                None => *r,
            }
        };
        if let Some(u) = uses.get_mut(usize::from(slot)) {
            *u = u.saturating_add(reads).min(2);
        }
    }
    let mut order: Vec<usize> = (0..arena.headers.len()).collect();
    order.sort_by_key(|&i| (uses.get(i).copied().unwrap_or(0) <= 1, i));
    let mut new_index = vec![0u16; arena.headers.len()];
    for (new, &old) in (0u16..).zip(order.iter()) {
        if let Some(slot) = new_index.get_mut(old) {
            *slot = new;
        }
    }
    for n in arena.nodes.iter_mut() {
        if let NodeKind::Leaf(leaf) = &mut n.kind {
            for slot in leaf.header_slots_mut() {
                if let Some(&renumbered) = new_index.get(usize::from(*slot)) {
                    *slot = renumbered;
                }
            }
        }
    }
    let cached = uses.iter().filter(|&&n| n > 1).count();
    let headers = order
        .iter()
        .filter_map(|&i| arena.headers.get(i).cloned())
        .collect();
    (headers, cached)
}

/// What a leaf tests, as a sharing key.
#[derive(Debug, PartialEq, Eq, Hash)]
enum LeafKey<'a> {
    Header {
        slot: u16,
        offset: usize,
        length: Option<usize>,
        test: HeaderTest<'a>,
    },
    /// An advanced header test over every instance.
    HeaderAny { slot: u16, test: HeaderTest<'a> },
    /// Advanced value code is not shared: its label may be a named expression's (D32), which
    /// names several different leaves.
    Unique(usize),
    /// Other leaves key on their canonical text.
    Text(&'a str),
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum HeaderTest<'a> {
    Exists,
    Contents,
    Contains(&'a [u8]),
    Equals(&'a [u8], bool),
}

/// The sharing key of a leaf and whether the leaf is the negation of that test: a header's
/// NOTCONTAINS, NOTEXISTS and `!=` share the search of CONTAINS, EXISTS and `==` (their D7
/// results on absent headers are the negations too).
fn leaf_key<'a>(id: usize, leaf: &'a Leaf, text: &'a str) -> (LeafKey<'a>, bool) {
    let (slot, test) = match leaf {
        Leaf::Header { slot, test } => (slot, test),
        Leaf::HeaderAny { slot, test } => {
            let key = match &test.op {
                TextOp::Contains(m) => HeaderTest::Contains(m.lower_needle()),
                _ => return (LeafKey::Unique(id), false),
            };
            let slot = *slot;
            return (LeafKey::HeaderAny { slot, test: key }, false);
        }
        Leaf::Advanced(_) => return (LeafKey::Unique(id), false),
        _ => return (LeafKey::Text(text), false),
    };
    let (header_test, negate) = match &test.op {
        TextOp::Exists => (HeaderTest::Exists, false),
        TextOp::NotExists => (HeaderTest::Exists, true),
        TextOp::Contents => (HeaderTest::Contents, false),
        TextOp::Contains(m) => (HeaderTest::Contains(m.lower_needle()), false),
        TextOp::NotContains(m) => (HeaderTest::Contains(m.lower_needle()), true),
        TextOp::Equals { value, fold } => (HeaderTest::Equals(value, *fold), false),
        TextOp::NotEquals { value, fold } => (HeaderTest::Equals(value, *fold), true),
    };
    let key = LeafKey::Header {
        slot: *slot,
        offset: test.window.offset,
        length: test.window.length,
        test: header_test,
    };
    (key, negate)
}

/// Gives every leaf test evaluated more than once per request (the wizard sets test
/// `User-Agent CONTAINS CitrixReceiver` or its NOTCONTAINS negation in every policy; a named
/// expression may be used by many rules) a memo slot, so the evaluator computes it once.
/// Returns the number of slots.
fn share_leaves(arena: &mut Arena, reach: &[u8]) -> usize {
    // (node, key, negate) of every reachable leaf, then uses per key.
    let mut keys: HashMap<LeafKey<'_>, usize> = HashMap::new();
    let mut leaves: Vec<(usize, usize, bool)> = Vec::new();
    let mut uses: Vec<u8> = Vec::new();
    for ((id, n), (r, meta)) in arena
        .nodes
        .iter()
        .enumerate()
        .zip(reach.iter().zip(&arena.meta))
    {
        let NodeKind::Leaf(leaf) = &n.kind else {
            continue;
        };
        if *r == 0 {
            continue;
        }
        let text = arena.text.get(meta.label.0 as usize..meta.label.1 as usize);
        debug_assert!(text.is_some(), "every leaf has a label");
        let text = text.unwrap_or_default();
        let (key, negate) = leaf_key(id, leaf, text);
        let next = keys.len();
        let index = *keys.entry(key).or_insert(next);
        if index == uses.len() {
            uses.push(0);
        }
        if let Some(u) = uses.get_mut(index) {
            *u = u.saturating_add(*r).min(2);
        }
        leaves.push((id, index, negate));
    }
    let mut memo_of: HashMap<usize, u16> = HashMap::new();
    for (id, index, negate) in leaves {
        if uses.get(index).copied().unwrap_or(0) < 2 {
            continue;
        }
        let next = memo_of.len();
        let memo = match memo_of.get(&index) {
            Some(&memo) => memo,
            None => match u16::try_from(next) {
                Ok(memo) if memo != NO_MEMO => {
                    memo_of.insert(index, memo);
                    memo
                }
                // Out of memo slots: the leaf is simply evaluated at each use.
                _ => continue,
            },
        };
        if let Some(n) = arena.nodes.get_mut(id) {
            n.memo = memo;
            n.memo_negate = negate;
        }
    }
    memo_of.len()
}

/// Gives the body of every named expression evaluated more than once per request a memo slot
/// after the `leaf_memos` of the leaves, so a "diamond" of names (each used twice by the next)
/// is evaluated in time linear in its size. Returns the total number of slots.
fn share_bodies(arena: &mut Arena, reach: &[u8], leaf_memos: usize) -> usize {
    let bodies: Vec<NodeId> = arena
        .nodes
        .iter()
        .filter_map(|n| match n.kind {
            NodeKind::Named(body) => Some(body),
            _ => None,
        })
        .collect();
    let mut next = leaf_memos;
    for body in bodies {
        if reach.get(body as usize).copied().unwrap_or(0) < 2 {
            continue;
        }
        let Some(n) = arena.nodes.get_mut(body as usize) else {
            continue;
        };
        if n.memo != NO_MEMO || matches!(n.kind, NodeKind::Leaf(_)) {
            continue;
        }
        let Ok(memo) = u16::try_from(next) else {
            break;
        };
        if memo == NO_MEMO {
            break;
        }
        n.memo = memo;
        next += 1;
    }
    next
}
