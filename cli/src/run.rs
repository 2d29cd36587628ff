//! `run` (replay a corpus through the simulator's fast path) and `corpus generate`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nsexpr::Verdict;
use nsexpr::corpus::{CorpusFormat, Generator, Loader, Profile};
use serde::Serialize;

use super::args::{CorpusFormatArg, Format, GenerateArgs, HeaderInstanceArg, RunArgs};
use super::simulate::simulator;
use super::{Failure, display_path, is_json, is_stdin, print_json, print_out};

/// How many malformed-record positions are listed.
const MALFORMED_SHOWN: usize = 5;
/// A run shows a progress bar once it has lasted this long (and stderr is a terminal).
const PROGRESS_AFTER: Duration = Duration::from_millis(500);

/// Hits of one policy over a run.
#[derive(Debug, Serialize)]
struct PolicyHits {
    name: String,
    #[serde(rename = "true")]
    hits: u64,
    unknown: u64,
}

/// The numbers of a run (also its JSON shape).
#[derive(Debug, Serialize)]
struct RunSummary {
    vserver: String,
    format: &'static str,
    requests: u64,
    malformed: u64,
    malformed_at: Vec<usize>,
    seconds: f64,
    requests_per_second: f64,
    policies: Vec<PolicyHits>,
}

pub(crate) fn corpus_format(arg: CorpusFormatArg) -> CorpusFormat {
    match arg {
        CorpusFormatArg::Jsonl => CorpusFormat::Jsonl,
        CorpusFormatArg::Har => CorpusFormat::Har,
        CorpusFormatArg::Raw => CorpusFormat::RawHttp,
        CorpusFormatArg::Log => CorpusFormat::CombinedLog,
    }
}

/// `nsexpr run`.
pub fn run(args: &RunArgs, format: Format) -> Result<ExitCode, Failure> {
    let (_read, sim) = simulator(
        &args.config,
        args.vserver.as_deref(),
        HeaderInstanceArg::Last,
        false,
    )?;
    let wanted = args.format_in.map(corpus_format);
    let loader = if is_stdin(&args.corpus) {
        Loader::from_reader(BufReader::new(io::stdin()), wanted)
    } else {
        nsexpr::corpus::open(&args.corpus, wanted)
    }
    .map_err(|e| match e {
        nsexpr::corpus::CorpusError::Io { .. } => Failure(e.to_string()),
        other => Failure(format!("{}: {other}", display_path(&args.corpus))),
    })?;
    let corpus_format = loader.format().name();
    let names: Vec<String> = sim.policy_names().map(str::to_owned).collect();
    let mut hits = vec![(0u64, 0u64); names.len()];
    let mut scratch = nsexpr::SetScratch::default();
    let mut verdicts = Vec::new();
    let mut requests = 0u64;
    let mut malformed = 0u64;
    let mut malformed_at = Vec::new();
    let start = Instant::now();
    let show_progress = io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    for item in loader {
        match item {
            Ok(record) => {
                match record.context.as_ref().map(|c| c.to_context()) {
                    Some(context) => {
                        sim.evaluate_sparse_with(&record, &context, &mut scratch, &mut verdicts);
                    }
                    None => sim.evaluate_sparse(&record, &mut scratch, &mut verdicts),
                }
                for &(policy, verdict) in &verdicts {
                    let Some(count) = hits.get_mut(policy) else {
                        continue;
                    };
                    match verdict {
                        Verdict::True => count.0 += 1,
                        Verdict::Unknown | Verdict::Undef => count.1 += 1,
                        Verdict::False => {}
                    }
                }
                requests += 1;
            }
            Err(e) => {
                malformed += 1;
                if malformed_at.len() < MALFORMED_SHOWN {
                    malformed_at.push(e.line_or_entry);
                }
            }
        }
        let seen = requests + malformed;
        if show_progress && seen.is_multiple_of(4096) {
            if let Some(bar) = &bar {
                bar.set_position(seen);
            } else if start.elapsed() >= PROGRESS_AFTER {
                let new = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                new.set_style(
                    ProgressStyle::with_template("{spinner} {pos} requests ({per_sec}) {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                new.set_position(seen);
                bar = Some(new);
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let seconds = start.elapsed().as_secs_f64();
    let summary = RunSummary {
        vserver: sim.vserver().to_owned(),
        format: corpus_format,
        requests,
        malformed,
        malformed_at,
        seconds,
        requests_per_second: if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        },
        policies: names
            .into_iter()
            .zip(hits)
            .map(|(name, (hits, unknown))| PolicyHits {
                name,
                hits,
                unknown,
            })
            .collect(),
    };
    if is_json(format) {
        print_json(&summary)?;
    } else {
        print_out(&run_text(&summary))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_text(s: &RunSummary) -> String {
    let width = s
        .policies
        .iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("policy".len());
    let mut out = format!("vserver {} ({} corpus)\n", s.vserver, s.format);
    let _ = writeln!(
        out,
        "{:<width$}  {:>10}  {:>10}",
        "policy", "true", "unknown"
    );
    for p in &s.policies {
        let _ = writeln!(out, "{:<width$}  {:>10}  {:>10}", p.name, p.hits, p.unknown);
    }
    let _ = writeln!(out, "requests evaluated: {}", s.requests);
    let _ = write!(out, "malformed records skipped: {}", s.malformed);
    if !s.malformed_at.is_empty() {
        let at: Vec<String> = s.malformed_at.iter().map(ToString::to_string).collect();
        let more = if s.malformed > s.malformed_at.len() as u64 {
            ", ..."
        } else {
            ""
        };
        let _ = write!(out, " (at {}{more})", at.join(", "));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{:.0} requests per second ({:.3} s)",
        s.requests_per_second, s.seconds
    );
    out
}

/// `nsexpr corpus generate`.
pub fn generate(args: &GenerateArgs, format: Format) -> Result<ExitCode, Failure> {
    let profile = match &args.profile {
        Some(path) => Profile::load(path).map_err(|e| Failure::file(path, e))?,
        None => Profile::gateway_typical().map_err(|e| Failure(e.to_string()))?,
    };
    let generator = Generator::new(profile, args.seed);
    match &args.output {
        Some(path) => {
            let file = File::create(path).map_err(|e| Failure::file(path, e))?;
            let mut out = BufWriter::new(file);
            generator
                .write_jsonl(&mut out, args.count)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::file(path, e))?;
            let profile = generator.profile();
            if is_json(format) {
                print_json(&serde_json::json!({
                    "output": path.display().to_string(),
                    "count": args.count,
                    "seed": args.seed,
                    "profile": profile.name(),
                    "profile_sha256": profile.sha256(),
                }))?;
            } else {
                print_out(&format!(
                    "wrote {} requests to {} (profile {}, seed {})\n",
                    args.count,
                    path.display(),
                    profile.name(),
                    args.seed
                ))?;
            }
        }
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            match generator
                .write_jsonl(&mut out, args.count)
                .and_then(|()| out.flush())
            {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(Failure(format!("writing the corpus: {e}"))),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
