//! Apache / nginx combined access logs (docs/semantics.md#corpus-formats).
//!
//! `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`; further fields after the UA are ignored.
//! `-` means absent. Records carry only the request line, `Referer` and `User-Agent`, the client
//! address (`context.client_ip`, or the label `client_host` when `%h` is a name) and the time
//! (`context.time`, converted to RFC 3339); they are `partial: true`. The status is kept as the label
//! `status`.

use std::io::BufRead;
use std::net::IpAddr;

use super::RecordError;
use super::lines::Lines;
use super::record::{RecordedContext, RecordedRequest};

/// Streams records from a combined log, one line at a time.
pub(crate) struct CombinedReader<R> {
    lines: Lines<R>,
}

impl<R: BufRead> CombinedReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        CombinedReader {
            lines: Lines::new(reader, 512),
        }
    }
}

impl<R: BufRead> Iterator for CombinedReader<R> {
    type Item = Result<RecordedRequest, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.lines.next_line()?.and_then(|(at, line)| {
            parse_line(line).map_err(|message| RecordError {
                line_or_entry: at,
                message,
            })
        }))
    }
}

/// A cursor over one log line.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn skip_blanks(&mut self) {
        while let [b' ' | b'\t', tail @ ..] = self.rest {
            self.rest = tail;
        }
    }

    /// A blank-delimited token.
    fn token(&mut self, what: &str) -> Result<&'a [u8], String> {
        self.skip_blanks();
        let end = self
            .rest
            .iter()
            .position(|&c| c == b' ' || c == b'\t' || c == b'\r' || c == b'\n')
            .unwrap_or(self.rest.len());
        let (tok, tail) = self.rest.split_at(end);
        if tok.is_empty() {
            return Err(format!("missing {what}"));
        }
        self.rest = tail;
        Ok(tok)
    }

    /// `[...]`
    fn bracketed(&mut self, what: &str) -> Result<&'a [u8], String> {
        self.skip_blanks();
        let Some(tail) = self.rest.strip_prefix(b"[") else {
            return Err(format!("expected [ before {what}"));
        };
        let end = tail
            .iter()
            .position(|&c| c == b']')
            .ok_or_else(|| format!("unterminated {what}"))?;
        let (inner, after) = tail.split_at(end);
        self.rest = after.get(1..).unwrap_or_default();
        Ok(inner)
    }

    /// `"..."` with `\"` and `\\` escapes (Apache writes `\xHH` for other bytes; those are kept as is).
    fn quoted(&mut self, what: &str) -> Result<Vec<u8>, String> {
        self.skip_blanks();
        let Some(mut tail) = self.rest.strip_prefix(b"\"") else {
            return Err(format!("expected a quoted {what}"));
        };
        let mut out = Vec::new();
        loop {
            match tail {
                [b'"', after @ ..] => {
                    self.rest = after;
                    return Ok(out);
                }
                [b'\\', c @ (b'"' | b'\\'), after @ ..] => {
                    out.push(*c);
                    tail = after;
                }
                [c, after @ ..] => {
                    out.push(*c);
                    tail = after;
                }
                [] => return Err(format!("unterminated quoted {what}")),
            }
        }
    }
}

fn parse_line(line: &[u8]) -> Result<RecordedRequest, String> {
    let mut f = Fields { rest: line };
    let host = f.token("client address")?;
    f.token("ident")?;
    f.token("user")?;
    let time = f.bracketed("time")?;
    let request = f.quoted("request line")?;
    let status = f.token("status")?;
    f.token("bytes")?;
    let referer = f.quoted("Referer")?;
    let ua = f.quoted("User-Agent")?;

    let request =
        String::from_utf8(request).map_err(|_| "request line is not UTF-8".to_string())?;
    let mut parts = request.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "request line {request:?} is not METHOD target VERSION"
        ));
    };
    if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/") {
        return Err(format!(
            "request line {request:?} is not METHOD target VERSION"
        ));
    }

    let mut rec = RecordedRequest {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
        partial: true,
        ..RecordedRequest::default()
    };
    if referer != b"-" {
        rec.headers.push(("Referer".into(), referer));
    }
    if ua != b"-" {
        rec.headers.push(("User-Agent".into(), ua));
    }
    let mut ctx = RecordedContext::default();
    let host = String::from_utf8_lossy(host);
    match host.parse::<IpAddr>() {
        Ok(ip) => ctx.client_ip = Some(ip),
        Err(_) if host != "-" => {
            rec.labels.insert("client_host".into(), host.into_owned());
        }
        Err(_) => {}
    }
    ctx.time = clf_time_to_rfc3339(time);
    if ctx != RecordedContext::default() {
        rec.context = Some(ctx);
    }
    rec.labels.insert(
        "status".into(),
        String::from_utf8_lossy(status).into_owned(),
    );
    Ok(rec)
}

/// `10/Oct/2000:13:55:36 -0700` → `2000-10-10T13:55:36-07:00`; `None` if it is not a valid time
/// of that shape.
fn clf_time_to_rfc3339(t: &[u8]) -> Option<String> {
    let t = std::str::from_utf8(t).ok()?;
    let time = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", t)
        .ok()?
        .to_zoned()
        .ok()?;
    Some(time.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_apache_combined() {
        let line = br#"198.51.100.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /vpn/index.html HTTP/1.1" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#;
        let r = parse_line(line).unwrap_or_default();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/vpn/index.html");
        assert_eq!(
            r.header("user-agent"),
            Some(&b"Mozilla/4.08 [en] (Win98; I ;Nav)"[..])
        );
        assert!(r.partial);
        let ctx = r.context.unwrap_or_default();
        assert_eq!(ctx.time.as_deref(), Some("2000-10-10T13:55:36-07:00"));
        assert_eq!(
            ctx.client_ip.map(|i| i.to_string()).as_deref(),
            Some("198.51.100.7")
        );
    }

    #[test]
    fn dash_means_absent_and_escapes() {
        let line = br#"gw-monitor - - [01/Jan/2024:00:00:00 +0000] "HEAD / HTTP/1.0" 200 - "-" "say \"hi\"""#;
        let r = parse_line(line).unwrap_or_default();
        assert!(!r.has_header("Referer"));
        assert_eq!(r.header("User-Agent"), Some(&b"say \"hi\""[..]));
        assert_eq!(
            r.labels.get("client_host").map(String::as_str),
            Some("gw-monitor")
        );
    }

    #[test]
    fn times_must_exist() {
        assert_eq!(
            clf_time_to_rfc3339(b"29/Feb/2024:23:59:59 +0530").as_deref(),
            Some("2024-02-29T23:59:59+05:30")
        );
        assert_eq!(clf_time_to_rfc3339(b"30/Feb/2024:00:00:00 +0000"), None);
        assert_eq!(clf_time_to_rfc3339(b"01/Foo/2024:00:00:00 +0000"), None);
        assert_eq!(clf_time_to_rfc3339(b"01/Jan/2024:00:00:00"), None);
    }

    #[test]
    fn rejects_garbage_request() {
        let line = br#"203.0.113.9 - - [01/Jan/2024:00:00:00 +0000] "\x16\x03\x01" 400 0 "-" "-""#;
        assert!(parse_line(line).is_err());
    }
}
