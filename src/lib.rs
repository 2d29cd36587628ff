//! nsexpr: Citrix NetScaler (ADC) classic policy expressions, parsed, compiled and evaluated with
//! NetScaler's semantics, plus an ns.conf reader and a Gateway session-policy simulator.
//!
//! The pipeline is visible in the modules: text → [`syntax`] (nom parser) → [`ast`] (spans,
//! canonical `Display`) → [`compile`] → [`Program`](compile::Program) → [`eval`] over a request
//! view → [`Verdict`](eval::Verdict). [`config`] reads ns.conf; [`sim`] simulates session policies.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod compile;
pub mod config;
#[cfg(feature = "corpus")]
pub mod corpus;
mod error;
pub mod eval;
pub mod sim;
pub mod syntax;

/// The README's examples run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use ast::{Expr, Span};
pub use compile::{
    CompileError, CompileOptions, HeaderInstance, NamedExpressions, Program, ProgramSet,
    ProgramSetBuilder, SetScratch,
};
pub use error::line_column;
pub use eval::{Context, RequestView, Verdict};
pub use syntax::ParseError;

/// Any error from parsing or compiling a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rule text does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The rule parses but does not compile (unknown name, cycle...).
    #[error(transparent)]
    Compile(#[from] CompileError),
}
