//! The method tables of section 4: for each receiver, the names it accepts, their parameters
//! and result types. Prefix entries lead from the first word to a [`SourceKind`]; method entries
//! apply an [`Op`] to a value.

use super::types::{AdvType, Prefix};

/// What a parameter position accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    /// Any text-like expression.
    Text,
    /// A string literal (group names, EPA expression names).
    TextLiteral,
    /// A string literal of at most 32 bytes (D26).
    HeaderName,
    /// Any numeric expression.
    Num,
    /// A number literal 0-14 (D26).
    Index,
    /// A number literal (`BODY(n)`).
    NumLiteral,
    /// `re<d>...<d>`.
    Regex,
    /// A character literal (or a one-byte string).
    Char,
    /// A text-mode word (D25).
    Mode,
    /// A method word (`GET`) or a quoted method (D29).
    MethodName,
    /// An IPv4 address.
    Ipv4,
    /// An IPv4 subnet `a.b.c.d/len`.
    Subnet4,
    /// An IPv6 address.
    Ipv6,
    /// An IPv6 subnet.
    Subnet6,
    /// A time literal.
    Time,
    /// A pattern-set name (string, or a bare name with a lint).
    PatSet,
    /// An attribute number 1-16 or a string name.
    Attribute,
    /// A string literal holding a classic rule.
    Classic,
}

impl Param {
    /// A phrase for error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Param::Text => "text",
            Param::TextLiteral => "a string literal",
            Param::HeaderName => "a header name literal",
            Param::Num => "a number",
            Param::Index => "an instance number 0-14",
            Param::NumLiteral => "a number literal",
            Param::Regex => "a regular expression re/.../",
            Param::Char => "a character literal such as ','",
            Param::Mode => "a text mode (IGNORECASE, NOIGNORECASE, URLENCODED, NOURLENCODED)",
            Param::MethodName => "an HTTP method such as GET or \"GET\"",
            Param::Ipv4 => "an IPv4 address",
            Param::Subnet4 => "an IPv4 subnet such as 10.0.0.0/8",
            Param::Ipv6 => "an IPv6 address",
            Param::Subnet6 => "an IPv6 subnet such as 2001:db8::/32",
            Param::Time => "a time literal such as GMT 2024 Jan 1",
            Param::PatSet => "a pattern-set name",
            Param::Attribute => "an attribute number 1-16 or name",
            Param::Classic => "a string holding a classic expression",
        }
    }
}

/// The values a chain can start from (the end of a prefix path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    Header,
    CacheControl,
    Url,
    Hostname,
    Method,
    Version,
    Cookie,
    IsValid,
    Body,
    Date,
    ClientIp { dst: bool },
    ClientIpv6 { dst: bool },
    ClientPort { dst: bool },
    Mss,
    VlanId,
    IsSsl,
    ClientCert,
    CipherBits,
    SslVersion,
    CipherExportable,
    SysTime,
    EvalClassic,
    ClientExpr,
    UserName,
    IsMemberOf,
    Groups,
    Attribute,
}

/// Where a prefix step leads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Next {
    /// A deeper prefix.
    Prefix(Prefix),
    /// A value.
    Source(SourceKind, &'static [Param], AdvType),
}

pub(crate) struct PrefixEntry {
    pub at: Prefix,
    pub name: &'static str,
    pub next: Next,
}

const fn p(at: Prefix, name: &'static str, next: Prefix) -> PrefixEntry {
    PrefixEntry {
        at,
        name,
        next: Next::Prefix(next),
    }
}

const fn s(
    at: Prefix,
    name: &'static str,
    kind: SourceKind,
    params: &'static [Param],
    ty: AdvType,
) -> PrefixEntry {
    PrefixEntry {
        at,
        name,
        next: Next::Source(kind, params, ty),
    }
}

use AdvType as T;
use Param as A;
use Prefix as P;
use SourceKind as K;

/// Prefix paths of sections 4.1-4.3.
pub(crate) const PREFIXES: &[PrefixEntry] = &[
    p(P::Root, "HTTP", P::Http),
    p(P::Root, "Q", P::HttpReq),
    p(P::Root, "CLIENT", P::Client),
    p(P::Root, "SYS", P::Sys),
    p(P::Root, "AAA", P::Aaa),
    p(P::Http, "REQ", P::HttpReq),
    s(P::HttpReq, "HEADER", K::Header, &[A::HeaderName], T::Header),
    s(P::HttpReq, "CACHE_CONTROL", K::CacheControl, &[], T::Header),
    s(P::HttpReq, "URL", K::Url, &[], T::Url),
    s(P::HttpReq, "HOSTNAME", K::Hostname, &[], T::Hostname),
    s(P::HttpReq, "METHOD", K::Method, &[], T::Method),
    s(P::HttpReq, "VERSION", K::Version, &[], T::Text),
    s(P::HttpReq, "COOKIE", K::Cookie, &[], T::Cookie),
    s(P::HttpReq, "IS_VALID", K::IsValid, &[], T::Bool),
    s(P::HttpReq, "BODY", K::Body, &[A::NumLiteral], T::Text),
    s(P::HttpReq, "DATE", K::Date, &[], T::Time),
    p(P::HttpReq, "USER", P::AaaUser),
    p(P::Client, "IP", P::ClientIp),
    p(P::Client, "IPV6", P::ClientIpv6),
    p(P::Client, "TCP", P::ClientTcp),
    p(P::Client, "VLAN", P::ClientVlan),
    p(P::Client, "SSL", P::ClientSsl),
    s(P::ClientIp, "SRC", K::ClientIp { dst: false }, &[], T::Ip),
    s(P::ClientIp, "DST", K::ClientIp { dst: true }, &[], T::Ip),
    s(
        P::ClientIpv6,
        "SRC",
        K::ClientIpv6 { dst: false },
        &[],
        T::Ipv6,
    ),
    s(
        P::ClientIpv6,
        "DST",
        K::ClientIpv6 { dst: true },
        &[],
        T::Ipv6,
    ),
    s(
        P::ClientTcp,
        "SRCPORT",
        K::ClientPort { dst: false },
        &[],
        T::Num,
    ),
    s(
        P::ClientTcp,
        "DSTPORT",
        K::ClientPort { dst: true },
        &[],
        T::Num,
    ),
    s(P::ClientTcp, "MSS", K::Mss, &[], T::Num),
    s(P::ClientVlan, "ID", K::VlanId, &[], T::Num),
    s(P::ClientSsl, "IS_SSL", K::IsSsl, &[], T::Bool),
    s(P::ClientSsl, "CLIENT_CERT", K::ClientCert, &[], T::Cert),
    s(P::ClientSsl, "CIPHER_BITS", K::CipherBits, &[], T::Num),
    s(P::ClientSsl, "VERSION", K::SslVersion, &[], T::Num),
    s(
        P::ClientSsl,
        "CIPHER_EXPORTABLE",
        K::CipherExportable,
        &[],
        T::Bool,
    ),
    s(P::Sys, "TIME", K::SysTime, &[], T::Time),
    s(
        P::Sys,
        "EVAL_CLASSIC_EXPR",
        K::EvalClassic,
        &[A::Classic],
        T::Bool,
    ),
    s(
        P::Sys,
        "CLIENT_EXPR",
        K::ClientExpr,
        &[A::TextLiteral],
        T::Bool,
    ),
    p(P::Aaa, "USER", P::AaaUser),
    s(P::AaaUser, "NAME", K::UserName, &[], T::Text),
    s(
        P::AaaUser,
        "IS_MEMBER_OF",
        K::IsMemberOf,
        &[A::TextLiteral],
        T::Bool,
    ),
    s(P::AaaUser, "GROUPS", K::Groups, &[], T::List),
    s(
        P::AaaUser,
        "ATTRIBUTE",
        K::Attribute,
        &[A::Attribute],
        T::Text,
    ),
];

/// A method applied to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `CONTAINS(s)`: on a header, some single instance (D26).
    Contains,
    /// `EQ(x)` (text, number, IP, time or method).
    Eq,
    /// `NE(x)`
    Ne,
    /// `GT(x)`
    Gt,
    /// `GE(x)`
    Ge,
    /// `LT(x)`
    Lt,
    /// `LE(x)`
    Le,
    /// `BETWEEN(a,b)`, inclusive (D30).
    Between,
    /// `STARTSWITH(s)`
    StartsWith,
    /// `ENDSWITH(s)`
    EndsWith,
    /// `LENGTH`
    Length,
    /// `SET_TEXT_MODE(m)`: keeps the receiver's type (D25).
    SetTextMode,
    /// `TO_LOWER`
    ToLower,
    /// `TO_UPPER`
    ToUpper,
    /// `SKIP(n)`
    Skip,
    /// `SUBSTR(i,j)`
    SubstrRange,
    /// `SUBSTR(s)`
    SubstrText,
    /// `AFTER_STR(s)`
    AfterStr,
    /// `BEFORE_STR(s)`
    BeforeStr,
    /// `STRIP_END_CHARS(s)`
    StripEndChars,
    /// `CONTAINS_ANY(set)`
    ContainsAny,
    /// `EQUALS_ANY(set)`
    EqualsAny,
    /// `STARTSWITH_ANY(set)`
    StartsWithAny,
    /// `REGEX_MATCH(re/../)` (D28).
    RegexMatch,
    /// `TYPECAST_LIST_T(c)`
    TypecastList,
    /// `TYPECAST_NVLIST_T(c,c)`
    TypecastNvList,
    /// `TYPECAST_NUM_T`
    TypecastNum,
    /// `TYPECAST_IP_ADDRESS_T`
    TypecastIp,
    /// `TYPECAST_HTTP_HOSTNAME_T`
    TypecastHostname,
    /// `TYPECAST_TEXT_T`
    TypecastText,
    /// `TYPECAST_HTTP_HEADER_T` (cookie to its Cookie lines).
    TypecastHeader,
    /// `EXISTS`
    Exists,
    /// `COUNT`: instances, pairs or elements.
    Count,
    /// `INSTANCE(n)`, counted from the last (D26).
    Instance,
    /// `VALUE(n)`: the n-th instance from the last.
    Value,
    /// `VALUE("name")` of a name-value list or cookie.
    ValueNamed,
    /// `GET(n)`: a list element or path segment.
    Get,
    /// `IGNORE_EMPTY_ELEMENTS`
    IgnoreEmpty,
    /// `IN_SUBNET(p/len)`
    InSubnet,
    /// `MATCHES_LOCATION("...")`
    MatchesLocation,
    /// `NOT`
    Not,
    /// `URL.PATH`
    Path,
    /// `URL.QUERY`
    Query,
    /// `URL.PATH_AND_QUERY`
    PathAndQuery,
    /// `URL.SUFFIX`
    Suffix,
    /// `URL.HOSTNAME`
    UrlHostname,
    /// `HOSTNAME.DOMAIN` (caseless, D25)
    Domain,
    /// `HOSTNAME.SERVER` (caseless, D25)
    Server,
    /// `HOSTNAME.PORT`
    Port,
    /// Certificate `SUBJECT`
    Subject,
    /// Certificate `ISSUER`
    Issuer,
    /// Certificate `SERIALNUMBER`
    SerialNumber,
    /// Certificate `SIGNATURE_ALGORITHM`
    SignatureAlgorithm,
    /// Certificate `DAYS_TO_EXPIRE`
    DaysToExpire,
    /// Certificate `VERSION`
    CertVersion,
    /// Certificate `VALID_NOT_BEFORE`
    ValidNotBefore,
    /// Certificate `VALID_NOT_AFTER`
    ValidNotAfter,
    /// Time field `WEEKDAY` (0 Sunday)
    Weekday,
    /// Time field `DAY`
    Day,
    /// Time field `HOURS`
    Hours,
    /// Time field `MINUTES`
    Minutes,
    /// Time field `SECONDS`
    Seconds,
    /// Time field `MONTH`
    Month,
    /// Time field `YEAR`
    Year,
}

/// Which receivers an entry applies to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Recv {
    Is(AdvType),
    TextLike,
    Lists,
}

impl Recv {
    pub(crate) fn accepts(self, ty: AdvType) -> bool {
        match self {
            Recv::Is(t) => t == ty,
            Recv::TextLike => ty.is_text_like(),
            Recv::Lists => matches!(ty, AdvType::List | AdvType::NvList | AdvType::UrlPath),
        }
    }
}

/// What a method returns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ret {
    Is(AdvType),
    Receiver,
}

pub(crate) struct MethodEntry {
    pub recv: Recv,
    pub name: &'static str,
    pub params: &'static [Param],
    pub ret: Ret,
    pub op: Op,
}

const fn m(
    recv: Recv,
    name: &'static str,
    params: &'static [Param],
    ret: AdvType,
    op: Op,
) -> MethodEntry {
    MethodEntry {
        recv,
        name,
        params,
        ret: Ret::Is(ret),
        op,
    }
}

const fn same(recv: Recv, name: &'static str, params: &'static [Param], op: Op) -> MethodEntry {
    MethodEntry {
        recv,
        name,
        params,
        ret: Ret::Receiver,
        op,
    }
}

use Recv::{Is, Lists, TextLike};

/// Methods of sections 4.1, 4.2 and 4.4; specific receivers come before generic ones.
pub(crate) const METHODS: &[MethodEntry] = &[
    // Headers (4.1, D26).
    m(Is(T::Header), "EXISTS", &[], T::Bool, Op::Exists),
    m(Is(T::Header), "COUNT", &[], T::Num, Op::Count),
    m(
        Is(T::Header),
        "INSTANCE",
        &[A::Index],
        T::Header,
        Op::Instance,
    ),
    m(Is(T::Header), "VALUE", &[A::Index], T::Text, Op::Value),
    // Cookies.
    m(Is(T::Cookie), "COUNT", &[], T::Num, Op::Count),
    m(Is(T::Cookie), "VALUE", &[A::Index], T::Text, Op::Value),
    m(Is(T::Cookie), "VALUE", &[A::Text], T::Text, Op::ValueNamed),
    m(Is(T::Cookie), "EXISTS", &[A::Text], T::Bool, Op::Exists),
    m(
        Is(T::Cookie),
        "TYPECAST_HTTP_HEADER_T",
        &[],
        T::Header,
        Op::TypecastHeader,
    ),
    // Method (D29).
    m(Is(T::Method), "EQ", &[A::MethodName], T::Bool, Op::Eq),
    m(Is(T::Method), "NE", &[A::MethodName], T::Bool, Op::Ne),
    // URL and host (4.2, D29).
    m(Is(T::Url), "PATH", &[], T::UrlPath, Op::Path),
    m(Is(T::Url), "QUERY", &[], T::NvList, Op::Query),
    m(Is(T::Url), "PATH_AND_QUERY", &[], T::Text, Op::PathAndQuery),
    m(Is(T::Url), "SUFFIX", &[], T::Text, Op::Suffix),
    m(Is(T::Url), "HOSTNAME", &[], T::Hostname, Op::UrlHostname),
    m(Is(T::Hostname), "DOMAIN", &[], T::Text, Op::Domain),
    m(Is(T::Hostname), "SERVER", &[], T::Text, Op::Server),
    m(Is(T::Hostname), "PORT", &[], T::Num, Op::Port),
    // Lists.
    m(Lists, "COUNT", &[], T::Num, Op::Count),
    m(Lists, "GET", &[A::Num], T::Text, Op::Get),
    same(Lists, "IGNORE_EMPTY_ELEMENTS", &[], Op::IgnoreEmpty),
    m(Is(T::NvList), "VALUE", &[A::Text], T::Text, Op::ValueNamed),
    m(Is(T::NvList), "EXISTS", &[A::Text], T::Bool, Op::Exists),
    // Certificates (4.3).
    m(Is(T::Cert), "EXISTS", &[], T::Bool, Op::Exists),
    m(Is(T::Cert), "SUBJECT", &[], T::NvList, Op::Subject),
    m(Is(T::Cert), "ISSUER", &[], T::NvList, Op::Issuer),
    m(Is(T::Cert), "SERIALNUMBER", &[], T::Text, Op::SerialNumber),
    m(
        Is(T::Cert),
        "SIGNATURE_ALGORITHM",
        &[],
        T::Text,
        Op::SignatureAlgorithm,
    ),
    m(Is(T::Cert), "DAYS_TO_EXPIRE", &[], T::Num, Op::DaysToExpire),
    m(Is(T::Cert), "VERSION", &[], T::Num, Op::CertVersion),
    m(
        Is(T::Cert),
        "VALID_NOT_BEFORE",
        &[],
        T::Time,
        Op::ValidNotBefore,
    ),
    m(
        Is(T::Cert),
        "VALID_NOT_AFTER",
        &[],
        T::Time,
        Op::ValidNotAfter,
    ),
    // Generic text (4.4, D25).
    m(TextLike, "CONTAINS", &[A::Text], T::Bool, Op::Contains),
    m(TextLike, "EQ", &[A::Text], T::Bool, Op::Eq),
    m(TextLike, "NE", &[A::Text], T::Bool, Op::Ne),
    m(TextLike, "STARTSWITH", &[A::Text], T::Bool, Op::StartsWith),
    m(TextLike, "ENDSWITH", &[A::Text], T::Bool, Op::EndsWith),
    m(TextLike, "LENGTH", &[], T::Num, Op::Length),
    same(TextLike, "SET_TEXT_MODE", &[A::Mode], Op::SetTextMode),
    m(TextLike, "TO_LOWER", &[], T::Text, Op::ToLower),
    m(TextLike, "TO_UPPER", &[], T::Text, Op::ToUpper),
    m(TextLike, "SKIP", &[A::Num], T::Text, Op::Skip),
    m(
        TextLike,
        "SUBSTR",
        &[A::Num, A::Num],
        T::Text,
        Op::SubstrRange,
    ),
    m(TextLike, "SUBSTR", &[A::Text], T::Text, Op::SubstrText),
    m(TextLike, "AFTER_STR", &[A::Text], T::Text, Op::AfterStr),
    m(TextLike, "BEFORE_STR", &[A::Text], T::Text, Op::BeforeStr),
    m(
        TextLike,
        "STRIP_END_CHARS",
        &[A::Text],
        T::Text,
        Op::StripEndChars,
    ),
    m(
        TextLike,
        "CONTAINS_ANY",
        &[A::PatSet],
        T::Bool,
        Op::ContainsAny,
    ),
    m(TextLike, "EQUALS_ANY", &[A::PatSet], T::Bool, Op::EqualsAny),
    m(
        TextLike,
        "STARTSWITH_ANY",
        &[A::PatSet],
        T::Bool,
        Op::StartsWithAny,
    ),
    m(
        TextLike,
        "REGEX_MATCH",
        &[A::Regex],
        T::Bool,
        Op::RegexMatch,
    ),
    m(
        TextLike,
        "TYPECAST_LIST_T",
        &[A::Char],
        T::List,
        Op::TypecastList,
    ),
    m(
        TextLike,
        "TYPECAST_NVLIST_T",
        &[A::Char, A::Char],
        T::NvList,
        Op::TypecastNvList,
    ),
    m(TextLike, "TYPECAST_NUM_T", &[], T::Num, Op::TypecastNum),
    m(
        TextLike,
        "TYPECAST_IP_ADDRESS_T",
        &[],
        T::Ip,
        Op::TypecastIp,
    ),
    m(
        TextLike,
        "TYPECAST_HTTP_HOSTNAME_T",
        &[],
        T::Hostname,
        Op::TypecastHostname,
    ),
    m(TextLike, "TYPECAST_TEXT_T", &[], T::Text, Op::TypecastText),
    // Numbers (D30).
    m(Is(T::Num), "EQ", &[A::Num], T::Bool, Op::Eq),
    m(Is(T::Num), "NE", &[A::Num], T::Bool, Op::Ne),
    m(Is(T::Num), "GT", &[A::Num], T::Bool, Op::Gt),
    m(Is(T::Num), "GE", &[A::Num], T::Bool, Op::Ge),
    m(Is(T::Num), "LT", &[A::Num], T::Bool, Op::Lt),
    m(Is(T::Num), "LE", &[A::Num], T::Bool, Op::Le),
    m(
        Is(T::Num),
        "BETWEEN",
        &[A::Num, A::Num],
        T::Bool,
        Op::Between,
    ),
    // Addresses (D30).
    m(Is(T::Ip), "EQ", &[A::Ipv4], T::Bool, Op::Eq),
    m(Is(T::Ip), "IN_SUBNET", &[A::Subnet4], T::Bool, Op::InSubnet),
    m(
        Is(T::Ip),
        "MATCHES_LOCATION",
        &[A::Text],
        T::Bool,
        Op::MatchesLocation,
    ),
    m(Is(T::Ipv6), "EQ", &[A::Ipv6], T::Bool, Op::Eq),
    m(
        Is(T::Ipv6),
        "IN_SUBNET",
        &[A::Subnet6],
        T::Bool,
        Op::InSubnet,
    ),
    // Time (D30).
    m(Is(T::Time), "EQ", &[A::Time], T::Bool, Op::Eq),
    m(Is(T::Time), "GT", &[A::Time], T::Bool, Op::Gt),
    m(Is(T::Time), "GE", &[A::Time], T::Bool, Op::Ge),
    m(Is(T::Time), "LT", &[A::Time], T::Bool, Op::Lt),
    m(Is(T::Time), "LE", &[A::Time], T::Bool, Op::Le),
    m(
        Is(T::Time),
        "BETWEEN",
        &[A::Time, A::Time],
        T::Bool,
        Op::Between,
    ),
    m(Is(T::Time), "WEEKDAY", &[], T::Num, Op::Weekday),
    m(Is(T::Time), "DAY", &[], T::Num, Op::Day),
    m(Is(T::Time), "HOURS", &[], T::Num, Op::Hours),
    m(Is(T::Time), "MINUTES", &[], T::Num, Op::Minutes),
    m(Is(T::Time), "SECONDS", &[], T::Num, Op::Seconds),
    m(Is(T::Time), "MONTH", &[], T::Num, Op::Month),
    m(Is(T::Time), "YEAR", &[], T::Num, Op::Year),
    // Booleans.
    m(Is(T::Bool), "NOT", &[], T::Bool, Op::Not),
];

/// Levenshtein distance over ASCII bytes.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            let value = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The known name closest to `name` among `candidates`, if it is a likely typo.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.len() < 5 {
        return None;
    }
    let limit = if name.len() < 6 { 1 } else { 2 };
    candidates
        .filter(|c| !c.eq_ignore_ascii_case(name))
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
