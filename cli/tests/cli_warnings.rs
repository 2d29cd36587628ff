//! Warnings a CI run cannot miss: a typo that makes a run test nothing, each finding once and
//! bounded, the same configuration warnings from `simulate`, `test` and `run`, and a Latin-1
//! comment that costs nothing.

mod common;

use std::path::PathBuf;

use common::{json, nsexpr, temp_file, temp_path};

/// A bind to a misspelt vserver: `gw_prod` has nothing bound.
const BIND_TYPO: &str = "add vpn vserver gw_prod SSL 10.0.0.1 443\n\
    add vpn sessionAction A -icaProxy ON\n\
    add vpn sessionPolicy P \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" A\n\
    add vpn sessionPolicy Unused ns_true A\n\
    bind vpn vserver gw_prd -policy P -priority 10\n\
    bind vpn vserver gw_prod -policy Q -priority 20\n\
    add aaa group Staff\n";

/// A config with one finding of each kind `simulate`, `test` and `run` must report.
const FINDINGS: &str = "add vpn vserver gw SSL 192.0.2.1 443\n\
    add vpn sessionAction A -icaProxy ON -fooBar 12 -splitTunel ON -sessTimeout abc -clientlessVpnMode maybe\n\
    add vpn sessionPolicy P \"REQ.HTTP.HEADER User-Agent CONTAINS x) && REQ.HTTP.HEADER Y EXISTS\" A\n\
    add vpn sessionPolicy Q \"REQ.HTTP.HEADER A EXISTS && REQ.HTTP.HEADER B EXISTS || REQ.HTTP.HEADER C EXISTS\" MISSING\n\
    bind vpn vserver gw -policy P -priority 10\n\
    bind vpn vserver gw -policy Q -priority 20\n\
    bind vpn vserver gw -policy PX -priority 30\n";

/// What each of those findings looks like on standard error.
const FINDING_TEXTS: &[&str] = &[
    "uses undefined session action `MISSING`",
    "bind of undefined policy `PX` ignored (did you mean `P`?)",
    "the rule mixes && and || without parentheses",
    "`)` without a matching `(` is part of the value `x)`",
    "unknown session parameter `-fooBar`",
    "unknown session parameter `-splitTunel` (did you mean `-splitTunnel`?)",
    "`-sessTimeout` must be a whole number from 1 to 65535, found `abc`",
    "`-clientlessVpnMode` must be one of ON, OFF, DISABLED, found `maybe`",
];

/// Asserts that each text is on exactly one line of `stderr`, a `warning:` line.
fn once_each(stderr: &str, texts: &[&str]) {
    for text in texts {
        let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(text)).collect();
        assert_eq!(lines.len(), 1, "{text}:\n{stderr}");
        assert!(
            lines.iter().all(|l| l.starts_with("warning: ")),
            "{lines:?}"
        );
    }
}

fn dir(name: &str) -> PathBuf {
    let dir = temp_path(name);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn path(dir: &std::path::Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write temp file");
    path.to_str().expect("utf-8 path").to_owned()
}

fn corpus() -> String {
    let corpus = temp_path("warnings-corpus.jsonl");
    let corpus = corpus.to_str().expect("utf-8 path").to_owned();
    let out = nsexpr(&[
        "corpus", "generate", "--count", "50", "--seed", "3", "--output", &corpus,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    corpus
}

#[test]
fn a_typo_that_makes_a_run_test_nothing_is_a_warning_with_the_nearest_name() {
    let config = temp_file("warnings-bind-typo.conf", BIND_TYPO);
    let typo = "warnings-bind-typo.conf:5:18: vserver `gw_prd` is not defined in this file \
                (did you mean `gw_prod`?)";
    let nothing = "no session policy is bound to vserver `gw_prod`";
    let unbound = "warnings-bind-typo.conf:4:23: session policy `Unused` is not bound";
    let undefined = "bind of undefined policy `Q` ignored (did you mean `P`?)";

    // simulate: still exit 0 and `(none bound)`, but not silently.
    let out = nsexpr(&[
        "simulate",
        "--config",
        &config,
        "--vserver",
        "gw_prod",
        "--client",
        "ws-win",
        "--group",
        "Stafff",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("(none bound)"), "{}", out.stdout);
    once_each(&out.stderr, &[typo, nothing, unbound, undefined]);
    once_each(
        &out.stderr,
        &[
            "group `Stafff` is not mentioned in the configuration, so it changes nothing \
           (did you mean `Staff`?)",
        ],
    );
    // Every preset: the same warnings, once.
    let out = nsexpr(&["simulate", "--config", &config, "--vserver", "gw_prod"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    once_each(&out.stderr, &[typo, nothing, unbound, undefined]);

    // An unknown --vserver fails with the nearest name; the reader's warnings come first.
    let out = nsexpr(&["simulate", "--config", &config, "--vserver", "gw_prood"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "vpn vserver `gw_prood` is not in the configuration (did you mean `gw_prod`?)"
        ),
        "{}",
        out.stderr
    );
    once_each(&out.stderr, &[typo]);
    let single = temp_file("warnings-gw.conf", "add vpn vserver gw SSL 10.0.0.1 443\n");
    let out = nsexpr(&["simulate", "--config", &single, "--vserver", "gww"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("(did you mean `gw`?)"),
        "{}",
        out.stderr
    );

    // test: a vserver that does not exist fails the case with the nearest name; one with
    // nothing bound, or a group the config never mentions, warns.
    let dir = dir("warnings-bind-typo-spec");
    path(&dir, "typo.conf", BIND_TYPO);
    let spec = path(
        &dir,
        "spec.toml",
        "config = \"typo.conf\"\n\n\
         [[case]]\nname = \"misspelt vserver\"\nvserver = \"gw_prood\"\nclient = \"ws-win\"\napplied = []\n\n\
         [[case]]\nname = \"nothing bound\"\nvserver = \"gw_prod\"\nclient = \"ws-win\"\napplied = []\n\n\
         [[case]]\nname = \"misspelt group\"\nvserver = \"gw_prod\"\nclient = \"browser\"\n\
         groups = [\"Stafff\"]\napplied = []\n",
    );
    let out = nsexpr(&["test", &spec]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("misspelt vserver: ")
            && out.stdout.contains(
                "vpn vserver `gw_prood` is not in the configuration (did you mean `gw_prod`?)"
            ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2 passed, 1 failed"), "{}", out.stdout);
    once_each(
        &out.stderr,
        &[
            "typo.conf:5:18: vserver `gw_prd` is not defined in this file (did you mean `gw_prod`?)",
            nothing,
            "typo.conf:4:23: session policy `Unused` is not bound",
            undefined,
            "case `misspelt group`: group `Stafff` is not mentioned in the configuration, so it \
             changes nothing (did you mean `Staff`?)",
        ],
    );

    // run: the same warnings, once.
    let out = nsexpr(&[
        "run",
        "--config",
        &config,
        "--vserver",
        "gw_prod",
        "--corpus",
        &corpus(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    once_each(&out.stderr, &[typo, nothing, unbound, undefined]);
}

#[test]
fn a_rule_that_does_not_parse_gives_a_bounded_warning() {
    for (name, rule) in [
        // Longer than the parser reads.
        (
            "warnings-huge-rule.conf",
            format!(
                "REQ.HTTP.HEADER X CONTAINS {} && REQ.HTTP.HEADER Y CONTAIN z",
                "a".repeat(5_000_000)
            ),
        ),
        // Within the limit, with the error far into it.
        (
            "warnings-long-rule.conf",
            format!(
                "REQ.HTTP.HEADER X CONTAINS {} && REQ.HTTP.HEADER Y CONTAIN z && {}",
                "a".repeat(500_000),
                "b".repeat(400_000)
            ),
        ),
    ] {
        let config = temp_file(
            name,
            &format!(
                "add vpn vserver gw SSL 192.0.2.1 443\n\
                 add vpn sessionAction A -icaProxy ON\n\
                 add vpn sessionPolicy P \"{rule}\" A\n\
                 bind vpn vserver gw -policy P -priority 10\n"
            ),
        );
        for args in [
            vec![
                "simulate",
                "--config",
                config.as_str(),
                "--client",
                "ws-win",
            ],
            vec!["simulate", "--config", config.as_str(), "--format", "json"],
        ] {
            let out = nsexpr(&args);
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert!(out.stderr.len() < 4_000, "{} bytes", out.stderr.len());
            assert!(
                out.stderr.contains("the rule does not parse"),
                "{}",
                out.stderr
            );
            assert!(out.stderr.contains("...aaaa"), "{}", out.stderr);
            assert!(out.stderr.contains('^'), "{}", out.stderr);
            // The JSON carries the same bounded warning.
            if args.contains(&"json") {
                let v = json(&out.stdout);
                let warnings = v["warnings"].as_array().expect("warnings");
                assert_eq!(warnings.len(), 1, "{warnings:?}");
                assert!(
                    warnings
                        .iter()
                        .all(|w| w.as_str().is_some_and(|w| w.len() < 4_000)),
                    "{warnings:?}"
                );
            }
        }
    }
}

#[test]
fn a_finding_is_reported_once_and_config_warnings_once_in_json() {
    let config = temp_file(
        "warnings-undefined-action.conf",
        "add vpn vserver gw SSL 192.0.2.1 443\n\
         add vpn sessionPolicy P ns_true MISSING\n\
         bind vpn vserver gw -policy P -priority 10\n",
    );
    let text = "warnings-undefined-action.conf:2:33: session policy `P` uses undefined session \
                action `MISSING`";
    for args in [
        vec![
            "simulate",
            "--config",
            config.as_str(),
            "--client",
            "ws-win",
        ],
        vec!["simulate", "--config", config.as_str()],
        vec!["simulate", "--config", config.as_str(), "--format", "json"],
    ] {
        let out = nsexpr(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stderr.matches("MISSING").count(), 1, "{}", out.stderr);
        once_each(&out.stderr, &[text]);
    }
    // One report: the warning once, with its line.
    let out = nsexpr(&[
        "simulate", "--config", &config, "--client", "ws-win", "--format", "json",
    ]);
    let v = json(&out.stdout);
    assert_eq!(
        v["warnings"],
        serde_json::json!(["line 2: session policy `P` uses undefined session action `MISSING`"])
    );
    // Every preset: the config's warnings once at the top, none copied into the results.
    let out = nsexpr(&["simulate", "--config", &config, "--format", "json"]);
    let v = json(&out.stdout);
    assert_eq!(
        v["warnings"],
        serde_json::json!(["line 2: session policy `P` uses undefined session action `MISSING`"])
    );
    let results = v["results"].as_array().expect("results");
    assert!(results.len() > 20);
    assert!(
        results
            .iter()
            .all(|r| r["warnings"] == serde_json::json!([])),
        "{v}"
    );
}

#[test]
fn simulate_test_and_run_report_the_config_warnings_once() {
    let dir = dir("warnings-findings");
    let config = path(&dir, "findings.conf", FINDINGS);
    let out = nsexpr(&["simulate", "--config", &config, "--client", "ws-win"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    once_each(&out.stderr, FINDING_TEXTS);
    // The parameters are located on their line.
    assert!(
        out.stderr
            .contains("findings.conf:2:49: unknown session parameter `-splitTunel`"),
        "{}",
        out.stderr
    );

    // Three cases on one config: each warning once, not once per case.
    let spec = path(
        &dir,
        "spec.toml",
        "config = \"findings.conf\"\n\n\
         [[case]]\nname = \"one\"\nclient = \"ws-win\"\napplied = []\n\n\
         [[case]]\nname = \"two\"\nclient = \"browser\"\napplied = []\n\n\
         [[case]]\nname = \"three\"\nrule = \"METHOD == GET\"\nverdict = \"true\"\n",
    );
    let out = nsexpr(&["test", &spec]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    once_each(&out.stderr, FINDING_TEXTS);

    // Fifty records: each warning once, not once per record.
    let out = nsexpr(&["run", "--config", &config, "--corpus", &corpus()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    once_each(&out.stderr, FINDING_TEXTS);
}

#[test]
fn a_latin1_comment_costs_nothing_in_any_command() {
    let dir = dir("warnings-latin1");
    let mut bytes = b"# r\xe9seau interne\n".to_vec();
    bytes.extend_from_slice(
        b"add vpn vserver gw SSL 192.0.2.1 443\n\
          add vpn sessionAction native -icaProxy ON\n\
          add vpn sessionPolicy receiver \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" native\n\
          bind vpn vserver gw -policy receiver -priority 100\n",
    );
    let config = path(&dir, "latin1.conf", &bytes);
    let comment = "latin1.conf:1:4: the comment is not valid UTF-8";

    let spec = path(
        &dir,
        "spec.toml",
        "config = \"latin1.conf\"\n\n\
         [[case]]\nname = \"receiver\"\nclient = \"ws-win\"\napplied = [\"receiver\"]\n",
    );
    let out = nsexpr(&["test", &spec]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 passed, 0 failed"), "{}", out.stdout);
    assert!(
        !out.stderr.contains("stream did not contain"),
        "{}",
        out.stderr
    );
    once_each(&out.stderr, &[comment]);

    let out = nsexpr(&["simulate", "--config", &config, "--client", "ws-win"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("applied: receiver"), "{}", out.stdout);
    once_each(&out.stderr, &[comment]);

    let out = nsexpr(&["run", "--config", &config, "--corpus", &corpus()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    once_each(&out.stderr, &[comment]);

    let out = nsexpr(&["convert", "--config", &config, "--no-verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("HTTP.REQ.HEADER"), "{}", out.stdout);
    assert!(out.stderr.contains("latin1.conf:1:"), "{}", out.stderr);

    // lint: a warning (nothing is lost), not an error; a command line that is not UTF-8 stays
    // an error.
    let out = nsexpr(&["lint", "--config", &config]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "latin1.conf:1:4: warning [comment-not-utf8]: the comment is not valid UTF-8"
        ),
        "{}",
        out.stdout
    );
    let mut broken = bytes.clone();
    broken.extend_from_slice(b"add vpn sessionAction caf\xe9 -icaProxy ON\n");
    let broken = path(&dir, "latin1-command.conf", &broken);
    let out = nsexpr(&["lint", "--config", &broken]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "latin1-command.conf:6:26: error [config-error]: the line is not valid UTF-8"
        ),
        "{}",
        out.stdout
    );
}
