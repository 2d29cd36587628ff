//! Diagnostics a CI log can carry: warnings on standard error with one `warning:` prefix,
//! "did you mean" for presets, bounded excerpts of long rules.

mod common;

use common::{nsexpr, temp_file};

#[test]
fn simulate_warnings_go_to_stderr_once() {
    let config = temp_file(
        "diag-undefined-action.conf",
        "add vpn vserver gw SSL 192.0.2.1 443\n\
         add vpn sessionPolicy P ns_true MISSING\n\
         bind vpn vserver gw -policy P -priority 10\n",
    );
    for args in [
        vec![
            "simulate",
            "--config",
            config.as_str(),
            "--client",
            "ws-win",
        ],
        vec!["simulate", "--config", config.as_str()],
    ] {
        let out = nsexpr(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(!out.stdout.contains("warning"), "{}", out.stdout);
        assert!(out.stderr.contains("warning: "), "{}", out.stderr);
        for line in out.stderr.lines() {
            assert!(line.matches("warning").count() <= 1, "{line}");
        }
        let mut lines: Vec<&str> = out.stderr.lines().collect();
        let total = lines.len();
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), total, "{}", out.stderr);
    }
}

#[test]
fn unknown_preset_suggests_the_nearest() {
    let out = nsexpr(&[
        "simulate",
        "--config",
        "corpus/configs/ctx139319.conf",
        "--client",
        "ws-windows",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("did you mean `ws-win`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_huge_rule_gives_a_bounded_diagnostic() {
    let rule = format!(
        "REQ.HTTP.HEADER X CONTAINS {} && REQ.HTTP.HEADER Y CONTAIN z && {}",
        "a".repeat(200_000),
        "REQ.HTTP.HEADER Z EXISTS && ".repeat(10_000) + "REQ.HTTP.HEADER Z EXISTS"
    );
    let path = temp_file("diag-huge-rule.txt", &rule);
    let out = common::nsexpr_with_stdin(&["check", "-"], std::fs::read(&path).unwrap_or_default());
    assert_eq!(out.code, 1);
    assert!(out.stderr.len() < 4_000, "{} bytes", out.stderr.len());
    assert!(out.stderr.contains("CONTAIN"), "{}", out.stderr);
}
