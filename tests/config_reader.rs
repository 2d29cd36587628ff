//! Reader behaviour: R1 prefixes and case, R2 line handling, R3 non-session binds, R4 two passes,
//! R6 built-ins, set/unset/rm, bind points and their options.

use nsexpr::config::{
    BindPoint, Config, ConfigErrorKind, IgnoreReason, Loaded, Notice, NoticeKind, Severity,
    builtin_defaults, is_builtin_policy,
};

fn read_ok(text: &str) -> Loaded {
    let read = Config::read(text, "t.conf");
    let errors: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    read
}

#[test]
fn r1_command_words_and_options_take_case_and_prefixes() {
    let read = read_ok(
        "ADD VPN SESSIONACTION AC -ICAPROXY ON -sso on -storeF \"https://sf\"\n\
         ad vpn sessionP PL ns_true AC\n\
         add expr E1 \"REQ.HTTP.HEADER X EXISTS\"\n\
         add pol expression E2 ns_true -comm \"a comment\"\n\
         add expression E3 ns_false -clientSecurityMessage msg\n\
         bind vpn vs GW -pol PL -prio 7 -goto NEXT\n\
         bind vpn glob -policy PL -priority 9\n",
    );
    let c = &read.config;
    let action = c.session_action("AC").expect("action");
    assert_eq!(
        action.params,
        [
            ("icaProxy".to_owned(), "ON".to_owned()),
            ("SSO".to_owned(), "ON".to_owned()),
            ("storefronturl".to_owned(), "https://sf".to_owned()),
        ]
    );
    assert!(c.session_policy("PL").is_some());
    let names: Vec<(&str, &str)> = c
        .named_expressions()
        .map(|(n, r)| (n, r.text.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("E1", "REQ.HTTP.HEADER X EXISTS"),
            ("E2", "ns_true"),
            ("E3", "ns_false")
        ]
    );
    let e2 = c.expression("e2").expect("case-insensitive fallback");
    assert_eq!(e2.comment.as_deref(), Some("a comment"));
    assert_eq!(
        c.expression("E3")
            .and_then(|e| e.client_security_message.as_deref()),
        Some("msg")
    );
    let (_, e1) = c.named_expressions().next().expect("E1");
    assert_eq!((e1.line, e1.column), (3, 14));
    let binds = c.binds();
    assert_eq!(binds.len(), 2);
    let first = binds.first().expect("bind");
    assert_eq!(first.point, BindPoint::Vserver("GW".into()));
    assert_eq!(first.priority, Some(7));
    let goto = first.goto_priority_expression.as_ref().expect("goto");
    assert_eq!(
        (goto.text.as_str(), goto.line, goto.column),
        ("NEXT", 6, 38)
    );
    assert_eq!(binds.get(1).map(|b| &b.point), Some(&BindPoint::Global));
}

#[test]
fn r2_crlf_comments_blank_and_unknown_lines() {
    let read = read_ok(
        "#NS13.0\r\n\r\nadd lb vserver LB HTTP 10.0.0.1 80\r\n   \r\n\
         add vpn sessionAction AC -icaProxy ON\r\nshow ns ip # comment\r\nset ns hostName x\r\n",
    );
    let c = &read.config;
    assert_eq!(
        c.session_action("AC").and_then(|a| a.param("icaProxy")),
        Some("ON")
    );
    let ignored: Vec<(usize, &str, IgnoreReason)> = c
        .ignored()
        .iter()
        .map(|i| (i.line, i.command.as_str(), i.reason))
        .collect();
    assert_eq!(
        ignored,
        [
            (3, "add lb vserver", IgnoreReason::UnknownCommand),
            (6, "show ns ip", IgnoreReason::UnknownCommand),
            (7, "set ns hostName", IgnoreReason::UnknownCommand),
        ]
    );
}

#[test]
fn r2_lexer_errors_on_unknown_commands_are_ignored_not_errors() {
    let read = read_ok("add rewrite action RW replace \"unclosed\nadd cs policy P -rule a)\n");
    assert_eq!(read.config.ignored().len(), 1);
    // `add cs policy` is a policy of another kind: its name is kept even though the line does not
    // lex (only the name matters, R3).
    assert_eq!(read.config.other_policies().len(), 1);
}

#[test]
fn r3_binds_of_other_policies_are_notices() {
    let read = read_ok(
        "bind vpn vserver GW -policy RW1 -priority 100 -type REQUEST\n\
         bind vpn vserver GW -policy NOPE -priority 5\n\
         add rewrite policy RW1 true NOREWRITE\n\
         add vpn vserver GW SSL 192.0.2.1 443\n",
    );
    assert!(read.config.binds().is_empty());
    let kinds: Vec<&NoticeKind> = read.notices.iter().map(|n| &n.kind).collect();
    assert_eq!(
        kinds,
        [
            &NoticeKind::NonSessionPolicyBind {
                policy: "RW1".into(),
                kind: "rewrite policy".into()
            },
            &NoticeKind::UndefinedPolicy {
                policy: "NOPE".into(),
                nearest: None
            },
        ]
    );
    assert_eq!(
        read.notices.first().map(ToString::to_string).as_deref(),
        Some("line 1: bind of rewrite policy `RW1` ignored: not a session policy")
    );
}

#[test]
fn r4_definitions_may_follow_binds() {
    let read = read_ok(
        "bind aaa group Staff -policy PL -priority 20 -gotoPriorityExpression END\n\
         bind aaa user alice -policy pl\n\
         add vpn sessionPolicy PL \"REQ.HTTP.HEADER X EXISTS\" AC\n\
         add vpn sessionAction AC -splitTunnel ON\n\
         bind aaa group Staff -userName alice\n\
         add aaa group Staff -weight 5\n\
         add aaa group Other\n\
         set aaa group Other -weight 2\n",
    );
    let c = &read.config;
    let binds: Vec<(BindPoint, &str, Option<u32>, u32)> = c
        .binds()
        .iter()
        .map(|b| {
            (
                b.point.clone(),
                b.policy.as_str(),
                b.priority,
                b.effective_priority(),
            )
        })
        .collect();
    assert_eq!(
        binds,
        [
            (BindPoint::Group("Staff".into()), "PL", Some(20), 20),
            // Case-insensitive fallback resolves the name to the defined policy.
            (BindPoint::User("alice".into()), "PL", None, 0),
        ]
    );
    let staff = c.group("Staff").expect("group");
    assert_eq!(staff.weight, Some(5));
    assert_eq!(staff.members, ["alice"]);
    assert_eq!(c.group("Other").and_then(|g| g.weight), Some(2));
    let at_staff: Vec<&str> = c
        .binds_at(&BindPoint::Group("Staff".into()))
        .map(|b| b.policy.as_str())
        .collect();
    assert_eq!(at_staff, ["PL"]);
    assert_eq!(BindPoint::Group("Staff".into()).rank(), 1);
    assert_eq!(BindPoint::Global.to_string(), "global");
}

#[test]
fn r4_set_unset_rm_apply_in_file_order() {
    let read = read_ok(
        "add vpn sessionAction AC -icaProxy ON -SSO ON -wihome https://a\n\
         set vpn sessionAction AC -icaProxy OFF -ntDomain corp\n\
         unset vpn sessionAction AC -SSO\n\
         add vpn sessionAction GONE -icaProxy ON\n\
         rm vpn sessionAction GONE\n\
         add vpn sessionAction GONE -icaProxy OFF\n\
         add vpn sessionPolicy PL ns_true AC\n\
         set vpn sessionPolicy PL -rule \"REQ.HTTP.HEADER A EXISTS\" -action GONE\n\
         add vpn sessionPolicy OLD ns_true AC\n\
         rm vpn sessionPolicy OLD\n\
         add policy expression E ns_true\n\
         set policy expression E ns_false -comment later\n\
         add policy expression DEL ns_true\n\
         rm expression DEL\n\
         add vpn vserver GW SSL 192.0.2.1 443\n\
         set vpn vserver GW -icaOnly ON -maxAAAUsers 5\n\
         set vpn parameter -icaProxy ON -sessTimeout 60\n\
         set vpn parameter -icaproxy OFF -wihome https://w\n\
         unset vpn parameter -sessTimeout\n",
    );
    let c = &read.config;
    let ac = c.session_action("AC").expect("AC");
    assert_eq!(
        ac.params,
        [
            ("icaProxy".to_owned(), "OFF".to_owned()),
            ("wihome".to_owned(), "https://a".to_owned()),
            ("ntDomain".to_owned(), "corp".to_owned()),
        ]
    );
    let gone = c.session_action("GONE").expect("re-added");
    assert_eq!((gone.line, gone.param("icaProxy")), (6, Some("OFF")));
    let pl = c.session_policy("PL").expect("PL");
    assert_eq!(
        (
            pl.rule.text.as_str(),
            pl.rule.line,
            pl.rule.column,
            pl.action.as_str()
        ),
        ("REQ.HTTP.HEADER A EXISTS", 8, 33, "GONE")
    );
    assert!(c.session_policy("OLD").is_none());
    assert_eq!(c.session_policies().len(), 1);
    let e = c.expression("E").expect("E");
    assert_eq!(
        (e.value.text.as_str(), e.comment.as_deref()),
        ("ns_false", Some("later"))
    );
    assert!(c.expression("DEL").is_none());
    let gw = c.vserver("GW").expect("GW");
    assert_eq!(gw.ica_only, Some(true));
    assert_eq!(gw.options, [("maxAAAUsers".to_owned(), "5".to_owned())]);
    assert_eq!(
        c.vpn_parameters(),
        [
            ("icaProxy".to_owned(), "OFF".to_owned()),
            ("wihome".to_owned(), "https://w".to_owned()),
        ]
    );
}

#[test]
fn r4_set_and_rm_of_undefined_objects_are_errors() {
    let read = Config::read(
        "rm vpn sessionPolicy P\nset vpn vserver V -icaOnly ON\nunset vpn sessionAction A -SSO\n\
         set policy expression E ns_true\nset aaa group G -weight 1\n",
        "t.conf",
    );
    let kinds: Vec<&str> = read
        .errors
        .iter()
        .filter_map(|e| match &e.kind {
            ConfigErrorKind::Undefined { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "session policy",
            "vserver",
            "session action",
            "expression",
            "aaa group"
        ]
    );
}

#[test]
fn r6_builtins_are_flagged() {
    let read = read_ok(
        "add vpn sessionAction SETVPNPARAMS_ACT -defaultAuthorizationAction DENY -SSO OFF\n\
         add vpn sessionPolicy SETVPNPARAMS_POL ns_true SETVPNPARAMS_ACT\n\
         add vpn sessionPolicy SETVPNPARAMS_ADV_POL true SETVPNPARAMS_ACT\n\
         bind vpn global -policyName SETVPNPARAMS_POL -priority 65534\n\
         bind vpn global -policyName SETVPNPARAMS_ADV_POL -priority 65534\n",
    );
    let c = &read.config;
    assert!(
        c.session_action("SETVPNPARAMS_ACT")
            .is_some_and(|a| a.builtin)
    );
    assert!(c.session_policies().iter().all(|p| p.builtin));
    assert!(
        c.binds()
            .iter()
            .all(|b| b.builtin && b.priority == Some(65534))
    );
    assert_eq!(c.binds().len(), 2);
    assert!(is_builtin_policy("setvpnparams_pol"));
    assert!(
        read.notices
            .iter()
            .all(|n| matches!(n.kind, NoticeKind::BuiltinObject { .. }))
    );
    // Built-in policies are never reported as unbound.
    assert_eq!(read.notices.len(), 5);
}

#[test]
fn bind_forms_without_policy_are_ignored() {
    let read = read_ok(
        "bind vpn vserver GW -staServer \"https://sta\"\n\
         bind vpn global -intranetDomain corp.local\n\
         bind vpn vserver GW -intranetApplication APP\n\
         bind aaa user bob -intranetIP 10.0.0.0 255.0.0.0\n",
    );
    assert!(read.config.binds().is_empty());
    assert!(
        read.config
            .ignored()
            .iter()
            .all(|i| i.reason == IgnoreReason::NotAPolicyBind)
    );
    assert_eq!(read.config.ignored().len(), 4);
}

#[test]
fn bind_options_are_kept() {
    let read = read_ok(
        "add vpn sessionPolicy ADV \"HTTP.REQ.HEADER(\\\"User-Agent\\\").CONTAINS(\\\"Citrix\\\")\" AC\n\
         add vpn sessionAction AC -icaProxy ON\n\
         bind vpn vserver GW -policy ADV -priority 10 -gotoPriorityExpression NEXT -type REQUEST\n",
    );
    let c = &read.config;
    let adv = c.session_policy("ADV").expect("ADV");
    assert_eq!(
        adv.rule.text,
        r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("Citrix")"#
    );
    let bind = c.binds().first().expect("bind");
    assert_eq!(bind.bind_type.as_deref(), Some("REQUEST"));
    assert_eq!(
        bind.goto_priority_expression
            .as_ref()
            .map(|g| g.text.as_str()),
        Some("NEXT")
    );
}

#[test]
fn rules_may_be_bare_or_q_quoted() {
    let read = read_ok(
        "add vpn sessionPolicy P1 HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"a b\") AC\n\
         add vpn sessionPolicy P2 q{REQ.HTTP.HEADER X CONTAINS \"a b\"} AC\n\
         add vpn sessionPolicy P3 q[true] AC\n\
         add vpn sessionAction AC -icaProxy ON\n",
    );
    let c = &read.config;
    let p1 = c.session_policy("P1").expect("P1");
    assert_eq!(
        p1.rule.text,
        r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("a b")"#
    );
    assert_eq!(p1.rule.column, 26);
    let p2 = c.session_policy("P2").expect("P2");
    assert_eq!(p2.rule.text, r#"REQ.HTTP.HEADER X CONTAINS "a b""#);
    assert_eq!(p2.rule.column, 28);
    assert!(
        read.notices
            .iter()
            .any(|n| n.line == 3 && n.kind == NoticeKind::NonstandardQQuote { delimiter: '[' })
    );
}

#[test]
fn unknown_session_parameters_are_kept_as_written() {
    let read = read_ok(
        "add vpn sessionAction AC -fqdnSpoofedIP 10.0.0.1 -forceCleanup cookie history -icaProxy ON\n",
    );
    let action = read.config.session_action("AC").expect("AC");
    assert_eq!(
        action.params,
        [
            ("fqdnSpoofedIP".to_owned(), "10.0.0.1".to_owned()),
            ("forceCleanup".to_owned(), "cookie history".to_owned()),
            ("icaProxy".to_owned(), "ON".to_owned()),
        ]
    );
}

#[test]
fn notices_for_undefined_actions_and_unbound_policies() {
    let read = read_ok("add vpn sessionPolicy P ns_true MISSING\n");
    let kinds: Vec<String> = read.notices.iter().map(ToString::to_string).collect();
    let severities: Vec<Severity> = read.notices.iter().map(Notice::severity).collect();
    // Both warnings: a policy bound nowhere never applies, so a run on it tests nothing.
    assert_eq!(severities, [Severity::Warning, Severity::Warning]);
    assert_eq!(
        kinds,
        [
            "line 1: session policy `P` uses undefined session action `MISSING`",
            "line 1: session policy `P` is not bound",
        ]
    );
}

#[test]
fn builtin_defaults_table() {
    let defaults = builtin_defaults();
    let get = |k: &str| defaults.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    assert_eq!(get("sessTimeout"), Some("30"));
    assert_eq!(get("icaProxy"), Some("OFF"));
    assert_eq!(get("defaultAuthorizationAction"), Some("DENY"));
    assert_eq!(get("clientlessModeUrlEncoding"), Some("OPAQUE"));
    assert_eq!(get("splitDns"), Some("BOTH"));
    assert_eq!(get("SecureBrowse"), Some("ENABLED"));
    assert_eq!(get("wihome"), None);
    assert_eq!(get("storefronturl"), None);
    assert_eq!(get("forcedTimeout"), None);
}

#[cfg(feature = "serde")]
#[test]
fn config_serialises() {
    let read = read_ok(
        "add vpn sessionAction AC -icaProxy ON\nadd vpn sessionPolicy P ns_true AC\n\
         bind vpn vserver GW -policy P -priority 1\n",
    );
    let json = serde_json::to_value(&read.config).unwrap_or_default();
    assert_eq!(
        json.pointer("/binds/0/point"),
        Some(&serde_json::json!({"kind": "vserver", "name": "GW"}))
    );
    assert_eq!(
        json.pointer("/session_policies/0/rule/text"),
        Some(&serde_json::json!("ns_true"))
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    let read = read_ok("\u{feff}add vpn sessionAction AC -icaProxy ON\n");
    assert!(read.config.session_action("AC").is_some());
    assert!(read.config.ignored().is_empty());
}

proptest::proptest! {
    /// Any input reads without panicking, and every error points inside its line.
    #[test]
    fn arbitrary_lines_never_panic(
        lines in proptest::collection::vec(
            proptest::string::string_regex(
                "(add|set|unset|rm|bind) (vpn|aaa|policy|expr) (sessionAction|sessionPolicy|vserver|global|parameter|user|group|expression)?[ a-zA-Z0-9_\\-\"'()\\\\q/{}#\\[\\]é\t]{0,40}"
            ).expect("valid regex"),
            0..8,
        )
    ) {
        let text = lines.join("\n");
        let read = Config::read(&text, "p.conf");
        for e in &read.errors {
            let line = text.split('\n').nth(e.line - 1).unwrap_or_default();
            proptest::prop_assert!(e.column <= line.chars().count() + 1);
            proptest::prop_assert!(e.to_string().starts_with("p.conf:"));
        }
    }
}

#[test]
fn names_carry_their_columns_in_characters() {
    // `é` is two bytes but one column; a quoted name's column is that of its opening quote.
    let read = Config::read(
        "add vpn sessionAction \"Aé\" -icaProxy ON\n\
         add vpn sessionPolicy Pé ns_true AX\n\
         add policy expression Eé ns_true\n\
         set vpn sessionPolicy Pé -action \"Aé\"\n\
         bind vpn vserver Gé -policy Pé -priority 10\n\
         bind vpn vserver Gé -policy Qé -priority 20\n\
         bind vpn global -policy Pé\n",
        "t.conf",
    );
    let c = &read.config;
    let action = c.session_action("Aé").expect("action");
    assert_eq!((action.line, action.column), (1, 23));
    let policy = c.session_policy("Pé").expect("policy");
    assert_eq!((policy.line, policy.column), (2, 23));
    // The `set` named the action last, so the action's position is there.
    assert_eq!((policy.action_line, policy.action_column), (4, 34));
    let expression = c.expression("Eé").expect("expression");
    assert_eq!((expression.line, expression.column), (3, 23));
    let binds: Vec<(usize, usize, usize)> = c
        .binds()
        .iter()
        .map(|b| (b.line, b.point_column, b.policy_column))
        .collect();
    assert_eq!(binds, [(5, 18, 29), (7, 1, 25)]);
    let notices: Vec<(usize, usize, &NoticeKind)> = read
        .notices
        .iter()
        .map(|n| (n.line, n.column, &n.kind))
        .collect();
    assert!(
        notices
            .iter()
            .any(|(line, column, kind)| (*line, *column) == (5, 18)
                && matches!(kind, NoticeKind::UndefinedVserver { .. })),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|(line, column, kind)| (*line, *column) == (6, 29)
                && matches!(kind, NoticeKind::UndefinedPolicy { .. })),
        "{notices:?}"
    );
}
