//! Config migration behaviour: named-expression twins, session-binding layout, all-or-nothing
//! session families, refusals listed with their line, report rendering.

use nsexpr::convert::{ConvertOptions, migrate_config};

#[test]
fn named_expressions_get_twins_and_uses_are_renamed() {
    let conf = "add policy expression is_rcv \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\"\r\n\
                add responder policy p \"is_rcv && REQ.HTTP.HEADER X EXISTS\" DROP\r\n";
    let m = migrate_config(conf, &ConvertOptions::default());
    let lines: Vec<&str> = m.text.split_inclusive('\n').collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], conf.split_inclusive('\n').next().unwrap());
    assert_eq!(
        lines[1],
        "add policy expression adv_is_rcv \"HTTP.REQ.HEADER(\\\"User-Agent\\\").VALUE(0).SET_TEXT_MODE(IGNORECASE).CONTAINS(\\\"CitrixReceiver\\\")\"\r\n"
    );
    assert_eq!(
        lines[2],
        "add responder policy p \"adv_is_rcv && HTTP.REQ.HEADER(\\\"X\\\").EXISTS\" DROP\r\n"
    );
    assert_eq!(m.report.summary.twins_added, 1);
    assert_eq!(m.report.summary.converted, 2);
}

#[test]
fn advanced_rules_and_other_lines_are_left_alone() {
    let conf = "add responder policy p \"HTTP.REQ.URL.CONTAINS(\\\"x\\\")\" DROP\n\
                set ns param -timezone GMT\n# comment\n";
    let m = migrate_config(conf, &ConvertOptions::default());
    assert_eq!(m.text, conf);
    assert_eq!(m.report.summary.already_advanced, 1);
    assert!(m.report.changes.is_empty());
}

const SESSION: &str = "add aaa group staff -weight 10\n\
add vpn sessionPolicy u_pol \"REQ.HTTP.HEADER A EXISTS\" act\n\
add vpn sessionPolicy g_pol \"REQ.HTTP.HEADER B EXISTS\" act\n\
add vpn sessionPolicy v_pol \"REQ.HTTP.HEADER C EXISTS\" act\n\
add vpn sessionPolicy gl_pol ns_true act\n\
bind aaa user alice -policy u_pol -priority 5\n\
bind aaa group staff -policy g_pol -priority 10\n\
bind vpn vserver gw -policy v_pol -priority 20\n\
bind vpn global -policyName gl_pol -priority 30\n";

#[test]
fn bank_monotone_session_bindings_get_next_and_per_bank_priorities() {
    let m = migrate_config(SESSION, &ConvertOptions::default());
    assert!(m.report.refusals.is_empty(), "{}", m.report);
    assert_eq!(m.report.summary.bindings_changed, 4);
    assert!(m.text.contains(
        "bind aaa user alice -policy u_pol -priority 100 -gotoPriorityExpression NEXT\n"
    ));
    assert!(m.text.contains(
        "bind vpn global -policyName gl_pol -priority 100 -gotoPriorityExpression NEXT\n"
    ));
    assert!(
        m.text
            .contains("add vpn sessionPolicy gl_pol \"TRUE\" act\n")
    );
}

#[test]
fn interleaved_bank_order_keeps_every_session_policy_classic() {
    let conf = SESSION.replace("-priority 30", "-priority 1");
    let m = migrate_config(&conf, &ConvertOptions::default());
    assert_eq!(m.text, conf);
    let text = m.report.to_string();
    assert!(text.contains("priority-interleave"), "{text}");
    assert_eq!(m.report.summary.converted, 0);
    assert_eq!(m.report.summary.refused, 4);
}

#[test]
fn one_unconvertible_session_policy_keeps_the_family_classic() {
    let conf = format!(
        "{SESSION}add vpn sessionPolicy epa \"CLIENT.APPLICATION.PROCESS(x.exe) EXISTS\" act\n\
         add responder policy r \"URL == /a\" DROP\n"
    );
    let m = migrate_config(&conf, &ConvertOptions::default());
    let last = m.text.lines().last().unwrap();
    assert_eq!(
        last,
        "add responder policy r \"HTTP.REQ.URL.PATH.EQ((\\\"/a.\\\" + HTTP.REQ.URL.SUFFIX).STRIP_END_CHARS(\\\".\\\"))\" DROP"
    );
    assert!(
        m.text
            .contains("add vpn sessionPolicy u_pol \"REQ.HTTP.HEADER A EXISTS\" act\n")
    );
    let epa = m.report.refusals.iter().find(|r| r.line == 10).unwrap();
    assert!(epa.reason.contains("client-security"), "{}", epa.reason);
    assert_eq!(m.report.summary.bindings_changed, 0);
    assert!(
        m.report
            .refusals
            .iter()
            .any(|r| r.line == 2 && r.reason.contains("`epa`"))
    );
}

#[test]
fn rules_after_minus_rule_are_converted() {
    let conf = "add cs policy c -rule \"REQ.HTTP.HEADER Host == a.example.com\"\n\
                add filter policy f -rule \"URLLEN > 100\" -reqAction RESET\n";
    let m = migrate_config(conf, &ConvertOptions::default());
    assert!(m.text.contains("add cs policy c -rule \"HTTP.REQ.HEADER(\\\"Host\\\").VALUE(0).EQ(\\\"a.example.com\\\")\"\n"));
    assert!(
        m.text
            .contains("-rule \"HTTP.REQ.URL.LENGTH.GT(100)\" -reqAction RESET\n")
    );
}

#[cfg(feature = "serde")]
#[test]
fn the_report_serializes() {
    let m = migrate_config(SESSION, &ConvertOptions::default());
    let json = serde_json::to_value(&m.report).unwrap();
    assert_eq!(json["summary"]["converted"], 4);
    assert_eq!(json["changes"][0]["line"], 2);
}

#[test]
fn a_twin_after_a_last_line_without_line_end_gets_its_own_line() {
    let conf = "add policy expression e \"REQ.HTTP.HEADER X EXISTS\"";
    let m = migrate_config(conf, &ConvertOptions::default());
    assert_eq!(
        m.text,
        "add policy expression e \"REQ.HTTP.HEADER X EXISTS\"\n\
         add policy expression adv_e \"HTTP.REQ.HEADER(\\\"X\\\").EXISTS\""
    );
}
