//! `nsexpr bench`: the JSON shape, `--compare` and exit codes (no timing assertions).

mod common;

use common::{json, nsexpr, temp_path};

const CTX: &str = "corpus/configs/ctx139319.conf";
const STOREFRONT: &str = "corpus/configs/storefront-wizard.conf";

fn corpus(name: &str) -> String {
    let path = temp_path(name);
    let path = path.to_str().expect("utf-8 path").to_owned();
    let out = nsexpr(&[
        "corpus", "generate", "--count", "300", "--seed", "5", "--output", &path,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    path
}

#[test]
fn json_shape_of_one_config() {
    let corpus = corpus("bench-one.jsonl");
    let out = nsexpr(&[
        "bench", "--config", CTX, "--corpus", &corpus, "--passes", "2", "--format", "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    assert_eq!(v["corpus"]["records"], 300);
    assert_eq!(v["corpus"]["malformed"], 0);
    assert_eq!(v["corpus"]["format"], "jsonl");
    assert!(v["corpus"]["load_seconds"].is_f64());
    assert!(v["corpus"]["records_per_second"].is_f64());
    assert_eq!(v["passes"], 2);
    assert!(v.get("differences").is_none());
    let configs = v["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 1);
    let c = &configs[0];
    assert_eq!(c["vserver"], "GW_VS");
    for field in [
        "ns_per_request",
        "best_pass_ns_per_request",
        "requests_per_second",
        "unknown_share",
    ] {
        assert!(c[field].is_f64(), "{field}: {c}");
    }
    for field in ["p50_ns", "p99_ns", "max_ns"] {
        assert!(c["latency"][field].is_u64(), "{field}: {c}");
    }
    let policies = c["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 4);
    assert!(policies.iter().all(|p| p["ns_per_evaluation"].is_f64()));
    assert!(policies.iter().all(|p| p["hit_rate"].is_f64()));
    let sets = c["applied_sets"].as_array().expect("applied sets");
    let total: u64 = sets.iter().filter_map(|s| s["requests"].as_u64()).sum();
    assert_eq!(total, 300);
    assert!(
        sets.windows(2)
            .all(|w| w[0]["requests"].as_u64() >= w[1]["requests"].as_u64())
    );
    assert!(sets.iter().all(|s| {
        s["samples"]
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.len() <= 5)
    }));
}

#[test]
fn compare_reports_both_configs_and_the_differing_records() {
    let corpus = corpus("bench-compare.jsonl");
    let out = nsexpr(&[
        "bench",
        "--config",
        CTX,
        "--compare",
        STOREFRONT,
        "--corpus",
        &corpus,
        "--passes",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out.stdout);
    let configs = v["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 2);
    assert_eq!(configs[1]["vserver"], "SkynetVS");
    // The two configs name their policies differently, so every request differs.
    assert_eq!(v["differences"]["requests"], 300);
    let samples = v["differences"]["samples"].as_array().expect("samples");
    assert_eq!(samples.len(), 5);
    assert_eq!(samples[0]["record"], 1);
    assert_eq!(samples[0]["applied"].as_array().map(Vec::len), Some(2));
    let same = nsexpr(&[
        "bench",
        "--config",
        CTX,
        "--compare",
        CTX,
        "--corpus",
        &corpus,
        "--passes",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(json(&same.stdout)["differences"]["requests"], 0);
    let text = nsexpr(&[
        "bench",
        "--config",
        CTX,
        "--compare",
        STOREFRONT,
        "--corpus",
        &corpus,
        "--passes",
        "1",
    ]);
    assert!(
        text.stdout.contains("applied sets differ on 300 requests"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("ns per request"), "{}", text.stdout);
}

#[test]
fn exit_codes() {
    let bad = temp_path("bench-bad.jsonl");
    std::fs::write(&bad, "{not json\n").expect("write corpus");
    let bad = bad.to_str().expect("utf-8 path");
    let out = nsexpr(&["bench", "--config", CTX, "--corpus", bad]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no record could be read"),
        "{}",
        out.stderr
    );
    let missing = nsexpr(&["bench", "--config", CTX, "--corpus", "/nonexistent.jsonl"]);
    assert_eq!(missing.code, 1);
    let corpus = corpus("bench-exit.jsonl");
    let no_config = nsexpr(&[
        "bench",
        "--config",
        "/nonexistent.conf",
        "--corpus",
        &corpus,
    ]);
    assert_eq!(no_config.code, 1);
    assert_eq!(nsexpr(&["bench", "--corpus", &corpus]).code, 2);
}
