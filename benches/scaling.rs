//! Policy-set scaling: the simulator's per-request cost with 10, 100, 1,000 and 10,000 generated
//! session policies (`nsexpr::corpus::generate_policy_config`: the CTX139319 wizard set plus
//! specific per-app, per-tenant and per-device rules on shared headers), over the same generated
//! Gateway corpus. The goal: 10 → 10,000 policies costs at most 20× per request.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile, RecordedRequest, generate_policy_config};
use nsexpr::sim::{SimOptions, Simulator};
use nsexpr::{SetScratch, Verdict};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
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
            sim.evaluate(r, None, &mut dense_scratch, &mut dense);
            sim.evaluate_sparse(r, None, &mut scratch, &mut sparse);
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
                    sim.evaluate_sparse(black_box(r), None, &mut scratch, &mut sparse);
                    applied += sparse.len();
                }
                applied
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
