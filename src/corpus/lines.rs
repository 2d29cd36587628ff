//! The non-blank lines of a line-based corpus (JSONL, combined logs), each with its 1-based line
//! number, read into one reused buffer.

use std::io::BufRead;

use super::{RecordError, io_record_error};

pub(crate) struct Lines<R> {
    reader: R,
    line: Vec<u8>,
    line_no: usize,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R, capacity: usize) -> Self {
        Lines {
            reader,
            line: Vec::with_capacity(capacity),
            line_no: 0,
            done: false,
        }
    }

    /// The next line that is not blank, with its number; an I/O error ends the stream after
    /// being reported once.
    pub(crate) fn next_line(&mut self) -> Option<Result<(usize, &[u8]), RecordError>> {
        while !self.done {
            self.line.clear();
            self.line_no += 1;
            match self.reader.read_until(b'\n', &mut self.line) {
                Ok(0) => self.done = true,
                Ok(_) if self.line.iter().all(u8::is_ascii_whitespace) => {}
                Ok(_) => return Some(Ok((self.line_no, &self.line))),
                Err(e) => {
                    self.done = true;
                    return Some(Err(io_record_error(self.line_no, &e)));
                }
            }
        }
        None
    }
}
