//! Generator profiles (docs/semantics.md#generator): TOML in, a validated plan out.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::flows::Flow;
use super::rng::Alias;
use super::ua::{self, UaSource};
use crate::corpus::CorpusError;

/// The default profile, `corpus/profiles/gateway-typical.toml`.
const GATEWAY_TYPICAL: &str = include_str!("../../../corpus/profiles/gateway-typical.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileToml {
    name: String,
    format: u32,
    gateway_host: String,
    dest_ip: IpAddr,
    dest_port: u16,
    start_time_unix: u64,
    interval_ms: u64,
    #[serde(rename = "class")]
    classes: Vec<ClassToml>,
    edge_cases: EdgeToml,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassToml {
    id: String,
    weight_ppm: u32,
    flow: String,
    ua: Vec<UaToml>,
    #[serde(default)]
    xcg_ppm: u32,
    #[serde(default)]
    referer_ppm: u32,
    #[serde(default)]
    background_ppm: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UaToml {
    source: String,
    weight_ppm: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EdgeToml {
    rate_ppm: u32,
    kinds: Vec<String>,
}

/// The edge-case mutations of docs/semantics.md#generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    EmptyUa,
    MissingUa,
    DuplicateUa,
    OddNameCase,
    HugeValue8k,
    ObsText,
    TokenInOtherHeader,
    LowercaseToken,
    EmptyXcg,
}

pub(crate) const EDGE_KINDS: &[(&str, EdgeKind)] = &[
    ("empty_ua", EdgeKind::EmptyUa),
    ("missing_ua", EdgeKind::MissingUa),
    ("duplicate_ua", EdgeKind::DuplicateUa),
    ("odd_name_case", EdgeKind::OddNameCase),
    ("huge_value_8k", EdgeKind::HugeValue8k),
    ("obs_text", EdgeKind::ObsText),
    ("token_in_other_header", EdgeKind::TokenInOtherHeader),
    ("lowercase_token", EdgeKind::LowercaseToken),
    ("empty_xcg", EdgeKind::EmptyXcg),
];

/// One client class, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub(crate) id: String,
    pub(crate) flow: Flow,
    pub(crate) ua: Vec<UaSource>,
    pub(crate) ua_alias: Alias,
    pub(crate) xcg_ppm: u32,
    pub(crate) referer_ppm: u32,
    pub(crate) background_ppm: u32,
}

/// A validated generator profile: client classes with weights, UA sources, flows and the edge-case
/// mix. Built only from TOML ([`Profile::from_toml`], [`Profile::gateway_typical`]), so its hash always
/// describes what it generates.
///
/// Schema (all keys required unless marked): `name`, `format = 1`, `gateway_host`, `dest_ip`,
/// `dest_port`, `start_time_unix`, `interval_ms` (request *i* is stamped `start + i * interval`);
/// `[[class]]` with `id`, `weight_ppm` (relative weight, conventionally parts per million), `flow`
/// (`browser`, `native`, `pna`, `securehub`, `mdx`, `vpn`, `bot`), `ua = [{ source, weight_ppm }, ...]`
/// where `source` is `tsv:<client>` (rows of `citrix-user-agents.tsv`), `pool:<name>`
/// (`top-user-agents-desktop`, `top-user-agents-mobile`, `crawler-user-agents`, `tools`),
/// `grammar:<name>` (the 2.4 grammars) or `literal:<UA>`, and optional `xcg_ppm`, `referer_ppm`,
/// `background_ppm` (probabilities of `X-Citrix-Gateway`, of `Referer` on steps that carry one, and of
/// `X-Citrix-Background-Request`); `[edge_cases]` with `rate_ppm` and `kinds` (`empty_ua`,
/// `missing_ua`, `duplicate_ua`, `odd_name_case`, `huge_value_8k`, `obs_text`,
/// `token_in_other_header`, `lowercase_token`, `empty_xcg`), chosen uniformly.
#[derive(Debug, Clone)]
pub struct Profile {
    pub(crate) name: String,
    pub(crate) sha256: String,
    pub(crate) gateway_host: String,
    pub(crate) dest_ip: IpAddr,
    pub(crate) dest_port: u16,
    pub(crate) start_time_unix: u64,
    pub(crate) interval_ms: u64,
    pub(crate) classes: Vec<Class>,
    pub(crate) class_alias: Alias,
    pub(crate) edge_rate_ppm: u32,
    pub(crate) edge_kinds: Vec<EdgeKind>,
}

impl Profile {
    /// The embedded default profile `gateway-typical` (`corpus/profiles/gateway-typical.toml`).
    pub fn gateway_typical() -> Result<Profile, CorpusError> {
        Profile::from_toml(GATEWAY_TYPICAL)
    }

    /// Reads a profile from a TOML file.
    pub fn load(path: impl AsRef<Path>) -> Result<Profile, CorpusError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CorpusError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::from_toml(&text)
    }

    /// Parses and validates a profile. Errors name the unknown flow, UA source or edge kind.
    pub fn from_toml(text: &str) -> Result<Profile, CorpusError> {
        let err = |m: String| CorpusError::Profile(m);
        let p: ProfileToml = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if p.format != 1 {
            return Err(err(format!("unsupported profile format {}", p.format)));
        }
        let mut classes = Vec::with_capacity(p.classes.len());
        for c in p.classes {
            let flow = Flow::from_name(&c.flow)
                .ok_or_else(|| err(format!("class {}: unknown flow {:?}", c.id, c.flow)))?;
            let ua =
                c.ua.iter()
                    .map(|u| ua::resolve(&u.source))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|m| err(format!("class {}: {m}", c.id)))?;
            let weights: Vec<u64> = c.ua.iter().map(|u| u64::from(u.weight_ppm)).collect();
            let ua_alias = Alias::new(&weights)
                .ok_or_else(|| err(format!("class {}: UA weights are empty or all zero", c.id)))?;
            for (what, v) in [
                ("xcg_ppm", c.xcg_ppm),
                ("referer_ppm", c.referer_ppm),
                ("background_ppm", c.background_ppm),
            ] {
                if v > 1_000_000 {
                    return Err(err(format!("class {}: {what} above 1000000", c.id)));
                }
            }
            classes.push((
                u64::from(c.weight_ppm),
                Class {
                    id: c.id,
                    flow,
                    ua,
                    ua_alias,
                    xcg_ppm: c.xcg_ppm,
                    referer_ppm: c.referer_ppm,
                    background_ppm: c.background_ppm,
                },
            ));
        }
        let weights: Vec<u64> = classes.iter().map(|(w, _)| *w).collect();
        let class_alias = Alias::new(&weights)
            .ok_or_else(|| err("class weights are empty or all zero".into()))?;
        let edge_kinds = p
            .edge_cases
            .kinds
            .iter()
            .map(|k| {
                EDGE_KINDS
                    .iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, kind)| *kind)
                    .ok_or_else(|| err(format!("unknown edge case kind {k:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if p.edge_cases.rate_ppm > 1_000_000 {
            return Err(err("edge_cases.rate_ppm above 1000000".into()));
        }
        if p.edge_cases.rate_ppm > 0 && edge_kinds.is_empty() {
            return Err(err("edge_cases.rate_ppm > 0 but no kinds".into()));
        }
        Ok(Profile {
            name: p.name,
            sha256: sha256_hex(text.as_bytes()),
            gateway_host: p.gateway_host,
            dest_ip: p.dest_ip,
            dest_port: p.dest_port,
            start_time_unix: p.start_time_unix,
            interval_ms: p.interval_ms,
            classes: classes.into_iter().map(|(_, c)| c).collect(),
            class_alias,
            edge_rate_ppm: p.edge_cases.rate_ppm,
            edge_kinds,
        })
    }

    /// The profile's `name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// SHA-256 (hex) of the TOML text the profile was read from.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The client class ids, in file order.
    pub fn class_ids(&self) -> impl Iterator<Item = &str> {
        self.classes.iter().map(|c| c.id.as_str())
    }
}

/// The SHA-256 of `data` as 64 lower-case hex digits.
fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_hash_is_lower_case_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
