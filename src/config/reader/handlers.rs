//! The command handlers: one per modelled command, applying a line to the first pass's state.

use std::collections::HashSet;

use super::super::diag::{ConfigErrorKind, NoticeKind};
use super::super::lexer::Token;
use super::super::model::{
    AaaGroup, AaaUser, BindPoint, IgnoreReason, NamedExpression, OtherPolicy, PatternMember,
    PatternSet, RuleText, SessionAction, SessionPolicy, VpnVserver, is_builtin_action,
    is_builtin_policy,
};
use super::super::vocab::{
    Command, GLOBAL_BIND_OPTIONS, GROUP_BIND_OPTIONS, MAX_PRIORITY, MAX_WEIGHT, PATSET_OPTIONS,
    POLICY_BIND_OPTIONS, Resolved, USER_BIND_OPTIONS, VSERVER_BIND_OPTIONS, VSERVER_OPTIONS,
    resolve,
};
use super::args::Args;
use super::state::{Ctx, PendingBind, Reader};

impl Reader<'_> {
    pub(super) fn other_policy(&mut self, ctx: &Ctx<'_>, tokens: &[Token<'_>]) {
        let (Some(group), Some(object), Some(name)) = (tokens.get(1), tokens.get(2), tokens.get(3))
        else {
            return;
        };
        let policy = OtherPolicy {
            kind: format!("{} {}", group.value, object.value),
            name: name.value.clone().into_owned(),
            line: ctx.no,
        };
        // A second definition of a name is the appliance's business; the first one stays.
        let _ = self.others.insert(policy);
    }

    pub(super) fn command(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        match command {
            Command::AddAction => self.add_action(ctx, args),
            Command::SetAction => self.set_action(ctx, args),
            Command::UnsetAction => self.unset_action(ctx, args),
            Command::RmAction => {
                if let Some(i) = self.target(ctx, command, args, 1, |r, n| r.actions.find(n)) {
                    self.actions.remove(i);
                }
            }
            Command::AddPolicy => self.add_policy(ctx, args),
            Command::SetPolicy => self.set_policy(ctx, args),
            Command::RmPolicy => {
                if let Some(i) = self.target(ctx, command, args, 1, |r, n| r.policies.find(n)) {
                    self.policies.remove(i);
                }
            }
            Command::AddExpression | Command::SetExpression => {
                self.expression(ctx, command, args);
            }
            Command::RmExpression => {
                if let Some(i) = self.target(ctx, command, args, 1, |r, n| r.expressions.find(n)) {
                    self.expressions.remove(i);
                }
            }
            Command::AddVserver => self.add_vserver(ctx, args),
            Command::SetVserver => self.set_vserver(ctx, args),
            Command::SetParameter => {
                self.positional(ctx, command, args, 0, 0);
                let params = self.session_params(ctx, args);
                for (name, value) in params {
                    set_pair(&mut self.vpn_parameters, name, value);
                }
            }
            Command::UnsetParameter => {
                self.positional(ctx, command, args, 0, 0);
                for name in self.unset_names(ctx, args) {
                    self.vpn_parameters
                        .retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
                }
            }
            Command::BindVserver | Command::BindGlobal | Command::BindUser | Command::BindGroup => {
                self.bind(ctx, command, args);
            }
            Command::AddGroup | Command::SetGroup => self.group(ctx, command, args),
            Command::AddPatset | Command::BindPatset => self.patset(ctx, command, args),
            Command::RmPatset => {
                if let Some(i) = self.target(ctx, command, args, 1, |r, n| r.pattern_sets.find(n)) {
                    self.pattern_sets.remove(i);
                }
            }
            Command::AddUser => {
                // Password and other options do not matter to simulation.
                if let Some(name) = self.positional(ctx, command, args, 1, 1).first() {
                    let user = AaaUser {
                        name: name.value.clone().into_owned(),
                        line: ctx.no,
                    };
                    self.insert(ctx, name.span, "aaa user", user, |r| &mut r.users);
                }
            }
        }
    }

    fn add_action(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let name = self
            .positional(ctx, Command::AddAction, args, 1, 1)
            .first()
            .map(|t| (t.value.clone().into_owned(), t.span));
        let params = self.session_params(ctx, args);
        let Some((name, span)) = name else { return };
        let builtin = is_builtin_action(&name);
        if builtin {
            self.notice(
                ctx,
                span.start,
                NoticeKind::BuiltinObject { name: name.clone() },
            );
        }
        let action = SessionAction {
            name,
            params,
            line: ctx.no,
            column: ctx.column(span.start),
            builtin,
        };
        self.insert(ctx, span, "session action", action, |r| &mut r.actions);
    }

    fn set_action(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let target = self.target(ctx, Command::SetAction, args, 1, |r, n| r.actions.find(n));
        let params = self.session_params(ctx, args);
        if let Some(action) = target.and_then(|i| self.actions.get_mut(i)) {
            for (name, value) in params {
                set_pair(&mut action.params, name, value);
            }
        }
    }

    fn unset_action(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let target = self.target(ctx, Command::UnsetAction, args, 1, |r, n| r.actions.find(n));
        let names = self.unset_names(ctx, args);
        if let Some(action) = target.and_then(|i| self.actions.get_mut(i)) {
            action
                .params
                .retain(|(k, _)| !names.iter().any(|n| n.eq_ignore_ascii_case(k)));
        }
    }

    fn add_policy(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let positional = self.positional(ctx, Command::AddPolicy, args, 3, 3);
        for opt in &args.options {
            self.error(
                ctx,
                opt.name.span,
                ConfigErrorKind::UnknownOption {
                    command: Command::AddPolicy.name(),
                    option: opt.name.value.clone().into_owned(),
                },
            );
        }
        let [name, rule, action] = positional else {
            return;
        };
        let name_text = name.value.clone().into_owned();
        let builtin = is_builtin_policy(&name_text);
        if builtin {
            self.notice(
                ctx,
                name.span.start,
                NoticeKind::BuiltinObject {
                    name: name_text.clone(),
                },
            );
        }
        let policy = SessionPolicy {
            name: name_text,
            rule: rule_text(ctx, rule),
            action: action.value.clone().into_owned(),
            action_line: ctx.no,
            action_column: ctx.column(action.span.start),
            line: ctx.no,
            column: ctx.column(name.span.start),
            builtin,
        };
        self.insert(ctx, name.span, "session policy", policy, |r| {
            &mut r.policies
        });
    }

    fn set_policy(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let target = self.target(ctx, Command::SetPolicy, args, 1, |r, n| r.policies.find(n));
        let mut seen = HashSet::new();
        let mut rule = None;
        let mut action = None;
        for opt in &args.options {
            let Some(name) = self.strict_option(ctx, Command::SetPolicy, opt, &["rule", "action"])
            else {
                continue;
            };
            if !self.first_time(ctx, &mut seen, name, opt) {
                continue;
            }
            let Some(value) = self.one_value(ctx, opt) else {
                continue;
            };
            if name == "rule" {
                rule = Some(rule_text(ctx, value));
            } else {
                action = Some((
                    value.value.clone().into_owned(),
                    ctx.column(value.span.start),
                ));
            }
        }
        if let Some(policy) = target.and_then(|i| self.policies.get_mut(i)) {
            if let Some(rule) = rule {
                policy.rule = rule;
            }
            if let Some((action, column)) = action {
                policy.action = action;
                policy.action_line = ctx.no;
                policy.action_column = column;
            }
        }
    }

    fn expression(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        let positional = self.positional(ctx, command, args, 2, 2);
        let mut seen = HashSet::new();
        let mut comment = None;
        let mut message = None;
        for opt in &args.options {
            let Some(name) =
                self.strict_option(ctx, command, opt, &["comment", "clientSecurityMessage"])
            else {
                continue;
            };
            if !self.first_time(ctx, &mut seen, name, opt) {
                continue;
            }
            let Some(value) = self.one_value(ctx, opt) else {
                continue;
            };
            let value = Some(value.value.clone().into_owned());
            if name == "comment" {
                comment = value;
            } else {
                message = value;
            }
        }
        let [name, value] = positional else { return };
        let value = rule_text(ctx, value);
        if command == Command::AddExpression {
            let expression = NamedExpression {
                name: name.value.clone().into_owned(),
                value,
                comment,
                client_security_message: message,
                line: ctx.no,
                column: ctx.column(name.span.start),
            };
            self.insert(ctx, name.span, "expression", expression, |r| {
                &mut r.expressions
            });
            return;
        }
        let Some(i) = self.expressions.find(&name.value) else {
            self.error(
                ctx,
                name.span,
                ConfigErrorKind::Undefined {
                    kind: "expression",
                    name: name.value.clone().into_owned(),
                },
            );
            return;
        };
        if let Some(expression) = self.expressions.get_mut(i) {
            expression.value = value;
            if comment.is_some() {
                expression.comment = comment;
            }
            if message.is_some() {
                expression.client_security_message = message;
            }
        }
    }

    /// Vserver options: known names normalised, `-icaOnly` checked and split out.
    fn vserver_options(
        &mut self,
        ctx: &Ctx<'_>,
        args: &Args<'_, '_>,
    ) -> (Option<bool>, Vec<(String, String)>) {
        let mut ica_only = None;
        let mut options = Vec::new();
        for (name, value, span) in self.lenient_options(ctx, args, VSERVER_OPTIONS) {
            if name != "icaOnly" {
                options.push((name, value));
            } else if value.eq_ignore_ascii_case("ON") {
                ica_only = Some(true);
            } else if value.eq_ignore_ascii_case("OFF") {
                ica_only = Some(false);
            } else {
                self.error(
                    ctx,
                    span,
                    ConfigErrorKind::BadValue {
                        option: "icaOnly",
                        value,
                        expected: "ON or OFF",
                    },
                );
            }
        }
        (ica_only, options)
    }

    fn add_vserver(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let positional = self.positional(ctx, Command::AddVserver, args, 2, 4);
        let (ica_only, options) = self.vserver_options(ctx, args);
        let [name, service_type, rest @ ..] = positional else {
            return;
        };
        let owned = |t: Option<&Token<'_>>| t.map(|t| t.value.clone().into_owned());
        let vserver = VpnVserver {
            name: name.value.clone().into_owned(),
            service_type: service_type.value.clone().into_owned(),
            ip: owned(rest.first()),
            port: owned(rest.get(1)),
            ica_only,
            options,
            line: ctx.no,
        };
        self.insert(ctx, name.span, "vserver", vserver, |r| &mut r.vservers);
    }

    fn set_vserver(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let target = self.target(ctx, Command::SetVserver, args, 1, |r, n| r.vservers.find(n));
        let (ica_only, options) = self.vserver_options(ctx, args);
        if let Some(vserver) = target.and_then(|i| self.vservers.get_mut(i)) {
            if ica_only.is_some() {
                vserver.ica_only = ica_only;
            }
            for (name, value) in options {
                set_pair(&mut vserver.options, name, value);
            }
        }
    }

    fn group(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        let add = command == Command::AddGroup;
        let target = if add {
            None
        } else {
            self.target(ctx, command, args, 1, |r, n| r.groups.find(n))
        };
        let name = if add {
            self.positional(ctx, command, args, 1, 1).first()
        } else {
            None
        };
        let mut weight = None;
        let mut seen = HashSet::new();
        for opt in &args.options {
            let Some(option) = self.strict_option(ctx, command, opt, &["weight"]) else {
                continue;
            };
            if !self.first_time(ctx, &mut seen, option, opt) {
                continue;
            }
            if let Some(value) = self.one_value(ctx, opt) {
                weight = self.number(ctx, value, "weight", MAX_WEIGHT);
            }
        }
        if let Some(name) = name {
            let group = AaaGroup {
                name: name.value.clone().into_owned(),
                weight,
                members: Vec::new(),
                line: ctx.no,
            };
            self.insert(ctx, name.span, "aaa group", group, |r| &mut r.groups);
        } else if let Some(group) = target.and_then(|i| self.groups.get_mut(i))
            && weight.is_some()
        {
            group.weight = weight;
        }
    }

    /// `add policy patset <name>` and `bind policy patset <name> <string> [-index n]` (D32).
    fn patset(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        let count = if command == Command::AddPatset { 1 } else { 2 };
        let positional = self.positional(ctx, command, args, count, count);
        let mut seen = HashSet::new();
        let mut index = None;
        for opt in &args.options {
            let Some(name) = self.strict_option(ctx, command, opt, PATSET_OPTIONS) else {
                continue;
            };
            if !self.first_time(ctx, &mut seen, name, opt) {
                continue;
            }
            let Some(value) = self.one_value(ctx, opt) else {
                continue;
            };
            if name == "index" {
                index = self.number(ctx, value, "index", u32::MAX);
            }
        }
        match (command, positional) {
            (Command::AddPatset, [name]) => {
                let set = PatternSet {
                    name: name.value.clone().into_owned(),
                    members: Vec::new(),
                    line: ctx.no,
                };
                self.insert(ctx, name.span, "pattern set", set, |r| &mut r.pattern_sets);
            }
            (Command::BindPatset, [name, value]) => self.pattern_members.push((
                name.value.clone().into_owned(),
                ctx.column(name.span.start),
                PatternMember {
                    value: value.value.clone().into_owned(),
                    index,
                    line: ctx.no,
                },
            )),
            _ => {}
        }
    }

    fn bind(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        let (table, policy_key) = match command {
            Command::BindGlobal => (GLOBAL_BIND_OPTIONS, "policyName"),
            Command::BindUser => (USER_BIND_OPTIONS, "policy"),
            Command::BindGroup => (GROUP_BIND_OPTIONS, "policy"),
            _ => (VSERVER_BIND_OPTIONS, "policy"),
        };
        let resolved: Vec<Resolved> = args
            .options
            .iter()
            .map(|o| resolve(&o.name.value, table))
            .collect();
        let has = |key: &'static str| resolved.contains(&Resolved::Found(key));
        if !has(policy_key) {
            self.non_policy_bind(ctx, command, args, &resolved);
            return;
        }
        let name_count = usize::from(command != Command::BindGlobal);
        let point_name = self
            .positional(ctx, command, args, name_count, name_count)
            .first()
            .map(|t| (t.value.clone().into_owned(), ctx.column(t.span.start)));
        let mut seen = HashSet::new();
        let mut policy = None;
        let mut priority = None;
        let mut priority_ok = true;
        let mut goto = None;
        let mut bind_type = None;
        for (opt, resolved) in args.options.iter().zip(resolved) {
            let name = match resolved {
                Resolved::Found(name) => name,
                Resolved::Unknown => {
                    self.error(
                        ctx,
                        opt.name.span,
                        ConfigErrorKind::UnknownOption {
                            command: command.name(),
                            option: opt.name.value.clone().into_owned(),
                        },
                    );
                    continue;
                }
                Resolved::Ambiguous(candidates) => {
                    self.ambiguous_option(ctx, opt, candidates);
                    continue;
                }
            };
            if !POLICY_BIND_OPTIONS.contains(&name) {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::ConflictingOption {
                        option: name,
                        with: policy_key,
                    },
                );
                continue;
            }
            if !self.first_time(ctx, &mut seen, name, opt) {
                continue;
            }
            if matches!(name, "secondary" | "groupExtraction") {
                self.no_value(ctx, opt);
                continue;
            }
            let Some(value) = self.one_value(ctx, opt) else {
                if name == "priority" {
                    priority_ok = false;
                }
                continue;
            };
            match name {
                "priority" => {
                    priority = self.number(ctx, value, "priority", MAX_PRIORITY);
                    priority_ok = priority.is_some();
                }
                "gotoPriorityExpression" => goto = Some(rule_text(ctx, value)),
                "type" => bind_type = Some(value.value.clone().into_owned()),
                _ => {
                    policy = Some((
                        value.value.clone().into_owned(),
                        ctx.column(value.span.start),
                    ));
                }
            }
        }
        let (point, point_column) = match (command, point_name) {
            (Command::BindGlobal, _) => (BindPoint::Global, 1),
            (Command::BindUser, Some((n, c))) => (BindPoint::User(n), c),
            (Command::BindGroup, Some((n, c))) => (BindPoint::Group(n), c),
            (_, Some((n, c))) => (BindPoint::Vserver(n), c),
            (_, None) => return,
        };
        if let (Some((policy, policy_column)), true) = (policy, priority_ok) {
            self.binds.push(PendingBind {
                point,
                policy,
                priority,
                goto,
                bind_type,
                line: ctx.no,
                point_column,
                policy_column,
            });
        }
    }

    /// A bind form without a policy: group membership, or ignored (docs/semantics.md#gateway-commands).
    fn non_policy_bind(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        args: &Args<'_, '_>,
        resolved: &[Resolved],
    ) {
        let user = args
            .options
            .iter()
            .zip(resolved)
            .find(|(_, r)| **r == Resolved::Found("userName"));
        match (command, user, args.positional.first()) {
            (Command::BindGroup, Some((opt, _)), Some(group)) => {
                for user in opt.values {
                    self.memberships.push((
                        group.value.clone().into_owned(),
                        user.value.clone().into_owned(),
                    ));
                }
                if opt.values.is_empty() {
                    self.error(
                        ctx,
                        opt.name.span,
                        ConfigErrorKind::MissingValue {
                            option: opt.name.value.clone().into_owned(),
                        },
                    );
                }
            }
            _ => self.ignore(
                ctx.no,
                IgnoreReason::NotAPolicyBind,
                command.name().to_owned(),
            ),
        }
    }
}

/// A rule or expression token as a [`RuleText`] with the position of its text.
fn rule_text(ctx: &Ctx<'_>, token: &Token<'_>) -> RuleText {
    let start = token.content_start();
    let column = ctx.column(start);
    RuleText {
        text: token.value.clone().into_owned(),
        line: ctx.no,
        column,
    }
}

/// Sets `name` in ordered pairs: replaces the value of an existing (case-insensitive) name in
/// place, else appends.
fn set_pair(pairs: &mut Vec<(String, String)>, name: String, value: String) {
    match pairs
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(&name))
    {
        Some(pair) => pair.1 = value,
        None => pairs.push((name, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_pair_replaces_in_place() {
        let mut pairs = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ];
        set_pair(&mut pairs, "A".to_owned(), "3".to_owned());
        set_pair(&mut pairs, "c".to_owned(), "4".to_owned());
        assert_eq!(
            pairs,
            [
                ("a".into(), "3".into()),
                ("b".into(), "2".into()),
                ("c".into(), "4".into())
            ]
        );
    }
}
