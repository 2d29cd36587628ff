//! Ordering and merge across user, group, vserver and global bindings (D17), group order (D19),
//! unknown policies (D20) and advanced gotos (D18).

use nsexpr::config::Config;
use nsexpr::eval::ContextInput;
use nsexpr::eval::HeaderList;
use nsexpr::sim::{Assumption, Dependency, GroupOrder, Report, SimOptions, Simulator, Warning};
use nsexpr::{Context, Verdict};

const CONF: &str = r#"
add vpn vserver VS SSL 192.0.2.10 443
add aaa group Staff -weight 20
add aaa group Admins -weight 10
add vpn sessionAction A_USER -icaProxy ON -sessTimeout 10
add vpn sessionAction A_GROUP_STAFF -icaProxy OFF -splitTunnel ON -wihome "https://staff"
add vpn sessionAction A_GROUP_ADMINS -splitTunnel REVERSE -wihome "https://admins"
add vpn sessionAction A_VS -sessTimeout 60 -homePage "https://vs" -wihome "https://vs"
add vpn sessionAction A_GLOBAL -homePage "https://global" -ntDomain corp
add vpn sessionAction A_NOPRIO -ClientChoices ON
add vpn sessionPolicy P_USER ns_true A_USER
add vpn sessionPolicy P_STAFF ns_true A_GROUP_STAFF
add vpn sessionPolicy P_ADMINS ns_true A_GROUP_ADMINS
add vpn sessionPolicy P_VS "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver" A_VS
add vpn sessionPolicy P_GLOBAL ns_true A_GLOBAL
add vpn sessionPolicy P_NOPRIO ns_true A_NOPRIO
bind vpn vserver VS -policy P_VS -priority 100
bind aaa user alice -policy P_USER -priority 100
bind aaa group Staff -policy P_STAFF -priority 100
bind aaa group Admins -policy P_ADMINS -priority 100
bind vpn global -policyName P_GLOBAL -priority 1
bind vpn global -policyName P_NOPRIO
set vpn parameter -sessTimeout 120 -ntDomain global.example
"#;

/// Who is logging on, as the context carries it.
struct Identity {
    user: Option<String>,
    groups: Vec<String>,
}

impl Identity {
    fn nobody() -> Identity {
        Identity {
            user: None,
            groups: Vec::new(),
        }
    }
}

fn simulate(
    conf: &str,
    identity: Identity,
    options: SimOptions,
    ua: &str,
    ctx: Option<&Context>,
) -> Report {
    let read = Config::read(conf, "test.conf");
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let sim = Simulator::new(&read.config, None, options).expect("simulator");
    let headers = [("User-Agent", ua.as_bytes())];
    let req = HeaderList {
        method: b"POST",
        target: b"/cgi/login",
        version: b"HTTP/1.1",
        headers: &headers,
        carried: None,
    };
    let mut context = ctx.cloned().unwrap_or_default();
    context.user = identity.user;
    context.groups = Some(identity.groups);
    sim.simulate_with(&req, &context)
}

fn alice(groups: &[&str]) -> Identity {
    Identity {
        user: Some("alice".into()),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

fn names(report: &Report) -> Vec<&str> {
    report.policies.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn priority_beats_bind_level_and_ties_go_user_group_vserver_global() {
    let r = simulate(
        CONF,
        alice(&["Staff"]),
        SimOptions::default(),
        "CitrixReceiver/1",
        None,
    );
    // No -priority = 0 (D17) first; global 1 beats user 100 (DOC-BINDPRIO); at 100: user, group, vserver.
    assert_eq!(
        names(&r),
        ["P_NOPRIO", "P_GLOBAL", "P_USER", "P_STAFF", "P_VS"]
    );
    assert_eq!(
        r.applied,
        ["P_NOPRIO", "P_GLOBAL", "P_USER", "P_STAFF", "P_VS"]
    );
    assert_eq!(r.winner.as_deref(), Some("P_NOPRIO"));
    // Per-parameter merge: the first applying policy that sets a parameter wins.
    let from = |k: &str| {
        r.profile_entry(k)
            .map(|e| (e.value.clone(), e.from.clone()))
    };
    assert_eq!(from("icaProxy"), Some((Some("ON".into()), "P_USER".into())));
    assert_eq!(
        from("splitTunnel"),
        Some((Some("ON".into()), "P_STAFF".into()))
    );
    assert_eq!(
        from("homePage"),
        Some((Some("https://global".into()), "P_GLOBAL".into()))
    );
    assert_eq!(
        from("sessTimeout"),
        Some((Some("10".into()), "P_USER".into()))
    );
    assert_eq!(
        from("ntDomain"),
        Some((Some("corp".into()), "P_GLOBAL".into()))
    );
    assert_eq!(
        from("ClientChoices"),
        Some((Some("ON".into()), "P_NOPRIO".into()))
    );
    assert_eq!(
        from("wihome"),
        Some((Some("https://staff".into()), "P_STAFF".into()))
    );
    // Not set by any policy: `set vpn parameter`, then the built-in default.
    assert_eq!(from("SSO"), Some((Some("OFF".into()), "default".into())));
}

#[test]
fn other_users_do_not_get_user_bindings() {
    let r = simulate(
        CONF,
        Identity::nobody(),
        SimOptions::default(),
        "Mozilla/5.0",
        None,
    );
    assert_eq!(names(&r), ["P_NOPRIO", "P_GLOBAL", "P_VS"]);
    assert_eq!(r.applied, ["P_NOPRIO", "P_GLOBAL"]);
    assert_eq!(r.value("sessTimeout"), Some("120"));
    assert_eq!(
        r.profile_entry("sessTimeout").map(|e| e.from.as_str()),
        Some("set vpn parameter")
    );
    assert_eq!(r.value("wihome"), None, "unset everywhere");
}

#[test]
fn group_order_follows_weight_when_configured_else_the_caller() {
    // D19: Admins (weight 10) before Staff (weight 20) although the caller lists Staff first.
    let r = simulate(
        CONF,
        alice(&["Staff", "Admins"]),
        SimOptions::default(),
        "x",
        None,
    );
    let groups: Vec<&str> = r
        .policies
        .iter()
        .filter(|p| p.bind_point == "group")
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(groups, ["P_ADMINS", "P_STAFF"]);
    assert_eq!(r.value("splitTunnel"), Some("REVERSE"));
    assert!(r.assumptions.contains(&Assumption::GroupOrder));
    let mut caller = SimOptions::default();
    caller.group_order = Some(GroupOrder::Caller);
    let r = simulate(CONF, alice(&["Staff", "Admins"]), caller, "x", None);
    let groups: Vec<&str> = r
        .policies
        .iter()
        .filter(|p| p.bind_point == "group")
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(groups, ["P_STAFF", "P_ADMINS"]);
    assert_eq!(r.value("splitTunnel"), Some("ON"));
}

#[test]
fn same_priority_same_level_keeps_config_order() {
    let conf = "add vpn vserver VS SSL 192.0.2.10 443\n\
        add vpn sessionAction A1 -icaProxy ON\nadd vpn sessionAction A2 -icaProxy OFF\n\
        add vpn sessionPolicy P2 ns_true A2\nadd vpn sessionPolicy P1 ns_true A1\n\
        bind vpn vserver VS -policy P2 -priority 5\nbind vpn vserver VS -policy P1 -priority 5\n";
    let r = simulate(conf, Identity::nobody(), SimOptions::default(), "x", None);
    assert_eq!(r.applied, ["P2", "P1"]);
    assert_eq!(r.value("icaProxy"), Some("OFF"));
}

#[test]
fn unknown_policies_are_reported_with_candidates_never_as_false() {
    let conf = "add vpn vserver VS SSL 192.0.2.10 443\n\
        add vpn sessionAction NET -splitTunnel ON -icaProxy OFF\nadd vpn sessionAction ALL -icaProxy OFF\n\
        add vpn sessionPolicy INTERNAL \"REQ.IP.SOURCEIP == 10.0.0.0 -netmask 255.0.0.0\" NET\n\
        add vpn sessionPolicy EVERYONE ns_true ALL\n\
        bind vpn vserver VS -policy INTERNAL -priority 50\nbind vpn vserver VS -policy EVERYONE -priority 60\n";
    let r = simulate(conf, Identity::nobody(), SimOptions::default(), "x", None);
    let internal = &r.policies[0];
    assert_eq!(
        (internal.name.as_str(), internal.verdict),
        ("INTERNAL", Verdict::Unknown)
    );
    assert_eq!(
        internal.depends_on,
        [Dependency::Input(ContextInput::ClientIp)]
    );
    assert_eq!(r.applied, ["EVERYONE"]);
    assert_eq!(r.winner_uncertain_because, ["INTERNAL"]);
    let split = r.profile_entry("splitTunnel").expect("splitTunnel");
    assert_eq!(split.value.as_deref(), Some("OFF"));
    assert_eq!(split.from, "default");
    assert_eq!(split.depends_on_unknown.len(), 1);
    assert_eq!(split.depends_on_unknown[0].value, "ON");
    // Even where both candidates coincide (icaProxy OFF either way), the dependence is reported.
    assert_eq!(
        r.profile_entry("icaProxy")
            .map(|e| e.depends_on_unknown.len()),
        Some(1)
    );
    let ctx = Context::with_client_ip("10.1.2.3".parse().expect("ip"));
    let r = simulate(
        conf,
        Identity::nobody(),
        SimOptions::default(),
        "x",
        Some(&ctx),
    );
    assert_eq!(r.applied, ["INTERNAL", "EVERYONE"]);
    assert_eq!(r.value("splitTunnel"), Some("ON"));
}

#[test]
fn advanced_policies_follow_goto_end_and_next() {
    let conf = "add vpn vserver VS SSL 192.0.2.10 443\n\
        add vpn sessionAction A1 -icaProxy ON\nadd vpn sessionAction A2 -splitTunnel ON\nadd vpn sessionAction A3 -wihome \"https://x\"\n\
        add vpn sessionPolicy P1 true A1\nadd vpn sessionPolicy P2 true A2\nadd vpn sessionPolicy P3 true A3\n\
        bind vpn vserver VS -policy P1 -priority 10 -gotoPriorityExpression NEXT\n\
        bind vpn vserver VS -policy P2 -priority 20 -gotoPriorityExpression END\n\
        bind vpn vserver VS -policy P3 -priority 30\n";
    let r = simulate(conf, Identity::nobody(), SimOptions::default(), "x", None);
    assert_eq!(r.applied, ["P1", "P2"]);
    assert!(r.policies[2].skipped);
    assert_eq!(r.value("wihome"), None);
    assert!(r.assumptions.contains(&Assumption::AdvancedWalk));
}

#[test]
fn warnings_cover_mixed_operators_unknown_names_and_ica_only() {
    let conf = "add vpn vserver VS SSL 192.0.2.10 443 -icaOnly ON\n\
        add vpn sessionAction FULL -transparentInterception ON\n\
        add vpn sessionPolicy MIX \"REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS && ns_true\" FULL\n\
        add vpn sessionPolicy NAMED no_such_expression FULL\n\
        add vpn sessionPolicy ALWAYS ns_true FULL\n\
        bind vpn vserver VS -policy MIX -priority 1\nbind vpn vserver VS -policy NAMED -priority 2\nbind vpn vserver VS -policy ALWAYS -priority 3\n";
    let r = simulate(conf, Identity::nobody(), SimOptions::default(), "x", None);
    let w = &r.warnings;
    assert!(
        w.iter()
            .any(|w| matches!(w, Warning::MixedAndOr { policy, .. } if policy == "MIX")),
        "{w:?}"
    );
    assert!(
        w.iter().any(|w| matches!(
            w,
            Warning::RuleDoesNotCompile { policy, unknown_name: true, .. } if policy == "NAMED"
        )),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| matches!(w, Warning::IcaOnlyFullVpn { vserver } if vserver == "VS")),
        "{w:?}"
    );
    assert_eq!(r.policies[1].verdict, Verdict::Unknown);
}
