//! Proof that a conversion means what the classic text meant, by running both engines.
//!
//! A rule is proven on the adversarial set built from its own atoms plus every client preset;
//! a migrated configuration is proven by simulating both files, per vserver, on the requests
//! and identities the caller supplies: the same applied policies in the same order and the same
//! session profile (value and source) on every one.

use std::collections::BTreeSet;
use std::fmt;

use super::rule::Converted;
use super::verify::{Case, Probe, Verification, adversarial_set, verify};
use crate::ast::Expr;
use crate::config::{BindPoint, Config};
use crate::eval::RequestView;
use crate::sim::{Report, SimError, SimOptions, Simulator, presets};
use crate::{CompileOptions, Context, NamedExpressions, Program, Syntax};

/// Why a rule could not be proven.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// One of the two rules does not compile.
    #[error("the {side} rule does not compile: {message}")]
    Compile {
        /// `classic` or `advanced`.
        side: &'static str,
        /// The compiler's message.
        message: String,
    },
}

/// The requests a rule is proven on: its adversarial set, then every client preset (headers
/// only, no context).
pub fn proof_cases(expr: &Expr, names: &NamedExpressions) -> Vec<Case> {
    let mut cases = adversarial_set(expr, names);
    for preset in presets() {
        cases.push(Case {
            request: Probe {
                method: preset.method().to_vec(),
                target: preset.target().to_vec(),
                version: preset.version().to_vec(),
                headers: preset
                    .headers
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                    .collect(),
            },
            context: Context::default(),
            atom: format!("client preset {}", preset.id),
        });
    }
    cases
}

/// Compiles the classic rule and its conversion and runs both on [`proof_cases`] plus `extra`.
pub fn prove_rule(
    expr: &Expr,
    classic_text: &str,
    converted: &Converted,
    names: &NamedExpressions,
    extra: &[Case],
) -> Result<Verification, ProofError> {
    let classic =
        Program::compile(expr, classic_text, names, &CompileOptions::default()).map_err(|e| {
            ProofError::Compile {
                side: "classic",
                message: e.to_string(),
            }
        })?;
    let advanced = Program::builder()
        .syntax(Syntax::Advanced)
        .names(names)
        .build(&converted.advanced)
        .map_err(|e| ProofError::Compile {
            side: "advanced",
            message: e.to_string(),
        })?;
    let mut cases = proof_cases(expr, names);
    cases.extend_from_slice(extra);
    Ok(verify(
        &classic,
        |request, context| advanced.eval_with(request, context),
        &cases,
    ))
}

/// The first request on which the original and the migrated configuration simulate differently.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDifference {
    /// The vserver.
    pub vserver: String,
    /// What the request was (a preset id or a record number) and the identity.
    pub request: String,
    /// What differs.
    pub what: String,
    /// The original configuration's report.
    pub original: Box<Report>,
    /// The migrated configuration's report.
    pub migrated: Box<Report>,
}

impl fmt::Display for ConfigDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "vserver {}, {}: {} (original applies [{}], migrated applies [{}])",
            self.vserver,
            self.request,
            self.what,
            self.original.applied.join(", "),
            self.migrated.applied.join(", ")
        )
    }
}

/// The outcome of [`ConfigProof::check`] over every request given to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigVerification {
    /// Simulations compared (requests × identities × vservers).
    pub compared: usize,
    /// The first difference, if any.
    pub difference: Option<ConfigDifference>,
}

impl ConfigVerification {
    /// Whether the two configurations agreed on every simulation.
    pub fn is_equivalent(&self) -> bool {
        self.difference.is_none()
    }
}

/// Both configurations' simulators for every vserver, and the identities their binds mention.
pub struct ConfigProof {
    vservers: Vec<(String, Simulator, Simulator)>,
    identities: Vec<Context>,
    verification: ConfigVerification,
}

impl ConfigProof {
    /// Builds the simulators of both configurations. Identities: anonymous, each user bound in
    /// either file with no group, and each bound group alone.
    pub fn new(original: &Config, migrated: &Config) -> Result<ConfigProof, SimError> {
        // Every vserver defined or bound to (a file that only binds to a vserver defined
        // elsewhere is still proven on it).
        let mut names: Vec<&str> = original
            .vservers()
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        for bind in original.binds() {
            if let BindPoint::Vserver(name) = &bind.point
                && !names.iter().any(|n| n.eq_ignore_ascii_case(name))
            {
                names.push(name);
            }
        }
        let mut vservers = Vec::new();
        for name in names {
            let before = Simulator::new(original, Some(name), SimOptions::default())?;
            let after = Simulator::new(migrated, Some(name), SimOptions::default())?;
            vservers.push((name.to_owned(), before, after));
        }
        let mut users = BTreeSet::new();
        let mut groups = BTreeSet::new();
        for config in [original, migrated] {
            users.extend(config.users().iter().map(|u| u.name.clone()));
            groups.extend(config.groups().iter().map(|g| g.name.clone()));
        }
        let mut identities = vec![Context::default()];
        for user in users {
            identities.push(Context {
                user: Some(user),
                groups: Some(Vec::new()),
                ..Context::default()
            });
        }
        for group in groups {
            identities.push(Context {
                user: Some("nsexpr-proof".to_owned()),
                groups: Some(vec![group]),
                ..Context::default()
            });
        }
        Ok(ConfigProof {
            vservers,
            identities,
            verification: ConfigVerification::default(),
        })
    }

    /// Simulates one request under every identity on every vserver with both configurations;
    /// returns `false` once a difference has been found (later calls do nothing).
    pub fn check<V: RequestView>(&mut self, request: &V, label: &dyn fmt::Display) -> bool {
        if self.verification.difference.is_some() {
            return false;
        }
        for (vserver, before, after) in &self.vservers {
            for identity in &self.identities {
                let original = before.simulate_with(request, identity);
                let migrated = after.simulate_with(request, identity);
                self.verification.compared += 1;
                if let Some(what) = difference(&original, &migrated) {
                    let who = match (&identity.user, &identity.groups) {
                        (Some(user), Some(groups)) if !groups.is_empty() => {
                            format!("{label} as {user} in {}", groups.join(", "))
                        }
                        (Some(user), _) => format!("{label} as {user}"),
                        _ => label.to_string(),
                    };
                    self.verification.difference = Some(ConfigDifference {
                        vserver: vserver.clone(),
                        request: who,
                        what,
                        original: Box::new(original),
                        migrated: Box::new(migrated),
                    });
                    return false;
                }
            }
        }
        true
    }

    /// Checks every client preset.
    pub fn check_presets(&mut self) -> bool {
        presets()
            .iter()
            .all(|preset| self.check(preset, &format_args!("client preset {}", preset.id)))
    }

    /// The result so far.
    pub fn finish(self) -> ConfigVerification {
        self.verification
    }
}

/// What differs between two reports of the same request, if anything.
fn difference(original: &Report, migrated: &Report) -> Option<String> {
    if original.applied != migrated.applied {
        return Some("the applied policies differ".to_owned());
    }
    for (name, value) in &original.profile {
        match migrated.profile.get(name) {
            Some(other) if other.value == value.value && other.from == value.from => {}
            Some(other) => {
                return Some(format!(
                    "{name} is {} from {} before, {} from {} after",
                    value.value.as_deref().unwrap_or("unset"),
                    value.from,
                    other.value.as_deref().unwrap_or("unset"),
                    other.from
                ));
            }
            None => return Some(format!("{name} is missing after migration")),
        }
    }
    None
}
