//! The classic qualifier table (docs/semantics.md#qualifiers): names, aliases, value types and the
//! operators each qualifier accepts. Parser, printer and compiler all read it, so a qualifier is
//! described in one place.

use std::fmt;

use super::Operator;

/// Which side of a transaction a qualifier reads (`REQ.` or `RES.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Side {
    /// The request (`REQ.`).
    Req,
    /// The response (`RES.`), UNKNOWN at request time unless the context carries it (D13).
    Res,
}

/// A classic qualifier, reduced to its meaning: aliases and the short forms (`URL`, `SOURCEIP`,
/// `CLIENT.CERT`...) all map to one variant, and print in their full form (D15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Qualifier {
    /// `REQ.HTTP.METHOD`
    Method,
    /// `REQ.HTTP.URL` (the path, D9)
    Url,
    /// `REQ.HTTP.URLTOKENS`
    UrlTokens,
    /// `REQ.HTTP.URLLEN`
    UrlLen,
    /// `REQ.HTTP.URLQUERY`
    UrlQuery,
    /// `REQ.HTTP.URLQUERYLEN`
    UrlQueryLen,
    /// `REQ.HTTP.VERSION` / `RES.HTTP.VERSION`
    Version(Side),
    /// `REQ.HTTP.HEADER <name>` / `RES.HTTP.HEADER <name>`
    Header(Side),
    /// `RES.HTTP.STATUSCODE`
    StatusCode,
    /// `REQ.IP.SOURCEIP` / `RES.IP.SOURCEIP`
    SourceIp(Side),
    /// `REQ.IP.DESTIP` / `RES.IP.DESTIP`
    DestIp(Side),
    /// `REQ.TCP.SOURCEPORT` / `RES.TCP.SOURCEPORT`
    SourcePort(Side),
    /// `REQ.TCP.DESTPORT` / `RES.TCP.DESTPORT`
    DestPort(Side),
    /// `REQ.TCP.MSS` / `RES.TCP.MSS`
    Mss(Side),
    /// `REQ.ETHER.SOURCEMAC` (also `REQ.INTERFACE.SOURCEMAC`)
    SourceMac(Side),
    /// `REQ.ETHER.DESTMAC`
    DestMac(Side),
    /// `REQ.ETHER.ID`, the interface id such as `1/1`
    InterfaceId(Side),
    /// `REQ.ETHER.RXTHROUGHPUT`
    RxThroughput(Side),
    /// `REQ.ETHER.TXTHROUGHPUT`
    TxThroughput(Side),
    /// `REQ.ETHER.RXTXTHROUGHPUT`
    RxTxThroughput(Side),
    /// `REQ.VLANID` / `RES.VLANID`
    VlanId(Side),
    /// `LOCATION`
    Location,
    /// `REQ.SSL.CLIENT.CERT`
    ClientCert,
    /// `REQ.SSL.CLIENT.CERT.SUBJECT`
    CertSubject,
    /// `REQ.SSL.CLIENT.CERT.ISSUER`
    CertIssuer,
    /// `REQ.SSL.CLIENT.CERT.SIGALGO`
    CertSigAlgo,
    /// `REQ.SSL.CLIENT.CERT.SERIALNUMBER`
    CertSerialNumber,
    /// `REQ.SSL.CLIENT.CERT.VERSION`
    CertVersion,
    /// `REQ.SSL.CLIENT.CERT.VALIDFROM`
    CertValidFrom,
    /// `REQ.SSL.CLIENT.CERT.VALIDTO`
    CertValidTo,
    /// `REQ.SSL.CLIENT.CIPHER.TYPE` (only `== Export` / `!= Export`)
    CipherType,
    /// `REQ.SSL.CLIENT.CIPHER.BITS`
    CipherBits,
    /// `REQ.SSL.CLIENT.SSL.VERSION`
    SslVersion,
    /// `DATE`
    Date,
    /// `TIME`
    Time,
    /// `DAYOFWEEK`
    DayOfWeek,
}

/// The type of value a qualifier compares against; decides how its operand is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Free text (header values, URL, version, interface id...).
    Text,
    /// An HTTP method token.
    Method,
    /// A URL wildcard pattern (docs/semantics.md#url-wildcards) for `==`/`!=`, text otherwise.
    UrlPath,
    /// A comma-separated character list (URLTOKENS, docs/semantics.md#urltokens).
    Tokens,
    /// An unsigned integer, or a range with `==`/`!=`/`BETWEEN` (D10).
    Number,
    /// A port: integer 0-65535 or a range.
    Port,
    /// An IPv4 or IPv6 address, optionally `/len` (D11).
    Ip,
    /// A MAC address.
    Mac,
    /// A `LOCATION` geo string.
    Location,
    /// `Export` only.
    CipherType,
    /// A certificate date (RFC 822, cookie, asctime or RFC 850 form).
    CertDate,
    /// `DATE` literal `YYYY-MM-DDZZZ`.
    Date,
    /// `TIME` literal `YYYY-MM-DD-HH:MM:SSZZZ`.
    Time,
    /// `DAYOFWEEK` literal such as `SUNDAYGMT`.
    Weekday,
}

use Operator as O;

const TEXT_OPS: &[Operator] = &[
    O::Eq,
    O::Ne,
    O::Contains,
    O::NotContains,
    O::Contents,
    O::Exists,
    O::NotExists,
];
const NUM_OPS: &[Operator] = &[O::Eq, O::Ne, O::Gt, O::Lt, O::Ge, O::Le, O::Between];
const EQ_OPS: &[Operator] = &[O::Eq, O::Ne];
const CERT_OPS: &[Operator] = &[
    O::Eq,
    O::Ne,
    O::Contains,
    O::NotContains,
    O::Contents,
    O::Exists,
    O::NotExists,
];
const DATE_OPS: &[Operator] = &[O::Eq, O::Ne, O::Gt, O::Lt, O::Ge, O::Le, O::Between];
/// `DAYOFWEEK`: no `BETWEEN`, since [`Value`](super::Value) has no weekday pair.
const WEEKDAY_OPS: &[Operator] = &[O::Eq, O::Ne, O::Gt, O::Lt, O::Ge, O::Le];

/// One spelling of a qualifier, as the parser looks it up (longest first, case-insensitive, D2).
pub(crate) struct Spelling {
    pub text: &'static str,
    pub qualifier: Qualifier,
    /// A 6.0 spelling (`REQUEST.`, `HTTPHEADER`, `QUERYLEN`): accepted with a lint.
    pub old: bool,
}

macro_rules! sp {
    ($t:literal, $q:expr) => {
        Spelling {
            text: $t,
            qualifier: $q,
            old: false,
        }
    };
    ($t:literal, $q:expr, old) => {
        Spelling {
            text: $t,
            qualifier: $q,
            old: true,
        }
    };
}

use Qualifier as Q;
use Side::{Req, Res};

/// Every accepted spelling. The parser tries them longest first.
pub(crate) const SPELLINGS: &[Spelling] = &[
    sp!("REQ.HTTP.METHOD", Q::Method),
    sp!("METHOD", Q::Method),
    sp!("REQ.HTTP.URL", Q::Url),
    sp!("URL", Q::Url),
    sp!("REQ.HTTP.URLTOKENS", Q::UrlTokens),
    sp!("URLTOKENS", Q::UrlTokens),
    sp!("REQ.HTTP.URLLEN", Q::UrlLen),
    sp!("URLLEN", Q::UrlLen),
    sp!("REQ.HTTP.URLQUERY", Q::UrlQuery),
    sp!("URLQUERY", Q::UrlQuery),
    sp!("REQ.HTTP.URLQUERYLEN", Q::UrlQueryLen),
    sp!("URLQUERYLEN", Q::UrlQueryLen),
    sp!("QUERYLEN", Q::UrlQueryLen, old),
    sp!("REQ.HTTP.VERSION", Q::Version(Req)),
    sp!("RES.HTTP.VERSION", Q::Version(Res)),
    sp!("VERSION", Q::Version(Req)),
    sp!("REQ.HTTP.HEADER", Q::Header(Req)),
    sp!("RES.HTTP.HEADER", Q::Header(Res)),
    sp!("HEADER", Q::Header(Req)),
    sp!("HTTPHEADER", Q::Header(Req), old),
    sp!("RES.HTTP.STATUSCODE", Q::StatusCode),
    sp!("STATUSCODE", Q::StatusCode),
    sp!("REQ.IP.SOURCEIP", Q::SourceIp(Req)),
    sp!("RES.IP.SOURCEIP", Q::SourceIp(Res)),
    sp!("SOURCEIP", Q::SourceIp(Req)),
    sp!("REQ.IP.DESTIP", Q::DestIp(Req)),
    sp!("RES.IP.DESTIP", Q::DestIp(Res)),
    sp!("DESTIP", Q::DestIp(Req)),
    sp!("REQ.TCP.SOURCEPORT", Q::SourcePort(Req)),
    sp!("RES.TCP.SOURCEPORT", Q::SourcePort(Res)),
    sp!("SOURCEPORT", Q::SourcePort(Req)),
    sp!("REQ.TCP.DESTPORT", Q::DestPort(Req)),
    sp!("RES.TCP.DESTPORT", Q::DestPort(Res)),
    sp!("DESTPORT", Q::DestPort(Req)),
    sp!("REQ.TCP.MSS", Q::Mss(Req)),
    sp!("RES.TCP.MSS", Q::Mss(Res)),
    sp!("MSS", Q::Mss(Req)),
    sp!("REQ.ETHER.SOURCEMAC", Q::SourceMac(Req)),
    sp!("RES.ETHER.SOURCEMAC", Q::SourceMac(Res)),
    sp!("REQ.INTERFACE.SOURCEMAC", Q::SourceMac(Req)),
    sp!("RES.INTERFACE.SOURCEMAC", Q::SourceMac(Res)),
    sp!("SOURCEMAC", Q::SourceMac(Req)),
    sp!("REQ.ETHER.DESTMAC", Q::DestMac(Req)),
    sp!("RES.ETHER.DESTMAC", Q::DestMac(Res)),
    sp!("REQ.INTERFACE.DESTMAC", Q::DestMac(Req)),
    sp!("RES.INTERFACE.DESTMAC", Q::DestMac(Res)),
    sp!("DESTMAC", Q::DestMac(Req)),
    sp!("REQ.ETHER.ID", Q::InterfaceId(Req)),
    sp!("RES.ETHER.ID", Q::InterfaceId(Res)),
    sp!("REQ.INTERFACE.ID", Q::InterfaceId(Req)),
    sp!("RES.INTERFACE.ID", Q::InterfaceId(Res)),
    sp!("ID", Q::InterfaceId(Req)),
    sp!("REQ.ETHER.RXTHROUGHPUT", Q::RxThroughput(Req)),
    sp!("RES.ETHER.RXTHROUGHPUT", Q::RxThroughput(Res)),
    sp!("REQ.INTERFACE.RXTHROUGHPUT", Q::RxThroughput(Req)),
    sp!("RES.INTERFACE.RXTHROUGHPUT", Q::RxThroughput(Res)),
    sp!("RXTHROUGHPUT", Q::RxThroughput(Req)),
    sp!("REQ.ETHER.TXTHROUGHPUT", Q::TxThroughput(Req)),
    sp!("RES.ETHER.TXTHROUGHPUT", Q::TxThroughput(Res)),
    sp!("REQ.INTERFACE.TXTHROUGHPUT", Q::TxThroughput(Req)),
    sp!("RES.INTERFACE.TXTHROUGHPUT", Q::TxThroughput(Res)),
    sp!("TXTHROUGHPUT", Q::TxThroughput(Req)),
    sp!("REQ.ETHER.RXTXTHROUGHPUT", Q::RxTxThroughput(Req)),
    sp!("RES.ETHER.RXTXTHROUGHPUT", Q::RxTxThroughput(Res)),
    sp!("REQ.INTERFACE.RXTXTHROUGHPUT", Q::RxTxThroughput(Req)),
    sp!("RES.INTERFACE.RXTXTHROUGHPUT", Q::RxTxThroughput(Res)),
    sp!("RXTXTHROUGHPUT", Q::RxTxThroughput(Req)),
    sp!("REQ.VLANID", Q::VlanId(Req)),
    sp!("RES.VLANID", Q::VlanId(Res)),
    sp!("VLANID", Q::VlanId(Req)),
    sp!("LOCATION", Q::Location),
    sp!("REQ.SSL.CLIENT.CERT", Q::ClientCert),
    sp!("CLIENT.CERT", Q::ClientCert),
    sp!("REQ.SSL.CLIENT.CERT.SUBJECT", Q::CertSubject),
    sp!("CLIENT.CERT.SUBJECT", Q::CertSubject),
    sp!("REQ.SSL.CLIENT.CERT.ISSUER", Q::CertIssuer),
    sp!("CLIENT.CERT.ISSUER", Q::CertIssuer),
    sp!("REQ.SSL.CLIENT.CERT.SIGALGO", Q::CertSigAlgo),
    sp!("CLIENT.CERT.SIGALGO", Q::CertSigAlgo),
    sp!("REQ.SSL.CLIENT.CERT.SERIALNUMBER", Q::CertSerialNumber),
    sp!("CLIENT.CERT.SERIALNUMBER", Q::CertSerialNumber),
    sp!("REQ.SSL.CLIENT.CERT.VERSION", Q::CertVersion),
    sp!("CLIENT.CERT.VERSION", Q::CertVersion),
    sp!("REQ.SSL.CLIENT.CERT.VALIDFROM", Q::CertValidFrom),
    sp!("CLIENT.CERT.VALIDFROM", Q::CertValidFrom),
    sp!("REQ.SSL.CLIENT.CERT.VALIDTO", Q::CertValidTo),
    sp!("CLIENT.CERT.VALIDTO", Q::CertValidTo),
    sp!("REQ.SSL.CLIENT.CIPHER.TYPE", Q::CipherType),
    sp!("CLIENT.CIPHER.TYPE", Q::CipherType),
    sp!("REQ.SSL.CLIENT.CIPHER.BITS", Q::CipherBits),
    sp!("CLIENT.CIPHER.BITS", Q::CipherBits),
    sp!("REQ.SSL.CLIENT.SSL.VERSION", Q::SslVersion),
    sp!("CLIENT.SSL.VERSION", Q::SslVersion),
    sp!("DATE", Q::Date),
    sp!("TIME", Q::Time),
    sp!("DAYOFWEEK", Q::DayOfWeek),
];

impl Qualifier {
    /// Looks a qualifier word up (case-insensitive, D2). Returns the qualifier and whether the
    /// spelling is a 6.0 one (lint). `REQUEST.`/`RESPONSE.` prefixes are accepted as 6.0 spellings.
    pub fn lookup(word: &str) -> Option<(Qualifier, bool)> {
        // Upper-case into a stack buffer once, then compare bytes (the table is upper case).
        let mut buf = [0u8; 40];
        let upper = buf.get_mut(..word.len())?;
        upper.copy_from_slice(word.as_bytes());
        upper.make_ascii_uppercase();
        let upper = &*upper;
        if let Some(found) = SPELLINGS.iter().find(|s| s.text.as_bytes() == upper) {
            return Some((found.qualifier, found.old));
        }
        // 6.0 `REQUEST.` / `RESPONSE.` prefixes, compared without allocating.
        let (modern, rest) = [("REQUEST.", "REQ."), ("RESPONSE.", "RES.")]
            .into_iter()
            .find_map(|(old, modern)| {
                let head = word.get(..old.len())?;
                head.eq_ignore_ascii_case(old)
                    .then(|| (modern, word.get(old.len()..)))
            })?;
        let rest = rest?;
        SPELLINGS
            .iter()
            .find(|s| {
                s.text
                    .strip_prefix(modern)
                    .is_some_and(|t| t.eq_ignore_ascii_case(rest))
            })
            .map(|s| (s.qualifier, true))
    }

    /// The canonical full name (D15).
    pub fn canonical_name(self) -> &'static str {
        match self {
            Q::Method => "REQ.HTTP.METHOD",
            Q::Url => "REQ.HTTP.URL",
            Q::UrlTokens => "REQ.HTTP.URLTOKENS",
            Q::UrlLen => "REQ.HTTP.URLLEN",
            Q::UrlQuery => "REQ.HTTP.URLQUERY",
            Q::UrlQueryLen => "REQ.HTTP.URLQUERYLEN",
            Q::Version(Req) => "REQ.HTTP.VERSION",
            Q::Version(Res) => "RES.HTTP.VERSION",
            Q::Header(Req) => "REQ.HTTP.HEADER",
            Q::Header(Res) => "RES.HTTP.HEADER",
            Q::StatusCode => "RES.HTTP.STATUSCODE",
            Q::SourceIp(Req) => "REQ.IP.SOURCEIP",
            Q::SourceIp(Res) => "RES.IP.SOURCEIP",
            Q::DestIp(Req) => "REQ.IP.DESTIP",
            Q::DestIp(Res) => "RES.IP.DESTIP",
            Q::SourcePort(Req) => "REQ.TCP.SOURCEPORT",
            Q::SourcePort(Res) => "RES.TCP.SOURCEPORT",
            Q::DestPort(Req) => "REQ.TCP.DESTPORT",
            Q::DestPort(Res) => "RES.TCP.DESTPORT",
            Q::Mss(Req) => "REQ.TCP.MSS",
            Q::Mss(Res) => "RES.TCP.MSS",
            Q::SourceMac(Req) => "REQ.ETHER.SOURCEMAC",
            Q::SourceMac(Res) => "RES.ETHER.SOURCEMAC",
            Q::DestMac(Req) => "REQ.ETHER.DESTMAC",
            Q::DestMac(Res) => "RES.ETHER.DESTMAC",
            Q::InterfaceId(Req) => "REQ.ETHER.ID",
            Q::InterfaceId(Res) => "RES.ETHER.ID",
            Q::RxThroughput(Req) => "REQ.ETHER.RXTHROUGHPUT",
            Q::RxThroughput(Res) => "RES.ETHER.RXTHROUGHPUT",
            Q::TxThroughput(Req) => "REQ.ETHER.TXTHROUGHPUT",
            Q::TxThroughput(Res) => "RES.ETHER.TXTHROUGHPUT",
            Q::RxTxThroughput(Req) => "REQ.ETHER.RXTXTHROUGHPUT",
            Q::RxTxThroughput(Res) => "RES.ETHER.RXTXTHROUGHPUT",
            Q::VlanId(Req) => "REQ.VLANID",
            Q::VlanId(Res) => "RES.VLANID",
            Q::Location => "LOCATION",
            Q::ClientCert => "REQ.SSL.CLIENT.CERT",
            Q::CertSubject => "REQ.SSL.CLIENT.CERT.SUBJECT",
            Q::CertIssuer => "REQ.SSL.CLIENT.CERT.ISSUER",
            Q::CertSigAlgo => "REQ.SSL.CLIENT.CERT.SIGALGO",
            Q::CertSerialNumber => "REQ.SSL.CLIENT.CERT.SERIALNUMBER",
            Q::CertVersion => "REQ.SSL.CLIENT.CERT.VERSION",
            Q::CertValidFrom => "REQ.SSL.CLIENT.CERT.VALIDFROM",
            Q::CertValidTo => "REQ.SSL.CLIENT.CERT.VALIDTO",
            Q::CipherType => "REQ.SSL.CLIENT.CIPHER.TYPE",
            Q::CipherBits => "REQ.SSL.CLIENT.CIPHER.BITS",
            Q::SslVersion => "REQ.SSL.CLIENT.SSL.VERSION",
            Q::Date => "DATE",
            Q::Time => "TIME",
            Q::DayOfWeek => "DAYOFWEEK",
        }
    }

    /// Whether a header name follows the qualifier.
    pub fn takes_header_name(self) -> bool {
        matches!(self, Q::Header(_))
    }

    /// The value type of the operand.
    pub fn value_type(self) -> ValueType {
        match self {
            Q::Method => ValueType::Method,
            Q::Url => ValueType::UrlPath,
            Q::UrlTokens => ValueType::Tokens,
            Q::UrlLen | Q::UrlQueryLen | Q::StatusCode | Q::Mss(_) | Q::VlanId(_) => {
                ValueType::Number
            }
            Q::RxThroughput(_) | Q::TxThroughput(_) | Q::RxTxThroughput(_) => ValueType::Number,
            Q::CertVersion | Q::CipherBits | Q::SslVersion => ValueType::Number,
            Q::SourcePort(_) | Q::DestPort(_) => ValueType::Port,
            Q::SourceIp(_) | Q::DestIp(_) => ValueType::Ip,
            Q::SourceMac(_) | Q::DestMac(_) => ValueType::Mac,
            Q::Location => ValueType::Location,
            Q::CipherType => ValueType::CipherType,
            Q::CertValidFrom | Q::CertValidTo => ValueType::CertDate,
            Q::Date => ValueType::Date,
            Q::Time => ValueType::Time,
            Q::DayOfWeek => ValueType::Weekday,
            Q::UrlQuery | Q::Version(_) | Q::Header(_) | Q::InterfaceId(_) => ValueType::Text,
            Q::ClientCert | Q::CertSubject | Q::CertIssuer | Q::CertSigAlgo => ValueType::Text,
            Q::CertSerialNumber => ValueType::Text,
        }
    }

    /// The operators this qualifier accepts (docs/semantics.md#qualifiers).
    pub fn operators(self) -> &'static [Operator] {
        match self {
            Q::Method | Q::UrlTokens | Q::SourceIp(_) | Q::DestIp(_) => EQ_OPS,
            Q::SourceMac(_) | Q::DestMac(_) | Q::Location | Q::CipherType => EQ_OPS,
            Q::Url | Q::UrlQuery | Q::Version(_) | Q::Header(_) | Q::InterfaceId(_) => TEXT_OPS,
            Q::ClientCert
            | Q::CertSubject
            | Q::CertIssuer
            | Q::CertSigAlgo
            | Q::CertSerialNumber => CERT_OPS,
            Q::CertValidFrom | Q::CertValidTo | Q::Date | Q::Time => DATE_OPS,
            Q::DayOfWeek => WEEKDAY_OPS,
            _ => NUM_OPS,
        }
    }

    /// Whether `-length` / `-offset` apply (text qualifiers only, D5).
    pub fn takes_window(self) -> bool {
        matches!(
            self.value_type(),
            ValueType::Text | ValueType::UrlPath | ValueType::Method
        ) && !matches!(self, Q::Method)
    }

    /// Whether `-netmask` applies (IP qualifiers, D5/D11).
    pub fn takes_netmask(self) -> bool {
        matches!(self.value_type(), ValueType::Ip)
    }

    /// Whether the data comes from the caller's context rather than the request (D13).
    pub fn needs_context(self) -> bool {
        !matches!(
            self,
            Q::Method
                | Q::Url
                | Q::UrlTokens
                | Q::UrlLen
                | Q::UrlQuery
                | Q::UrlQueryLen
                | Q::Version(Req)
                | Q::Header(Req)
        )
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.canonical_name())
    }
}
