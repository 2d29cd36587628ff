//! Parser throughput: rules per second over every rule of `corpus/expressions/real-world.tsv`,
//! and the headline Gateway rule alone; then compile time over the same corpus, and parse +
//! compile of the headline and of the corpus's median-length rule (the "typical rule" goal).
//! Allocations per parse + compile are counted with an instrumented global allocator and printed
//! before timing (`allocations:` lines, collected by `benches/run.sh`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nsexpr::syntax::{ParseOptions, parse_with};
use nsexpr::{CompileOptions, Expr, NamedExpressions, Program};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and bytes) made by `f`, run once.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, usize) {
    let region = Region::new(GLOBAL);
    black_box(f());
    let stats = region.change();
    (
        stats.allocations + stats.reallocations,
        stats.bytes_allocated,
    )
}

/// The compiling rule of median length (the real-world corpus's typical rule).
fn median_rule<'a>(rules: &[&'a str]) -> &'a str {
    let mut compiling: Vec<&str> = rules
        .iter()
        .copied()
        .filter(|r| Program::new(r).is_ok())
        .collect();
    compiling.sort_by_key(|r| r.len());
    compiling
        .get(compiling.len() / 2)
        .copied()
        .unwrap_or(HEADLINE)
}

const CORPUS: &str = include_str!("../corpus/expressions/real-world.tsv");
const HEADLINE: &str =
    "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS";

fn rules() -> Vec<&'static str> {
    CORPUS
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|r| !r.is_empty())
        .collect()
}

fn bench(c: &mut Criterion) {
    let rules = rules();
    // Value expressions and the deliberately broken row are parsed too (errors are part of the
    // workload); value mode keeps the bare qualifiers on the success path.
    let options = ParseOptions {
        value_mode: true,
        ..ParseOptions::default()
    };
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(rules.len() as u64));
    group.bench_function("real-world corpus", |b| {
        b.iter(|| {
            for rule in &rules {
                let _ = black_box(parse_with(black_box(rule), &options));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("headline rule", |b| {
        b.iter(|| black_box(parse_with(black_box(HEADLINE), &ParseOptions::default())))
    });
    group.finish();

    // Compiling (name resolution with the unverified built-ins, header interning, matchers):
    // every corpus rule that compiles on its own (rules naming user expressions do not).
    let names = NamedExpressions::new();
    let mut compile_options = CompileOptions::default();
    compile_options.unverified_builtins = true;
    let parsed: Vec<(&str, Expr)> = rules
        .iter()
        .filter_map(|r| Some((*r, parse_with(r, &ParseOptions::default()).ok()?.expr)))
        .filter(|(r, e)| Program::compile(e, r, &names, &compile_options).is_ok())
        .collect();
    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Elements(parsed.len() as u64));
    let median = median_rule(&rules);
    for (name, rule) in [("headline", HEADLINE), ("median rule", median)] {
        let (count, bytes) = allocations(|| Program::new(rule));
        println!("allocations: parse+compile {name}: {count} allocations, {bytes} bytes ({rule})");
    }
    group.bench_function("real-world corpus", |b| {
        b.iter(|| {
            for (rule, expr) in &parsed {
                let _ = black_box(Program::compile(expr, rule, &names, &compile_options));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse+compile headline", |b| {
        b.iter(|| black_box(Program::new(black_box(HEADLINE))))
    });
    group.bench_function("parse+compile median rule", |b| {
        b.iter(|| black_box(Program::new(black_box(median))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
