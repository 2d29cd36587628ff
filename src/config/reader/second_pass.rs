//! The second pass (R4): binds resolved against the final definitions, group memberships applied,
//! and the notices that need the whole file.

use std::collections::HashSet;

use super::super::diag::{Notice, NoticeKind};
use super::super::model::{Bind, BindPoint, Config, Loaded, is_builtin_action, is_builtin_policy};
use super::state::Reader;

impl Reader<'_> {
    /// The second pass (R4): compacts the objects, resolves binds and memberships, and adds the
    /// notices that need the whole file.
    pub(super) fn finish(mut self) -> Loaded {
        let mut config = Config {
            file_name: self.file.to_owned(),
            vservers: self.vservers.into_vec(),
            session_actions: self.actions.into_vec(),
            session_policies: self.policies.into_vec(),
            expressions: self.expressions.into_vec(),
            binds: Vec::new(),
            groups: self.groups.into_vec(),
            users: self.users.into_vec(),
            other_policies: self.others.into_vec(),
            pattern_sets: self.pattern_sets.into_vec(),
            vpn_parameters: self.vpn_parameters,
            ignored: self.ignored,
            index: Default::default(),
        };
        config.rebuild_indexes();
        for (group, user) in self.memberships {
            if let Some(i) = config.index.groups.get(&group)
                && let Some(group) = config.groups.get_mut(i)
            {
                group.members.push(user);
            }
        }
        for (set, column, member) in self.pattern_members {
            match config
                .pattern_sets
                .iter()
                .position(|p| p.name == set)
                .or_else(|| {
                    config
                        .pattern_sets
                        .iter()
                        .position(|p| p.name.eq_ignore_ascii_case(&set))
                })
                .and_then(|i| config.pattern_sets.get_mut(i))
            {
                Some(found) => found.members.push(member),
                None => self.notices.push(Notice {
                    line: member.line,
                    column,
                    kind: NoticeKind::UndefinedPatternSet { name: set },
                }),
            }
        }
        let mut missing_vservers = HashSet::new();
        let mut bound = HashSet::new();
        for pending in self.binds {
            if let BindPoint::Vserver(vs) = &pending.point
                && config.vserver(vs).is_none()
                && missing_vservers.insert(vs.clone())
            {
                self.notices.push(Notice {
                    line: pending.line,
                    column: pending.point_column,
                    kind: NoticeKind::UndefinedVserver {
                        vserver: vs.clone(),
                        nearest: nearest(vs, config.vservers.iter().map(|v| v.name.as_str())),
                    },
                });
            }
            let resolved = config
                .session_policy(&pending.policy)
                .map(|p| p.name.clone());
            let builtin = is_builtin_policy(&pending.policy);
            let kind = match (&resolved, builtin) {
                (Some(_), _) | (None, true) => None,
                (None, false) => Some(match config.other_policy(&pending.policy) {
                    Some(other) => NoticeKind::NonSessionPolicyBind {
                        policy: other.name.clone(),
                        kind: other.kind.clone(),
                    },
                    None => NoticeKind::UndefinedPolicy {
                        policy: pending.policy.clone(),
                        nearest: nearest(
                            &pending.policy,
                            config.session_policies.iter().map(|p| p.name.as_str()),
                        ),
                    },
                }),
            };
            if let Some(kind) = kind {
                self.notices.push(Notice {
                    line: pending.line,
                    column: pending.policy_column,
                    kind,
                });
                continue;
            }
            let policy = resolved.unwrap_or(pending.policy);
            if builtin {
                self.notices.push(Notice {
                    line: pending.line,
                    column: pending.policy_column,
                    kind: NoticeKind::BuiltinObject {
                        name: policy.clone(),
                    },
                });
            }
            bound.insert(policy.clone());
            config.binds.push(Bind {
                point: pending.point,
                policy,
                priority: pending.priority,
                goto_priority_expression: pending.goto,
                bind_type: pending.bind_type,
                line: pending.line,
                point_column: pending.point_column,
                policy_column: pending.policy_column,
                builtin,
            });
        }
        for policy in &config.session_policies {
            if policy.builtin {
                continue;
            }
            if config.session_action(&policy.action).is_none() && !is_builtin_action(&policy.action)
            {
                self.notices.push(Notice {
                    line: policy.action_line,
                    column: policy.action_column,
                    kind: NoticeKind::UndefinedAction {
                        policy: policy.name.clone(),
                        action: policy.action.clone(),
                        nearest: nearest(
                            &policy.action,
                            config.session_actions.iter().map(|a| a.name.as_str()),
                        ),
                    },
                });
            }
            if !bound.contains(&policy.name) {
                self.notices.push(Notice {
                    line: policy.line,
                    column: policy.column,
                    kind: NoticeKind::UnboundPolicy {
                        policy: policy.name.clone(),
                    },
                });
            }
        }
        self.notices.sort_by_key(|n| n.line);
        Loaded {
            config,
            errors: self.errors,
            notices: self.notices,
        }
    }
}

/// The candidate closest to `name`, if close enough to be a typo (for "did you mean").
fn nearest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    crate::syntax::nearest(name, candidates).map(str::to_owned)
}
