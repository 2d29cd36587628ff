//! Native JSON Lines corpora (spec `clients.md` 5.1): reader and writer.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::lines::Lines;
use super::record::{RecordedContext, RecordedRequest};
use super::{RecordError, b64};

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
struct WireValue(Vec<u8>);

impl<'de> Deserialize<'de> for WireValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a string or {"b64": "..."}"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WireValue, E> {
                Ok(WireValue(v.as_bytes().to_vec()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<WireValue, E> {
                Ok(WireValue(v.into_bytes()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireValue, A::Error> {
                let mut value = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "b64" {
                        let text: String = map.next_value()?;
                        let bytes = b64::decode(&text)
                            .ok_or_else(|| de::Error::custom("invalid base64 in header value"))?;
                        value = Some(bytes);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                value
                    .map(WireValue)
                    .ok_or_else(|| de::Error::missing_field("b64"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The headers array: `[[name, value], ...]`.
struct WireHeaders(Vec<(String, Vec<u8>)>);

impl<'de> Deserialize<'de> for WireHeaders {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireHeaders;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of [name, value] pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireHeaders, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(8));
                while let Some((name, value)) = seq.next_element::<(String, WireValue)>()? {
                    out.push((name, value.0));
                }
                Ok(WireHeaders(out))
            }
        }
        d.deserialize_seq(V)
    }
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
    headers: Option<WireHeaders>,
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
    Some(Ok(RecordedRequest {
        id: w.id,
        method,
        target,
        version,
        headers: headers.0,
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
    buf.push(b'{');
    if let Some(id) = &record.id {
        buf.extend_from_slice(b"\"id\":");
        push_json_str(buf, id);
        buf.push(b',');
    }
    buf.extend_from_slice(b"\"method\":");
    push_json_str(buf, &record.method);
    buf.extend_from_slice(b",\"target\":");
    push_json_str(buf, &record.target);
    buf.extend_from_slice(b",\"version\":");
    push_json_str(buf, &record.version);
    buf.extend_from_slice(b",\"headers\":[");
    for (i, (name, value)) in record.headers.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.push(b'[');
        push_json_str(buf, name);
        buf.push(b',');
        match std::str::from_utf8(value) {
            Ok(text) => push_json_str(buf, text),
            Err(_) => {
                buf.extend_from_slice(b"{\"b64\":\"");
                b64::encode_into(value, buf);
                buf.extend_from_slice(b"\"}");
            }
        }
        buf.push(b']');
    }
    buf.push(b']');
    if let Some(ctx) = &record.context {
        buf.extend_from_slice(b",\"context\":");
        serde_json::to_writer(&mut *buf, ctx).map_err(io::Error::other)?;
    }
    if !record.labels.is_empty() {
        buf.extend_from_slice(b",\"labels\":{");
        for (i, (k, v)) in record.labels.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_json_str(buf, k);
            buf.push(b':');
            push_json_str(buf, v);
        }
        buf.push(b'}');
    }
    if record.partial {
        buf.extend_from_slice(b",\"partial\":true");
    }
    buf.extend_from_slice(b"}\n");
    Ok(())
}

/// Appends `s` as a JSON string literal. Non-ASCII UTF-8 is written as is; control characters, `"`
/// and `\` are escaped (short forms where JSON has them, else `\u00XX`).
pub(crate) fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let needs_escape = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    buf.push(b'"');
    let mut rest = s.as_bytes();
    while let Some(pos) = rest.iter().position(|&b| needs_escape(b)) {
        let (plain, tail) = rest.split_at(pos);
        buf.extend_from_slice(plain);
        let Some((&b, tail)) = tail.split_first() else {
            break;
        };
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            _ => {
                let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0');
                buf.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
            }
        }
        rest = tail;
    }
    buf.extend_from_slice(rest);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        let mut v = Vec::new();
        push_json_str(&mut v, "a\"b\\c\n\u{1}é");
        assert_eq!(String::from_utf8_lossy(&v), "\"a\\\"b\\\\c\\n\\u0001é\"");
        let back: String = serde_json::from_slice(&v).unwrap_or_default();
        assert_eq!(back, "a\"b\\c\n\u{1}é");
    }
}
