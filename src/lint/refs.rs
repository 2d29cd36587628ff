//! References between objects: binds to undefined objects, objects defined but unused.

use std::collections::HashSet;

use crate::config::{BindPoint, Config, is_builtin_action, is_builtin_policy};
use crate::syntax::{ParseOptions, is_advanced, parse_with};

use super::{Code, Sink, did_you_mean};

pub(super) fn check(config: &Config, sink: &mut Sink<'_>) {
    binds(config, sink);
    unused(config, sink);
}

fn binds(config: &Config, sink: &mut Sink<'_>) {
    let vservers: Vec<&str> = config.vservers().iter().map(|v| v.name.as_str()).collect();
    let groups: Vec<&str> = config.groups().iter().map(|g| g.name.as_str()).collect();
    let users: Vec<&str> = config.users().iter().map(|u| u.name.as_str()).collect();
    for bind in config.binds() {
        let (code, kind, name, known) = match &bind.point {
            BindPoint::Vserver(v) if config.vserver(v).is_none() => {
                (Code::UndefinedVserver, "vpn vserver", v, &vservers)
            }
            BindPoint::Group(g) if config.group(g).is_none() => {
                (Code::UndefinedGroup, "aaa group", g, &groups)
            }
            BindPoint::User(u) if config.user(u).is_none() => {
                (Code::UndefinedUser, "aaa user", u, &users)
            }
            _ => continue,
        };
        let hint = did_you_mean(name, known.iter().copied()).or_else(|| {
            Some(format!(
                "add it with `add {kind} {name}` before binding to it"
            ))
        });
        sink.push(
            code,
            (bind.line, bind.point_column),
            format!(
                "policy `{}` is bound to {kind} `{name}`, which is not defined",
                bind.policy
            ),
            hint,
        );
    }
    let actions: Vec<&str> = config
        .session_actions()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    for policy in config.session_policies() {
        if policy.builtin || config.action_of(policy).is_some() || is_builtin_action(&policy.action)
        {
            continue;
        }
        sink.push(
            Code::UndefinedAction,
            (policy.action_line, policy.action_column),
            format!(
                "session policy `{}` uses session action `{}`, which is not defined",
                policy.name, policy.action
            ),
            did_you_mean(&policy.action, actions.iter().copied()),
        );
    }
}

fn unused(config: &Config, sink: &mut Sink<'_>) {
    let bound: HashSet<String> = config
        .binds()
        .iter()
        .map(|b| b.policy.to_lowercase())
        .collect();
    for policy in config.session_policies() {
        if policy.builtin || is_builtin_policy(&policy.name) {
            continue;
        }
        if !bound.contains(&policy.name.to_lowercase()) {
            sink.push(
                Code::UnusedPolicy,
                (policy.line, policy.column),
                format!("session policy `{}` is not bound anywhere", policy.name),
                Some("bind it (`bind vpn vserver <vserver> -policy ...`) or remove it".to_owned()),
            );
        }
    }
    let used_actions: HashSet<String> = config
        .session_policies()
        .iter()
        .map(|p| p.action.to_lowercase())
        .collect();
    for action in config.session_actions() {
        if action.builtin || used_actions.contains(&action.name.to_lowercase()) {
            continue;
        }
        sink.push(
            Code::UnusedAction,
            (action.line, action.column),
            format!(
                "session action `{}` is not used by any session policy",
                action.name
            ),
            Some("use it in an `add vpn sessionPolicy`, or remove it".to_owned()),
        );
    }
    let referenced = referenced_names(config);
    for expression in config.expressions() {
        if !referenced.contains(&expression.name.to_lowercase()) {
            sink.push(
                Code::UnusedExpression,
                (expression.line, expression.column),
                format!(
                    "named expression `{}` is not used by any rule",
                    expression.name
                ),
                Some("use it in a rule, or remove it".to_owned()),
            );
        }
    }
}

/// Every name a rule, named expression or goto expression refers to, lower-cased. Classic texts
/// are parsed; advanced or unparsable ones contribute every identifier-like word (a generous
/// reading, so that no used expression is reported as unused).
fn referenced_names(config: &Config) -> HashSet<String> {
    let texts = config
        .session_policies()
        .iter()
        .map(|p| p.rule.text.as_str())
        .chain(config.expressions().iter().map(|e| e.value.text.as_str()))
        .chain(
            config
                .binds()
                .iter()
                .filter_map(|b| b.goto_priority_expression.as_ref())
                .map(|g| g.text.as_str()),
        );
    let mut names = HashSet::new();
    let options = ParseOptions::default();
    for text in texts {
        let parsed = (!is_advanced(text))
            .then(|| parse_with(text, &options).ok())
            .flatten();
        match parsed {
            Some(parsed) => names.extend(parsed.expr.names().iter().map(|n| n.to_lowercase())),
            // An advanced text: every word, and each part of a dotted one, since an advanced
            // named expression can start a chain (`UA.CONTAINS("x")`).
            None => {
                for word in text
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
                    .filter(|w| !w.is_empty())
                {
                    names.insert(word.to_lowercase());
                    if word.contains('.') {
                        names.extend(
                            word.split('.')
                                .filter(|w| !w.is_empty())
                                .map(str::to_lowercase),
                        );
                    }
                }
            }
        }
    }
    names
}
