//! The one walker over a program's arena: depth first with an explicit heap stack (no recursion,
//! whatever the nesting), visiting every node reachable from the roots exactly once, so a named
//! expression shared by many rules is visited once.

use super::{Node, NodeId, node};

/// Callbacks of [`walk`]; `visit_post` sees a node after everything below it.
pub(crate) trait Visitor {
    fn visit_pre(&mut self, _id: NodeId, _node: &Node) {}
    fn visit_post(&mut self, _id: NodeId, _node: &Node) {}
}

/// Walks the nodes reachable from `roots`, each once, children in evaluation order.
pub(crate) fn walk(nodes: &[Node], roots: &[NodeId], visitor: &mut impl Visitor) {
    let mut seen = vec![false; nodes.len()];
    // (node, next child to enter)
    let mut stack: Vec<(NodeId, NodeId)> = Vec::new();
    for &root in roots {
        if !mark(&mut seen, root) {
            continue;
        }
        visitor.visit_pre(root, node(nodes, root));
        stack.push((root, node(nodes, root).kind.children().start));
        while let Some((id, next)) = stack.last_mut() {
            let current = node(nodes, *id);
            let children = current.kind.children();
            if *next >= children.end {
                let done = *id;
                stack.pop();
                visitor.visit_post(done, node(nodes, done));
                continue;
            }
            let child = *next;
            *next += 1;
            if mark(&mut seen, child) {
                let child_node = node(nodes, child);
                visitor.visit_pre(child, child_node);
                stack.push((child, child_node.kind.children().start));
            }
        }
    }
}

/// Marks `id` seen; `false` when it already was.
fn mark(seen: &mut [bool], id: NodeId) -> bool {
    match seen.get_mut(id as usize) {
        Some(flag) if !*flag => {
            *flag = true;
            true
        }
        _ => false,
    }
}

/// The nodes reachable from `roots`, parents before children (reverse post-order), for passes
/// that push a quantity down the DAG.
pub(crate) fn top_down(nodes: &[Node], roots: &[NodeId]) -> Vec<NodeId> {
    struct Post(Vec<NodeId>);
    impl Visitor for Post {
        fn visit_post(&mut self, id: NodeId, _node: &Node) {
            self.0.push(id);
        }
    }
    let mut post = Post(Vec::with_capacity(nodes.len()));
    walk(nodes, roots, &mut post);
    post.0.reverse();
    post.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{NodeKind, Operands};

    fn n(kind: NodeKind) -> Node {
        Node {
            kind,
            ..Node::placeholder()
        }
    }

    #[test]
    fn shared_nodes_are_visited_once_after_their_parents() {
        // 0 = And(1, 2); 1 = Named(3); 2 = Named(3); 3 = Not(4); 4 = Const
        let nodes = [
            n(NodeKind::And(Operands { first: 1, len: 2 })),
            n(NodeKind::Named(3)),
            n(NodeKind::Named(3)),
            n(NodeKind::Not(4)),
            n(NodeKind::Const(true)),
        ];
        let order = top_down(&nodes, &[0]);
        assert_eq!(order.len(), 5);
        let at = |id| order.iter().position(|&x| x == id);
        assert!(at(0) < at(1) && at(1) < at(3) && at(2) < at(3) && at(3) < at(4));
    }
}
