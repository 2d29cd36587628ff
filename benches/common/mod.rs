//! Deterministic Gateway-like requests for the benches: the same 1,000+ requests in every run.
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
