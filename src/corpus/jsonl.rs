//! Native JSON Lines corpora (docs/semantics.md#corpus-formats): reader and writer.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

use super::RecordError;
use super::lines::Lines;
use super::record::{RecordedContext, RecordedRequest};

/// The optional first line of a JSONL corpus: `{"nsexpr_corpus":1,"generator":...}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CorpusHeader {
    /// Format version of the file (1).
    pub nsexpr_corpus: u32,
    /// Generator name and version, for generated files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Generator seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Generator profile name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// SHA-256 (hex) of the generator profile's TOML text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_sha256: Option<String>,
}

/// A header value on the wire: a JSON string, or `{"b64": "..."}` for bytes that are not UTF-8.
/// `S` is `String` when reading and `&str` when writing.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WireValue<S> {
    Text(S),
    Bytes { b64: String },
}

/// Standard base64 (RFC 4648, `+/`) that writes padding and reads it or its absence, ignoring
/// non-zero trailing bits, so hand-edited corpora still load.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl WireValue<String> {
    /// The value's bytes; `None` when the base64 is invalid. ASCII whitespace inside base64 is
    /// ignored (wrapped values).
    fn into_bytes(self) -> Option<Vec<u8>> {
        match self {
            WireValue::Text(text) => Some(text.into_bytes()),
            WireValue::Bytes { b64 } => decode_base64(&b64),
        }
    }
}

/// Decodes a `{"b64": ...}` value; `None` when the base64 is invalid.
pub(crate) fn decode_base64(b64: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = b64.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact).ok()
}

impl<'a> WireValue<&'a str> {
    fn new(value: &'a [u8]) -> Self {
        match std::str::from_utf8(value) {
            Ok(text) => WireValue::Text(text),
            Err(_) => WireValue::Bytes {
                b64: BASE64.encode(value),
            },
        }
    }
}

/// A record as written: fields in the order of the native format, empty ones left out.
#[derive(Serialize)]
struct WireRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    method: &'a str,
    target: &'a str,
    version: &'a str,
    headers: Vec<(&'a str, WireValue<&'a str>)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a RecordedContext>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    partial: bool,
}

/// One line as read: either a header line or a record.
#[derive(Deserialize)]
struct WireLine {
    nsexpr_corpus: Option<u32>,
    generator: Option<String>,
    seed: Option<u64>,
    profile: Option<String>,
    profile_sha256: Option<String>,
    id: Option<String>,
    method: Option<String>,
    target: Option<String>,
    version: Option<String>,
    headers: Option<Vec<(String, WireValue<String>)>>,
    context: Option<RecordedContext>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    partial: bool,
}

/// Streams records from a JSONL corpus, one line at a time.
pub(crate) struct JsonlReader<R> {
    lines: Lines<R>,
    header: Option<CorpusHeader>,
}

impl<R: BufRead> JsonlReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        JsonlReader {
            lines: Lines::new(reader, 1024),
            header: None,
        }
    }

    pub(crate) fn header(&self) -> Option<&CorpusHeader> {
        self.header.as_ref()
    }
}

/// One JSONL line: a record, or `None` for the corpus header line (stored in `header`).
fn parse_line(
    line: &[u8],
    at: usize,
    header: &mut Option<CorpusHeader>,
) -> Option<Result<RecordedRequest, RecordError>> {
    let err = |message: String| {
        Some(Err(RecordError {
            line_or_entry: at,
            message,
        }))
    };
    let w: WireLine = match serde_json::from_slice(line) {
        Ok(w) => w,
        Err(e) => return err(format!("invalid JSON record: {e}")),
    };
    if let Some(v) = w.nsexpr_corpus {
        *header = Some(CorpusHeader {
            nsexpr_corpus: v,
            generator: w.generator,
            seed: w.seed,
            profile: w.profile,
            profile_sha256: w.profile_sha256,
        });
        return None;
    }
    let (Some(method), Some(target), Some(version), Some(headers)) =
        (w.method, w.target, w.version, w.headers)
    else {
        return err("a record needs method, target, version and headers".into());
    };
    let mut decoded = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let Some(bytes) = value.into_bytes() else {
            return err(format!("invalid base64 in the value of header {name:?}"));
        };
        decoded.push((name, bytes));
    }
    Some(Ok(RecordedRequest {
        id: w.id,
        method,
        target,
        version,
        headers: decoded,
        context: w.context,
        labels: w.labels,
        partial: w.partial,
    }))
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<RecordedRequest, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.lines.next_line()? {
                Err(e) => return Some(Err(e)),
                Ok((at, line)) => {
                    if let Some(item) = parse_line(line, at, &mut self.header) {
                        return Some(item);
                    }
                }
            }
        }
    }
}

/// Writes `record` as one native JSONL line (with the trailing `\n`).
///
/// Field order is fixed: `id`, `method`, `target`, `version`, `headers`, `context`, `labels`,
/// `partial`; absent optional fields, empty labels and `partial: false` are omitted. A header value that
/// is not UTF-8 is written as `{"b64":"..."}`. The output reads back to an equal record.
pub fn write_jsonl(record: &RecordedRequest, out: &mut impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(512);
    encode_record(record, &mut buf)?;
    out.write_all(&buf)
}

/// Appends the JSONL line for `record` to `buf`.
pub(crate) fn encode_record(record: &RecordedRequest, buf: &mut Vec<u8>) -> io::Result<()> {
    let wire = WireRecord {
        id: record.id.as_deref(),
        method: &record.method,
        target: &record.target,
        version: &record.version,
        headers: record
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), WireValue::new(value)))
            .collect(),
        context: record.context.as_ref(),
        labels: &record.labels,
        partial: record.partial,
    };
    serde_json::to_writer(&mut *buf, &wire).map_err(io::Error::other)?;
    buf.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_reads_padded_unpadded_and_wrapped() {
        let value = |b64: &str| {
            WireValue::<String>::Bytes {
                b64: b64.to_string(),
            }
            .into_bytes()
        };
        assert_eq!(value("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
        assert_eq!(value("Zm9vYg").as_deref(), Some(&b"foob"[..]));
        assert_eq!(value("Zm9v\r\nYmFy").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(value("Z"), None);
        assert_eq!(value("Zm9v!"), None);
    }

    #[test]
    fn non_utf8_values_are_written_as_base64() {
        let record = RecordedRequest {
            method: "GET".into(),
            target: "/".into(),
            version: "HTTP/1.1".into(),
            headers: vec![
                ("X".into(), vec![0xe9, 0xfc]),
                ("Y".into(), b"a\"b".to_vec()),
            ],
            ..RecordedRequest::default()
        };
        let mut buf = Vec::new();
        assert!(encode_record(&record, &mut buf).is_ok());
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "{\"method\":\"GET\",\"target\":\"/\",\"version\":\"HTTP/1.1\",\"headers\":[[\"X\",{\"b64\":\"6fw=\"}],[\"Y\",\"a\\\"b\"]]}\n"
        );
    }
}
