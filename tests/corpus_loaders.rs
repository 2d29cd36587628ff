//! Corpus loaders: JSONL, HAR, raw HTTP, combined logs, sniffing and the JSONL round trip.
#![cfg(feature = "corpus")]

use std::collections::BTreeMap;
use std::io::Cursor;

use nsexpr::corpus::{
    self, ClientCert, CorpusError, CorpusFormat, LoadStats, Loader, RecordError, RecordedContext,
    RecordedRequest, TlsInfo,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/requests/");

fn load(
    bytes: &[u8],
    format: Option<CorpusFormat>,
) -> (Vec<RecordedRequest>, Vec<RecordError>, LoadStats) {
    let mut loader = match Loader::from_reader(Cursor::new(bytes.to_vec()), format) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for item in loader.by_ref() {
        match item {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad, loader.stats())
}

fn load_file(
    name: &str,
) -> (
    Vec<RecordedRequest>,
    Vec<RecordError>,
    LoadStats,
    CorpusFormat,
) {
    let mut loader = match corpus::open(format!("{DIR}{name}"), None) {
        Ok(l) => l,
        Err(e) => panic!("{name}: {e}"),
    };
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for item in loader.by_ref() {
        match item {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad, loader.stats(), loader.format())
}

fn h(r: &RecordedRequest, name: &str) -> Option<String> {
    r.header(name)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

// ---------------------------------------------------------------- JSONL

#[test]
fn jsonl_good_and_malformed_lines() {
    let text = concat!(
        r#"{"nsexpr_corpus":1,"profile":"hand"}"#,
        "\n",
        r#"{"id":"a","method":"POST","target":"/cgi/login","version":"HTTP/1.1","headers":[["Host","gw"],["User-Agent","CitrixReceiver/1"],["user-agent",{"b64":"6fw="}]],"labels":{"client":"x"}}"#,
        "\n",
        "\n",
        "{not json\n",
        r#"{"method":"GET","target":"/","version":"HTTP/1.1"}"#,
        "\n",
        r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[["X",{"b64":"!!"}]]}"#,
        "\n",
        r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[],"partial":true,"context":{"client_ip":"198.51.100.7","vlan":12}}"#,
        "\r\n",
        r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[],"context":{"client_ip":"not-an-ip"}}"#,
    );
    let (ok, bad, stats) = load(text.as_bytes(), None);
    assert_eq!(
        stats,
        LoadStats {
            records: 2,
            malformed: 4
        }
    );
    let lines: Vec<usize> = bad.iter().map(|e| e.line_or_entry).collect();
    assert_eq!(lines, [4, 5, 6, 8]);
    assert!(bad.iter().any(|e| e.message.contains("base64")), "{bad:?}");
    let first = ok.first().cloned().unwrap_or_default();
    assert_eq!(first.id.as_deref(), Some("a"));
    assert_eq!(first.headers.len(), 3);
    assert_eq!(first.header("User-Agent"), Some(&[0xe9, 0xfc][..]));
    assert_eq!(first.labels.get("client").map(String::as_str), Some("x"));
    let last = ok.get(1).cloned().unwrap_or_default();
    assert!(last.partial);
    assert_eq!(last.context.and_then(|c| c.vlan), Some(12));
}

#[test]
fn jsonl_header_is_exposed() {
    let text = "{\"nsexpr_corpus\":1,\"seed\":9}\n";
    let mut loader = match Loader::from_reader(Cursor::new(text), None) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    assert!(loader.next().is_none());
    assert_eq!(loader.corpus_header().and_then(|h| h.seed), Some(9));
}

#[test]
fn jsonl_round_trip_with_b64_and_full_context() {
    let mut labels = BTreeMap::new();
    labels.insert("client".to_string(), "edge \"quoted\"\n".to_string());
    labels.insert("flow_step".to_string(), "login_post".to_string());
    let rec = RecordedRequest {
        id: Some("x-1".into()),
        method: "POST".into(),
        target: "/cgi/login?a=\u{e9}".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("Host".into(), b"gw.example.com".to_vec()),
            ("User-Agent".into(), b"Mozilla \xE9\xFC\xA0\xFF".to_vec()),
            (
                "USER-AGENT".into(),
                "CitrixReceiver \u{2603}\t\u{1}".as_bytes().to_vec(),
            ),
            ("X-Empty".into(), Vec::new()),
            ("X-Binary".into(), (0..=255u8).collect()),
        ],
        context: Some(RecordedContext {
            client_ip: "2001:db8::7".parse().ok(),
            client_port: Some(51514),
            dest_ip: "192.0.2.10".parse().ok(),
            dest_port: Some(443),
            vlan: Some(3),
            tls: Some(TlsInfo {
                version: Some("TLSv1.2".into()),
                cipher_bits: Some(256),
                exportable: Some(false),
                client_cert: Some(ClientCert {
                    subject: Some("CN=alice".into()),
                    issuer: Some("CN=Example CA".into()),
                    serial: Some("0A1B".into()),
                    sigalgo: Some("sha256WithRSAEncryption".into()),
                    version: Some(3),
                    not_before: Some("2025-01-01T00:00:00Z".into()),
                    not_after: Some("2027-01-01T00:00:00Z".into()),
                }),
            }),
            time: Some("2026-01-05T08:00:00Z".into()),
            location: Some("EU.DE.Berlin".into()),
        }),
        labels,
        partial: true,
    };
    let mut out = Vec::new();
    for r in [&rec, &RecordedRequest::default()] {
        if let Err(e) = corpus::write_jsonl(r, &mut out) {
            panic!("{e}");
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.contains(r#"["User-Agent",{"b64":"TW96aWxsYSDp/KD/"}]"#),
        "{text}"
    );
    assert!(text.starts_with(r#"{"id":"x-1","method":"POST","target":"#));
    let (ok, bad, _) = load(&out, Some(CorpusFormat::Jsonl));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok, vec![rec, RecordedRequest::default()]);
}

// ---------------------------------------------------------------- HAR

#[test]
fn har_committed_file() {
    let (ok, bad, stats, format) = load_file("browser-logon.har");
    assert_eq!(format, CorpusFormat::Har);
    assert_eq!(
        stats,
        LoadStats {
            records: 9,
            malformed: 2
        }
    );
    let bad_entries: Vec<usize> = bad.iter().map(|e| e.line_or_entry).collect();
    assert_eq!(bad_entries, [8, 10]);

    let login = ok.get(1).cloned().unwrap_or_default();
    assert_eq!(
        (login.method.as_str(), login.target.as_str()),
        ("POST", "/cgi/login")
    );
    assert!(login.has_header("Referer"));
    let ctx = login.context.clone().unwrap_or_default();
    assert_eq!(
        ctx.dest_ip.map(|i| i.to_string()).as_deref(),
        Some("192.0.2.10")
    );
    assert_eq!(ctx.time.as_deref(), Some("2026-01-05T08:00:05.120Z"));

    // Cookie rebuilt from cookies[].
    let config = ok.get(3).cloned().unwrap_or_default();
    assert!(h(&config, "Cookie").is_some_and(|c| c.starts_with("NSC_AAAC=")));
    assert_eq!(
        config.labels.get("cookie_from_har").map(String::as_str),
        Some("true")
    );

    // Host from the URL authority; fragment dropped.
    let launch = ok.get(5).cloned().unwrap_or_default();
    assert_eq!(
        launch.headers.first().map(|(n, _)| n.as_str()),
        Some("Host")
    );
    assert_eq!(h(&launch, "host").as_deref(), Some("gw.example.com"));
    assert!(launch.target.ends_with("launchId=1767600009900"));

    // HTTP/2: pseudo-headers dropped, :authority → Host, names kept lower-case.
    let h2 = ok.get(6).cloned().unwrap_or_default();
    assert_eq!(h2.version, "http/2.0");
    assert!(h2.headers.iter().all(|(n, _)| !n.starts_with(':')));
    assert_eq!(h2.headers.first().map(|(n, _)| n.as_str()), Some("Host"));
    assert_eq!(h(&h2, "Host").as_deref(), Some("gw.example.com"));
    assert!(h2.headers.iter().any(|(n, _)| n == "user-agent"));
    assert_eq!(
        h2.context
            .and_then(|c| c.dest_ip)
            .map(|i| i.to_string())
            .as_deref(),
        Some("2001:db8::10")
    );
}

#[test]
fn har_malformed_entry_continues_and_structure_errors_stop() {
    let doc = r#"{"log":{"version":"1.2","creator":{"name":"x"},"pages":[{"id":"p","x":[1,{"y":"]"}]}],
      "entries":[
        {"request":{"method":"GET","url":"https://a.example/x?y=1","httpVersion":"HTTP/1.1","headers":[]}},
        {"request":5},
        {"request":{"url":"https://a.example/"}},
        {"request":{"method":"GET","url":"https://a.example/z","headers":[{"name":"Host","value":"b.example"},{"name":"X-Dup","value":"1"},{"name":"x-dup","value":"2"}]}}
      ]},"trailing":true}"#;
    let (ok, bad, _) = load(doc.as_bytes(), None);
    assert_eq!(ok.len(), 2);
    assert_eq!(
        bad.iter().map(|e| e.line_or_entry).collect::<Vec<_>>(),
        [1, 2]
    );
    let first = ok.first().cloned().unwrap_or_default();
    assert_eq!(first.target, "/x?y=1");
    assert_eq!(h(&first, "Host").as_deref(), Some("a.example"));
    let last = ok.get(1).cloned().unwrap_or_default();
    assert_eq!(last.version, "HTTP/1.1");
    assert_eq!(h(&last, "Host").as_deref(), Some("b.example"));
    assert_eq!(h(&last, "X-DUP").as_deref(), Some("2"));
    assert_eq!(last.headers.len(), 3);

    // Truncated document: the records before the cut, then one structural error, then the end.
    let cut = doc.find(r#"{"request":5}"#).unwrap_or(0) + 5;
    let (ok, bad, _) = load(
        doc.get(..cut).unwrap_or_default().as_bytes(),
        Some(CorpusFormat::Har),
    );
    assert_eq!(ok.len(), 1);
    assert_eq!(bad.len(), 1);
    assert!(
        bad.iter().all(|e| e.message.contains("HAR structure")),
        "{bad:?}"
    );

    // No entries at all.
    let (ok, bad, _) = load(br#"{"log":{"version":"1.2"}}"#, Some(CorpusFormat::Har));
    assert!(ok.is_empty());
    assert_eq!(bad.len(), 1);
}

// ---------------------------------------------------------------- raw HTTP

#[test]
fn raw_committed_file() {
    let (ok, bad, stats, format) = load_file("receiver-logon.http");
    assert_eq!(format, CorpusFormat::RawHttp);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(stats.records, 5);
    let targets: Vec<&str> = ok.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/Citrix/Roaming/Accounts",
            "/cgi/login",
            "/Citrix/Authentication/auth/v1/token",
            "/Citrix/Store/resources/v2",
            "/cgi/login"
        ]
    );
    let folded = ok.get(3).cloned().unwrap_or_default();
    assert_eq!(
        h(&folded, "User-Agent").as_deref(),
        Some(
            "CitrixReceiver/21.5.1 iOS/14.5.1 CitrixReceiver-iPhone X1Class CWACapable 302RedirectionCapable CFNetwork Darwin"
        )
    );
    assert_eq!(
        folded.labels.get("obs_fold").map(String::as_str),
        Some("true")
    );
    assert!(
        ok.iter()
            .all(|r| r.version == "HTTP/1.1" && r.has_header("Host"))
    );
}

#[test]
fn raw_lf_malformed_and_resync() {
    let text = concat!(
        "GET /a HTTP/1.1\nHost: h\nContent-Length: 5\n\nhello",
        "\n\nthis is not a request\nstill junk\n\n",
        "GET /b HTTP/1.0\nHost: h\nno colon here\n\n",
        "POST /c HTTP/1.1\nHost: h\nUser-Agent: x\nUser-Agent: y\n\n",
        "PUT /d HTTP/1.1\nContent-Length: 100\n\nshort",
    );
    let (ok, bad, stats) = load(text.as_bytes(), Some(CorpusFormat::RawHttp));
    assert_eq!(
        ok.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(),
        ["/a", "/c"]
    );
    assert_eq!(stats.malformed, 3);
    assert_eq!(
        bad.iter().map(|e| e.line_or_entry).collect::<Vec<_>>(),
        [7, 10, 19]
    );
    assert!(bad.get(1).is_some_and(|e| e.message.contains("colon")));
    assert_eq!(
        ok.get(1).and_then(|r| r.header("user-agent")),
        Some(&b"y"[..])
    );
}

// ---------------------------------------------------------------- combined logs

#[test]
fn combined_committed_file() {
    let (ok, bad, stats, format) = load_file("access.log");
    assert_eq!(format, CorpusFormat::CombinedLog);
    assert_eq!(
        stats,
        LoadStats {
            records: 20,
            malformed: 1
        }
    );
    assert_eq!(bad.first().map(|e| e.line_or_entry), Some(16));
    assert!(ok.iter().all(|r| r.partial));
    let first = ok.first().cloned().unwrap_or_default();
    assert!(!first.has_header("Referer"));
    assert!(h(&first, "User-Agent").is_some_and(|u| u.contains("Firefox/26.0")));
    let ctx = first.context.unwrap_or_default();
    assert_eq!(
        ctx.client_ip.map(|i| i.to_string()).as_deref(),
        Some("198.51.100.7")
    );
    assert_eq!(ctx.time.as_deref(), Some("2026-01-05T08:00:00+00:00"));
    let login = ok.get(1).cloned().unwrap_or_default();
    assert_eq!(
        h(&login, "Referer").as_deref(),
        Some("https://gw.example.com/vpn/index.html")
    );
    // A host name instead of an address; `-` UA means no User-Agent header.
    let monitor = ok
        .iter()
        .find(|r| r.method == "HEAD")
        .cloned()
        .unwrap_or_default();
    assert!(!monitor.has_header("User-Agent"));
    assert_eq!(
        monitor.labels.get("client_host").map(String::as_str),
        Some("monitor.example.net")
    );
    let v6 = ok
        .iter()
        .find(|r| h(r, "User-Agent").is_some_and(|u| u.contains("4.4.0.8014")));
    assert!(
        v6.and_then(|r| r.context.as_ref())
            .and_then(|c| c.client_ip)
            .is_some_and(|i| i.is_ipv6())
    );
}

// ---------------------------------------------------------------- sniffing

#[test]
fn sniffing() {
    use CorpusFormat::*;
    let cases: [(&[u8], Option<CorpusFormat>); 9] = [
        (b"{\"log\":{}}", Some(Har)),
        (b"\xEF\xBB\xBF\n  {\n  \"log\" : {", Some(Har)),
        (b"{\"method\":\"GET\"}\n", Some(Jsonl)),
        (b"{\"nsexpr_corpus\":1}", Some(Jsonl)),
        (
            b"GET /vpn/index.html HTTP/1.1\r\nHost: x\r\n",
            Some(RawHttp),
        ),
        (b"\r\nPOST /cgi/login HTTP/1.0\n", Some(RawHttp)),
        (
            b"198.51.100.7 - - [05/Jan/2026:08:00:00 +0000] \"GET / HTTP/1.1\"",
            Some(CombinedLog),
        ),
        (
            b"host.example - frank [x] \"GET / HTTP/1.1\"",
            Some(CombinedLog),
        ),
        (b"hello world", None),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            CorpusFormat::sniff(bytes),
            want,
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
    assert_eq!(CorpusFormat::sniff(b""), None);
}

#[test]
fn format_names_and_override() {
    for (name, f) in [
        ("jsonl", CorpusFormat::Jsonl),
        ("HAR", CorpusFormat::Har),
        ("raw", CorpusFormat::RawHttp),
        ("combined", CorpusFormat::CombinedLog),
        ("clf", CorpusFormat::CombinedLog),
    ] {
        assert_eq!(name.parse::<CorpusFormat>().ok(), Some(f));
        assert_eq!(f.to_string().parse::<CorpusFormat>().ok(), Some(f));
    }
    assert!(matches!(
        "pcap".parse::<CorpusFormat>(),
        Err(CorpusError::FormatName(_))
    ));
    // Unsniffable without an override; loads with one.
    let log = "- - - [05/Jan/2026:08:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n";
    assert!(
        Loader::from_reader(Cursor::new("garbage"), None)
            .is_err_and(|e| matches!(e, CorpusError::UnknownFormat))
    );
    let (ok, bad, _) = load(log.as_bytes(), Some(CorpusFormat::CombinedLog));
    assert_eq!((ok.len(), bad.len()), (1, 0));
    // Forcing the wrong format reports malformed records instead of failing.
    let (ok, bad, _) = load(log.as_bytes(), Some(CorpusFormat::Jsonl));
    assert_eq!((ok.len(), bad.len()), (0, 1));
    assert!(matches!(
        corpus::open(format!("{DIR}does-not-exist.jsonl"), None),
        Err(CorpusError::Io { .. })
    ));
}
