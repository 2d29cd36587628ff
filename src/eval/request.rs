//! Request views: what the evaluator reads from a request. Implemented for `http::Request`,
//! `http::request::Parts`, a `HeaderMap` with method and target, and borrowed records; header
//! values are read as bytes, never `to_str()` (obs-text must not fail).

use http::HeaderMap;

pub use crate::ir::HeaderKey;

/// What the evaluator reads from a request. Implement it to evaluate your own request type
/// without copying.
///
/// ```
/// use nsexpr::eval::HeaderKey;
/// use nsexpr::{Program, RequestView, Verdict};
///
/// /// A log line of ours: method, path and one User-Agent.
/// struct Logged<'a> {
///     method: &'a str,
///     path: &'a str,
///     user_agent: Option<&'a str>,
/// }
///
/// impl RequestView for Logged<'_> {
///     type Values<'v> = std::option::IntoIter<&'v [u8]> where Self: 'v;
///
///     fn method(&self) -> &[u8] {
///         self.method.as_bytes()
///     }
///     fn target(&self) -> &[u8] {
///         self.path.as_bytes()
///     }
///     fn version(&self) -> &[u8] {
///         b"HTTP/1.1"
///     }
///     fn header_values<'v>(&'v self, key: &'v HeaderKey) -> Self::Values<'v> {
///         let value = if key.matches("User-Agent") { self.user_agent } else { None };
///         value.map(str::as_bytes).into_iter()
///     }
/// }
///
/// let program = Program::new("REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.METHOD == GET")?;
/// let line = Logged { method: "GET", path: "/vpn/index.html", user_agent: Some("WorxWeb/19.1") };
/// assert_eq!(program.eval(&line), Verdict::True);
/// # Ok::<(), nsexpr::Error>(())
/// ```
pub trait RequestView {
    /// The values of one header, in the order they were sent.
    type Values<'a>: DoubleEndedIterator<Item = &'a [u8]>
    where
        Self: 'a;

    /// The method token.
    fn method(&self) -> &[u8];
    /// The request target exactly as sent (D9 splits it).
    fn target(&self) -> &[u8];
    /// The protocol version text, `HTTP/1.1`.
    fn version(&self) -> &[u8];
    /// Every value of a header, in order (D6 picks the instance).
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a>;
    /// Whether the header is present (any instance). Views with a faster presence test than
    /// finding a value override it.
    fn has_header(&self, key: &HeaderKey) -> bool {
        self.header_values(key).next().is_some()
    }
    /// Whether the view carries this header at all. Partial records (access-log lines) carry only
    /// some headers; rules on the others are UNKNOWN.
    fn carries_header(&self, _key: &HeaderKey) -> bool {
        true
    }
}

/// The values of one `HeaderMap` entry as bytes; empty for a name that is not a valid token
/// (such a header can never be in a map).
pub struct HeaderMapValues<'a>(Option<http::header::ValueIter<'a, http::HeaderValue>>);

impl<'a> Iterator for HeaderMapValues<'a> {
    type Item = &'a [u8];
    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        self.0.as_mut()?.next().map(http::HeaderValue::as_bytes)
    }
}

impl<'a> DoubleEndedIterator for HeaderMapValues<'a> {
    #[inline]
    fn next_back(&mut self) -> Option<&'a [u8]> {
        self.0
            .as_mut()?
            .next_back()
            .map(http::HeaderValue::as_bytes)
    }
}

#[inline]
fn header_map_values<'a>(map: &'a HeaderMap, key: &HeaderKey) -> HeaderMapValues<'a> {
    HeaderMapValues(key.header_name().map(|name| map.get_all(name).iter()))
}

#[inline]
fn header_map_has(map: &HeaderMap, key: &HeaderKey) -> bool {
    key.header_name().is_some_and(|name| map.contains_key(name))
}

fn version_bytes(version: http::Version) -> &'static [u8] {
    match version {
        http::Version::HTTP_09 => b"HTTP/0.9",
        http::Version::HTTP_10 => b"HTTP/1.0",
        http::Version::HTTP_2 => b"HTTP/2.0",
        http::Version::HTTP_3 => b"HTTP/3.0",
        _ => b"HTTP/1.1",
    }
}

fn origin_target(uri: &http::Uri) -> &[u8] {
    uri.path_and_query()
        .map_or(b"/", |pq| pq.as_str().as_bytes())
}

/// `http::Request`: the target is the URI's path and query (origin form).
impl<B> RequestView for http::Request<B> {
    type Values<'a>
        = HeaderMapValues<'a>
    where
        B: 'a;

    fn method(&self) -> &[u8] {
        self.method().as_str().as_bytes()
    }
    fn target(&self) -> &[u8] {
        origin_target(self.uri())
    }
    fn version(&self) -> &[u8] {
        version_bytes(self.version())
    }
    #[inline]
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        header_map_values(self.headers(), key)
    }
    #[inline]
    fn has_header(&self, key: &HeaderKey) -> bool {
        header_map_has(self.headers(), key)
    }
}

/// `http::request::Parts`, like `http::Request`.
impl RequestView for http::request::Parts {
    type Values<'a> = HeaderMapValues<'a>;

    fn method(&self) -> &[u8] {
        self.method.as_str().as_bytes()
    }
    fn target(&self) -> &[u8] {
        origin_target(&self.uri)
    }
    fn version(&self) -> &[u8] {
        version_bytes(self.version)
    }
    #[inline]
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        header_map_values(&self.headers, key)
    }
    #[inline]
    fn has_header(&self, key: &HeaderKey) -> bool {
        header_map_has(&self.headers, key)
    }
}

/// A `HeaderMap` with the request line borrowed beside it.
///
/// ```
/// use http::{HeaderMap, Method};
/// use nsexpr::eval::HeaderMapRequest;
/// use nsexpr::Program;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-citrix-gateway", "gw".parse()?);
/// let request = HeaderMapRequest::new(&Method::POST, "/cgi/login", &headers);
/// let program = Program::new("HEADER X-Citrix-Gateway EXISTS && METHOD == POST")?;
/// assert!(program.is_match(&request));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderMapRequest<'r> {
    /// Method token.
    pub method: &'r [u8],
    /// Request target as sent.
    pub target: &'r [u8],
    /// Headers.
    pub headers: &'r HeaderMap,
}

impl<'r> HeaderMapRequest<'r> {
    /// A request from its method, target (as sent) and headers.
    pub fn new(
        method: &'r http::Method,
        target: &'r str,
        headers: &'r HeaderMap,
    ) -> HeaderMapRequest<'r> {
        HeaderMapRequest {
            method: method.as_str().as_bytes(),
            target: target.as_bytes(),
            headers,
        }
    }

    /// A `POST /` request with these headers, for rules that only test headers.
    pub fn headers_only(headers: &'r HeaderMap) -> HeaderMapRequest<'r> {
        HeaderMapRequest {
            method: b"POST",
            target: b"/",
            headers,
        }
    }
}

impl RequestView for HeaderMapRequest<'_> {
    type Values<'a>
        = HeaderMapValues<'a>
    where
        Self: 'a;

    fn method(&self) -> &[u8] {
        self.method
    }
    fn target(&self) -> &[u8] {
        self.target
    }
    fn version(&self) -> &[u8] {
        b"HTTP/1.1"
    }
    #[inline]
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        header_map_values(self.headers, key)
    }
    #[inline]
    fn has_header(&self, key: &HeaderKey) -> bool {
        header_map_has(self.headers, key)
    }
}

/// A borrowed request whose headers are an ordered list of `(name, value)` pairs: the zero-copy
/// view of a corpus record.
///
/// ```
/// use nsexpr::eval::HeaderList;
/// use nsexpr::{Program, Verdict};
///
/// let headers = [("User-Agent", "CitrixReceiver/23.9"), ("user-agent", "Mozilla/5.0")];
/// let request = HeaderList::new("GET", "/vpn/index.html", &headers);
/// // The last instance counts (D6).
/// let program = Program::new("HEADER User-Agent CONTAINS Mozilla")?;
/// assert_eq!(program.eval(&request), Verdict::True);
///
/// // A partial record (an access-log line) knows only some headers: the others are UNKNOWN.
/// let partial = HeaderList { carried: Some(&["Host"]), ..request };
/// assert_eq!(program.eval(&partial), Verdict::Unknown);
/// # Ok::<(), nsexpr::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderList<'r, N = &'r str, V = &'r [u8]> {
    /// Method token.
    pub method: &'r [u8],
    /// Request target as sent.
    pub target: &'r [u8],
    /// Version text.
    pub version: &'r [u8],
    /// Headers in order, duplicates kept.
    pub headers: &'r [(N, V)],
    /// When set, only these headers are known (a partial record); others give UNKNOWN.
    pub carried: Option<&'r [&'r str]>,
}

impl<'r, N, V> HeaderList<'r, N, V> {
    /// An HTTP/1.1 request from its method, target (as sent) and headers in order.
    pub fn new<M, T>(method: &'r M, target: &'r T, headers: &'r [(N, V)]) -> HeaderList<'r, N, V>
    where
        M: AsRef<[u8]> + ?Sized,
        T: AsRef<[u8]> + ?Sized,
    {
        HeaderList {
            method: method.as_ref(),
            target: target.as_ref(),
            version: b"HTTP/1.1",
            headers,
            carried: None,
        }
    }
}

/// The values of a header in a list of pairs.
pub struct ListValues<'a, N, V> {
    key: &'a HeaderKey,
    inner: std::slice::Iter<'a, (N, V)>,
}

impl<'a, N, V> ListValues<'a, N, V> {
    /// The values of `key` among `pairs`, in order.
    pub fn new(key: &'a HeaderKey, pairs: &'a [(N, V)]) -> ListValues<'a, N, V> {
        ListValues {
            key,
            inner: pairs.iter(),
        }
    }
}

impl<'a, N: AsRef<str>, V: AsRef<[u8]>> Iterator for ListValues<'a, N, V> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let key = self.key;
        self.inner
            .by_ref()
            .find(|(n, _)| key.matches(n.as_ref()))
            .map(|(_, v)| v.as_ref())
    }
}

impl<'a, N: AsRef<str>, V: AsRef<[u8]>> DoubleEndedIterator for ListValues<'a, N, V> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        let key = self.key;
        self.inner
            .by_ref()
            .rfind(|(n, _)| key.matches(n.as_ref()))
            .map(|(_, v)| v.as_ref())
    }
}

impl<'r, N: AsRef<str>, V: AsRef<[u8]>> RequestView for HeaderList<'r, N, V> {
    type Values<'a>
        = ListValues<'a, N, V>
    where
        Self: 'a;

    fn method(&self) -> &[u8] {
        self.method
    }
    fn target(&self) -> &[u8] {
        self.target
    }
    fn version(&self) -> &[u8] {
        self.version
    }
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        ListValues::new(key, self.headers)
    }
    fn carries_header(&self, key: &HeaderKey) -> bool {
        self.carried
            .is_none_or(|names| names.iter().any(|n| key.matches(n)))
    }
}

/// Splits a request target into the D9 path and query: the path has no query or fragment;
/// absolute form keeps only the path (`/` when empty); asterisk and authority forms are whole.
pub(crate) fn split_target(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    let path_end = memchr::memchr2(b'?', b'#', target).unwrap_or(target.len());
    let mut path = target.get(..path_end).unwrap_or(target);
    let query = match target.get(path_end) {
        Some(b'?') => {
            let rest = target.get(path_end + 1..).unwrap_or(&[]);
            Some(
                rest.get(..memchr::memchr(b'#', rest).unwrap_or(rest.len()))
                    .unwrap_or(rest),
            )
        }
        _ => None,
    };
    // Origin form starts with `/`; only other forms can carry a scheme and authority.
    if !path.starts_with(b"/")
        && let Some(scheme_end) = memchr::memmem::find(path, b"://")
    {
        let after = path.get(scheme_end + 3..).unwrap_or(&[]);
        path = match memchr::memchr(b'/', after) {
            Some(slash) => after.get(slash..).unwrap_or(b"/"),
            None => b"/",
        };
    }
    (path, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_per_d9() {
        assert_eq!(split_target(b"/a/b?x=1"), (&b"/a/b"[..], Some(&b"x=1"[..])));
        assert_eq!(split_target(b"/a/b"), (&b"/a/b"[..], None));
        assert_eq!(split_target(b"/a?"), (&b"/a"[..], Some(&b""[..])));
        assert_eq!(split_target(b"/a?q#frag"), (&b"/a"[..], Some(&b"q"[..])));
        assert_eq!(
            split_target(b"http://h/a/b?x"),
            (&b"/a/b"[..], Some(&b"x"[..]))
        );
        assert_eq!(split_target(b"http://h"), (&b"/"[..], None));
        assert_eq!(split_target(b"*"), (&b"*"[..], None));
        assert_eq!(
            split_target(b"gw.example.com:443"),
            (&b"gw.example.com:443"[..], None)
        );
    }

    #[test]
    fn header_keys_match_names_ignoring_ascii_case_only() {
        let key = HeaderKey::new("X-Citrix-Gateway");
        assert!(key.matches("x-citrix-gateway"));
        assert!(key.matches("X-CITRIX-GATEWAY"));
        assert!(!key.matches("X-Citrix-Gatewax"));
        assert!(!key.matches("X_Citrix-Gateway"), "only letters fold");
        assert!(!key.matches("X-Citrix-Gateway2"));
        assert!(!key.matches("X\rCitrix-Gateway"));
        let key = HeaderKey::new("X-Custom-2");
        assert!(key.matches("x-custom-2"));
        assert!(!key.matches("x-custom-\x12"));
        assert!(HeaderKey::new("").matches(""));
        assert!(!HeaderKey::new("a").matches("A-"));
    }

    #[test]
    fn list_view_reads_instances_in_order() {
        let headers = [
            ("User-Agent", &b"first"[..]),
            ("Host", b"h"),
            ("user-agent", b"last"),
        ];
        let req = HeaderList::new("GET", "/", &headers);
        let key = HeaderKey::new("USER-AGENT");
        assert_eq!(req.header_values(&key).next(), Some(&b"first"[..]));
        assert_eq!(req.header_values(&key).next_back(), Some(&b"last"[..]));
        assert_eq!(req.header_values(&key).count(), 2);
    }
}
