//! Compile errors: a kind, the span it points at and the text that span is in.

use std::fmt;

use thiserror::Error;

use crate::span::Span;

/// What went wrong while compiling.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CompileErrorKind {
    /// A named expression that nobody defined (D12).
    #[error("unknown named expression `{name}`{hint}")]
    UnknownName {
        /// The name as written.
        name: String,
        /// Extra advice (for example, an unverified built-in).
        hint: String,
    },
    /// Named expressions that refer to each other (D12).
    #[error("named expressions form a cycle: {path}")]
    Cycle {
        /// `a -> b -> a`
        path: String,
    },
    /// A bare qualifier (value expression) where a boolean rule is needed.
    #[error(
        "`{0}` is a value expression, not a boolean rule: add an operator such as EXISTS or =="
    )]
    ValueExpression(String),
    /// An operator, value or option that does not fit the qualifier (hand-built ASTs).
    #[error("{0}")]
    Unsupported(String),
    /// The rule and the named expressions it uses compile to too many nodes, or too much
    /// canonical text for 32-bit positions.
    #[error("the rule and its named expressions compile to more than {0} nodes")]
    TooLarge(usize),
    /// A definition of a named expression did not parse.
    #[error("named expression `{name}` does not parse: {message}")]
    BadDefinition {
        /// The name.
        name: String,
        /// The parse error, rendered.
        message: String,
    },
}

/// A compile error: a kind, the span it points at, and the text that span is in (the rule, or the
/// definition of the named expression where it happened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    kind: CompileErrorKind,
    span: Span,
    source_text: String,
    definition: Option<String>,
}

impl CompileError {
    /// The kind.
    pub fn kind(&self) -> &CompileErrorKind {
        &self.kind
    }
    /// The span in [`source_text`](Self::source_text).
    pub fn span(&self) -> Span {
        self.span
    }
    /// The text the span points into.
    pub fn source_text(&self) -> &str {
        &self.source_text
    }
    /// The named expression whose definition holds the error, if not the rule itself.
    pub fn definition(&self) -> Option<&str> {
        self.definition.as_deref()
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message: &dyn fmt::Display = &self.kind;
        match &self.definition {
            Some(name) => {
                let within = format!("{message} (in the definition of `{name}`)");
                crate::error::write_caret(f, &self.source_text, self.span, &within)
            }
            None => crate::error::write_caret(f, &self.source_text, self.span, message),
        }
    }
}

impl std::error::Error for CompileError {}

impl CompileError {
    pub(crate) fn new(
        kind: CompileErrorKind,
        span: Span,
        source_text: &str,
        definition: Option<&str>,
    ) -> CompileError {
        CompileError {
            kind,
            span,
            source_text: source_text.to_owned(),
            definition: definition.map(str::to_owned),
        }
    }
}
