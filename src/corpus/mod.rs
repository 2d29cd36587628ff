//! Request corpora: recorded or generated HTTP requests that feed tests and benchmarks.
//!
//! Every input format is normalised to one [`RecordedRequest`] (docs/semantics.md#corpus-formats): the request
//! line, the headers in wire order with duplicates and name casing kept, optional D13 context
//! ([`RecordedContext`]), free labels and a `partial` flag.
//!
//! * Loading: [`open`] or [`Loader::from_reader`] stream records from native JSON Lines (5.1), HAR 1.2
//!   (5.2), raw HTTP/1.1 dumps (5.3) or combined access logs (5.4), in memory bounded by the largest
//!   record. The format is sniffed from the first bytes (5.6, [`CorpusFormat::sniff`]) unless given.
//!   A malformed record yields a [`RecordError`] and iteration continues; [`Loader::stats`] counts both.
//!   Compressed files are not decoded here: pipe them through `zstd -dc` / `gzip -dc` into
//!   [`Loader::from_reader`].
//! * Replaying at line rate: [`BorrowedRecord::read_line`] views one JSONL line in place
//!   (no allocation for a typical record), for callers that split a corpus into lines themselves.
//! * Writing: [`write_jsonl`] writes one record as one native JSONL line with a stable field order.
//! * Generating: [`Generator`] builds a deterministic synthetic gateway-traffic corpus from a
//!   [`Profile`] and a seed (docs/semantics.md#generator); the same seed, profile and generator version give the same bytes.

mod borrowed;
mod clf;
mod format;
mod generator;
mod har;
mod jsonl;
mod lines;
mod raw;
mod record;
mod scan;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

mod view;

pub use borrowed::{BorrowedRecord, JsonlLine};
pub use format::CorpusFormat;
pub use generator::{GENERATOR_VERSION, Generator, Profile, generate_policy_config};
pub use jsonl::{CorpusHeader, write_jsonl};
pub use record::{ClientCert, RecordedContext, RecordedRequest, TlsInfo};

/// An error that stops a corpus from being opened or a profile from being used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorpusError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Reading from a caller-supplied reader failed before the first record.
    #[error("reading the corpus: {0}")]
    Read(#[from] io::Error),
    /// No format was given and the first bytes match none (spec 5.6).
    #[error("cannot tell the corpus format from its first bytes; pass the format explicitly")]
    UnknownFormat,
    /// A format name given as text is not one of `jsonl`, `har`, `raw`, `combined`.
    #[error("unknown corpus format {0:?} (expected jsonl, har, raw or combined)")]
    FormatName(String),
    /// A generator profile is not valid TOML or names something the generator does not know.
    #[error("generator profile: {0}")]
    Profile(String),
}

/// One malformed record: where it is and what is wrong. Iteration continues after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record at {line_or_entry}: {message}")]
pub struct RecordError {
    /// 1-based line number for JSONL, raw HTTP (the request line) and access logs; 0-based index into
    /// `log.entries` for HAR.
    pub line_or_entry: usize,
    /// What is wrong.
    pub message: String,
}

/// Counts of what a [`Loader`] has produced so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Records yielded as `Ok`.
    pub records: u64,
    /// Records yielded as `Err` (malformed, skipped by the caller).
    pub malformed: u64,
}

/// A streaming iterator over the records of one corpus.
///
/// Yields `Ok(record)` for each usable record and `Err(RecordError)` for each malformed one; nothing is
/// dropped silently. Memory stays bounded by the largest single record (HAR: the largest entry).
pub struct Loader {
    format: CorpusFormat,
    inner: Inner,
    stats: LoadStats,
}

enum Inner {
    Jsonl(jsonl::JsonlReader<Box<dyn BufRead>>),
    Har(har::HarReader<Box<dyn BufRead>>),
    Raw(raw::RawReader<Box<dyn BufRead>>),
    Combined(clf::CombinedReader<Box<dyn BufRead>>),
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("format", &self.format)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Opens a corpus file, sniffing its format from the first bytes unless `format` is given.
pub fn open(path: impl AsRef<Path>, format: Option<CorpusFormat>) -> Result<Loader, CorpusError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = BufReader::with_capacity(64 * 1024, file);
    Loader::from_reader(reader, format).map_err(|e| match e {
        CorpusError::Read(source) => CorpusError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })
}

impl Loader {
    /// Wraps a reader. With `format: None` the format is sniffed from the bytes the reader has buffered
    /// (its first `fill_buf`); a [`BufReader`] over a file holds enough.
    pub fn from_reader<R: BufRead + 'static>(
        mut reader: R,
        format: Option<CorpusFormat>,
    ) -> Result<Loader, CorpusError> {
        let format = match format {
            Some(f) => f,
            None => CorpusFormat::sniff(reader.fill_buf()?).ok_or(CorpusError::UnknownFormat)?,
        };
        let boxed: Box<dyn BufRead> = Box::new(reader);
        let inner = match format {
            CorpusFormat::Jsonl => Inner::Jsonl(jsonl::JsonlReader::new(boxed)),
            CorpusFormat::Har => Inner::Har(har::HarReader::new(boxed)),
            CorpusFormat::RawHttp => Inner::Raw(raw::RawReader::new(boxed)),
            CorpusFormat::CombinedLog => Inner::Combined(clf::CombinedReader::new(boxed)),
        };
        Ok(Loader {
            format,
            inner,
            stats: LoadStats::default(),
        })
    }

    /// The format being read (given or sniffed).
    pub fn format(&self) -> CorpusFormat {
        self.format
    }

    /// Records and malformed records yielded so far.
    pub fn stats(&self) -> LoadStats {
        self.stats
    }

    /// The JSONL file header (`{"nsexpr_corpus":1,...}`), once it has been read; `None` for other
    /// formats and for JSONL files without one.
    pub fn corpus_header(&self) -> Option<&CorpusHeader> {
        match &self.inner {
            Inner::Jsonl(r) => r.header(),
            _ => None,
        }
    }
}

impl Iterator for Loader {
    type Item = Result<RecordedRequest, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match &mut self.inner {
            Inner::Jsonl(r) => r.next(),
            Inner::Har(r) => r.next(),
            Inner::Raw(r) => r.next(),
            Inner::Combined(r) => r.next(),
        }?;
        match item {
            Ok(_) => self.stats.records += 1,
            Err(_) => self.stats.malformed += 1,
        }
        Some(item)
    }
}

/// Turns an I/O error in the middle of a stream into a record error at `at`.
fn io_record_error(at: usize, e: &io::Error) -> RecordError {
    RecordError {
        line_or_entry: at,
        message: format!("read error: {e}"),
    }
}
