//! Compiles parsed rules into immutable, `Send + Sync` programs ([`Program`], [`ProgramSet`]):
//! named expressions are resolved transitively and compiled once (D12), header names interned
//! into slots, literals prebuilt into matchers, and URL patterns lowered by the wildcard table.
//! The compiled form lives in the internal `ir` module; evaluating it is [`crate::eval`]'s job.

pub mod advanced;
mod arena;
mod error;
mod leaves;
mod lower;
mod names;
mod passes;
mod program;
mod trigger;

pub use error::{CompileError, CompileErrorKind};
pub use names::{Definition, NamedExpressions, UNVERIFIED_BUILTINS};
pub use program::{ProgramBuilder, ProgramSetBuilder};

pub use crate::ir::{HeaderInstance, Program, ProgramSet, SetScratch};

use crate::syntax::ParseOptions;

/// Compile settings.
///
/// ```
/// use nsexpr::{CompileOptions, HeaderInstance};
///
/// let options = CompileOptions::default()
///     .header_instance(HeaderInstance::Any)
///     .unverified_builtins(true);
/// assert_eq!(options.header_instance, HeaderInstance::Any);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CompileOptions {
    /// D6 option `header_instance`.
    pub header_instance: HeaderInstance,
    /// D12 option `unverified_builtins`: predefine the probable definitions of docs/semantics.md#builtins.
    pub unverified_builtins: bool,
    /// How named expressions' definitions are parsed: the options the rules were parsed with,
    /// so a rule gives the same verdict inline and through a name (D1).
    pub parse: ParseOptions,
}

impl CompileOptions {
    /// Sets [`header_instance`](Self::header_instance).
    #[must_use]
    pub fn header_instance(mut self, instance: HeaderInstance) -> Self {
        self.header_instance = instance;
        self
    }

    /// Sets [`unverified_builtins`](Self::unverified_builtins).
    #[must_use]
    pub fn unverified_builtins(mut self, enabled: bool) -> Self {
        self.unverified_builtins = enabled;
        self
    }

    /// Sets [`parse`](Self::parse).
    #[must_use]
    pub fn parse(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }
}
