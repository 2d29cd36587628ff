//! `bench`: time policy matching alone over a corpus loaded into memory first.
//!
//! Loading is timed on its own; the timed passes then run the path `nsexpr run` uses
//! ([`Simulator::evaluate_sparse`]) over in-memory records, so the figure is matching only. A
//! second config (`--compare`) runs over the same records and the requests whose applied policy
//! sets differ are listed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nsexpr::corpus::{Loader, RecordedRequest};
use nsexpr::sim::Simulator;
use nsexpr::{Context, NamedExpressions, Program, SetScratch, Verdict};
use serde::Serialize;

use super::args::{BenchArgs, Format};
use super::run::open_corpus;
use super::simulate::{print_warnings, simulator};
use super::{Failure, compile_options, display_path, is_json, print_json, print_out};

/// Sample record numbers kept per applied set and for differing records.
const SAMPLES: usize = 5;

/// A corpus record ready to evaluate.
struct Loaded {
    request: RecordedRequest,
    context: Option<Context>,
}

/// The corpus as loaded (also its JSON shape).
#[derive(Debug, Serialize)]
struct CorpusLoad {
    path: String,
    format: &'static str,
    records: usize,
    malformed: u64,
    load_seconds: f64,
    records_per_second: f64,
}

/// Per-request latency over one pass, timer overhead included.
#[derive(Debug, Serialize)]
struct Latency {
    p50_ns: u64,
    p99_ns: u64,
    max_ns: u64,
}

/// One policy evaluated on its own.
#[derive(Debug, Serialize)]
struct PolicyFigures {
    name: String,
    /// `None` when the rule does not compile on its own (the simulator reports it unknown).
    ns_per_evaluation: Option<f64>,
    hit_rate: f64,
    unknown_rate: f64,
}

/// Requests that got the same policies applied.
#[derive(Debug, Serialize)]
struct AppliedSet {
    policies: Vec<String>,
    requests: u64,
    share: f64,
    /// 1-based record numbers (in load order) of the first requests that got it.
    samples: Vec<usize>,
}

/// The figures of one config.
#[derive(Debug, Serialize)]
struct ConfigFigures {
    config: String,
    vserver: String,
    ns_per_request: f64,
    best_pass_ns_per_request: f64,
    requests_per_second: f64,
    latency: Latency,
    unknown_share: f64,
    policies: Vec<PolicyFigures>,
    applied_sets: Vec<AppliedSet>,
}

/// A request whose applied sets differ between the two configs.
#[derive(Debug, Serialize)]
struct Difference {
    record: usize,
    applied: [Vec<String>; 2],
}

/// Requests whose applied sets differ.
#[derive(Debug, Serialize)]
struct Differences {
    requests: u64,
    samples: Vec<Difference>,
}

/// The whole report (JSON shape).
#[derive(Debug, Serialize)]
struct BenchReport {
    corpus: CorpusLoad,
    passes: u32,
    configs: Vec<ConfigFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    differences: Option<Differences>,
}

/// `nsexpr bench`.
pub fn bench(args: &BenchArgs, format: Format) -> Result<ExitCode, Failure> {
    let mut configs = vec![args.config.as_path()];
    configs.extend(args.compare.as_deref());
    let mut sims = Vec::new();
    for config in &configs {
        let (read, sim) = simulator(config, args.vserver.as_deref(), args.header_instance, false)?;
        print_warnings(&display_path(config), sim.warnings());
        let programs = policy_programs(&read.config, &sim, args);
        sims.push((config, sim, programs));
    }
    let (records, corpus) = load(args)?;
    if records.is_empty() {
        return Err(Failure(format!(
            "{}: no record could be read",
            display_path(&args.corpus)
        )));
    }
    let passes = args.passes.max(1);
    let mut figures = Vec::new();
    let mut applied_per_config = Vec::new();
    for (config, sim, programs) in &sims {
        let (figure, applied) = measure(config, sim, programs, &records, passes);
        figures.push(figure);
        applied_per_config.push(applied);
    }
    let differences = match applied_per_config.as_slice() {
        [first, second] => Some(differences(first, second)),
        _ => None,
    };
    let report = BenchReport {
        corpus,
        passes,
        configs: figures,
        differences,
    };
    if is_json(format) {
        print_json(&report)?;
    } else {
        print_out(&report_text(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Each policy's rule compiled on its own, in `policy_names` order (`None`: it does not compile
/// alone, for example an advanced rule).
fn policy_programs(
    config: &nsexpr::config::Config,
    sim: &Simulator,
    args: &BenchArgs,
) -> Vec<Option<Program>> {
    let mut names = NamedExpressions::new();
    for (name, text) in config.named_expressions() {
        names.define(name, &text.text);
    }
    let instance = compile_options(args.header_instance).header_instance;
    sim.policy_names()
        .map(|name| {
            let policy = config.session_policies().iter().find(|p| p.name == name)?;
            Program::builder()
                .names(&names)
                .header_instance(instance)
                .build(&policy.rule.text)
                .ok()
        })
        .collect()
}

/// Loads every record into memory, with a progress bar on a terminal.
fn load(args: &BenchArgs) -> Result<(Vec<Loaded>, CorpusLoad), Failure> {
    let start = Instant::now();
    let (reader, format) = open_corpus(&args.corpus, args.format_in)?;
    let loader =
        Loader::from_reader(reader, Some(format)).map_err(|e| Failure::file(&args.corpus, e))?;
    let bar = io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} loading: {pos} records ({per_sec}) {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut records = Vec::new();
    let mut malformed = 0u64;
    for item in loader {
        match item {
            Ok(mut request) => {
                let context = request.context.take().map(|c| c.to_context());
                records.push(Loaded { request, context });
            }
            Err(_) => malformed += 1,
        }
        if let Some(bar) = &bar
            && records.len().is_multiple_of(4096)
        {
            bar.set_position(records.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let seconds = start.elapsed().as_secs_f64();
    let corpus = CorpusLoad {
        path: display_path(&args.corpus),
        format: format.name(),
        records: records.len(),
        malformed,
        load_seconds: seconds,
        records_per_second: per_second(records.len() as u64, seconds),
    };
    Ok((records, corpus))
}

fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// Evaluates one record through the simulator's fast path.
#[inline]
fn evaluate(
    sim: &Simulator,
    record: &Loaded,
    scratch: &mut SetScratch,
    out: &mut Vec<(usize, Verdict)>,
) {
    match &record.context {
        Some(context) => sim.evaluate_sparse_with(&record.request, context, scratch, out),
        None => sim.evaluate_sparse(&record.request, scratch, out),
    }
}

/// Times one config over the records; also returns each record's applied policies.
fn measure(
    config: &Path,
    sim: &Simulator,
    programs: &[Option<Program>],
    records: &[Loaded],
    passes: u32,
) -> (ConfigFigures, Vec<Vec<String>>) {
    let mut scratch = SetScratch::default();
    let mut out = Vec::new();
    // Hit counts and the unknown share, from one untimed pass (also a warm-up).
    let names: Vec<String> = sim.policy_names().map(str::to_owned).collect();
    let mut hits = vec![(0u64, 0u64); names.len()];
    let mut with_unknown = 0u64;
    for record in records {
        evaluate(sim, record, &mut scratch, &mut out);
        let mut unknown = false;
        for &(policy, verdict) in &out {
            if let Some(count) = hits.get_mut(policy) {
                match verdict {
                    Verdict::True => count.0 += 1,
                    Verdict::Unknown | Verdict::Undef => {
                        count.1 += 1;
                        unknown = true;
                    }
                    Verdict::False => {}
                }
            }
        }
        with_unknown += u64::from(unknown);
    }
    // Timed passes: matching only.
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for _ in 0..passes {
        let start = Instant::now();
        for record in records {
            evaluate(sim, black_box(record), &mut scratch, &mut out);
            black_box(&out);
        }
        let took = start.elapsed();
        total += took;
        best = best.min(took);
    }
    let n = records.len() as f64;
    let ns_per_request = total.as_nanos() as f64 / (n * f64::from(passes));
    // Per-request latency: one more pass with a clock read around every request.
    let mut latencies: Vec<u64> = records
        .iter()
        .map(|record| {
            let start = Instant::now();
            evaluate(sim, black_box(record), &mut scratch, &mut out);
            u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
        })
        .collect();
    latencies.sort_unstable();
    let latency = Latency {
        p50_ns: percentile(&latencies, 50),
        p99_ns: percentile(&latencies, 99),
        max_ns: latencies.last().copied().unwrap_or(0),
    };
    let policies = names
        .iter()
        .zip(programs)
        .zip(&hits)
        .map(|((name, program), &(true_count, unknown))| PolicyFigures {
            name: name.clone(),
            ns_per_evaluation: program.as_ref().map(|p| time_program(p, records, passes)),
            hit_rate: true_count as f64 / n,
            unknown_rate: unknown as f64 / n,
        })
        .collect();
    // Applied sets, through the full simulation (untimed).
    let mut applied = Vec::with_capacity(records.len());
    let mut sets: BTreeMap<Vec<String>, (u64, Vec<usize>)> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        let report = match &record.context {
            Some(context) => sim.simulate_with(&record.request, context),
            None => sim.simulate(&record.request),
        };
        let entry = sets.entry(report.applied.clone()).or_default();
        entry.0 += 1;
        if entry.1.len() < SAMPLES {
            entry.1.push(i + 1);
        }
        applied.push(report.applied);
    }
    let mut applied_sets: Vec<AppliedSet> = sets
        .into_iter()
        .map(|(policies, (requests, samples))| AppliedSet {
            policies,
            requests,
            share: requests as f64 / n,
            samples,
        })
        .collect();
    applied_sets.sort_by_key(|set| std::cmp::Reverse(set.requests));
    let figures = ConfigFigures {
        config: display_path(config),
        vserver: sim.vserver().to_owned(),
        ns_per_request,
        best_pass_ns_per_request: best.as_nanos() as f64 / n,
        requests_per_second: if ns_per_request > 0.0 {
            1e9 / ns_per_request
        } else {
            0.0
        },
        latency,
        unknown_share: with_unknown as f64 / n,
        policies,
        applied_sets,
    };
    (figures, applied)
}

/// Mean ns per evaluation of one rule over `passes` passes.
fn time_program(program: &Program, records: &[Loaded], passes: u32) -> f64 {
    let empty = Context::default();
    let start = Instant::now();
    for _ in 0..passes {
        for record in records {
            let context = record.context.as_ref().unwrap_or(&empty);
            black_box(program.eval_with(black_box(&record.request), context));
        }
    }
    start.elapsed().as_nanos() as f64 / (records.len() as f64 * f64::from(passes))
}

/// The `pct`-th percentile of sorted values (nearest rank).
fn percentile(sorted: &[u64], pct: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted.get(rank - 1).copied().unwrap_or(0)
}

fn differences(first: &[Vec<String>], second: &[Vec<String>]) -> Differences {
    let mut requests = 0;
    let mut samples = Vec::new();
    for (i, (a, b)) in first.iter().zip(second).enumerate() {
        if a != b {
            requests += 1;
            if samples.len() < SAMPLES {
                samples.push(Difference {
                    record: i + 1,
                    applied: [a.clone(), b.clone()],
                });
            }
        }
    }
    Differences { requests, samples }
}

fn set_text(policies: &[String]) -> String {
    if policies.is_empty() {
        "(none)".to_owned()
    } else {
        policies.join(", ")
    }
}

fn report_text(r: &BenchReport) -> String {
    let c = &r.corpus;
    let mut out = format!(
        "corpus {} ({}): {} records, {} malformed, loaded in {:.3} s ({:.0} records/s)\n",
        c.path, c.format, c.records, c.malformed, c.load_seconds, c.records_per_second
    );
    let _ = writeln!(out, "matching only, {} passes", r.passes);
    let labels: Vec<String> = r
        .configs
        .iter()
        .map(|f| format!("{} ({})", f.config, f.vserver))
        .collect();
    let width = 24;
    let col = labels.iter().map(String::len).max().unwrap_or(0).max(12);
    let row = |out: &mut String, label: &str, values: Vec<String>| {
        let _ = write!(out, "{label:<width$}");
        for v in values {
            let _ = write!(out, "  {v:>col$}");
        }
        out.push('\n');
    };
    row(&mut out, "", labels.clone());
    let each = |f: &dyn Fn(&ConfigFigures) -> String| r.configs.iter().map(f).collect();
    row(
        &mut out,
        "ns per request",
        each(&|f| format!("{:.1}", f.ns_per_request)),
    );
    row(
        &mut out,
        "best pass ns per request",
        each(&|f| format!("{:.1}", f.best_pass_ns_per_request)),
    );
    row(
        &mut out,
        "requests per second",
        each(&|f| format!("{:.0}", f.requests_per_second)),
    );
    row(
        &mut out,
        "latency p50 / p99 / max",
        each(&|f| {
            format!(
                "{} / {} / {} ns",
                f.latency.p50_ns, f.latency.p99_ns, f.latency.max_ns
            )
        }),
    );
    row(
        &mut out,
        "requests with unknown",
        each(&|f| format!("{:.2} %", f.unknown_share * 100.0)),
    );
    for f in &r.configs {
        let _ = writeln!(out, "\n{} ({})", f.config, f.vserver);
        let name_width = f
            .policies
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(0)
            .max("policy".len());
        let _ = writeln!(
            out,
            "  {:<name_width$}  {:>10}  {:>8}  {:>8}",
            "policy", "ns/eval", "true", "unknown"
        );
        for p in &f.policies {
            let ns = p
                .ns_per_evaluation
                .map_or_else(|| "-".to_owned(), |ns| format!("{ns:.1}"));
            let _ = writeln!(
                out,
                "  {:<name_width$}  {:>10}  {:>7.2}%  {:>7.2}%",
                p.name,
                ns,
                p.hit_rate * 100.0,
                p.unknown_rate * 100.0
            );
        }
        let _ = writeln!(out, "  applied policy sets:");
        for set in &f.applied_sets {
            let samples: Vec<String> = set.samples.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "  {:>7.2}%  {:>8}  {}  (records {})",
                set.share * 100.0,
                set.requests,
                set_text(&set.policies),
                samples.join(", ")
            );
        }
    }
    if let Some(d) = &r.differences {
        let _ = writeln!(out, "\napplied sets differ on {} requests", d.requests);
        for s in &d.samples {
            let _ = writeln!(
                out,
                "  record {}: {} | {}",
                s.record,
                set_text(&s.applied[0]),
                set_text(&s.applied[1])
            );
        }
    }
    out
}
