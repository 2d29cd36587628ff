//! The rule subcommands of the `nsexpr` binary: `check`, `fmt`, `eval`, `explain`; exit codes,
//! text and JSON output, standard input and `-H` handling.

mod common;

use common::{json, nsexpr, nsexpr_with_stdin, stderr_with_colour_env, temp_file};
use serde_json::Value;

#[test]
fn check_prints_the_canonical_form() {
    let out = nsexpr(&[
        "check",
        "header user-agent contains Worx&&HEADER X-Citrix-Gateway EXISTS",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "REQ.HTTP.HEADER user-agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS\n"
    );
}

#[test]
fn check_renders_a_malformed_rule_with_carets_and_exits_1() {
    let out = nsexpr(&["check", "REQ.HTTP.HEADER User-Agent CONTAINS"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains('^'), "{}", out.stderr);
    assert!(out.stderr.contains("expected"), "{}", out.stderr);
    assert!(!out.stderr.contains('\x1b'), "no colour off a terminal");
    insta::assert_snapshot!("check_malformed", out.stderr);
}

#[test]
fn check_json_reports_position_and_validity_per_rule() {
    let out = nsexpr(&[
        "check",
        "--format",
        "json",
        "URL == /a*",
        "METHOD == GET && HEADER",
    ]);
    assert_eq!(out.code, 1);
    let lines: Vec<Value> = out.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["canonical"], "REQ.HTTP.URL == /a*");
    assert_eq!(lines[0]["errors"].as_array().map(Vec::len), Some(0));
    assert_eq!(lines[1]["valid"], false);
    assert!(lines[1]["canonical"].is_null());
    let error = &lines[1]["errors"][0];
    assert!(error["message"].is_string());
    assert_eq!(error["line"], 1);
    assert!(error["start"].as_u64().is_some_and(|s| s >= 17), "{error}");
    assert!(error["end"].as_u64() >= error["start"].as_u64());
    assert!(error["column"].as_u64().is_some_and(|c| c >= 18), "{error}");
}

#[test]
fn check_warns_about_lints_on_stderr() {
    let out = nsexpr(&["check", "METHOD == GET && URL == /a || URL == /b"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("warning"), "{}", out.stderr);
    let out = nsexpr(&[
        "check",
        "--format",
        "json",
        "METHOD == GET && URL == /a || URL == /b",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1));
}

#[test]
fn check_resolves_named_expressions_from_a_config() {
    let out = nsexpr(&["check", "IS_RECEIVER && ns_non_get"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("IS_RECEIVER"), "{}", out.stderr);
    let conf = temp_file(
        "names.conf",
        "add policy expression IS_RECEIVER \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\"\n",
    );
    let out = nsexpr(&["check", "--config", &conf, "IS_RECEIVER && ns_non_get"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "IS_RECEIVER && ns_non_get\n");
}

#[test]
fn a_malformed_config_line_is_a_diagnostic_with_its_position() {
    let conf = temp_file(
        "bad-names.conf",
        "add policy expression IS_RECEIVER \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\"\nadd policy expression\n",
    );
    let out = nsexpr(&["check", "--config", &conf, "IS_RECEIVER"]);
    assert_eq!(out.code, 0, "the rule itself is valid: {}", out.stderr);
    assert!(out.stderr.contains("bad-names.conf:2:"), "{}", out.stderr);
}

#[test]
fn dash_reads_the_rule_from_standard_input() {
    let long = vec!["HEADER X-A CONTAINS abc"; 2000].join(" || ");
    let out = nsexpr_with_stdin(&["check", "-"], format!("{long}\n"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("REQ.HTTP.HEADER X-A CONTAINS abc || ")
    );
    let out = nsexpr_with_stdin(&["fmt", "-"], "method == get\n");
    assert_eq!(out.stdout, "REQ.HTTP.METHOD == get\n");
    let out = nsexpr_with_stdin(
        &["eval", "-", "-H", "X-A: 1"],
        "HEADER X-A EXISTS && METHOD == GET",
    );
    assert_eq!(out.stdout, "true\n");
}

#[test]
fn unquote_removes_ns_conf_quoting() {
    let out = nsexpr(&[
        "check",
        "--unquote",
        r#""HEADER Cookie contains \"abc pqr\"""#,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("REQ.HTTP.HEADER Cookie CONTAINS ")
            && out.stdout.contains("abc pqr"),
        "{}",
        out.stdout
    );
    let out = nsexpr(&["check", "--unquote", "q{METHOD == GET}"]);
    assert_eq!(out.stdout, "REQ.HTTP.METHOD == GET\n");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(nsexpr(&["check"]).code, 2);
    assert_eq!(nsexpr(&["eval", "METHOD == GET", "--bogus"]).code, 2);
    assert_eq!(nsexpr(&["eval", "METHOD == GET", "-H", "no colon"]).code, 2);
    assert_eq!(nsexpr(&["frobnicate"]).code, 2);
    assert_eq!(
        nsexpr(&["check", "--format", "yaml", "METHOD == GET"]).code,
        2
    );
}

#[test]
fn colour_follows_clicolor_force_and_no_color() {
    for args in [
        &["check", "REQ.HTTP.HEADER User-Agent CONTAINS"][..],
        &["simulate", "--config", "/nonexistent/ns.conf"],
    ] {
        let plain = stderr_with_colour_env(args, &[]);
        assert!(!plain.contains('\x1b'), "not a terminal: {plain}");
        let forced = stderr_with_colour_env(args, &[("CLICOLOR_FORCE", "1")]);
        assert!(forced.contains("\x1b["), "CLICOLOR_FORCE: {forced}");
        let both = stderr_with_colour_env(args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
        assert_eq!(both, plain, "NO_COLOR wins");
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "check", "fmt", "eval", "explain", "simulate", "clients", "test", "run",
    ] {
        let out = nsexpr(&[sub, "--help"]);
        assert_eq!(out.code, 0, "{sub}");
        assert!(out.stdout.contains("Example"), "{sub}: {}", out.stdout);
        assert!(out.stdout.contains("--format"), "{sub}");
    }
    let out = nsexpr(&["corpus", "generate", "--help"]);
    assert!(out.stdout.contains("Example"));
}

#[test]
fn fmt_prints_canonical_text_and_json() {
    let out = nsexpr(&[
        "fmt",
        "header user-agent contains Worx&&HEADER X-Citrix-Gateway EXISTS",
    ]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("fmt_headline", out.stdout);
    let out = nsexpr(&["fmt", "--format", "json", "url == /x"]);
    assert_eq!(json(&out.stdout)["canonical"], "REQ.HTTP.URL == /x");
    let out = nsexpr(&["fmt", "URL =="]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains('^'));
}

#[test]
fn eval_prints_the_verdict() {
    let rule = "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver";
    let out = nsexpr(&["eval", rule, "-H", "User-Agent: CitrixReceiver/23.3"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "true\n"));
    let out = nsexpr(&["eval", rule, "-H", "User-Agent: Mozilla/5.0"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "false\n"),
        "false still exits 0"
    );
    let out = nsexpr(&["eval", "--format", "json", rule]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "false");
}

#[test]
fn eval_keeps_repeated_headers_in_order_and_empty_values() {
    let rule = "HEADER X-A == second";
    let args = ["eval", rule, "-H", "X-A: first", "-H", "X-A: second"];
    assert_eq!(nsexpr(&args).stdout, "true\n");
    let mut first = args.to_vec();
    first.extend(["--header-instance", "first"]);
    assert_eq!(nsexpr(&first).stdout, "false\n");
    let out = nsexpr(&[
        "eval",
        "HEADER X-Citrix-Gateway EXISTS",
        "-H",
        "X-Citrix-Gateway:",
    ]);
    assert_eq!(out.stdout, "true\n");
    let out = nsexpr(&[
        "eval",
        "HEADER X-Citrix-Gateway == ''",
        "-H",
        "X-Citrix-Gateway:",
    ]);
    assert_eq!(out.stdout, "true\n", "{}", out.stderr);
}

#[test]
fn eval_uses_method_url_client_ip_and_request_files() {
    let out = nsexpr(&[
        "eval",
        "METHOD == POST && URL == /cgi/*",
        "--method",
        "POST",
        "--url",
        "/cgi/login?x=1",
    ]);
    assert_eq!(out.stdout, "true\n", "{}", out.stderr);
    let rule = "REQ.IP.SOURCEIP == 10.0.0.0 -netmask 255.0.0.0";
    let out = nsexpr(&["eval", "--format", "json", rule]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "unknown");
    assert_eq!(v["missing_inputs"][0], "client_ip");
    assert_eq!(
        nsexpr(&["eval", rule, "--client-ip", "10.1.2.3"]).stdout,
        "true\n"
    );
    assert_eq!(
        nsexpr(&["eval", rule, "--client-ip", "192.0.2.1"]).stdout,
        "false\n"
    );
    let request = temp_file(
        "login.http",
        "POST /cgi/login HTTP/1.1\r\nHost: gw\r\nUser-Agent: CitrixReceiver/1\r\nX-Citrix-Gateway: gw\r\n\r\n",
    );
    let rule = "METHOD == POST && HEADER User-Agent CONTAINS citrixreceiver && HEADER X-Citrix-Gateway EXISTS";
    assert_eq!(
        nsexpr(&["eval", rule, "--request", &request]).stdout,
        "true\n"
    );
    let out = nsexpr_with_stdin(
        &["eval", "HEADER Host == gw", "--request", "-"],
        "GET / HTTP/1.1\r\nHost: gw\r\n\r\n",
    );
    assert_eq!(out.stdout, "true\n", "{}", out.stderr);
    let missing = nsexpr(&["eval", rule, "--request", "/nonexistent/req.http"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("error"));
}

#[test]
fn eval_of_an_invalid_rule_exits_1() {
    let out = nsexpr(&["eval", "HEADER X-A CONTAINS", "-H", "X-A: 1"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains('^'));
}

#[test]
fn explain_prints_the_verdict_tree() {
    let rule = "HEADER User-Agent CONTAINS CitrixReceiver && HEADER Referer NOTEXISTS";
    let out = nsexpr(&["explain", rule, "-H", "User-Agent: CitrixReceiver/23.3"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!("explain_tree", out.stdout);
    let out = nsexpr(&["explain", "--format", "json", rule, "-H", "Referer: x"]);
    let v = json(&out.stdout);
    assert_eq!(v["verdict"], "false");
    assert_eq!(v["children"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["children"][0]["verdict"], "false");
    assert!(
        v["children"][1]["verdict"].is_null(),
        "short-circuited: {v}"
    );
}
