//! Raw HTTP/1.1 request dumps (docs/semantics.md#corpus-formats).
//!
//! Several requests may be concatenated, with blank lines between them. Lines end in CRLF or bare LF.
//! A body is skipped: `Transfer-Encoding: chunked` (chunks and trailers), else `Content-Length` bytes,
//! else none. An obs-fold continuation line (starting with a blank or tab) is joined to the previous
//! value with one blank and the record gets the label `obs_fold = "true"`. A request line that does not
//! parse, or a header line without a colon, makes the record malformed; the reader then skips to the
//! next blank line and continues.

use std::io::{self, BufRead, Read};

use super::record::RecordedRequest;
use super::{RecordError, io_record_error};

/// Longest line accepted (request line or header line), to keep memory bounded on binary input.
const MAX_LINE: usize = 1 << 20;

/// Streams records from a raw HTTP dump.
pub(crate) struct RawReader<R> {
    reader: R,
    line: Vec<u8>,
    line_no: usize,
    done: bool,
}

enum Line {
    Eof,
    Text,
}

impl<R: BufRead> RawReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        RawReader {
            reader,
            line: Vec::with_capacity(256),
            line_no: 0,
            done: false,
        }
    }

    /// Reads one line into `self.line` without its line ending.
    fn read_line(&mut self) -> io::Result<Line> {
        self.line.clear();
        let n = Read::take(&mut self.reader, MAX_LINE as u64).read_until(b'\n', &mut self.line)?;
        if n == 0 {
            return Ok(Line::Eof);
        }
        self.line_no += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        } else if n >= MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "line longer than 1 MiB",
            ));
        }
        Ok(Line::Text)
    }

    /// Skips lines up to and including the next blank line (resynchronisation after an error).
    fn skip_block(&mut self) -> io::Result<()> {
        loop {
            match self.read_line()? {
                Line::Eof => return Ok(()),
                Line::Text if self.line.is_empty() => return Ok(()),
                Line::Text => {}
            }
        }
    }

    fn skip_bytes(&mut self, mut n: u64) -> io::Result<()> {
        while n > 0 {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "body shorter than Content-Length",
                ));
            }
            let take = buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            // Line numbers keep counting through the body.
            self.line_no += buf.iter().take(take).filter(|&&c| c == b'\n').count();
            self.reader.consume(take);
            n -= take as u64;
        }
        Ok(())
    }

    fn skip_chunked(&mut self) -> Result<(), String> {
        loop {
            match self.read_line().map_err(|e| e.to_string())? {
                Line::Eof => return Err("chunked body ends without a last chunk".into()),
                Line::Text => {}
            }
            let size_text = self.line.split(|&c| c == b';').next().unwrap_or_default();
            let size_text = String::from_utf8_lossy(size_text);
            let size = u64::from_str_radix(size_text.trim(), 16)
                .map_err(|_| format!("bad chunk size {:?}", size_text.trim()))?;
            if size == 0 {
                // Trailer section up to the blank line.
                return self.skip_block().map_err(|e| e.to_string());
            }
            self.skip_bytes(size).map_err(|e| e.to_string())?;
            match self.read_line().map_err(|e| e.to_string())? {
                Line::Text if self.line.is_empty() => {}
                _ => return Err("chunk data not followed by a line end".into()),
            }
        }
    }

    /// Reads the header block and skips the body of a request whose request line has been parsed.
    fn request(
        &mut self,
        method: String,
        target: String,
        version: String,
    ) -> Result<RecordedRequest, String> {
        let mut rec = RecordedRequest {
            method,
            target,
            version,
            ..RecordedRequest::default()
        };
        let mut bad_header: Option<String> = None;
        loop {
            match self.read_line().map_err(|e| e.to_string())? {
                Line::Eof => break,
                Line::Text if self.line.is_empty() => break,
                Line::Text => {}
            }
            if let [b' ' | b'\t', ..] = self.line.as_slice() {
                let cont = trim(&self.line);
                match rec.headers.last_mut() {
                    Some((_, value)) => {
                        value.push(b' ');
                        value.extend_from_slice(cont);
                        rec.labels.insert("obs_fold".into(), "true".into());
                    }
                    None => {
                        bad_header.get_or_insert_with(|| {
                            "continuation line before the first header".into()
                        });
                    }
                }
                continue;
            }
            match self.line.iter().position(|&c| c == b':') {
                Some(colon) if colon > 0 => {
                    let (name, value) = self.line.split_at(colon);
                    let value = trim(value.get(1..).unwrap_or_default());
                    match std::str::from_utf8(name) {
                        Ok(n) if n.bytes().all(is_tchar) => {
                            rec.headers.push((n.to_string(), value.to_vec()));
                        }
                        _ => {
                            bad_header.get_or_insert_with(|| {
                                format!("invalid header name {:?}", String::from_utf8_lossy(name))
                            });
                        }
                    }
                }
                _ => {
                    bad_header.get_or_insert_with(|| {
                        format!(
                            "header line without a colon: {:?}",
                            String::from_utf8_lossy(&self.line)
                        )
                    });
                }
            }
        }
        let chunked = rec.header("Transfer-Encoding").is_some_and(|v| {
            String::from_utf8_lossy(v)
                .to_ascii_lowercase()
                .contains("chunked")
        });
        if chunked {
            self.skip_chunked()?;
        } else if let Some(len) = rec.header("Content-Length") {
            let len = std::str::from_utf8(len)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| "invalid Content-Length".to_string())?;
            self.skip_bytes(len).map_err(|e| e.to_string())?;
        }
        match bad_header {
            Some(message) => Err(message),
            None => Ok(rec),
        }
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

fn parse_request_line(line: &[u8]) -> Result<(String, String, String), String> {
    let text = std::str::from_utf8(line).map_err(|_| "request line is not UTF-8".to_string())?;
    let mut parts = text.split(' ');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None)
            if !m.is_empty()
                && m.bytes().all(is_tchar)
                && !t.is_empty()
                && v.starts_with("HTTP/") =>
        {
            Ok((m.to_string(), t.to_string(), v.to_string()))
        }
        _ => Err(format!("not a request line: {text:?}")),
    }
}

impl<R: BufRead> Iterator for RawReader<R> {
    type Item = Result<RecordedRequest, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // Skip blank lines between requests.
        loop {
            match self.read_line() {
                Ok(Line::Eof) => {
                    self.done = true;
                    return None;
                }
                Ok(Line::Text) if self.line.is_empty() => {}
                Ok(Line::Text) => break,
                Err(e) => {
                    self.done = true;
                    return Some(Err(io_record_error(self.line_no, &e)));
                }
            }
        }
        let at = self.line_no;
        let result = match parse_request_line(&self.line) {
            Ok((method, target, version)) => self.request(method, target, version),
            Err(message) => {
                // Resynchronise at the next blank line.
                if let Err(e) = self.skip_block() {
                    self.done = true;
                    return Some(Err(io_record_error(self.line_no, &e)));
                }
                Err(message)
            }
        };
        Some(result.map_err(|message| RecordError {
            line_or_entry: at,
            message,
        }))
    }
}
