//! `nsexpr lint`: exit statuses, the SARIF 2.1.0 log's required fields, and the findings on the
//! sample configurations (snapshots, also run by `.ci/run`).

mod common;

use common::{json, nsexpr, temp_file};

const DATA: &str = "tests/data/lint";

#[test]
fn exit_status_follows_the_worst_finding() {
    // An error finding fails the run.
    let out = nsexpr(&[
        "lint",
        "--config",
        &format!("{DATA}/undefined-vserver.conf"),
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("error [undefined-vserver]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("did you mean `gw_prod`?"),
        "{}",
        out.stdout
    );
    // Warnings fail only with --deny warnings.
    let config = format!("{DATA}/unused-policy.conf");
    assert_eq!(nsexpr(&["lint", "--config", &config]).code, 0);
    assert_eq!(
        nsexpr(&["lint", "--config", &config, "--deny", "warnings"]).code,
        1
    );
    // Notes never fail.
    let config = format!("{DATA}/parameter-case.conf");
    assert_eq!(
        nsexpr(&["lint", "--config", &config, "--deny", "warnings"]).code,
        0
    );
    // An unreadable configuration is an I/O error.
    let out = nsexpr(&["lint", "--config", "no/such/ns.conf"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no/such/ns.conf"), "{}", out.stderr);
    // So is an unreadable corpus, named once.
    let config = format!("{DATA}/unused-policy.conf");
    let out = nsexpr(&["lint", "--config", &config, "--corpus", "no/such.jsonl"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("no/such.jsonl").count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn sarif_has_the_required_fields() {
    let config = format!("{DATA}/contradiction.conf");
    let out = nsexpr(&["lint", "--config", &config, "--format", "sarif"]);
    assert_eq!(out.code, 1);
    let log = json(&out.stdout);
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "nsexpr");
    assert!(driver["version"].is_string());
    let rules = driver["rules"].as_array().expect("rules");
    assert!(rules.iter().all(|r| r["id"].is_string()));
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let rule = result["ruleId"].as_str().expect("ruleId");
        assert!(rules.iter().any(|r| r["id"] == rule), "{rule}");
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap_or("")));
        assert!(result["message"]["text"].is_string());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], config.as_str());
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
        assert!(
            location["region"]["startColumn"]
                .as_u64()
                .is_some_and(|c| c >= 1)
        );
    }
    assert!(results.iter().any(|r| r["ruleId"] == "contradiction"));
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT%");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

/// SARIF locations are URIs: relative to `%SRCROOT%` (the working directory) and
/// percent-encoded, absolute `file:` URIs outside it, and a description for standard input.
#[test]
fn sarif_locations_are_uris() {
    let dir = std::env::temp_dir().join(format!("nsexpr sarif {}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spaced = dir.join("ns 1%.conf");
    std::fs::copy(
        common::repository_root()
            .join(DATA)
            .join("contradiction.conf"),
        &spaced,
    )
    .expect("copy");
    let uri_of = |out: &common::Out| {
        let log = json(&out.stdout);
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    let absolute = spaced.to_string_lossy().into_owned();
    let out = nsexpr(&["lint", "--config", &absolute, "--format", "sarif"]);
    let location = uri_of(&out);
    let uri = location["uri"].as_str().expect("uri");
    assert!(uri.starts_with("file:///"), "{uri}");
    let tail = format!("/nsexpr%20sarif%20{}/ns%201%25.conf", std::process::id());
    assert!(uri.ends_with(&tail), "{uri}");
    assert!(location.get("uriBaseId").is_none());

    let relative = format!("./{DATA}/contradiction.conf");
    let out = nsexpr(&["lint", "--config", &relative, "--format", "sarif"]);
    assert_eq!(uri_of(&out)["uri"], format!("{DATA}/contradiction.conf"));

    let text = std::fs::read(&spaced).expect("read");
    let out = common::nsexpr_with_stdin(&["lint", "--config", "-", "--format", "sarif"], text);
    let location = uri_of(&out);
    assert!(location.get("uri").is_none());
    assert_eq!(location["description"]["text"], "standard input");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_carries_the_same_findings() {
    let config = format!("{DATA}/shadowed-policy.conf");
    let out = nsexpr(&["lint", "--config", &config, "--format", "json"]);
    let v = json(&out.stdout);
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["code"], "shadowed-policy");
    assert_eq!(findings[0]["line"], 7);
    // The policy name in `bind vpn vserver gw -policy PB`.
    assert_eq!(findings[0]["column"], 29);
    assert_eq!(v["warnings"], 1);
}

#[test]
fn corpus_adds_traffic_findings() {
    let out = nsexpr(&[
        "lint",
        "--config",
        &format!("{DATA}/never-hit.conf"),
        "--corpus",
        &format!("{DATA}/traffic.jsonl"),
        "--deny",
        "warnings",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("[never-hit]"), "{}", out.stdout);
}

#[test]
fn found_by_trying_it() {
    // A typo in a bind's vserver, an unknown group and an unknown parameter are all reported.
    let config = temp_file(
        "lint-typos.conf",
        "add vpn vserver gw_prod SSL 192.0.2.1 443\n\
         add aaa group Staff\n\
         add vpn sessionAction AC -icaproxy on -fooBar 12\n\
         add vpn sessionPolicy P \"REQ.HTTP.HEADER A CONTAINS x) && REQ.HTTP.HEADER B EXISTS\" AC\n\
         bind vpn vserver gw_prd -policy P\n\
         bind aaa group Stafff -policy P\n\
         set vpn parameter -splitTunnelx ON\n",
    );
    let out = nsexpr(&["lint", "--config", &config, "--format", "json"]);
    let v = json(&out.stdout);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in [
        "undefined-vserver",
        "undefined-group",
        "unknown-parameter",
        "parameter-case",
        "paren-in-value",
    ] {
        assert!(codes.contains(&code), "{code}: {codes:?}");
    }
}

#[test]
fn sample_configurations() {
    let mut configs: Vec<_> = std::fs::read_dir(common::repository_root().join("corpus/configs"))
        .expect("corpus/configs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    configs.sort();
    for path in configs {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_owned();
        let relative = format!("corpus/configs/{name}.conf");
        let out = nsexpr(&["lint", "--config", &relative]);
        assert!(out.code <= 1, "{relative}: {}", out.stderr);
        insta::assert_snapshot!(format!("lint_{name}"), out.stdout);
    }
}
