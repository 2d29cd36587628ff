//! Leaf matchers, chosen and prebuilt at compile time so evaluation only compares bytes.

use std::net::IpAddr;

use memchr::memmem;

/// ASCII-case-insensitive substring search (D8): bytes >= 0x80 compare exactly.
///
/// A needle with letters is searched for by its rarest byte (both cases, `memchr2`), then the
/// window around each hit is compared with `eq_ignore_ascii_case`: the rare byte keeps false hits
/// few on User-Agent text. A needle without ASCII letters uses a prebuilt `memmem` finder.
#[derive(Debug, Clone)]
pub(crate) enum ContainsCi {
    /// The empty needle: true on any present subject (docs/semantics.md#operators).
    Empty,
    /// Needle with no ASCII letter: case folding changes nothing.
    Exact(Box<memmem::Finder<'static>>),
    /// Needle with letters, lower-cased, and its rarest byte at `rare` in both cases.
    Folded {
        needle: Box<[u8]>,
        rare: usize,
        lower: u8,
        upper: u8,
        /// For needles of at most 8 bytes: the needle as a little-endian word, the bits that
        /// fold case (0x20 on letters), and the bytes that count, for one-word comparisons.
        word: Option<(u64, u64, u64)>,
    },
}

/// The one-word form of a short lower-case needle: `(needle, case bits, length mask)`. A window
/// `w` matches when `(w | case) & len == needle`: OR-ing 0x20 maps exactly the upper-case letters
/// onto the lower-case ones, and only on letter positions.
fn needle_word(needle: &[u8]) -> Option<(u64, u64, u64)> {
    if needle.len() > 8 {
        return None;
    }
    let mut bytes = [0u8; 8];
    let mut case = [0u8; 8];
    let mut len = [0u8; 8];
    for (i, &b) in needle.iter().enumerate() {
        *bytes.get_mut(i)? = b;
        *case.get_mut(i)? = if b.is_ascii_lowercase() { 0x20 } else { 0 };
        *len.get_mut(i)? = 0xff;
    }
    Some((
        u64::from_le_bytes(bytes),
        u64::from_le_bytes(case),
        u64::from_le_bytes(len),
    ))
}

/// How common a byte is in header text (higher = more common): English letter frequencies,
/// raised for the letters of common User-Agent tokens, with separators and digits most common.
fn commonness(b: u8) -> u8 {
    match b.to_ascii_lowercase() {
        b' ' | b'/' | b'.' | b'0'..=b'9' | b';' | b'(' | b')' | b',' | b'=' | b'-' | b'_' => 200,
        b'e' => 127,
        b't' => 91,
        b'a' => 82,
        b'o' => 75,
        b'i' => 70,
        b'n' => 67,
        b's' => 63,
        b'h' => 61,
        b'r' => 60,
        b'l' => 50,
        b'd' => 43,
        b'c' => 40,
        b'm' => 38,
        b'w' => 34,
        b'p' => 32,
        b'u' => 28,
        b'k' => 28,
        b'b' => 25,
        b'f' => 22,
        b'g' => 22,
        b'z' => 20,
        b'x' => 18,
        b'y' => 18,
        b'v' => 15,
        b'j' => 3,
        b'q' => 2,
        _ => 100,
    }
}

impl ContainsCi {
    pub(crate) fn new(needle: &[u8]) -> ContainsCi {
        if needle.is_empty() {
            return ContainsCi::Empty;
        }
        if !needle.iter().any(u8::is_ascii_alphabetic) {
            return ContainsCi::Exact(Box::new(memmem::Finder::new(needle).into_owned()));
        }
        let needle = needle.to_ascii_lowercase().into_boxed_slice();
        let (rare, byte) = needle
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(_, b)| commonness(b))
            .unwrap_or((0, 0));
        ContainsCi::Folded {
            rare,
            lower: byte.to_ascii_lowercase(),
            upper: byte.to_ascii_uppercase(),
            word: needle_word(&needle),
            needle,
        }
    }

    /// The needle in lower case (what a folded haystack is searched for).
    pub(crate) fn lower_needle(&self) -> &[u8] {
        match self {
            ContainsCi::Empty => &[],
            ContainsCi::Exact(finder) => finder.needle(),
            ContainsCi::Folded { needle, .. } => needle,
        }
    }

    #[inline(always)]
    pub(crate) fn is_match(&self, hay: &[u8]) -> bool {
        match self {
            ContainsCi::Empty => true,
            ContainsCi::Exact(finder) => finder.find(hay).is_some(),
            ContainsCi::Folded {
                needle,
                rare,
                lower,
                upper,
                word,
            } => contains_folded(hay, needle, *rare, *lower, *upper, *word),
        }
    }
}

/// Finds `needle` (lower case) in `hay` ignoring ASCII case, scanning for its byte at `rare`.
#[inline]
fn contains_folded(
    hay: &[u8],
    needle: &[u8],
    rare: usize,
    lower: u8,
    upper: u8,
    word: Option<(u64, u64, u64)>,
) -> bool {
    let Some(last) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    // Candidate starts are 0..=last, so the rare byte sits in rare..=last + rare.
    let Some(region) = hay.get(rare..=last + rare) else {
        return false;
    };
    let mut from = 0;
    while let Some(i) = region
        .get(from..)
        .and_then(|r| memchr::memchr2(lower, upper, r))
    {
        let at = from + i;
        let matched = match (word, hay.get(at..at + 8)) {
            (Some((want, case, len)), Some(window)) => {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(window);
                (u64::from_le_bytes(bytes) | case) & len == want
            }
            _ => hay
                .get(at..at + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle)),
        };
        if matched {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The `-offset` / `-length` window (D5): bytes `[offset, offset + length)`, clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Window {
    pub offset: usize,
    pub length: Option<usize>,
}

impl Window {
    pub(crate) fn is_full(self) -> bool {
        self.offset == 0 && self.length.is_none()
    }

    #[inline(always)]
    pub(crate) fn apply(self, subject: &[u8]) -> &[u8] {
        if self.is_full() {
            return subject;
        }
        let start = self.offset.min(subject.len());
        let end = match self.length {
            Some(len) => start.saturating_add(len).min(subject.len()),
            None => subject.len(),
        };
        subject.get(start..end).unwrap_or(&[])
    }
}

/// A text test with its D7 result on an absent subject.
#[derive(Debug, Clone)]
pub(crate) enum TextOp {
    Exists,
    NotExists,
    /// Present and non-empty after the window.
    Contents,
    Contains(ContainsCi),
    NotContains(ContainsCi),
    /// Byte-exact (D8) unless `fold` (METHOD).
    Equals {
        value: Box<[u8]>,
        fold: bool,
    },
    NotEquals {
        value: Box<[u8]>,
        fold: bool,
    },
}

impl TextOp {
    /// The result when the subject is absent (D7).
    pub(crate) fn on_absent(&self) -> bool {
        matches!(
            self,
            TextOp::NotExists | TextOp::NotContains(_) | TextOp::NotEquals { .. }
        )
    }

    /// Whether the operator is negative, for D6's `Any` instance mode: a negative operator is the
    /// negation of its positive form over all instances.
    pub(crate) fn is_negative(&self) -> bool {
        self.on_absent()
    }

    /// The result on a present subject (already windowed).
    #[inline(always)]
    pub(crate) fn on_present(&self, subject: &[u8]) -> bool {
        match self {
            TextOp::Exists => true,
            TextOp::NotExists => false,
            TextOp::Contents => !subject.is_empty(),
            TextOp::Contains(m) => m.is_match(subject),
            TextOp::NotContains(m) => !m.is_match(subject),
            TextOp::Equals { value, fold } => bytes_eq(subject, value, *fold),
            TextOp::NotEquals { value, fold } => !bytes_eq(subject, value, *fold),
        }
    }
}

fn bytes_eq(a: &[u8], b: &[u8], fold: bool) -> bool {
    if fold {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// A windowed text test.
#[derive(Debug, Clone)]
pub(crate) struct TextTest {
    pub window: Window,
    pub op: TextOp,
}

impl TextTest {
    /// The D7 result for an optional subject.
    #[inline(always)]
    pub(crate) fn test(&self, subject: Option<&[u8]>) -> bool {
        match subject {
            None => self.op.on_absent(),
            Some(s) => self.op.on_present(self.window.apply(s)),
        }
    }
}

/// A `URL ==` pattern lowered by the wildcard table (docs/semantics.md#url-wildcards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlPattern {
    /// `/*`
    Always,
    /// Ends with `.`
    Never,
    /// `path` starts with the prefix.
    Prefix(Box<[u8]>),
    /// `path == Q` or `path == Q + "." + SUFFIX(path)` (nspepi's `STRIP_END_CHARS(".")` form).
    AnyExtension(Box<[u8]>),
    /// `SUFFIX(path) == ext`.
    Suffix(Box<[u8]>),
    /// `path` starts with the prefix and `SUFFIX(path) == ext`.
    PrefixAndSuffix(Box<[u8]>, Box<[u8]>),
    /// `path == P`.
    Exact(Box<[u8]>),
}

impl UrlPattern {
    /// Lowers a pattern by the first matching row of the table. The second value says whether
    /// a `*` was left literal (lint `url-wildcard-unverified`).
    pub(crate) fn new(p: &[u8]) -> UrlPattern {
        let boxed = |b: &[u8]| b.to_vec().into_boxed_slice();
        if p == b"/*" {
            return UrlPattern::Always;
        }
        if p.ends_with(b".") {
            return UrlPattern::Never;
        }
        if let Some(prefix) = p.strip_suffix(b"*.*") {
            return UrlPattern::Prefix(boxed(prefix));
        }
        if let Some(q) = p.strip_suffix(b".*") {
            return UrlPattern::AnyExtension(boxed(q));
        }
        if let Some(prefix) = p.strip_suffix(b"*") {
            return UrlPattern::Prefix(boxed(prefix));
        }
        let last_segment = p.rsplit(|&b| b == b'/').next().unwrap_or(p);
        if !last_segment.contains(&b'.') {
            return UrlPattern::AnyExtension(boxed(p));
        }
        let dot = p.iter().rposition(|&b| b == b'.').unwrap_or(0);
        let (before, ext) = (p.get(..dot).unwrap_or(&[]), p.get(dot + 1..).unwrap_or(&[]));
        if before == b"/" {
            return UrlPattern::Suffix(boxed(ext));
        }
        if let Some(head) = before.strip_suffix(b"*") {
            let prefix = match head.iter().position(|&b| b == b'*') {
                Some(star) => head.get(..star).unwrap_or(&[]),
                None => head,
            };
            return UrlPattern::PrefixAndSuffix(boxed(prefix), boxed(ext));
        }
        UrlPattern::Exact(boxed(p))
    }

    #[inline]
    pub(crate) fn is_match(&self, path: &[u8]) -> bool {
        match self {
            UrlPattern::Always => true,
            UrlPattern::Never => false,
            UrlPattern::Prefix(prefix) => path.starts_with(prefix),
            UrlPattern::AnyExtension(q) => any_extension_match(path, q),
            UrlPattern::Suffix(ext) => suffix(path) == &ext[..],
            UrlPattern::PrefixAndSuffix(prefix, ext) => {
                path.starts_with(prefix) && suffix(path) == &ext[..]
            }
            UrlPattern::Exact(p) => path == &p[..],
        }
    }
}

/// `SUFFIX(path)`: the text after the last `.` of the last path segment, empty if none.
pub(crate) fn suffix(path: &[u8]) -> &[u8] {
    let segment_start = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    let segment = path.get(segment_start..).unwrap_or(&[]);
    match segment.iter().rposition(|&b| b == b'.') {
        Some(dot) => segment.get(dot + 1..).unwrap_or(&[]),
        None => &[],
    }
}

/// `path == (Q + "." + SUFFIX(path)).STRIP_END_CHARS(".")`, without building the string.
fn any_extension_match(path: &[u8], q: &[u8]) -> bool {
    let ext = suffix(path);
    let parts: [&[u8]; 3] = [q, b".", ext];
    let total = q.len() + 1 + ext.len();
    let trailing_dots = parts
        .iter()
        .rev()
        .flat_map(|part| part.iter().rev())
        .take_while(|&&b| b == b'.')
        .count();
    let len = total - trailing_dots;
    path.len() == len
        && parts
            .iter()
            .flat_map(|part| part.iter())
            .take(len)
            .eq(path.iter())
}

/// A numeric comparison (D10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumTest {
    Eq(u64),
    Ne(u64),
    Gt(u64),
    Lt(u64),
    Ge(u64),
    Le(u64),
    /// Inclusive, bounds ordered.
    In(u64, u64),
    NotIn(u64, u64),
}

impl NumTest {
    pub(crate) fn test(self, n: u64) -> bool {
        match self {
            NumTest::Eq(v) => n == v,
            NumTest::Ne(v) => n != v,
            NumTest::Gt(v) => n > v,
            NumTest::Lt(v) => n < v,
            NumTest::Ge(v) => n >= v,
            NumTest::Le(v) => n <= v,
            NumTest::In(a, b) => (a..=b).contains(&n),
            NumTest::NotIn(a, b) => !(a..=b).contains(&n),
        }
    }

    /// D7: absent numbers make every test false except the negative ones.
    pub(crate) fn on_absent(self) -> bool {
        matches!(self, NumTest::Ne(_) | NumTest::NotIn(..))
    }
}

/// An address test with a bitwise mask (D11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpTest {
    pub addr: IpAddr,
    /// Mask bits in the address's family (`u32` for IPv4 widened).
    pub mask: u128,
    pub negate: bool,
}

impl IpTest {
    pub(crate) fn test(self, client: IpAddr) -> bool {
        let client = match client {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        let equal = match (self.addr, client) {
            (IpAddr::V4(a), IpAddr::V4(c)) => {
                let m = self.mask as u32;
                u32::from(a) & m == u32::from(c) & m
            }
            (IpAddr::V6(a), IpAddr::V6(c)) => {
                u128::from(a) & self.mask == u128::from(c) & self.mask
            }
            _ => false,
        };
        equal != self.negate
    }
}

/// The mask of a prefix length in a family.
pub(crate) fn prefix_mask(v6: bool, len: u8) -> u128 {
    let bits: u32 = if v6 { 128 } else { 32 };
    let len = u32::from(len).min(bits);
    if len == 0 {
        0
    } else {
        let ones = u128::MAX << (128 - len);
        if v6 { ones } else { ones >> 96 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ci_folds_ascii_only() {
        let m = ContainsCi::new(b"CitrixReceiver");
        assert!(m.is_match(b"xx citrixreceiver/1"));
        assert!(m.is_match(b"CITRIXRECEIVER"));
        assert!(!m.is_match(b"Citrix Receiver"));
        assert!(ContainsCi::new(b"").is_match(b""));
        assert!(ContainsCi::new(b"/1.0").is_match(b"HTTP/1.0"));
        // The rare byte (`x`) sits inside the needle: matches at either end of the haystack.
        let m = ContainsCi::new(b"abXc");
        assert!(m.is_match(b"ABXC"));
        assert!(m.is_match(b"x abxc"));
        assert!(m.is_match(b"zzzabxc"));
        assert!(!m.is_match(b"abx"));
        assert!(!m.is_match(b"xbxc abx"));
        // One-word comparisons (needles up to 8 bytes, a full window available).
        let m = ContainsCi::new(b"b/1X");
        assert!(m.is_match(b"xxB/1x yyyyyyyyyy"));
        assert!(!m.is_match(b"xxb?1x yyyyyyyyyy"));
        assert!(!m.is_match(b"xxb/1y yyyyyyyyyy"));
        assert!(ContainsCi::new(b"12345678").is_match(b"a12345678b"));
        assert!(ContainsCi::new(b"Worx").is_match(b"Mozilla/5.0 (iPhone) WORXWEB/18.11.5 Mobile"));
        assert!(
            !ContainsCi::new(b"Worx").is_match(b"Mozilla/5.0 (iPhone) WOR XWEB/18.11.5 Mobile")
        );
        let non_ascii = ContainsCi::new("é".as_bytes());
        assert!(!non_ascii.is_match("É".as_bytes()));
    }

    #[test]
    fn window_clamps() {
        let w = Window {
            offset: 2,
            length: Some(6),
        };
        assert_eq!(w.apply(b"0123456789"), b"234567");
        assert_eq!(w.apply(b"012"), b"2");
        assert_eq!(w.apply(b"0"), b"");
        assert_eq!(
            Window {
                offset: 3,
                length: None
            }
            .apply(b"abcdef"),
            b"def"
        );
    }

    #[test]
    fn url_table_rows() {
        let m = |p: &str, path: &str| UrlPattern::new(p.as_bytes()).is_match(path.as_bytes());
        assert!(m("/*", "/anything"));
        assert!(!m("/a/b.", "/a/b."));
        assert!(m("/a/*.*", "/a/x.y") && !m("/a/*.*", "/b/x"));
        assert!(m("/a/b.*", "/a/b") && m("/a/b.*", "/a/b.html") && !m("/a/b.*", "/a/b.tar.gz"));
        assert!(m("/cgi-bin/*", "/cgi-bin/x") && m("/sports*", "/sportsnews"));
        assert!(m("/foo/bar", "/foo/bar") && m("/foo/bar", "/foo/bar.html"));
        assert!(!m("/foo/bar", "/foo/bar.tar.gz") && !m("/foo/bar", "/foo/bar."));
        assert!(m("/.jsp", "/x/y.jsp") && !m("/.jsp", "/x/y.jspx"));
        assert!(m("/images/*.gif", "/images/a/b.gif") && !m("/images/*.gif", "/img/b.gif"));
        assert!(m("*.jpeg", "/x.jpeg"));
        assert!(m("/index.html", "/index.html") && !m("/index.html", "/index.htm"));
        assert!(m("*gif", "*gif") && !m("*gif", "/a.gif"));
    }

    #[test]
    fn masks() {
        assert_eq!(prefix_mask(false, 8) as u32, 0xff00_0000);
        assert_eq!(prefix_mask(false, 0), 0);
        assert_eq!(prefix_mask(true, 120), u128::MAX << 8);
    }
}
