//! Malformed lines of known commands: every error is collected, with `file:line:column: message`,
//! the line, and carets under the offending token (insta snapshots).

use nsexpr::config::{Config, ConfigErrorKind};

/// Reads `text` and renders every error, separated by blank lines.
fn render(text: &str) -> String {
    let read = Config::read(text, "bad.conf");
    assert!(!read.errors.is_empty(), "expected errors for {text:?}");
    read.errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn policy_without_rule() {
    insta::assert_snapshot!(render("add vpn sessionPolicy PL_OS"));
}

#[test]
fn policy_without_action() {
    insta::assert_snapshot!(render(
        "add vpn sessionPolicy PL_OS \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\""
    ));
}

#[test]
fn action_without_name() {
    insta::assert_snapshot!(render("add vpn sessionAction -icaProxy ON"));
}

#[test]
fn bad_priority() {
    insta::assert_snapshot!(render("bind vpn vserver GW -policy PL_OS -priority high"));
}

#[test]
fn priority_out_of_range() {
    insta::assert_snapshot!(render(
        "bind vpn global -policyName PL_OS -priority 4294967296"
    ));
}

#[test]
fn unclosed_quote() {
    insta::assert_snapshot!(render(
        "add vpn sessionPolicy PL_OS \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver AC_OS"
    ));
}

#[test]
fn unbalanced_parenthesis() {
    insta::assert_snapshot!(render(
        "add vpn sessionPolicy PL_ADV HTTP.REQ.HEADER(\"User-Agent\").EXISTS) AC_OS"
    ));
}

#[test]
fn unclosed_parenthesis() {
    insta::assert_snapshot!(render(
        "add policy expression E1 HTTP.REQ.HEADER(\"X\").CONTAINS(\"a b\""
    ));
}

#[test]
fn trailing_backslash_in_quotes() {
    insta::assert_snapshot!(render("add vpn sessionAction AC -wihome \"https://sf/\\"));
}

#[test]
fn unknown_bind_option() {
    insta::assert_snapshot!(render("bind vpn vserver GW -policy PL_OS -prioritee 100"));
}

#[test]
fn ambiguous_option() {
    insta::assert_snapshot!(render("add vpn sessionAction AC -client ON"));
}

#[test]
fn missing_option_value() {
    insta::assert_snapshot!(render("add vpn sessionAction AC -SSO ON -icaProxy"));
}

#[test]
fn conflicting_bind_option() {
    insta::assert_snapshot!(render(
        "bind vpn vserver GW -policy PL_OS -staServer \"https://sta\""
    ));
}

#[test]
fn duplicate_option() {
    insta::assert_snapshot!(render(
        "bind aaa group Staff -policy PL_OS -priority 10 -prio 20"
    ));
}

#[test]
fn duplicate_definition() {
    insta::assert_snapshot!(render(
        "add vpn sessionAction AC -icaProxy ON\nadd vpn sessionAction AC -icaProxy OFF"
    ));
}

#[test]
fn set_before_add() {
    insta::assert_snapshot!(render(
        "set vpn sessionAction AC -icaProxy ON\nadd vpn sessionAction AC -icaProxy OFF"
    ));
}

#[test]
fn bad_group_weight() {
    insta::assert_snapshot!(render("add aaa group Staff -weight 70000"));
}

#[test]
fn bad_ica_only() {
    insta::assert_snapshot!(render("add vpn vserver GW SSL 192.0.2.1 443 -icaOnly YES"));
}

#[test]
fn extra_argument() {
    insta::assert_snapshot!(render("add vpn sessionPolicy PL ns_true AC_OS extra"));
}

#[test]
fn policy_options_are_not_accepted_on_add() {
    insta::assert_snapshot!(render("add vpn sessionPolicy PL ns_true AC -comment x"));
}

#[test]
fn ambiguous_command_word() {
    insta::assert_snapshot!(render("add vpn session PL ns_true AC"));
}

#[test]
fn flag_option_with_value() {
    insta::assert_snapshot!(render(
        "bind vpn vserver GW -policy AUTH -priority 1 -secondary yes"
    ));
}

#[test]
fn carets_count_characters_and_tabs() {
    insta::assert_snapshot!(render(
        "add\tvpn sessionAction \"Ümlaut-Aktion\" -wihome \"https://ü\" -sso"
    ));
}

#[test]
fn every_error_is_collected_and_reading_goes_on() {
    let text = "\
#NS13.0 build
add vpn sessionAction AC_OS -icaProxy ON -SSO
add vpn sessionPolicy PL_OS \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" AC_OS
add vpn sessionPolicy PL_BAD
add lb vserver lb1 HTTP 10.0.0.1 80 -persistenceType ) weird
bind vpn vserver GW -policy PL_OS -priority 100
bind vpn vserver GW -policy PL_OS -priority -5
set vpn parameter -icaProxy
";
    let read = Config::read(text, "multi.conf");
    let lines: Vec<usize> = read.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 4, 7, 7, 8]);
    assert!(matches!(
        read.errors.first().map(|e| &e.kind),
        Some(ConfigErrorKind::MissingValue { .. })
    ));
    // The good lines are read; the lb line (even with a lexer error) is ignored, not an error.
    assert_eq!(read.config.session_policies().len(), 1);
    assert_eq!(read.config.binds().len(), 1);
    assert_eq!(read.config.ignored().len(), 1);
    insta::assert_snapshot!(render(text));
}
