//! A minimal pull scanner over JSON bytes, enough to walk to `log.entries` in a HAR document and cut
//! out one array element at a time without parsing the rest of the document.

use std::io::BufRead;

/// Wraps a reader; every method fails with a message on malformed structure or I/O errors.
pub(crate) struct JsonScanner<R> {
    reader: R,
}

impl<R: BufRead> JsonScanner<R> {
    pub(crate) fn new(reader: R) -> Self {
        JsonScanner { reader }
    }

    /// The next byte after whitespace, not consumed; `None` at end of input.
    pub(crate) fn peek_non_ws(&mut self) -> Result<Option<u8>, String> {
        loop {
            let buf = self.reader.fill_buf().map_err(|e| e.to_string())?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|c| !c.is_ascii_whitespace()) {
                Some(i) => {
                    let c = buf.get(i).copied();
                    self.reader.consume(i);
                    return Ok(c);
                }
                None => {
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
    }

    /// Consumes `expected` (after whitespace).
    pub(crate) fn expect(&mut self, expected: u8) -> Result<(), String> {
        match self.peek_non_ws()? {
            Some(c) if c == expected => {
                self.reader.consume(1);
                Ok(())
            }
            Some(c) => Err(format!(
                "expected '{}', found '{}'",
                char::from(expected),
                char::from(c).escape_default()
            )),
            None => Err(format!(
                "expected '{}', found end of input",
                char::from(expected)
            )),
        }
    }

    /// Reads an object key and its `:`.
    pub(crate) fn key(&mut self) -> Result<String, String> {
        let mut raw = Vec::new();
        match self.peek_non_ws()? {
            Some(b'"') => self.value(Some(&mut raw))?,
            _ => return Err("expected an object key".into()),
        }
        self.expect(b':')?;
        serde_json::from_slice(&raw).map_err(|e| format!("bad object key: {e}"))
    }

    /// After a member or element: consumes `,` and returns true, or consumes `close` and returns false.
    pub(crate) fn comma_or(&mut self, close: u8) -> Result<bool, String> {
        match self.peek_non_ws()? {
            Some(b',') => {
                self.reader.consume(1);
                Ok(true)
            }
            Some(c) if c == close => {
                self.reader.consume(1);
                Ok(false)
            }
            _ => Err(format!("expected ',' or '{}'", char::from(close))),
        }
    }

    /// Consumes one complete JSON value, appending its bytes to `out` when given. Only the nesting of
    /// brackets and strings is checked; the caller parses the bytes.
    pub(crate) fn value(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<(), String> {
        let first = self
            .peek_non_ws()?
            .ok_or_else(|| "expected a value, found end of input".to_string())?;
        let scalar = !matches!(first, b'"' | b'{' | b'[');
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escape = false;
        let mut started = false;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| e.to_string())?;
            if buf.is_empty() {
                if scalar && started {
                    return Ok(());
                }
                return Err("unexpected end of input inside a value".into());
            }
            let mut end = None;
            for (i, &c) in buf.iter().enumerate() {
                if scalar {
                    if (started && matches!(c, b',' | b'}' | b']')) || c.is_ascii_whitespace() {
                        end = Some(i);
                        break;
                    }
                    started = true;
                    continue;
                }
                if in_string {
                    if escape {
                        escape = false;
                    } else if c == b'\\' {
                        escape = true;
                    } else if c == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                match c {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(buf.len());
            if let Some(out) = out.as_deref_mut() {
                out.extend_from_slice(buf.get(..take).unwrap_or_default());
            }
            self.reader.consume(take);
            if end.is_some() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_values() {
        let mut s = JsonScanner::new(&br#" {"a":[1,"x]\"",{"b":2}]} , 12 , "s" "#[..]);
        let mut v = Vec::new();
        assert!(s.value(Some(&mut v)).is_ok());
        assert_eq!(v, br#"{"a":[1,"x]\"",{"b":2}]}"#);
        assert_eq!(s.comma_or(b']'), Ok(true));
        v.clear();
        assert!(s.value(Some(&mut v)).is_ok());
        assert_eq!(v, b"12");
        assert_eq!(s.comma_or(b']'), Ok(true));
        v.clear();
        assert!(s.value(Some(&mut v)).is_ok());
        assert_eq!(v, br#""s""#);
    }
}
