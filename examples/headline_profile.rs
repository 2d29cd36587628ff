//! Evaluates one rule over generated `HeaderMap`s in a loop, for profilers:
//! `cargo run --release --example headline_profile`.
#[path = "../benches/common/mod.rs"]
mod common;

use common::contains_ci;
use nsexpr::Program;
use nsexpr::corpus::{Generator, Profile};
use nsexpr::eval::HeaderMapRequest;

fn main() {
    let iterations: u32 = std::env::var("ITER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let rule = std::env::args().nth(1).unwrap_or_else(|| {
        "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS"
            .to_owned()
    });
    let program = Program::new(&rule).expect("rule");
    let generator = Generator::new(Profile::gateway_typical().expect("profile"), 3);
    let maps: Vec<(String, String, http::HeaderMap)> = (0..1_000)
        .map(|i| {
            let r = generator.request(i);
            let mut map = http::HeaderMap::new();
            for (n, v) in &r.headers {
                if let (Ok(n), Ok(v)) = (
                    http::HeaderName::from_bytes(n.as_bytes()),
                    http::HeaderValue::from_bytes(v),
                ) {
                    map.append(n, v);
                }
            }
            (r.method, r.target, map)
        })
        .collect();
    let start = std::time::Instant::now();
    let mut hits = 0usize;
    let ours = if std::env::var_os("FLOOR_ONLY").is_some() {
        0
    } else {
        iterations
    };
    for _ in 0..ours {
        for (m, t, h) in &maps {
            let view = HeaderMapRequest {
                method: m.as_bytes(),
                target: t.as_bytes(),
                headers: h,
            };
            hits += usize::from(program.is_match(&view));
        }
    }
    println!(
        "nsexpr {:.1} ns/request, {hits} hits",
        start.elapsed().as_nanos() as f64 / (iterations as f64 * 1000.0)
    );
    if std::env::args().nth(1).is_none() {
        let xcg = http::HeaderName::from_static("x-citrix-gateway");
        let start = std::time::Instant::now();
        let mut hits = 0usize;
        for _ in 0..iterations {
            for (_, _, h) in &maps {
                let ua = h.get_all(http::header::USER_AGENT).iter().next_back();
                hits += usize::from(
                    ua.is_some_and(|v| contains_ci(v.as_bytes(), b"worx")) && h.contains_key(&xcg),
                );
            }
        }
        println!(
            "floor  {:.1} ns/request, {hits} hits",
            start.elapsed().as_nanos() as f64 / (iterations as f64 * 1000.0)
        );
    }
}
