//! Evaluating corpus records: [`RecordedRequest`] is a [`RequestView`] (zero-copy), and its
//! recorded context converts into the evaluator's [`Context`] (D13).

use crate::eval::{self, Clock, Context, HeaderKey, ListValues, RequestView};

use super::record::{RecordedContext, RecordedRequest};

/// Headers a partial record (a combined access-log line) carries; rules on any other header are
/// UNKNOWN for it.
pub(crate) const PARTIAL_HEADERS: &[&str] = &["user-agent", "referer"];

impl RequestView for RecordedRequest {
    type Values<'a> = ListValues<'a, String, Vec<u8>>;

    fn method(&self) -> &[u8] {
        self.method.as_bytes()
    }
    fn target(&self) -> &[u8] {
        self.target.as_bytes()
    }
    fn version(&self) -> &[u8] {
        self.version.as_bytes()
    }
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        ListValues::new(key, &self.headers)
    }
    fn carries_header(&self, key: &HeaderKey) -> bool {
        !self.partial || PARTIAL_HEADERS.contains(&key.as_str())
    }
}

impl RecordedContext {
    /// The evaluator context for this record; fields the record lacks stay unknown.
    pub fn to_context(&self) -> Context {
        let mut ctx = Context::default();
        ctx.request_net.source_ip = self.client_ip;
        ctx.request_net.source_port = self.client_port;
        ctx.request_net.dest_ip = self.dest_ip;
        ctx.request_net.dest_port = self.dest_port;
        ctx.request_net.vlan = self.vlan.map(u64::from);
        ctx.location = self.location.clone();
        ctx.clock = self
            .time
            .as_deref()
            .and_then(parse_rfc3339)
            .map(|unix| Clock {
                unix,
                local_offset: None,
            });
        if let Some(tls) = &self.tls {
            let client_cert = tls.client_cert.as_ref().map(|c| {
                let subject = c.subject.clone().unwrap_or_default();
                eval::ClientCert {
                    text: subject.clone(),
                    subject,
                    issuer: c.issuer.clone().unwrap_or_default(),
                    serial: c.serial.clone().unwrap_or_default(),
                    sigalgo: c.sigalgo.clone().unwrap_or_default(),
                    version: c.version.map_or(3, u64::from),
                    not_before: c
                        .not_before
                        .as_deref()
                        .and_then(parse_rfc3339)
                        .unwrap_or(i64::MIN),
                    not_after: c
                        .not_after
                        .as_deref()
                        .and_then(parse_rfc3339)
                        .unwrap_or(i64::MAX),
                }
            });
            ctx.tls = Some(eval::TlsInfo {
                version: tls.version.as_deref().and_then(tls_version_code),
                cipher_bits: tls.cipher_bits.map(u64::from),
                exportable: tls.exportable,
                // A record with TLS facts but no certificate: the client sent none (D7).
                client_cert: Some(client_cert),
            });
        }
        ctx
    }
}

/// NetScaler's encoding of a protocol version (S4: 0x002 SSLv2, 0x300 SSLv3, 0x301 TLSv1, ...).
pub(crate) fn tls_version_code(name: &str) -> Option<u64> {
    // The spellings recorders write, without folding the text first.
    match name {
        "TLSv1.2" => return Some(0x303),
        "TLSv1.3" => return Some(0x304),
        _ => {}
    }
    let code = match name.to_ascii_uppercase().replace(['_', ' '], "").as_str() {
        "SSLV2" => 0x002,
        "SSLV3" => 0x300,
        "TLSV1" | "TLSV1.0" => 0x301,
        "TLSV1.1" => 0x302,
        "TLSV1.2" => 0x303,
        "TLSV1.3" => 0x304,
        _ => return None,
    };
    Some(code)
}

/// Parses an RFC 3339 time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`) into Unix seconds.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    text.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2010-05-24T10:00:00+02:00"),
            Some(1_274_688_000)
        );
        assert_eq!(
            parse_rfc3339("2010-05-24T08:00:00.123Z"),
            Some(1_274_688_000)
        );
        assert_eq!(parse_rfc3339("2010-13-24T08:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn partial_records_carry_only_ua_and_referer() {
        let record = RecordedRequest {
            method: "GET".into(),
            target: "/".into(),
            version: "HTTP/1.1".into(),
            headers: vec![("User-Agent".into(), b"CitrixReceiver/1".to_vec())],
            partial: true,
            ..RecordedRequest::default()
        };
        assert!(record.carries_header(&HeaderKey::new("User-Agent")));
        assert!(!record.carries_header(&HeaderKey::new("X-Citrix-Gateway")));
        let key = HeaderKey::new("user-agent");
        assert_eq!(
            record.header_values(&key).next_back(),
            Some(&b"CitrixReceiver/1"[..])
        );
    }
}
