//! The Gateway subcommands of the `nsexpr` binary: `simulate`, `clients`, `test`, `run` and
//! `corpus generate`.

mod common;

use common::{json, nsexpr, nsexpr_with_stdin, repository_root, temp_file, temp_path};

const CTX: &str = "corpus/configs/ctx139319.conf";

#[test]
fn simulate_one_preset_as_text_and_json() {
    let out = nsexpr(&["simulate", "--config", CTX, "--client", "ws-win"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("applied: receiverWindows_pol"),
        "{}",
        out.stdout
    );
    let out = nsexpr(&[
        "simulate", "--config", CTX, "--client", "ws-win", "--format", "json",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["vserver"], "GW_VS");
    let policies = v["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 4);
    assert_eq!(policies[0]["name"], "WorxHome_pol");
    assert_eq!(policies[0]["priority"], 110);
    assert_eq!(policies[0]["bind_point"], "vserver");
    assert_eq!(policies[0]["verdict"], "false");
    assert_eq!(policies[1]["verdict"], "true");
    assert_eq!(v["applied"], serde_json::json!(["receiverWindows_pol"]));
    assert_eq!(v["winner"], "receiverWindows_pol");
    assert_eq!(v["profile"]["icaProxy"]["value"], "OFF");
    assert_eq!(v["profile"]["icaProxy"]["from"], "receiverWindows_pol");
    assert_eq!(v["profile"]["homePage"]["from"], "default");
    assert!(v["profile"]["homePage"]["value"].is_null());
    assert!(v["warnings"].is_array());
}

#[test]
fn simulate_headers_identity_and_explain() {
    let out = nsexpr(&[
        "simulate",
        "--config",
        "corpus/configs/bootstrap-bound.conf",
        "--format",
        "json",
        "--user",
        "localadmin",
        "-H",
        "User-Agent: Mozilla/5.0 (Windows NT 10.0)",
        "-H",
        "Referer: https://gw.example.com/",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["user"], "localadmin");
    assert_eq!(
        v["applied"],
        serde_json::json!(["SF_Web", "POLICY_WEB_10.0.0.176"])
    );
    let out = nsexpr(&[
        "simulate",
        "--config",
        CTX,
        "--client",
        "browser",
        "--explain",
        "--format",
        "json",
        "--group",
        "Staff",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["groups"], serde_json::json!(["Staff"]));
    assert!(v["policies"][0]["explanation"]["text"].is_string(), "{v}");
}

#[test]
fn simulate_client_ip_settles_an_unknown_rule() {
    let conf = "corpus/configs/unknown-rule.conf";
    let out = nsexpr(&[
        "simulate", "--config", conf, "--client", "ws-win", "--format", "json",
    ]);
    let v = json(&out.stdout);
    assert_eq!(v["policies"][0]["name"], "INTERNAL_NET");
    assert_eq!(v["policies"][0]["verdict"], "unknown");
    assert_eq!(v["policies"][0]["depends_on"][0], "client_ip");
    assert_eq!(
        v["profile"]["splitTunnel"]["depends_on_unknown"][0]["policy"],
        "INTERNAL_NET"
    );
    let out = nsexpr(&[
        "simulate",
        "--config",
        conf,
        "--client",
        "ws-win",
        "--client-ip",
        "10.1.2.3",
        "--format",
        "json",
    ]);
    let v = json(&out.stdout);
    assert_eq!(
        v["applied"],
        serde_json::json!(["INTERNAL_NET", "receiverWindows_pol"])
    );
}

#[test]
fn simulate_without_a_request_runs_every_preset() {
    let out = nsexpr(&[
        "simulate",
        "--config",
        "corpus/configs/storefront-wizard.conf",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("simulate_storefront_presets", out.stdout);
    let out = nsexpr(&["simulate", "--config", CTX, "--format", "json"]);
    let v = json(&out.stdout);
    let results = v["results"].as_array().expect("results");
    let clients = json(&nsexpr(&["clients", "--format", "json"]).stdout);
    assert_eq!(results.len(), clients.as_array().map_or(0, Vec::len));
    let browser = results
        .iter()
        .find(|r| r["client"] == "browser-android")
        .expect("browser-android row");
    assert_eq!(
        browser["applied"],
        serde_json::json!(["WorxHome_pol", "webBrowser_pol"])
    );
    assert_eq!(browser["vserver"], "GW_VS");
}

#[test]
fn simulate_reports_config_errors_and_still_runs() {
    let conf = temp_file(
        "partial.conf",
        "add vpn vserver V SSL 192.0.2.1 443\n\
         add vpn sessionAction A -icaProxy ON\n\
         add vpn sessionPolicy P \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" A\n\
         bind vpn vserver V -policy P -priority 10\n\
         bind vpn vserver V -policy\n",
    );
    let out = nsexpr(&[
        "simulate", "--config", &conf, "--client", "ws-win", "--format", "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("partial.conf:5:"), "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["applied"], serde_json::json!(["P"]));
    assert_eq!(v["profile"]["icaProxy"]["value"], "ON");
}

#[test]
fn simulate_fails_when_nothing_can_be_simulated() {
    let conf = temp_file("empty.conf", "add policy expression X \"METHOD == GET\"\n");
    let out = nsexpr(&["simulate", "--config", &conf, "--client", "ws-win"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("vserver"), "{}", out.stderr);
    let out = nsexpr(&["simulate", "--config", CTX, "--client", "nope"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("nope"));
    let out = nsexpr(&["simulate", "--config", "/nonexistent/ns.conf"]);
    assert_eq!(out.code, 1);
    assert_eq!(nsexpr(&["simulate"]).code, 2);
}

#[test]
fn simulate_reads_the_config_from_standard_input() {
    let conf = std::fs::read(repository_root().join(CTX)).expect("config");
    let out = nsexpr_with_stdin(&["simulate", "--config", "-", "--client", "plugin"], &conf);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("applied: webBrowser_pol, internalSites_pol"),
        "{}",
        out.stdout
    );
}

#[test]
fn clients_lists_the_presets() {
    let out = nsexpr(&["clients"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("ws-win"));
    assert!(out.stdout.contains("User-Agent: CitrixReceiver"));
    let v = json(&nsexpr(&["clients", "--format", "json"]).stdout);
    let first = &v[0];
    assert_eq!(first["id"], "ws-win");
    assert!(first["headers"].as_array().is_some_and(|h| !h.is_empty()));
    assert!(first["client"].is_string());
}

#[test]
fn the_shipped_policy_tests_pass() {
    let out = nsexpr(&[
        "test",
        "corpus/tests/wizards.toml",
        "corpus/tests/xenmobile.toml",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let last = out.stdout.lines().last().expect("summary");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn failing_policy_tests_exit_1_with_a_junit_report() {
    let dir = repository_root().join("corpus/configs/ctx139319.conf");
    let spec = temp_file(
        "failing.toml",
        &format!(
            "config = {:?}\n\n\
             [[case]]\nname = \"ws-win is a receiver\"\nclient = \"ws-win\"\napplied = [\"receiverWindows_pol\"]\n\n\
             [[case]]\nname = \"wrong <on purpose> & \\\"quoted\\\"\"\nclient = \"browser\"\napplied = [\"WorxHome_pol\"]\nprofile = {{ icaProxy = \"ON\" }}\n\n\
             [[case]]\nname = \"rule\"\nheaders = [[\"X-A\", \"1\"], [\"X-A\", \"\"]]\nrule = \"HEADER X-A == ''\"\nverdict = \"true\"\n",
            dir.display().to_string()
        ),
    );
    let junit = temp_path("report.xml");
    let junit = junit.to_str().expect("utf-8 path");
    let out = nsexpr(&["test", &spec, "--junit", junit]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[0].starts_with("FAIL "), "{}", lines[0]);
    assert!(
        lines[0].contains("applied [\"webBrowser_pol\"]"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("icaProxy"), "{}", lines[0]);
    assert_eq!(lines[1], "2 passed, 1 failed");
    let xml = std::fs::read_to_string(junit).expect("junit");
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("wrong &lt;on purpose&gt; &amp; &quot;quoted&quot;"),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 1);
    let out = nsexpr(&["test", "--format", "json", &spec]);
    let v = json(&out.stdout);
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["specs"][0]["cases"][1]["passed"], false);
}

#[test]
fn a_broken_spec_is_a_failure() {
    let spec = temp_file("broken.toml", "[[case]]\nname = \"x\"\naplied = []\n");
    let out = nsexpr(&["test", &spec]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("aplied"), "{}", out.stdout);
    assert!(out.stdout.ends_with("0 passed, 1 failed\n"));
}

fn generated_corpus() -> String {
    let path = temp_path("generated.jsonl");
    let path = path.to_str().expect("utf-8 path").to_owned();
    let out = nsexpr(&[
        "corpus", "generate", "--count", "500", "--seed", "7", "--output", &path, "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["count"], 500);
    path
}

#[test]
fn corpus_generate_is_deterministic() {
    let a = nsexpr(&["corpus", "generate", "--count", "50", "--seed", "3"]);
    let b = nsexpr(&["corpus", "generate", "--count", "50", "--seed", "3"]);
    assert_eq!(a.code, 0);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stdout.lines().count(), 51, "a header line and 50 records");
    let c = nsexpr(&["corpus", "generate", "--count", "50", "--seed", "4"]);
    assert_ne!(a.stdout, c.stdout);
    let profile = nsexpr(&[
        "corpus",
        "generate",
        "--count",
        "5",
        "--profile",
        "corpus/profiles/gateway-typical.toml",
    ]);
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    let missing = nsexpr(&[
        "corpus",
        "generate",
        "--count",
        "5",
        "--profile",
        "/nonexistent.toml",
    ]);
    assert_eq!(missing.code, 1);
}

#[test]
fn run_counts_policy_hits_and_malformed_records() {
    let corpus = generated_corpus();
    let mut text = std::fs::read_to_string(&corpus).expect("corpus");
    text.push_str("{not json\n{\"method\": 1}\n");
    let with_bad = temp_file("with-bad.jsonl", &text);
    let out = nsexpr(&[
        "run", "--config", CTX, "--corpus", &with_bad, "--format", "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["vserver"], "GW_VS");
    assert_eq!(v["requests"], 500);
    assert_eq!(v["malformed"], 2);
    assert_eq!(v["malformed_at"], serde_json::json!([502, 503]));
    assert!(v["requests_per_second"].as_f64().is_some_and(|r| r > 0.0));
    let policies = v["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 4);
    let total: u64 = policies.iter().filter_map(|p| p["true"].as_u64()).sum();
    assert!(total > 0);
    let out = nsexpr(&["run", "--config", CTX, "--corpus", &with_bad]);
    assert!(
        out.stdout.contains("requests evaluated: 500"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("malformed records skipped: 2 (at 502, 503)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("requests per second"));
}

#[test]
fn run_reads_standard_input_and_explicit_formats() {
    let raw = b"GET / HTTP/1.1\r\nHost: gw\r\nUser-Agent: CitrixReceiver/1\r\n\r\nGET /x HTTP/1.1\r\nHost: gw\r\nReferer: https://gw/\r\n\r\n";
    let out = nsexpr_with_stdin(
        &[
            "run",
            "--config",
            CTX,
            "--corpus",
            "-",
            "--format-in",
            "raw",
            "--format",
            "json",
        ],
        raw,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["requests"], 2);
    assert_eq!(v["format"], "raw");
    let log = b"192.0.2.7 - - [05/Jan/2026:08:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"CitrixReceiver/1\"\n";
    let out = nsexpr_with_stdin(
        &[
            "run",
            "--config",
            CTX,
            "--corpus",
            "-",
            "--format-in",
            "log",
            "--format",
            "json",
        ],
        log,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json(&out.stdout)["requests"], 1);
    let out = nsexpr(&["run", "--config", CTX, "--corpus", "/nonexistent.jsonl"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        nsexpr(&[
            "run",
            "--config",
            CTX,
            "--corpus",
            "x",
            "--format-in",
            "xml"
        ])
        .code,
        2
    );
}
