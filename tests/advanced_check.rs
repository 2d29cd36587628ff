//! Type checking of advanced rules (D24, sections 3 and 4): well-typed rules resolve to sources
//! and ops, ill-typed ones fail with a kind and span, names outside the tables become
//! `Unsupported` (an error when strict).

use nsexpr::compile::advanced::{
    AdvType, Arg, CheckOptions, Checked, Head, Op, Source, TextMode, TypedNode, check_rule,
};

fn checked(rule: &str) -> Checked {
    check_rule(rule, &CheckOptions::default())
        .unwrap_or_else(|e| panic!("{rule:?} should type-check:\n{e}"))
}

fn strict() -> CheckOptions {
    CheckOptions {
        strict: true,
        ..CheckOptions::default()
    }
}

/// The variant name of a `Debug`-printed kind.
fn variant(debug: &str) -> &str {
    debug.split(['(', ' ', '{']).next().unwrap_or(debug)
}

#[test]
fn well_typed_rules() {
    for rule in [
        r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx") && HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#,
        r#"HTTP.REQ.HEADER("A").COUNT > 2"#,
        r#"HTTP.REQ.HEADER("A").INSTANCE(1).CONTAINS("a")"#,
        r#"HTTP.REQ.HEADER("A").VALUE(0).EQ("")"#,
        r#"HTTP.REQ.HEADER("A").AFTER_STR("x=").BEFORE_STR(";").LENGTH.BETWEEN(1,5)"#,
        r#"HTTP.REQ.URL.PATH.GET(1).EQ("webapp1")"#,
        r#"HTTP.REQ.URL.QUERY.VALUE("a").EQ("1")"#,
        r#"HTTP.REQ.URL.PATH_AND_QUERY.STARTSWITH("/vpn/")"#,
        r#"HTTP.REQ.URL.SUFFIX.EQ("js")"#,
        r#"HTTP.REQ.HOSTNAME.DOMAIN.EQ("example.com")"#,
        "HTTP.REQ.METHOD.EQ(GET) || HTTP.REQ.METHOD.EQ(\"POST\")",
        r#"HTTP.REQ.VERSION.EQ("HTTP/1.0")"#,
        r#"HTTP.REQ.COOKIE.VALUE("NSC_TMAS").LENGTH > 0"#,
        "HTTP.REQ.URL.REGEX_MATCH(re#^/old/?$#)",
        "HTTP.REQ.URL.TYPECAST_LIST_T('/').COUNT.GE(3)",
        r#"HTTP.REQ.HEADER("X-N").TYPECAST_NUM_T + 1 == 5"#,
        r#"HTTP.REQ.HOSTNAME + HTTP.REQ.URL == "a/""#,
        r#"HTTP.REQ.URL.CONTAINS_ANY("bad_urls") || HTTP.REQ.URL.STARTSWITH_ANY(bad_prefixes)"#,
        "CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8) && !CLIENT.IP.DST.EQ(10.1.1.1)",
        "CLIENT.IPV6.SRC.IN_SUBNET(2001:db8::/32)",
        "CLIENT.TCP.DSTPORT.EQ(443) && CLIENT.VLAN.ID.NE(4)",
        "CLIENT.SSL.IS_SSL && CLIENT.SSL.CIPHER_BITS.GE(128)",
        r#"CLIENT.SSL.CLIENT_CERT.SUBJECT.CONTAINS("CN=") && CLIENT.SSL.CLIENT_CERT.DAYS_TO_EXPIRE > 30"#,
        "SYS.TIME.BETWEEN(GMT 2024 Jan 1, GMT 2024 Dec 31) && SYS.TIME.WEEKDAY.NE(0)",
        r#"AAA.USER.IS_MEMBER_OF("VIP") || AAA.USER.NAME.SET_TEXT_MODE(IGNORECASE).AFTER_STR("@").EQ("corp.example")"#,
        r#"HTTP.REQ.USER.GROUPS.CONTAINS("admins")"#,
        r#"AAA.USER.ATTRIBUTE(1).EQ("x") && AAA.USER.ATTRIBUTE("mail").ENDSWITH("@example.com")"#,
        r#"SYS.EVAL_CLASSIC_EXPR("REQ.HTTP.HEADER User-Agent CONTAINS Worx")"#,
        r#"SYS.CLIENT_EXPR("proc_0_perl")"#,
        "is_vpn_url || HTTP.REQ.IS_VALID",
        "(HTTP.REQ.URL.LENGTH > 5).NOT",
        "TRUE.NOT || FALSE",
        r#"Q.HEADER("X").EXISTS"#,
    ] {
        let checked = checked(rule);
        assert_eq!(checked.typed.ty, AdvType::Bool, "{rule}");
        assert!(
            checked.unsupported.is_empty(),
            "{rule}: {:?}",
            checked.unsupported
        );
    }
}

#[test]
fn chains_resolve_to_sources_and_ops() {
    let rule = r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx")"#;
    let TypedNode::Chain(chain) = checked(rule).typed.node else {
        panic!("a chain");
    };
    assert_eq!(
        chain.head,
        Head::Source(Source::Header(b"User-Agent".to_vec()))
    );
    let ops: Vec<(Op, AdvType, AdvType)> = chain.steps.iter().map(|s| (s.op, s.on, s.ty)).collect();
    assert_eq!(
        ops,
        [
            (Op::SetTextMode, AdvType::Header, AdvType::Header),
            (Op::Contains, AdvType::Header, AdvType::Bool)
        ]
    );
    assert_eq!(chain.steps[0].args, [Arg::Mode(TextMode::IgnoreCase)]);

    let TypedNode::Chain(chain) = checked("HTTP.REQ.METHOD.EQ(get)").typed.node else {
        panic!("a chain");
    };
    assert_eq!(chain.steps[0].args, [Arg::MethodWord("GET".into())]);

    let TypedNode::Chain(chain) = checked(r#"AAA.USER.IS_MEMBER_OF("VIP")"#).typed.node else {
        panic!("a chain");
    };
    assert_eq!(
        chain.head,
        Head::Source(Source::IsMemberOf(b"VIP".to_vec()))
    );
    assert_eq!(
        Source::IsMemberOf(Vec::new()).dependency(),
        Some("aaa_groups")
    );

    let TypedNode::Chain(chain) = checked("myExpr").typed.node else {
        panic!("a chain");
    };
    assert_eq!(chain.head, Head::Named("MYEXPR".into()));
}

#[test]
fn ill_typed_rules_fail_with_spans() {
    for (rule, kind, span) in [
        ("HTTP.REQ.URL", "NotBoolean", (0, 12)),
        (r#"HTTP.REQ.HEADER("X").EQ(5)"#, "ArgumentType", (24, 25)),
        (
            r#"CLIENT.IP.SRC.CONTAINS("10.")"#,
            "MethodNotForType",
            (14, 29),
        ),
        (
            r#"HTTP.REQ.URL.LENGTH.CONTAINS("1")"#,
            "MethodNotForType",
            (20, 33),
        ),
        (
            "HTTP.REQ.HEADER(HTTP.REQ.URL).EXISTS",
            "HeaderNameNotLiteral",
            (16, 28),
        ),
        (
            r#"HTTP.REQ.HEADER("A").INSTANCE(15).EXISTS"#,
            "IndexRange",
            (30, 32),
        ),
        (
            r#"HTTP.REQ.HEADER("A").VALUE(HTTP.REQ.URL.LENGTH).EQ("")"#,
            "ArgumentType",
            (27, 46),
        ),
        (
            r#"HTTP.REQ.HEADER("abcdefghijabcdefghijabcdefghijabc").EXISTS"#,
            "HeaderNameTooLong",
            (16, 51),
        ),
        (
            r#"HTTP.REQ.HEADER("A").EXISTS(1)"#,
            "ArgumentCount",
            (21, 30),
        ),
        (
            r#"HTTP.REQ.HEADER("A").CONTAINS"#,
            "ArgumentCount",
            (21, 29),
        ),
        ("HTTP.REQ && TRUE", "IncompletePrefix", (0, 8)),
        (
            r#"HTTP.REQ.HEADER("A").CONTIANS("x")"#,
            "UnknownMethod",
            (21, 34),
        ),
        (r#"HTTP.REQ.HEADRE("A").EXISTS"#, "UnknownMethod", (9, 20)),
        (
            "HTTP.REQ.URL.LENGTH == HTTP.REQ.HOSTNAME",
            "Mismatch",
            (0, 40),
        ),
        ("HTTP.REQ.URL.LENGTH && TRUE", "OperandType", (0, 27)),
        ("!HTTP.REQ.URL", "OperandType", (1, 13)),
        ("HTTP.REQ.URL - 1 == 0", "OperandType", (0, 16)),
        (
            "CLIENT.IP.SRC.IN_SUBNET(10.0.0.1)",
            "ArgumentType",
            (24, 32),
        ),
        ("CLIENT.IP.SRC.EQ(2001:db8::1)", "ArgumentType", (17, 28)),
        (
            "CLIENT.IPV6.SRC.IN_SUBNET(10.0.0.0/8)",
            "ArgumentType",
            (26, 36),
        ),
        ("SYS.TIME.EQ(5)", "ArgumentType", (12, 13)),
        (
            r#"HTTP.REQ.URL.SET_TEXT_MODE("IGNORECASE").EQ("a")"#,
            "ArgumentType",
            (27, 39),
        ),
        ("HTTP.REQ.URL.REGEX_MATCH(xp%/a%)", "ArgumentType", (25, 31)),
        ("HTTP.REQ.URL.EQ(re/a/)", "Misplaced", (16, 21)),
        (
            "HTTP.REQ.URL.LENGTH.EQ(9223372036854775808)",
            "NumberRange",
            (23, 42),
        ),
        (r#"SYS.EVAL_CLASSIC_EXPR("URL ==")"#, "ClassicExpr", (4, 31)),
        (r#"my_expr(1)"#, "NamedWithArguments", (0, 10)),
    ] {
        let err = match check_rule(rule, &CheckOptions::default()) {
            Ok(c) => panic!("{rule:?} should fail, typed {:?}", c.typed.ty),
            Err(e) => e,
        };
        let nsexpr::compile::advanced::AdvCompileError::Check(err) = err else {
            panic!("{rule:?} should fail the type check, not parsing:\n{err}");
        };
        assert_eq!(
            variant(&format!("{:?}", err.kind())),
            kind,
            "{rule:?}:\n{err}"
        );
        assert_eq!((err.span().start, err.span().end), span, "{rule:?}:\n{err}");
    }
}

#[test]
fn unsupported_names_are_unknown_with_their_path() {
    for (rule, path) in [
        ("HTTP.RES.STATUS.EQ(200)", "HTTP.RES"),
        (
            r#"HTTP.REQ.HEADER("User-Agent").NOTCONTAINS("CitrixReceiver")"#,
            "HTTP.REQ.HEADER.NOTCONTAINS",
        ),
        (
            r#"HTTP.REQ.URL.SET_TEXT_MODE(PLUSASSPACE).CONTAINS("a b")"#,
            "HTTP.REQ.URL.SET_TEXT_MODE(PLUSASSPACE)",
        ),
        (
            "CLIENT.IP.SRC.SUBNET(24).EQ(10.217.85.0)",
            "CLIENT.IP.SRC.SUBNET",
        ),
        (r#"SYS.VSERVER("vs1").RESPTIME.GT(100)"#, "SYS.VSERVER"),
        ("DNS.REQ.QUESTION.TYPE.EQ(A)", "DNS"),
        (
            "HTTP.REQ.IS_NTLM_OR_NEGOTIATE",
            "HTTP.REQ.IS_NTLM_OR_NEGOTIATE",
        ),
    ] {
        let checked = checked(rule);
        let paths: Vec<&str> = checked
            .unsupported
            .iter()
            .map(|u| u.path.as_str())
            .collect();
        assert_eq!(paths, [path], "{rule}");
        assert_eq!(
            checked.unsupported[0].dependency(),
            format!("advanced:{path}")
        );
        assert!(
            matches!(checked.typed.node, TypedNode::Unsupported(_)),
            "{rule}"
        );
        assert_eq!(
            checked.lints.len(),
            1,
            "{rule}: one unsupported-method lint"
        );

        let err = check_rule(rule, &strict()).err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.to_string().contains("is not supported")),
            "{rule} is an error when strict: {err:?}"
        );
    }
}

#[test]
fn unsupported_operands_keep_the_rule_boolean() {
    let checked = checked(r#"HTTP.REQ.HEADER("A").EXISTS || HTTP.REQ.IS_NTLM_OR_NEGOTIATE"#);
    assert_eq!(checked.typed.ty, AdvType::Bool);
    assert_eq!(checked.unsupported.len(), 1);
}

#[test]
fn named_expression_types_come_from_the_options() {
    let mut options = CheckOptions::default();
    options.named_types.insert("ua_text".into(), AdvType::Text);
    let typed = check_rule(r#"UA_Text.CONTAINS("Worx")"#, &options).map(|c| c.typed.ty);
    assert_eq!(typed.ok(), Some(AdvType::Bool));
    assert!(
        check_rule("ua_text", &options).is_err(),
        "a text named expression is not a rule"
    );
}
