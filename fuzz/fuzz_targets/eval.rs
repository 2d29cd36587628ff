//! Compiling and evaluating never panic: a rule (the first line of the input) that parses and
//! compiles is evaluated on a request built from the remaining lines (`Name: value` headers, the
//! first of them the request target), under every D6 instance mode; `explain` gives the same
//! verdict, and a rule set holding the rule twice (trigger index and shared leaves) agrees too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsexpr::eval::RawRequest;
use nsexpr::{
    CompileOptions, HeaderInstance, NamedExpressions, Program, ProgramSetBuilder, SetScratch,
    Verdict,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let Some(rule) = lines.next() else {
        return;
    };
    let Ok(expr) = nsexpr::syntax::parse(rule) else {
        return;
    };
    let target = lines.next().unwrap_or("/");
    let headers: Vec<(&str, &[u8])> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name, value.trim_start().as_bytes()))
        .collect();
    let request = RawRequest {
        method: b"POST",
        target: target.as_bytes(),
        version: b"HTTP/1.1",
        headers: &headers,
        carried: None,
    };
    let names = NamedExpressions::new();
    for instance in [HeaderInstance::Last, HeaderInstance::First, HeaderInstance::Any] {
        let mut options = CompileOptions::default();
        options.header_instance = instance;
        let Ok(program) = Program::compile(&expr, rule, &names, &options) else {
            return;
        };
        let verdict = program.eval(&request);
        assert_eq!(program.explain(&request, None).verdict, Some(verdict));
        let mut builder = ProgramSetBuilder::new(&names, &options);
        for _ in 0..20 {
            builder.add(&expr, rule).expect("compiled once already");
        }
        let set = builder.build();
        let (mut dense, mut sparse, mut scratch) = (Vec::new(), Vec::new(), SetScratch::default());
        set.eval_all(&request, None, &mut dense);
        set.eval_sparse(&request, None, &mut scratch, &mut sparse);
        assert!(dense.iter().all(|v| *v == verdict));
        let expected: Vec<(usize, Verdict)> = dense
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, v)| *v != Verdict::False)
            .collect();
        assert_eq!(sparse, expected);
    }
});
