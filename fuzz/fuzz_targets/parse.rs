//! The parser never panics; whatever parses prints a canonical form (D15) that parses back to
//! the same tree and prints identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsexpr::syntax::{ParseOptions, Precedence, parse_with};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for value_mode in [false, true] {
        let options = ParseOptions {
            value_mode,
            ..ParseOptions::default()
        };
        if let Ok(parsed) = parse_with(text, &options) {
            let printed = parsed.expr.to_string();
            let again = match parse_with(&printed, &options) {
                Ok(p) => p.expr,
                Err(e) => panic!("canonical form of {text:?} does not parse: {printed:?}\n{e}"),
            };
            assert!(
                again.same_as(&parsed.expr),
                "{text:?} -> {printed:?} changes the tree"
            );
            assert_eq!(again.to_string(), printed);
        } else if let Err(e) = parse_with(text, &options) {
            // Rendering an error never panics either.
            let _ = e.to_string();
        }
    }
    // The other precedence reading never panics; its canonical form is read conventionally.
    let left = ParseOptions {
        precedence: Precedence::LeftToRight,
        ..ParseOptions::default()
    };
    if let Ok(parsed) = parse_with(text, &left) {
        let _ = parsed.expr.to_string();
    }
    let _ = nsexpr::syntax::is_advanced(text);
});
