//! [`Explanation`]: the verdict tree of `explain`, holding the rule's text once.
//!
//! Every node refers to a byte range of one shared text, so an explanation holds as many bytes of
//! text as the rule (and the named expressions it reached), however deep the rule nests. Its
//! renderings stay proportional to the number of nodes too: `Display` caps the indentation and
//! shortens long texts, and the serde form gives every node a bounded text and its range in the
//! shared text, written once at the top.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::Verdict;

/// Nodes deeper than this are drawn at this indentation with their depth written as a number;
/// in the serde form, the descendants of a node at this depth are listed flat under it.
const MAX_DEPTH_SHOWN: usize = 32;
/// Node texts longer than this many bytes are shown as an excerpt.
const MAX_TEXT_SHOWN: usize = 200;
/// The bytes an excerpt keeps from the start and from the end of a long text.
const EXCERPT_HEAD: usize = 120;
const EXCERPT_TAIL: usize = 60;

/// The verdict tree of one evaluation: every sub-expression with its verdict and, for simple
/// expressions, the value it looked at.
///
/// The canonical text of the rule, and of each named expression the evaluation reached, is held
/// once ([`source`](Self::source)); each node knows its byte [`range`](Self::range) in it, and
/// [`text`](Self::text) gives its own sub-expression. The tree's size is linear in the rule's,
/// however deeply it nests.
///
/// `Display` draws one line per node. Lines deeper than 32 levels keep the indentation of level
/// 32 and say their depth (`[depth 40] └─ …`); a text longer than 200 bytes is shown as its
/// first and last bytes around `…` and its length (`(1234 bytes)`), so the drawing grows with
/// the number of nodes, not with their nesting.
///
/// With the `serde` feature an explanation serialises as `{"text", "start", "end", "verdict",
/// "observed", "children", "source"}`: the root's `text` is complete; below the root, a text
/// longer than 200 bytes is the same excerpt as in the drawing, and `start..end` locates the
/// full text in `source` (byte offsets), which is written once, at the top. Nodes deeper than 32
/// levels are listed flat, in pre-order, in the `children` of their ancestor at depth 32, each
/// with its `depth` (the root is at depth 0) and no children of its own.
///
/// ```
/// use nsexpr::eval::HeaderList;
/// use nsexpr::{Program, Verdict};
///
/// let program = Program::new("HEADER User-Agent CONTAINS Receiver && METHOD == POST")?;
/// let request = HeaderList::new("GET", "/", &[("User-Agent", "CitrixReceiver/23.9")]);
/// let tree = program.explain(&request);
/// assert_eq!(tree.verdict, Some(Verdict::False));
/// let operands: Vec<(&str, Option<Verdict>)> =
///     tree.children.iter().map(|c| (c.text(), c.verdict)).collect();
/// assert_eq!(
///     operands,
///     [
///         ("REQ.HTTP.HEADER User-Agent CONTAINS Receiver", Some(Verdict::True)),
///         ("REQ.HTTP.METHOD == POST", Some(Verdict::False)),
///     ]
/// );
/// // Each node's text is a range of the one copy of the rule's text.
/// assert_eq!(&tree.source()[tree.children[1].range()], "REQ.HTTP.METHOD == POST");
/// assert_eq!(
///     tree.to_string(),
///     "false   REQ.HTTP.HEADER User-Agent CONTAINS Receiver && REQ.HTTP.METHOD == POST\n\
///      ├─ true    REQ.HTTP.HEADER User-Agent CONTAINS Receiver    [user-agent: \"CitrixReceiver/23.9\"]\n\
///      └─ false   REQ.HTTP.METHOD == POST    [method: \"GET\"]\n"
/// );
/// # Ok::<(), nsexpr::Error>(())
/// ```
#[derive(Default)]
pub struct Explanation {
    /// The text shared by every node of the tree.
    source: Arc<str>,
    /// This node's text: `start..end` in `source`.
    start: u32,
    end: u32,
    /// Its verdict; `None` when short-circuiting skipped it (D14).
    pub verdict: Option<Verdict>,
    /// For simple expressions: what was looked at (`"CitrixReceiver/..."`, `absent`).
    pub observed: Option<String>,
    /// Operands, in order.
    pub children: Vec<Explanation>,
}

impl Explanation {
    /// The canonical text of this sub-expression, or the name of a named expression.
    pub fn text(&self) -> &str {
        self.source
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }

    /// The byte range of [`text`](Self::text) in [`source`](Self::source).
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text every node of the tree refers to: the rule's canonical text, then the canonical
    /// text of each named expression whose body the evaluation explained, one per line.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The bytes of text the tree holds: each distinct [`source`](Self::source) once, and every
    /// `observed` value. For tests of the tree's size.
    #[doc(hidden)]
    pub fn held_bytes(&self) -> usize {
        let mut sources: HashSet<*const u8> = HashSet::new();
        let mut held = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            if sources.insert(node.source.as_ptr()) {
                held += node.source.len();
            }
            held += node.observed.as_ref().map_or(0, String::len);
            stack.extend(&node.children);
        }
        held
    }

    /// A node whose text is `range` of a text [`share`](Self::share) gives it later; `pending`
    /// stands for that text until then.
    pub(crate) fn pending(pending: &Arc<str>, range: (u32, u32)) -> Explanation {
        Explanation {
            source: Arc::clone(pending),
            start: range.0,
            end: range.1,
            verdict: None,
            observed: None,
            children: Vec::new(),
        }
    }

    /// Gives every node of a tree built with ranges of `text` (a program's labels) one shared
    /// copy of the parts of `text` the tree refers to: the root's part first, then the others in
    /// the order of `text`, separated by newlines.
    pub(crate) fn share(&mut self, text: &str) {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut stack: Vec<&Explanation> = vec![self];
        while let Some(node) = stack.pop() {
            ranges.push((node.start, node.end));
            stack.extend(&node.children);
        }
        ranges.sort_unstable();
        ranges.dedup();
        // Disjoint parts (start, end) of `text`; a named expression's body never overlaps the
        // text around its uses, so each part is a rule's or a definition's canonical text.
        let mut parts: Vec<(u32, u32)> = Vec::new();
        for (start, end) in ranges {
            match parts.last_mut() {
                Some(last)
                    if start < last.1 || start == last.0 || (start == end && start == last.1) =>
                {
                    last.1 = last.1.max(end);
                }
                _ => parts.push((start, end)),
            }
        }
        let part_of = |start: u32| parts.partition_point(|part| part.0 <= start).checked_sub(1);
        let root = part_of(self.start);
        let mut order: Vec<usize> = root.into_iter().collect();
        order.extend((0..parts.len()).filter(|&i| Some(i) != root));
        let mut shared = String::new();
        let mut offsets = vec![0usize; parts.len()];
        for (n, &i) in order.iter().enumerate() {
            let (Some(&(start, end)), Some(offset)) = (parts.get(i), offsets.get_mut(i)) else {
                continue;
            };
            if n > 0 {
                shared.push('\n');
            }
            *offset = shared.len();
            shared.push_str(text.get(start as usize..end as usize).unwrap_or_default());
        }
        let source: Arc<str> = Arc::from(shared);
        let mut stack: Vec<&mut Explanation> = vec![self];
        while let Some(node) = stack.pop() {
            let at = part_of(node.start);
            let part = at.and_then(|i| parts.get(i).zip(offsets.get(i)));
            let (start, end) = match part {
                Some((&(part_start, _), &offset)) => {
                    let start = offset + (node.start - part_start) as usize;
                    (
                        start,
                        start + (node.end.saturating_sub(node.start)) as usize,
                    )
                }
                None => (0, 0),
            };
            node.source = Arc::clone(&source);
            node.start = u32::try_from(start).unwrap_or(u32::MAX);
            node.end = u32::try_from(end).unwrap_or(u32::MAX);
            stack.extend(node.children.iter_mut());
        }
    }
}

/// A node's text as the renderings show it: whole up to [`MAX_TEXT_SHOWN`] bytes, else its
/// first and last bytes around `…` and its length.
struct Excerpt<'a>(&'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if text.len() <= MAX_TEXT_SHOWN {
            return f.write_str(text);
        }
        let mut head = EXCERPT_HEAD;
        while !text.is_char_boundary(head) {
            head -= 1;
        }
        let mut tail = text.len() - EXCERPT_TAIL;
        while !text.is_char_boundary(tail) {
            tail += 1;
        }
        let (Some(head), Some(tail)) = (text.get(..head), text.get(tail..)) else {
            return f.write_str(text);
        };
        write!(f, "{head}…{tail} ({} bytes)", text.len())
    }
}

/// Dropped on a heap stack: a deep explanation must not overflow the call stack.
impl Drop for Explanation {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(mut child) = pending.pop() {
            pending.append(&mut child.children);
        }
    }
}

/// Cloned on a heap stack, like [`Drop`].
impl Clone for Explanation {
    fn clone(&self) -> Self {
        let shallow = |node: &Explanation| Explanation {
            source: Arc::clone(&node.source),
            start: node.start,
            end: node.end,
            verdict: node.verdict,
            observed: node.observed.clone(),
            children: Vec::with_capacity(node.children.len()),
        };
        // The path from the root to the node being copied, with the next child to copy of
        // each, and the copies along that path.
        let mut path: Vec<(&Explanation, usize)> = vec![(self, 0)];
        let mut copies: Vec<Explanation> = vec![shallow(self)];
        while let Some(&(node, next)) = path.last() {
            if let Some(child) = node.children.get(next) {
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                path.push((child, 0));
                copies.push(shallow(child));
                continue;
            }
            path.pop();
            let Some(done) = copies.pop() else { break };
            match copies.last_mut() {
                Some(parent) => parent.children.push(done),
                None => return done,
            }
        }
        debug_assert!(false, "the root's copy is returned");
        Explanation::default()
    }
}

/// Two explanations are equal when their trees show the same texts, verdicts and observed
/// values, wherever their texts are stored. Compared on a heap stack.
impl PartialEq for Explanation {
    fn eq(&self, other: &Self) -> bool {
        let mut pairs = vec![(self, other)];
        while let Some((a, b)) = pairs.pop() {
            if a.verdict != b.verdict
                || a.observed != b.observed
                || a.children.len() != b.children.len()
                || a.text() != b.text()
            {
                return false;
            }
            pairs.extend(a.children.iter().zip(&b.children));
        }
        true
    }
}

impl Eq for Explanation {}

/// One node per item, texts as excerpts, on a heap stack: linear in the size of the tree.
impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        enum Step<'a> {
            Node(&'a Explanation),
            Text(&'static str),
        }
        let mut steps = vec![Step::Node(self)];
        while let Some(step) = steps.pop() {
            match step {
                Step::Text(text) => f.write_str(text)?,
                Step::Node(node) => {
                    write!(
                        f,
                        "Explanation {{ text: {:?}, range: {:?}, verdict: {:?}, observed: {:?}, \
                         children: [",
                        Excerpt(node.text()).to_string(),
                        node.range(),
                        node.verdict,
                        node.observed
                    )?;
                    steps.push(Step::Text("] }"));
                    for (i, child) in node.children.iter().enumerate().rev() {
                        steps.push(Step::Node(child));
                        if i > 0 {
                            steps.push(Step::Text(", "));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Explanation {
    /// Draws the tree, one line per node, on an explicit stack (no recursion).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // (node, depth, whether it is its parent's last operand)
        let mut stack: Vec<(&Explanation, usize, bool)> = vec![(self, 0, true)];
        // Per drawn level above the current line: whether the ancestor there has later
        // siblings (a `│` continues down). At most `MAX_DEPTH_SHOWN` levels.
        let mut rails: Vec<bool> = Vec::new();
        while let Some((node, depth, last)) = stack.pop() {
            rails.truncate(depth.saturating_sub(1).min(MAX_DEPTH_SHOWN));
            for &more in &rails {
                f.write_str(if more { "│  " } else { "   " })?;
            }
            if depth > MAX_DEPTH_SHOWN {
                write!(f, "[depth {depth}] ")?;
            }
            if depth > 0 {
                f.write_str(if last { "└─ " } else { "├─ " })?;
            }
            let verdict = node.verdict.map_or("skipped", Verdict::as_str);
            write!(f, "{verdict:<7} {}", Excerpt(node.text()))?;
            if let Some(observed) = &node.observed {
                write!(f, "    [{observed}]")?;
            }
            writeln!(f)?;
            if depth > 0 && rails.len() < MAX_DEPTH_SHOWN {
                rails.push(!last);
            }
            let count = node.children.len();
            stack.extend(
                node.children
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, child)| (child, depth + 1, i + 1 == count)),
            );
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
mod json {
    use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

    use super::{Excerpt, Explanation, MAX_DEPTH_SHOWN};

    impl Serialize for Explanation {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut out = serializer.serialize_struct("Explanation", 7)?;
            out.serialize_field("text", self.text())?;
            out.serialize_field("start", &self.start)?;
            out.serialize_field("end", &self.end)?;
            out.serialize_field("verdict", &self.verdict)?;
            out.serialize_field("observed", &self.observed)?;
            out.serialize_field(
                "children",
                &Children {
                    node: self,
                    depth: 0,
                },
            )?;
            out.serialize_field("source", self.source())?;
            out.end()
        }
    }

    /// A node below the root, at `depth`; `flat` when listed in pre-order under its ancestor
    /// at [`MAX_DEPTH_SHOWN`].
    struct Node<'a> {
        node: &'a Explanation,
        depth: usize,
        flat: bool,
    }

    impl Serialize for Node<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let node = self.node;
            let fields = if self.flat { 7 } else { 6 };
            let mut out = serializer.serialize_struct("Explanation", fields)?;
            out.serialize_field("text", &Shown(node.text()))?;
            out.serialize_field("start", &node.start)?;
            out.serialize_field("end", &node.end)?;
            out.serialize_field("verdict", &node.verdict)?;
            out.serialize_field("observed", &node.observed)?;
            if self.flat {
                out.serialize_field("depth", &self.depth)?;
                out.serialize_field("children", &[(); 0])?;
            } else {
                out.serialize_field(
                    "children",
                    &Children {
                        node,
                        depth: self.depth,
                    },
                )?;
            }
            out.end()
        }
    }

    /// The children of a node at `depth`: nested, or below [`MAX_DEPTH_SHOWN`] every
    /// descendant in pre-order.
    struct Children<'a> {
        node: &'a Explanation,
        depth: usize,
    }

    impl Serialize for Children<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let below = self.depth + 1;
            if self.depth < MAX_DEPTH_SHOWN {
                let mut seq = serializer.serialize_seq(Some(self.node.children.len()))?;
                for child in &self.node.children {
                    seq.serialize_element(&Node {
                        node: child,
                        depth: below,
                        flat: false,
                    })?;
                }
                return seq.end();
            }
            let mut count = 0usize;
            let mut stack: Vec<&Explanation> = self.node.children.iter().collect();
            while let Some(node) = stack.pop() {
                count += 1;
                stack.extend(&node.children);
            }
            let mut seq = serializer.serialize_seq(Some(count))?;
            let mut stack: Vec<(&Explanation, usize)> = self
                .node
                .children
                .iter()
                .rev()
                .map(|c| (c, below))
                .collect();
            while let Some((node, depth)) = stack.pop() {
                seq.serialize_element(&Node {
                    node,
                    depth,
                    flat: true,
                })?;
                stack.extend(node.children.iter().rev().map(|c| (c, depth + 1)));
            }
            seq.end()
        }
    }

    /// A text serialised as its excerpt.
    struct Shown<'a>(&'a str);

    impl Serialize for Shown<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&Excerpt(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_on_character_boundaries() {
        let text = format!("a{}{}a", "é".repeat(150), "€".repeat(50));
        assert_eq!(text.len(), 452);
        assert_eq!(
            Excerpt(&text).to_string(),
            format!("a{}…{}a (452 bytes)", "é".repeat(59), "€".repeat(19))
        );
        let short = "é".repeat(100);
        assert_eq!(Excerpt(&short).to_string(), short);
    }

    #[test]
    fn shared_text_puts_the_root_part_first() {
        // Labels: a body at 0..4, the rule at 4..13 using it; an unrelated part at 13..16.
        let labels = "BODYrule BODYxyz";
        let pending: Arc<str> = Arc::from("");
        let mut root = Explanation::pending(&pending, (4, 13));
        let mut name = Explanation::pending(&pending, (9, 13));
        name.children.push(Explanation::pending(&pending, (0, 4)));
        root.children.push(Explanation::pending(&pending, (9, 9)));
        root.children.push(name);
        root.share(labels);
        assert_eq!(root.source(), "rule BODY\nBODY");
        assert_eq!(root.text(), "rule BODY");
        assert_eq!(root.children[0].text(), "");
        assert_eq!(root.children[1].text(), "BODY");
        assert_eq!(root.children[1].range(), 5..9);
        assert_eq!(root.children[1].children[0].range(), 10..14);
        assert_eq!(root.held_bytes(), 14);
    }
}
