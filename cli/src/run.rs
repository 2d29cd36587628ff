//! `run` (replay a corpus through the simulator's fast path) and `corpus generate`.
//!
//! JSONL corpora are read in large blocks; each block is cut at line ends into one slice per
//! thread, the slices are replayed in parallel over records viewed in place
//! ([`BorrowedRecord`]), and the per-slice tallies are merged in corpus order, so the output is
//! the same whatever the thread count. Other formats stream through the owned [`Loader`].

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nsexpr::corpus::{
    BorrowedRecord, CorpusFormat, Generator, JsonlLine, Loader, Profile, RecordError,
};
use nsexpr::sim::Simulator;
use nsexpr::{SetScratch, Verdict};
use serde::Serialize;

use super::args::{CorpusFormatArg, Format, GenerateArgs, RunArgs};
use super::simulate::{print_warnings, simulator};
use super::{Failure, display_path, is_json, is_stdin, print_json, print_out};

/// How many malformed records are listed with their reason.
const MALFORMED_SHOWN: usize = 5;
/// A run shows a progress bar once it has lasted this long (and stderr is a terminal).
const PROGRESS_AFTER: Duration = Duration::from_millis(500);
/// Bytes of JSONL read per block; each block is split between the threads.
const BLOCK_BYTES: usize = 8 << 20;

/// Hits of one policy over a run.
#[derive(Debug, Serialize)]
struct PolicyHits {
    name: String,
    #[serde(rename = "true")]
    hits: u64,
    unknown: u64,
}

/// A malformed record: where it is and why it was skipped.
#[derive(Debug, Clone, Serialize)]
struct Malformed {
    at: usize,
    reason: String,
}

/// The numbers of a run (also its JSON shape).
#[derive(Debug, Serialize)]
struct RunSummary {
    vserver: String,
    format: &'static str,
    threads: usize,
    requests: u64,
    malformed: u64,
    malformed_at: Vec<usize>,
    malformed_records: Vec<Malformed>,
    seconds: f64,
    requests_per_second: f64,
    policies: Vec<PolicyHits>,
}

/// What a stretch of the corpus produced; tallies of consecutive stretches merge in order.
#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    malformed: u64,
    /// The first [`MALFORMED_SHOWN`] malformed records.
    shown: Vec<Malformed>,
    /// `(true, unknown)` per policy, in `policy_names` order.
    hits: Vec<(u64, u64)>,
    /// Lines seen (JSONL only), so a later stretch's line numbers can be shifted.
    lines: usize,
}

impl Tally {
    fn new(policies: usize) -> Tally {
        Tally {
            hits: vec![(0, 0); policies],
            ..Tally::default()
        }
    }

    fn records(&self) -> u64 {
        self.requests + self.malformed
    }

    fn count(&mut self, verdicts: &[(usize, Verdict)]) {
        self.requests += 1;
        for &(policy, verdict) in verdicts {
            let Some(count) = self.hits.get_mut(policy) else {
                continue;
            };
            match verdict {
                Verdict::True => count.0 += 1,
                Verdict::Unknown | Verdict::Undef => count.1 += 1,
                Verdict::False => {}
            }
        }
    }

    fn skip(&mut self, at: usize, reason: String) {
        self.malformed += 1;
        if self.shown.len() < MALFORMED_SHOWN {
            self.shown.push(Malformed { at, reason });
        }
    }

    /// Appends the tally of the stretch that follows this one.
    fn merge(&mut self, next: Tally) {
        self.requests += next.requests;
        self.malformed += next.malformed;
        let room = MALFORMED_SHOWN.saturating_sub(self.shown.len());
        self.shown
            .extend(next.shown.into_iter().take(room).map(|m| Malformed {
                at: m.at + self.lines,
                reason: m.reason,
            }));
        for (total, add) in self.hits.iter_mut().zip(next.hits) {
            total.0 += add.0;
            total.1 += add.1;
        }
        self.lines += next.lines;
    }
}

pub(crate) fn corpus_format(arg: CorpusFormatArg) -> CorpusFormat {
    match arg {
        CorpusFormatArg::Jsonl => CorpusFormat::Jsonl,
        CorpusFormatArg::Har => CorpusFormat::Har,
        CorpusFormatArg::Raw => CorpusFormat::RawHttp,
        CorpusFormatArg::Log => CorpusFormat::CombinedLog,
    }
}

/// Opens a corpus (a file or `-`) buffered, with its format given or sniffed.
pub fn open_corpus(
    path: &std::path::Path,
    format: Option<CorpusFormatArg>,
) -> Result<(Box<dyn BufRead>, CorpusFormat), Failure> {
    let mut reader: Box<dyn BufRead> = if is_stdin(path) {
        Box::new(BufReader::with_capacity(1 << 16, io::stdin()))
    } else {
        let file = File::open(path).map_err(|e| Failure::file(path, e))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let format = match format {
        Some(f) => corpus_format(f),
        None => {
            let head = reader.fill_buf().map_err(|e| Failure::file(path, e))?;
            CorpusFormat::sniff(head)
                .ok_or_else(|| Failure::file(path, nsexpr::corpus::CorpusError::UnknownFormat))?
        }
    };
    Ok((reader, format))
}

/// Shows the number of records read so far on a terminal, once a run lasts.
struct Progress {
    start: Instant,
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            start: Instant::now(),
            enabled: io::stderr().is_terminal(),
            bar: None,
        }
    }

    fn update(&mut self, seen: u64) {
        if !self.enabled {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_position(seen);
        } else if self.start.elapsed() >= PROGRESS_AFTER {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} records ({per_sec}) {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_position(seen);
            self.bar = Some(bar);
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `nsexpr run`.
pub fn run(args: &RunArgs, format: Format) -> Result<ExitCode, Failure> {
    let (_read, sim) = simulator(
        &args.config,
        args.vserver.as_deref(),
        args.header_instance,
        false,
    )?;
    // Once, before the replay: nothing per record.
    print_warnings(&display_path(&args.config), sim.warnings());
    let (reader, corpus_format) = open_corpus(&args.corpus, args.format_in)?;
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);
    let start = Instant::now();
    let (tally, threads) = match corpus_format {
        CorpusFormat::Jsonl => {
            let tally = replay_jsonl(reader, &sim, threads, args.limit)
                .map_err(|e| Failure::file(&args.corpus, e))?;
            (tally, threads)
        }
        other => {
            let loader = Loader::from_reader(reader, Some(other))
                .map_err(|e| Failure::file(&args.corpus, e))?;
            (replay_loader(loader, &sim, args.limit), 1)
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let summary = RunSummary {
        vserver: sim.vserver().to_owned(),
        format: corpus_format.name(),
        threads,
        requests: tally.requests,
        malformed: tally.malformed,
        malformed_at: tally.shown.iter().map(|m| m.at).collect(),
        malformed_records: tally.shown,
        seconds,
        requests_per_second: if seconds > 0.0 {
            tally.requests as f64 / seconds
        } else {
            0.0
        },
        policies: sim
            .policy_names()
            .zip(tally.hits)
            .map(|(name, (hits, unknown))| PolicyHits {
                name: name.to_owned(),
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
    if summary.requests == 0 {
        return Err(Failure(format!(
            "{}: no record could be read",
            display_path(&args.corpus)
        )));
    }
    Ok(ExitCode::SUCCESS)
}

/// Replays an owned-record stream (HAR, raw HTTP, access logs) on this thread.
fn replay_loader(loader: Loader, sim: &Simulator, limit: Option<u64>) -> Tally {
    let mut tally = Tally::new(sim.policy_names().count());
    let mut scratch = SetScratch::default();
    let mut verdicts = Vec::new();
    let mut progress = Progress::new();
    for item in loader {
        if limit.is_some_and(|limit| tally.records() >= limit) {
            break;
        }
        match item {
            Ok(record) => {
                match record.context.as_ref().map(|c| c.to_context()) {
                    Some(context) => {
                        sim.evaluate_sparse_with(&record, &context, &mut scratch, &mut verdicts);
                    }
                    None => sim.evaluate_sparse(&record, &mut scratch, &mut verdicts),
                }
                tally.count(&verdicts);
            }
            Err(RecordError {
                line_or_entry,
                message,
                ..
            }) => tally.skip(line_or_entry, message),
        }
        if tally.records().is_multiple_of(4096) {
            progress.update(tally.records());
        }
    }
    progress.finish();
    tally
}

/// Replays a JSONL stream block by block, each block split between `threads` threads.
fn replay_jsonl(
    mut reader: Box<dyn BufRead>,
    sim: &Simulator,
    threads: usize,
    limit: Option<u64>,
) -> io::Result<Tally> {
    let policies = sim.policy_names().count();
    let mut total = Tally::new(policies);
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + (1 << 16));
    let mut progress = Progress::new();
    let mut at_end = false;
    while !at_end {
        // Fill the block (after what is left of the previous one) up to its size or the end.
        while block.len() < BLOCK_BYTES {
            let room = BLOCK_BYTES - block.len();
            let read = reader.by_ref().take(room as u64).read_to_end(&mut block)?;
            if read == 0 {
                at_end = true;
                break;
            }
        }
        // Whole lines only, except at the end of the stream.
        let complete = if at_end {
            block.len()
        } else {
            match memchr::memrchr(b'\n', &block) {
                Some(i) => i + 1,
                // One line longer than a block: keep reading it.
                None => continue,
            }
        };
        let (lines, rest) = block.split_at(complete);
        let remaining = limit.map(|limit| limit.saturating_sub(total.records()));
        for part in replay_block(lines, sim, threads, remaining) {
            total.merge(part);
        }
        let done = limit.is_some_and(|limit| total.records() >= limit);
        let rest = rest.to_vec();
        block.clear();
        block.extend_from_slice(&rest);
        progress.update(total.records());
        if done {
            break;
        }
    }
    progress.finish();
    Ok(total)
}

/// The tallies of one block's slices, in order; with a `cap`, the slices together hold at most
/// `cap` records (the slice that crosses it is replayed again, stopping there).
fn replay_block(block: &[u8], sim: &Simulator, threads: usize, cap: Option<u64>) -> Vec<Tally> {
    let slices = split_lines(block, threads.max(1));
    let mut parts: Vec<Tally> = if slices.len() == 1 {
        slices
            .iter()
            .map(|slice| replay_lines(slice, sim, cap))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = slices
                .iter()
                .map(|slice| scope.spawn(move || replay_lines(slice, sim, cap)))
                .collect();
            handles
                .into_iter()
                .map(|h| match h.join() {
                    Ok(tally) => tally,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        })
    };
    if let Some(cap) = cap {
        let mut seen = 0u64;
        for (i, part) in parts.iter_mut().enumerate() {
            if seen + part.records() > cap {
                if let Some(slice) = slices.get(i) {
                    *part = replay_lines(slice, sim, Some(cap - seen));
                }
                parts.truncate(i + 1);
                break;
            }
            seen += part.records();
        }
    }
    parts
}

/// Cuts `block` into at most `n` slices of about equal size, each ending at a line end.
fn split_lines(block: &[u8], n: usize) -> Vec<&[u8]> {
    let mut slices = Vec::with_capacity(n);
    let mut rest = block;
    for left in (1..=n).rev() {
        if rest.is_empty() {
            break;
        }
        let target = rest.len() / left;
        let cut = if left == 1 {
            rest.len()
        } else {
            memchr::memchr(b'\n', rest.get(target..).unwrap_or_default())
                .map_or(rest.len(), |i| target + i + 1)
        };
        let (head, tail) = rest.split_at(cut);
        slices.push(head);
        rest = tail;
    }
    slices
}

/// Replays the lines of one slice (line numbers from 1 within it), stopping after `cap` records.
fn replay_lines(text: &[u8], sim: &Simulator, cap: Option<u64>) -> Tally {
    let mut tally = Tally::new(sim.policy_names().count());
    let mut scratch = SetScratch::default();
    let mut verdicts = Vec::new();
    let mut record = BorrowedRecord::default();
    let mut rest = text;
    while !rest.is_empty() {
        if cap.is_some_and(|cap| tally.records() >= cap) {
            break;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        tally.lines += 1;
        match record.read_line(line) {
            Ok(JsonlLine::Record) => {
                match record.context() {
                    Some(context) => {
                        sim.evaluate_sparse_with(&record, context, &mut scratch, &mut verdicts);
                    }
                    None => sim.evaluate_sparse(&record, &mut scratch, &mut verdicts),
                }
                tally.count(&verdicts);
            }
            Ok(JsonlLine::NotARecord) => {}
            Err(reason) => tally.skip(tally.lines, reason),
        }
    }
    tally
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
    for m in &s.malformed_records {
        let _ = writeln!(out, "  {}: {}", m.at, m.reason);
    }
    let shown = s.malformed_records.len() as u64;
    if s.malformed > shown {
        let _ = writeln!(out, "  ... and {} more", s.malformed - shown);
    }
    let _ = writeln!(
        out,
        "{:.0} requests per second ({:.3} s, {} thread{})",
        s.requests_per_second,
        s.seconds,
        s.threads,
        if s.threads == 1 { "" } else { "s" }
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
