//! Simulation speed per example config: every session policy of the vserver evaluated on each
//! request of a generated Gateway corpus (the `nsexpr run` fast path), in ns per request, once over
//! the corpus records (list view) and once over the same requests as `http::HeaderMap`s; then over
//! the Gateway-shaped bench corpus (`common::gateway_traffic`) as records.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderName, HeaderValue};
use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile, RecordedRequest};
use nsexpr::eval::HeaderMapRequest;
use nsexpr::sim::{SimOptions, Simulator};
use std::hint::black_box;

const CONFIGS: &[&str] = &[
    "storefront-wizard.conf",
    "ns101-wizard.conf",
    "ctx139319.conf",
    "bootstrap-bound.conf",
    "stalhood.conf",
    "xenmobile.conf",
];

fn bench(c: &mut Criterion) {
    let generator = Generator::new(Profile::gateway_typical().expect("default profile"), 1);
    let requests: Vec<RecordedRequest> = (0..2_000).map(|i| generator.request(i)).collect();
    // The same requests as `http::HeaderMap`s (names hashed once, at conversion).
    let maps: Vec<(String, String, HeaderMap)> = requests
        .iter()
        .map(|r| {
            let mut map = HeaderMap::new();
            for (name, value) in &r.headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_bytes(value),
                ) {
                    map.append(n, v);
                }
            }
            (r.method.clone(), r.target.clone(), map)
        })
        .collect();
    let traffic: Vec<RecordedRequest> = common::gateway_traffic(2_000)
        .iter()
        .map(common::to_record)
        .collect();
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(requests.len() as u64));
    for file in CONFIGS {
        let text = std::fs::read_to_string(format!("corpus/configs/{file}")).expect("config");
        let read = Config::read(&text, file);
        let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        group.bench_function(format!("{file}/records"), |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for r in &requests {
                    sim.evaluate(black_box(r), &mut scratch, &mut out);
                    hits += out.iter().filter(|v| **v == nsexpr::Verdict::True).count();
                }
                hits
            })
        });
        group.bench_function(format!("{file}/gateway_traffic"), |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for r in &traffic {
                    sim.evaluate(black_box(r), &mut scratch, &mut out);
                    hits += out.iter().filter(|v| **v == nsexpr::Verdict::True).count();
                }
                hits
            })
        });
        group.bench_function(format!("{file}/headermap"), |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for (method, target, headers) in &maps {
                    let view = HeaderMapRequest {
                        method: method.as_bytes(),
                        target: target.as_bytes(),
                        headers,
                    };
                    sim.evaluate(black_box(&view), &mut scratch, &mut out);
                    hits += out.iter().filter(|v| **v == nsexpr::Verdict::True).count();
                }
                hits
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
