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

pub use ast::{Expr, Span};
pub use error::line_column;
