//! The ns.conf vocabulary: the command words, object types and option names the reader knows,
//! the commands it models, and the lookup that accepts abbreviations (R1).

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

pub(super) const VERBS: &[&str] = &[
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
pub(super) const HANDLED_VERBS: &[&str] = &["add", "bind", "rm", "set", "unset"];

pub(super) const GROUPS: &[&str] = &[
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
pub(super) const HANDLED_GROUPS: &[&str] = &["aaa", "expression", "policy", "vpn"];

pub(super) const VPN_OBJECTS: &[&str] = &[
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
pub(super) const AAA_OBJECTS: &[&str] = &[
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
pub(super) const POLICY_OBJECTS: &[&str] = &[
    "dataset",
    "expression",
    "httpCallout",
    "map",
    "param",
    "patset",
    "stringmap",
    "urlset",
];

pub(super) const VSERVER_OPTIONS: &[&str] = &[
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

pub(super) const VSERVER_BIND_OPTIONS: &[&str] = &[
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
pub(super) const GLOBAL_BIND_OPTIONS: &[&str] = &[
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
pub(super) const USER_BIND_OPTIONS: &[&str] = &[
    "policy",
    "priority",
    "type",
    "gotoPriorityExpression",
    "intranetApplication",
    "urlName",
    "intranetIP",
    "intranetIP6",
];
pub(super) const GROUP_BIND_OPTIONS: &[&str] = &[
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
pub(super) const POLICY_BIND_OPTIONS: &[&str] = &[
    "policy",
    "policyName",
    "priority",
    "secondary",
    "groupExtraction",
    "gotoPriorityExpression",
    "type",
];

/// Largest `-priority` (advanced policies; docs/semantics.md#gateway-commands).
pub(super) const MAX_PRIORITY: u32 = 2_147_483_647;
/// Options of `add policy patset` and `bind policy patset` (D32); only `-index` matters.
pub(super) const PATSET_OPTIONS: &[&str] = &["comment", "index", "charset"];

/// Largest `-weight` of `add aaa group` (docs/semantics.md#gateway-commands).
pub(super) const MAX_WEIGHT: u32 = 65_535;

/// The commands the reader models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Command {
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
    AddPatset,
    BindPatset,
    RmPatset,
}

impl Command {
    pub(super) fn name(self) -> &'static str {
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
            Command::AddPatset => "add policy patset",
            Command::BindPatset => "bind policy patset",
            Command::RmPatset => "rm policy patset",
        }
    }

    pub(super) fn lookup(verb: &str, group: &str, object: Option<&str>) -> Option<Command> {
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
            ("add", "policy", Some("patset")) => AddPatset,
            ("bind", "policy", Some("patset")) => BindPatset,
            ("rm", "policy", Some("patset")) => RmPatset,
            _ => return None,
        })
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
}
