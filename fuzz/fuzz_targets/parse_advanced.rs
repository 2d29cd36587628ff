//! The advanced parser and type checker never panic; whatever parses prints a canonical form
//! (D35) that parses back to the same tree and prints identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsexpr::compile::advanced::{CheckOptions, check};
use nsexpr::syntax::advanced::{AdvParseOptions, parse_advanced_with};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = AdvParseOptions::default();
    match parse_advanced_with(text, &options) {
        Ok(parsed) => {
            let printed = parsed.expr.to_string();
            // Escapes can make the canonical text longer than the input's length limit.
            let unlimited = AdvParseOptions {
                max_len: 0,
                ..AdvParseOptions::default()
            };
            let again = match parse_advanced_with(&printed, &unlimited) {
                Ok(p) => p.expr,
                Err(e) => panic!("canonical form of {text:?} does not parse: {printed:?}\n{e}"),
            };
            assert!(
                again.same_as(&parsed.expr),
                "{text:?} -> {printed:?} changes the tree"
            );
            assert_eq!(again.to_string(), printed);
            for strict in [false, true] {
                let check_options = CheckOptions {
                    strict,
                    ..CheckOptions::default()
                };
                if let Err(e) = check(&parsed.expr, text, &check_options) {
                    let _ = e.to_string();
                }
            }
        }
        // Rendering an error never panics either.
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
