//! Policy sets: shadowed policies (every setting overridden whenever the policy applies),
//! unreachable ones (skipped by every walk because of an earlier goto) and ones that never apply
//! (reached, but only by requests their rule rejects: an earlier goto END stopped every request
//! it accepts), decided per vserver by simulating every request built from the atoms of the
//! classic and advanced rules bound there.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{BindPoint, Config};
use crate::eval::{Context, Verdict};
use crate::sim::{SimOptions, Simulator};

use super::advanced;
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
    /// Whether its rule was true on some request that reached it.
    applies: bool,
    /// A request its rule accepts that an earlier goto END kept from it.
    stopped: Option<String>,
    /// The policies whose goto ended those walks.
    stopped_by: BTreeSet<String>,
}

pub(super) fn check(config: &Config, sink: &mut Sink<'_>) {
    let rules = advanced::rules(config);
    let names = rules.names();
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
        // Claims about every request hold only when the built requests decide every rule,
        // classic or advanced.
        let policies: Vec<&str> = sim.policy_names().collect();
        let mut atoms = Atoms::default();
        let mut decided = true;
        for policy in policies
            .iter()
            .filter_map(|name| config.session_policy(name))
        {
            let rule = policy.rule.text.as_str();
            if advanced::is_advanced_rule(config, rule) {
                match advanced::rule_tests(rule.trim(), &rules) {
                    Some(tests) => atoms.add_tests(&tests),
                    None => decided = false,
                }
            } else if covered_text(rule, names) {
                atoms.add_text(rule, names);
            } else {
                decided = false;
            }
            if !decided {
                break;
            }
        }
        if !decided {
            continue;
        }
        let Some(requests) = atoms.requests() else {
            continue;
        };
        let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
        // Policies whose goto ended a walk: the last one that applied before a skipped one.
        let mut enders: BTreeSet<String> = BTreeSet::new();
        // Each policy's own verdict, whether the walk reaches it or not.
        let (mut scratch, mut verdicts) = (Vec::new(), Vec::new());
        for (context, who) in &contexts {
            for request in &requests {
                let report = sim.simulate_with(&request.view(), context);
                sim.evaluate_with(&request.view(), context, &mut scratch, &mut verdicts);
                let own = |name: &str| {
                    policies
                        .iter()
                        .position(|p| *p == name)
                        .and_then(|i| verdicts.get(i))
                        .copied()
                };
                let mut applied_last: Option<&str> = None;
                let mut ender: Option<&str> = None;
                for result in &report.policies {
                    if result.skipped && result.undef {
                        // Past a goto the walk cannot follow: whether it is reached is unknown.
                        seen.entry(result.name.clone()).or_default().unknown = true;
                    } else if result.skipped {
                        enders.extend(applied_last.take().map(str::to_owned));
                        if own(&result.name) == Some(Verdict::True) {
                            let entry = seen.entry(result.name.clone()).or_default();
                            entry.stopped_by.extend(ender.map(str::to_owned));
                            if entry.stopped.is_none() {
                                entry.stopped = Some(format!("{request}{who}"));
                            }
                        }
                    } else if result.verdict == Verdict::True {
                        applied_last = Some(&result.name);
                        ender = Some(&result.name);
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
                            entry.applies = true;
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
            if !seen.reached && !seen.unknown {
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
                (&seen.stopped, seen.applies, seen.unknown)
            {
                let by: Vec<String> = seen.stopped_by.iter().map(|e| format!("`{e}`")).collect();
                let by = if by.is_empty() {
                    String::new()
                } else {
                    format!("the goto of {}; ", by.join(", "))
                };
                sink.push(
                    Code::NeverApplies,
                    seen.at,
                    format!(
                        "on vserver `{vserver}`, policy `{policy}` never applies: an earlier goto skips it on every request its rule accepts ({by}for example {example})"
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
