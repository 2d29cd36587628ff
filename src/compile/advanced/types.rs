//! Static types of advanced expressions (section 3.1) and the resolved names a lowering step
//! matches on.

use std::fmt;

/// The static type of an advanced (sub-)expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdvType {
    /// TRUE/FALSE.
    Bool,
    /// Signed 64-bit integer (D30).
    Num,
    /// Bytes with a text mode.
    Text,
    /// The instances of one request header (D26).
    Header,
    /// The name-value pairs of all Cookie headers.
    Cookie,
    /// The request method token.
    Method,
    /// `HTTP.REQ.URL`.
    Url,
    /// `HTTP.REQ.URL.PATH` (text; `GET(n)` selects a segment).
    UrlPath,
    /// A host name (`DOMAIN`, `SERVER` compare caselessly, D25).
    Hostname,
    /// A list of text elements.
    List,
    /// A name-value list.
    NvList,
    /// An IPv4 address.
    Ip,
    /// An IPv6 address.
    Ipv6,
    /// An instant with a field view.
    Time,
    /// The client certificate.
    Cert,
    /// The result of a method outside our tables: any type (evaluates UNKNOWN, D24).
    Unknown,
    /// A prefix that needs more of the chain (`HTTP.REQ`), never a value.
    Prefix(Prefix),
}

impl AdvType {
    /// Whether the type accepts the generic text methods (section 3.1 subtyping).
    pub fn is_text_like(self) -> bool {
        matches!(
            self,
            AdvType::Text
                | AdvType::Header
                | AdvType::Cookie
                | AdvType::Method
                | AdvType::Url
                | AdvType::UrlPath
                | AdvType::Hostname
                | AdvType::List
                | AdvType::NvList
                | AdvType::Cert
        )
    }

    /// The type comparisons and `+` treat this one as: text-like types compare as text.
    pub fn comparable(self) -> AdvType {
        if self.is_text_like() {
            AdvType::Text
        } else {
            self
        }
    }
}

impl fmt::Display for AdvType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AdvType::Bool => "boolean",
            AdvType::Num => "number",
            AdvType::Text => "text",
            AdvType::Header => "header",
            AdvType::Cookie => "cookie",
            AdvType::Method => "HTTP method",
            AdvType::Url => "URL",
            AdvType::UrlPath => "URL path",
            AdvType::Hostname => "host name",
            AdvType::List => "list",
            AdvType::NvList => "name-value list",
            AdvType::Ip => "IPv4 address",
            AdvType::Ipv6 => "IPv6 address",
            AdvType::Time => "time",
            AdvType::Cert => "certificate",
            AdvType::Unknown => "unsupported value",
            AdvType::Prefix(prefix) => return write!(f, "prefix {}", prefix.path()),
        })
    }
}

/// The prefixes between the first word and a value (`HTTP`, `HTTP.REQ`, `CLIENT.IP`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prefix {
    /// Before the first word.
    Root,
    /// `HTTP`
    Http,
    /// `HTTP.REQ` (alias `Q`)
    HttpReq,
    /// `CLIENT`
    Client,
    /// `CLIENT.IP`
    ClientIp,
    /// `CLIENT.IPV6`
    ClientIpv6,
    /// `CLIENT.TCP`
    ClientTcp,
    /// `CLIENT.VLAN`
    ClientVlan,
    /// `CLIENT.SSL`
    ClientSsl,
    /// `SYS`
    Sys,
    /// `AAA`
    Aaa,
    /// `AAA.USER` (alias `HTTP.REQ.USER`)
    AaaUser,
}

impl Prefix {
    /// The prefix as written in a rule (`HTTP.REQ`); the root is the start of a chain.
    pub fn path(self) -> &'static str {
        match self {
            Prefix::Root => "(start of a chain)",
            Prefix::Http => "HTTP",
            Prefix::HttpReq => "HTTP.REQ",
            Prefix::Client => "CLIENT",
            Prefix::ClientIp => "CLIENT.IP",
            Prefix::ClientIpv6 => "CLIENT.IPV6",
            Prefix::ClientTcp => "CLIENT.TCP",
            Prefix::ClientVlan => "CLIENT.VLAN",
            Prefix::ClientSsl => "CLIENT.SSL",
            Prefix::Sys => "SYS",
            Prefix::Aaa => "AAA",
            Prefix::AaaUser => "AAA.USER",
        }
    }
}

/// The text modes of `SET_TEXT_MODE` we evaluate (D25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextMode {
    /// Fold ASCII letters.
    IgnoreCase,
    /// Compare bytes exactly.
    NoIgnoreCase,
    /// Percent-decode the subject first.
    UrlEncoded,
    /// Use the subject as received.
    NoUrlEncoded,
}

impl TextMode {
    /// The mode an enumeration word names, if we evaluate it.
    pub fn from_word(word: &str) -> Option<TextMode> {
        Some(match word.to_ascii_uppercase().as_str() {
            "IGNORECASE" => TextMode::IgnoreCase,
            "NOIGNORECASE" => TextMode::NoIgnoreCase,
            "URLENCODED" => TextMode::UrlEncoded,
            "NOURLENCODED" => TextMode::NoUrlEncoded,
            _ => return None,
        })
    }
}
