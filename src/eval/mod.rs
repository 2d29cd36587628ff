//! Evaluation of compiled programs over a request view, with Kleene three-valued logic (D14)
//! and optional caller context (D13).
//!
//! Every evaluation method lives here: [`Program`](crate::Program)'s and
//! [`ProgramSet`](crate::ProgramSet)'s. The plain method evaluates with an empty context (context
//! qualifiers are UNKNOWN); the `_with` variant takes a [`Context`].
//!
//! The hot path allocates nothing: header values are borrowed from the request, each distinct
//! header is looked up at most once per evaluation, and the target is split once.

mod advanced;
mod context;
mod engine;
mod explain;
mod explanation;
mod program;
mod request;
mod set;
mod verdict;

pub use context::{ClientCert, Clock, Context, NetInfo, ResponseInfo, TlsInfo};
pub use explanation::Explanation;
pub use request::{HeaderList, HeaderMapRequest, HeaderMapValues, ListValues, RequestView};
pub use verdict::{ParseVerdictError, Verdict};

pub use crate::ir::{ContextInput, HeaderKey};
