//! nsexpr: Citrix NetScaler (ADC) classic policy expressions, parsed, compiled and evaluated with
//! NetScaler's semantics, plus an ns.conf reader and a Gateway session-policy simulator.
//!
//! The pipeline is visible in the modules: text → [`syntax`] (nom parser) → [`ast`] (spans,
//! canonical `Display`) → [`compile`] → IR ([`Program`], [`ProgramSet`]) → [`eval`] over a
//! request view → [`Verdict`]. Data flows one way: `compile` writes the IR and never evaluates;
//! `eval` reads it and never compiles (`tests/module_graph.rs` checks that no module imports from
//! one that imports it). [`config`] reads ns.conf; [`sim`] simulates session policies; `corpus`
//! (feature `corpus`) loads and generates request corpora; `testing` (feature `testing`) runs
//! policy spec files from `cargo test`.
//!
//! Behaviour that public Citrix material leaves open is fixed by numbered decisions; doc comments
//! cite them as "(D7)" and the [`semantics`] reference explains each one.
//!
//! ```
//! use nsexpr::config::Config;
//! use nsexpr::eval::HeaderList;
//! use nsexpr::sim::{SimOptions, Simulator};
//! use nsexpr::{Program, Verdict};
//!
//! // Parse (canonical text, D15), compile once, evaluate many requests.
//! let program = Program::new(
//!     "header User-Agent contains CitrixReceiver && HEADER X-Citrix-Gateway EXISTS",
//! )?;
//! assert_eq!(
//!     program.text(),
//!     "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS"
//! );
//! let headers = [("User-Agent", "CitrixReceiver/23.9 Android/13"), ("X-Citrix-Gateway", "gw")];
//! let request = HeaderList::new("POST", "/cgi/login", &headers);
//! assert_eq!(program.eval(&request), Verdict::True);
//!
//! // Simulate a Gateway vserver's session policies for the same request.
//! let conf = "add vpn vserver gw SSL 192.0.2.1 443\n\
//!     add vpn sessionAction native -icaProxy ON\n\
//!     add vpn sessionPolicy receiver \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" native\n\
//!     bind vpn vserver gw -policy receiver -priority 100\n";
//! let read = Config::read(conf, "example.conf");
//! let simulator = Simulator::new(&read.config, None, SimOptions::default())?;
//! let report = simulator.simulate(&request);
//! assert_eq!(report.applied, ["receiver"]);
//! assert_eq!(report.value("icaProxy"), Some("ON"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod compile;
pub mod config;
pub mod convert;
#[cfg(feature = "corpus")]
pub mod corpus;
mod error;
pub mod eval;
mod ir;
pub mod lint;
pub mod sim;
/// The semantics reference: every decision (D1–D35) and reader rule (R1–R6) that doc comments
/// cite, in one page (`docs/semantics.md` in the repository).
#[doc = include_str!("../docs/semantics.md")]
pub mod semantics {}
mod span;
pub mod syntax;
#[cfg(feature = "testing")]
pub mod testing;

/// The README's examples run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use ast::Expr;
pub use compile::{
    CompileError, CompileOptions, GroupMatch, HeaderInstance, HeaderTextOps, NamedExpressions,
    PatternSets, Program, ProgramBuilder, ProgramSet, ProgramSetBuilder, SetScratch, Syntax,
    TimeFields, UrlMode,
};
pub use error::line_column;
pub use eval::{Context, RequestView, Verdict};
pub use span::Span;
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
    /// An advanced rule does not parse, type-check or compile (boxed: it carries the rule).
    #[error(transparent)]
    Advanced(Box<compile::advanced::AdvCompileError>),
}

impl Error {
    /// Whether the rule names a named expression the configuration does not define (classic or
    /// advanced), as opposed to a syntax or type error in the rule itself.
    pub fn is_unknown_name(&self) -> bool {
        use compile::advanced::{AdvCompileError, CheckErrorKind};
        match self {
            Error::Compile(e) => matches!(e.kind(), compile::CompileErrorKind::UnknownName { .. }),
            Error::Advanced(e) => matches!(
                e.as_ref(),
                AdvCompileError::Check(check) if matches!(check.kind(), CheckErrorKind::UnknownName(_))
            ),
            Error::Parse(_) => false,
        }
    }
}

impl From<compile::advanced::AdvCompileError> for Error {
    fn from(error: compile::advanced::AdvCompileError) -> Error {
        Error::Advanced(Box::new(error))
    }
}
