//! Regressions of the ns.conf reader and the simulator: cost that grew faster than the input,
//! lines silently dropped, and the two quoting implementations that disagreed.

use std::time::Instant;

use nsexpr::config::{Config, ConfigErrorKind, Excerpt, NoticeKind, Severity, unquote_argument};
use nsexpr::sim::{SimOptions, Simulator, preset};

/// 20,000 unknown options on one line: each error keeps a bounded window, not the line.
#[test]
fn errors_on_a_long_line_stay_bounded() {
    let mut line = String::from("add vpn sessionPolicy P ns_true A");
    for i in 0..20_000 {
        line.push_str(&format!(" -o{i}"));
    }
    let loaded = Config::read(&line, "long.conf");
    assert_eq!(loaded.errors.len(), 20_000);
    let bound = Excerpt::BEFORE + Excerpt::SPAN + Excerpt::AFTER;
    let mut shown = 0;
    for e in &loaded.errors {
        assert!(e.excerpt.text.chars().count() <= bound);
        let text = e.to_string();
        assert!(text.len() < bound * 2 + 200, "{} bytes", text.len());
        shown += text.len();
    }
    assert!(shown < 20_000 * 600, "{shown} bytes of diagnostics");
    let last = loaded
        .errors
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(last.contains("-o19999"), "{last}");
    assert!(
        last.lines().nth(1).is_some_and(|l| l.starts_with("...")),
        "{last}"
    );
}

#[test]
fn a_window_puts_the_carets_under_the_span() {
    let line = format!("add vpn sessionAction {} A -sso", "x".repeat(500));
    let loaded = Config::read(&line, "w.conf");
    let e = &loaded.errors[0];
    let text = e.to_string();
    let mut lines = text.lines().skip(1);
    let (shown, carets) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let at = carets.find('^').unwrap_or(0);
    assert_eq!(shown.get(at..at + 4), Some("A -s"), "{text}");
    assert!(shown.starts_with("..."), "{text}");
}

/// `add vpn session\0Policy`: an error at the NUL, not a dropped line.
#[test]
fn a_control_character_in_a_command_word_is_an_error() {
    let text = "add vpn sessionAction A -icaProxy ON\n\
        add vpn session\0Policy P ns_true A\n\
        bind vpn global -policyName P -priority 1\n";
    let loaded = Config::read(text, "nul.conf");
    let e = &loaded.errors[0];
    assert_eq!(e.kind, ConfigErrorKind::ControlCharacter { code: 0 });
    assert_eq!((e.line, e.column), (2, 16));
    assert!(loaded.config.ignored().iter().all(|l| l.line != 2));
}

/// A Latin-1 command line costs that line, not the file; a Latin-1 comment costs nothing and is
/// a warning.
#[test]
fn a_line_that_is_not_utf8_is_an_error_for_that_line() {
    let bytes = b"# Caf\xe9 office\r\nadd vpn sessionAction A -icaProxy ON\n\
        add vpn sessionPolicy P \"REQ.HTTP.HEADER X CONTAINS \xe9\" A\n\
        add vpn sessionPolicy Q ns_true A\n";
    let loaded = Config::read_bytes(bytes, "latin1.conf");
    let lines: Vec<(usize, usize)> = loaded.errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(lines, [(3, 53)]);
    let comment = loaded
        .notices
        .iter()
        .find(|n| n.kind == NoticeKind::InvalidUtf8Comment)
        .map(|n| (n.line, n.column, n.severity()));
    assert_eq!(comment, Some((1, 6, Severity::Warning)));
    assert!(
        loaded
            .errors
            .iter()
            .all(|e| e.kind == ConfigErrorKind::InvalidUtf8)
    );
    assert!(loaded.config.session_action("A").is_some());
    assert!(loaded.config.session_policy("Q").is_some());
    assert!(loaded.config.session_policy("P").is_none());
}

#[test]
fn from_path_reports_a_missing_file() {
    let missing = std::env::temp_dir()
        .join("nsexpr-no-such-dir")
        .join("ns.conf");
    let error = Config::from_path(&missing).err().map(|e| e.source.kind());
    assert_eq!(error, Some(std::io::ErrorKind::NotFound));
}

/// `unquote_argument` and the reader read every argument alike (they disagreed on `q[abc]`).
#[test]
fn unquote_agrees_with_the_reader() {
    for arg in [
        "q[abc]",
        "q#abc#",
        "q{a b}",
        "q/a/b c/",
        r#""a \"b\" \\ \x""#,
        "'a\"b'",
        "q/abc",
        "abc\"d e\"f",
        "(a || b)",
        "q<a>b>",
    ] {
        let loaded = Config::read(&format!("add policy expression e {arg}"), "q.conf");
        let read = loaded.config.expression("e").map(|e| e.value.text.clone());
        assert_eq!(unquote_argument(arg).ok(), read, "{arg}");
    }
}

/// 5,000 unknown policies ahead of the winner: building the profile is no longer
/// parameters × results × policies.
#[test]
fn many_unknown_policies_simulate_quickly() {
    let mut conf = String::from("add vpn vserver GW SSL 10.0.0.1 443\n");
    for i in 0..5_000 {
        conf.push_str(&format!(
            "add vpn sessionAction A{i} -p{i} v -icaProxy ON\n\
             add vpn sessionPolicy P{i} \"REQ.IP.SOURCEIP == 10.0.0.{}\" A{i}\n\
             bind vpn vserver GW -policy P{i} -priority {}\n",
            i % 250,
            i + 1
        ));
    }
    let loaded = Config::read(&conf, "many.conf");
    assert!(loaded.errors.is_empty());
    let sim = Simulator::new(&loaded.config, None, SimOptions::default()).expect("simulator");
    let Some(client) = preset("ws-win") else {
        panic!("preset")
    };
    let start = Instant::now();
    let report = sim.simulate(client);
    let elapsed = start.elapsed();
    assert_eq!(report.winner, None);
    assert_eq!(report.winner_uncertain_because.len(), 5_000);
    assert_eq!(
        report
            .profile_entry("icaProxy")
            .map(|p| p.depends_on_unknown.len()),
        Some(5_000)
    );
    assert!(elapsed.as_secs_f64() < 5.0, "{elapsed:?}");
}

// The simulator and the configuration are shared across threads.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Simulator>();
    send_sync::<Config>();
};
