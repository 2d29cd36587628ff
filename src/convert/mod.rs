//! Classic → advanced conversion (D34) with a self-check, config migration and a proof harness.
//!
//! [`convert_rule`] rewrites a parsed classic rule construct by construct into the advanced form
//! that means exactly the same under both engines' semantics, or refuses with a
//! [`ConvertError`] naming the construct. [`migrate_config`] applies it to every classic boolean
//! rule of an ns.conf and lays session bindings out for the advanced walk. [`verify`] compares a
//! classic program with any converted evaluator over an adversarial request set built from the
//! rule's own atoms ([`adversarial_set`]); [`prove_rule`] runs the classic and the advanced engine
//! on that set plus every client preset, and [`ConfigProof`] simulates an original and a migrated
//! configuration side by side.
//!
//! ```
//! let converted = nsexpr::convert::convert_text(
//!     "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
//! )?;
//! assert_eq!(
//!     converted.advanced,
//!     "HTTP.REQ.HEADER(\"User-Agent\").VALUE(0).SET_TEXT_MODE(IGNORECASE).CONTAINS(\"CitrixReceiver\") \
//!      && HTTP.REQ.HEADER(\"X-Citrix-Gateway\").EXISTS"
//! );
//! # Ok::<(), nsexpr::convert::ConvertError>(())
//! ```

mod build;
mod config;
mod error;
mod note;
mod prove;
mod rule;
mod verify;

pub use config::{LineChange, Migration, MigrationReport, Refusal, Summary, migrate_config};
pub use error::{ConvertError, ConvertErrorKind};
pub use note::Note;
pub use prove::{
    ConfigDifference, ConfigProof, ConfigVerification, ProofError, proof_cases, prove_rule,
};
pub use rule::{ConvertOptions, Converted, convert_rule, convert_text};
pub use verify::{Case, Disagreement, Probe, Verification, adversarial_set, verify};
