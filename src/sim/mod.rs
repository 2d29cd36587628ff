//! Gateway session-policy simulation (D17-D20 and the advanced walk of D33 in docs/semantics.md):
//! a vserver's session policies
//! compiled once into a [`Simulator`], run against a request (or a named [`ClientPreset`]) to get a
//! [`Report`] of the policies hit and the resulting session profile, each value with its source.

mod presets;
mod report;
mod simulate;
mod walk;

pub use presets::*;
pub use report::{
    Assumption, Candidate, Dependency, KEY_PARAMETERS, PolicyResult, ProfileValue, Report,
    RuleSyntax, Warning,
};
pub use simulate::{GroupOrder, SimError, SimOptions, Simulator};
pub use walk::{MAX_WALK_PATHS, MixedOrder, UndefSessionPolicy};
