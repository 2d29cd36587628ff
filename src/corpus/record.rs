//! The normalised record every loader produces.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// One HTTP request as recorded or generated (docs/semantics.md#corpus-formats).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordedRequest {
    /// Stable record id, when the source has one.
    pub id: Option<String>,
    /// The method exactly as sent (`GET`, `POST`, ...).
    pub method: String,
    /// The request target exactly as sent (path and query, or an absolute URL).
    pub target: String,
    /// The protocol version as sent (`HTTP/1.1`, `HTTP/2.0`, ...).
    pub version: String,
    /// Headers in wire order; duplicates and name casing are kept. Values are raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Inputs an HTTP request does not carry (D13), when the source knows them.
    pub context: Option<RecordedContext>,
    /// Free labels: `client`, `flow_step`, `expect_policy`, `edge_case`, ...
    pub labels: BTreeMap<String, String>,
    /// True when the source could not carry all headers (access logs).
    pub partial: bool,
}

impl RecordedRequest {
    /// The value of the last header named `name` (ASCII case-insensitive, D2 and D6), if any.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Whether a header named `name` (ASCII case-insensitive) is present.
    pub fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// Context-supplied inputs of D13, all optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordedContext {
    /// Client (source) address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<IpAddr>,
    /// Client (source) port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_port: Option<u16>,
    /// Destination address (the vserver VIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_ip: Option<IpAddr>,
    /// Destination port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_port: Option<u16>,
    /// VLAN id the request arrived on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// TLS connection properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsInfo>,
    /// Request time as an RFC 3339 string (kept as text; not validated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Location (geo) qualifier value, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// TLS properties of the client connection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TlsInfo {
    /// Protocol version, e.g. `TLSv1.2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Symmetric cipher strength in bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_bits: Option<u32>,
    /// Whether the cipher is an export cipher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exportable: Option<bool>,
    /// The client certificate, when one was presented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<ClientCert>,
}

/// Fields of a client certificate (`CLIENT.SSL.CLIENT_CERT.*`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientCert {
    /// Subject distinguished name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Issuer distinguished name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Serial number as text (hex as printed by the appliance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Signature algorithm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigalgo: Option<String>,
    /// Certificate version (1-3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Start of validity, RFC 3339 text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// End of validity, RFC 3339 text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_last_instance_case_insensitive() {
        let r = RecordedRequest {
            headers: vec![
                ("User-Agent".into(), b"first".to_vec()),
                ("Host".into(), b"h".to_vec()),
                ("user-agent".into(), b"last".to_vec()),
            ],
            ..RecordedRequest::default()
        };
        assert_eq!(r.header("USER-AGENT"), Some(&b"last"[..]));
        assert!(r.has_header("host"));
        assert_eq!(r.header("X-Citrix-Gateway"), None);
    }
}
