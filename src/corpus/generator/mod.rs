//! The deterministic synthetic gateway-traffic generator (spec `clients.md` section 7).
//!
//! Request *i* uses its own xoshiro256** stream seeded with `splitmix64(seed ^ splitmix64(i))`, so
//! requests are independent (random access, parallel generation) and the same seed, profile and
//! [`GENERATOR_VERSION`] give byte-identical output on every platform: all sampling is integer
//! arithmetic over tables in fixed order (integer Walker alias tables for classes and UA sources,
//! cumulative search for flow steps).
//!
//! Per request (7.3): pick a class, a flow step, a UA (literal, pool or grammar with Zipf-like version
//! choice), fill tokens (CSRF, session cookies, ids), emit headers in the client's usual order, apply the
//! edge-case mutator at the profile's rate, and attach the labels `client`, `flow_step`,
//! `expect_policy` (the fragment-B policy, decided by plain string operations: an oracle for the
//! compiled evaluator) and (when mutated) `edge_case`. `X-Citrix-Via*` and response headers are
//! never emitted.

mod flows;
mod policies;
mod profile;
mod rng;
mod sha256;
mod ua;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use policies::generate_policy_config;
pub use profile::Profile;
pub use sha256::sha256_hex;

use self::flows::{Cookies, Step, Style};
use self::profile::{Class, EDGE_KINDS, EdgeKind};
use self::rng::Rng;
use self::ua::{Grammar, UaSource, push_u64};
use super::jsonl::{CorpusHeader, encode_record};
use super::record::{RecordedContext, RecordedRequest, TlsInfo};

/// Generator name and output version, written into the corpus header. It changes (deliberately, with
/// the golden hash in `tests/corpus_generator.rs`) whenever the output for a given seed and profile
/// changes; it does not follow the crate version.
pub const GENERATOR_VERSION: &str = "nsexpr-corpus-gen 0.2.0";

/// The policy of `session-policies.md` fragment B (`corpus/configs/ns101-wizard.conf`) a request
/// should get, decided with plain string operations rather than the compiled evaluator, so the label
/// is an independent oracle (`clients.md` 7.3 step 7): `CR` = the last User-Agent contains
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

/// A seeded generator over a [`Profile`].
#[derive(Debug, Clone)]
pub struct Generator {
    profile: Profile,
    seed: u64,
    browser_pool: UaSource,
}

const ACCEPT_LANGUAGES: &[&str] = &[
    "en-US,en;q=0.9",
    "en-GB,en;q=0.9",
    "de-DE,de;q=0.9,en;q=0.8",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "nl-NL,nl;q=0.9,en;q=0.8",
    "ja-JP,ja;q=0.9",
];
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
    /// A generator for `profile` with `seed`.
    pub fn new(profile: Profile, seed: u64) -> Generator {
        Generator {
            profile,
            seed,
            browser_pool: ua::resolve("pool:top-user-agents-desktop")
                .unwrap_or(UaSource::Literal(String::new())),
        }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The corpus header line this generator writes first.
    pub fn header(&self) -> CorpusHeader {
        CorpusHeader {
            nsexpr_corpus: 1,
            generator: Some(GENERATOR_VERSION.to_string()),
            seed: Some(self.seed),
            profile: Some(self.profile.name.clone()),
            profile_sha256: Some(self.profile.sha256.clone()),
        }
    }

    /// Writes the header line and requests `0..count` as JSONL, buffered internally.
    ///
    /// Requests are independent, so batches are encoded on all available cores
    /// (`std::thread::available_parallelism`) and written in order; the bytes do not depend on the
    /// number of threads.
    pub fn write_jsonl(&self, out: &mut impl Write, count: u64) -> io::Result<()> {
        const CHUNK: u64 = 2048;
        let mut w = BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer(&mut w, &self.header()).map_err(io::Error::other)?;
        w.write_all(b"\n")?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut bufs: Vec<Vec<u8>> = (0..threads).map(|_| Vec::with_capacity(2 << 20)).collect();
        let mut next = 0u64;
        while next < count {
            let ranges: Vec<(u64, u64)> = (0..threads as u64)
                .map(|t| {
                    let start = next.saturating_add(t * CHUNK).min(count);
                    (start, start.saturating_add(CHUNK).min(count))
                })
                .collect();
            let results: Vec<io::Result<()>> = std::thread::scope(|scope| {
                let handles: Vec<_> = bufs
                    .iter_mut()
                    .zip(&ranges)
                    .map(|(buf, &(start, end))| {
                        scope.spawn(move || {
                            buf.clear();
                            (start..end).try_for_each(|i| encode_record(&self.request(i), buf))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(io::Error::other("generator thread panicked")))
                    })
                    .collect()
            });
            for (buf, result) in bufs.iter().zip(results) {
                result?;
                w.write_all(buf)?;
            }
            next = ranges.last().map_or(count, |&(_, end)| end);
        }
        w.flush()
    }

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
            Style::Bot => {
                b.push("Host", gw);
                b.push("User-Agent", ua_text);
                b.push("Accept", step.accept);
                if let Some(ct) = step.body {
                    b.push("Content-Type", ct);
                    b.push("Content-Length", number(rng.below(200) + 10));
                }
                if rng.chance_ppm(500_000) {
                    b.push("Connection", "close");
                }
            }
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
            time: Some(rfc3339_millis(
                p.start_time_unix
                    .saturating_mul(1000)
                    .saturating_add(i.saturating_mul(p.interval_ms)),
            )),
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

    /// Applies one edge-case mutation (spec `clients.md` section 4) to the headers.
    fn mutate(&self, kind: EdgeKind, headers: &mut Vec<(String, Vec<u8>)>, rng: &mut Rng) {
        let ua_pos = headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("User-Agent"));
        let set_ua = |headers: &mut Vec<(String, Vec<u8>)>, value: Vec<u8>| match ua_pos
            .and_then(|p| headers.get_mut(p))
        {
            Some((_, v)) => *v = value,
            None => headers.insert(1.min(headers.len()), ("User-Agent".into(), value)),
        };
        let current_ua = ua_pos
            .and_then(|p| headers.get(p))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        match kind {
            EdgeKind::EmptyUa => set_ua(headers, Vec::new()),
            EdgeKind::MissingUa => headers.retain(|(n, _)| !n.eq_ignore_ascii_case("User-Agent")),
            EdgeKind::DuplicateUa => {
                // First instance a browser, last instance a Receiver (pins D6).
                let mut browser = String::new();
                ua::generate(&self.browser_pool, rng, &mut browser);
                set_ua(headers, browser.into_bytes());
                let mut receiver = String::new();
                ua::generate(
                    &UaSource::Grammar(Grammar::WorkspaceWindows),
                    rng,
                    &mut receiver,
                );
                headers.push(("User-Agent".into(), receiver.into_bytes()));
            }
            EdgeKind::OddNameCase => {
                const NAMES: &[&str] = &["user-agent", "USER-AGENT", "uSeR-aGeNt"];
                let name = rng.pick(NAMES).copied().unwrap_or("user-agent");
                for (n, _) in headers.iter_mut() {
                    if n.eq_ignore_ascii_case("User-Agent") {
                        *n = name.to_string();
                    } else if n.eq_ignore_ascii_case("X-Citrix-Gateway") {
                        *n = "x-citrix-gateway".to_string();
                    }
                }
            }
            EdgeKind::HugeValue8k => {
                let mut v = current_ua;
                v.push(b' ');
                let pad = b"nsexpr-padding-";
                let mut k = 0usize;
                while v.len() < 8192 {
                    v.push(pad.get(k % pad.len()).copied().unwrap_or(b'-'));
                    k += 1;
                }
                v.truncate(8192);
                set_ua(headers, v);
            }
            EdgeKind::ObsText => {
                let mut v = current_ua;
                v.extend_from_slice(b" \xE9\xFC\xA0\xFF");
                set_ua(headers, v);
            }
            EdgeKind::TokenInOtherHeader => {
                let mut browser = String::new();
                ua::generate(&self.browser_pool, rng, &mut browser);
                set_ua(headers, browser.into_bytes());
                headers.push(("X-Client-Product".into(), b"CitrixReceiver".to_vec()));
            }
            EdgeKind::LowercaseToken => {
                let mut v = current_ua;
                if !String::from_utf8_lossy(&v)
                    .to_ascii_lowercase()
                    .contains("citrixreceiver")
                {
                    let mut s = String::new();
                    ua::generate(&UaSource::Grammar(Grammar::WorkspaceWindows), rng, &mut s);
                    v = s.into_bytes();
                }
                v.make_ascii_lowercase();
                set_ua(headers, v);
            }
            EdgeKind::EmptyXcg => {
                match headers
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case("X-Citrix-Gateway"))
                {
                    Some((_, v)) => v.clear(),
                    None => headers.push(("X-Citrix-Gateway".into(), Vec::new())),
                }
            }
        }
    }
}

/// Header list under construction.
struct Headers(Vec<(String, Vec<u8>)>);

impl Headers {
    fn push(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.0.push((name.to_string(), value.into()));
    }
}

fn number(n: u64) -> String {
    let mut s = String::with_capacity(8);
    push_u64(n, &mut s);
    s
}

fn cookie_header(b: &mut Headers, cookies: Cookies, csrf: &str, rng: &mut Rng) {
    let mut c = String::with_capacity(160);
    match cookies {
        Cookies::None => return,
        Cookies::PreAuth => {
            if !rng.chance_ppm(500_000) {
                return;
            }
            c.push_str("NSC_TMAS=");
            rng.hex(32, &mut c);
        }
        Cookies::Session => {
            c.push_str("NSC_AAAC=");
            rng.hex(40, &mut c);
        }
        Cookies::StoreWeb => {
            c.push_str("NSC_AAAC=");
            rng.hex(40, &mut c);
            c.push_str("; CtxsPluginAssistantState=Done; CtxsAuthId=");
            rng.hex_upper(8, &mut c);
            c.push_str("; ASP.NET_SessionId=");
            const ALPHA: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz012345";
            let mut v = rng.next_u64();
            for _ in 0..12 {
                c.push(char::from(
                    ALPHA.get((v & 31) as usize).copied().unwrap_or(b'a'),
                ));
                v >>= 5;
            }
            let mut v = rng.next_u64();
            for _ in 0..12 {
                c.push(char::from(
                    ALPHA.get((v & 31) as usize).copied().unwrap_or(b'a'),
                ));
                v >>= 5;
            }
            c.push_str("; CsrfToken=");
            c.push_str(csrf);
        }
    }
    b.push("Cookie", c);
}

fn browser_headers(
    b: &mut Headers,
    step: &Step,
    class: &Class,
    gw: &str,
    ua_text: String,
    csrf: &str,
    rng: &mut Rng,
) {
    b.push("Host", gw);
    b.push("Connection", "keep-alive");
    if step.body.is_some() {
        b.push("Content-Length", number(rng.below(360) + 40));
    }
    if step.style == Style::Navigate {
        b.push("Upgrade-Insecure-Requests", "1");
    }
    b.push("User-Agent", ua_text);
    b.push("Accept", step.accept);
    if step.style == Style::Ajax {
        b.push("X-Requested-With", "XMLHttpRequest");
        if step.cookies == Cookies::StoreWeb {
            b.push("Csrf-Token", csrf);
        }
        b.push("X-Citrix-IsUsingHTTPS", "Yes");
    }
    if let Some(ct) = step.body {
        b.push("Content-Type", ct);
        let mut origin = String::with_capacity(8 + gw.len());
        origin.push_str("https://");
        origin.push_str(gw);
        b.push("Origin", origin);
    }
    if let Some(path) = step.referer
        && rng.chance_ppm(class.referer_ppm)
    {
        let mut r = String::with_capacity(8 + gw.len() + path.len());
        r.push_str("https://");
        r.push_str(gw);
        r.push_str(path);
        b.push("Referer", r);
    }
    b.push("Accept-Encoding", "gzip, deflate, br");
    b.push(
        "Accept-Language",
        rng.pick(ACCEPT_LANGUAGES).copied().unwrap_or("en-US"),
    );
    cookie_header(b, step.cookies, csrf, rng);
}

fn native_headers(
    b: &mut Headers,
    step: &Step,
    class: &Class,
    gw: &str,
    ua_text: String,
    csrf: &str,
    rng: &mut Rng,
) {
    b.push("Host", gw);
    b.push("Accept", step.accept);
    if step.name == "auth_start" {
        b.push(
            "X-Citrix-AM-CredentialTypes",
            "none, username, domain, password, newpassword, passcode, savecredentials, textcredential, webview",
        );
        b.push(
            "X-Citrix-AM-LabelTypes",
            "none, plain, heading, information, warning, error, confirmation, image",
        );
    }
    b.push("User-Agent", ua_text);
    if rng.chance_ppm(class.xcg_ppm) {
        b.push("X-Citrix-Gateway", gw);
    }
    if step.path.starts_with("/Citrix/") {
        b.push("X-Citrix-IsUsingHTTPS", "Yes");
    }
    if rng.chance_ppm(class.background_ppm) {
        b.push("X-Citrix-Background-Request", "True");
    }
    if let Some(ct) = step.body {
        b.push("Content-Type", ct);
        b.push("Content-Length", number(rng.below(360) + 40));
    }
    cookie_header(b, step.cookies, csrf, rng);
    b.push("Connection", "Keep-Alive");
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
            "ms" => push_u64(
                p.start_time_unix
                    .saturating_mul(1000)
                    .saturating_add(i.saturating_mul(p.interval_ms)),
                &mut out,
            ),
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

/// Unix milliseconds → `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian, Hinnant's civil_from_days).
fn rfc3339_millis(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let sod = secs % 86_400;
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = String::with_capacity(24);
    for (n, width, sep) in [
        (y.unsigned_abs(), 4, '-'),
        (u64::try_from(m).unwrap_or(0), 2, '-'),
        (u64::try_from(d).unwrap_or(0), 2, 'T'),
        (sod / 3600, 2, ':'),
        (sod / 60 % 60, 2, ':'),
        (sod % 60, 2, '.'),
        (ms % 1000, 3, 'Z'),
    ] {
        push_padded(n, width, &mut out);
        out.push(sep);
    }
    out
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

    #[test]
    fn time_format() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_767_600_000_250),
            "2026-01-05T08:00:00.250Z"
        );
        assert_eq!(rfc3339_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
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
