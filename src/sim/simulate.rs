//! The session-policy simulator (session-policies.md D17-D20): which session policies a request
//! hits on a Gateway vserver, and the resulting session profile, each value with its source.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use super::report::{Candidate, PolicyResult, ProfileValue, Report, RuleSyntax};
use crate::compile::{
    CompileErrorKind, CompileOptions, NamedExpressions, ProgramSet, ProgramSetBuilder, SetScratch,
};
use crate::config::{
    Bind, BindPoint, Config, Notice, Severity, builtin_defaults, is_builtin_policy,
};
use crate::eval::{Context, RequestView, Verdict};
use crate::syntax::{LintKind, ParseOptions};

/// How the user's groups are ordered at equal priority (D19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum GroupOrder {
    /// The order the caller gives.
    Caller,
    /// `add aaa group -weight` ascending (missing = 0), ties in caller order.
    Weight,
}

/// Simulator settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SimOptions {
    /// D19 option; `None` = `Weight` when any of the groups has a configured weight, else `Caller`.
    pub group_order: Option<GroupOrder>,
    /// Parser settings for policy rules (D1 precedence).
    pub parse: ParseOptions,
    /// Compiler settings (D6 header instance, D12 unverified built-ins).
    pub compile: CompileOptions,
    /// Include the explain tree of every evaluated policy in reports.
    pub explain: bool,
}

/// Why a simulator could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SimError {
    /// The config defines (or binds to) no vserver.
    #[error("the configuration has no vpn vserver")]
    NoVserver,
    /// Several vservers and none chosen.
    #[error("the configuration has several vpn vservers ({0}); choose one with --vserver")]
    AmbiguousVserver(String),
    /// The chosen vserver is not in the config.
    #[error("vpn vserver `{0}` is not in the configuration")]
    UnknownVserver(String),
}

/// Who is logging on: the user and their groups (D17 bind points, D19 group order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The user name (`bind aaa user`).
    pub user: Option<String>,
    /// The user's groups, in the order authentication returned them.
    pub groups: Vec<String>,
}

/// How a policy's rule is evaluated.
#[derive(Debug, Clone)]
enum Rule {
    /// A classic rule (or named expression) compiled into the set at this index.
    Compiled(usize),
    /// A constant (advanced `TRUE`/`FALSE`).
    Constant(bool),
    /// Not evaluated; the reason is reported (advanced syntax, a rule that does not compile).
    Unevaluated(String),
}

#[derive(Debug, Clone)]
struct PolicyInfo {
    name: String,
    action: Option<String>,
    syntax: RuleSyntax,
    rule: Rule,
    /// Explicit action parameters (D17: absent = inherited).
    params: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct Binding {
    point: BindPoint,
    priority: u32,
    line: usize,
    goto: Option<String>,
    /// Index into `policies`.
    policy: usize,
}

/// A vserver's session policies compiled once; simulate any number of requests with it.
#[derive(Debug, Clone)]
pub struct Simulator {
    vserver: String,
    ica_only: bool,
    policies: Vec<PolicyInfo>,
    bindings: Vec<Binding>,
    set: ProgramSet,
    /// For each rule of `set`, the policy (index into `policies`) it belongs to.
    rule_owner: Vec<usize>,
    /// Policies whose verdict does not depend on the request (constants, unevaluated rules),
    /// except the false ones.
    fixed: Vec<(usize, Verdict)>,
    /// The global layer: `set vpn parameter` lines and the R6 built-in action, in file order.
    global: BTreeMap<String, String>,
    /// Every parameter name any action, `set vpn parameter` or default mentions.
    parameters: BTreeSet<String>,
    group_weights: BTreeMap<String, u32>,
    warnings: Vec<String>,
    options: SimOptions,
}

impl Simulator {
    /// Compiles the session policies that can apply on `vserver` (default: the only vserver).
    pub fn new(
        config: &Config,
        vserver: Option<&str>,
        options: SimOptions,
    ) -> Result<Simulator, SimError> {
        let vserver = choose_vserver(config, vserver)?;
        let ica_only = config
            .vserver(&vserver)
            .and_then(|v| v.ica_only)
            .unwrap_or(false);
        let mut names = NamedExpressions::new();
        let mut warnings = Vec::new();
        for (name, text) in config.named_expressions() {
            if names.define(name, &text.text) {
                warnings.push(format!("named expression `{name}` is defined more than once; the last definition wins (lint redefined)"));
            }
        }
        // Named expressions group `&&`/`||` like the policies that use them.
        let compile = options.compile.clone().parse(options.parse.clone());
        let mut builder = ProgramSetBuilder::new(&names, &compile);
        let mut policies: Vec<PolicyInfo> = Vec::new();
        let mut policy_index: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut bindings = Vec::new();
        let mut global: BTreeMap<String, String> = BTreeMap::new();
        let mut parameters: BTreeSet<String> = builtin_defaults()
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect();
        let mut global_layer: Vec<(String, String)> = Vec::new();
        for bind in config.binds() {
            if !applies_to(bind, &vserver) {
                continue;
            }
            if bind.builtin || is_builtin_policy(&bind.policy) {
                // R6: the built-in global policy is the `set vpn parameter` layer.
                if let Some(action) = config
                    .session_policy(&bind.policy)
                    .and_then(|p| config.action_of(p))
                {
                    global_layer.extend(action.params.iter().cloned());
                }
                continue;
            }
            let index = *policy_index.entry(bind.policy.clone()).or_insert_with(|| {
                let info =
                    compile_policy(config, &bind.policy, &mut builder, &options, &mut warnings);
                policies.push(info);
                policies.len() - 1
            });
            bindings.push(Binding {
                point: bind.point.clone(),
                priority: bind.effective_priority(),
                line: bind.line,
                goto: bind
                    .goto_priority_expression
                    .as_ref()
                    .map(|g| g.text.clone()),
                policy: index,
            });
        }
        global_layer.extend(config.vpn_parameters().iter().cloned());
        for (k, v) in global_layer {
            global.insert(k, v);
        }
        parameters.extend(global.keys().cloned());
        for policy in &policies {
            parameters.extend(policy.params.iter().map(|(k, _)| k.clone()));
        }
        let syntaxes: BTreeSet<_> = bindings
            .iter()
            .filter_map(|b| policies.get(b.policy))
            .map(|p| p.syntax == RuleSyntax::Advanced)
            .collect();
        if syntaxes.len() > 1 {
            warnings.push("mixed-syntax: classic and advanced session policies are bound together; simulated with D18".to_owned());
        }
        let group_weights = config
            .groups()
            .iter()
            .filter_map(|g| g.weight.map(|w| (g.name.clone(), w)))
            .collect();
        // The policy that owns each rule of the set, indexed by rule.
        let mut owners: Vec<(usize, usize)> = policies
            .iter()
            .enumerate()
            .filter_map(|(policy, info)| match info.rule {
                Rule::Compiled(rule) => Some((rule, policy)),
                _ => None,
            })
            .collect();
        owners.sort_unstable();
        let rule_owner: Vec<usize> = owners.into_iter().map(|(_, policy)| policy).collect();
        let fixed = policies
            .iter()
            .enumerate()
            .filter_map(|(policy, info)| match info.rule {
                Rule::Constant(true) => Some((policy, Verdict::True)),
                Rule::Unevaluated(_) => Some((policy, Verdict::Unknown)),
                Rule::Constant(false) | Rule::Compiled(_) => None,
            })
            .collect();
        Ok(Simulator {
            fixed,
            rule_owner,
            vserver,
            ica_only,
            policies,
            bindings,
            set: builder.build(),
            global,
            parameters,
            group_weights,
            warnings,
            options,
        })
    }

    /// Adds the reader's warnings (undefined policies and actions...) to every report.
    pub fn with_notices(mut self, notices: &[Notice]) -> Simulator {
        self.warnings.extend(
            notices
                .iter()
                .filter(|n| n.severity() == Severity::Warning)
                .map(ToString::to_string),
        );
        self
    }

    /// The vserver simulated.
    pub fn vserver(&self) -> &str {
        &self.vserver
    }

    /// The distinct session policies that can apply, in first-bind order.
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        self.policies.iter().map(|p| p.name.as_str())
    }

    /// The candidate bindings for an identity in D17 order: priority, bind point, group order
    /// (D19), config line.
    fn order(&self, identity: &Identity) -> Vec<(usize, usize)> {
        let groups = self.ordered_groups(identity);
        let mut order: Vec<(usize, usize)> = self
            .bindings
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let group_index = match &b.point {
                    BindPoint::User(u) => {
                        (identity.user.as_deref() == Some(u.as_str())).then_some(0)?
                    }
                    BindPoint::Group(g) => groups.iter().position(|x| x == g)?,
                    BindPoint::Vserver(_) | BindPoint::Global => 0,
                };
                Some((i, group_index))
            })
            .collect();
        order.sort_by_key(|&(i, group_index)| {
            let b = self.bindings.get(i);
            (
                b.map_or(0, |b| b.priority),
                b.map_or(0, |b| b.point.rank()),
                group_index,
                b.map_or(0, |b| b.line),
            )
        });
        order
    }

    fn ordered_groups(&self, identity: &Identity) -> Vec<String> {
        let order = self.options.group_order.unwrap_or_else(|| {
            if identity
                .groups
                .iter()
                .any(|g| self.group_weights.contains_key(g))
            {
                GroupOrder::Weight
            } else {
                GroupOrder::Caller
            }
        });
        let mut groups = identity.groups.clone();
        if order == GroupOrder::Weight {
            groups.sort_by_key(|g| self.group_weights.get(g).copied().unwrap_or(0));
        }
        groups
    }

    /// Evaluates every compiled rule on a request (each header bound once for all of them);
    /// `out` receives one verdict per distinct policy, in [`policy_names`](Self::policy_names)
    /// order. This is the fast path `nsexpr run` and the benches use.
    pub fn evaluate<V: RequestView>(
        &self,
        request: &V,
        context: Option<&Context>,
        scratch: &mut Vec<Verdict>,
        out: &mut Vec<Verdict>,
    ) {
        self.set
            .eval_all_with(request, context.unwrap_or(Context::empty()), scratch);
        out.clear();
        out.extend(self.policies.iter().map(|p| match p.rule {
            Rule::Compiled(i) => scratch.get(i).copied().unwrap_or(Verdict::Unknown),
            Rule::Constant(b) => Verdict::from(b),
            Rule::Unevaluated(_) => Verdict::Unknown,
        }));
    }

    /// Like [`evaluate`](Self::evaluate), but reports only the policies that are not false, as
    /// `(index in policy_names order, verdict)`. Large sets use the trigger index, so the cost
    /// follows the policies a request can hit rather than the number bound; `scratch` is reused
    /// across requests.
    pub fn evaluate_sparse<V: RequestView>(
        &self,
        request: &V,
        context: Option<&Context>,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        self.set
            .eval_sparse_with(request, context.unwrap_or(Context::empty()), scratch, out);
        for entry in out.iter_mut() {
            entry.0 = self.rule_owner.get(entry.0).copied().unwrap_or(usize::MAX);
        }
        if !self.fixed.is_empty() {
            out.extend_from_slice(&self.fixed);
            out.sort_unstable_by_key(|entry| entry.0);
        }
    }

    /// Simulates one logon request: every candidate policy in order with its verdict, the applied
    /// policies, the merged profile and the warnings (D17-D20).
    pub fn simulate<V: RequestView>(
        &self,
        request: &V,
        context: Option<&Context>,
        identity: &Identity,
    ) -> Report {
        let mut scratch = Vec::with_capacity(self.set.len());
        let mut verdicts = Vec::with_capacity(self.policies.len());
        self.evaluate(request, context, &mut scratch, &mut verdicts);
        let order = self.order(identity);
        let mut results: Vec<PolicyResult> = Vec::with_capacity(order.len());
        let mut assumptions = BTreeSet::new();
        // D18 walk state: `Some(p)` = skip bindings below priority p; `stopped` = END reached.
        let mut jump_to: Option<u32> = None;
        let mut stopped: Option<String> = None;
        let mut walk_unknown: Option<String> = None;
        for &(bind_index, _) in &order {
            let (Some(bind), Some(policy)) = (
                self.bindings.get(bind_index),
                self.bindings
                    .get(bind_index)
                    .and_then(|b| self.policies.get(b.policy)),
            ) else {
                continue;
            };
            let mut verdict = verdicts
                .get(bind.policy)
                .copied()
                .unwrap_or(Verdict::Unknown);
            let mut depends_on = self.depends_on(policy, context);
            let skipped = stopped.is_some() || jump_to.is_some_and(|p| bind.priority < p);
            if let Some(reason) = &walk_unknown {
                verdict = Verdict::Unknown;
                depends_on.push(reason.clone());
            }
            let explanation = match (&policy.rule, self.options.explain && !skipped) {
                (Rule::Compiled(i), true) => {
                    self.set
                        .explain_with(*i, request, context.unwrap_or(Context::empty()))
                }
                _ => None,
            };
            results.push(PolicyResult {
                name: policy.name.clone(),
                bind_point: bind.point.kind().to_owned(),
                bound_to: bind.point.name().map(str::to_owned),
                priority: bind.priority,
                line: bind.line,
                syntax: policy.syntax,
                verdict: if skipped { Verdict::False } else { verdict },
                skipped,
                depends_on,
                action: policy.action.clone(),
                explanation,
            });
            if skipped || policy.syntax != RuleSyntax::Advanced {
                continue;
            }
            assumptions.insert("D18".to_owned());
            // D18: after a true advanced policy, NEXT continues, END (default) stops, an integer
            // jumps forward; anything else makes the rest of the walk unknown.
            let goto = bind
                .goto
                .as_deref()
                .unwrap_or("END")
                .trim()
                .to_ascii_uppercase();
            match (verdict, goto.as_str()) {
                (Verdict::False, _) | (_, "NEXT") => {}
                (Verdict::True, "END" | "") => stopped = Some(policy.name.clone()),
                (Verdict::True, number)
                    if number.parse::<u32>().is_ok_and(|p| p > bind.priority) =>
                {
                    jump_to = number.parse().ok();
                }
                (_, _) => walk_unknown = Some(format!("goto of {}", policy.name)),
            }
        }
        if identity.groups.len() > 1 {
            assumptions.insert("D19".to_owned());
        }
        self.finish(results, identity, assumptions)
    }

    fn depends_on(&self, policy: &PolicyInfo, context: Option<&Context>) -> Vec<String> {
        match &policy.rule {
            Rule::Compiled(i) => self
                .set
                .missing_inputs(*i, context.unwrap_or(Context::empty()))
                .iter()
                .map(|input| input.as_str().to_owned())
                .collect(),
            Rule::Constant(_) => Vec::new(),
            Rule::Unevaluated(reason) => vec![reason.clone()],
        }
    }

    fn finish(
        &self,
        results: Vec<PolicyResult>,
        identity: &Identity,
        assumptions: BTreeSet<String>,
    ) -> Report {
        let live: Vec<&PolicyResult> = results
            .iter()
            .filter(|r| !r.skipped && r.verdict != Verdict::False)
            .collect();
        let applied: Vec<String> = live
            .iter()
            .filter(|r| r.verdict == Verdict::True)
            .map(|r| r.name.clone())
            .collect();
        let winner = applied.first().cloned();
        let winner_uncertain_because: Vec<String> = live
            .iter()
            .take_while(|r| r.verdict != Verdict::True)
            .map(|r| r.name.clone())
            .collect();
        let mut profile = BTreeMap::new();
        for parameter in &self.parameters {
            let mut unknown = Vec::new();
            let mut decided = None;
            for result in &live {
                let Some(value) = self.param_of(&result.name, parameter) else {
                    continue;
                };
                if result.verdict == Verdict::True {
                    decided = Some((value.to_owned(), result.name.clone()));
                    break;
                }
                unknown.push(Candidate {
                    policy: result.name.clone(),
                    value: value.to_owned(),
                });
            }
            let (value, from) = match decided {
                Some((v, from)) => (Some(v), from),
                None => match lookup(&self.global, parameter) {
                    Some(v) => (Some(v.to_owned()), "set vpn parameter".to_owned()),
                    None => (
                        builtin_default(parameter).map(str::to_owned),
                        "default".to_owned(),
                    ),
                },
            };
            profile.insert(
                parameter.clone(),
                ProfileValue {
                    value,
                    from,
                    depends_on_unknown: unknown,
                },
            );
        }
        let mut warnings = self.warnings.clone();
        if self.ica_only {
            let full_vpn = ["transparentInterception", "splitTunnel"].iter().any(|k| {
                profile
                    .get(*k)
                    .and_then(|v: &ProfileValue| v.value.as_deref())
                    .is_some_and(|v| {
                        v.eq_ignore_ascii_case("ON") || v.eq_ignore_ascii_case("REVERSE")
                    })
            });
            if full_vpn {
                warnings.push(format!(
                    "icaOnly vserver `{}` with a full-VPN profile (transparentInterception or splitTunnel ON)",
                    self.vserver
                ));
            }
        }
        Report {
            vserver: self.vserver.clone(),
            user: identity.user.clone(),
            groups: identity.groups.clone(),
            policies: results,
            applied,
            winner,
            winner_uncertain_because,
            profile,
            warnings,
            assumptions: assumptions.into_iter().collect(),
        }
    }

    fn param_of(&self, policy: &str, parameter: &str) -> Option<&str> {
        self.policies
            .iter()
            .find(|p| p.name == policy)
            .and_then(|p| lookup_pairs(&p.params, parameter))
    }
}

fn lookup<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    map.get(key)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .map(String::as_str)
}

fn lookup_pairs<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn builtin_default(parameter: &str) -> Option<&'static str> {
    builtin_defaults()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(parameter))
        .map(|(_, v)| *v)
}

fn applies_to(bind: &Bind, vserver: &str) -> bool {
    match &bind.point {
        BindPoint::Vserver(v) => v == vserver || v.eq_ignore_ascii_case(vserver),
        BindPoint::User(_) | BindPoint::Group(_) | BindPoint::Global => true,
    }
}

fn choose_vserver(config: &Config, wanted: Option<&str>) -> Result<String, SimError> {
    let mut names: Vec<String> = config.vservers().iter().map(|v| v.name.clone()).collect();
    for bind in config.binds() {
        if let BindPoint::Vserver(v) = &bind.point
            && !names.iter().any(|n| n == v)
        {
            names.push(v.clone());
        }
    }
    match wanted {
        Some(w) => names
            .into_iter()
            .find(|n| n == w || n.eq_ignore_ascii_case(w))
            .ok_or_else(|| SimError::UnknownVserver(w.to_owned())),
        None => match names.len() {
            0 => Err(SimError::NoVserver),
            1 => names.pop().ok_or(SimError::NoVserver),
            _ => Err(SimError::AmbiguousVserver(names.join(", "))),
        },
    }
}

/// Parses, classifies and compiles one policy's rule (R5).
fn compile_policy(
    config: &Config,
    name: &str,
    builder: &mut ProgramSetBuilder<'_>,
    options: &SimOptions,
    warnings: &mut Vec<String>,
) -> PolicyInfo {
    let Some(policy) = config.session_policy(name) else {
        warnings.push(format!("session policy `{name}` is bound but not defined"));
        return PolicyInfo {
            name: name.to_owned(),
            action: None,
            syntax: RuleSyntax::Classic,
            rule: Rule::Unevaluated("undefined policy".to_owned()),
            params: Vec::new(),
        };
    };
    let params = match config.action_of(policy) {
        Some(action) => action.params.clone(),
        None => {
            warnings.push(format!(
                "session policy `{name}` uses undefined session action `{}`",
                policy.action
            ));
            Vec::new()
        }
    };
    let text = policy.rule.text.trim();
    // A bare name may refer to an advanced named expression (R5).
    let resolved = config
        .expression(text)
        .map_or(text, |e| e.value.text.as_str());
    let (syntax, rule) = if crate::syntax::is_advanced(resolved) {
        let rule = match resolved.to_ascii_uppercase().as_str() {
            "TRUE" => Rule::Constant(true),
            "FALSE" => Rule::Constant(false),
            _ => Rule::Unevaluated("advanced_rule".to_owned()),
        };
        (RuleSyntax::Advanced, rule)
    } else {
        let syntax = if config.expression(text).is_some() {
            RuleSyntax::Named
        } else {
            RuleSyntax::Classic
        };
        let rule = match crate::syntax::parse_with(text, &options.parse) {
            Err(e) => {
                warnings.push(format!(
                    "session policy `{name}` (line {}): the rule does not parse:\n{e}",
                    policy.rule.line
                ));
                Rule::Unevaluated("rule_error".to_owned())
            }
            Ok(parsed) => {
                if parsed.lints.iter().any(|l| l.kind == LintKind::MixedAndOr) {
                    warnings.push(format!(
                        "session policy `{name}` (line {}): the rule mixes && and || without parentheses; it is read as `{}` (D1)",
                        policy.rule.line,
                        crate::ast::Grouped(&parsed.expr)
                    ));
                }
                match builder.add(&parsed.expr, text) {
                    Ok(i) => Rule::Compiled(i),
                    Err(e) => {
                        let what = match e.kind() {
                            CompileErrorKind::UnknownName { .. } => {
                                "uses an unknown named expression"
                            }
                            _ => "does not compile",
                        };
                        warnings.push(format!(
                            "session policy `{name}` (line {}) {what}:\n{e}",
                            policy.rule.line
                        ));
                        Rule::Unevaluated("rule_error".to_owned())
                    }
                }
            }
        };
        (syntax, rule)
    };
    if let Rule::Unevaluated(reason) = &rule
        && reason == "advanced_rule"
    {
        warnings.push(format!(
            "session policy `{name}` has an advanced rule; advanced rules are not evaluated yet, so it is reported as unknown"
        ));
    }
    PolicyInfo {
        name: policy.name.clone(),
        action: Some(policy.action.clone()),
        syntax,
        rule,
        params,
    }
}
