//! The ns.conf reader: lexes each line (section 2), recognises the commands of section 3 and builds
//! a [`Config`], collecting every error and going on (error sink, `style.md` section 4).
//!
//! Two passes (R4): the first applies `add`/`set`/`unset`/`rm` lines in file order and collects the
//! binds; the second resolves each bind against the final definitions, so a definition may follow
//! the binds that use it.

use std::collections::{HashMap, HashSet};

use crate::ast::Span;

use super::diag::{ConfigError, ConfigErrorKind, Notice, NoticeKind};
use super::lexer::{Lexer, Token, TokenKind};
use super::model::{
    AaaGroup, AaaUser, Bind, BindPoint, Config, IgnoreReason, IgnoredLine, NamedExpression,
    OtherPolicy, RuleText, SessionAction, SessionPolicy, VpnVserver, is_builtin_action,
    is_builtin_policy,
};
use super::params::SESSION_PARAMETERS;

/// The result of reading an ns.conf: the configuration, every error, and the notices.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Read {
    /// What was read. Objects from lines with errors are kept when their name (and, for a policy,
    /// rule and action) could be read, so that a config with one broken line still simulates.
    pub config: Config,
    /// Malformed lines of known commands, in file order.
    pub errors: Vec<ConfigError>,
    /// Informational findings and warnings, in line order.
    pub notices: Vec<Notice>,
}

impl Config {
    /// Reads an ns.conf text. `file_name` is only used in error messages.
    ///
    /// Lines are split at `\n`; a CR before it is ignored (R2), and so is a leading byte-order
    /// mark. Comments, blank lines and the commands of `session-policies.md` section 3 are read;
    /// every other line is kept in [`Config::ignored`] (R2). Command words and option names are
    /// case-insensitive and may be abbreviated to an unambiguous prefix (R1). Definitions may follow
    /// the binds that use them; `set`/`unset`/`rm` apply in file order to earlier definitions (R4).
    pub fn read(text: &str, file_name: &str) -> Read {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader::new(file_name);
        for (i, line) in text.split('\n').enumerate() {
            reader.line(i + 1, line);
        }
        reader.finish()
    }
}

/// The result of looking a written word up in a table of canonical words (R1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolved {
    /// An exact (case-insensitive) match, or the only word it is a prefix of.
    Found(&'static str),
    /// Neither.
    Unknown,
    /// A prefix of several words.
    Ambiguous(Vec<&'static str>),
}

/// Resolves `word` against `table`: exact case-insensitive match first, else unique prefix (R1).
pub(super) fn resolve(word: &str, table: &[&'static str]) -> Resolved {
    if word.is_empty() {
        return Resolved::Unknown;
    }
    if let Some(exact) = table.iter().find(|w| w.eq_ignore_ascii_case(word)) {
        return Resolved::Found(exact);
    }
    let mut candidates = table.iter().copied().filter(|w| {
        w.get(..word.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(word))
    });
    match (candidates.next(), candidates.next()) {
        (None, _) => Resolved::Unknown,
        (Some(only), None) => Resolved::Found(only),
        (Some(a), Some(b)) => {
            let mut all = vec![a, b];
            all.extend(candidates);
            Resolved::Ambiguous(all)
        }
    }
}

const VERBS: &[&str] = &[
    "add",
    "apply",
    "bind",
    "check",
    "clear",
    "create",
    "diff",
    "disable",
    "enable",
    "expire",
    "flush",
    "force",
    "import",
    "install",
    "kill",
    "link",
    "ping",
    "ping6",
    "reboot",
    "rename",
    "reset",
    "restart",
    "rm",
    "save",
    "send",
    "set",
    "shell",
    "show",
    "shutdown",
    "start",
    "stat",
    "stop",
    "sync",
    "traceroute",
    "unbind",
    "unlink",
    "unset",
    "update",
];
const HANDLED_VERBS: &[&str] = &["add", "bind", "rm", "set", "unset"];

const GROUPS: &[&str] = &[
    "aaa",
    "analytics",
    "appflow",
    "appfw",
    "appqoe",
    "arp",
    "audit",
    "authentication",
    "authorization",
    "autoscale",
    "bfd",
    "bridge",
    "ca",
    "cache",
    "cli",
    "cloud",
    "cluster",
    "cmp",
    "contentInspection",
    "cr",
    "cs",
    "db",
    "dns",
    "dos",
    "expression",
    "feo",
    "filter",
    "gslb",
    "ha",
    "ica",
    "interface",
    "ip",
    "ip6",
    "ipsec",
    "ipset",
    "ipTunnel",
    "lb",
    "lldp",
    "lsn",
    "nat64",
    "nd6",
    "netbridge",
    "netProfile",
    "ns",
    "ntp",
    "policy",
    "pq",
    "protocol",
    "ptp",
    "qos",
    "rdp",
    "reputation",
    "responder",
    "rewrite",
    "rise",
    "rnat",
    "route",
    "route6",
    "router",
    "sc",
    "server",
    "service",
    "serviceGroup",
    "smpp",
    "snmp",
    "spillover",
    "ssl",
    "stream",
    "subscriber",
    "system",
    "tm",
    "transform",
    "tunnel",
    "ulfd",
    "user",
    "videooptimization",
    "vlan",
    "vpath",
    "vpn",
    "vrid",
    "vrid6",
    "vxlan",
];
const HANDLED_GROUPS: &[&str] = &["aaa", "expression", "policy", "vpn"];

const VPN_OBJECTS: &[&str] = &[
    "alwaysONProfile",
    "clientlessAccessPolicy",
    "clientlessAccessProfile",
    "epaProfile",
    "eula",
    "formSSOAction",
    "global",
    "icaConnection",
    "intranetApplication",
    "nextHopServer",
    "parameter",
    "pcoipProfile",
    "pcoipVserverProfile",
    "portaltheme",
    "samlSSOProfile",
    "sessionAction",
    "sessionPolicy",
    "sfconfig",
    "trafficAction",
    "trafficPolicy",
    "url",
    "urlAction",
    "urlPolicy",
    "vserver",
];
const AAA_OBJECTS: &[&str] = &[
    "certParams",
    "global",
    "group",
    "kcdAccount",
    "ldapParams",
    "otpparameter",
    "parameter",
    "preauthenticationaction",
    "preauthenticationparameter",
    "preauthenticationpolicy",
    "radiusParams",
    "session",
    "ssoProfile",
    "tacacsParams",
    "user",
];
const POLICY_OBJECTS: &[&str] = &[
    "dataset",
    "expression",
    "httpCallout",
    "map",
    "param",
    "patset",
    "stringmap",
    "urlset",
];

const VSERVER_OPTIONS: &[&str] = &[
    "authentication",
    "doubleHop",
    "icaOnly",
    "icaProxySessionMigration",
    "dtls",
    "loginOnce",
    "deviceCert",
    "certkeyNames",
    "maxAAAUsers",
    "downStateFlush",
    "Listenpolicy",
    "Listenpriority",
    "tcpProfileName",
    "httpProfileName",
    "comment",
    "appflowLog",
    "icmpVsrResponse",
    "RHIstate",
    "netProfile",
    "cginfraHomePageRedirect",
    "maxLoginAttempts",
    "failedLoginTimeout",
    "rdpServerProfileName",
    "l2Conn",
    "WindowsEPAPluginUpgrade",
    "MacEPAPluginUpgrade",
    "LinuxEPAPluginUpgrade",
    "userDomains",
    "deploymentType",
    "authnProfile",
    "vserverFqdn",
    "pcoipVserverProfileName",
    "range",
    "state",
    "td",
    "ipset",
];

const VSERVER_BIND_OPTIONS: &[&str] = &[
    "policy",
    "priority",
    "secondary",
    "groupExtraction",
    "gotoPriorityExpression",
    "type",
    "intranetApplication",
    "nextHopServer",
    "urlName",
    "intranetIP",
    "intranetIP6",
    "staServer",
    "staAddressType",
    "appController",
    "sharefile",
    "portaltheme",
    "eula",
];
const GLOBAL_BIND_OPTIONS: &[&str] = &[
    "policyName",
    "priority",
    "secondary",
    "groupExtraction",
    "gotoPriorityExpression",
    "type",
    "intranetDomain",
    "intranetApplication",
    "nextHopServer",
    "urlName",
    "intranetIP",
    "intranetIP6",
    "staServer",
    "staAddressType",
    "appController",
    "sharefile",
    "eula",
];
const USER_BIND_OPTIONS: &[&str] = &[
    "policy",
    "priority",
    "type",
    "gotoPriorityExpression",
    "intranetApplication",
    "urlName",
    "intranetIP",
    "intranetIP6",
];
const GROUP_BIND_OPTIONS: &[&str] = &[
    "policy",
    "priority",
    "type",
    "gotoPriorityExpression",
    "intranetApplication",
    "urlName",
    "intranetIP",
    "intranetIP6",
    "userName",
];
/// Options of a policy bind; any other option of the bind command conflicts with `-policy`.
const POLICY_BIND_OPTIONS: &[&str] = &[
    "policy",
    "policyName",
    "priority",
    "secondary",
    "groupExtraction",
    "gotoPriorityExpression",
    "type",
];

/// Largest `-priority` (advanced policies; section 3.4).
const MAX_PRIORITY: u32 = 2_147_483_647;
/// Largest `-weight` of `add aaa group` (section 3.6).
const MAX_WEIGHT: u32 = 65_535;

/// The commands the reader models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    AddAction,
    SetAction,
    UnsetAction,
    RmAction,
    AddPolicy,
    SetPolicy,
    RmPolicy,
    AddExpression,
    SetExpression,
    RmExpression,
    AddVserver,
    SetVserver,
    SetParameter,
    UnsetParameter,
    BindVserver,
    BindGlobal,
    BindUser,
    BindGroup,
    AddGroup,
    SetGroup,
    AddUser,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::AddAction => "add vpn sessionAction",
            Command::SetAction => "set vpn sessionAction",
            Command::UnsetAction => "unset vpn sessionAction",
            Command::RmAction => "rm vpn sessionAction",
            Command::AddPolicy => "add vpn sessionPolicy",
            Command::SetPolicy => "set vpn sessionPolicy",
            Command::RmPolicy => "rm vpn sessionPolicy",
            Command::AddExpression => "add policy expression",
            Command::SetExpression => "set policy expression",
            Command::RmExpression => "rm policy expression",
            Command::AddVserver => "add vpn vserver",
            Command::SetVserver => "set vpn vserver",
            Command::SetParameter => "set vpn parameter",
            Command::UnsetParameter => "unset vpn parameter",
            Command::BindVserver => "bind vpn vserver",
            Command::BindGlobal => "bind vpn global",
            Command::BindUser => "bind aaa user",
            Command::BindGroup => "bind aaa group",
            Command::AddGroup => "add aaa group",
            Command::SetGroup => "set aaa group",
            Command::AddUser => "add aaa user",
        }
    }

    fn lookup(verb: &str, group: &str, object: Option<&str>) -> Option<Command> {
        use Command::*;
        Some(match (verb, group, object) {
            ("add", "vpn", Some("sessionAction")) => AddAction,
            ("set", "vpn", Some("sessionAction")) => SetAction,
            ("unset", "vpn", Some("sessionAction")) => UnsetAction,
            ("rm", "vpn", Some("sessionAction")) => RmAction,
            ("add", "vpn", Some("sessionPolicy")) => AddPolicy,
            ("set", "vpn", Some("sessionPolicy")) => SetPolicy,
            ("rm", "vpn", Some("sessionPolicy")) => RmPolicy,
            ("add", "policy", Some("expression")) | ("add", "expression", None) => AddExpression,
            ("set", "policy", Some("expression")) | ("set", "expression", None) => SetExpression,
            ("rm", "policy", Some("expression")) | ("rm", "expression", None) => RmExpression,
            ("add", "vpn", Some("vserver")) => AddVserver,
            ("set", "vpn", Some("vserver")) => SetVserver,
            ("set", "vpn", Some("parameter")) => SetParameter,
            ("unset", "vpn", Some("parameter")) => UnsetParameter,
            ("bind", "vpn", Some("vserver")) => BindVserver,
            ("bind", "vpn", Some("global")) => BindGlobal,
            ("bind", "aaa", Some("user")) => BindUser,
            ("bind", "aaa", Some("group")) => BindGroup,
            ("add", "aaa", Some("group")) => AddGroup,
            ("set", "aaa", Some("group")) => SetGroup,
            ("add", "aaa", Some("user")) => AddUser,
            _ => return None,
        })
    }
}

/// What the first words of a line say.
enum Identified {
    /// A modelled command; its arguments start at the given token.
    Command(Command, usize),
    /// `add <group> <something>Policy <name> ...`: a policy of another kind (R3).
    OtherPolicy,
    /// Anything else.
    Unknown,
}

/// An option with the tokens after it.
struct Opt<'a, 't> {
    name: &'a Token<'t>,
    values: &'a [Token<'t>],
}

/// A command's arguments: the tokens before the first option, then the options.
struct Args<'a, 't> {
    positional: &'a [Token<'t>],
    options: Vec<Opt<'a, 't>>,
    /// Where a missing argument would go: the first option, else just past the line's end.
    after_positional: Span,
}

fn split_args<'a, 't>(tokens: &'a [Token<'t>], line_len: usize) -> Args<'a, 't> {
    let first_opt = tokens
        .iter()
        .position(|t| t.kind == TokenKind::Option)
        .unwrap_or(tokens.len());
    let positional = tokens.get(..first_opt).unwrap_or(&[]);
    let after_positional = tokens
        .get(first_opt)
        .map_or(Span::new(line_len, line_len + 1), |t| t.span);
    let mut options = Vec::new();
    let mut rest = tokens.get(first_opt..).unwrap_or(&[]);
    while let Some((name, tail)) = rest.split_first() {
        let n = tail
            .iter()
            .position(|t| t.kind == TokenKind::Option)
            .unwrap_or(tail.len());
        let (values, next) = tail.split_at(n);
        options.push(Opt { name, values });
        rest = next;
    }
    Args {
        positional,
        options,
        after_positional,
    }
}

/// A bind collected in the first pass and resolved in the second (R4).
struct PendingBind {
    point: BindPoint,
    policy: String,
    priority: Option<u32>,
    goto: Option<RuleText>,
    bind_type: Option<String>,
    line: usize,
}

/// Object storage of the first pass: `rm` leaves a hole; names index the live entries.
struct Slots<T> {
    items: Vec<Option<T>>,
    index: HashMap<String, usize>,
}

trait Named {
    fn name(&self) -> &str;
    fn line(&self) -> usize;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
            fn line(&self) -> usize {
                self.line
            }
        }
    )*};
}
named!(
    VpnVserver,
    SessionAction,
    SessionPolicy,
    NamedExpression,
    AaaGroup,
    AaaUser,
    OtherPolicy
);

impl<T: Named> Slots<T> {
    fn new() -> Slots<T> {
        Slots {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The live entry named `name`: exact, else case-insensitive.
    fn find(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied().or_else(|| {
            self.items.iter().position(|item| {
                item.as_ref()
                    .is_some_and(|item| item.name().eq_ignore_ascii_case(name))
            })
        })
    }

    /// Adds `item`, or returns the line of the existing definition of its exact name.
    fn insert(&mut self, item: T) -> Result<(), usize> {
        if let Some(existing) = self
            .index
            .get(item.name())
            .and_then(|&i| self.items.get(i))
            .and_then(Option::as_ref)
        {
            return Err(existing.line());
        }
        self.index.insert(item.name().to_owned(), self.items.len());
        self.items.push(Some(item));
        Ok(())
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.items.get_mut(i).and_then(Option::as_mut)
    }

    fn remove(&mut self, i: usize) {
        if let Some(slot) = self.items.get_mut(i)
            && let Some(item) = slot.take()
        {
            self.index.remove(item.name());
        }
    }

    fn into_vec(self) -> Vec<T> {
        self.items.into_iter().flatten().collect()
    }
}

/// The line being read.
struct Ctx<'t> {
    no: usize,
    text: &'t str,
}

struct Reader<'f> {
    file: &'f str,
    errors: Vec<ConfigError>,
    notices: Vec<Notice>,
    ignored: Vec<IgnoredLine>,
    vservers: Slots<VpnVserver>,
    actions: Slots<SessionAction>,
    policies: Slots<SessionPolicy>,
    expressions: Slots<NamedExpression>,
    groups: Slots<AaaGroup>,
    users: Slots<AaaUser>,
    others: Slots<OtherPolicy>,
    vpn_parameters: Vec<(String, String)>,
    binds: Vec<PendingBind>,
    memberships: Vec<(String, String)>,
}

impl<'f> Reader<'f> {
    fn new(file: &'f str) -> Reader<'f> {
        Reader {
            file,
            errors: Vec::new(),
            notices: Vec::new(),
            ignored: Vec::new(),
            vservers: Slots::new(),
            actions: Slots::new(),
            policies: Slots::new(),
            expressions: Slots::new(),
            groups: Slots::new(),
            users: Slots::new(),
            others: Slots::new(),
            vpn_parameters: Vec::new(),
            binds: Vec::new(),
            memberships: Vec::new(),
        }
    }

    fn error(&mut self, ctx: &Ctx<'_>, span: Span, kind: ConfigErrorKind) {
        self.errors
            .push(ConfigError::new(self.file, ctx.no, ctx.text, span, kind));
    }

    fn notice(&mut self, line: usize, kind: NoticeKind) {
        self.notices.push(Notice { line, kind });
    }

    fn ignore(&mut self, line: usize, reason: IgnoreReason, command: String) {
        self.ignored.push(IgnoredLine {
            line,
            reason,
            command,
        });
    }

    fn line(&mut self, no: usize, raw: &str) {
        let mut lexer = Lexer::new(raw);
        let text = lexer.line();
        let ctx = Ctx { no, text };
        let mut tokens = Vec::new();
        let mut lex_error = None;
        for token in lexer.by_ref() {
            match token {
                Ok(t) => tokens.push(t),
                Err(e) => lex_error = Some(e),
            }
        }
        if tokens.is_empty() && lex_error.is_none() {
            return;
        }
        let identified = match self.identify(&ctx, &tokens) {
            Ok(identified) => identified,
            Err(()) => return,
        };
        match (identified, lex_error) {
            (Identified::Command(..), Some(e)) => {
                self.error(&ctx, e.span, ConfigErrorKind::Lex(e.kind));
            }
            // Only the name of another kind of policy matters (R3); the rest is not ours to check.
            (Identified::OtherPolicy, _) => self.other_policy(&ctx, &tokens),
            (Identified::Unknown, _) => {
                let words = tokens.iter().take(3).map(|t| t.value.as_ref());
                let command = words.collect::<Vec<_>>().join(" ");
                self.ignore(no, IgnoreReason::UnknownCommand, command);
            }
            (Identified::Command(command, start), None) => {
                for t in &tokens {
                    if let TokenKind::QQuoted { delimiter } = t.kind
                        && t.is_nonstandard_qquote()
                    {
                        self.notice(no, NoticeKind::NonstandardQQuote { delimiter });
                    }
                }
                let args = split_args(tokens.get(start..).unwrap_or(&[]), text.len());
                self.command(&ctx, command, &args);
            }
        }
    }

    /// Resolves one command word; `Err` after reporting an ambiguity that matters.
    fn word(
        &mut self,
        ctx: &Ctx<'_>,
        token: Option<&Token<'_>>,
        table: &[&'static str],
        handled: &[&str],
        report: bool,
    ) -> Result<Option<&'static str>, ()> {
        let Some(token) = token.filter(|t| t.kind == TokenKind::Word) else {
            return Ok(None);
        };
        match resolve(&token.value, table) {
            Resolved::Found(w) => Ok(Some(w)),
            Resolved::Unknown => Ok(None),
            Resolved::Ambiguous(candidates) => {
                if report && candidates.iter().any(|c| handled.contains(c)) {
                    self.error(
                        ctx,
                        token.span,
                        ConfigErrorKind::AmbiguousWord {
                            word: token.value.clone().into_owned(),
                            candidates,
                        },
                    );
                    Err(())
                } else {
                    Ok(None)
                }
            }
        }
    }

    fn identify(&mut self, ctx: &Ctx<'_>, tokens: &[Token<'_>]) -> Result<Identified, ()> {
        let t0 = tokens.first();
        let t1 = tokens.get(1);
        let t2 = tokens.get(2);
        // Ambiguities are reported only when the neighbouring words are ours.
        let group_peek = t1.and_then(|t| match resolve(&t.value, GROUPS) {
            Resolved::Found(g) => Some(g),
            _ => None,
        });
        let verb_report = group_peek.is_some_and(|g| HANDLED_GROUPS.contains(&g));
        let verb = self.word(ctx, t0, VERBS, HANDLED_VERBS, verb_report)?;
        let verb_handled = verb.is_some_and(|v| HANDLED_VERBS.contains(&v));
        let group = self.word(ctx, t1, GROUPS, HANDLED_GROUPS, verb_handled)?;
        let objects: &[&'static str] = match group {
            Some("vpn") => VPN_OBJECTS,
            Some("aaa") => AAA_OBJECTS,
            Some("policy") => POLICY_OBJECTS,
            _ => &[],
        };
        let (object, start) = if group == Some("expression") {
            (None, 2)
        } else {
            let object = self.word(ctx, t2, objects, objects, verb_handled)?;
            (object, 3)
        };
        if let (Some(verb), Some(group)) = (verb, group)
            && let Some(command) = Command::lookup(verb, group, object)
        {
            return Ok(Identified::Command(command, start));
        }
        let is_other_policy = verb == Some("add")
            && t1.is_some_and(|t| t.kind == TokenKind::Word)
            && t2.is_some_and(|t| {
                t.kind == TokenKind::Word
                    && t.value.len() >= 6
                    && t.value
                        .get(t.value.len() - 6..)
                        .is_some_and(|s| s.eq_ignore_ascii_case("policy"))
            })
            && tokens.get(3).is_some();
        Ok(if is_other_policy {
            Identified::OtherPolicy
        } else {
            Identified::Unknown
        })
    }

    fn other_policy(&mut self, ctx: &Ctx<'_>, tokens: &[Token<'_>]) {
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

    fn command(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
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

    /// Checks the positional arguments (`min..=max`), reporting missing and extra ones, and returns
    /// those that are there (at most `max`).
    fn positional<'a, 't>(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        args: &Args<'a, 't>,
        min: usize,
        max: usize,
    ) -> &'a [Token<'t>] {
        let what = |n: usize| match (command, n) {
            (Command::AddPolicy, 1) => "a rule",
            (Command::AddPolicy, 2) => "an action",
            (Command::AddExpression | Command::SetExpression, 1) => "a value",
            (Command::AddVserver, 1) => "a service type",
            _ => "a name",
        };
        let have = args.positional.len();
        if have < min {
            self.error(
                ctx,
                args.after_positional,
                ConfigErrorKind::MissingArgument {
                    command: command.name(),
                    what: what(have),
                },
            );
        }
        for extra in args.positional.iter().skip(max) {
            self.error(
                ctx,
                extra.span,
                ConfigErrorKind::UnexpectedArgument {
                    command: command.name(),
                    argument: extra.value.clone().into_owned(),
                },
            );
        }
        args.positional.get(..have.min(max)).unwrap_or(&[])
    }

    /// The object a `set`/`unset`/`rm` line names, reporting it when undefined (R4).
    fn target(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        args: &Args<'_, '_>,
        max: usize,
        find: impl Fn(&Self, &str) -> Option<usize>,
    ) -> Option<usize> {
        let name = self.positional(ctx, command, args, 1, max).first()?;
        let found = find(self, &name.value);
        if found.is_none() {
            let kind = match command {
                Command::SetAction | Command::UnsetAction | Command::RmAction => "session action",
                Command::SetPolicy | Command::RmPolicy => "session policy",
                Command::SetExpression | Command::RmExpression => "expression",
                Command::SetVserver => "vserver",
                _ => "aaa group",
            };
            self.error(
                ctx,
                name.span,
                ConfigErrorKind::Undefined {
                    kind,
                    name: name.value.clone().into_owned(),
                },
            );
        }
        found
    }

    fn insert<T: Named>(
        &mut self,
        ctx: &Ctx<'_>,
        span: Span,
        kind: &'static str,
        item: T,
        slots: impl Fn(&mut Self) -> &mut Slots<T>,
    ) {
        let name = item.name().to_owned();
        if let Err(first_line) = slots(self).insert(item) {
            self.error(
                ctx,
                span,
                ConfigErrorKind::Duplicate {
                    kind,
                    name,
                    first_line,
                },
            );
        }
    }

    /// Resolves an option name strictly against `table`, reporting unknown and ambiguous names.
    fn strict_option(
        &mut self,
        ctx: &Ctx<'_>,
        command: Command,
        opt: &Opt<'_, '_>,
        table: &[&'static str],
    ) -> Option<&'static str> {
        match resolve(&opt.name.value, table) {
            Resolved::Found(name) => Some(name),
            Resolved::Unknown => {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::UnknownOption {
                        command: command.name(),
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                None
            }
            Resolved::Ambiguous(candidates) => {
                self.ambiguous_option(ctx, opt, candidates);
                None
            }
        }
    }

    fn ambiguous_option(
        &mut self,
        ctx: &Ctx<'_>,
        opt: &Opt<'_, '_>,
        candidates: Vec<&'static str>,
    ) {
        self.error(
            ctx,
            opt.name.span,
            ConfigErrorKind::AmbiguousOption {
                option: opt.name.value.clone().into_owned(),
                candidates,
            },
        );
    }

    /// The single value of an option, reporting a missing or extra value.
    fn one_value<'a, 't>(&mut self, ctx: &Ctx<'_>, opt: &Opt<'a, 't>) -> Option<&'a Token<'t>> {
        match opt.values {
            [] => {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::MissingValue {
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                None
            }
            [value] => Some(value),
            [first, extra, ..] => {
                self.error(
                    ctx,
                    extra.span,
                    ConfigErrorKind::TooManyValues {
                        option: opt.name.value.clone().into_owned(),
                        expected: "one value",
                    },
                );
                Some(first)
            }
        }
    }

    /// Reports a value given to a flag option.
    fn no_value(&mut self, ctx: &Ctx<'_>, opt: &Opt<'_, '_>) {
        if let Some(extra) = opt.values.first() {
            self.error(
                ctx,
                extra.span,
                ConfigErrorKind::TooManyValues {
                    option: opt.name.value.clone().into_owned(),
                    expected: "no value",
                },
            );
        }
    }

    /// Reports an option already seen on this line; returns whether it is new.
    fn first_time(
        &mut self,
        ctx: &Ctx<'_>,
        seen: &mut Vec<String>,
        name: &str,
        opt: &Opt<'_, '_>,
    ) -> bool {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            self.error(
                ctx,
                opt.name.span,
                ConfigErrorKind::DuplicateOption {
                    option: name.to_owned(),
                },
            );
            false
        } else {
            seen.push(name.to_owned());
            true
        }
    }

    /// Reads lenient options (known names normalised, unknown ones kept as written) with values.
    fn lenient_options(
        &mut self,
        ctx: &Ctx<'_>,
        args: &Args<'_, '_>,
        table: &[&'static str],
    ) -> Vec<(String, String, Span)> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for opt in &args.options {
            let name = match resolve(&opt.name.value, table) {
                Resolved::Found(name) => name.to_owned(),
                Resolved::Unknown => opt.name.value.clone().into_owned(),
                Resolved::Ambiguous(candidates) => {
                    self.ambiguous_option(ctx, opt, candidates);
                    continue;
                }
            };
            if !self.first_time(ctx, &mut seen, &name, opt) {
                continue;
            }
            let Some(last) = opt.values.last() else {
                self.error(
                    ctx,
                    opt.name.span,
                    ConfigErrorKind::MissingValue {
                        option: opt.name.value.clone().into_owned(),
                    },
                );
                continue;
            };
            // List-valued parameters (`-forceCleanup cookie history`) are joined with blanks.
            let value = opt
                .values
                .iter()
                .map(|t| t.value.as_ref())
                .collect::<Vec<_>>()
                .join(" ");
            out.push((name, value, last.span));
        }
        out
    }

    fn session_params(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) -> Vec<(String, String)> {
        self.lenient_options(ctx, args, SESSION_PARAMETERS)
            .into_iter()
            .map(|(n, v, _)| (n, v))
            .collect()
    }

    /// The parameter names of an `unset` line (options without values).
    fn unset_names(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) -> Vec<String> {
        let mut names = Vec::new();
        for opt in &args.options {
            self.no_value(ctx, opt);
            match resolve(&opt.name.value, SESSION_PARAMETERS) {
                Resolved::Found(name) => names.push(name.to_owned()),
                Resolved::Unknown => names.push(opt.name.value.clone().into_owned()),
                Resolved::Ambiguous(candidates) => self.ambiguous_option(ctx, opt, candidates),
            }
        }
        names
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
            self.notice(ctx.no, NoticeKind::BuiltinObject { name: name.clone() });
        }
        let action = SessionAction {
            name,
            params,
            line: ctx.no,
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
                ctx.no,
                NoticeKind::BuiltinObject {
                    name: name_text.clone(),
                },
            );
        }
        let policy = SessionPolicy {
            name: name_text,
            rule: rule_text(ctx, rule),
            action: action.value.clone().into_owned(),
            line: ctx.no,
            builtin,
        };
        self.insert(ctx, name.span, "session policy", policy, |r| {
            &mut r.policies
        });
    }

    fn set_policy(&mut self, ctx: &Ctx<'_>, args: &Args<'_, '_>) {
        let target = self.target(ctx, Command::SetPolicy, args, 1, |r, n| r.policies.find(n));
        let mut seen = Vec::new();
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
                action = Some(value.value.clone().into_owned());
            }
        }
        if let Some(policy) = target.and_then(|i| self.policies.get_mut(i)) {
            if let Some(rule) = rule {
                policy.rule = rule;
            }
            if let Some(action) = action {
                policy.action = action;
            }
        }
    }

    fn expression(&mut self, ctx: &Ctx<'_>, command: Command, args: &Args<'_, '_>) {
        let positional = self.positional(ctx, command, args, 2, 2);
        let mut seen = Vec::new();
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
        let mut seen = Vec::new();
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

    fn number(
        &mut self,
        ctx: &Ctx<'_>,
        token: &Token<'_>,
        option: &'static str,
        max: u32,
    ) -> Option<u32> {
        let parsed = if token.value.bytes().all(|b| b.is_ascii_digit()) {
            token.value.parse::<u32>().ok().filter(|&n| n <= max)
        } else {
            None
        };
        if parsed.is_none() {
            self.error(
                ctx,
                token.span,
                ConfigErrorKind::BadNumber {
                    option,
                    value: token.value.clone().into_owned(),
                    max,
                },
            );
        }
        parsed
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
            .map(|t| t.value.clone().into_owned());
        let mut seen = Vec::new();
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
                _ => policy = Some(value.value.clone().into_owned()),
            }
        }
        let point = match (command, point_name) {
            (Command::BindGlobal, _) => BindPoint::Global,
            (Command::BindUser, Some(n)) => BindPoint::User(n),
            (Command::BindGroup, Some(n)) => BindPoint::Group(n),
            (_, Some(n)) => BindPoint::Vserver(n),
            (_, None) => return,
        };
        if let (Some(policy), true) = (policy, priority_ok) {
            self.binds.push(PendingBind {
                point,
                policy,
                priority,
                goto,
                bind_type,
                line: ctx.no,
            });
        }
    }

    /// A bind form without a policy: group membership, or ignored (section 3.4).
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

    /// The second pass (R4): compacts the objects, resolves binds and memberships, and adds the
    /// notices that need the whole file.
    fn finish(mut self) -> Read {
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
        let mut missing_vservers = HashSet::new();
        let mut bound = HashSet::new();
        for pending in self.binds {
            if let BindPoint::Vserver(vs) = &pending.point
                && config.vserver(vs).is_none()
                && missing_vservers.insert(vs.clone())
            {
                self.notices.push(Notice {
                    line: pending.line,
                    kind: NoticeKind::UndefinedVserver {
                        vserver: vs.clone(),
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
                    },
                }),
            };
            if let Some(kind) = kind {
                self.notices.push(Notice {
                    line: pending.line,
                    kind,
                });
                continue;
            }
            let policy = resolved.unwrap_or(pending.policy);
            if builtin {
                self.notices.push(Notice {
                    line: pending.line,
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
                    line: policy.line,
                    kind: NoticeKind::UndefinedAction {
                        policy: policy.name.clone(),
                        action: policy.action.clone(),
                    },
                });
            }
            if !bound.contains(&policy.name) {
                self.notices.push(Notice {
                    line: policy.line,
                    kind: NoticeKind::UnboundPolicy {
                        policy: policy.name.clone(),
                    },
                });
            }
        }
        self.notices.sort_by_key(|n| n.line);
        Read {
            config,
            errors: self.errors,
            notices: self.notices,
        }
    }
}

/// A rule or expression token as a [`RuleText`] with the position of its text.
fn rule_text(ctx: &Ctx<'_>, token: &Token<'_>) -> RuleText {
    let start = token.content_start();
    let column = ctx.text.get(..start).map_or(0, |s| s.chars().count()) + 1;
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
    fn resolve_prefers_exact_then_unique_prefix() {
        assert_eq!(resolve("SET", VERBS), Resolved::Found("set"));
        assert_eq!(resolve("ad", VERBS), Resolved::Found("add"));
        assert!(matches!(resolve("s", VERBS), Resolved::Ambiguous(_)));
        assert_eq!(resolve("xyz", VERBS), Resolved::Unknown);
        assert_eq!(resolve("expr", GROUPS), Resolved::Found("expression"));
        assert_eq!(resolve("pol", GROUPS), Resolved::Found("policy"));
        assert_eq!(
            resolve("prio", VSERVER_BIND_OPTIONS),
            Resolved::Found("priority")
        );
        assert_eq!(
            resolve("policy", GLOBAL_BIND_OPTIONS),
            Resolved::Found("policyName")
        );
        assert_eq!(resolve("é", VERBS), Resolved::Unknown);
    }

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
