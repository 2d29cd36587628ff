//! Loads every example config of `corpus/configs/` (spec section 5) and checks what was read.

use std::path::Path;

use nsexpr::config::{BindPoint, Config, IgnoreReason, Loaded, NoticeKind, Severity};

fn load(name: &str) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/configs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let read = Config::read(&text, name);
    let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    read
}

/// `(bind point, policy, priority)` of every bind, in file order.
fn binds(config: &Config) -> Vec<(BindPoint, &str, Option<u32>)> {
    config
        .binds()
        .iter()
        .map(|b| (b.point.clone(), b.policy.as_str(), b.priority))
        .collect()
}

fn vs(name: &str) -> BindPoint {
    BindPoint::Vserver(name.to_owned())
}

#[test]
fn every_corpus_file_loads_without_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/configs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".conf"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "bootstrap-bound.conf",
            "ctx139319.conf",
            "mixed-upgrade.conf",
            "nfactor-groups.conf",
            "ns101-wizard.conf",
            "stalhood.conf",
            "storefront-wizard-13.conf",
            "storefront-wizard.conf",
            "unknown-rule.conf",
            "xenmobile.conf"
        ]
    );
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            text.starts_with("# Source: "),
            "{name} must name its source"
        );
        let read = load(name);
        assert!(
            read.notices.iter().all(|n| !matches!(
                n.kind,
                NoticeKind::UndefinedAction { .. } | NoticeKind::NonstandardQQuote { .. }
            )),
            "{name}: {:?}",
            read.notices
        );
    }
}

#[test]
fn storefront_wizard() {
    let read = load("storefront-wizard.conf");
    let c = &read.config;
    assert_eq!(c.vservers().len(), 1);
    assert_eq!(c.session_actions().len(), 2);
    assert_eq!(c.session_policies().len(), 2);
    assert_eq!(
        binds(c),
        [
            (vs("SkynetVS"), "PL_OS_10.108.151.3", Some(100)),
            (vs("SkynetVS"), "PL_WB_10.108.151.3", Some(100)),
        ]
    );
    // `bind vpn vserver ... -staServer` is not a policy bind (section 3.4).
    assert_eq!(c.ignored().len(), 1);
    assert_eq!(
        c.ignored().first().map(|i| i.reason),
        Some(IgnoreReason::NotAPolicyBind)
    );
    assert_eq!(c.ignored().first().map(|i| i.line), Some(11));
    let vserver = c.vserver("SkynetVS").expect("vserver");
    assert_eq!(vserver.service_type, "SSL");
    assert_eq!(vserver.ip.as_deref(), Some("10.108.151.3"));
    assert_eq!(vserver.port.as_deref(), Some("443"));
    assert_eq!(vserver.ica_only, None);
    let os = c.session_action("AC_OS_10.108.151.3_S_").expect("action");
    let names: Vec<&str> = os.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "transparentInterception",
            "splitTunnel",
            "defaultAuthorizationAction",
            "SSO",
            "icaProxy",
            "ntDomain",
            "clientlessVpnMode",
            "ClientChoices",
            "wihome",
            "storefronturl"
        ]
    );
    assert_eq!(
        os.param("wihome"),
        Some("https://10.108.156.7/Citrix/StoreWeb")
    );
    let wb = c.session_action("AC_WB_10.108.151.3_S_").expect("action");
    assert_eq!(wb.param("storefronturl"), None);
    let policy = c.session_policy("PL_WB_10.108.151.3").expect("policy");
    assert_eq!(
        policy.rule.text,
        "REQ.HTTP.HEADER User-Agent NOTCONTAINS CitrixReceiver && REQ.HTTP.HEADER Referer EXISTS"
    );
    assert_eq!((policy.rule.line, policy.rule.column), (8, 43));
    assert_eq!(policy.action, "AC_WB_10.108.151.3_S_");
    assert_eq!(policy.line, 8);
}

#[test]
fn ns101_wizard() {
    let read = load("ns101-wizard.conf");
    let c = &read.config;
    assert_eq!(c.vservers().len(), 1);
    assert_eq!(c.session_actions().len(), 4);
    assert_eq!(c.session_policies().len(), 4);
    let vserver = c.vserver("AGEE").expect("vserver");
    assert_eq!(vserver.ica_only, Some(true));
    assert_eq!(
        vserver.options,
        [("maxAAAUsers".to_owned(), "99".to_owned())]
    );
    // The clientless access policy is a policy of another kind (R3).
    assert_eq!(c.other_policies().len(), 1);
    let other = c.other_policy("CLIENTLESS_POL_10.0.0.176").expect("other");
    assert_eq!(other.kind, "vpn clientlessAccessPolicy");
    assert_eq!(
        binds(c),
        [
            (vs("AGEE"), "POLICY_PNA_10.0.0.176", Some(100)),
            (vs("AGEE"), "POLICY_WEB_10.0.0.176", Some(110)),
            (vs("AGEE"), "POLICY_OS_10.0.0.176", Some(120)),
            (vs("AGEE"), "POLICY_AG_PLUGIN_10.0.0.176", Some(130)),
        ]
    );
    let params = c.vpn_parameters();
    assert_eq!(params.len(), 16);
    assert_eq!(c.vpn_parameter("sessTimeout"), Some("120"));
    assert_eq!(c.vpn_parameter("uitheme"), Some("DEFAULT"));
    assert_eq!(c.vpn_parameter("clientOptions"), Some("all"));
    assert_eq!(
        c.vpn_parameter("wihome"),
        Some("https://storefront.example.local/Citrix/XenAppWeb")
    );
    assert_eq!(params.first().map(|(k, _)| k.as_str()), Some("sessTimeout"));
    let plugin = c
        .session_action("ACT_AG_PLUGIN_10.0.0.176")
        .expect("action");
    assert_eq!(plugin.param("splitTunnel"), Some("ON"));
    assert_eq!(plugin.param("SSO"), None);
    assert!(c.ignored().is_empty());
}

#[test]
fn ctx139319() {
    let read = load("ctx139319.conf");
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 4);
    assert_eq!(c.session_policies().len(), 4);
    assert_eq!(
        binds(c),
        [
            (vs("GW_VS"), "WorxHome_pol", Some(110)),
            (vs("GW_VS"), "receiverWindows_pol", Some(120)),
            (vs("GW_VS"), "webBrowser_pol", Some(130)),
            (vs("GW_VS"), "internalSites_pol", Some(140)),
        ]
    );
    let worx = c.session_policy("WorxHome_pol").expect("policy");
    assert_eq!(
        worx.rule.text,
        "REQ.HTTP.HEADER User-Agent CONTAINS zenprise || REQ.HTTP.HEADER User-Agent CONTAINS Android"
    );
    let act = c.session_action("internalSites_act").expect("action");
    assert_eq!(act.param("splitTunnel"), Some("ON"));
    assert_eq!(act.param("SecureBrowse"), Some("ENABLED"));
    assert_eq!(act.params.len(), 10);
    assert_eq!(c.ignored().len(), 1);
}

#[test]
fn stalhood_quoted_names() {
    let read = load("stalhood.conf");
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 2);
    assert_eq!(c.session_policies().len(), 2);
    let policy = c.session_policy("Receiver Self-Service").expect("policy");
    assert_eq!(policy.action, "Receiver Self-Service");
    assert_eq!(
        policy.rule.text,
        "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver"
    );
    assert!(c.action_of(policy).is_some());
    let web = c.session_action("Receiver for Web").expect("action");
    assert_eq!(web.params.len(), 6);
    assert_eq!(
        binds(c),
        [
            (vs("GW_VS"), "Receiver Self-Service", Some(100)),
            (vs("GW_VS"), "Receiver for Web", Some(110)),
        ]
    );
    // The vserver is not part of the fragment.
    assert!(read.notices.iter().any(|n| n.kind
        == NoticeKind::UndefinedVserver {
            vserver: "GW_VS".to_owned(),
            nearest: None
        }));
}

#[test]
fn bootstrap_bound() {
    let read = load("bootstrap-bound.conf");
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 6);
    assert_eq!(c.session_policies().len(), 8);
    assert_eq!(c.users().len(), 1);
    assert_eq!(c.other_policies().len(), 4);
    // Binds of authentication and authorization policies are ignored (R3).
    assert_eq!(
        binds(c),
        [
            (
                BindPoint::User("localadmin".into()),
                "POLICY_WEB_10.0.0.176",
                Some(100)
            ),
            (vs("AGEE"), "NativeReceiver Policy", Some(10)),
            (vs("AGEE"), "SF_Web", Some(20)),
        ]
    );
    let r3: Vec<&str> = read
        .notices
        .iter()
        .filter_map(|n| match &n.kind {
            NoticeKind::NonSessionPolicyBind { policy, .. } => Some(policy.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(r3, ["auth_allow_access", "LDAP1", "LDAP2"]);
    // Unbound policies are the only warnings: a policy bound nowhere never applies.
    assert!(
        read.notices.iter().all(|n| n.severity() == Severity::Info
            || matches!(n.kind, NoticeKind::UnboundPolicy { .. }))
    );
    let unbound: Vec<&str> = read
        .notices
        .iter()
        .filter_map(|n| match &n.kind {
            NoticeKind::UnboundPolicy { policy } => Some(policy.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        unbound,
        [
            "POLICY_PNA_10.0.0.176",
            "POLICY_OS_10.0.0.176",
            "POLICY_AG_PLUGIN_10.0.0.176",
            "SSLVPN_Storefront_Pol",
            "Test"
        ]
    );
    let test = c.session_policy("Test").expect("policy");
    assert_eq!(test.rule.text, "ns_true");
    assert_eq!(c.vpn_parameter("windowsAutoLogon"), Some("ON"));
    let native = c.session_action("NativeReceiver").expect("action");
    assert_eq!(
        native.param("storefronturl"),
        Some("https://StoreFront.example.local/Citrix/Roaming/Accounts")
    );
}

#[test]
fn unknown_rule() {
    let read = load("unknown-rule.conf");
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 5);
    assert_eq!(c.session_policies().len(), 5);
    assert_eq!(c.binds().len(), 5);
    let internal = c.session_policy("INTERNAL_NET").expect("policy");
    assert_eq!(
        internal.rule.text,
        "REQ.IP.SOURCEIP == 10.0.0.0 -netmask 255.0.0.0"
    );
    let bind = c.binds().last().expect("bind");
    assert_eq!(bind.policy, "INTERNAL_NET");
    assert_eq!(bind.effective_priority(), 50);
}

#[test]
fn xenmobile() {
    let read = load("xenmobile.conf");
    let c = &read.config;
    assert_eq!(c.vservers().len(), 1);
    assert_eq!(c.session_actions().len(), 3);
    assert_eq!(c.session_policies().len(), 3);
    assert_eq!(
        binds(c),
        [
            (vs("gw_xm"), "PL_XM", Some(90)),
            (vs("gw_xm"), "PL_SF_WEB", Some(100)),
            (vs("gw_xm"), "PL_SF_RECEIVER", Some(110)),
        ]
    );
    let xm = c.session_action("AC_XM").expect("action");
    assert_eq!(xm.params.len(), 14);
    assert_eq!(
        xm.param("storefronturl"),
        Some("https://xm.example.com:8443")
    );
    assert_eq!(xm.param("forcedTimeout"), Some("1440"));
    assert_eq!(xm.param("wihome"), None);
    let receiver = c.session_action("AC_SF_RECEIVER").expect("action");
    assert_eq!(receiver.param("icaProxy"), Some("ON"));
    assert!(read.notices.is_empty(), "{:?}", read.notices);
}
