//! Policy sets: shadowed policies (every setting overridden whenever the policy applies) and
//! unreachable ones (skipped by every walk because of an earlier goto), decided per vserver by
//! simulating every request built from the atoms of the rules bound there.

use std::collections::{BTreeMap, BTreeSet};

use crate::compile::NamedExpressions;
use crate::config::{BindPoint, Config};
use crate::eval::{Context, Verdict};
use crate::sim::{SimOptions, Simulator};

use super::atoms::Atoms;
use super::rules::covered_text;
use super::{Code, Sink};

/// What the walks showed about one policy on one vserver.
#[derive(Debug, Default)]
struct Seen {
    /// The policy name in its first bind on the vserver.
    at: (usize, usize),
    reached: bool,
    unknown: bool,
    contributed: bool,
    /// A request it applies to, with who set its parameters instead.
    applied: Option<String>,
}

pub(super) fn check(config: &Config, sink: &mut Sink<'_>) {
    let mut names = NamedExpressions::new();
    for (name, text) in config.named_expressions() {
        names.define(name, &text.text);
    }
    let mut vservers: Vec<&str> = config.vservers().iter().map(|v| v.name.as_str()).collect();
    for bind in config.binds() {
        if let BindPoint::Vserver(v) = &bind.point
            && !vservers.iter().any(|n| n == v)
        {
            vservers.push(v);
        }
    }
    let contexts = contexts(config);
    for vserver in vservers {
        let Ok(sim) = Simulator::new(config, Some(vserver), SimOptions::default()) else {
            continue;
        };
        // Claims about every request hold only when the built requests decide every rule.
        let rules: Vec<&str> = sim
            .policy_names()
            .filter_map(|name| config.session_policy(name))
            .map(|policy| policy.rule.text.as_str())
            .collect();
        if !rules.iter().all(|rule| covered_text(rule, &names)) {
            continue;
        }
        let mut atoms = Atoms::default();
        for rule in rules {
            atoms.add_text(rule, &names);
        }
        let Some(requests) = atoms.requests() else {
            continue;
        };
        let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
        // Policies whose goto ended a walk: the last one that applied before a skipped one.
        let mut enders: BTreeSet<String> = BTreeSet::new();
        for (context, who) in &contexts {
            for request in &requests {
                let report = sim.simulate_with(&request.view(), context);
                let mut applied_last: Option<&str> = None;
                for result in &report.policies {
                    if result.skipped {
                        enders.extend(applied_last.take().map(str::to_owned));
                    } else if result.verdict == Verdict::True {
                        applied_last = Some(&result.name);
                    }
                }
                for result in &report.policies {
                    let entry = seen.entry(result.name.clone()).or_default();
                    if entry.at.0 == 0 {
                        let column = config
                            .binds()
                            .iter()
                            .find(|b| b.line == result.line)
                            .map_or(1, |b| b.policy_column);
                        entry.at = (result.line, column);
                    }
                    if result.skipped {
                        continue;
                    }
                    entry.reached = true;
                    match result.verdict {
                        // An UNDEF rule is skipped by the walk; like UNKNOWN, it decides nothing here.
                        Verdict::Unknown | Verdict::Undef => entry.unknown = true,
                        Verdict::False => {}
                        Verdict::True => {
                            let action = config
                                .session_policy(&result.name)
                                .and_then(|p| config.action_of(p));
                            let params = action.map(|a| a.params.as_slice()).unwrap_or(&[]);
                            let sources: Vec<String> = params
                                .iter()
                                .filter_map(|(param, _)| {
                                    report
                                        .profile_entry(param)
                                        .map(|v| format!("`{param}` from {}", v.from))
                                })
                                .collect();
                            let own = params.iter().any(|(param, _)| {
                                report
                                    .profile_entry(param)
                                    .is_some_and(|v| v.from == result.name)
                            });
                            if own || params.is_empty() {
                                entry.contributed = true;
                            } else if entry.applied.is_none() {
                                entry.applied =
                                    Some(format!("{request}{who}: {}", sources.join(", ")));
                            }
                        }
                    }
                }
            }
        }
        for (policy, seen) in seen {
            if !seen.reached {
                let by: Vec<String> = enders.iter().map(|e| format!("`{e}`")).collect();
                sink.push(
                    Code::UnreachablePolicy,
                    seen.at,
                    format!(
                        "on vserver `{vserver}`, no request reaches policy `{policy}`: an earlier goto END ends every walk (the goto of {})",
                        by.join(", ")
                    ),
                    Some(
                        "give it a lower priority number than the policy that ends the walk, or make that goto NEXT"
                            .to_owned(),
                    ),
                );
            } else if let (Some(example), false, false) =
                (seen.applied, seen.contributed, seen.unknown)
            {
                sink.push(
                    Code::ShadowedPolicy,
                    seen.at,
                    format!(
                        "on vserver `{vserver}`, policy `{policy}` never sets anything: whenever it applies, other policies set its parameters (for example {example})"
                    ),
                    Some("change its priority, or remove it".to_owned()),
                );
            }
        }
    }
}

/// The identities to simulate: nobody, each bound user, each bound group.
fn contexts(config: &Config) -> Vec<(Context, String)> {
    let mut out = vec![(Context::default(), String::new())];
    let mut seen: Vec<&BindPoint> = Vec::new();
    for bind in config.binds() {
        if seen.contains(&&bind.point) {
            continue;
        }
        seen.push(&bind.point);
        let mut context = Context::default();
        let who = match &bind.point {
            BindPoint::User(user) => {
                context.user = Some(user.clone());
                format!(" for user `{user}`")
            }
            BindPoint::Group(group) => {
                context.groups = Some(vec![group.clone()]);
                format!(" for group `{group}`")
            }
            BindPoint::Vserver(_) | BindPoint::Global => continue,
        };
        out.push((context, who));
    }
    out
}
