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

#[test]
fn eval_takes_a_client_preset() {
    let out = nsexpr(&[
        "eval",
        "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver",
        "--client",
        "ws-win",
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "true\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn test_specs_report_errors_times_and_survive_an_unwritable_junit() {
    let config = common::repository_root().join("corpus/configs/ctx139319.conf");
    let good = temp_file(
        "diag-spec-good.toml",
        &format!(
            "config = {:?}\n\n[[case]]\nname = \"ok\"\nrule = \"METHOD == GET\"\nverdict = \"true\"\n\n\
             [[case]]\nname = \"typo\"\naplied = []\n",
            config.display().to_string()
        ),
    );
    let empty = temp_file("diag-spec-empty.toml", "config = \"ns.conf\"\n");
    let missing = temp_file(
        "diag-spec-missing-config.toml",
        "config = \"no-such.conf\"\n\n[[case]]\nname = \"needs config\"\napplied = []\n",
    );
    let junit = common::temp_path("diag-junit.xml");
    let junit = junit.to_string_lossy().into_owned();
    let out = nsexpr(&["test", &good, &empty, &missing, "--junit", &junit]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 passed, 3 failed"), "{}", out.stdout);
    assert!(
        out.stdout.contains("typo: not a valid case"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("no `[[case]]`"), "{}", out.stdout);
    let xml = std::fs::read_to_string(&junit).unwrap_or_default();
    assert!(xml.contains("<testcase name=\"ok\""), "{xml}");
    assert!(xml.contains(" time=\""), "{xml}");
    assert_eq!(xml.matches("<error ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    // The summary is printed even when the report cannot be written, with its own status.
    let out = nsexpr(&["test", &good, "--junit", "/no/such/dir/report.xml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.contains("1 passed, 1 failed"), "{}", out.stdout);
    assert!(out.stderr.contains("JUnit"), "{}", out.stderr);
}

#[test]
fn simulate_table_has_a_legend_and_sources() {
    let out = nsexpr(&[
        "simulate",
        "--config",
        "corpus/configs/unknown-rule.conf",
        "--sources",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("(none): no policy applied"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("icaProxy from"), "{}", out.stdout);
    assert!(
        out.stdout.contains("receiverWindows_pol  default"),
        "{}",
        out.stdout
    );
}

/// `?` marks a value only where a policy whose verdict is unknown would set another value.
#[test]
fn simulate_marks_only_values_an_unknown_policy_would_change() {
    let config = temp_file(
        "diag-unknown-changes.conf",
        "add vpn vserver gw SSL 192.0.2.1 443\n\
         add vpn sessionAction AC_IP -icaProxy ON -clientlessVpnMode OFF\n\
         add vpn sessionAction AC_UA -icaProxy OFF -clientlessVpnMode OFF\n\
         add vpn sessionPolicy P_IP \"REQ.IP.SOURCEIP == 10.0.0.0 -netmask 255.0.0.0\" AC_IP\n\
         add vpn sessionPolicy P_UA \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" AC_UA\n\
         bind vpn vserver gw -policy P_IP -priority 10\n\
         bind vpn vserver gw -policy P_UA -priority 20\n",
    );
    let out = nsexpr(&["simulate", "--config", &config, "--wide"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ws_win = out
        .stdout
        .lines()
        .find(|l| l.starts_with("ws-win "))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let cells: Vec<&str> = ws_win
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    // P_IP (unknown without a client IP) would turn icaProxy ON: marked. It would set
    // clientlessVpnMode to the value it already has: not marked.
    assert!(cells.contains(&"OFF?"), "{ws_win}");
    assert_eq!(
        cells.iter().filter(|c| c.ends_with('?')).count(),
        1,
        "{ws_win}"
    );
    assert!(
        out.stdout.contains("?: a policy whose verdict is unknown"),
        "{}",
        out.stdout
    );
}
