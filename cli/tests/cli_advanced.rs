//! Advanced rules in the rule subcommands of the `nsexpr` binary: detection and `--syntax`,
//! canonical printing, the four verdicts, `--user`/`--group`, the `syntax` JSON field,
//! unsupported dependencies and diagnostics.

mod common;

use common::{json, nsexpr};

const WORX: &str = r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("Worx")"#;

#[test]
fn check_accepts_an_advanced_rule_and_prints_it_canonically() {
    let out = nsexpr(&["check", WORX]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{WORX}\n"));
    let out = nsexpr(&[
        "check",
        r#"http.req.header("User-Agent").contains("Worx")&&HTTP.REQ.URL.STARTSWITH("/a")"#,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"Worx\") && HTTP.REQ.URL.STARTSWITH(\"/a\")\n"
    );
}

#[test]
fn fmt_prints_an_advanced_rule_canonically() {
    let out = nsexpr(&[
        "fmt",
        r#"http.req.header("User-Agent").contains("Worx")&&HTTP.REQ.URL.STARTSWITH("/a")"#,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"Worx\") && HTTP.REQ.URL.STARTSWITH(\"/a\")\n"
    );
    let out = nsexpr(&["--format", "json", "fmt", WORX]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["canonical"], WORX);
    assert_eq!(v["syntax"], "advanced");
}

#[test]
fn json_outputs_carry_the_syntax() {
    let out = nsexpr(&["--format", "json", "check", WORX, "URL == /a"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<_> = out.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["syntax"], "advanced");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["canonical"], WORX);
    assert_eq!(lines[1]["syntax"], "classic");
    let out = nsexpr(&["--format", "json", "fmt", "URL == /a"]);
    assert_eq!(json(&out.stdout)["syntax"], "classic");
    let out = nsexpr(&[
        "--format",
        "json",
        "eval",
        WORX,
        "-H",
        "User-Agent: WorxWeb",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "true");
    assert_eq!(v["syntax"], "advanced");
    assert_eq!(v["unsupported"].as_array().map(Vec::len), Some(0));
    let out = nsexpr(&["--format", "json", "explain", "METHOD == GET"]);
    let v = json(&out.stdout);
    assert_eq!(v["syntax"], "classic");
    assert_eq!(v["verdict"], "true");
    assert!(v["text"].is_string(), "{v}");
}

#[test]
fn eval_gives_true_and_false() {
    let out = nsexpr(&["eval", WORX, "-H", "User-Agent: WorxWeb/23"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "true\n"),
        "{}",
        out.stderr
    );
    let out = nsexpr(&["eval", WORX, "-H", "User-Agent: Mozilla/5.0"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "false\n"),
        "{}",
        out.stderr
    );
    let out = nsexpr(&["eval", WORX]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "false\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn eval_is_unknown_on_an_unsupported_method_and_says_why() {
    let rule = r#"HTTP.REQ.COOKIE.VALUE("a").EQ("b")"#;
    let out = nsexpr(&["eval", rule]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "unknown\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("advanced:HTTP.REQ.COOKIE"),
        "{}",
        out.stderr
    );
    let out = nsexpr(&["--format", "json", "eval", rule]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "unknown");
    let unsupported = v["unsupported"].as_array().cloned().unwrap_or_default();
    assert!(
        unsupported.iter().any(|d| d == "advanced:HTTP.REQ.COOKIE"),
        "{v}"
    );
    let out = nsexpr(&["explain", rule]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("unsupported"), "{}", out.stdout);
    assert!(
        out.stdout.contains("advanced:HTTP.REQ.COOKIE"),
        "{}",
        out.stdout
    );
    let out = nsexpr(&["--format", "json", "explain", rule]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "unknown");
    assert_eq!(v["syntax"], "advanced");
    assert!(
        v["unsupported"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d == "advanced:HTTP.REQ.COOKIE")),
        "{v}"
    );
}

#[test]
fn eval_is_undef_when_count_sees_more_than_15_instances() {
    let rule = r#"HTTP.REQ.HEADER("X").COUNT.GT(0)"#;
    let headers: Vec<String> = (1..=16).map(|n| format!("X: {n}")).collect();
    let mut args = vec!["eval", rule];
    for h in &headers {
        args.extend(["-H", h.as_str()]);
    }
    let out = nsexpr(&args);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "undef\n"),
        "{}",
        out.stderr
    );
    let out = nsexpr(&["eval", rule, "-H", "X: 1"]);
    assert_eq!(out.stdout, "true\n", "{}", out.stderr);
    let mut json_args = vec!["--format", "json"];
    json_args.extend(args);
    let v = json(&nsexpr(&json_args).stdout);
    assert_eq!(v["verdict"], "undef");
}

#[test]
fn group_makes_is_member_of_true() {
    let rule = r#"AAA.USER.IS_MEMBER_OF("Staff")"#;
    let out = nsexpr(&["eval", rule]);
    assert_eq!(out.stdout, "unknown\n", "{}", out.stderr);
    let out = nsexpr(&["eval", rule, "--group", "Staff"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "true\n"),
        "{}",
        out.stderr
    );
    let out = nsexpr(&["eval", rule, "--user", "alice", "--group", "Sales"]);
    assert_eq!(out.stdout, "false\n", "{}", out.stderr);
    let out = nsexpr(&["eval", rule, "--user", "alice"]);
    assert_eq!(
        out.stdout, "false\n",
        "a user given without groups has none"
    );
    let out = nsexpr(&["explain", rule, "--user", "alice", "--group", "Staff"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("true"), "{}", out.stdout);
}

#[test]
fn syntax_classic_forces_an_error_on_an_advanced_rule() {
    let out = nsexpr(&["check", "--syntax", "classic", WORX]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("not classic"), "{}", out.stderr);
    let out = nsexpr(&["eval", "--syntax", "classic", WORX]);
    assert_eq!(out.code, 1);
    let out = nsexpr(&["fmt", "--syntax", "classic", WORX]);
    assert_eq!(out.code, 1);
    let out = nsexpr(&["--format", "json", "check", "--syntax", "classic", WORX]);
    let v = json(&out.stdout);
    assert_eq!(v["syntax"], "classic");
    assert_eq!(v["valid"], false);
    // And the other way: a classic rule read as advanced does not parse.
    let out = nsexpr(&["check", "--syntax", "advanced", "METHOD == GET"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
}

#[test]
fn an_advanced_type_error_is_drawn_with_carets() {
    let out = nsexpr(&["check", r#"HTTP.REQ.HEADER("User-Agent").CONTAINS(1)"#]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains('^'), "{}", out.stderr);
    assert!(!out.stderr.contains('\x1b'), "no colour off a terminal");
    insta::assert_snapshot!("advanced_type_error", out.stderr);
    let out = nsexpr(&[
        "--format",
        "json",
        "check",
        r#"HTTP.REQ.HEADER("User-Agent").CONTAINS(1)"#,
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["start"], 39);
    assert_eq!(v["errors"][0]["column"], 40);
}

#[test]
fn an_advanced_parse_error_is_drawn_with_carets() {
    let out = nsexpr(&["check", r#"HTTP.REQ.HEADER("User-Agent").CONTAINS("Worx""#]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("never closed"), "{}", out.stderr);
    assert!(out.stderr.contains('^'), "{}", out.stderr);
}
