//! The session-policy simulator (D17-D20 in docs/semantics.md): which session policies a request
//! hits on a Gateway vserver, and the resulting session profile, each value with its source.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use thiserror::Error;

use super::report::{
    Assumption, Candidate, Dependency, PolicyResult, ProfileValue, Report, RuleSyntax, Warning,
};
use super::walk::{MixedOrder, Outcome, RestUnknown, Step, Stop, Taken, UndefSessionPolicy, walk};
use crate::compile::{
    CompileErrorKind, CompileOptions, NamedExpressions, ProgramSet, ProgramSetBuilder, SetScratch,
};
use crate::config::{
    Bind, BindPoint, Config, Excerpt, Goto, Notice, NoticeKind, Severity, builtin_defaults,
    is_builtin_policy,
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

/// Simulator settings, set with builder-style methods.
///
/// ```
/// use nsexpr::sim::{GroupOrder, SimOptions, Simulator};
///
/// let options = SimOptions::default()
///     .group_order(Some(GroupOrder::Caller))
///     .explain(true);
/// let loaded = nsexpr::config::Config::read("add vpn vserver gw SSL 10.0.0.1 443\n", "ns.conf");
/// let simulator = Simulator::new(&loaded.config, None, options)?;
/// # let _ = simulator;
/// # Ok::<(), nsexpr::sim::SimError>(())
/// ```
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
    /// What an UNDEF advanced rule does to the walk (D33).
    pub undef_session_policy: UndefSessionPolicy,
    /// Which syntax's bindings come first when both are bound (D33).
    pub mixed_order: MixedOrder,
}

impl SimOptions {
    /// Sets [`group_order`](Self::group_order).
    #[must_use]
    pub fn group_order(mut self, group_order: Option<GroupOrder>) -> Self {
        self.group_order = group_order;
        self
    }

    /// Sets [`parse`](Self::parse).
    #[must_use]
    pub fn parse(mut self, parse: ParseOptions) -> Self {
        self.parse = parse;
        self
    }

    /// Sets [`compile`](Self::compile).
    #[must_use]
    pub fn compile(mut self, compile: CompileOptions) -> Self {
        self.compile = compile;
        self
    }

    /// Sets [`explain`](Self::explain).
    #[must_use]
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Sets [`undef_session_policy`](Self::undef_session_policy).
    #[must_use]
    pub fn undef_session_policy(mut self, undef_session_policy: UndefSessionPolicy) -> Self {
        self.undef_session_policy = undef_session_policy;
        self
    }

    /// Sets [`mixed_order`](Self::mixed_order).
    #[must_use]
    pub fn mixed_order(mut self, mixed_order: MixedOrder) -> Self {
        self.mixed_order = mixed_order;
        self
    }
}

/// Why a simulator could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SimError {
    /// The config defines (or binds to) no vserver.
    #[error("the configuration has no vpn vserver")]
    NoVserver,
    /// Several vservers and none chosen.
    #[error("the configuration has several vpn vservers ({0}); choose one")]
    AmbiguousVserver(String),
    /// The chosen vserver is not in the config.
    #[error(
        "vpn vserver `{name}` is not in the configuration{}",
        nearest.as_ref().map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default()
    )]
    UnknownVserver {
        /// The name asked for.
        name: String,
        /// The closest vserver name of the configuration, if close enough to be a typo.
        nearest: Option<String>,
    },
}

/// How a policy's rule is evaluated.
#[derive(Debug, Clone)]
enum Rule {
    /// A classic or advanced rule (or named expression) compiled into the set at this index.
    Compiled(usize),
    /// Not evaluated; the reason is reported (a rule that does not compile, an undefined policy).
    Unevaluated(Dependency),
}

#[derive(Debug, Clone)]
struct PolicyInfo {
    name: String,
    action: Option<String>,
    syntax: RuleSyntax,
    rule: Rule,
    /// Explicit action parameters (D17: absent = inherited), keyed by lower-case name (the last
    /// value of a name wins).
    params: HashMap<String, String>,
    /// The parameter names as written, for the profile's keys.
    param_names: Vec<String>,
}

#[derive(Debug, Clone)]
struct Binding {
    point: BindPoint,
    priority: u32,
    line: usize,
    goto: Option<Goto>,
    /// Whether the policy's rule is advanced: it takes part in the D33 walk, not in D17's order.
    advanced: bool,
    /// Index into `policies`.
    policy: usize,
}

/// A vserver's session policies compiled once; simulate any number of requests with it.
///
/// The identity (the user and their groups, for user and group bind points) comes from the
/// context's [`user`](Context::user) and [`groups`](Context::groups).
///
/// ```
/// use nsexpr::Context;
/// use nsexpr::config::Config;
/// use nsexpr::sim::{SimOptions, Simulator, preset};
///
/// let loaded = Config::read(
///     "add vpn vserver GW SSL 10.0.0.1 443\n\
///      add vpn sessionAction AC_ICA -icaProxy ON\n\
///      add vpn sessionPolicy PL_ICA \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" AC_ICA\n\
///      add vpn sessionAction AC_STAFF -sessTimeout 60\n\
///      add vpn sessionPolicy PL_STAFF ns_true AC_STAFF\n\
///      bind vpn vserver GW -policy PL_ICA -priority 10\n\
///      bind aaa group staff -policy PL_STAFF -priority 20\n",
///     "ns.conf",
/// );
/// let sim = Simulator::new(&loaded.config, None, SimOptions::default()).unwrap();
/// let receiver = preset("ws-win").unwrap();
///
/// let report = sim.simulate(receiver);
/// assert_eq!(report.winner.as_deref(), Some("PL_ICA"));
/// assert_eq!(report.value("icaProxy"), Some("ON"));
///
/// let mut staff = Context::default();
/// staff.groups = Some(vec!["staff".to_owned()]);
/// let report = sim.simulate_with(receiver, &staff);
/// assert_eq!(report.applied, ["PL_ICA", "PL_STAFF"]);
/// assert_eq!(report.value("sessTimeout"), Some("60"));
/// ```
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
    /// `global` keyed by lower-case name.
    global_folded: HashMap<String, String>,
    /// Every parameter name any action, `set vpn parameter` or default mentions.
    parameters: BTreeSet<String>,
    group_weights: BTreeMap<String, u32>,
    /// What the configuration says about identities, for [`Simulator::identity_warnings`].
    identities: Identities,
    warnings: Vec<Warning>,
    options: SimOptions,
}

/// The groups and users a configuration mentions.
#[derive(Debug, Clone, Default)]
struct Identities {
    /// Defined or bound groups.
    groups: Vec<String>,
    /// Defined, bound or member users.
    users: Vec<String>,
    /// The rules and named expressions that test the user (`AAA.USER...`), lower-cased.
    rules: String,
}

impl Identities {
    fn new(config: &Config) -> Identities {
        let mut groups: Vec<String> = config.groups().iter().map(|g| g.name.clone()).collect();
        let mut users: Vec<String> = config.users().iter().map(|u| u.name.clone()).collect();
        users.extend(
            config
                .groups()
                .iter()
                .flat_map(|g| g.members.iter().cloned()),
        );
        for bind in config.binds() {
            match &bind.point {
                BindPoint::Group(g) => groups.push(g.clone()),
                BindPoint::User(u) => users.push(u.clone()),
                BindPoint::Vserver(_) | BindPoint::Global => {}
            }
        }
        for names in [&mut groups, &mut users] {
            let mut seen = BTreeSet::new();
            names.retain(|n| seen.insert(n.clone()));
        }
        let mut rules = String::new();
        let texts = config
            .session_policies()
            .iter()
            .map(|p| p.rule.text.as_str())
            .chain(config.expressions().iter().map(|e| e.value.text.as_str()));
        for text in texts {
            let lower = text.to_lowercase();
            if lower.contains("aaa.user") {
                rules.push_str(&lower);
                rules.push('\n');
            }
        }
        Identities {
            groups,
            users,
            rules,
        }
    }

    /// Whether the configuration mentions `name`: among `known` as written, or in a rule.
    fn mentions(&self, known: &[String], name: &str) -> bool {
        known.iter().any(|k| k == name)
            || (!name.is_empty() && self.rules.contains(&name.to_lowercase()))
    }
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
            let redefined = if crate::syntax::is_advanced(&text.text) {
                define_advanced_expression(&mut names, name, &text.text)
            } else {
                names.define(name, &text.text)
            };
            if redefined {
                warnings.push(Warning::RedefinedExpression {
                    name: name.to_owned(),
                });
            }
        }
        // Named expressions group `&&`/`||` like the policies that use them.
        let compile =
            with_pattern_sets(options.compile.clone().parse(options.parse.clone()), config);
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
                goto: bind.goto(),
                advanced: policies
                    .get(index)
                    .is_some_and(|p| p.syntax == RuleSyntax::Advanced),
                policy: index,
            });
        }
        if bindings.is_empty() {
            warnings.push(Warning::NothingBound {
                vserver: vserver.clone(),
            });
        }
        global_layer.extend(config.vpn_parameters().iter().cloned());
        for (k, v) in global_layer {
            global.insert(k, v);
        }
        parameters.extend(global.keys().cloned());
        for policy in &policies {
            parameters.extend(policy.param_names.iter().cloned());
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
                Rule::Unevaluated(_) => Some((policy, Verdict::Unknown)),
                Rule::Compiled(_) => None,
            })
            .collect();
        let global_folded = global
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        Ok(Simulator {
            global_folded,
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
            identities: Identities::new(config),
            warnings,
            options,
        })
    }

    /// Adds the reader's warnings (binds of undefined policies or to undefined vservers,
    /// unbound policies, undefined actions, unknown session parameters...) to every report,
    /// ahead of the simulator's own. A finding both report is kept once, as the reader's notice,
    /// which has its line.
    pub fn with_notices(mut self, notices: &[Notice]) -> Simulator {
        let notices: Vec<&Notice> = notices
            .iter()
            .filter(|n| n.severity() == Severity::Warning)
            .collect();
        self.warnings.retain(|w| {
            !notices.iter().any(|n| match (w, &n.kind) {
                (
                    Warning::UndefinedAction { policy, action },
                    NoticeKind::UndefinedAction {
                        policy: p,
                        action: a,
                        ..
                    },
                ) => policy == p && action == a,
                (
                    Warning::UndefinedPolicy { policy },
                    NoticeKind::UndefinedPolicy { policy: p, .. },
                ) => policy == p,
                _ => false,
            })
        });
        let mut warnings: Vec<Warning> =
            notices.into_iter().cloned().map(Warning::Config).collect();
        warnings.append(&mut self.warnings);
        self.warnings = warnings;
        self
    }

    /// The warnings about the configuration: the same in every report, whatever the request and
    /// identity (each report's [`warnings`](Report::warnings) starts with them).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Warnings about an identity: each group (and the user) that the configuration never
    /// mentions, so that it changes nothing, with the closest name it does mention.
    ///
    /// ```
    /// use nsexpr::config::Config;
    /// use nsexpr::sim::{SimOptions, Simulator, Warning};
    ///
    /// let loaded = Config::read(
    ///     "add vpn vserver GW SSL 10.0.0.1 443\n\
    ///      add vpn sessionAction A -icaProxy ON\n\
    ///      add vpn sessionPolicy P ns_true A\n\
    ///      bind aaa group Staff -policy P -priority 10\n",
    ///     "ns.conf",
    /// );
    /// let sim = Simulator::new(&loaded.config, None, SimOptions::default())?;
    /// let warnings = sim.identity_warnings(None, &["Stafff".to_owned()]);
    /// assert!(matches!(
    ///     warnings.as_slice(),
    ///     [Warning::UnknownGroup { nearest: Some(n), .. }] if n == "Staff"
    /// ));
    /// assert!(sim.identity_warnings(None, &["Staff".to_owned()]).is_empty());
    /// # Ok::<(), nsexpr::sim::SimError>(())
    /// ```
    pub fn identity_warnings(&self, user: Option<&str>, groups: &[String]) -> Vec<Warning> {
        let ids = &self.identities;
        let nearest = |name: &str, known: &[String]| {
            crate::syntax::nearest(name, known.iter().map(String::as_str)).map(str::to_owned)
        };
        let mut warnings = Vec::new();
        if let Some(user) = user.filter(|u| !ids.mentions(&ids.users, u)) {
            warnings.push(Warning::UnknownUser {
                user: user.to_owned(),
                nearest: nearest(user, &ids.users),
            });
        }
        for (i, group) in groups.iter().enumerate() {
            if groups.get(..i).is_some_and(|before| before.contains(group))
                || ids.mentions(&ids.groups, group)
            {
                continue;
            }
            warnings.push(Warning::UnknownGroup {
                group: group.clone(),
                nearest: nearest(group, &ids.groups),
            });
        }
        warnings
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
    fn order(&self, user: Option<&str>, groups: &[String]) -> Vec<(usize, usize)> {
        let groups = self.ordered_groups(groups);
        let mut order: Vec<(usize, usize)> = self
            .bindings
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let group_index = match &b.point {
                    BindPoint::User(u) => (user == Some(u.as_str())).then_some(0)?,
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

    fn ordered_groups(&self, groups: &[String]) -> Vec<String> {
        let order = self.options.group_order.unwrap_or_else(|| {
            if groups.iter().any(|g| self.group_weights.contains_key(g)) {
                GroupOrder::Weight
            } else {
                GroupOrder::Caller
            }
        });
        let mut groups = groups.to_vec();
        if order == GroupOrder::Weight {
            groups.sort_by_key(|g| self.group_weights.get(g).copied().unwrap_or(0));
        }
        groups
    }

    /// Evaluates every compiled rule on a request with an empty context (each header bound once
    /// for all of them); `out` receives one verdict per distinct policy, in
    /// [`policy_names`](Self::policy_names) order. This is the fast path `nsexpr run` and the
    /// benches use.
    pub fn evaluate<V: RequestView>(
        &self,
        request: &V,
        scratch: &mut Vec<Verdict>,
        out: &mut Vec<Verdict>,
    ) {
        self.evaluate_in(request, None, scratch, out);
    }

    /// [`evaluate`](Self::evaluate) with a context.
    pub fn evaluate_with<V: RequestView>(
        &self,
        request: &V,
        context: &Context,
        scratch: &mut Vec<Verdict>,
        out: &mut Vec<Verdict>,
    ) {
        self.evaluate_in(request, Some(context), scratch, out);
    }

    fn evaluate_in<V: RequestView>(
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
            Rule::Compiled(i) => {
                debug_assert!(i < scratch.len(), "rule {i} of the set has no verdict");
                scratch.get(i).copied().unwrap_or(Verdict::Unknown)
            }
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
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        self.evaluate_sparse_in(request, None, scratch, out);
    }

    /// [`evaluate_sparse`](Self::evaluate_sparse) with a context.
    pub fn evaluate_sparse_with<V: RequestView>(
        &self,
        request: &V,
        context: &Context,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        self.evaluate_sparse_in(request, Some(context), scratch, out);
    }

    fn evaluate_sparse_in<V: RequestView>(
        &self,
        request: &V,
        context: Option<&Context>,
        scratch: &mut SetScratch,
        out: &mut Vec<(usize, Verdict)>,
    ) {
        self.set
            .eval_sparse_with(request, context.unwrap_or(Context::empty()), scratch, out);
        for entry in out.iter_mut() {
            match self.rule_owner.get(entry.0) {
                Some(&policy) => entry.0 = policy,
                None => unreachable!("every rule of the set belongs to a policy"),
            }
        }
        if !self.fixed.is_empty() {
            out.extend_from_slice(&self.fixed);
            out.sort_unstable_by_key(|entry| entry.0);
        }
    }

    /// Simulates one logon request with an empty context (no user, no groups): every candidate
    /// policy in order with its verdict, the applied policies, the merged profile and the
    /// warnings (D17-D20).
    pub fn simulate<V: RequestView>(&self, request: &V) -> Report {
        self.simulate_in(request, None)
    }

    /// [`simulate`](Self::simulate) with a context, whose [`user`](Context::user) and
    /// [`groups`](Context::groups) select the user and group bind points.
    pub fn simulate_with<V: RequestView>(&self, request: &V, context: &Context) -> Report {
        self.simulate_in(request, Some(context))
    }

    fn simulate_in<V: RequestView>(&self, request: &V, context: Option<&Context>) -> Report {
        let user = context.and_then(|c| c.user.as_deref());
        let groups = context.and_then(|c| c.groups.as_deref()).unwrap_or(&[]);
        let mut scratch = Vec::with_capacity(self.set.len());
        let mut verdicts = Vec::with_capacity(self.policies.len());
        self.evaluate_in(request, context, &mut scratch, &mut verdicts);
        let verdict_of = |b: &Binding| verdicts.get(b.policy).copied().unwrap_or(Verdict::Unknown);
        let mut assumptions = BTreeSet::new();
        let mut warnings = Vec::new();
        // D17: the classic bindings in one priority order; every true one applies.
        let classic: Vec<usize> = self
            .order(user, groups)
            .into_iter()
            .map(|(i, _)| i)
            .filter(|&i| self.bindings.get(i).is_some_and(|b| !b.advanced))
            .collect();
        let classic_entries: Vec<(usize, Taken)> = classic
            .iter()
            .filter_map(|&i| {
                let b = self.bindings.get(i)?;
                match rule_outcome(verdict_of(b)) {
                    Outcome::True => Some((i, Taken::Applied)),
                    Outcome::Unknown => Some((i, Taken::Unknown)),
                    Outcome::False | Outcome::Undef => None,
                }
            })
            .collect();
        // D33: the advanced bindings bank by bank.
        let (advanced, equal_weights) = self.banks(user, groups);
        if let Some(groups) = equal_weights {
            warnings.push(Warning::GroupOrderUndefined { groups });
        }
        let steps: Vec<Step> = advanced
            .iter()
            .filter_map(|&(bank, i)| {
                let b = self.bindings.get(i)?;
                Some(Step {
                    bank,
                    priority: b.priority,
                    goto: b.goto.clone(),
                    outcome: rule_outcome(verdict_of(b)),
                })
            })
            .collect();
        let walked = walk(&steps, self.options.undef_session_policy);
        if !advanced.is_empty() {
            assumptions.insert(Assumption::AdvancedWalk);
        }
        if !advanced.is_empty() && !classic.is_empty() {
            warnings.push(Warning::MixedSyntax {
                order: self.options.mixed_order,
            });
        }
        // Every path as bindings: classic and advanced in the configured order.
        let paths: Vec<Vec<(usize, Taken)>> = walked
            .paths
            .iter()
            .map(|path| {
                let walked = path
                    .entries
                    .iter()
                    .filter_map(|&(step, taken)| Some((advanced.get(step)?.1, taken)));
                match self.options.mixed_order {
                    MixedOrder::AdvancedFirst => walked.chain(classic_entries.clone()).collect(),
                    _ => classic_entries.iter().copied().chain(walked).collect(),
                }
            })
            .collect();
        // Report rows: classic in D17 order, then the advanced walk (or the reverse).
        let mut undef_after: Vec<bool> = vec![false; advanced.len()];
        for path in &walked.paths {
            if let Some(Stop::Undef { at, goto }) = &path.stop {
                for flag in undef_after.iter_mut().skip(at + 1) {
                    *flag = true;
                }
                if let (Some(goto), Some(&(_, i))) = (goto, advanced.get(*at))
                    && let Some(policy) = self
                        .bindings
                        .get(i)
                        .and_then(|b| self.policies.get(b.policy))
                {
                    let warning = Warning::GotoUndefined {
                        policy: policy.name.clone(),
                        goto: goto.to_string(),
                    };
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
            }
        }
        let rest_unknown: Vec<Option<Dependency>> = (0..advanced.len())
            .map(|step| {
                walked.paths.iter().find_map(|p| match p.rest_unknown {
                    Some(RestUnknown::Invocation(at)) if step > at => {
                        let name = advanced
                            .get(at)
                            .and_then(|&(_, i)| self.bindings.get(i))
                            .and_then(|b| self.policies.get(b.policy))
                            .map_or_else(String::new, |p| p.name.clone());
                        Some(Dependency::Goto { policy: name })
                    }
                    Some(RestUnknown::Limit(at)) if step >= at => Some(Dependency::WalkLimit),
                    _ => None,
                })
            })
            .collect();
        let mut rows: Vec<(usize, PolicyResult)> = Vec::new();
        let classic_rows = classic.iter().filter_map(|&i| {
            let b = self.bindings.get(i)?;
            Some((
                i,
                self.row(b, verdict_of(b), false, false, request, context),
            ))
        });
        let advanced_rows = advanced.iter().enumerate().filter_map(|(step, &(_, i))| {
            let b = self.bindings.get(i)?;
            let visited = walked.visited.get(step).copied().unwrap_or(false);
            let verdict = verdict_of(b);
            let undef = (visited && rule_outcome(verdict) == Outcome::Undef)
                || (!visited && undef_after.get(step).copied().unwrap_or(false));
            let mut row = self.row(b, verdict, !visited, undef, request, context);
            // Reached only on paths whose rest is unknown: not known to apply (D33).
            if let Some(Some(reason)) = rest_unknown.get(step)
                && matches!(row.verdict, Verdict::True | Verdict::Unknown)
            {
                row.verdict = Verdict::Unknown;
                row.depends_on.push(reason.clone());
            }
            Some((i, row))
        });
        match self.options.mixed_order {
            MixedOrder::AdvancedFirst => rows.extend(advanced_rows.chain(classic_rows)),
            _ => rows.extend(classic_rows.chain(advanced_rows)),
        }
        if groups.len() > 1 {
            assumptions.insert(Assumption::GroupOrder);
        }
        let forks: Vec<Option<usize>> = walked
            .paths
            .iter()
            .map(|p| {
                p.assumed_true
                    .first()
                    .and_then(|&s| advanced.get(s))
                    .map(|&(_, i)| i)
            })
            .collect();
        self.finish(rows, &paths, &forks, user, groups, assumptions, warnings)
    }

    /// One report row for a binding.
    fn row<V: RequestView>(
        &self,
        bind: &Binding,
        verdict: Verdict,
        skipped: bool,
        undef: bool,
        request: &V,
        context: Option<&Context>,
    ) -> PolicyResult {
        let policy = self.policies.get(bind.policy);
        let explanation = match (policy.map(|p| &p.rule), self.options.explain && !skipped) {
            (Some(Rule::Compiled(i)), true) => {
                self.set
                    .explain_with(*i, request, context.unwrap_or(Context::empty()))
            }
            _ => None,
        };
        PolicyResult {
            name: policy.map_or_else(String::new, |p| p.name.clone()),
            bind_point: bind.point.kind().to_owned(),
            bound_to: bind.point.name().map(str::to_owned),
            priority: bind.priority,
            line: bind.line,
            syntax: policy.map_or(RuleSyntax::Classic, |p| p.syntax),
            verdict: if skipped { Verdict::False } else { verdict },
            skipped,
            undef,
            depends_on: policy.map_or_else(Vec::new, |p| self.depends_on(p, context)),
            action: policy.and_then(|p| p.action.clone()),
            explanation,
        }
    }

    /// The advanced bindings for an identity in D33 bank order, as `(bank, binding)`: the user,
    /// each group by weight ascending (ties in caller order), the vserver, global; priority then
    /// line within a bank. Also the groups whose equal weights leave their order undefined.
    fn banks(
        &self,
        user: Option<&str>,
        groups: &[String],
    ) -> (Vec<(usize, usize)>, Option<Vec<String>>) {
        let mut weighted: Vec<(u32, &String)> = groups
            .iter()
            .map(|g| (self.group_weights.get(g).copied().unwrap_or(0), g))
            .collect();
        weighted.sort_by_key(|&(w, _)| w);
        let has_advanced = |g: &str| {
            self.bindings
                .iter()
                .any(|b| b.advanced && matches!(&b.point, BindPoint::Group(x) if x == g))
        };
        let bound: Vec<&(u32, &String)> =
            weighted.iter().filter(|(_, g)| has_advanced(g)).collect();
        let tied: BTreeSet<&String> = bound
            .windows(2)
            .filter_map(|w| match w {
                [a, b] if a.0 == b.0 => Some([a.1, b.1]),
                _ => None,
            })
            .flatten()
            .collect();
        let equal_weights =
            (!tied.is_empty()).then(|| tied.into_iter().cloned().collect::<Vec<String>>());
        let bank_of = |point: &BindPoint| -> Option<usize> {
            match point {
                BindPoint::User(u) => (user == Some(u.as_str())).then_some(0),
                BindPoint::Group(g) => weighted.iter().position(|(_, x)| *x == g).map(|i| i + 1),
                BindPoint::Vserver(_) => Some(weighted.len() + 1),
                BindPoint::Global => Some(weighted.len() + 2),
            }
        };
        let mut order: Vec<(usize, usize)> = self
            .bindings
            .iter()
            .enumerate()
            .filter(|(_, b)| b.advanced)
            .filter_map(|(i, b)| Some((bank_of(&b.point)?, i)))
            .collect();
        order.sort_by_key(|&(bank, i)| {
            let b = self.bindings.get(i);
            (bank, b.map_or(0, |b| b.priority), b.map_or(0, |b| b.line))
        });
        (order, equal_weights)
    }

    fn depends_on(&self, policy: &PolicyInfo, context: Option<&Context>) -> Vec<Dependency> {
        match &policy.rule {
            Rule::Compiled(i) => self
                .set
                .missing_inputs(*i, context.unwrap_or(Context::empty()))
                .iter()
                .copied()
                .map(Dependency::Input)
                .chain(
                    self.set
                        .unsupported(*i)
                        .iter()
                        .map(|what| Dependency::Unsupported(what.clone())),
                )
                .collect(),
            Rule::Unevaluated(reason) => vec![reason.clone()],
        }
    }

    /// The merged profile of one path (D17, D20): per lower-case parameter, the deciding
    /// `(value, policy)` and the unknown policies that would set it before.
    fn merge_path(&self, path: &[(usize, Taken)]) -> HashMap<&str, Merged<'_>> {
        let mut merged: HashMap<&str, Merged<'_>> = HashMap::new();
        for &(bind, taken) in path {
            let Some(policy) = self
                .bindings
                .get(bind)
                .and_then(|b| self.policies.get(b.policy))
            else {
                continue;
            };
            if taken == Taken::AssumedFalse {
                continue;
            }
            for (name, value) in &policy.params {
                let (decided, unknown) = merged.entry(name.as_str()).or_default();
                if decided.is_some() {
                    continue;
                }
                if taken == Taken::Applied {
                    *decided = Some((value.as_str(), policy.name.as_str()));
                } else {
                    unknown.push(Candidate {
                        policy: policy.name.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        merged
    }

    /// A parameter's value and source when no policy decides it.
    fn fallback(&self, parameter: &str, folded: &str) -> (Option<String>, String) {
        match self
            .global
            .get(parameter)
            .or_else(|| self.global_folded.get(folded))
        {
            Some(v) => (Some(v.clone()), "set vpn parameter".to_owned()),
            None => (
                builtin_default(parameter).map(str::to_owned),
                "default".to_owned(),
            ),
        }
    }

    /// The report: `rows` pairs every result with its binding; `paths` are the walk's paths as
    /// bindings (the first assumes every unknown rule false); `forks` the binding each other path
    /// first assumes true.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        rows: Vec<(usize, PolicyResult)>,
        paths: &[Vec<(usize, Taken)>],
        forks: &[Option<usize>],
        user: Option<&str>,
        groups: &[String],
        assumptions: BTreeSet<Assumption>,
        mut warnings: Vec<Warning>,
    ) -> Report {
        let name_of = |bind: usize| {
            self.bindings
                .get(bind)
                .and_then(|b| self.policies.get(b.policy))
                .map_or_else(String::new, |p| p.name.clone())
        };
        let baseline: &[(usize, Taken)] = paths.first().map_or(&[], Vec::as_slice);
        let applied: Vec<String> = baseline
            .iter()
            .filter(|(_, t)| *t == Taken::Applied)
            .map(|&(b, _)| name_of(b))
            .collect();
        let winner = applied.first().cloned();
        let winner_uncertain_because: Vec<String> = baseline
            .iter()
            .take_while(|(_, t)| *t != Taken::Applied)
            .map(|&(b, _)| name_of(b))
            .collect();
        let merged: Vec<HashMap<&str, Merged<'_>>> =
            paths.iter().map(|p| self.merge_path(p)).collect();
        let mut profile = BTreeMap::new();
        for parameter in &self.parameters {
            let folded = parameter.to_ascii_lowercase();
            let resolve = |m: &HashMap<&str, Merged<'_>>| {
                let (decided, unknown) = m.get(folded.as_str()).cloned().unwrap_or_default();
                let (value, from) = match decided {
                    Some((v, from)) => (Some(v.to_owned()), from.to_owned()),
                    None => self.fallback(parameter, &folded),
                };
                (value, from, unknown)
            };
            let mut per_path = merged.iter().map(resolve);
            let Some((value, from, mut unknown)) = per_path.next() else {
                continue;
            };
            // D33: a value equal on every path is certain; otherwise the other paths' values are
            // candidates, named by the unknown policy each path assumes true.
            for ((other_value, other_from, other_unknown), fork) in
                per_path.zip(forks.iter().skip(1))
            {
                if other_value != value {
                    let candidate = Candidate {
                        policy: fork.map_or_else(|| other_from.clone(), name_of),
                        value: other_value.unwrap_or_default(),
                    };
                    if !unknown.contains(&candidate) {
                        unknown.push(candidate);
                    }
                }
                for candidate in other_unknown {
                    if !unknown.contains(&candidate) {
                        unknown.push(candidate);
                    }
                }
            }
            profile.insert(
                parameter.clone(),
                ProfileValue {
                    value,
                    from,
                    depends_on_unknown: unknown,
                },
            );
        }
        let mut all_warnings = self.warnings.clone();
        all_warnings.append(&mut warnings);
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
                all_warnings.push(Warning::IcaOnlyFullVpn {
                    vserver: self.vserver.clone(),
                });
            }
        }
        Report {
            vserver: self.vserver.clone(),
            user: user.map(str::to_owned),
            groups: groups.to_vec(),
            policies: rows.into_iter().map(|(_, r)| r).collect(),
            applied,
            winner,
            winner_uncertain_because,
            profile,
            warnings: all_warnings,
            assumptions: assumptions.into_iter().collect(),
        }
    }
}

/// One parameter while merging: the deciding `(value, policy)`, and the unknown policies that
/// would set it before that one.
type Merged<'a> = (Option<(&'a str, &'a str)>, Vec<Candidate>);

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
        Some(w) => match names.iter().find(|n| *n == w || n.eq_ignore_ascii_case(w)) {
            Some(found) => Ok(found.clone()),
            None => {
                // Defined vservers first: a name only a bind uses may itself be a typo.
                let defined = config.vservers().iter().map(|v| v.name.as_str());
                let nearest = crate::syntax::nearest(w, defined)
                    .or_else(|| crate::syntax::nearest(w, names.iter().map(String::as_str)));
                Err(SimError::UnknownVserver {
                    name: w.to_owned(),
                    nearest: nearest.map(str::to_owned),
                })
            }
        },
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
    warnings: &mut Vec<Warning>,
) -> PolicyInfo {
    let Some(policy) = config.session_policy(name) else {
        warnings.push(Warning::UndefinedPolicy {
            policy: name.to_owned(),
        });
        return PolicyInfo {
            name: name.to_owned(),
            action: None,
            syntax: RuleSyntax::Classic,
            rule: Rule::Unevaluated(Dependency::UndefinedPolicy),
            params: HashMap::new(),
            param_names: Vec::new(),
        };
    };
    let pairs: &[(String, String)] = match config.action_of(policy) {
        Some(action) => &action.params,
        None => {
            warnings.push(Warning::UndefinedAction {
                policy: name.to_owned(),
                action: policy.action.clone(),
            });
            &[]
        }
    };
    let params = pairs
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    let param_names = pairs.iter().map(|(k, _)| k.clone()).collect();
    let text = policy.rule.text.trim();
    // A bare name may refer to an advanced named expression (R5).
    let resolved = config
        .expression(text)
        .map_or(text, |e| e.value.text.as_str());
    let (syntax, rule) = if crate::syntax::is_advanced(resolved) {
        let rule = match builder.add_text(text, Some(crate::Syntax::Advanced)) {
            Ok(i) => Rule::Compiled(i),
            Err(e) => {
                warnings.push(Warning::RuleDoesNotCompile {
                    policy: name.to_owned(),
                    line: policy.rule.line,
                    unknown_name: e.is_unknown_name(),
                    error: bounded_error(&e),
                });
                Rule::Unevaluated(Dependency::RuleError)
            }
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
                warnings.push(Warning::RuleDoesNotParse {
                    policy: name.to_owned(),
                    line: policy.rule.line,
                    error: bounded_error(&e.into()),
                });
                Rule::Unevaluated(Dependency::RuleError)
            }
            Ok(parsed) => {
                rule_lints(name, &policy.rule, &parsed, warnings);
                match builder.add(&parsed.expr, text) {
                    Ok(i) => Rule::Compiled(i),
                    Err(e) => {
                        warnings.push(Warning::RuleDoesNotCompile {
                            policy: name.to_owned(),
                            line: policy.rule.line,
                            unknown_name: matches!(e.kind(), CompileErrorKind::UnknownName { .. }),
                            error: bounded_error(&e.into()),
                        });
                        Rule::Unevaluated(Dependency::RuleError)
                    }
                }
            }
        };
        (syntax, rule)
    };
    PolicyInfo {
        name: policy.name.clone(),
        action: Some(policy.action.clone()),
        syntax,
        rule,
        params,
        param_names,
    }
}

/// The parser's lints on a classic rule as warnings: `&&`/`||` mixing with the reading, then the
/// others (old spellings aside, which are not mistakes), at most [`Warning::MAX_RULE_LINTS`].
fn rule_lints(
    policy: &str,
    rule: &crate::config::RuleText,
    parsed: &crate::syntax::Parsed,
    warnings: &mut Vec<Warning>,
) {
    if parsed.lints.iter().any(|l| l.kind == LintKind::MixedAndOr) {
        warnings.push(Warning::MixedAndOr {
            policy: policy.to_owned(),
            line: rule.line,
            read_as: clip(&crate::ast::Grouped(&parsed.expr).to_string()),
        });
    }
    let others: Vec<&crate::syntax::Lint> = parsed
        .lints
        .iter()
        .filter(|l| !matches!(l.kind, LintKind::MixedAndOr | LintKind::OldSpelling))
        .collect();
    for lint in others.iter().take(Warning::MAX_RULE_LINTS) {
        let before = rule
            .text
            .get(..lint.span.start)
            .map_or(0, |prefix| prefix.chars().count());
        warnings.push(Warning::RuleLint {
            policy: policy.to_owned(),
            line: rule.line,
            column: rule.column + before,
            message: clip(&lint.message),
        });
    }
    if others.len() > Warning::MAX_RULE_LINTS {
        warnings.push(Warning::MoreRuleLints {
            policy: policy.to_owned(),
            line: rule.line,
            more: others.len() - Warning::MAX_RULE_LINTS,
        });
    }
}

/// `text` cut to [`Warning::MAX_TEXT`] characters, with `...` where it is cut.
fn clip(text: &str) -> String {
    match text.char_indices().nth(Warning::MAX_TEXT) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or("")),
        None => text.to_owned(),
    }
}

/// A rule error as its message and a bounded excerpt of the text around it: whatever the rule's
/// length, the warning stays a few hundred characters.
fn bounded_error(error: &crate::Error) -> String {
    use crate::compile::advanced::AdvCompileError;
    let (message, source, span) = match error {
        crate::Error::Parse(e) => {
            let mut message = e.kind().to_string();
            if let Some(expected) = e.expected() {
                message = format!("{message}; expected {expected}");
            }
            (message, e.source_text(), e.span())
        }
        crate::Error::Compile(e) => {
            let message = match e.definition() {
                Some(name) => format!("{} (in the definition of `{name}`)", e.kind()),
                None => e.kind().to_string(),
            };
            (message, e.source_text(), e.span())
        }
        crate::Error::Advanced(e) => match e.as_ref() {
            AdvCompileError::Parse(p) => (with_hint(p.kind(), p.hint()), p.source_text(), p.span()),
            AdvCompileError::Check(c) => (with_hint(c.kind(), c.hint()), c.source_text(), c.span()),
        },
    };
    let start = crate::error::floor_char_boundary(source, span.start.min(source.len()));
    let (line_start, line_end) = crate::error::line_bounds(source, start);
    let line = source.get(line_start..line_end).unwrap_or("");
    let end = span.end.clamp(start, line_end);
    let excerpt = Excerpt::new(line, crate::Span::new(start - line_start, end - line_start));
    let (line_no, column) = crate::error::line_column(source, start);
    format!(
        "{} (line {line_no}, column {column})\n  {}",
        clip(&message),
        excerpt.to_string().replace('\n', "\n  ")
    )
}

/// A message and its hint, `message; hint`.
fn with_hint(message: &dyn std::fmt::Display, hint: Option<&str>) -> String {
    match hint {
        Some(hint) => format!("{message}; {hint}"),
        None => message.to_string(),
    }
}

// Both are shared across threads by callers that simulate many requests at once.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Simulator>();
    assert_send_sync::<Config>();
};

/// Defines an advanced named expression; `true` when it replaced an earlier definition.
fn define_advanced_expression(names: &mut NamedExpressions, name: &str, text: &str) -> bool {
    names.insert_advanced(name, text)
}

/// The config's pattern sets (D32) handed to the compiler.
fn with_pattern_sets(compile: CompileOptions, config: &Config) -> CompileOptions {
    let mut sets = crate::compile::advanced::PatternSets::new();
    for set in config.pattern_sets() {
        sets.add(&set.name);
        for member in set.strings() {
            sets.bind(&set.name, member);
        }
    }
    compile.pattern_sets(sets)
}

/// A rule's verdict as the walk takes it.
fn rule_outcome(verdict: Verdict) -> Outcome {
    match verdict {
        Verdict::True => Outcome::True,
        Verdict::False => Outcome::False,
        Verdict::Unknown => Outcome::Unknown,
        Verdict::Undef => Outcome::Undef,
    }
}
