//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod large_config;
pub mod adv_reference;
pub mod reference;
