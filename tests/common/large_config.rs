//! A generated ns.conf of a given number of lines, for the large-config test and bench.

use std::fmt::Write as _;

/// Lines per generated block.
const BLOCK: usize = 10;

/// A config of exactly `lines` lines (a multiple of [`BLOCK`]): per block a session action, a
/// session policy, its bind, an authentication policy and its bind, a comment, and four unrelated
/// lines.
pub fn generate(lines: usize) -> String {
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
