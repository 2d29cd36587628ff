//! Request assembly: class, flow step, target, context and labels of request *i*.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::Generator;
use super::flows::Style;
use super::headers::{Headers, bot_headers, browser_headers, native_headers};
use super::profile::{EDGE_KINDS, Profile};
use super::rng::Rng;
use super::ua::{self, push_u64};
use crate::corpus::record::{RecordedContext, RecordedRequest, TlsInfo};

/// The wizard policy (fragment B) (`corpus/configs/ns101-wizard.conf`) a request
/// should get, decided with plain string operations rather than the compiled evaluator, so the label
/// is an independent oracle (docs/semantics.md#generator): `CR` = the last User-Agent contains
/// `CitrixReceiver` in any case (D6, D8), `XCG` = an X-Citrix-Gateway header, `Ref` = a Referer.
fn expected_policy(headers: &[(String, Vec<u8>)]) -> &'static str {
    let named = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
    };
    let receiver = named("User-Agent").next_back().is_some_and(|(_, ua)| {
        String::from_utf8_lossy(ua)
            .to_ascii_lowercase()
            .contains("citrixreceiver")
    });
    let gateway = named("X-Citrix-Gateway").next().is_some();
    let referer = named("Referer").next().is_some();
    match (receiver, gateway, referer) {
        (true, false, _) => "POLICY_PNA_10.0.0.176",
        (true, true, _) => "POLICY_OS_10.0.0.176",
        (false, _, true) => "POLICY_WEB_10.0.0.176",
        (false, _, false) => "POLICY_AG_PLUGIN_10.0.0.176",
    }
}

const APPS: &[&str] = &[
    "Controller.Notepad",
    "Controller.Outlook",
    "Controller.Excel",
    "Controller.Word",
    "Controller.SAP%20GUI",
    "Controller.Teams",
    "Controller.Windows%2011%20Desktop",
];
const PAGES: &[&str] = &[
    "index.html",
    "home.aspx",
    "sites/hr/default.aspx",
    "wiki/Start",
];

impl Generator {
    /// Request number `i` (random access; equal to the `i`-th record [`write_jsonl`](Self::write_jsonl)
    /// writes).
    pub fn request(&self, i: u64) -> RecordedRequest {
        let mut rng = Rng::for_request(self.seed, i);
        let p = &self.profile;
        let class_ix = p.class_alias.sample(&mut rng);
        let Some(class) = p.classes.get(class_ix) else {
            return RecordedRequest::default();
        };
        let step = class.flow.pick(&mut rng);
        let mut ua_text = String::with_capacity(192);
        if let Some(src) = class.ua.get(class.ua_alias.sample(&mut rng)) {
            ua::generate(src, &mut rng, &mut ua_text);
        }
        let mut csrf = String::with_capacity(32);
        rng.hex_upper(32, &mut csrf);
        let target = expand(step.path, &csrf, i, p, &mut rng);

        let mut b = Headers(Vec::with_capacity(14));
        let gw = p.gateway_host.as_str();
        match step.style {
            Style::Navigate | Style::Form | Style::Ajax => {
                browser_headers(&mut b, step, class, gw, ua_text, &csrf, &mut rng);
            }
            Style::Native | Style::NativeForm => {
                native_headers(&mut b, step, class, gw, ua_text, &csrf, &mut rng);
            }
            Style::Bot => bot_headers(&mut b, step, gw, ua_text, &mut rng),
        }

        let mut labels = BTreeMap::new();
        labels.insert("client".to_string(), class.id.clone());
        labels.insert("flow_step".to_string(), step.name.to_string());
        if rng.chance_ppm(p.edge_rate_ppm)
            && let Some(&kind) = rng.pick(&p.edge_kinds)
        {
            self.mutate(kind, &mut b.0, &mut rng);
            let name = EDGE_KINDS.iter().find(|(_, k)| *k == kind).map(|(n, _)| *n);
            labels.insert(
                "edge_case".to_string(),
                name.unwrap_or_default().to_string(),
            );
        }

        labels.insert(
            "expect_policy".to_string(),
            expected_policy(&b.0).to_string(),
        );

        let context = RecordedContext {
            client_ip: Some(client_ip(&mut rng)),
            client_port: Some(1024 + rng.below(64_512) as u16),
            dest_ip: Some(p.dest_ip),
            dest_port: Some(p.dest_port),
            tls: Some(TlsInfo {
                version: Some(
                    if rng.chance_ppm(750_000) {
                        "TLSv1.3"
                    } else {
                        "TLSv1.2"
                    }
                    .to_string(),
                ),
                cipher_bits: Some(if rng.chance_ppm(750_000) { 256 } else { 128 }),
                ..TlsInfo::default()
            }),
            time: rfc3339_millis(stamp_millis(p, i)),
            ..RecordedContext::default()
        };

        let mut id = String::with_capacity(24);
        push_u64(self.seed, &mut id);
        id.push('-');
        push_padded(i, 6, &mut id);

        RecordedRequest {
            id: Some(id),
            method: step.method.to_string(),
            target,
            version: "HTTP/1.1".to_string(),
            headers: b.0,
            context: Some(context),
            labels,
            partial: false,
        }
    }
}

/// Fills a path template.
fn expand(template: &str, csrf: &str, i: u64, p: &Profile, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('}') else {
            out.push_str(rest.get(open..).unwrap_or_default());
            return out;
        };
        match after.get(..close).unwrap_or_default() {
            "appid" => out.push_str(rng.pick(APPS).copied().unwrap_or_default()),
            "csrf" => out.push_str(csrf),
            "ms" => push_u64(stamp_millis(p, i), &mut out),
            "h32" => rng.hex(32, &mut out),
            "user" => {
                out.push_str("user");
                push_u64(1000 + rng.below(9000), &mut out);
            }
            "page" => out.push_str(rng.pick(PAGES).copied().unwrap_or_default()),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// A client address from documentation and shared ranges (RFC 5737, RFC 6598, RFC 3849).
fn client_ip(rng: &mut Rng) -> IpAddr {
    let r = rng.below(100);
    let x = rng.next_u64();
    let low = (x & 0xff) as u8;
    let host = low.clamp(1, 254);
    match r {
        0..5 => IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0x0db8,
            (x >> 8) as u16,
            (x >> 24) as u16,
            0,
            0,
            0,
            (x >> 40) as u16 | 1,
        )),
        5..45 => IpAddr::V4(Ipv4Addr::new(198, 51, 100, host)),
        45..85 => IpAddr::V4(Ipv4Addr::new(203, 0, 113, host)),
        _ => IpAddr::V4(Ipv4Addr::new(
            100,
            64 + ((x >> 8) & 63) as u8,
            (x >> 16) as u8,
            host,
        )),
    }
}

/// The time request `i` is stamped with, in Unix milliseconds: `start + i * interval`.
fn stamp_millis(p: &Profile, i: u64) -> u64 {
    p.start_time_unix
        .saturating_mul(1000)
        .saturating_add(i.saturating_mul(p.interval_ms))
}

/// Unix milliseconds → `YYYY-MM-DDTHH:MM:SS.mmmZ`; `None` past the year 9999.
fn rfc3339_millis(ms: u64) -> Option<String> {
    let time = jiff::Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()?;
    Some(format!("{time:.3}"))
}

/// Appends `n` in decimal, zero-padded to `width` digits.
fn push_padded(n: u64, width: usize, out: &mut String) {
    let mut digits = String::with_capacity(20);
    push_u64(n, &mut digits);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generator::Profile;

    #[test]
    fn time_format() {
        assert_eq!(
            rfc3339_millis(0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            rfc3339_millis(1_767_600_000_250).as_deref(),
            Some("2026-01-05T08:00:00.250Z")
        );
        assert_eq!(
            rfc3339_millis(951_782_400_000).as_deref(),
            Some("2000-02-29T00:00:00.000Z")
        );
        assert_eq!(rfc3339_millis(u64::MAX), None);
    }

    #[test]
    fn default_profile_parses_and_generates() {
        let Ok(p) = Profile::gateway_typical() else {
            panic!("default profile must parse");
        };
        assert_eq!(p.name(), "gateway-typical");
        let g = Generator::new(p, 1);
        for i in 0..2000 {
            let r = g.request(i);
            assert!(r.labels.contains_key("client"));
            assert!(r.labels.contains_key("flow_step"));
            assert!(
                !r.headers
                    .iter()
                    .any(|(n, _)| n.to_ascii_lowercase().starts_with("x-citrix-via"))
            );
            assert!(!r.target.contains('{'));
        }
    }
}
