//! The reader's additions for advanced configurations: typed `-gotoPriorityExpression` on every
//! bind point, pattern sets, advanced named expressions and `-type`.

use nsexpr::config::{BindPoint, Config, ConfigErrorKind, Goto, NoticeKind};

#[test]
fn gotos_are_typed_on_every_bind_point() {
    let loaded = Config::read(
        "add vpn sessionAction A -icaProxy ON\n\
         add vpn sessionPolicy P true A\n\
         bind vpn vserver VS -policy P -priority 10 -gotoPriorityExpression NEXT\n\
         bind vpn global -policyName P -priority 20 -gotoPriorityExpression end\n\
         bind aaa user alice -policy P -priority 30 -gotoPriorityExpression 40\n\
         bind aaa group staff -policy P -priority 40 -gotoPriorityExpression USE_INVOCATION_RESULT\n\
         bind vpn vserver VS -policy P -priority 50 -gotoPriorityExpression \"HTTP.REQ.URL.LENGTH + 10\" -type REQUEST\n\
         bind vpn vserver VS -policy P -priority 60\n",
        "ns.conf",
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let binds = loaded.config.binds();
    let gotos: Vec<Option<Goto>> = binds.iter().map(|b| b.goto()).collect();
    assert_eq!(
        gotos,
        [
            Some(Goto::Next),
            Some(Goto::End),
            Some(Goto::Priority(40)),
            Some(Goto::UseInvocationResult),
            Some(Goto::Expression("HTTP.REQ.URL.LENGTH + 10".into())),
            None,
        ]
    );
    assert_eq!(binds[1].point, BindPoint::Global);
    assert_eq!(binds[4].bind_type.as_deref(), Some("REQUEST"));
    let text = binds[4].goto_priority_expression.as_ref().expect("goto");
    assert_eq!((text.line, text.column), (7, 69));
    assert_eq!(Goto::Priority(40).to_string(), "40");
}

#[test]
fn pattern_sets_collect_their_strings_in_index_order() {
    let loaded = Config::read(
        "bind policy patset UA Worx -index 2\n\
         add policy patset UA\n\
         bind policy patset ua CitrixReceiver -index 1\n\
         bind policy patset UA zenprise\n\
         add policy patset EMPTY -comment \"nothing yet\"\n",
        "ns.conf",
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let sets = loaded.config.pattern_sets();
    assert_eq!(sets.len(), 2);
    let ua = loaded.config.pattern_set("ua").expect("UA");
    assert_eq!(ua.strings(), ["CitrixReceiver", "Worx", "zenprise"]);
    assert_eq!(ua.members[0].line, 1);
    assert!(
        loaded
            .config
            .pattern_set("EMPTY")
            .expect("EMPTY")
            .members
            .is_empty()
    );
}

#[test]
fn pattern_set_mistakes_are_errors_with_spans_or_notices() {
    let loaded = Config::read(
        "add policy patset UA\n\
         bind policy patset UA\n\
         bind policy patset UA x -index minus\n\
         bind policy patset NOPE y\n\
         add policy patset UA\n\
         rm policy patset OTHER\n",
        "ns.conf",
    );
    let kinds: Vec<(usize, &ConfigErrorKind)> =
        loaded.errors.iter().map(|e| (e.line, &e.kind)).collect();
    assert!(
        matches!(
            kinds[0],
            (
                2,
                ConfigErrorKind::MissingArgument {
                    what: "a string",
                    ..
                }
            )
        ),
        "{kinds:?}"
    );
    assert!(
        matches!(
            kinds[1],
            (
                3,
                ConfigErrorKind::BadNumber {
                    option: "index",
                    ..
                }
            )
        ),
        "{kinds:?}"
    );
    assert!(
        matches!(
            kinds[2],
            (
                5,
                ConfigErrorKind::Duplicate {
                    kind: "pattern set",
                    ..
                }
            )
        ),
        "{kinds:?}"
    );
    assert!(
        matches!(
            kinds[3],
            (
                6,
                ConfigErrorKind::Undefined {
                    kind: "pattern set",
                    ..
                }
            )
        ),
        "{kinds:?}"
    );
    assert_eq!(loaded.errors[1].column, 32);
    assert!(loaded.notices.iter().any(|n| n.line == 4
        && matches!(&n.kind, NoticeKind::UndefinedPatternSet { name } if name == "NOPE")));
    let ua = loaded.config.pattern_set("UA").expect("UA");
    assert_eq!(ua.strings(), ["x"]);
}

#[test]
fn advanced_named_expressions_are_kept_as_text() {
    let loaded = Config::read(
        "add policy expression is_receiver \"HTTP.REQ.HEADER(\\\"User-Agent\\\").CONTAINS(\\\"CitrixReceiver\\\")\"\n\
         add policy expression is_web_classic \"REQ.HTTP.HEADER Referer EXISTS\"\n",
        "ns.conf",
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let advanced = loaded.config.expression("is_receiver").expect("defined");
    assert_eq!(
        advanced.value.text,
        r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("CitrixReceiver")"#
    );
    assert!(nsexpr::syntax::is_advanced(&advanced.value.text));
    let classic = loaded.config.expression("is_web_classic").expect("defined");
    assert!(!nsexpr::syntax::is_advanced(&classic.value.text));
}
