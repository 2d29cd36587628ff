//! Corpus formats and sniffing (docs/semantics.md#corpus-formats).

use std::fmt;
use std::str::FromStr;

use super::CorpusError;

/// The input formats a [`Loader`](super::Loader) reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorpusFormat {
    /// Native JSON Lines (5.1). Names: `jsonl`, `ndjson`.
    Jsonl,
    /// HAR 1.2 (5.2). Name: `har`.
    Har,
    /// Raw HTTP/1.1 request dumps (5.3). Names: `raw`, `http`, `raw-http`.
    RawHttp,
    /// Apache / nginx combined access logs (5.4). Names: `combined`, `clf`, `access-log`.
    CombinedLog,
}

impl CorpusFormat {
    /// Guesses the format from the first bytes of a file: `{"log":` is HAR, another `{` is JSONL,
    /// `METHOD /... HTTP/` is raw HTTP, and `host ident user [` is a combined log. A UTF-8 byte order
    /// mark and leading whitespace are skipped. `None` when nothing matches.
    pub fn sniff(first_bytes: &[u8]) -> Option<CorpusFormat> {
        let b = first_bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(first_bytes);
        let b = trim_start(b);
        if let Some(rest) = b.strip_prefix(b"{") {
            let rest = trim_start(rest);
            if rest.starts_with(b"\"log\"") {
                return Some(CorpusFormat::Har);
            }
            return Some(CorpusFormat::Jsonl);
        }
        let line = b.split(|&c| c == b'\n').next().unwrap_or_default();
        if looks_like_request_line(line) {
            return Some(CorpusFormat::RawHttp);
        }
        if looks_like_combined(line) {
            return Some(CorpusFormat::CombinedLog);
        }
        None
    }

    /// The canonical name (`jsonl`, `har`, `raw`, `combined`).
    pub fn name(self) -> &'static str {
        match self {
            CorpusFormat::Jsonl => "jsonl",
            CorpusFormat::Har => "har",
            CorpusFormat::RawHttp => "raw",
            CorpusFormat::CombinedLog => "combined",
        }
    }
}

fn trim_start(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// `TOKEN SP target SP HTTP/`
fn looks_like_request_line(line: &[u8]) -> bool {
    let mut parts = line.splitn(3, |&c| c == b' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !method.is_empty()
        && method.iter().all(u8::is_ascii_uppercase)
        && !target.is_empty()
        && version.starts_with(b"HTTP/")
}

/// Three non-blank fields, then `[`.
fn looks_like_combined(line: &[u8]) -> bool {
    let mut parts = line.splitn(4, |&c| c == b' ');
    let fields = [parts.next(), parts.next(), parts.next()];
    fields.iter().all(|f| f.is_some_and(|f| !f.is_empty()))
        && parts.next().is_some_and(|rest| rest.starts_with(b"["))
}

impl FromStr for CorpusFormat {
    type Err = CorpusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Ok(CorpusFormat::Jsonl),
            "har" => Ok(CorpusFormat::Har),
            "raw" | "http" | "raw-http" => Ok(CorpusFormat::RawHttp),
            "combined" | "clf" | "access-log" => Ok(CorpusFormat::CombinedLog),
            _ => Err(CorpusError::FormatName(s.to_string())),
        }
    }
}

impl fmt::Display for CorpusFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
