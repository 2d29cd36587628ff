//! The simulator report (docs/semantics.md#simulator-report): plain types, serialisable with the
//! `serde` feature into the documented JSON shape, with a `Display` for people.

use std::collections::BTreeMap;
use std::fmt;

use super::walk::MixedOrder;
use crate::config::Notice;
use crate::eval::{ContextInput, Explanation, Verdict};

/// How a policy's rule was written (R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum RuleSyntax {
    /// A classic rule.
    Classic,
    /// The name of a classic named expression.
    Named,
    /// Advanced syntax.
    Advanced,
}

/// One candidate binding, in evaluation order (D17).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PolicyResult {
    /// Policy name.
    pub name: String,
    /// `user`, `group`, `vserver` or `global`.
    pub bind_point: String,
    /// The user, group or vserver it is bound to.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub bound_to: Option<String>,
    /// Priority (0 when the bind had none, D17).
    pub priority: u32,
    /// Line of the bind.
    pub line: usize,
    /// How the rule is written.
    pub syntax: RuleSyntax,
    /// The verdict (D20: unknown is never false).
    pub verdict: Verdict,
    /// Not visited on any path of the advanced walk (D33).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "std::ops::Not::not"))]
    pub skipped: bool,
    /// UNDEF (D33): the rule is neither true nor false, or the binding lies after a goto the
    /// walk cannot follow.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "std::ops::Not::not"))]
    pub undef: bool,
    /// For unknown verdicts: the context inputs (or reason) it depends on (D20).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub depends_on: Vec<Dependency>,
    /// The session action.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub action: Option<String>,
    /// The explain tree, when asked for.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub explanation: Option<Explanation>,
}

/// An unknown policy that would set a parameter if it applied (D20).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Candidate {
    /// The unknown policy.
    pub policy: String,
    /// The value it would set.
    pub value: String,
}

/// One effective session-profile parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProfileValue {
    /// The value; `None` when nothing sets it (unset).
    pub value: Option<String>,
    /// The policy that set it, `set vpn parameter`, or `default` (D17).
    pub from: String,
    /// Unknown policies earlier in the order that set it (D20).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub depends_on_unknown: Vec<Candidate>,
}

/// The result of simulating one request.
///
/// ```
/// use nsexpr::config::Config;
/// use nsexpr::sim::{SimOptions, Simulator, preset};
///
/// let conf = "add vpn vserver gw SSL 192.0.2.1 443\n\
///     add vpn sessionAction native -icaProxy ON\n\
///     add vpn sessionPolicy receiver \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" native\n\
///     bind vpn vserver gw -policy receiver -priority 100\n";
/// let loaded = Config::read(conf, "example.conf");
/// let simulator = Simulator::new(&loaded.config, None, SimOptions::default())?;
/// let report = simulator.simulate(preset("ws-win").expect("a bundled preset"));
/// assert_eq!(report.winner.as_deref(), Some("receiver"));
/// let ica = report.profile_entry("icaProxy").expect("always reported");
/// assert_eq!((ica.value.as_deref(), ica.from.as_str()), (Some("ON"), "receiver"));
/// // The split-tunnel setting comes from the built-in global defaults.
/// assert_eq!(report.profile_entry("splitTunnel").map(|v| v.from.as_str()), Some("default"));
/// println!("{report}"); // the text report `nsexpr simulate` prints
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Report {
    /// The vserver.
    pub vserver: String,
    /// The user, when given.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub user: Option<String>,
    /// The groups, as given.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub groups: Vec<String>,
    /// Every candidate binding in evaluation order.
    pub policies: Vec<PolicyResult>,
    /// Policies whose verdict is true, in order.
    pub applied: Vec<String>,
    /// The first applying policy.
    pub winner: Option<String>,
    /// Unknown policies ahead of the winner (D20).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub winner_uncertain_because: Vec<String>,
    /// Every parameter with its value and source, keyed by the CLI-reference spelling.
    pub profile: BTreeMap<String, ProfileValue>,
    /// Findings about the configuration and this result.
    pub warnings: Vec<Warning>,
    /// Assumptions this result relies on: the advanced walk (D33, refining D18) and the group
    /// order (D19).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub assumptions: Vec<Assumption>,
}

/// Why a policy's verdict is unknown (D20). Serialised as its `Display` text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(into = "String"))]
#[non_exhaustive]
pub enum Dependency {
    /// A context input the rule needs and the context lacks (`client_ip`, ...).
    Input(ContextInput),
    /// Something the engine does not evaluate (`advanced:<PATH>`, `regex:<construct>`,
    /// `request_body`).
    Unsupported(String),
    /// A rule that does not parse or compile.
    RuleError,
    /// A bound policy that no `add vpn sessionPolicy` line defines.
    UndefinedPolicy,
    /// An earlier advanced policy's goto that the walk cannot follow.
    Goto {
        /// The policy with that goto.
        policy: String,
    },
    /// The walk forked into as many paths as it follows; from here on it forks no further.
    WalkLimit,
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dependency::Input(input) => f.write_str(input.as_str()),
            Dependency::Unsupported(what) => f.write_str(what),
            Dependency::RuleError => f.write_str("rule_error"),
            Dependency::UndefinedPolicy => f.write_str("undefined policy"),
            Dependency::Goto { policy } => write!(f, "goto of {policy}"),
            Dependency::WalkLimit => {
                write!(f, "walk limit ({} paths)", super::walk::MAX_WALK_PATHS)
            }
        }
    }
}

impl From<Dependency> for String {
    fn from(dependency: Dependency) -> String {
        dependency.to_string()
    }
}

/// A finding about the configuration or a simulated result. Serialised as its `Display` text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(into = "String"))]
#[non_exhaustive]
pub enum Warning {
    /// A reader warning about the configuration (see [`Simulator::with_notices`](super::Simulator::with_notices)).
    Config(Notice),
    /// A named expression defined more than once; the last definition is used.
    RedefinedExpression {
        /// The expression.
        name: String,
    },
    /// A bound session policy that is not defined.
    UndefinedPolicy {
        /// The policy.
        policy: String,
    },
    /// A session policy whose action is not defined.
    UndefinedAction {
        /// The policy.
        policy: String,
        /// The missing action.
        action: String,
    },
    /// A policy rule that does not parse.
    RuleDoesNotParse {
        /// The policy.
        policy: String,
        /// The line of its rule.
        line: usize,
        /// The parser's message with a bounded excerpt of the rule around the error (see
        /// [`Excerpt`](crate::config::Excerpt)), whatever the rule's length.
        error: String,
    },
    /// A policy rule that does not compile (an unknown named expression, say).
    RuleDoesNotCompile {
        /// The policy.
        policy: String,
        /// The line of its rule.
        line: usize,
        /// Whether the cause is an unknown named expression.
        unknown_name: bool,
        /// The compiler's message with a bounded excerpt of the text around the error.
        error: String,
    },
    /// A rule mixing `&&` and `||` without parentheses (D1).
    MixedAndOr {
        /// The policy.
        policy: String,
        /// The line of its rule.
        line: usize,
        /// The rule, fully parenthesised as it is read (cut with `...` past
        /// [`Warning::MAX_TEXT`] characters).
        read_as: String,
    },
    /// Another lint of the parser on a policy's rule (a `)` read as part of a value, a `*` in a
    /// URL pattern outside the verified shapes, ...).
    RuleLint {
        /// The policy.
        policy: String,
        /// The line of its rule.
        line: usize,
        /// The column of the finding in that line.
        column: usize,
        /// The parser's message (cut with `...` past [`Warning::MAX_TEXT`] characters).
        message: String,
    },
    /// More lints on one rule than are listed one by one ([`Warning::MAX_RULE_LINTS`]).
    MoreRuleLints {
        /// The policy.
        policy: String,
        /// The line of its rule.
        line: usize,
        /// How many were left out.
        more: usize,
    },
    /// No session policy can apply on the vserver: none is bound to it, to a user or group, or
    /// globally, so every request gets the `set vpn parameter` and default settings.
    NothingBound {
        /// The vserver.
        vserver: String,
    },
    /// A group of the identity that the configuration never mentions (no `add aaa group`, no
    /// bind, no rule names it), so it changes nothing; often a typo.
    UnknownGroup {
        /// The group as given.
        group: String,
        /// The closest group the configuration mentions, if close enough to be a typo.
        nearest: Option<String>,
    },
    /// A user that the configuration never mentions, so it changes nothing; often a typo.
    UnknownUser {
        /// The user as given.
        user: String,
        /// The closest user the configuration mentions, if close enough to be a typo.
        nearest: Option<String>,
    },
    /// Classic and advanced session policies bound together (D33): classic bindings in
    /// priority order and the advanced walk, one after the other.
    MixedSyntax {
        /// Which came first.
        order: MixedOrder,
    },
    /// Groups of the user with advanced session bindings and equal `-weight`: their order is
    /// undefined; they were taken in the order given (D33).
    GroupOrderUndefined {
        /// The tied groups.
        groups: Vec<String>,
    },
    /// A goto backwards, to a missing priority or not evaluable: the rest of the walk is UNDEF
    /// (D33).
    GotoUndefined {
        /// The policy with that goto.
        policy: String,
        /// The goto as written.
        goto: String,
    },
    /// An ICA-only vserver whose profile is a full VPN.
    IcaOnlyFullVpn {
        /// The vserver.
        vserver: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Config(notice) => write!(f, "{notice}"),
            Warning::RedefinedExpression { name } => write!(
                f,
                "named expression `{name}` is defined more than once; the last definition wins (lint redefined)"
            ),
            Warning::UndefinedPolicy { policy } => {
                write!(f, "session policy `{policy}` is bound but not defined")
            }
            Warning::UndefinedAction { policy, action } => write!(
                f,
                "session policy `{policy}` uses undefined session action `{action}`"
            ),
            Warning::RuleDoesNotParse {
                policy,
                line,
                error,
            } => write!(
                f,
                "session policy `{policy}` (line {line}): the rule does not parse:\n{error}"
            ),
            Warning::RuleDoesNotCompile {
                policy,
                line,
                unknown_name,
                error,
            } => {
                let what = if *unknown_name {
                    "uses an unknown named expression"
                } else {
                    "does not compile"
                };
                write!(
                    f,
                    "session policy `{policy}` (line {line}) {what}:\n{error}"
                )
            }
            Warning::MixedAndOr {
                policy,
                line,
                read_as,
            } => write!(
                f,
                "session policy `{policy}` (line {line}): the rule mixes && and || without parentheses; it is read as `{read_as}`"
            ),
            Warning::RuleLint {
                policy,
                line,
                column,
                message,
            } => write!(
                f,
                "session policy `{policy}` (line {line}, column {column}): {message}"
            ),
            Warning::MoreRuleLints { policy, line, more } => write!(
                f,
                "session policy `{policy}` (line {line}): {more} more lints on the rule"
            ),
            Warning::NothingBound { vserver } => write!(
                f,
                "no session policy is bound to vserver `{vserver}`, to a user or group, or globally: every request gets the `set vpn parameter` and default settings"
            ),
            Warning::UnknownGroup { group, nearest } => write!(
                f,
                "group `{group}` is not mentioned in the configuration, so it changes nothing{}",
                did_you_mean(nearest.as_deref())
            ),
            Warning::UnknownUser { user, nearest } => write!(
                f,
                "user `{user}` is not mentioned in the configuration, so it changes nothing{}",
                did_you_mean(nearest.as_deref())
            ),
            Warning::MixedSyntax { order } => {
                let order = match order {
                    MixedOrder::AdvancedFirst => "the advanced walk first, then classic bindings",
                    _ => "classic bindings first, then the advanced walk",
                };
                write!(
                    f,
                    "mixed-syntax: classic and advanced session policies are bound together; simulated as {order}, merged into one profile"
                )
            }
            Warning::GroupOrderUndefined { groups } => write!(
                f,
                "group-order-undefined: groups {} have equal weights; their advanced session policies were taken in the order given",
                groups.join(", ")
            ),
            Warning::GotoUndefined { policy, goto } => write!(
                f,
                "session policy `{policy}` has goto `{goto}`, which points backwards, to a missing priority or cannot be evaluated; the rest of the walk is undef"
            ),
            Warning::IcaOnlyFullVpn { vserver } => write!(
                f,
                "icaOnly vserver `{vserver}` with a full-VPN profile (transparentInterception or splitTunnel ON)"
            ),
        }
    }
}

impl Warning {
    /// The most characters of rule text (a parenthesised reading, a lint message) a warning
    /// carries; longer text is cut with `...`, so a warning stays small whatever the rule.
    pub const MAX_TEXT: usize = 300;

    /// The most lints listed one by one per rule; the rest are counted in
    /// [`Warning::MoreRuleLints`].
    pub const MAX_RULE_LINTS: usize = 5;
}

/// ` (did you mean `x`?)` for a nearest name, else nothing.
fn did_you_mean(nearest: Option<&str>) -> String {
    nearest
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

impl From<Warning> for String {
    fn from(warning: Warning) -> String {
        warning.to_string()
    }
}

/// An assumption a result relies on where the documentation leaves a choice. Serialised as the
/// id of the decision that makes it (`D18`, `D19`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Assumption {
    /// Advanced policies were walked bank by bank (user, groups by weight, vserver, global) by
    /// their goto (`NEXT`, `END`, a priority), END stopping later banks (D33).
    #[cfg_attr(feature = "serde", serde(rename = "D33"))]
    AdvancedWalk,
    /// Several groups at one priority were ordered by weight or as given (D19).
    #[cfg_attr(feature = "serde", serde(rename = "D19"))]
    GroupOrder,
}

impl fmt::Display for Assumption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Assumption::AdvancedWalk => {
                "advanced policies are walked bank by bank (user, groups by weight, vserver, global), priorities local to a bank: NEXT continues across banks, END or no goto stops the whole walk, a priority jumps forward"
            }
            Assumption::GroupOrder => {
                "groups bound at one priority are taken by weight, else in the order given"
            }
        })
    }
}

impl Report {
    /// The value of a profile parameter (case-insensitive), `None` when unset.
    pub fn value(&self, parameter: &str) -> Option<&str> {
        self.profile_entry(parameter)
            .and_then(|p| p.value.as_deref())
    }

    /// A profile entry by parameter name (case-insensitive).
    pub fn profile_entry(&self, parameter: &str) -> Option<&ProfileValue> {
        self.profile.get(parameter).or_else(|| {
            self.profile
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(parameter))
                .map(|(_, v)| v)
        })
    }
}

/// The parameters a person reads first; the rest follow alphabetically.
pub const KEY_PARAMETERS: &[&str] = &[
    "icaProxy",
    "transparentInterception",
    "splitTunnel",
    "clientlessVpnMode",
    "SSO",
    "wihome",
    "storefronturl",
    "homePage",
    "sessTimeout",
    "defaultAuthorizationAction",
];

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vserver {}", self.vserver)?;
        if let Some(user) = &self.user {
            write!(f, ", user {user}")?;
        }
        if !self.groups.is_empty() {
            write!(f, ", groups {}", self.groups.join(", "))?;
        }
        writeln!(f)?;
        writeln!(f, "policies in evaluation order:")?;
        if self.policies.is_empty() {
            writeln!(f, "  (none bound)")?;
        }
        for p in &self.policies {
            let verdict = if p.undef {
                "undef"
            } else if p.skipped {
                "skipped"
            } else {
                p.verdict.as_str()
            };
            write!(
                f,
                "  {verdict:<7} {:<28} {} priority {}",
                p.name, p.bind_point, p.priority
            )?;
            if !p.depends_on.is_empty() {
                let depends_on: Vec<String> =
                    p.depends_on.iter().map(ToString::to_string).collect();
                write!(f, "  (depends on {})", depends_on.join(", "))?;
            }
            writeln!(f)?;
            if let Some(e) = &p.explanation {
                for line in e.to_string().lines() {
                    writeln!(f, "          {line}")?;
                }
            }
        }
        let applied = if self.applied.is_empty() {
            "none".to_owned()
        } else {
            self.applied.join(", ")
        };
        writeln!(f, "applied: {applied}")?;
        if !self.winner_uncertain_because.is_empty() {
            writeln!(
                f,
                "winner uncertain because of: {}",
                self.winner_uncertain_because.join(", ")
            )?;
        }
        writeln!(f, "session profile:")?;
        let mut keys: Vec<&String> = self.profile.keys().collect();
        keys.sort_by_key(|k| {
            (
                KEY_PARAMETERS
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case(k))
                    .unwrap_or(KEY_PARAMETERS.len()),
                k.to_ascii_lowercase(),
            )
        });
        for key in keys {
            let Some(v) = self.profile.get(key) else {
                continue;
            };
            let value = v.value.as_deref().unwrap_or("(unset)");
            write!(f, "  {key:<28} {value:<40} [{}]", v.from)?;
            for c in &v.depends_on_unknown {
                write!(f, " (if {} applies: {})", c.policy, c.value)?;
            }
            writeln!(f)?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        for a in &self.assumptions {
            writeln!(f, "assumes {a}")?;
        }
        Ok(())
    }
}
