//! ns.conf reading throughput: lines per second loading a generated 100,000-line config.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nsexpr::config::Config;

#[path = "../tests/common/large_config.rs"]
mod large_config;
use large_config::generate;

fn read_config(c: &mut Criterion) {
    const LINES: usize = 100_000;
    let text = generate(LINES);
    let mut group = c.benchmark_group("config");
    group.throughput(Throughput::Elements(LINES as u64));
    group.sample_size(20);
    group.bench_function("read_100k_lines", |b| {
        b.iter(|| Config::read(black_box(&text), "generated.conf"))
    });
    group.finish();
}

criterion_group!(benches, read_config);
criterion_main!(benches);
