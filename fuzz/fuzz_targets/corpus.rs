//! Every corpus loader survives arbitrary bytes: each format (given, and sniffed) streams records
//! or record errors to the end without panicking, every record converts to an evaluation context,
//! and every record written back as JSONL reads back equal.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use nsexpr::corpus::{CorpusFormat, Loader, write_jsonl};

fuzz_target!(|data: &[u8]| {
    let formats = [
        None,
        Some(CorpusFormat::Jsonl),
        Some(CorpusFormat::Har),
        Some(CorpusFormat::RawHttp),
        Some(CorpusFormat::CombinedLog),
    ];
    for format in formats {
        let Ok(loader) = Loader::from_reader(Cursor::new(data.to_vec()), format) else {
            continue;
        };
        for record in loader.flatten() {
            let _ = record.context.as_ref().map(|c| c.to_context());
            let mut line = Vec::new();
            write_jsonl(&record, &mut line).expect("writing to memory");
            let back: Vec<_> = Loader::from_reader(Cursor::new(line), Some(CorpusFormat::Jsonl))
                .expect("format given")
                .collect();
            assert_eq!(back, [Ok(record)]);
        }
    }
});
