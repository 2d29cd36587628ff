//! Inputs that once aborted or stalled the command-line tool: long chains and cycles of named
//! expressions, shared names used many times, odd bytes in an ns.conf.

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::nsexpr;

/// Writes `text` to a fresh file under the target directory and returns its path.
fn config_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_regressions");
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the config");
    path
}

#[test]
fn a_50000_link_chain_of_names_compiles() {
    let mut text = String::new();
    for k in 0..50_000 {
        writeln!(text, "add policy expression e{k} e{}", k + 1).unwrap();
    }
    text.push_str("add policy expression e50000 \"REQ.HTTP.HEADER X-Citrix-Gateway EXISTS\"\n");
    let path = config_file("chain.conf", &text);
    let out = nsexpr(&["check", "--config", path.to_str().unwrap(), "e0"]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert_eq!(out.stdout.trim(), "e0");
}

#[test]
fn explain_of_a_50000_link_chain_of_names_stays_linear() {
    let mut text = String::new();
    for k in 0..50_000 {
        writeln!(text, "add policy expression e{k} e{}", k + 1).unwrap();
    }
    text.push_str("add policy expression e50000 \"REQ.HTTP.HEADER X-Citrix-Gateway EXISTS\"\n");
    let path = config_file("explain-chain.conf", &text);
    let config = path.to_str().unwrap();
    let request = ["-H", "X-Citrix-Gateway: 1"];
    // The tree was 3.75 GB: each of the 50,002 lines indented one step further than the last.
    let out = nsexpr(&[&["explain", "--config", config, "e0"][..], &request].concat());
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stdout.len() < 20_000_000, "{} bytes", out.stdout.len());
    assert_eq!(out.stdout.lines().count(), 50_002);
    assert!(out.stdout.starts_with("true    e0\n└─ true    e1\n"));
    assert!(
        out.stdout.lines().all(|line| line.len() < 300),
        "indentation is capped"
    );
    assert!(out.stdout.ends_with(
        "[depth 50001] └─ true    REQ.HTTP.HEADER X-Citrix-Gateway EXISTS    \
         [x-citrix-gateway: \"1\"]\n"
    ));
    // The JSON nested 50,000 levels (past what JSON readers accept, and recursing as deep to
    // write it): now nodes below depth 32 are listed flat with their depth.
    let out = nsexpr(
        &[
            &["--format", "json", "explain", "--config", config, "e0"][..],
            &request,
        ]
        .concat(),
    );
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stdout.len() < 20_000_000, "{} bytes", out.stdout.len());
    let v = common::json(&out.stdout);
    assert_eq!(v["verdict"], "true");
    assert_eq!(v["text"], "e0");
    assert!(
        v["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("e0\ne1\ne2\n"))
    );
    let mut at = &v;
    for _ in 0..32 {
        at = &at["children"][0];
    }
    assert_eq!(at["text"], "e32");
    let flat = at["children"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    assert_eq!(flat.len(), 50_002 - 33);
    assert_eq!(
        flat.last().map(|n| &n["depth"]),
        Some(&serde_json::json!(50_001))
    );
}

#[test]
fn a_10000_name_cycle_is_a_short_error() {
    let mut text = String::new();
    for k in 0..10_000 {
        writeln!(text, "add policy expression c{k} c{}", (k + 1) % 10_000).unwrap();
    }
    let path = config_file("cycle.conf", &text);
    let out = nsexpr(&["check", "--config", path.to_str().unwrap(), "c0"]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert!(
        out.stderr
            .contains("named expressions form a cycle: c0 -> c1"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("more) ..."), "{}", out.stderr);
    assert!(
        out.stderr.len() < 4_000,
        "{} bytes of diagnostics",
        out.stderr.len()
    );
}

#[test]
fn a_diamond_of_names_stays_linear() {
    // Each level uses the one below twice: inlining would build 2^40 leaves.
    let mut text = String::from("add policy expression d0 \"REQ.HTTP.HEADER A EXISTS\"\n");
    for k in 1..=40 {
        writeln!(text, "add policy expression d{k} \"d{0} && d{0}\"", k - 1).unwrap();
    }
    let path = config_file("diamond.conf", &text);
    let out = nsexpr(&["check", "--config", path.to_str().unwrap(), "d40"]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
}

#[test]
fn a_nul_inside_a_command_word_is_reported_with_its_line() {
    let text = "add vpn vserver gw SSL 192.0.2.1 443\n\
        add vpn session\0Policy p \"REQ.HTTP.HEADER A EXISTS\" ns_act\n";
    let path = config_file("nul.conf", text);
    let out = nsexpr(&["simulate", "--config", path.to_str().unwrap()]);
    assert!(out.stderr.contains("nul.conf:2:16"), "{}", out.stderr);
    assert!(out.stderr.contains("control character"), "{}", out.stderr);
}

#[test]
fn a_latin1_comment_does_not_hide_the_rest_of_the_config() {
    let mut bytes = b"# r\xe9seau interne\n".to_vec();
    bytes.extend_from_slice(
        b"add vpn vserver gw SSL 192.0.2.1 443\n\
          add vpn sessionAction native -icaProxy ON\n\
          add vpn sessionPolicy receiver \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver\" native\n\
          bind vpn vserver gw -policy receiver -priority 100\n",
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_regressions");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.conf");
    std::fs::write(&path, bytes).unwrap();
    let out = nsexpr(&[
        "simulate",
        "--config",
        path.to_str().unwrap(),
        "--client",
        "ws-win",
        "--format",
        "json",
    ]);
    assert!(out.stderr.contains("latin1.conf:1:"), "{}", out.stderr);
    assert!(out.stdout.contains("\"receiver\""), "{}", out.stdout);
}
