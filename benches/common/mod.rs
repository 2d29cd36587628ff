//! Deterministic Gateway-like requests for the benches: the same 1,000+ requests in every run.
//! [`requests`] is the original set (long User-Agents); [`gateway_traffic`] is shaped like real
//! Gateway traffic.
#![allow(dead_code)]

use http::{HeaderMap, HeaderName, HeaderValue};

/// One request: method, target and headers.
pub struct BenchRequest {
    pub method: &'static str,
    pub target: &'static str,
    pub headers: HeaderMap,
}

const UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "CitrixReceiver/26.3.0.95 Windows/10.0 SelfService/26.3.0.96 (Release) X1Class CWACapable",
    "CitrixReceiver/21.5.1 iOS/14.5.1 CitrixReceiver-iPhone X1Class CWACapable 302RedirectionCapable CFNetwork Darwin",
    "Mozilla/5.0 (iPad; CPU OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 WorxWeb/19.1.5(build 19.1.5.23)  Mobile/16D57 Safari/605.1",
    "CitrixReceiver/com.zenprise build/22.11.0 Android/11 VpnCapable X1Class",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) WorxWeb/18.11.5(build 18.11.5.4) Mobile/16B92 Safari/605.1",
];

const TARGETS: &[(&str, &str)] = &[
    ("POST", "/cgi/login"),
    ("GET", "/vpn/index.html"),
    ("GET", "/Citrix/StoreWeb/Resources/List?x=1"),
    ("POST", "/cgi/setclient?wica"),
    ("GET", "/images/logo.gif"),
    ("GET", "/cgi-bin/status.pl"),
];

fn next(state: &mut u64) -> u64 {
    // splitmix64
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(state: &mut u64, items: &[T]) -> T {
    items[(next(state) % items.len() as u64) as usize]
}

/// `n` requests with 10-13 headers each; X-Citrix-Gateway on about a third, Referer on browsers,
/// a second Cookie on some.
pub fn requests(n: usize) -> Vec<BenchRequest> {
    let mut state = 42u64;
    (0..n)
        .map(|_| {
            let ua = pick(&mut state, UAS);
            let (method, target) = pick(&mut state, TARGETS);
            let mut h = HeaderMap::new();
            let mut add = |name: &'static str, value: &str| {
                h.append(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value).expect("value"),
                );
            };
            add("host", "gw.example.com");
            add("user-agent", ua);
            add(
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            );
            add("accept-language", "en-US,en;q=0.5");
            add("accept-encoding", "gzip, deflate, br");
            add("connection", "keep-alive");
            add(
                "cookie",
                "NSC_TMAS=abcdef0123456789; CsrfToken=0123456789abcdef0123456789abcdef",
            );
            add("x-citrix-isusinghttps", "Yes");
            add("cache-control", "no-cache");
            if next(&mut state).is_multiple_of(3) {
                add("x-citrix-gateway", "gw.example.com");
            }
            if ua.starts_with("Mozilla") && !next(&mut state).is_multiple_of(4) {
                add("referer", "https://gw.example.com/vpn/index.html");
            }
            if next(&mut state).is_multiple_of(5) {
                add("cookie", "NSC_AAAC=0123456789abcdef");
            }
            if next(&mut state).is_multiple_of(2) {
                add("content-type", "application/x-www-form-urlencoded");
            }
            BenchRequest {
                method,
                target,
                headers: h,
            }
        })
        .collect()
}

/// User-Agent pools of the repository (`corpus/ua`): browsers and Citrix clients.
const UA_DESKTOP: &str = include_str!("../../corpus/ua/top-user-agents-desktop.txt");
const UA_MOBILE: &str = include_str!("../../corpus/ua/top-user-agents-mobile.txt");
const UA_CITRIX: &str = include_str!("../../corpus/ua/citrix-user-agents.tsv");

/// The User-Agents of 60-150 bytes from the pools: (browsers, Citrix clients).
fn realistic_user_agents() -> (Vec<&'static str>, Vec<&'static str>) {
    let fits = |ua: &&str| (60..=150).contains(&ua.len());
    let browsers = UA_DESKTOP
        .lines()
        .chain(UA_MOBILE.lines())
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter(fits)
        .collect();
    let citrix = UA_CITRIX
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(2))
        // WorxWeb appends a per-tab id (`<tabid-...>`) and runs a few bytes past 150 without it;
        // kept, cut to 150 bytes, so the headline rule has matches.
        .map(|ua| {
            let ua = ua.split("<tabid-").next().unwrap_or(ua);
            ua.get(..150).unwrap_or(ua)
        })
        .filter(fits)
        .collect();
    (browsers, citrix)
}

/// Headers a request may carry beyond the ones every request has.
const OPTIONAL_HEADERS: &[(&str, &str)] = &[
    ("cache-control", "no-cache"),
    ("referer", "https://gw.example.com/vpn/index.html"),
    ("content-type", "application/x-www-form-urlencoded"),
    ("csrf-token", "225C2477EE9ABB910345A9018ED80305"),
    ("x-requested-with", "XMLHttpRequest"),
    ("upgrade-insecure-requests", "1"),
];

/// `n` requests shaped like real Gateway traffic: 10-14 headers, a User-Agent of 60-150 bytes
/// drawn from the `corpus/ua` pools (half browsers, half Citrix clients), X-Citrix-Gateway on a
/// third of them.
pub fn gateway_traffic(n: usize) -> Vec<BenchRequest> {
    let (browsers, citrix) = realistic_user_agents();
    let mut state = 0x6761_7465_7761_7931u64;
    (0..n)
        .map(|i| {
            let ua = if next(&mut state).is_multiple_of(2) {
                pick(&mut state, &browsers)
            } else {
                pick(&mut state, &citrix)
            };
            let (method, target) = pick(&mut state, TARGETS);
            let mut h = HeaderMap::new();
            let mut add = |name: &'static str, value: &str| {
                h.append(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value).expect("value"),
                );
            };
            add("host", "gw.example.com");
            add("user-agent", ua);
            add(
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            );
            add("accept-language", "en-US,en;q=0.5");
            add("accept-encoding", "gzip, deflate, br");
            add("connection", "keep-alive");
            add(
                "cookie",
                "NSC_TMAS=abcdef0123456789; CsrfToken=0123456789abcdef0123456789abcdef",
            );
            add("x-citrix-isusinghttps", "Yes");
            if i % 3 == 0 {
                add("x-citrix-gateway", "gw.example.com");
            }
            // 8 or 9 headers so far; 2-5 more makes 10-14.
            let extra = 2 + (next(&mut state) % 4) as usize;
            let skip = (next(&mut state) % OPTIONAL_HEADERS.len() as u64) as usize;
            for &(name, value) in OPTIONAL_HEADERS.iter().cycle().skip(skip).take(extra) {
                add(name, value);
            }
            BenchRequest {
                method,
                target,
                headers: h,
            }
        })
        .collect()
}

/// A bench request as a corpus record (headers in map order, names lower-case).
pub fn to_record(r: &BenchRequest) -> nsexpr::corpus::RecordedRequest {
    nsexpr::corpus::RecordedRequest {
        method: r.method.to_owned(),
        target: r.target.to_owned(),
        version: "HTTP/1.1".to_owned(),
        headers: r
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        ..nsexpr::corpus::RecordedRequest::default()
    }
}

/// Classic CONTAINS (D8): ASCII-case-insensitive, `memchr2` on the first needle byte.
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    if hay.len() < needle.len() {
        return false;
    }
    let (lo, up) = (
        needle[0].to_ascii_lowercase(),
        needle[0].to_ascii_uppercase(),
    );
    let last = hay.len() - needle.len();
    let mut start = 0;
    while start <= last {
        let Some(i) = memchr::memchr2(lo, up, &hay[start..=last]) else {
            return false;
        };
        let at = start + i;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return true;
        }
        start = at + 1;
    }
    false
}
