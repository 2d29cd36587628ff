//! Compiling and evaluating never panic: a rule (the first line of the input, classic or
//! advanced, detected per rule) that compiles is evaluated on a request built from the remaining
//! lines (`Name: value` headers, the first of them the request target), under every D6 instance
//! mode; `explain` gives the same verdict, and a rule set holding the rule twenty times (trigger
//! index and shared leaves) agrees too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nsexpr::eval::HeaderList;
use nsexpr::{
    CompileOptions, HeaderInstance, NamedExpressions, Program, ProgramSetBuilder, SetScratch,
    Syntax, Verdict,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let Some(rule) = lines.next() else {
        return;
    };
    let syntax = Syntax::detect(rule);
    let target = lines.next().unwrap_or("/");
    let headers: Vec<(&str, &[u8])> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name, value.trim_start().as_bytes()))
        .collect();
    let request = HeaderList::new("POST", target, &headers);
    let names = NamedExpressions::new();
    for instance in [
        HeaderInstance::Last,
        HeaderInstance::First,
        HeaderInstance::Any,
    ] {
        let options = CompileOptions::default().header_instance(instance);
        let Ok(program) = Program::builder()
            .options(options.clone())
            .syntax(syntax)
            .build(rule)
        else {
            return;
        };
        let verdict = program.eval(&request);
        assert_eq!(program.explain(&request).verdict, Some(verdict));
        let mut builder = ProgramSetBuilder::new(&names, &options);
        for _ in 0..20 {
            builder
                .add_text(rule, Some(syntax))
                .expect("compiled once already");
        }
        let set = builder.build();
        let (mut dense, mut sparse, mut scratch) = (Vec::new(), Vec::new(), SetScratch::default());
        set.eval_all(&request, &mut dense);
        set.eval_sparse(&request, &mut scratch, &mut sparse);
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
