//! Gateway session-policy simulation.
//!
//! For now this module holds the named client presets ([`ClientPreset`], [`presets`], [`preset`]):
//! request header sets for the Citrix clients of `clients.md` section 4, which a user picks by id
//! to see which session policies a client would hit.

mod presets;
pub use presets::*;
