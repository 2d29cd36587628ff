//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod adv_reference;
pub mod large_config;
pub mod reference;
