//! HAR 1.2 (docs/semantics.md#corpus-formats), streamed one entry at a time.
//!
//! The document is walked with a small scanner until `log.entries`; each element of that array is cut
//! out and parsed on its own with tolerant serde structs, so memory stays bounded by the largest entry.
//! Members before `entries` (`pages`, `creator`, ...) are skipped; everything after the array is
//! ignored.
//!
//! Mapping: `method`, target from the `url` path and query (fragment dropped), `httpVersion` as given
//! (`HTTP/1.1` when missing). HTTP/2 pseudo-headers (`:authority`, `:path`, ...) are dropped; `Host`
//! is added first from `:authority`, else from the URL authority, when the headers have none. When the
//! headers have no `Cookie` but `request.cookies` is not empty, a `Cookie` header is rebuilt from it
//! (label `cookie_from_har = "true"`). `serverIPAddress` becomes `context.dest_ip` (when it parses)
//! and `startedDateTime` becomes `context.time`.

use std::io::BufRead;
use std::net::IpAddr;

use serde::Deserialize;

use super::RecordError;
use super::record::{RecordedContext, RecordedRequest};
use super::scan::JsonScanner;

#[derive(Deserialize)]
struct HarEntry {
    request: Option<HarRequest>,
    #[serde(rename = "serverIPAddress")]
    server_ip: Option<String>,
    #[serde(rename = "startedDateTime")]
    started: Option<String>,
}

#[derive(Deserialize)]
struct HarRequest {
    method: Option<String>,
    url: Option<String>,
    #[serde(rename = "httpVersion")]
    http_version: Option<String>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

enum State {
    Start,
    Entries { first: bool },
    Done,
}

/// Streams records from a HAR document.
pub(crate) struct HarReader<R> {
    scan: JsonScanner<R>,
    state: State,
    index: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> HarReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        HarReader {
            scan: JsonScanner::new(reader),
            state: State::Start,
            index: 0,
            buf: Vec::new(),
        }
    }

    /// Walks from the document start to just inside `log.entries`. `Ok(false)` if there is none.
    fn find_entries(&mut self) -> Result<bool, String> {
        self.scan.expect(b'{')?;
        if self.scan.peek_non_ws()? == Some(b'}') {
            return Ok(false);
        }
        loop {
            let key = self.scan.key()?;
            if key == "log" {
                self.scan.expect(b'{')?;
                if self.scan.peek_non_ws()? == Some(b'}') {
                    return Ok(false);
                }
                loop {
                    let key = self.scan.key()?;
                    if key == "entries" {
                        self.scan.expect(b'[')?;
                        return Ok(true);
                    }
                    self.scan.value(None)?;
                    if !self.scan.comma_or(b'}')? {
                        return Ok(false);
                    }
                }
            }
            self.scan.value(None)?;
            if !self.scan.comma_or(b'}')? {
                return Ok(false);
            }
        }
    }

    /// Cuts out the next entry into `self.buf`. `Ok(false)` at the end of the array.
    fn next_entry(&mut self, first: bool) -> Result<bool, String> {
        if first {
            if self.scan.peek_non_ws()? == Some(b']') {
                return Ok(false);
            }
        } else if !self.scan.comma_or(b']')? {
            return Ok(false);
        }
        self.buf.clear();
        self.scan.value(Some(&mut self.buf))?;
        Ok(true)
    }
}

impl<R: BufRead> Iterator for HarReader<R> {
    type Item = Result<RecordedRequest, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        let first = match self.state {
            State::Done => return None,
            State::Start => match self.find_entries() {
                Ok(true) => true,
                Ok(false) => {
                    self.state = State::Done;
                    return Some(Err(RecordError {
                        line_or_entry: 0,
                        message: "HAR document has no log.entries array".into(),
                    }));
                }
                Err(message) => {
                    self.state = State::Done;
                    return Some(Err(RecordError {
                        line_or_entry: 0,
                        message: format!("HAR structure: {message}"),
                    }));
                }
            },
            State::Entries { first } => first,
        };
        match self.next_entry(first) {
            Ok(true) => {
                let at = self.index;
                self.index += 1;
                self.state = State::Entries { first: false };
                Some(convert(&self.buf).map_err(|message| RecordError {
                    line_or_entry: at,
                    message,
                }))
            }
            Ok(false) => {
                self.state = State::Done;
                None
            }
            Err(message) => {
                self.state = State::Done;
                Some(Err(RecordError {
                    line_or_entry: self.index,
                    message: format!("HAR structure: {message}"),
                }))
            }
        }
    }
}

/// Splits an absolute URL into (authority, target). A URL starting with `/` has no authority.
fn split_url(url: &str) -> Option<(Option<&str>, String)> {
    let url = url.split('#').next().unwrap_or_default();
    if url.starts_with('/') {
        return Some((None, url.to_string()));
    }
    let (_, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.is_empty() {
        return None;
    }
    let target = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some((Some(authority), target))
}

fn convert(entry: &[u8]) -> Result<RecordedRequest, String> {
    let entry: HarEntry =
        serde_json::from_slice(entry).map_err(|e| format!("invalid HAR entry: {e}"))?;
    let req = entry.request.ok_or("entry has no request")?;
    let method = req
        .method
        .filter(|m| !m.trim().is_empty())
        .ok_or("request has no method")?;
    let url = req.url.ok_or("request has no url")?;
    let (authority, target) =
        split_url(&url).ok_or_else(|| format!("request url {url:?} is not absolute"))?;
    let version = req
        .http_version
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "HTTP/1.1".to_string());

    let mut pseudo_authority = None;
    let mut headers: Vec<(String, Vec<u8>)> = Vec::with_capacity(req.headers.len() + 1);
    for h in req.headers {
        if let Some(pseudo) = h.name.strip_prefix(':') {
            if pseudo.eq_ignore_ascii_case("authority") {
                pseudo_authority = Some(h.value);
            }
        } else {
            headers.push((h.name, h.value.into_bytes()));
        }
    }
    let mut rec = RecordedRequest {
        method,
        target,
        version,
        headers,
        ..RecordedRequest::default()
    };
    if !rec.has_header("Host")
        && let Some(host) = pseudo_authority.or_else(|| authority.map(str::to_string))
    {
        rec.headers.insert(0, ("Host".into(), host.into_bytes()));
    }
    if !rec.has_header("Cookie") && !req.cookies.is_empty() {
        let cookie = req
            .cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        rec.headers.push(("Cookie".into(), cookie.into_bytes()));
        rec.labels.insert("cookie_from_har".into(), "true".into());
    }
    let mut ctx = RecordedContext {
        time: entry.started,
        ..RecordedContext::default()
    };
    if let Some(ip) = entry.server_ip {
        ctx.dest_ip = ip
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
    }
    if ctx != RecordedContext::default() {
        rec.context = Some(ctx);
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_split() {
        assert_eq!(
            split_url("https://u:p@gw.example.com:443/vpn/index.html?a=1#f"),
            Some((
                Some("gw.example.com:443"),
                "/vpn/index.html?a=1".to_string()
            ))
        );
        assert_eq!(
            split_url("https://gw.example.com?x"),
            Some((Some("gw.example.com"), "/?x".to_string()))
        );
        assert_eq!(
            split_url("/cgi/login"),
            Some((None, "/cgi/login".to_string()))
        );
        assert_eq!(split_url("gw.example.com/x"), None);
    }
}
