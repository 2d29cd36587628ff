//! Lone leaves against hand-written floors, on both bench corpora: what one EXISTS, one CONTAINS
//! and one `==` cost in nsexpr beyond the work the test itself needs. `BENCHMARKS.md` records the
//! ratios.

mod common;

use common::{BenchRequest, contains_ci, gateway_traffic, requests};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::HeaderName;
use http::header::USER_AGENT;
use nsexpr::Program;
use nsexpr::eval::HeaderMapRequest;
use std::hint::black_box;

type Floor = Box<dyn Fn(&BenchRequest) -> bool>;

fn view(r: &BenchRequest) -> HeaderMapRequest<'_> {
    HeaderMapRequest {
        method: r.method.as_bytes(),
        target: r.target.as_bytes(),
        headers: &r.headers,
    }
}

fn leaves() -> Vec<(&'static str, &'static str, Floor)> {
    let xcg = HeaderName::from_static("x-citrix-gateway");
    vec![
        (
            "exists",
            "REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
            Box::new(move |r: &BenchRequest| r.headers.contains_key(&xcg)),
        ),
        (
            "contains",
            "REQ.HTTP.HEADER User-Agent CONTAINS Worx",
            Box::new(|r: &BenchRequest| {
                r.headers
                    .get_all(USER_AGENT)
                    .iter()
                    .next_back()
                    .is_some_and(|v| contains_ci(v.as_bytes(), b"worx"))
            }),
        ),
        (
            "equals",
            "REQ.HTTP.METHOD == POST",
            Box::new(|r: &BenchRequest| r.method.eq_ignore_ascii_case("POST")),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let corpora = [
        ("long_ua", requests(1000)),
        ("gateway_traffic", gateway_traffic(1000)),
    ];
    for (corpus, reqs) in &corpora {
        let mut group = c.benchmark_group(format!("leaves/{corpus}"));
        group.throughput(Throughput::Elements(reqs.len() as u64));
        for (name, rule, floor) in leaves() {
            let program = Program::new(rule).expect("rule compiles");
            let floor_hits = reqs.iter().filter(|r| floor(r)).count();
            let nsexpr_hits = reqs.iter().filter(|r| program.is_match(&view(r))).count();
            assert_eq!(
                floor_hits, nsexpr_hits,
                "{name} on {corpus}: floor and nsexpr disagree"
            );
            group.bench_function(format!("{name}/floor"), |b| {
                b.iter(|| reqs.iter().filter(|r| floor(black_box(r))).count())
            });
            group.bench_function(format!("{name}/nsexpr"), |b| {
                b.iter(|| {
                    reqs.iter()
                        .filter(|r| program.is_match(&view(black_box(r))))
                        .count()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
