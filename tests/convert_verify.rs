//! The proof harness, exercised before the advanced evaluator exists: the classic program must
//! agree with itself on its adversarial set, and deliberately wrong "conversions" (nspepi's
//! any-instance header reading, a case-sensitive CONTAINS, the URL with its query, an
//! off-by-one range, a missing context guard) must each be caught with the responsible atom.

use nsexpr::compile::HeaderInstance;
use nsexpr::convert::{Probe, adversarial_set, verify};
use nsexpr::eval::RequestView;
use nsexpr::{Context, NamedExpressions, Program, Verdict};

fn program(rule: &str, header_instance: HeaderInstance) -> Program {
    Program::builder()
        .header_instance(header_instance)
        .build(rule)
        .unwrap()
}

fn set(rule: &str) -> Vec<nsexpr::convert::Case> {
    adversarial_set(
        &nsexpr::syntax::parse(rule).unwrap(),
        &NamedExpressions::new(),
    )
}

const RULES: &[&str] = &[
    "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
    "REQ.HTTP.HEADER User-Agent NOTCONTAINS CitrixReceiver && REQ.HTTP.HEADER Referer NOTEXISTS",
    "REQ.HTTP.HEADER X == '' || REQ.HTTP.HEADER Y != abc",
    "REQ.HTTP.HEADER Cookie CONTAINS jsessionid -length 6 -offset 2",
    "URL == /images/*.gif || URL == /foo/bar || URL == /a/b.* || URL CONTAINS x",
    "URLQUERY CONTAINS v || URLQUERY EXISTS || URLLEN < 20 || URLTOKENS == '+,?'",
    "METHOD == get && SOURCEIP == 10.0.0.0 -netmask 255.0.0.0",
    "REQ.TCP.DESTPORT == 80-90 || REQ.VLANID == 5 || LOCATION == Asia.India.*.*.*.*",
    "DAYOFWEEK == SUNDAYGMT || DATE == '2010-05-24GMT' || TIME > '2010-05-24-10:11:12GMT'",
];

#[test]
fn the_classic_program_agrees_with_itself_on_its_adversarial_set() {
    for rule in RULES {
        let classic = program(rule, HeaderInstance::Last);
        let cases = set(rule);
        assert!(cases.len() > 20, "{rule}: only {} cases", cases.len());
        let v = verify(&classic, |r, c| classic.eval_with(r, c), &cases);
        assert!(v.is_equivalent(), "{rule}: {:?}", v.disagreement);
        assert_eq!(v.checked, cases.len());
    }
}

#[test]
fn nspepi_any_instance_headers_are_caught_on_repeated_headers() {
    let rule = "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver";
    let classic = program(rule, HeaderInstance::Last);
    let nspepi = program(rule, HeaderInstance::Any);
    let v = verify(&classic, |r, c| nspepi.eval_with(r, c), &set(rule));
    let d = v.disagreement.expect("any-instance reading must be caught");
    assert!(d.case.atom.contains("value only in the first"), "{d}");
    assert_eq!((d.classic, d.converted), (Verdict::False, Verdict::True));
    assert!(d.to_string().contains("User-Agent: CitrixReceiver"), "{d}");
}

fn header_last(r: &Probe, name: &str) -> Option<Vec<u8>> {
    let key = nsexpr::eval::HeaderKey::new(name);
    r.header_values(&key).next_back().map(<[u8]>::to_vec)
}

#[test]
fn a_case_sensitive_contains_is_caught() {
    let rule = "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver";
    let classic = program(rule, HeaderInstance::Last);
    let wrong = |r: &Probe, _: &Context| {
        let hit = header_last(r, "User-Agent")
            .is_some_and(|v| v.windows(14).any(|w| w == b"CitrixReceiver"));
        Verdict::from(hit)
    };
    let d = verify(&classic, wrong, &set(rule)).disagreement.unwrap();
    assert!(d.case.atom.contains("case variant"), "{d}");
}

#[test]
fn url_with_query_instead_of_path_is_caught() {
    let rule = "URL CONTAINS admin";
    let classic = program(rule, HeaderInstance::Last);
    let wrong = |r: &Probe, _: &Context| {
        let t = r.target.to_ascii_lowercase();
        Verdict::from(t.windows(5).any(|w| w == b"admin"))
    };
    let d = verify(&classic, wrong, &set(rule)).disagreement.unwrap();
    assert!(d.case.atom.contains("query"), "{d}");
}

#[test]
fn an_exclusive_range_and_a_missing_context_are_caught() {
    let rule = "REQ.TCP.DESTPORT == 80-90";
    let classic = program(rule, HeaderInstance::Last);
    let exclusive = |_: &Probe, c: &Context| match c.request_net.dest_port {
        Some(p) => Verdict::from(p > 80 && p < 90),
        None => Verdict::Unknown,
    };
    let d = verify(&classic, exclusive, &set(rule))
        .disagreement
        .unwrap();
    assert!(
        d.case.atom.contains("port 80") || d.case.atom.contains("port 90"),
        "{d}"
    );
    let guessing = |_: &Probe, c: &Context| {
        Verdict::from(
            c.request_net
                .dest_port
                .is_some_and(|p| (80..=90).contains(&p)),
        )
    };
    let d = verify(&classic, guessing, &set(rule)).disagreement.unwrap();
    assert!(d.case.atom.contains("no port") || d.index == 0, "{d}");
    assert_eq!(d.classic, Verdict::Unknown);
}
