//! The evaluation methods of [`Program`] and [`ProgramSet`]: the plain method uses an empty
//! context, the `_with` variant the caller's.

use super::engine::{Bindings, lone_leaf, missing};
use super::explain::explain;
use super::{Context, ContextInput, Explanation, RequestView, Verdict};
use crate::ir::{HeaderInstance, Program, ProgramSet, SetScratch};

impl Program {
    /// Evaluates the rule on a request without context: context qualifiers are UNKNOWN (D13).
    #[inline]
    pub fn eval<V: RequestView>(&self, request: &V) -> Verdict {
        self.eval_with(request, Context::empty())
    }

    /// Evaluates the rule on a request with caller context.
    #[inline]
    pub fn eval_with<V: RequestView>(&self, request: &V, context: &Context) -> Verdict {
        let root = self.nodes.get(self.root as usize);
        if let Some(verdict) = root.and_then(|root| lone_leaf(root, &self.layout, request)) {
            return verdict;
        }
        Bindings::new(&self.layout, &self.nodes, request, context).eval(&self.nodes, self.root)
    }

    /// Whether the rule is certainly true on the request (UNKNOWN counts as no match).
    #[inline]
    pub fn is_match<V: RequestView>(&self, request: &V) -> bool {
        self.eval(request) == Verdict::True
    }

    /// Whether the rule is certainly true on the request with caller context.
    #[inline]
    pub fn is_match_with<V: RequestView>(&self, request: &V, context: &Context) -> bool {
        self.eval_with(request, context) == Verdict::True
    }

    /// The evaluation without context, with the verdict of every sub-expression and the value
    /// each simple expression looked at.
    pub fn explain<V: RequestView>(&self, request: &V) -> Explanation {
        self.explain_with(request, Context::empty())
    }

    /// [`explain`](Self::explain) with caller context.
    pub fn explain_with<V: RequestView>(&self, request: &V, context: &Context) -> Explanation {
        let mut bindings = Bindings::new(&self.layout, &self.nodes, request, context);
        explain(
            &mut bindings,
            &self.nodes,
            &self.labels,
            self.root,
            &self.inputs,
        )
    }

    /// The context inputs this rule would need that `context` does not supply, for reporting why
    /// a verdict is UNKNOWN (D20).
    pub fn missing_inputs(&self, context: &Context) -> Vec<ContextInput> {
        missing(&self.inputs, context)
    }
}

impl ProgramSet {
    /// Evaluates every rule on one request without context, binding each distinct header once;
    /// `out` is cleared and receives one verdict per rule, in order (no allocation when it has
    /// the capacity).
    pub fn eval_all<V: RequestView>(&self, request: &V, out: &mut Vec<Verdict>) {
        self.eval_all_with(request, Context::empty(), out);
    }

    /// [`eval_all`](Self::eval_all) with caller context.
    pub fn eval_all_with<V: RequestView>(
        &self,
        request: &V,
        context: &Context,
        out: &mut Vec<Verdict>,
    ) {
        out.clear();
        let mut bindings = Bindings::new(&self.layout, &self.nodes, request, context);
        out.extend(
            self.members
                .iter()
                .map(|m| bindings.eval(&self.nodes, m.root)),
        );
    }

    /// Evaluates the set on one request without context and reports only the rules that are
    /// not false (true or unknown), in rule order. Large sets use the trigger index: only rules
    /// that a header atom of this request can make true are evaluated. `scratch` is reused
    /// across requests.
    pub fn eval_sparse<V: RequestView>(
        &self,
        request: &V,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        self.eval_sparse_with(request, Context::empty(), scratch, out);
    }

    /// [`eval_sparse`](Self::eval_sparse) with caller context.
    pub fn eval_sparse_with<V: RequestView>(
        &self,
        request: &V,
        context: &Context,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        out.clear();
        let mut bindings = Bindings::new(&self.layout, &self.nodes, request, context);
        let indexed = self.index.as_ref().filter(|index| {
            self.layout.header_instance != HeaderInstance::Any
                && index.headers.iter().all(|h| bindings.carries(h.header))
        });
        let Some(index) = indexed else {
            for (i, member) in self.members.iter().enumerate() {
                let verdict = bindings.eval(&self.nodes, member.root);
                if verdict != Verdict::False {
                    out.push((i, verdict));
                }
            }
            return;
        };
        scratch.begin(self.members.len());
        index.collect(scratch, |h| bindings.header_value(h));
        for &rule in scratch.candidates() {
            let Some(member) = self.members.get(rule as usize) else {
                debug_assert!(false, "candidates are rule indices");
                continue;
            };
            let verdict = bindings.eval(&self.nodes, member.root);
            if verdict != Verdict::False {
                out.push((rule as usize, verdict));
            }
        }
    }

    /// The explanation of rule `index` on a request without context.
    pub fn explain<V: RequestView>(&self, index: usize, request: &V) -> Option<Explanation> {
        self.explain_with(index, request, Context::empty())
    }

    /// [`explain`](Self::explain) with caller context.
    pub fn explain_with<V: RequestView>(
        &self,
        index: usize,
        request: &V,
        context: &Context,
    ) -> Option<Explanation> {
        let member = self.members.get(index)?;
        let mut bindings = Bindings::new(&self.layout, &self.nodes, request, context);
        Some(explain(
            &mut bindings,
            &self.nodes,
            &self.labels,
            member.root,
            &member.inputs,
        ))
    }

    /// The context inputs rule `index` needs that `context` lacks (D20).
    pub fn missing_inputs(&self, index: usize, context: &Context) -> Vec<ContextInput> {
        self.members
            .get(index)
            .map(|m| missing(&m.inputs, context))
            .unwrap_or_default()
    }
}
