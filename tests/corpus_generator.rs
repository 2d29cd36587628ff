//! The synthetic generator: determinism, golden hash, random access, profile validation.
#![cfg(feature = "corpus")]

use std::io::{BufReader, Cursor};

use nsexpr::corpus::{self, CorpusFormat, Generator, Loader, Profile};
use sha2::{Digest, Sha256};

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn generator(seed: u64) -> Generator {
    let profile = match Profile::gateway_typical() {
        Ok(p) => p,
        Err(e) => panic!("default profile: {e}"),
    };
    Generator::new(profile, seed)
}

fn generate(seed: u64, count: u64) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = generator(seed).write_jsonl(&mut out, count) {
        panic!("write: {e}");
    }
    out
}

/// The first `n` lines (each with its `\n`).
fn first_lines(bytes: &[u8], n: usize) -> &[u8] {
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .nth(n - 1)
        .map_or(bytes.len(), |(i, _)| i + 1);
    bytes.get(..end).unwrap_or(bytes)
}

#[test]
fn same_seed_same_bytes() {
    let a = generate(42, 3000);
    let b = generate(42, 3000);
    assert_eq!(a, b);
    assert_ne!(a, generate(43, 3000));
}

/// Golden hash: SHA-256 of the first 10,000 lines (the header line and requests 0..9999) for seed 1
/// and the default profile, i.e. `head -n 10000 corpus.jsonl | sha256sum`.
///
/// This pins the generator's output across machines and releases. Any change to the generator, the
/// default profile or the embedded UA data changes this hash: that must be deliberate. When it is,
/// bump `GENERATOR_VERSION` if the output format or semantics changed, regenerate
/// `corpus/requests/gateway-sample.jsonl` (see `committed_sample_is_current`) and paste the new hash.
#[test]
fn golden_hash_seed_1() {
    let out = generate(1, 10_000);
    let head = first_lines(&out, 10_000);
    assert_eq!(head.iter().filter(|&&c| c == b'\n').count(), 10_000);
    assert_eq!(
        sha256_hex(head),
        "02d8badcd015a426b278c70888ab2bd46519b58c1be90e2d864d0fa50d318fa6",
        "generator output changed; see the comment on this test"
    );
}

#[test]
fn random_access_equals_stream() {
    let g = generator(7);
    let bytes = generate(7, 500);
    let loader = match Loader::from_reader(Cursor::new(bytes), Some(CorpusFormat::Jsonl)) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let mut n = 0u64;
    for (i, rec) in loader.enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => panic!("generated record {i} does not load: {e}"),
        };
        assert_eq!(rec, g.request(i as u64), "record {i}");
        n += 1;
    }
    assert_eq!(n, 500);
    // Out of order.
    assert_eq!(g.request(499), g.request(499));
    assert_eq!(g.request(123_456_789).id.as_deref(), Some("7-123456789"));
}

#[test]
fn header_line_describes_the_run() {
    let bytes = generate(5, 3);
    let mut loader = match Loader::from_reader(Cursor::new(bytes), None) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(loader.format(), CorpusFormat::Jsonl);
    assert_eq!(loader.by_ref().count(), 3);
    let Some(h) = loader.corpus_header() else {
        panic!("no header");
    };
    assert_eq!(h.nsexpr_corpus, 1);
    assert_eq!(h.seed, Some(5));
    assert_eq!(h.profile.as_deref(), Some("gateway-typical"));
    assert_eq!(
        h.generator.as_deref(),
        Some(nsexpr::corpus::GENERATOR_VERSION)
    );
    let text = include_str!("../corpus/profiles/gateway-typical.toml");
    assert_eq!(
        h.profile_sha256.as_deref(),
        Some(sha256_hex(text.as_bytes()).as_str())
    );
}

#[test]
fn mix_labels_and_invariants() {
    let g = generator(1);
    let mut edge = 0;
    let mut clients = std::collections::BTreeMap::<String, u32>::new();
    for i in 0..20_000 {
        let r = g.request(i);
        let client = r.labels.get("client").cloned().unwrap_or_default();
        assert!(r.labels.contains_key("flow_step"));
        *clients.entry(client.clone()).or_default() += 1;
        for (name, _) in &r.headers {
            assert!(!name.to_ascii_lowercase().starts_with("x-citrix-via"));
        }
        if r.labels.contains_key("edge_case") {
            edge += 1;
            continue;
        }
        if client == "receiver_legacy_pna" {
            assert!(!r.has_header("X-Citrix-Gateway"));
        }
        if client == "workspace_windows" {
            assert!(!r.has_header("Referer"));
            assert!(r.has_header("X-Citrix-Gateway"));
        }
        assert!(r.has_header("Host"));
        assert!(r.has_header("User-Agent"));
    }
    // 1% edge cases, 36% desktop browsers, 22% Workspace for Windows (within sampling noise).
    assert!((120..=280).contains(&edge), "edge cases: {edge}");
    let share = |c: &str| clients.get(c).copied().unwrap_or(0);
    assert!(
        (6_900..=7_500).contains(&share("browser_desktop")),
        "{clients:?}"
    );
    assert!(
        (4_100..=4_700).contains(&share("workspace_windows")),
        "{clients:?}"
    );
    assert_eq!(clients.len(), g.profile().class_ids().count());
}

#[test]
fn edge_cases_round_trip_through_jsonl() {
    // Pick out every edge kind from a seed-1 run and check it survives write → read.
    let g = generator(1);
    let mut kinds = std::collections::BTreeSet::new();
    for i in 0..50_000 {
        let r = g.request(i);
        let Some(kind) = r.labels.get("edge_case") else {
            continue;
        };
        kinds.insert(kind.clone());
        let mut line = Vec::new();
        if let Err(e) = corpus::write_jsonl(&r, &mut line) {
            panic!("{e}");
        }
        let back: Vec<_> = match Loader::from_reader(Cursor::new(line), Some(CorpusFormat::Jsonl)) {
            Ok(l) => l.collect(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back, vec![Ok(r.clone())]);
        match kind.as_str() {
            "missing_ua" => assert!(!r.has_header("User-Agent")),
            "empty_ua" => assert_eq!(r.header("User-Agent"), Some(&b""[..])),
            "huge_value_8k" => assert_eq!(r.header("User-Agent").map(<[u8]>::len), Some(8192)),
            "obs_text" => {
                assert!(
                    r.header("User-Agent")
                        .is_some_and(|v| std::str::from_utf8(v).is_err())
                );
            }
            "duplicate_ua" => {
                let uas: Vec<_> = r
                    .headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case("User-Agent"))
                    .collect();
                assert_eq!(uas.len(), 2);
                assert!(
                    r.header("User-Agent")
                        .is_some_and(|v| v.starts_with(b"CitrixReceiver/"))
                );
            }
            "lowercase_token" => {
                assert!(
                    r.header("User-Agent")
                        .is_some_and(|v| v.windows(14).any(|w| w == b"citrixreceiver"))
                );
            }
            "empty_xcg" => assert_eq!(r.header("X-Citrix-Gateway"), Some(&b""[..])),
            _ => {}
        }
    }
    assert_eq!(kinds.len(), 9, "{kinds:?}");
}

#[test]
fn profile_errors_are_reported() {
    let base = include_str!("../corpus/profiles/gateway-typical.toml");
    for (from, to, needle) in [
        (
            "flow = \"pna\"",
            "flow = \"carrier-pigeon\"",
            "unknown flow",
        ),
        ("grammar:worxmail", "grammar:nope", "unknown UA grammar"),
        ("\"empty_xcg\"", "\"teapot\"", "unknown edge case kind"),
        ("format = 1", "format = 2", "unsupported profile format"),
    ] {
        let text = base.replacen(from, to, 1);
        match Profile::from_toml(&text) {
            Ok(_) => panic!("accepted {to}"),
            Err(e) => assert!(e.to_string().contains(needle), "{e}"),
        }
    }
    assert!(Profile::from_toml("name = 1").is_err());
}

/// The committed sample is exactly what the generator writes for seed 1, 2,000 requests.
/// To regenerate after a deliberate change:
/// `NSEXPR_REGENERATE=1 cargo test --test corpus_generator committed_sample_is_current`.
#[test]
fn committed_sample_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/requests/gateway-sample.jsonl"
    );
    let fresh = generate(1, 2000);
    if std::env::var_os("NSEXPR_REGENERATE").is_some()
        && let Err(e) = std::fs::write(path, &fresh)
    {
        panic!("{e}");
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(committed == fresh, "gateway-sample.jsonl is stale");
    let loader = match corpus::open(path, None) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(loader.filter(Result::is_ok).count(), 2000);
}

/// Throughput check, run by hand:
/// `cargo test --release --test corpus_generator -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release mode"]
fn one_million_requests() {
    let g = generator(42);
    let mut sink = std::io::sink();
    let start = std::time::Instant::now();
    if let Err(e) = g.write_jsonl(&mut sink, 1_000_000) {
        panic!("{e}");
    }
    let gen_time = start.elapsed();
    let mut bytes = Vec::with_capacity(700 << 20);
    let start = std::time::Instant::now();
    if let Err(e) = g.write_jsonl(&mut bytes, 1_000_000) {
        panic!("{e}");
    }
    let to_vec = start.elapsed();
    let start = std::time::Instant::now();
    let loader = match Loader::from_reader(BufReader::new(Cursor::new(bytes)), None) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let n = loader.filter(Result::is_ok).count();
    let load_time = start.elapsed();
    println!(
        "generate 1M → sink: {gen_time:?}; → Vec: {to_vec:?}; load {n} records: {load_time:?}"
    );
}
