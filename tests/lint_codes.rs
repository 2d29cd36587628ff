//! `nsexpr::lint`: every code fires on its own configuration under `tests/data/lint/`, and each of
//! those configurations shows nothing worse than that code.

use std::path::Path;

use nsexpr::config::Config;
use nsexpr::corpus::Loader;
use nsexpr::lint::{Code, Finding, Level, LintOptions, Traffic, lint_source};

fn findings(code: Code) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lint")
        .join(format!("{}.conf", code.as_str()));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut report = lint_source(&bytes, code.as_str(), &LintOptions::default());
    if matches!(code, Code::NeverHit | Code::UnknownOnTraffic) {
        let loaded = Config::read_bytes(&bytes, code.as_str());
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lint/traffic.jsonl");
        let loader = nsexpr::corpus::open(&corpus, None).expect("corpus");
        let mut traffic = Traffic::new(&loaded.config);
        for record in Loader::into_iter(loader) {
            traffic.record(&record.expect("record"));
        }
        report.extend(traffic.findings());
    }
    report.findings
}

/// Where each code's configuration shows it first: the line and the column of the word it is
/// about (the undefined or unused name, the policy in a bind, the rule or part of it).
const POSITIONS: &[(Code, usize, usize)] = &[
    (Code::ConfigError, 4, 44),
    (Code::CommentNotUtf8, 2, 4),
    (Code::UndefinedVserver, 4, 18),
    (Code::UndefinedPolicy, 5, 29),
    (Code::UndefinedAction, 3, 33),
    (Code::UndefinedGroup, 5, 16),
    (Code::UndefinedUser, 5, 15),
    (Code::UnusedPolicy, 3, 23),
    (Code::UnusedAction, 3, 23),
    (Code::UnusedExpression, 3, 23),
    (Code::DuplicateDefinition, 4, 23),
    (Code::UnknownParameter, 2, 39),
    (Code::ParameterValue, 2, 36),
    (Code::ParameterCase, 2, 36),
    (Code::RuleError, 3, 53),
    (Code::MixedAndOr, 3, 79),
    (Code::OldSpelling, 3, 26),
    (Code::UrlWildcardUnverified, 3, 42),
    (Code::WindowIgnored, 3, 54),
    (Code::NonStandardMethod, 3, 45),
    (Code::NonStandardName, 3, 54),
    (Code::ParenInValue, 3, 54),
    (Code::Contradiction, 3, 26),
    (Code::NeverTrue, 3, 26),
    (Code::AlwaysTrue, 3, 26),
    (Code::ShadowedPolicy, 7, 29),
    (Code::UnreachablePolicy, 7, 29),
    (Code::NeverApplies, 7, 29),
    (Code::NeverHit, 4, 29),
    (Code::UnknownOnTraffic, 4, 29),
    (Code::ClassicRemoved, 4, 26),
];

#[test]
fn every_code_has_a_config_that_shows_it() {
    for &code in Code::ALL {
        let found = findings(code);
        let first = found.iter().find(|f| f.code == code);
        let Some(first) = first else {
            panic!("{code}: {found:#?}");
        };
        // Every finding says what to do about it.
        assert!(first.hint.is_some(), "{code} has no hint: {first:#?}");
        let expected = POSITIONS.iter().find(|(c, ..)| *c == code);
        assert_eq!(
            expected.map(|&(_, line, column)| (line, column)),
            Some((first.line, first.column)),
            "{code}: {first:#?}"
        );
        assert!(
            found
                .iter()
                .all(|f| f.line >= 1 && f.column >= 1 && f.level == f.code.level()),
            "{code}: {found:#?}"
        );
    }
}

/// A comment that is not UTF-8 loses nothing: a warning. A command line that is not UTF-8 is
/// skipped: an error.
#[test]
fn only_a_command_line_that_is_not_utf8_is_an_error() {
    let codes = |bytes: &[u8]| -> Vec<(Code, Level)> {
        lint_source(bytes, "latin1.conf", &LintOptions::default())
            .findings
            .into_iter()
            .filter(|f| matches!(f.code, Code::ConfigError | Code::CommentNotUtf8))
            .map(|f| (f.code, f.level))
            .collect()
    };
    assert_eq!(
        codes(b"# r\xe9seau interne\n"),
        [(Code::CommentNotUtf8, Level::Warning)]
    );
    assert_eq!(
        codes(b"  #r\xe9seau\nadd vpn vserver gw\xe9 SSL 192.0.2.1 443\n"),
        [
            (Code::CommentNotUtf8, Level::Warning),
            (Code::ConfigError, Level::Error)
        ]
    );
}

#[test]
fn typos_get_the_nearest_defined_name() {
    let hint = |code: Code| {
        findings(code)
            .into_iter()
            .find(|f| f.code == code)
            .and_then(|f| f.hint)
    };
    assert_eq!(
        hint(Code::UndefinedVserver).as_deref(),
        Some("did you mean `gw_prod`?")
    );
    assert_eq!(
        hint(Code::UndefinedGroup).as_deref(),
        Some("did you mean `Staff`?")
    );
    assert_eq!(
        hint(Code::UndefinedUser).as_deref(),
        Some("did you mean `alice`?")
    );
    assert_eq!(
        hint(Code::UndefinedPolicy).as_deref(),
        Some("did you mean `Pol`?")
    );
    assert_eq!(
        hint(Code::UndefinedAction).as_deref(),
        Some("did you mean `AC`?")
    );
    let unknown: Vec<String> = findings(Code::UnknownParameter)
        .into_iter()
        .filter(|f| f.code == Code::UnknownParameter)
        .map(|f| format!("{}:{} {}", f.line, f.column, f.hint.unwrap_or_default()))
        .collect();
    assert_eq!(
        unknown,
        [
            "2:39 remove it, or check its spelling in the session-action reference",
            "3:19 did you mean `-splitTunnel`?"
        ]
    );
}

#[test]
fn parameter_values_are_checked_against_their_domain() {
    let values: Vec<(usize, String)> = findings(Code::ParameterValue)
        .into_iter()
        .filter(|f| f.code == Code::ParameterValue)
        .map(|f| (f.column, f.message))
        .collect();
    assert_eq!(values.len(), 2, "{values:?}");
    assert!(values[0].1.contains("ON, OFF"), "{values:?}");
    let case = findings(Code::ParameterCase);
    assert_eq!(case[0].message, "`-icaProxy on` is read as `ON`");
    assert_eq!(case[0].level, Level::Note);
}

#[test]
fn rule_findings_point_into_the_rule() {
    let paren = findings(Code::ParenInValue);
    let at = paren
        .iter()
        .find(|f| f.code == Code::ParenInValue)
        .expect("paren");
    // `add vpn sessionPolicy P "` is 25 characters; the `)` follows `REQ.HTTP.HEADER A CONTAINS x`.
    assert_eq!((at.line, at.column), (3, 26 + 28));
    let error = findings(Code::RuleError);
    assert!(
        error
            .iter()
            .any(|f| f.code == Code::RuleError && f.level == Level::Error)
    );
}

#[test]
fn policy_set_findings_name_an_example_request() {
    let shadowed = findings(Code::ShadowedPolicy);
    let at = shadowed
        .iter()
        .find(|f| f.code == Code::ShadowedPolicy)
        .expect("shadowed");
    assert!(at.message.contains("`PB`"), "{}", at.message);
    assert!(
        at.message.contains("User-Agent: \"Receiver\""),
        "{}",
        at.message
    );
    assert!(at.message.contains("`icaProxy` from PA"), "{}", at.message);
    let unreachable = findings(Code::UnreachablePolicy);
    assert!(
        unreachable
            .iter()
            .any(|f| f.code == Code::UnreachablePolicy && f.message.contains("`PB`"))
    );
}

#[test]
fn a_clean_config_has_no_findings() {
    let text = "add vpn vserver gw SSL 192.0.2.1 443\n\
        add vpn sessionAction AC -icaProxy ON\n\
        add vpn sessionPolicy P \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" AC\n\
        bind vpn vserver gw -policy P -priority 10\n";
    let report = lint_source(text.as_bytes(), "ns.conf", &LintOptions::default());
    assert_eq!(report.findings, []);
}

/// The findings of a configuration whose only policy has `rule`.
fn rule_findings(rule: &str) -> Vec<Finding> {
    let text = format!(
        "add vpn vserver gw SSL 192.0.2.1 443\n\
         add vpn sessionAction AC -icaProxy ON\n\
         add vpn sessionPolicy P \"{rule}\" AC\n\
         bind vpn vserver gw -policy P -priority 10\n"
    );
    lint_source(text.as_bytes(), "ns.conf", &LintOptions::default()).findings
}

#[test]
fn rules_true_for_some_request_are_not_reported() {
    for rule in [
        // Only a value holding both and not the third: "Citrix Windows".
        "REQ.HTTP.HEADER UA CONTAINS Citrix && REQ.HTTP.HEADER UA CONTAINS Windows && REQ.HTTP.HEADER UA NOTCONTAINS Edge",
        // A value containing `abc` that is not `abc`.
        "REQ.HTTP.HEADER UA CONTAINS abc && REQ.HTTP.HEADER UA != abc",
        // A third method.
        "REQ.HTTP.METHOD != GET && REQ.HTTP.METHOD != POST",
        // The literal path `/a*b*c`.
        "REQ.HTTP.URL == /a*b*c",
        // Tests the built requests do not decide: URL and query substrings, windows, numbers.
        "REQ.HTTP.URL CONTAINS abc && REQ.HTTP.URL CONTAINS xyz",
        "REQ.HTTP.URLQUERY CONTAINS a=1 && REQ.HTTP.URLQUERY CONTAINS b=2",
        "REQ.HTTP.HEADER User-Agent CONTAINS Worx -offset 2 -length 10",
        "REQ.HTTP.URLLEN > 100",
    ] {
        let found = rule_findings(rule);
        assert!(
            found.iter().all(|f| !matches!(
                f.code,
                Code::NeverTrue | Code::AlwaysTrue | Code::Contradiction
            )),
            "{rule}: {found:#?}"
        );
    }
}

/// The contradictions of a one-policy configuration: (column, message), and whether the whole
/// rule was also reported as never true.
fn contradictions(rule: &str) -> (Vec<(usize, String)>, bool) {
    let found = rule_findings(rule);
    let contradictions = found
        .iter()
        .filter(|f| f.code == Code::Contradiction)
        .map(|f| (f.column, f.message.clone()))
        .collect();
    let never = found.iter().any(|f| f.code == Code::NeverTrue);
    (contradictions, never)
}

// The rule starts in column 26, after `add vpn sessionPolicy P "`.

#[test]
fn a_contradiction_under_an_or_is_reported_as_a_part() {
    // The `(` of the part is in column 26 + 28.
    let (found, never) = contradictions(
        "REQ.HTTP.HEADER C EXISTS || (REQ.HTTP.HEADER A EXISTS && REQ.HTTP.HEADER A NOTEXISTS)",
    );
    assert_eq!(
        found,
        [(
            54,
            "the part `REQ.HTTP.HEADER A EXISTS && REQ.HTTP.HEADER A NOTEXISTS` of the rule can \
             never be true: its operands cannot all hold"
                .to_owned()
        )]
    );
    assert!(!never);
    let (found, never) = contradictions(
        "REQ.HTTP.HEADER C EXISTS || (REQ.HTTP.HEADER User-Agent == abc && REQ.HTTP.HEADER User-Agent CONTAINS xyz)",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 54);
    assert!(found[0].1.starts_with("the part `"), "{found:?}");
    assert!(!never);
}

#[test]
fn a_value_contradiction_is_found_by_evaluation() {
    let (found, never) = contradictions(
        "REQ.HTTP.HEADER User-Agent == abc && REQ.HTTP.HEADER User-Agent CONTAINS xyz",
    );
    assert_eq!(
        found,
        [(
            26,
            "the rule can never be true: `REQ.HTTP.HEADER User-Agent == abc` and \
             `REQ.HTTP.HEADER User-Agent CONTAINS xyz` cannot both hold"
                .to_owned()
        )]
    );
    // One finding for the whole rule: not also never-true.
    assert!(!never);
    let (found, _) =
        contradictions("REQ.HTTP.HEADER X NOTEXISTS && REQ.HTTP.HEADER X CONTAINS abc");
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn a_contradiction_through_an_or_is_found_by_evaluation() {
    for (rule, operands) in [
        (
            "(REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS) && REQ.HTTP.HEADER A NOTEXISTS && REQ.HTTP.HEADER B NOTEXISTS",
            "`(REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS)`, `REQ.HTTP.HEADER A NOTEXISTS` and `REQ.HTTP.HEADER B NOTEXISTS`",
        ),
        (
            "(REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS) && !REQ.HTTP.HEADER A EXISTS && !REQ.HTTP.HEADER B EXISTS",
            "`(REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS)`, `!REQ.HTTP.HEADER A EXISTS` and `!REQ.HTTP.HEADER B EXISTS`",
        ),
    ] {
        let (found, never) = contradictions(rule);
        assert_eq!(
            found,
            [(
                26,
                format!("the rule can never be true: {operands} cannot all hold")
            )],
            "{rule}"
        );
        assert!(!never, "{rule}");
    }
}

#[test]
fn a_contradiction_names_only_the_operands_that_clash() {
    let (found, _) = contradictions(
        "REQ.HTTP.HEADER Q EXISTS && REQ.HTTP.HEADER User-Agent == abc && REQ.HTTP.HEADER R EXISTS && REQ.HTTP.HEADER User-Agent NOTCONTAINS B",
    );
    assert_eq!(
        found,
        [(
            26,
            "the rule can never be true: `REQ.HTTP.HEADER User-Agent == abc` and \
             `REQ.HTTP.HEADER User-Agent NOTCONTAINS B` cannot both hold"
                .to_owned()
        )]
    );
}

#[test]
fn an_and_false_only_because_of_a_reported_part_is_not_reported_again() {
    // The inner `&&` starts at its `(`, column 26 + 28; the whole rule is then never true.
    let (found, never) = contradictions(
        "REQ.HTTP.HEADER Q EXISTS && (REQ.HTTP.HEADER A EXISTS && REQ.HTTP.HEADER A NOTEXISTS)",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 54);
    assert!(never);
}

#[test]
fn similar_looking_satisfiable_ands_are_not_contradictions() {
    for rule in [
        // "abc" contains `b`.
        "REQ.HTTP.HEADER User-Agent == abc && REQ.HTTP.HEADER User-Agent CONTAINS b",
        // CONTAINS ignores case.
        "REQ.HTTP.HEADER User-Agent == abc && REQ.HTTP.HEADER User-Agent CONTAINS ABC",
        // METHOD == ignores case.
        "REQ.HTTP.METHOD == GET && REQ.HTTP.METHOD == get",
        // `/foo/bar` also matches `/foo/bar.html`.
        "REQ.HTTP.URL == /foo/bar && REQ.HTTP.URL == /foo/bar.html",
        // Different headers.
        "REQ.HTTP.HEADER A EXISTS && REQ.HTTP.HEADER B NOTEXISTS",
        // A part of the `||` can hold.
        "(REQ.HTTP.HEADER A EXISTS || REQ.HTTP.HEADER B EXISTS) && REQ.HTTP.HEADER A NOTEXISTS",
    ] {
        let found = rule_findings(rule);
        assert!(
            found
                .iter()
                .all(|f| !matches!(f.code, Code::Contradiction | Code::NeverTrue)),
            "{rule}: {found:#?}"
        );
    }
}

/// A rule that does not parse carries the parser's suggestion as its hint.
#[test]
fn rule_errors_carry_the_parsers_suggestion() {
    let config = "add vpn vserver gw SSL 192.0.2.1 443\n\
        add vpn sessionAction AC -icaProxy ON\n\
        add vpn sessionPolicy P \"REQ.HTTP.HEADR User-Agent CONTAINS Worx\" AC\n\
        add vpn sessionPolicy Q \"REQ.HTTP.HEADER User-Agent CONTAIN Worx\" AC\n\
        bind vpn vserver gw -policy P -priority 10\n\
        bind vpn vserver gw -policy Q -priority 20\n";
    let report = lint_source(config.as_bytes(), "typos", &LintOptions::default());
    let hints: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::RuleError)
        .map(|f| {
            format!(
                "{}:{} {}",
                f.line,
                f.column,
                f.hint.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert!(
        hints[0].starts_with("3:26 ") && hints[0].contains("did you mean `REQ.HTTP.HEADER`?"),
        "{hints:?}"
    );
    assert!(
        hints[1].starts_with("4:53 ") && hints[1].contains("did you mean `CONTAINS`?"),
        "{hints:?}"
    );
}

/// The findings of a configuration file under `tests/data/lint/`.
fn file_findings(name: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/lint")
        .join(format!("{name}.conf"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lint_source(&bytes, name, &LintOptions::default()).findings
}

/// The codes of the rule-truth and policy-set analyses.
const ANALYSES: [Code; 7] = [
    Code::Contradiction,
    Code::NeverTrue,
    Code::AlwaysTrue,
    Code::ShadowedPolicy,
    Code::UnreachablePolicy,
    Code::NeverApplies,
    Code::RuleError,
];

#[test]
fn advanced_rules_get_the_rule_and_policy_set_findings() {
    for (name, code, at, says) in [
        // `!STARTSWITH("a") && STARTSWITH("ab")`.
        (
            "advanced-never-true",
            Code::NeverTrue,
            (3, 26),
            "the rule of `P` is false for every request",
        ),
        // Whatever ends with `receiver` ends with `VER`, ignoring case.
        (
            "advanced-always-true",
            Code::AlwaysTrue,
            (4, 26),
            "the rule of `P` is true for every request",
        ),
        // GET ends the walk at PA, every other method at PB.
        (
            "advanced-unreachable",
            Code::UnreachablePolicy,
            (10, 29),
            "no request reaches policy `PC`: an earlier goto END ends every walk (the goto of `PA`, `PB`)",
        ),
        // Through a named expression, a bare name as the rule.
        (
            "advanced-shadowed",
            Code::ShadowedPolicy,
            (8, 29),
            "policy `PB` never sets anything: whenever it applies, other policies set its parameters (for example GET / with User-Agent: \"Receiver\", X: \"\": `icaProxy` from PA)",
        ),
        // A classic and an advanced rule on one vserver.
        (
            "advanced-mixed",
            Code::ShadowedPolicy,
            (8, 29),
            "policy `PB` never sets anything",
        ),
        (
            "never-applies",
            Code::NeverApplies,
            (7, 29),
            "policy `PC` never applies: an earlier goto skips it on every request its rule accepts (the goto of `PA`; for example GET / with X: \"\", Y: \"\")",
        ),
    ] {
        let found = file_findings(name);
        let analysed: Vec<&Finding> = found
            .iter()
            .filter(|f| ANALYSES.contains(&f.code))
            .collect();
        assert_eq!(analysed.len(), 1, "{name}: {found:#?}");
        let finding = analysed[0];
        assert_eq!(finding.code, code, "{name}: {finding:#?}");
        assert_eq!((finding.line, finding.column), at, "{name}: {finding:#?}");
        assert!(
            finding.message.contains(says),
            "{name}: {}",
            finding.message
        );
        assert!(finding.hint.is_some(), "{name}: {finding:#?}");
    }
}

#[test]
fn advanced_rules_the_requests_do_not_decide_are_left_alone() {
    // PB truly never applies after PA's END, PR is never true on the built requests (none holds
    // `bbb`) and PI is always true: the regular expression and the client address leave them,
    // and the vserver, alone.
    let found = file_findings("advanced-undecided");
    assert!(
        found.iter().all(|f| !ANALYSES.contains(&f.code)),
        "{found:#?}"
    );
    for rule in [
        r#"HTTP.REQ.HEADER("X").REGEX_MATCH(re/b{3}/) && HTTP.REQ.HEADER("X").STARTSWITH("a")"#,
        r#"CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8) || !CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8)"#,
        r#"SYS.TIME.BETWEEN(GMT 2024 Jan 1, GMT 2024 Jan 2) && HTTP.REQ.HEADER("X").EXISTS.NOT && HTTP.REQ.HEADER("X").EXISTS"#,
        r#"AAA.USER.IS_MEMBER_OF("Staff") && !AAA.USER.IS_MEMBER_OF("Staff").NOT"#,
        r#"HTTP.REQ.HEADER("X").BEFORE_STR(";").EQ("a") && HTTP.REQ.HEADER("X").EQ("b")"#,
        r#"HTTP.REQ.HEADER("X").LENGTH.GT(3) && HTTP.REQ.HEADER("X").EQ("ab")"#,
        r#"HTTP.REQ.URL.QUERY.CONTAINS("a=1") && HTTP.REQ.URL.PATH.EQ("/x?a=1")"#,
        // A test of the URL and one of its path can tell the path from the query.
        r#"HTTP.REQ.URL.CONTAINS("a=1") && !HTTP.REQ.URL.PATH.CONTAINS("a=1")"#,
        // Case-sensitive and caseless substring tests of one header: `AbC`.
        r#"HTTP.REQ.HEADER("X").SET_TEXT_MODE(IGNORECASE).CONTAINS("abc") && !HTTP.REQ.HEADER("X").CONTAINS("ab") && !HTTP.REQ.HEADER("X").CONTAINS("BC")"#,
        r#"HTTP.REQ.HEADER("X").SET_TEXT_MODE(URLENCODED).EQ("a b") && HTTP.REQ.HEADER("X").EQ("c")"#,
    ] {
        let found = advanced_rule_findings(rule, "");
        assert!(
            found.iter().all(|f| !ANALYSES.contains(&f.code)),
            "{rule}: {found:#?}"
        );
    }
    // A text mode set in a named expression carries on into the chain that uses the name (D32):
    // caselessly, whatever ends with "receiver" ends with "VER", so the rule is always true.
    let found = advanced_rule_findings(
        r#"UA.ENDSWITH("VER") || UA.ENDSWITH("receiver").NOT"#,
        r#"add policy expression UA "HTTP.REQ.HEADER(\"User-Agent\").SET_TEXT_MODE(IGNORECASE)""#,
    );
    assert!(
        found.iter().any(|f| f.code == Code::AlwaysTrue),
        "{found:#?}"
    );
}

/// The findings of a configuration whose only policy has the advanced `rule` (written without
/// escapes), after the lines `before`.
fn advanced_rule_findings(rule: &str, before: &str) -> Vec<Finding> {
    let rule = rule.replace('"', "\\\"");
    let text = format!(
        "add vpn vserver gw SSL 192.0.2.1 443\n\
         add vpn sessionAction AC -icaProxy ON\n\
         {before}\n\
         add vpn sessionPolicy P \"{rule}\" AC\n\
         bind vpn vserver gw -policy P -priority 10\n"
    );
    lint_source(text.as_bytes(), "ns.conf", &LintOptions::default()).findings
}

#[test]
fn advanced_rules_true_for_some_request_are_not_reported() {
    for rule in [
        // Two instances: an earlier one contains `a`, the last is `b` (CONTAINS reads every
        // instance, EQ the last).
        r#"HTTP.REQ.HEADER("X").CONTAINS("a") && HTTP.REQ.HEADER("X").EQ("b")"#,
        // `abXbc`.
        r#"HTTP.REQ.HEADER("X").STARTSWITH("ab") && HTTP.REQ.HEADER("X").ENDSWITH("bc") && HTTP.REQ.HEADER("X").NE("abc")"#,
        // `abc` itself.
        r#"HTTP.REQ.HEADER("X").STARTSWITH("ab") && HTTP.REQ.HEADER("X").ENDSWITH("bc") && HTTP.REQ.HEADER("X").CONTAINS("abc")"#,
        // `get`: a quoted method compares exactly, a bare one ignoring case.
        r#"HTTP.REQ.METHOD.EQ("get") && HTTP.REQ.METHOD.EQ(GET)"#,
        r#"HTTP.REQ.METHOD.NE("GET") && HTTP.REQ.METHOD.EQ(GET)"#,
        // `ABC`.
        r#"HTTP.REQ.HEADER("X").SET_TEXT_MODE(IGNORECASE).EQ("abc") && HTTP.REQ.HEADER("X").NE("abc")"#,
        // An absent header reads as "".
        r#"HTTP.REQ.HEADER("X").EQ("") && HTTP.REQ.HEADER("X").EXISTS.NOT"#,
        r#"HTTP.REQ.URL.PATH.STARTSWITH("/vpn/") && HTTP.REQ.URL.PATH.ENDSWITH(".html")"#,
        r#"HTTP.REQ.URL.STARTSWITH("/vpn/") && HTTP.REQ.URL.CONTAINS("?x=1")"#,
        "TRUE",
        "FALSE",
    ] {
        let found = advanced_rule_findings(rule, "");
        assert!(
            found.iter().all(|f| !ANALYSES.contains(&f.code)),
            "{rule}: {found:#?}"
        );
    }
}

#[test]
fn advanced_contradictions_name_the_operands_and_point_into_the_rule() {
    let contradictions = |rule: &str| -> Vec<(usize, String)> {
        advanced_rule_findings(rule, "")
            .into_iter()
            .filter(|f| f.code == Code::Contradiction)
            .map(|f| (f.column, f.message))
            .collect()
    };
    // `e && !e`, by its syntax.
    assert_eq!(
        contradictions(r#"HTTP.REQ.HEADER("X").EXISTS && !HTTP.REQ.HEADER("X").EXISTS"#),
        [(
            26,
            r#"the rule can never be true: `HTTP.REQ.HEADER("X").EXISTS` and `!HTTP.REQ.HEADER("X").EXISTS` cannot both hold"#
                .to_owned()
        )]
    );
    // By evaluation, naming only the operands that clash. The rule starts in column 26; in the
    // file each `"` is written `\"`, so the part's `(` is in column 26 + 33.
    assert_eq!(
        contradictions(
            r#"HTTP.REQ.HEADER("C").EXISTS || (HTTP.REQ.HEADER("Y").EXISTS && HTTP.REQ.HEADER("X").STARTSWITH("ab") && HTTP.REQ.HEADER("X").EQ("b"))"#
        ),
        [(
            59,
            r#"the part `HTTP.REQ.HEADER("Y").EXISTS && HTTP.REQ.HEADER("X").STARTSWITH("ab") && HTTP.REQ.HEADER("X").EQ("b")` of the rule can never be true: `HTTP.REQ.HEADER("X").STARTSWITH("ab")` and `HTTP.REQ.HEADER("X").EQ("b")` cannot both hold"#
                .to_owned()
        )]
    );
    for rule in [
        r#"HTTP.REQ.HEADER("X").SET_TEXT_MODE(IGNORECASE).EQ("abc") && HTTP.REQ.HEADER("X").SET_TEXT_MODE(IGNORECASE).NE("ABC")"#,
        r#"HTTP.REQ.METHOD.EQ(GET) && HTTP.REQ.METHOD.EQ(POST)"#,
        r#"HTTP.REQ.URL.PATH.STARTSWITH("/vpn/") && HTTP.REQ.URL.PATH.EQ("/cgi/login")"#,
        r#"HTTP.REQ.HEADER("X").EXISTS.NOT && HTTP.REQ.HEADER("X").CONTAINS("")"#,
    ] {
        let found = contradictions(rule);
        assert_eq!(found.len(), 1, "{rule}: {found:?}");
        assert!(
            found[0].1.starts_with("the rule can never be true: "),
            "{rule}: {found:?}"
        );
    }
}

/// The configuration of the report that advanced rules were not analysed: PC can apply only on
/// requests PA's END already stopped, PN is a contradiction.
#[test]
fn an_advanced_policy_behind_an_end_and_an_advanced_contradiction_are_reported() {
    let config = r#"add vpn vserver gw SSL 192.0.2.1 443
add vpn sessionAction AC_A -icaProxy ON
add vpn sessionAction AC_C -icaProxy OFF
add vpn sessionPolicy PA "HTTP.REQ.HEADER(\"X\").EXISTS" AC_A
add vpn sessionPolicy PC "HTTP.REQ.HEADER(\"X\").EXISTS && HTTP.REQ.HEADER(\"Y\").EXISTS" AC_C
add vpn sessionPolicy PN "HTTP.REQ.HEADER(\"X\").EXISTS && !HTTP.REQ.HEADER(\"X\").EXISTS" AC_C
bind vpn vserver gw -policy PA -priority 10 -gotoPriorityExpression END
bind vpn vserver gw -policy PC -priority 30
bind vpn vserver gw -policy PN -priority 40
"#;
    let report = lint_source(config.as_bytes(), "adv2.conf", &LintOptions::default());
    let found: Vec<(Code, usize, usize)> = report
        .findings
        .iter()
        .map(|f| (f.code, f.line, f.column))
        .collect();
    assert_eq!(
        found,
        [(Code::Contradiction, 6, 27), (Code::NeverApplies, 8, 29)],
        "{:#?}",
        report.findings
    );
}

#[test]
fn a_goto_the_walk_cannot_follow_leaves_the_policies_after_it_alone() {
    let config = r#"add vpn vserver gw SSL 192.0.2.1 443
add vpn sessionAction AC_A -icaProxy ON
add vpn sessionAction AC_C -icaProxy OFF
add vpn sessionPolicy PA "HTTP.REQ.HEADER(\"X\").EXISTS" AC_A
add vpn sessionPolicy PC "HTTP.REQ.HEADER(\"X\").EXISTS && HTTP.REQ.HEADER(\"Y\").EXISTS" AC_C
bind vpn vserver gw -policy PA -priority 10 -gotoPriorityExpression "HTTP.REQ.HEADER(\"N\").TYPECAST_NUM_T"
bind vpn vserver gw -policy PC -priority 20
"#;
    let report = lint_source(config.as_bytes(), "goto.conf", &LintOptions::default());
    assert!(
        report.findings.iter().all(|f| !ANALYSES.contains(&f.code)),
        "{:#?}",
        report.findings
    );
}

#[test]
fn an_advanced_named_expression_starting_a_chain_is_used() {
    for name in ["advanced-always-true", "advanced-shadowed"] {
        let found = file_findings(name);
        assert!(
            found.iter().all(|f| f.code != Code::UnusedExpression),
            "{name}: {found:#?}"
        );
    }
}

/// An advanced rule that does not parse or check is a rule error at its position, like a classic
/// one.
#[test]
fn advanced_rule_errors_are_reported() {
    let config = "add vpn vserver gw SSL 192.0.2.1 443\n\
        add vpn sessionAction A -icaProxy ON\n\
        add vpn sessionPolicy P \"HTTP.REQ.HEADER(\\\"X\\\").CONTAIN(\\\"a\\\")\" A\n\
        add vpn sessionPolicy Q \"HTTP.REQ.HEADER(\\\"X\\\").EXISTS && nosuch\" A\n\
        bind vpn vserver gw -policy P -priority 10\n\
        bind vpn vserver gw -policy Q -priority 20\n";
    let report = lint_source(config.as_bytes(), "advanced", &LintOptions::default());
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::RuleError)
        .map(|f| format!("{}:{} {}", f.line, f.column, f.message))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("3:49 ") && errors[0].contains("CONTAIN"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("4:59 ") && errors[1].contains("NOSUCH"),
        "{errors:?}"
    );
}
