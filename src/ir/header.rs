//! Header names prepared once at compile time.

use http::HeaderName;

/// A header name prepared at compile time: the `http` name for `HeaderMap` lookups (no parsing
/// per request) and the lower-case bytes for views that scan a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderKey {
    name: Option<HeaderName>,
    lower: Box<str>,
    /// 0x20 at the positions of letters in `lower`: OR-ing it onto a name folds exactly the
    /// letters, so names compare eight bytes at a time.
    case: Box<[u8]>,
}

impl HeaderKey {
    /// Prepares a name (any case, D2). A name that is not a valid HTTP token can never be
    /// present in a `HeaderMap`; it is still matched by name in list-based views.
    pub fn new(name: &str) -> HeaderKey {
        let lower = name.to_ascii_lowercase();
        let case = lower
            .bytes()
            .map(|b| if b.is_ascii_lowercase() { 0x20 } else { 0 })
            .collect();
        HeaderKey {
            name: HeaderName::from_bytes(name.as_bytes()).ok(),
            lower: lower.into_boxed_str(),
            case,
        }
    }

    /// The `http` header name, if the name is a valid token.
    pub fn header_name(&self) -> Option<&HeaderName> {
        self.name.as_ref()
    }

    /// The lower-case name.
    pub fn as_str(&self) -> &str {
        &self.lower
    }

    /// Whether `name` (any case) is this header.
    #[inline]
    pub fn matches(&self, name: &str) -> bool {
        let (name, want) = (name.as_bytes(), self.lower.as_bytes());
        if name.len() != want.len() {
            return false;
        }
        let word = |b: &[u8]| b.try_into().map_or(0, u64::from_ne_bytes);
        let mut names = name.chunks_exact(8);
        let mut wants = want.chunks_exact(8);
        let mut cases = self.case.chunks_exact(8);
        for ((n, w), c) in names.by_ref().zip(wants.by_ref()).zip(cases.by_ref()) {
            if word(n) | word(c) != word(w) {
                return false;
            }
        }
        names
            .remainder()
            .iter()
            .zip(wants.remainder())
            .zip(cases.remainder())
            .all(|((n, w), c)| n | c == *w)
    }
}
