//! A generated 100,000-line ns.conf (session actions, policies, binds, unrelated lines) loads
//! without errors.

use std::fmt::Write as _;

use nsexpr::config::{Config, NoticeKind};

/// Lines per generated block.
const BLOCK: usize = 10;

/// A config of exactly `lines` lines (a multiple of [`BLOCK`]): per block a session action, a
/// session policy, its bind, an authentication policy and its bind, a comment, and four unrelated
/// lines.
fn generate(lines: usize) -> String {
    let mut out = String::with_capacity(lines * 90);
    for i in 0..lines / BLOCK {
        let (a, b) = (i / 250 % 250, i % 250);
        let _ = writeln!(out, "# block {i}");
        let _ = writeln!(
            out,
            "add vpn sessionAction ACT_{i} -transparentInterception OFF -defaultAuthorizationAction ALLOW -SSO ON -icaProxy ON -wihome \"https://sf{i}.example.com/Citrix/StoreWeb\" -ntDomain corp.local -clientlessVpnMode OFF -storefronturl \"https://sf{i}.example.com\""
        );
        let _ = writeln!(
            out,
            "add vpn sessionPolicy POL_{i} \"REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS\" ACT_{i}"
        );
        let _ = writeln!(
            out,
            "bind vpn vserver GW_{} -policy POL_{i} -priority {}",
            i % 10,
            i % 64_000
        );
        let _ = writeln!(out, "add server srv_{i} 10.{a}.{b}.1");
        let _ = writeln!(
            out,
            "add service svc_{i} srv_{i} HTTP 80 -gslb NONE -maxClient 0 -maxReq 0 -cip DISABLED -usip NO"
        );
        let _ = writeln!(
            out,
            "add lb vserver lb_{i} HTTP 10.{a}.{b}.2 80 -persistenceType NONE -cltTimeout 180"
        );
        let _ = writeln!(out, "bind lb vserver lb_{i} svc_{i}");
        let _ = writeln!(out, "add authentication ldapPolicy LDAP_{i} ns_true DC_{i}");
        let _ = writeln!(
            out,
            "bind vpn vserver GW_{} -policy LDAP_{i} -priority {}",
            i % 10,
            i % 64_000
        );
    }
    out
}

#[test]
fn hundred_thousand_lines_load_without_errors() {
    let text = generate(100_000);
    assert_eq!(text.lines().count(), 100_000);
    let read = Config::read(&text, "generated.conf");
    assert!(read.errors.is_empty(), "{:?}", read.errors.first());
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 10_000);
    assert_eq!(c.session_policies().len(), 10_000);
    assert_eq!(c.binds().len(), 10_000);
    assert_eq!(c.other_policies().len(), 10_000);
    assert_eq!(c.ignored().len(), 40_000);
    assert!(c.session_policy("POL_9999").is_some());
    assert_eq!(
        c.binds()
            .last()
            .map(|b| (b.policy.as_str(), b.priority, b.line)),
        Some(("POL_9999", Some(9999), 99_994))
    );
    let r3 = read
        .notices
        .iter()
        .filter(|n| matches!(n.kind, NoticeKind::NonSessionPolicyBind { .. }))
        .count();
    assert_eq!(r3, 10_000);
}
