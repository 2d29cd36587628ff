//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod large_config;
pub mod reference;
