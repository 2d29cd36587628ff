//! Evaluation of a compiled [`Program`] over a request view, with Kleene three-valued logic
//! (D14) and optional caller context (D13).
//!
//! The hot path allocates nothing: header values are borrowed from the request, each distinct
//! header is looked up at most once per evaluation (slots on the stack for up to
//! [`INLINE_SLOTS`] headers), and the target is split once.

mod context;
mod engine;
mod explain;
mod request;

pub use context::{ClientCert, Clock, Context, ContextInput, NetInfo, ResponseInfo, TlsInfo};
pub use explain::Explanation;
pub use request::{
    HeaderKey, HeaderMapRequest, HeaderMapValues, ListValues, RawRequest, RequestView, split_target,
};

pub(crate) use engine::Bindings;
pub(crate) use explain::explain as explain_node;

use std::fmt;

use crate::compile::Program;

/// Number of shared header slots kept on the stack; programs with more headers read by several
/// leaves use one heap buffer per evaluation.
pub const INLINE_SLOTS: usize = 8;

/// A three-valued result (D14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Verdict {
    /// The rule holds.
    True,
    /// The rule does not hold.
    False,
    /// The rule depends on context the caller did not supply (D13).
    Unknown,
}

impl Verdict {
    /// `true` for [`Verdict::True`], `false` for [`Verdict::False`], `None` for unknown.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Verdict::True => Some(true),
            Verdict::False => Some(false),
            Verdict::Unknown => None,
        }
    }

    /// Kleene negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Verdict {
        match self {
            Verdict::True => Verdict::False,
            Verdict::False => Verdict::True,
            Verdict::Unknown => Verdict::Unknown,
        }
    }

    /// Kleene conjunction.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::False, _) | (_, Verdict::False) => Verdict::False,
            (Verdict::True, Verdict::True) => Verdict::True,
            _ => Verdict::Unknown,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Verdict) -> Verdict {
        self.not().and(other.not()).not()
    }

    /// The lower-case word used in reports: `true`, `false`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::Unknown => "unknown",
        }
    }
}

impl From<bool> for Verdict {
    fn from(b: bool) -> Verdict {
        if b { Verdict::True } else { Verdict::False }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Program {
    #[inline]
    fn bind<'r, V: RequestView>(
        &'r self,
        request: &'r V,
        context: Option<&'r Context>,
    ) -> Bindings<'r, V> {
        self.layout.bind(request, context)
    }

    /// Evaluates the rule on a request without context: context qualifiers are UNKNOWN (D13).
    #[inline]
    pub fn eval<V: RequestView>(&self, request: &V) -> Verdict {
        self.bind(request, None).eval(&self.root)
    }

    /// Evaluates the rule on a request with caller context.
    #[inline]
    pub fn eval_with<V: RequestView>(&self, request: &V, context: &Context) -> Verdict {
        self.bind(request, Some(context)).eval(&self.root)
    }

    /// Whether the rule is certainly true on the request (UNKNOWN counts as no match).
    #[inline]
    pub fn is_match<V: RequestView>(&self, request: &V) -> bool {
        self.eval(request) == Verdict::True
    }

    /// The same evaluation, returning the verdict of every sub-expression and the value each
    /// simple expression looked at.
    pub fn explain<V: RequestView>(&self, request: &V, context: Option<&Context>) -> Explanation {
        let mut bindings = self.bind(request, context);
        explain::explain(&mut bindings, &self.root, &self.labels, &self.inputs)
    }

    /// The context inputs this rule would need that `context` does not supply, for reporting why
    /// a verdict is UNKNOWN (D20).
    pub fn missing_inputs(&self, context: Option<&Context>) -> Vec<ContextInput> {
        missing(&self.inputs, context)
    }
}

/// The inputs of `inputs` that `context` does not supply.
pub(crate) fn missing(
    inputs: &std::collections::BTreeSet<ContextInput>,
    context: Option<&Context>,
) -> Vec<ContextInput> {
    inputs
        .iter()
        .copied()
        .filter(|input| !engine::supplies(context, *input))
        .collect()
}
