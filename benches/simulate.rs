//! Simulation speed per example config: every session policy of the vserver evaluated on each
//! request of a generated Gateway corpus (the `nsexpr run` fast path), in ns per request.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile, RecordedRequest};
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
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(requests.len() as u64));
    for file in CONFIGS {
        let text = std::fs::read_to_string(format!("corpus/configs/{file}")).expect("config");
        let read = Config::read(&text, file);
        let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        group.bench_function(*file, |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for r in &requests {
                    sim.evaluate(black_box(r), None, &mut scratch, &mut out);
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
