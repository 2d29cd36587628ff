//! nsexpr: Citrix NetScaler (ADC) classic policy expressions, parsed, compiled and evaluated with
//! NetScaler's semantics, plus an ns.conf reader and a Gateway session-policy simulator.
//!
//! The pipeline is visible in the modules: text → [`syntax`] (nom parser) → [`ast`] (spans,
//! canonical `Display`) → [`compile`] → [`Program`] → [`eval`] over a request view →
//! [`Verdict`]. [`config`] reads ns.conf; [`sim`] simulates session policies; `corpus` (feature
//! `corpus`) loads and generates request corpora.
//!
//! ```
//! use nsexpr::config::Config;
//! use nsexpr::eval::RawRequest;
//! use nsexpr::sim::{Identity, SimOptions, Simulator};
//! use nsexpr::{CompileOptions, NamedExpressions, Program, Verdict};
//!
//! // Parse (canonical text, D15), compile once, evaluate many requests.
//! let rule = "header User-Agent contains CitrixReceiver && HEADER X-Citrix-Gateway EXISTS";
//! let expr: nsexpr::Expr = rule.parse()?;
//! assert_eq!(
//!     expr.to_string(),
//!     "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS"
//! );
//! let program = Program::compile(&expr, rule, &NamedExpressions::new(), &CompileOptions::default())?;
//! let headers = [("User-Agent", &b"CitrixReceiver/23.9 Android/13"[..]), ("X-Citrix-Gateway", b"gw")];
//! let request = RawRequest {
//!     method: b"POST",
//!     target: b"/cgi/login",
//!     version: b"HTTP/1.1",
//!     headers: &headers,
//!     carried: None,
//! };
//! assert_eq!(program.eval(&request), Verdict::True);
//!
//! // Simulate a Gateway vserver's session policies for the same request.
//! let conf = "add vpn vserver gw SSL 192.0.2.1 443\n\
//!     add vpn sessionAction native -icaProxy ON\n\
//!     add vpn sessionPolicy receiver \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" native\n\
//!     bind vpn vserver gw -policy receiver -priority 100\n";
//! let read = Config::read(conf, "example.conf");
//! let simulator = Simulator::new(&read.config, None, SimOptions::default())?;
//! let report = simulator.simulate(&request, None, &Identity::default());
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
