//! Headline comparison: the hand-written floor and peer rule engines over the same requests; then
//! nsexpr's policy-set simulation with 10, 100, 1,000 and 10,000 generated policies.
//!
//! Rule: `REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS`,
//! written in each engine's own language (see `performance.md` sections 1 and 6).
//!
//! * `floor`: monomorphic closure with NetScaler semantics (last header instance, ASCII
//!   case-insensitive CONTAINS through `memchr2` + `eq_ignore_ascii_case`), in the written order;
//!   `floor_cheapest_first`: the same with the presence test first, as nsexpr evaluates it.
//! * `wirefilter_bind_execute` / `wirefilter_execute_only`: `wirefilter-engine` 0.6.1, fields set by
//!   name per request, or contexts bound before timing.
//! * `cel`: `cel` 0.15 with a borrowing `VariableResolver`.
//!
//! The peers run their native case-sensitive `contains` on `Worx` and read the first header
//! instance; the generator emits one `User-Agent` per request and only `Worx` in that spelling, so
//! every engine must agree on the match count, which is asserted before timing.
//!
//! Adding an engine of the shape `|h: &http::HeaderMap| -> bool` (nsexpr's compiled program, for
//! one) is one more entry in [`closure_engines`]; it is then checked and timed like the others.

#[path = "../../common/mod.rs"]
mod common;

use common::contains_ci;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::header::{
    ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH,
    CONTENT_TYPE, COOKIE, HOST, REFERER, USER_AGENT,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile, RecordedRequest, generate_policy_config};
use nsexpr::sim::{SimOptions, Simulator};
use nsexpr::{SetScratch, Verdict};

/// Requests per iteration (`Throughput::Elements`).
const N_REQUESTS: usize = 1024;
/// Seed of the request generator.
const SEED: u64 = 0x6e73_6578_7072_0001;

const X_CITRIX_GATEWAY: &str = "x-citrix-gateway";
const X_CITRIX_IS_USING_HTTPS: &str = "x-citrix-isusinghttps";

// ---------------------------------------------------------------------------------------------
// Request generator
// ---------------------------------------------------------------------------------------------

/// Desktop browsers (Receiver for Web): public, `clients.md` 2.1.
const UA_DESKTOP: &[&str] = &[
    "Mozilla/5.0 (Windows NT 6.2; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0",
    "Mozilla/5.0 (Windows NT 6.3; WOW64; rv:26.0) Gecko/20100101 Firefox/26.0",
    "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.3;WOW64; Trident/7.0; .NET4.0E; .NET4.0C; .NET CLR3.5.30729; .NET CLR 2.0.50727; .NET CLR 3.0.30729; InfoPath.3)",
];
/// Workspace app for iOS: public.
const UA_IOS_WORKSPACE: &[&str] = &[
    "CitrixReceiver/21.5.1 iOS/14.5.1 CitrixReceiver-iPhone X1Class CWACapable 302RedirectionCapable CFNetwork Darwin",
    "CitrixReceiver/21.5.1 iOS/14.5.1 CitrixReceiver-iPad X1Class CWACapable 302RedirectionCapable CFNetwork Darwin",
];
/// Secure Web (WorxWeb): the first two public, the iPhone 19.1.5 variant synthetic.
const UA_WORXWEB: &[&str] = &[
    "Mozilla/5.0 (iPad; CPU OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 WorxWeb/19.1.5(build 19.1.5.23)  Mobile/16D57 Safari/605.1<tabid-26FE0814-D13D-4710-A6EA-38E7A9B7866D>",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) WorxWeb/18.11.5(build 18.11.5.4) Mobile/16B92 Safari/605.1<tabid-F3D1C4D0-C475-4EFA-AFC9-9E4FA70B94AD>",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) WorxWeb/19.1.5(build 19.1.5.23) Mobile/16B92 Safari/605.1<tabid-0B4D52A7-93C1-4E55-9B0E-2C66A1F0D317>",
];
/// Secure Hub: Android public, iOS synthetic.
const UA_SECURE_HUB: &[&str] = &[
    "CitrixReceiver/com.zenprise build/22.11.0 Android/11 VpnCapable X1Class",
    "CitrixReceiver/com.zenprise build/22.11.0 iOS/16.5 VpnCapable X1Class",
];

const ACCEPT_LANGUAGES: &[&str] = &[
    "en-US,en;q=0.9",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr-FR,fr;q=0.9,en;q=0.6",
    "en-GB",
];

/// Deterministic 64-bit LCG (Knuth's MMIX constants); the high bits are used.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }

    fn below(&mut self, n: usize) -> usize {
        // n is a small pool size; the modulo bias is irrelevant here.
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
}

fn value(s: String) -> HeaderValue {
    HeaderValue::try_from(s).expect("generated header values are visible ASCII")
}

/// `n` logon requests with 10-13 headers each: desktop browsers (3/8), iOS Workspace (2/8),
/// WorxWeb (2/8) and Secure Hub (1/8) UAs; `X-Citrix-Gateway` on about a third, a second `Cookie`
/// on about a quarter.
fn generate(n: usize, seed: u64) -> Vec<HeaderMap> {
    let xcg = HeaderName::from_static(X_CITRIX_GATEWAY);
    let https = HeaderName::from_static(X_CITRIX_IS_USING_HTTPS);
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| {
            let class = rng.below(8);
            let browser = class < 3;
            let ua = match class {
                0..=2 => rng.pick(UA_DESKTOP),
                3 | 4 => rng.pick(UA_IOS_WORKSPACE),
                5 | 6 => rng.pick(UA_WORXWEB),
                _ => rng.pick(UA_SECURE_HUB),
            };
            let mut h = HeaderMap::with_capacity(16);
            h.append(HOST, HeaderValue::from_static("gw.example.com"));
            h.append(USER_AGENT, HeaderValue::from_static(ua));
            h.append(
                ACCEPT,
                HeaderValue::from_static(if browser {
                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
                } else {
                    "application/xml, text/xml, */*; q=0.01"
                }),
            );
            h.append(
                ACCEPT_LANGUAGE,
                HeaderValue::from_static(rng.pick(ACCEPT_LANGUAGES)),
            );
            h.append(
                ACCEPT_ENCODING,
                HeaderValue::from_static("gzip, deflate, br"),
            );
            h.append(CONNECTION, HeaderValue::from_static("keep-alive"));
            h.append(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            h.append(CONTENT_LENGTH, value((40 + rng.below(60)).to_string()));
            h.append(COOKIE, value(format!("NSC_TMAS={:016x}", rng.next())));
            h.append(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            if rng.below(3) == 0 {
                h.append(xcg.clone(), HeaderValue::from_static("gw.example.com"));
            }
            if rng.below(4) == 0 {
                h.append(
                    COOKIE,
                    value(format!(
                        "CtxsDeviceId=WR_{:012x}",
                        rng.next() & 0xffff_ffff_ffff
                    )),
                );
            }
            if browser {
                h.append(
                    REFERER,
                    HeaderValue::from_static("https://gw.example.com/vpn/index.html"),
                );
            } else if rng.below(2) == 0 {
                h.append(https.clone(), HeaderValue::from_static("Yes"));
            }
            h
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Closure-shaped engines: floor, nsexpr, cel
// ---------------------------------------------------------------------------------------------

/// An engine whose per-request work is a closure `&HeaderMap -> bool`. `count` runs it over a
/// batch: one dynamic call per batch, a monomorphic call per request.
struct Engine {
    name: &'static str,
    count: Box<CountMatches>,
}

/// Counts the requests of a batch that match.
type CountMatches = dyn Fn(&[HeaderMap]) -> usize;

fn engine<F>(name: &'static str, matches: F) -> Engine
where
    F: Fn(&HeaderMap) -> bool + 'static,
{
    Engine {
        name,
        count: Box::new(move |reqs| reqs.iter().filter(|h| matches(h)).count()),
    }
}

/// Every closure-shaped engine, the floor first.
fn closure_engines() -> Vec<Engine> {
    vec![
        engine("floor", floor()),
        engine("floor_cheapest_first", floor_cheapest_first()),
        engine("nsexpr", nsexpr_matcher()),
        engine("cel", cel_matcher()),
    ]
}

/// nsexpr: the classic rule compiled once, evaluated on a `HeaderMap` view (binding included).
fn nsexpr_matcher() -> impl Fn(&HeaderMap) -> bool + 'static {
    let program = nsexpr::Program::new(
        "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
    )
    .expect("the headline rule compiles");
    move |h: &HeaderMap| program.is_match(&nsexpr::eval::HeaderMapRequest::headers_only(h))
}

/// The hand-written floor with NetScaler semantics (`performance.md` section 6).
fn floor() -> impl Fn(&HeaderMap) -> bool + 'static {
    let ua = USER_AGENT;
    let xcg = HeaderName::from_static(X_CITRIX_GATEWAY);
    move |h: &HeaderMap| {
        h.get_all(&ua)
            .iter()
            .next_back()
            .is_some_and(|v| contains_ci(v.as_bytes(), b"worx"))
            && h.contains_key(&xcg)
    }
}

/// The floor hand-written with the presence test first, the order nsexpr's compiler evaluates
/// the rule in (cheapest operand first): what evaluation order alone is worth.
fn floor_cheapest_first() -> impl Fn(&HeaderMap) -> bool + 'static {
    let ua = USER_AGENT;
    let xcg = HeaderName::from_static(X_CITRIX_GATEWAY);
    move |h: &HeaderMap| {
        h.contains_key(&xcg)
            && h.get_all(&ua)
                .iter()
                .next_back()
                .is_some_and(|v| contains_ci(v.as_bytes(), b"worx"))
    }
}

mod cel_peer {
    use cel::common::types::{CelBool, CelString};
    use cel::common::value::{CowVal, Val};
    use cel::context::VariableResolver;

    /// Borrows the request's values for one evaluation.
    pub struct Resolver<'a> {
        pub ua: CelString<'a>,
        pub xcg: CelBool,
    }

    impl VariableResolver for Resolver<'_> {
        fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
            let v: &dyn Val = match variable {
                "ua" => &self.ua,
                "xcg" => &self.xcg,
                _ => return None,
            };
            Some(CowVal::Borrowed(v))
        }
    }
}

/// `cel` 0.15: compile once; per request a borrowing resolver and a context sharing the `Env`.
fn cel_matcher() -> impl Fn(&HeaderMap) -> bool + 'static {
    let env = Arc::new(cel::Env::stdlib());
    let program = env
        .compile(r#"ua.contains("Worx") && xcg"#)
        .expect("CEL rule compiles");
    move |h: &HeaderMap| {
        let ua = h
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let resolver = cel_peer::Resolver {
            ua: cel::common::types::CelString::from(ua),
            xcg: cel::common::types::CelBool::from(h.contains_key("x-citrix-gateway")),
        };
        let mut ctx = cel::Context::with_env(env.clone());
        ctx.set_variable_resolver(&resolver);
        program.execute(&ctx).expect("CEL rule evaluates") == cel::Value::Bool(true)
    }
}

// ---------------------------------------------------------------------------------------------
// wirefilter-engine 0.6.1: `Filter<'s>` ties the scheme, the contexts and the header bytes to one
// lifetime, so it runs through these functions rather than as a `'static` closure.
// ---------------------------------------------------------------------------------------------

const WIREFILTER_RULE: &str = r#"http.ua contains "Worx" && http.xcg"#;

fn wirefilter_scheme() -> wirefilter::Scheme {
    wirefilter::Scheme! { http.ua: Bytes, http.xcg: Bool }
}

fn wirefilter_bind<'s>(
    scheme: &'s wirefilter::Scheme,
    h: &'s HeaderMap,
) -> wirefilter::ExecutionContext<'s> {
    let mut ctx = wirefilter::ExecutionContext::new(scheme);
    ctx.set_field_value(
        "http.ua",
        h.get("user-agent").map_or(&b""[..], |v| v.as_bytes()),
    )
    .expect("http.ua is Bytes");
    ctx.set_field_value("http.xcg", h.contains_key("x-citrix-gateway"))
        .expect("http.xcg is Bool");
    ctx
}

fn wirefilter_bind_execute<'s>(
    scheme: &'s wirefilter::Scheme,
    filter: &wirefilter::Filter<'s>,
    reqs: &'s [HeaderMap],
) -> usize {
    reqs.iter()
        .filter(|h| {
            let ctx = wirefilter_bind(scheme, h);
            filter.execute(&ctx).expect("same scheme")
        })
        .count()
}

fn wirefilter_execute_only<'s>(
    filter: &wirefilter::Filter<'s>,
    contexts: &[wirefilter::ExecutionContext<'s>],
) -> usize {
    contexts
        .iter()
        .filter(|ctx| filter.execute(ctx).expect("same scheme"))
        .count()
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

fn headline(c: &mut Criterion) {
    headline_on(c, "headline", &generate(N_REQUESTS, SEED));
    // The same engines on the shared Gateway-shaped corpus (`common::gateway_traffic`).
    let traffic: Vec<HeaderMap> = common::gateway_traffic(N_REQUESTS)
        .into_iter()
        .map(|r| r.headers)
        .collect();
    headline_on(c, "headline_gateway_traffic", &traffic);
}

fn headline_on(c: &mut Criterion, group_name: &str, reqs: &[HeaderMap]) {
    let engines = closure_engines();
    let scheme = wirefilter_scheme();
    let filter = scheme
        .parse(WIREFILTER_RULE)
        .expect("wirefilter rule parses")
        .compile();
    let contexts: Vec<_> = reqs.iter().map(|h| wirefilter_bind(&scheme, h)).collect();

    // Every engine must agree before anything is timed.
    let expected = (engines[0].count)(reqs);
    assert!(
        expected > 0 && expected < reqs.len(),
        "the corpus must contain matches and non-matches, got {expected}/{}",
        reqs.len()
    );
    for e in &engines {
        assert_eq!((e.count)(reqs), expected, "{} match count", e.name);
    }
    assert_eq!(
        wirefilter_bind_execute(&scheme, &filter, reqs),
        expected,
        "wirefilter_bind_execute match count"
    );
    assert_eq!(
        wirefilter_execute_only(&filter, &contexts),
        expected,
        "wirefilter_execute_only match count"
    );
    eprintln!(
        "{group_name}: {} requests, {expected} matches in every engine",
        reqs.len()
    );

    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Elements(reqs.len() as u64));
    // The floor first, then wirefilter, then the other closure-shaped engines.
    let (floor, others) = engines.split_at(1);
    for e in floor {
        group.bench_function(e.name, |b| b.iter(|| (e.count)(black_box(reqs))));
    }
    group.bench_function("wirefilter_bind_execute", |b| {
        b.iter(|| wirefilter_bind_execute(&scheme, &filter, black_box(reqs)))
    });
    group.bench_function("wirefilter_execute_only", |b| {
        b.iter(|| wirefilter_execute_only(&filter, black_box(&contexts)))
    });
    for e in others {
        group.bench_function(e.name, |b| b.iter(|| (e.count)(black_box(reqs))));
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Policy-set scaling
// ---------------------------------------------------------------------------------------------

/// Policy-set scaling: the simulator with 10 to 10,000 generated session policies
/// (`nsexpr::corpus::generate_policy_config`) over one generated Gateway corpus; the sparse path
/// is checked against evaluating every policy first.
fn scaling(c: &mut Criterion) {
    let generator = Generator::new(Profile::gateway_typical().expect("default profile"), 7);
    let requests: Vec<RecordedRequest> = (0..2_000).map(|i| generator.request(i)).collect();
    let mut group = c.benchmark_group("scaling");
    group.throughput(Throughput::Elements(requests.len() as u64));
    for count in [10usize, 100, 1_000, 10_000] {
        let text = generate_policy_config(count, 1);
        let read = Config::read(&text, "generated.conf");
        assert!(read.errors.is_empty(), "{:?}", read.errors.first());
        let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
        // The sparse path must agree with evaluating every policy.
        let (mut scratch, mut sparse) = (SetScratch::default(), Vec::new());
        let (mut dense_scratch, mut dense) = (Vec::new(), Vec::new());
        let mut hits = 0usize;
        for r in requests.iter().take(200) {
            sim.evaluate(r, &mut dense_scratch, &mut dense);
            sim.evaluate_sparse(r, &mut scratch, &mut sparse);
            let expected: Vec<(usize, Verdict)> = dense
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| *v != Verdict::False)
                .collect();
            assert_eq!(sparse, expected, "{count} policies");
            hits += sparse.len();
        }
        assert!(hits > 0);
        group.bench_with_input(BenchmarkId::new("policies", count), &count, |b, _| {
            b.iter(|| {
                let mut applied = 0usize;
                for r in &requests {
                    sim.evaluate_sparse(black_box(r), &mut scratch, &mut sparse);
                    applied += sparse.len();
                }
                applied
            })
        });
    }
    group.finish();
}

criterion_group!(benches, headline, scaling);
criterion_main!(benches);
