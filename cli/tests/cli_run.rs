//! `nsexpr run` at line rate: thread-count independence, limits, malformed-record reasons and
//! exit codes.

mod common;

use common::{json, nsexpr, temp_path};

const CTX: &str = "corpus/configs/ctx139319.conf";

/// A generated corpus of `count` records (seed 11) with two malformed lines appended.
fn corpus_with_bad_lines(name: &str, count: &str) -> String {
    let path = temp_path(name);
    let path = path.to_str().expect("utf-8 path").to_owned();
    let out = nsexpr(&[
        "corpus", "generate", "--count", count, "--seed", "11", "--output", &path,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut text = std::fs::read_to_string(&path).expect("corpus");
    text.push_str("{not json\n\n{\"method\": 1}\n");
    std::fs::write(&path, text).expect("write corpus");
    path
}

fn run_json(corpus: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "run", "--config", CTX, "--corpus", corpus, "--format", "json",
    ];
    args.extend_from_slice(extra);
    let out = nsexpr(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&out.stdout)
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let corpus = corpus_with_bad_lines("run-threads.jsonl", "3000");
    let one = run_json(&corpus, &["--threads", "1"]);
    assert_eq!(one["threads"], 1);
    assert_eq!(one["requests"], 3000);
    for threads in ["2", "3", "7"] {
        let many = run_json(&corpus, &["--threads", threads]);
        assert_eq!(many["threads"].to_string(), threads);
        for field in [
            "requests",
            "malformed",
            "malformed_at",
            "malformed_records",
            "policies",
        ] {
            assert_eq!(many[field], one[field], "{field} with {threads} threads");
        }
    }
}

#[test]
fn malformed_records_are_reported_with_their_reason() {
    let corpus = corpus_with_bad_lines("run-bad.jsonl", "20");
    let v = run_json(&corpus, &["--threads", "2"]);
    // Line 1 is the corpus header; the blank line 23 is not a record.
    assert_eq!(v["malformed"], 2);
    assert_eq!(v["malformed_at"], serde_json::json!([22, 24]));
    let records = v["malformed_records"].as_array().expect("records");
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["at"], 22);
    assert!(
        records[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("invalid JSON")),
        "{records:?}"
    );
    assert!(
        records[1]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("method must be a string")),
        "{records:?}"
    );
    let text = nsexpr(&["run", "--config", CTX, "--corpus", &corpus]);
    assert!(text.stdout.contains("  24: "), "{}", text.stdout);
}

#[test]
fn only_the_first_five_reasons_are_listed() {
    let path = temp_path("run-many-bad.jsonl");
    let mut text = String::from(
        "{\"method\":\"GET\",\"target\":\"/\",\"version\":\"HTTP/1.1\",\"headers\":[]}\n",
    );
    for _ in 0..8 {
        text.push_str("[]\n");
    }
    std::fs::write(&path, text).expect("write corpus");
    let path = path.to_str().expect("utf-8 path");
    let v = run_json(path, &[]);
    assert_eq!(v["requests"], 1);
    assert_eq!(v["malformed"], 8);
    assert_eq!(v["malformed_records"].as_array().map(Vec::len), Some(5));
    let out = nsexpr(&["run", "--config", CTX, "--corpus", path]);
    assert!(out.stdout.contains("... and 3 more"), "{}", out.stdout);
}

#[test]
fn limit_stops_after_n_records_whatever_the_threads() {
    let corpus = corpus_with_bad_lines("run-limit.jsonl", "1000");
    let one = run_json(&corpus, &["--limit", "250", "--threads", "1"]);
    assert_eq!(one["requests"], 250);
    let two = run_json(&corpus, &["--limit", "250", "--threads", "2"]);
    assert_eq!(two["requests"], 250);
    assert_eq!(two["policies"], one["policies"]);
    let past_the_end = run_json(&corpus, &["--limit", "5000"]);
    assert_eq!(past_the_end["requests"], 1000);
    assert_eq!(past_the_end["malformed"], 2);
}

#[test]
fn header_instance_is_accepted() {
    let corpus = corpus_with_bad_lines("run-instance.jsonl", "50");
    for instance in ["first", "last", "any"] {
        let v = run_json(&corpus, &["--header-instance", instance]);
        assert_eq!(v["requests"], 50);
    }
}

#[test]
fn a_corpus_without_a_readable_record_exits_1() {
    let path = temp_path("run-unreadable.jsonl");
    std::fs::write(&path, "{not json\n{\"method\": 1}\n").expect("write corpus");
    let path = path.to_str().expect("utf-8 path");
    let out = nsexpr(&["run", "--config", CTX, "--corpus", path, "--format", "json"]);
    assert_eq!(out.code, 1);
    assert_eq!(json(&out.stdout)["malformed"], 2);
    assert!(
        out.stderr.contains("no record could be read"),
        "{}",
        out.stderr
    );
    let empty = temp_path("run-empty.jsonl");
    std::fs::write(&empty, "").expect("write corpus");
    let out = nsexpr(&[
        "run",
        "--config",
        CTX,
        "--corpus",
        empty.to_str().expect("utf-8 path"),
        "--format-in",
        "jsonl",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(
        nsexpr(&["run", "--config", CTX, "--corpus", path, "--threads", "0"]).code,
        2
    );
}
