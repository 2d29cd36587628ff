//! Reading native JSONL records in place, for replay at line rate.
//!
//! [`BorrowedRecord`] borrows its method, target, header names and values from the line it was
//! read from; only strings with JSON escapes and base64 values are decoded into owned buffers.
//! Fields the evaluator never looks at (`id`, `labels`, unknown keys) are skipped without being
//! decoded, and the header list is reused from record to record, so reading a typical record
//! allocates nothing. The owned [`Loader`](super::Loader) reads the same format into
//! [`RecordedRequest`](super::RecordedRequest)s.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::eval::{self, Clock, Context, HeaderKey, ListValues, RequestView};

use super::jsonl::decode_base64;
use super::record::RecordedContext;
use super::view::{PARTIAL_HEADERS, parse_rfc3339, tls_version_code};

/// One JSONL record viewed in place (see the module documentation).
#[derive(Debug, Default)]
pub struct BorrowedRecord<'a> {
    method: Cow<'a, str>,
    target: Cow<'a, str>,
    version: Cow<'a, str>,
    headers: Vec<(Cow<'a, str>, Cow<'a, [u8]>)>,
    context: Option<Context>,
    partial: bool,
}

/// What one JSONL line held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonlLine {
    /// A request, now in the record.
    Record,
    /// The corpus header line (`{"nsexpr_corpus":1,...}`), or a blank line.
    NotARecord,
}

impl<'a> BorrowedRecord<'a> {
    /// Reads one JSONL line into this record, reusing its header list. `Err` carries what is wrong
    /// with the line (the record is then unusable until the next successful read).
    pub fn read_line(&mut self, line: &'a [u8]) -> Result<JsonlLine, String> {
        // Checked once for the whole line, so each string is sliced without a check of its own.
        let text = std::str::from_utf8(line).map_err(|e| {
            format!(
                "invalid JSON record: not UTF-8 at column {}",
                e.valid_up_to() + 1
            )
        })?;
        let mut p = Parser::new(text);
        p.skip_space();
        if p.at >= line.len() {
            return Ok(JsonlLine::NotARecord);
        }
        self.headers.clear();
        self.context = None;
        self.partial = false;
        let (mut method, mut target, mut version) = (None, None, None);
        let mut saw_headers = false;
        let mut is_header_line = false;
        p.expect(b'{')?;
        p.skip_space();
        if !p.eat(b'}') {
            loop {
                p.skip_space();
                let key = p.raw_string()?;
                p.skip_space();
                p.expect(b':')?;
                p.skip_space();
                match key.as_bytes() {
                    b"method" => method = Some(p.string("method")?),
                    b"target" => target = Some(p.string("target")?),
                    b"version" => version = Some(p.string("version")?),
                    b"headers" => {
                        self.read_headers(&mut p)?;
                        saw_headers = true;
                    }
                    b"context" => {
                        let start = p.at;
                        p.skip_value()?;
                        let raw = text.get(start..p.at).unwrap_or_default();
                        self.context = read_context(raw)?;
                    }
                    b"partial" => self.partial = p.boolean("partial")?,
                    b"nsexpr_corpus" => {
                        is_header_line = true;
                        p.skip_value()?;
                    }
                    _ => p.skip_value()?,
                }
                p.skip_space();
                if p.eat(b',') {
                    continue;
                }
                p.expect(b'}')?;
                break;
            }
        }
        p.skip_space();
        if p.at < line.len() {
            return Err(p.error("trailing characters after the record"));
        }
        if is_header_line {
            return Ok(JsonlLine::NotARecord);
        }
        let (Some(method), Some(target), Some(version), true) =
            (method, target, version, saw_headers)
        else {
            return Err("a record needs method, target, version and headers".into());
        };
        self.method = method;
        self.target = target;
        self.version = version;
        Ok(JsonlLine::Record)
    }

    /// `[["Name","value"], ["Name",{"b64":"..."}], ...]`
    fn read_headers(&mut self, p: &mut Parser<'a>) -> Result<(), String> {
        p.expect(b'[')?;
        p.skip_space();
        if p.eat(b']') {
            return Ok(());
        }
        loop {
            p.skip_space();
            p.expect(b'[')?;
            p.skip_space();
            let name = p.string("a header name")?;
            p.skip_space();
            p.expect(b',')?;
            p.skip_space();
            let value = if p.peek() == Some(b'{') {
                p.base64_value(&name)?
            } else {
                match p.string("a header value")? {
                    Cow::Borrowed(value) => Cow::Borrowed(value.as_bytes()),
                    Cow::Owned(value) => Cow::Owned(value.into_bytes()),
                }
            };
            p.skip_space();
            p.expect(b']')?;
            self.headers.push((name, value));
            p.skip_space();
            if p.eat(b',') {
                continue;
            }
            p.expect(b']')?;
            return Ok(());
        }
    }

    /// The evaluator context recorded with the request (D13), if any.
    pub fn context(&self) -> Option<&Context> {
        self.context.as_ref()
    }

    /// Headers in wire order.
    pub fn headers(&self) -> &[(Cow<'a, str>, Cow<'a, [u8]>)] {
        &self.headers
    }
}

impl RequestView for BorrowedRecord<'_> {
    type Values<'v>
        = ListValues<'v, Cow<'v, str>, Cow<'v, [u8]>>
    where
        Self: 'v;

    fn method(&self) -> &[u8] {
        self.method.as_bytes()
    }
    fn target(&self) -> &[u8] {
        self.target.as_bytes()
    }
    fn version(&self) -> &[u8] {
        self.version.as_bytes()
    }
    fn header_values<'v>(&'v self, key: &'v HeaderKey) -> Self::Values<'v> {
        ListValues::new(key, &self.headers)
    }
    fn carries_header(&self, key: &HeaderKey) -> bool {
        !self.partial || PARTIAL_HEADERS.contains(&key.as_str())
    }
}

/// The context object: the common scalar fields are read directly; anything else (a client
/// certificate, a location, escapes, unknown keys) goes through the owned reader so both readers
/// agree on every input.
fn read_context(raw: &str) -> Result<Option<Context>, String> {
    if raw == "null" {
        return Ok(None);
    }
    match fast_context(raw) {
        Some(context) => Ok(Some(context)),
        None => serde_json::from_str::<RecordedContext>(raw)
            .map(|c| Some(c.to_context()))
            .map_err(|e| format!("invalid JSON record: {e}")),
    }
}

/// `None` when the object holds something the fast path does not read.
fn fast_context(raw: &str) -> Option<Context> {
    let mut ctx = Context::default();
    let mut p = Parser::new(raw);
    let mut fields = |p: &mut Parser<'_>, key: &[u8]| -> Option<()> {
        match key {
            b"client_ip" => ctx.request_net.source_ip = Some(p.plain_str()?.parse().ok()?),
            b"dest_ip" => ctx.request_net.dest_ip = Some(p.plain_str()?.parse::<IpAddr>().ok()?),
            b"client_port" => ctx.request_net.source_port = Some(p.number()?),
            b"dest_port" => ctx.request_net.dest_port = Some(p.number()?),
            b"vlan" => ctx.request_net.vlan = Some(u64::from(p.number::<u16>()?)),
            b"time" => {
                ctx.clock = parse_rfc3339(p.plain_str()?).map(|unix| Clock {
                    unix,
                    local_offset: None,
                });
            }
            b"tls" => ctx.tls = Some(fast_tls(p)?),
            _ => return None,
        }
        Some(())
    };
    p.object(&mut fields)?;
    Some(ctx)
}

fn fast_tls(p: &mut Parser<'_>) -> Option<eval::TlsInfo> {
    let mut tls = eval::TlsInfo {
        // A record with TLS facts but no certificate: the client sent none (D7).
        client_cert: Some(None),
        ..eval::TlsInfo::default()
    };
    p.object(&mut |p: &mut Parser<'_>, key: &[u8]| {
        match key {
            b"version" => tls.version = tls_version_code(p.plain_str()?),
            b"cipher_bits" => tls.cipher_bits = Some(u64::from(p.number::<u32>()?)),
            b"exportable" => tls.exportable = Some(p.boolean("exportable").ok()?),
            _ => return None,
        }
        Some(())
    })?;
    Some(tls)
}

/// A cursor over one line of JSON.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Whether the text has a backslash anywhere; without one, a string ends at the next quote.
    escapes: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            at: 0,
            escapes: memchr::memchr(b'\\', text.as_bytes()).is_some(),
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.expected(byte))
        }
    }

    #[cold]
    fn expected(&self, byte: u8) -> String {
        self.error(&format!("expected `{}`", char::from(byte)))
    }

    #[cold]
    fn error(&self, what: &str) -> String {
        format!("invalid JSON record: {what} at column {}", self.at + 1)
    }

    /// The text between the quotes of a string, escapes left as written.
    fn raw_string(&mut self) -> Result<&'a str, String> {
        self.raw_string_escaped().map(|(raw, _)| raw)
    }

    /// [`raw_string`](Self::raw_string), and whether it has an escape.
    fn raw_string_escaped(&mut self) -> Result<(&'a str, bool), String> {
        let mut escaped = false;
        self.expect(b'"')?;
        let start = self.at;
        if !self.escapes {
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            let Some(i) = memchr::memchr(b'"', rest) else {
                self.at = self.bytes.len();
                return Err(self.error("unterminated string"));
            };
            self.at += i + 1;
            return Ok((self.text.get(start..self.at - 1).unwrap_or_default(), false));
        }
        loop {
            let rest = self.bytes.get(self.at..).unwrap_or_default();
            let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
                self.at = self.bytes.len();
                return Err(self.error("unterminated string"));
            };
            self.at += i + 1;
            if rest.get(i) == Some(&b'"') {
                return Ok((
                    self.text.get(start..self.at - 1).unwrap_or_default(),
                    escaped,
                ));
            }
            escaped = true;
            // A backslash escapes the next byte (`\uXXXX` needs no special case to be skipped).
            self.at += 1;
        }
    }

    /// A string value, borrowed unless it has escapes.
    fn string(&mut self, what: &str) -> Result<Cow<'a, str>, String> {
        if self.peek() != Some(b'"') {
            return Err(self.error(&format!("{what} must be a string")));
        }
        let start = self.at;
        let (raw, escaped) = self.raw_string_escaped()?;
        if !escaped {
            return Ok(Cow::Borrowed(raw));
        }
        let quoted = self.text.get(start..self.at).unwrap_or_default();
        serde_json::from_str::<String>(quoted)
            .map(Cow::Owned)
            .map_err(|e| format!("invalid JSON record: {e}"))
    }

    /// `{"b64":"..."}` as bytes.
    fn base64_value(&mut self, name: &str) -> Result<Cow<'a, [u8]>, String> {
        let start = self.at;
        self.skip_value()?;
        let raw = self.text.get(start..self.at).unwrap_or_default();
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Bytes {
            b64: String,
        }
        let bytes: Bytes = serde_json::from_str(raw)
            .map_err(|_| self.error("a header value must be a string or {\"b64\": ...}"))?;
        decode_base64(&bytes.b64)
            .map(Cow::Owned)
            .ok_or_else(|| format!("invalid base64 in the value of header {name:?}"))
    }

    fn boolean(&mut self, what: &str) -> Result<bool, String> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        if rest.starts_with(b"true") {
            self.at += 4;
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.at += 5;
            Ok(false)
        } else {
            Err(self.error(&format!("{what} must be true or false")))
        }
    }

    /// A string without escapes (the fast context path; `None` sends it to the owned reader).
    fn plain_str(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let raw = self.raw_string().ok()?;
        (!raw.contains('\\')).then_some(raw)
    }

    fn number<N: std::str::FromStr>(&mut self) -> Option<N> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.text.get(start..self.at)?.parse().ok()
    }

    /// An object whose every member `field` reads; `None` when it is not one or `field` declines.
    fn object(
        &mut self,
        field: &mut dyn FnMut(&mut Parser<'a>, &[u8]) -> Option<()>,
    ) -> Option<()> {
        self.skip_space();
        self.expect(b'{').ok()?;
        self.skip_space();
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.skip_space();
            let key = self.raw_string().ok()?;
            self.skip_space();
            self.expect(b':').ok()?;
            self.skip_space();
            if self.peek() == Some(b'n') {
                // `null` is the same as an absent field.
                self.skip_value().ok()?;
            } else {
                field(self, key.as_bytes())?;
            }
            self.skip_space();
            if self.eat(b',') {
                continue;
            }
            self.expect(b'}').ok()?;
            return Some(());
        }
    }

    /// Skips one value of any kind, checking that brackets balance (an explicit depth count, no
    /// recursion).
    fn skip_value(&mut self) -> Result<(), String> {
        let mut closers: Vec<u8> = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'"') => {
                    self.raw_string()?;
                }
                Some(b'{') => {
                    self.at += 1;
                    closers.push(b'}');
                    self.skip_space();
                    if self.eat(b'}') {
                        closers.pop();
                    } else {
                        self.skip_space();
                        self.raw_string()?;
                        self.skip_space();
                        self.expect(b':')?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.at += 1;
                    closers.push(b']');
                    self.skip_space();
                    if self.eat(b']') {
                        closers.pop();
                    } else {
                        continue;
                    }
                }
                Some(b) if b == b'-' || b.is_ascii_alphanumeric() => {
                    let start = self.at;
                    while self
                        .peek()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                    {
                        self.at += 1;
                    }
                    let token = self.bytes.get(start..self.at).unwrap_or_default();
                    let literal = matches!(token, b"true" | b"false" | b"null");
                    if !literal
                        && !token
                            .first()
                            .is_some_and(|b| *b == b'-' || b.is_ascii_digit())
                    {
                        return Err(self.error("unexpected token"));
                    }
                }
                _ => return Err(self.error("expected a value")),
            }
            // After a value: close finished containers, or step to the next member.
            loop {
                let Some(&closer) = closers.last() else {
                    return Ok(());
                };
                self.skip_space();
                if self.eat(closer) {
                    closers.pop();
                    continue;
                }
                self.expect(b',')?;
                if closer == b'}' {
                    self.skip_space();
                    self.raw_string()?;
                    self.skip_space();
                    self.expect(b':')?;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Loader, RecordedRequest};

    fn owned(line: &str) -> Option<Result<RecordedRequest, String>> {
        let loader = Loader::from_reader(
            std::io::Cursor::new(line.as_bytes().to_vec()),
            Some(crate::corpus::CorpusFormat::Jsonl),
        )
        .ok()?;
        loader.into_iter().next().map(|r| r.map_err(|e| e.message))
    }

    #[test]
    fn agrees_with_the_owned_reader() {
        let lines = [
            r#"{"id":"x","method":"GET","target":"/a?b","version":"HTTP/1.1","headers":[["Host","gw"],["User-Agent","Citrix\"Receiver\u00e9"],["X",{"b64":"6fw="}]],"labels":{"client":"ws"},"partial":true}"#,
            r#"{"method":"POST","target":"/","version":"HTTP/1.1","headers":[],"context":{"client_ip":"10.1.2.3","client_port":80,"dest_ip":"::1","tls":{"version":"TLSv1.2","cipher_bits":256},"time":"2026-01-05T08:00:00.000Z"}}"#,
            r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[],"context":{"location":"EU","tls":{"client_cert":{"subject":"CN=a"}}}}"#,
            r#" { "method" : "GET" , "target":"/", "version":"HTTP/1.0", "headers" : [ [ "A" , "" ] ] , "extra":[1,{"k":[null,-2.5e3]}] } "#,
        ];
        for line in lines {
            let Some(Ok(expected)) = owned(line) else {
                panic!("the owned reader rejects {line}");
            };
            let mut record = BorrowedRecord::default();
            assert_eq!(record.read_line(line.as_bytes()), Ok(JsonlLine::Record));
            assert_eq!(record.method(), expected.method.as_bytes());
            assert_eq!(record.target(), expected.target.as_bytes());
            assert_eq!(record.version(), expected.version.as_bytes());
            let headers: Vec<(String, Vec<u8>)> = record
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect();
            assert_eq!(headers, expected.headers);
            assert_eq!(
                record.context(),
                expected.context.map(|c| c.to_context()).as_ref()
            );
            assert_eq!(record.partial, expected.partial);
        }
    }

    #[test]
    fn rejects_what_the_owned_reader_rejects() {
        let lines = [
            "{not json",
            r#"{"method": 1}"#,
            r#"{"method":"GET","target":"/","version":"HTTP/1.1"}"#,
            r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[["X",{"b64":"Z"}]]}"#,
            r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[]} x"#,
            r#"{"method":"GET","target":"/","version":"HTTP/1.1","headers":[],"context":{"client_ip":"nope"}}"#,
        ];
        for line in lines {
            assert!(
                matches!(owned(line), Some(Err(_))),
                "owned reader accepts {line}"
            );
            let mut record = BorrowedRecord::default();
            assert!(record.read_line(line.as_bytes()).is_err(), "{line}");
        }
    }

    #[test]
    fn header_and_blank_lines_are_not_records() {
        let mut record = BorrowedRecord::default();
        assert_eq!(
            record.read_line(br#"{"nsexpr_corpus":1,"seed":3}"#),
            Ok(JsonlLine::NotARecord)
        );
        assert_eq!(record.read_line(b"  \r\n"), Ok(JsonlLine::NotARecord));
    }
}
