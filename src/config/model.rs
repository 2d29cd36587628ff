//! The configuration model: the Gateway objects of an ns.conf that matter to session-policy
//! simulation (docs/semantics.md#gateway-commands).

use std::collections::HashMap;
use std::fmt;

use super::diag::{ConfigError, Notice};

/// A rule or expression text after CLI unquoting, with where it starts in the file.
///
/// `line` and `column` are 1-based; the column (in characters) is that of the first character of
/// the text itself, after an opening quote or `q/`. Offsets inside a quoted text can drift from the
/// file's columns where escapes (`\"`) were decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RuleText {
    /// The unquoted text.
    pub text: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters, of the text's first character.
    pub column: usize,
}

impl fmt::Display for RuleText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `add vpn vserver <name> <serviceType> [<IP>] [<port>] [-icaOnly ON|OFF] ...` (docs/semantics.md#gateway-commands).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VpnVserver {
    /// Vserver name.
    pub name: String,
    /// Service type (`SSL`).
    pub service_type: String,
    /// IP address, when given.
    pub ip: Option<String>,
    /// Port, when given (kept as written).
    pub port: Option<String>,
    /// `-icaOnly` (basic mode), when given.
    pub ica_only: Option<bool>,
    /// Every other option, as `(name, value)` pairs in file order (known names normalised).
    pub options: Vec<(String, String)>,
    /// Line of the `add`.
    pub line: usize,
}

/// `add vpn sessionAction <name> [-param value] ...`: a session profile (docs/semantics.md#session-parameters).
///
/// Parameters absent from the action are not set by it (D17: inherited, not OFF).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SessionAction {
    /// Action name.
    pub name: String,
    /// Explicitly set parameters in file order; names in the CLI-reference spelling when known
    /// (see [`SESSION_PARAMETERS`](super::SESSION_PARAMETERS)), else as written.
    pub params: Vec<(String, String)>,
    /// Line of the `add`.
    pub line: usize,
    /// 1-based column, in characters, of the name in the `add`.
    pub column: usize,
    /// Whether this is the R6 built-in `SETVPNPARAMS_ACT`.
    pub builtin: bool,
}

impl SessionAction {
    /// The value of a parameter, looked up case-insensitively.
    pub fn param(&self, name: &str) -> Option<&str> {
        lookup_pair(&self.params, name)
    }
}

/// `add vpn sessionPolicy <name> <rule> <action>` (docs/semantics.md#gateway-commands).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SessionPolicy {
    /// Policy name.
    pub name: String,
    /// The rule, not parsed here: classic, advanced or a named expression (R5).
    pub rule: RuleText,
    /// The name of the session action.
    pub action: String,
    /// Line where `action` was named: the `add`, or the `set ... -action` that changed it.
    pub action_line: usize,
    /// 1-based column, in characters, of `action` on `action_line`.
    pub action_column: usize,
    /// Line of the `add`.
    pub line: usize,
    /// 1-based column, in characters, of the name in the `add`.
    pub column: usize,
    /// Whether this is an R6 built-in policy (`SETVPNPARAMS_POL`, `SETVPNPARAMS_ADV_POL`): the
    /// simulator treats it as the `set vpn parameter` layer.
    pub builtin: bool,
}

/// `add policy expression <name> <value> [-comment s] [-clientSecurityMessage s]` (docs/semantics.md#gateway-commands).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NamedExpression {
    /// Expression name.
    pub name: String,
    /// The expression text, not parsed here.
    pub value: RuleText,
    /// `-comment`.
    pub comment: Option<String>,
    /// `-clientSecurityMessage`.
    pub client_security_message: Option<String>,
    /// Line of the `add`.
    pub line: usize,
    /// 1-based column, in characters, of the name in the `add`.
    pub column: usize,
}

/// Where a session policy is bound (D17).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "kind", content = "name", rename_all = "lowercase")
)]
pub enum BindPoint {
    /// `bind aaa user <user>`.
    User(String),
    /// `bind aaa group <group>`.
    Group(String),
    /// `bind vpn vserver <vserver>`.
    Vserver(String),
    /// `bind vpn global`.
    Global,
}

impl BindPoint {
    /// The D17 tie-break rank at equal priority: user 0, group 1, vserver 2, global 3.
    pub fn rank(&self) -> u8 {
        match self {
            BindPoint::User(_) => 0,
            BindPoint::Group(_) => 1,
            BindPoint::Vserver(_) => 2,
            BindPoint::Global => 3,
        }
    }

    /// The bind point's name (user, group or vserver); `None` for global.
    pub fn name(&self) -> Option<&str> {
        match self {
            BindPoint::User(n) | BindPoint::Group(n) | BindPoint::Vserver(n) => Some(n),
            BindPoint::Global => None,
        }
    }

    /// `user`, `group`, `vserver` or `global`, as in the simulator report (docs/semantics.md#simulator-report).
    pub fn kind(&self) -> &'static str {
        match self {
            BindPoint::User(_) => "user",
            BindPoint::Group(_) => "group",
            BindPoint::Vserver(_) => "vserver",
            BindPoint::Global => "global",
        }
    }
}

impl fmt::Display for BindPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} {name}", self.kind()),
            None => f.write_str(self.kind()),
        }
    }
}

/// A session-policy binding (docs/semantics.md#gateway-commands). Only bindings of `vpn sessionPolicy` objects
/// (and the R6 built-ins) are kept (R3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Bind {
    /// Where the policy is bound.
    pub point: BindPoint,
    /// The policy name (as defined, when the bind spelled it in another case).
    pub policy: String,
    /// `-priority`, when given; see [`Bind::effective_priority`].
    pub priority: Option<u32>,
    /// `-gotoPriorityExpression` (D18), with its position.
    pub goto_priority_expression: Option<RuleText>,
    /// `-type`, accepted and kept (docs/semantics.md#gateway-commands).
    pub bind_type: Option<String>,
    /// Line of the bind (its position in file order breaks the last D17 tie).
    pub line: usize,
    /// 1-based column, in characters, of the bind point's name (1 for `bind vpn global`, which
    /// names none).
    pub point_column: usize,
    /// 1-based column, in characters, of the policy name.
    pub policy_column: usize,
    /// Whether the bound policy is an R6 built-in (`SETVPNPARAMS_*`).
    pub builtin: bool,
}

impl Bind {
    /// The priority used for ordering: `-priority`, or 0 when absent (D17).
    pub fn effective_priority(&self) -> u32 {
        self.priority.unwrap_or(0)
    }

    /// The `-gotoPriorityExpression`, classified (D33); `None` when the bind has none.
    pub fn goto(&self) -> Option<Goto> {
        self.goto_priority_expression
            .as_ref()
            .map(|g| Goto::parse(&g.text))
    }
}

/// A bind's `-gotoPriorityExpression` (D33): what an advanced walk does after the policy's rule is
/// true.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Goto {
    /// `END` (or an empty value): the walk stops.
    End,
    /// `NEXT`: the walk goes on with the next binding.
    Next,
    /// `USE_INVOCATION_RESULT`: only meaningful for an invoked bank.
    UseInvocationResult,
    /// A priority number: the walk jumps to it.
    Priority(u32),
    /// A numeric expression, kept as written.
    Expression(String),
}

impl Goto {
    /// Classifies a goto's text: the keywords case-insensitively, a decimal priority, else an
    /// expression.
    ///
    /// ```
    /// use nsexpr::config::Goto;
    /// assert_eq!(Goto::parse("next"), Goto::Next);
    /// assert_eq!(Goto::parse(""), Goto::End);
    /// assert_eq!(Goto::parse("200"), Goto::Priority(200));
    /// assert_eq!(Goto::parse("HTTP.REQ.URL.LENGTH"), Goto::Expression("HTTP.REQ.URL.LENGTH".into()));
    /// ```
    pub fn parse(text: &str) -> Goto {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("END") {
            Goto::End
        } else if text.eq_ignore_ascii_case("NEXT") {
            Goto::Next
        } else if text.eq_ignore_ascii_case("USE_INVOCATION_RESULT") {
            Goto::UseInvocationResult
        } else if let Some(n) = text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse::<u32>().ok())
            .flatten()
        {
            Goto::Priority(n)
        } else {
            Goto::Expression(text.to_owned())
        }
    }
}

impl fmt::Display for Goto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goto::End => f.write_str("END"),
            Goto::Next => f.write_str("NEXT"),
            Goto::UseInvocationResult => f.write_str("USE_INVOCATION_RESULT"),
            Goto::Priority(n) => write!(f, "{n}"),
            Goto::Expression(text) => f.write_str(text),
        }
    }
}

/// `add policy patset <name>` with its strings from `bind policy patset <name> <string>
/// [-index n]` (D32).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PatternSet {
    /// Set name.
    pub name: String,
    /// The bound strings, in bind order.
    pub members: Vec<PatternMember>,
    /// Line of the `add`.
    pub line: usize,
}

/// One string of a pattern set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PatternMember {
    /// The literal string.
    pub value: String,
    /// `-index`, when given.
    pub index: Option<u32>,
    /// Line of the bind.
    pub line: usize,
}

impl PatternSet {
    /// The strings in evaluation order: `-index` ascending (strings without one after those
    /// with one), ties in bind order.
    pub fn strings(&self) -> Vec<&str> {
        let mut members: Vec<&PatternMember> = self.members.iter().collect();
        members.sort_by_key(|m| m.index.map_or((1, 0), |i| (0, i)));
        members.into_iter().map(|m| m.value.as_str()).collect()
    }
}

/// `add aaa group <group> [-weight w]` (docs/semantics.md#gateway-commands), with its members from
/// `bind aaa group <group> -userName <user>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AaaGroup {
    /// Group name.
    pub name: String,
    /// `-weight` (D19: lower first; missing = 0), when given.
    pub weight: Option<u32>,
    /// Users bound with `-userName`, in file order.
    pub members: Vec<String>,
    /// Line of the `add`.
    pub line: usize,
}

/// `add aaa user <user>` (docs/semantics.md#gateway-commands).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AaaUser {
    /// User name.
    pub name: String,
    /// Line of the `add`.
    pub line: usize,
}

/// A policy that is not a `vpn sessionPolicy` (`add authentication ldapPolicy`,
/// `add authorization policy`, `add vpn clientlessAccessPolicy`, ...): only its name matters, so
/// that binds of it are recognised and ignored (R3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OtherPolicy {
    /// The object type as written (`authentication ldapPolicy`).
    pub kind: String,
    /// Policy name.
    pub name: String,
    /// Line of the `add`.
    pub line: usize,
}

/// Why a line was skipped (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum IgnoreReason {
    /// A command the reader does not model (R2).
    UnknownCommand,
    /// A bind form that binds no policy (`bind vpn vserver ... -staServer ...`, docs/semantics.md#gateway-commands).
    NotAPolicyBind,
}

/// A non-blank, non-comment line the reader skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IgnoredLine {
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: IgnoreReason,
    /// Its first words (up to three), for diagnostics (`add lb vserver`).
    pub command: String,
}

/// A configuration read from an ns.conf: see [`Config::read`](super::Config::read),
/// [`Config::read_bytes`](super::Config::read_bytes) and [`Config::from_path`](super::Config::from_path).
///
/// Lookups by name try the exact name first, then fall back to a case-insensitive match (public
/// documentation does not settle whether object names are case-sensitive; named-expression names
/// are case-insensitive, D2).
///
/// ```
/// use nsexpr::config::Config;
///
/// let loaded = Config::read(
///     "add vpn sessionAction AC_WEB -clientlessVpnMode ON\n\
///      add vpn sessionPolicy PL_WEB ns_true AC_WEB\n\
///      bind vpn global -policyName PL_WEB -priority 10\n",
///     "ns.conf",
/// );
/// assert!(loaded.errors.is_empty());
/// let policy = loaded.config.session_policy("pl_web").unwrap();
/// let action = loaded.config.action_of(policy).unwrap();
/// assert_eq!(action.param("clientlessVpnMode"), Some("ON"));
/// assert_eq!(loaded.config.binds().len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Config {
    pub(super) file_name: String,
    pub(super) vservers: Vec<VpnVserver>,
    pub(super) session_actions: Vec<SessionAction>,
    pub(super) session_policies: Vec<SessionPolicy>,
    pub(super) expressions: Vec<NamedExpression>,
    pub(super) binds: Vec<Bind>,
    pub(super) groups: Vec<AaaGroup>,
    pub(super) users: Vec<AaaUser>,
    pub(super) other_policies: Vec<OtherPolicy>,
    pub(super) pattern_sets: Vec<PatternSet>,
    pub(super) vpn_parameters: Vec<(String, String)>,
    pub(super) ignored: Vec<IgnoredLine>,
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(super) index: Indexes,
}

/// Name indexes over the object lists.
#[derive(Debug, Clone, Default)]
pub(super) struct Indexes {
    pub(super) vservers: NameIndex,
    pub(super) session_actions: NameIndex,
    pub(super) session_policies: NameIndex,
    pub(super) expressions: NameIndex,
    pub(super) groups: NameIndex,
    pub(super) users: NameIndex,
    pub(super) other_policies: NameIndex,
}

/// Exact and case-folded name → position maps (first definition wins).
#[derive(Debug, Clone, Default)]
pub(super) struct NameIndex {
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

impl NameIndex {
    pub(super) fn build<'a>(names: impl Iterator<Item = &'a str>) -> NameIndex {
        let mut index = NameIndex::default();
        for (i, name) in names.enumerate() {
            index.exact.entry(name.to_owned()).or_insert(i);
            index.folded.entry(name.to_lowercase()).or_insert(i);
        }
        index
    }

    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.exact
            .get(name)
            .or_else(|| self.folded.get(&name.to_lowercase()))
            .copied()
    }
}

impl Config {
    /// The file name given to [`Config::read`](super::Config::read).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// `add vpn vserver` objects, in file order.
    pub fn vservers(&self) -> &[VpnVserver] {
        &self.vservers
    }

    /// `add vpn sessionAction` objects (after `set`/`unset`/`rm`), in file order.
    pub fn session_actions(&self) -> &[SessionAction] {
        &self.session_actions
    }

    /// `add vpn sessionPolicy` objects (after `set`/`rm`), in file order.
    pub fn session_policies(&self) -> &[SessionPolicy] {
        &self.session_policies
    }

    /// `add policy expression` objects, in file order.
    pub fn expressions(&self) -> &[NamedExpression] {
        &self.expressions
    }

    /// Named expressions as `(name, text with its position)`, in file order (D12).
    pub fn named_expressions(&self) -> impl Iterator<Item = (&str, &RuleText)> {
        self.expressions.iter().map(|e| (e.name.as_str(), &e.value))
    }

    /// Session-policy binds of every bind point, in file order (R3: other policies' binds are not
    /// here).
    pub fn binds(&self) -> &[Bind] {
        &self.binds
    }

    /// The session-policy binds of one bind point, in file order.
    pub fn binds_at<'a, 'p>(
        &'a self,
        point: &'p BindPoint,
    ) -> impl Iterator<Item = &'a Bind> + use<'a, 'p> {
        self.binds.iter().filter(move |b| &b.point == point)
    }

    /// `add aaa group` objects, in file order.
    pub fn groups(&self) -> &[AaaGroup] {
        &self.groups
    }

    /// `add aaa user` objects, in file order.
    pub fn users(&self) -> &[AaaUser] {
        &self.users
    }

    /// Policies of other kinds (authentication, authorization, ...), in file order (R3).
    pub fn other_policies(&self) -> &[OtherPolicy] {
        &self.other_policies
    }

    /// The `set vpn parameter` values after every `set`/`unset vpn parameter` line in file order
    /// (docs/semantics.md#gateway-commands): `(name, value)` in first-set order, names normalised as in session actions.
    pub fn vpn_parameters(&self) -> &[(String, String)] {
        &self.vpn_parameters
    }

    /// One `set vpn parameter` value, looked up case-insensitively.
    pub fn vpn_parameter(&self, name: &str) -> Option<&str> {
        lookup_pair(&self.vpn_parameters, name)
    }

    /// Lines that were skipped (R2), in file order.
    pub fn ignored(&self) -> &[IgnoredLine] {
        &self.ignored
    }

    /// A vserver by name.
    pub fn vserver(&self, name: &str) -> Option<&VpnVserver> {
        self.index
            .vservers
            .get(name)
            .and_then(|i| self.vservers.get(i))
    }

    /// A session action by name.
    pub fn session_action(&self, name: &str) -> Option<&SessionAction> {
        self.index
            .session_actions
            .get(name)
            .and_then(|i| self.session_actions.get(i))
    }

    /// A session policy by name.
    pub fn session_policy(&self, name: &str) -> Option<&SessionPolicy> {
        self.index
            .session_policies
            .get(name)
            .and_then(|i| self.session_policies.get(i))
    }

    /// A named expression by name (case-insensitive by D2 when no exact match exists).
    pub fn expression(&self, name: &str) -> Option<&NamedExpression> {
        self.index
            .expressions
            .get(name)
            .and_then(|i| self.expressions.get(i))
    }

    /// An AAA group by name.
    pub fn group(&self, name: &str) -> Option<&AaaGroup> {
        self.index.groups.get(name).and_then(|i| self.groups.get(i))
    }

    /// An AAA user by name.
    pub fn user(&self, name: &str) -> Option<&AaaUser> {
        self.index.users.get(name).and_then(|i| self.users.get(i))
    }

    /// A non-session policy by name.
    pub fn other_policy(&self, name: &str) -> Option<&OtherPolicy> {
        self.index
            .other_policies
            .get(name)
            .and_then(|i| self.other_policies.get(i))
    }

    /// Every `add policy patset`, in file order, with its bound strings.
    pub fn pattern_sets(&self) -> &[PatternSet] {
        &self.pattern_sets
    }

    /// A pattern set by name (exact, else case-insensitive).
    pub fn pattern_set(&self, name: &str) -> Option<&PatternSet> {
        self.pattern_sets
            .iter()
            .find(|p| p.name == name)
            .or_else(|| {
                self.pattern_sets
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(name))
            })
    }

    /// The session action of a policy, when defined.
    pub fn action_of(&self, policy: &SessionPolicy) -> Option<&SessionAction> {
        self.session_action(&policy.action)
    }

    pub(super) fn rebuild_indexes(&mut self) {
        self.index = Indexes {
            vservers: NameIndex::build(self.vservers.iter().map(|o| o.name.as_str())),
            session_actions: NameIndex::build(self.session_actions.iter().map(|o| o.name.as_str())),
            session_policies: NameIndex::build(
                self.session_policies.iter().map(|o| o.name.as_str()),
            ),
            expressions: NameIndex::build(self.expressions.iter().map(|o| o.name.as_str())),
            groups: NameIndex::build(self.groups.iter().map(|o| o.name.as_str())),
            users: NameIndex::build(self.users.iter().map(|o| o.name.as_str())),
            other_policies: NameIndex::build(self.other_policies.iter().map(|o| o.name.as_str())),
        };
    }
}

/// The R6 built-in object names, recognised case-insensitively.
pub const R6_BUILTIN_POLICIES: [&str; 2] = ["SETVPNPARAMS_POL", "SETVPNPARAMS_ADV_POL"];

/// The R6 built-in session action name.
pub const R6_BUILTIN_ACTION: &str = "SETVPNPARAMS_ACT";

/// Whether `name` is one of the R6 built-in session policies, which the simulator treats as the
/// `set vpn parameter` layer.
pub fn is_builtin_policy(name: &str) -> bool {
    R6_BUILTIN_POLICIES
        .iter()
        .any(|b| b.eq_ignore_ascii_case(name))
}

/// Whether `name` is the R6 built-in session action `SETVPNPARAMS_ACT`.
pub fn is_builtin_action(name: &str) -> bool {
    R6_BUILTIN_ACTION.eq_ignore_ascii_case(name)
}

fn lookup_pair<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .or_else(|| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v.as_str())
}

/// The result of reading an ns.conf: the configuration, every error, and the notices.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Loaded {
    /// What was read. Objects from lines with errors are kept when their name (and, for a policy,
    /// rule and action) could be read, so that a config with one broken line still simulates.
    pub config: Config,
    /// Malformed lines of known commands, in file order.
    pub errors: Vec<ConfigError>,
    /// Informational findings and warnings, in line order.
    pub notices: Vec<Notice>,
}
