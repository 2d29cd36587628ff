//! proptest: for random rules and random requests (headers from a small alphabet so matches
//! happen; repeated, empty and absent headers), the compiled program and the reference evaluator
//! agree under every D6 header-instance mode.

mod common;

use std::collections::HashMap;

use common::reference::{Reference, Req};
use nsexpr::ast::{Expr, ExprKind, Operator, Options, Qualifier, Side, Simple, Value};
use nsexpr::eval::HeaderList;
use nsexpr::{
    CompileOptions, HeaderInstance, NamedExpressions, Program, ProgramSetBuilder, SetScratch, Span,
    Verdict,
};
use proptest::prelude::*;

const HEADERS: &[&str] = &["X-A", "x-b", "User-Agent"];
const VALUES: &[&str] = &["", "a", "A", "ab", "bA", "abc", "b"];
const PATTERNS: &[&str] = &[
    "/*", "/a/*", "/a/b", "/a/b.*", "/.gif", "/a/*.gif", "/a.", "*.gif", "/a/b.gif", "/a/*.*",
];
const TARGETS: &[&str] = &[
    "/",
    "/a/b",
    "/a/b.gif",
    "/a/c.gif?x=ab",
    "/a/b.tar.gz",
    "/q?",
    "/a/x.y?ab=1",
];

fn simple(s: Simple) -> Expr {
    Expr::new(ExprKind::Simple(s), Span::default())
}

fn header_simple() -> impl Strategy<Value = Expr> {
    let ops = prop_oneof![
        Just(Operator::Exists),
        Just(Operator::NotExists),
        Just(Operator::Contents),
        Just(Operator::Contains),
        Just(Operator::NotContains),
        Just(Operator::Eq),
        Just(Operator::Ne),
    ];
    (
        prop::sample::select(HEADERS),
        ops,
        prop::sample::select(VALUES),
        prop::option::of(0u64..4),
        prop::option::of(0u64..4),
    )
        .prop_map(|(h, op, v, length, offset)| {
            simple(Simple {
                qualifier: Qualifier::Header(Side::Req),
                header: Some(h.to_owned()),
                op: Some(op),
                value: (!op.is_unary()).then(|| Value::Text(v.to_owned())),
                options: Options {
                    length,
                    offset,
                    netmask: None,
                },
            })
        })
}

fn url_simple() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (prop::sample::select(PATTERNS), any::<bool>()).prop_map(|(p, eq)| simple(Simple {
            qualifier: Qualifier::Url,
            header: None,
            op: Some(if eq { Operator::Eq } else { Operator::Ne }),
            value: Some(Value::Text(p.to_owned())),
            options: Options::default(),
        })),
        (prop::sample::select(VALUES), any::<bool>()).prop_map(|(v, contains)| simple(Simple {
            qualifier: Qualifier::UrlQuery,
            header: None,
            op: Some(if contains {
                Operator::Contains
            } else {
                Operator::NotExists
            }),
            value: contains.then(|| Value::Text(v.to_owned())),
            options: Options::default(),
        })),
        (0u64..12).prop_map(|n| simple(Simple {
            qualifier: Qualifier::UrlLen,
            header: None,
            op: Some(Operator::Gt),
            value: Some(Value::Number(n)),
            options: Options::default(),
        })),
    ]
}

fn context_simple() -> impl Strategy<Value = Expr> {
    Just(simple(Simple {
        qualifier: Qualifier::SourceIp(Side::Req),
        header: None,
        op: Some(Operator::Eq),
        value: Some(Value::Ip(nsexpr::ast::IpValue {
            addr: "10.0.0.1".parse().expect("ip"),
            prefix: None,
        })),
        options: Options::default(),
    }))
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => header_simple(),
        2 => url_simple(),
        1 => context_simple(),
        1 => prop::sample::select(&["ns_true", "ns_false", "NS_TRUE"][..])
            .prop_map(|n| Expr::new(ExprKind::Name(n.to_owned()), Span::default())),
    ]
}

fn rule() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|items| Expr::new(ExprKind::And(items), Span::default())),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|items| Expr::new(ExprKind::Or(items), Span::default())),
            inner.prop_map(|e| Expr::new(ExprKind::Not(Box::new(e)), Span::default())),
        ]
    })
}

fn request() -> impl Strategy<Value = Req> {
    (
        prop::collection::vec(
            (prop::sample::select(HEADERS), prop::sample::select(VALUES)),
            0..6,
        ),
        prop::sample::select(TARGETS),
    )
        .prop_map(|(headers, target)| Req {
            method: "GET".into(),
            target: target.into(),
            version: "HTTP/1.1".into(),
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]
    #[test]
    fn compiled_agrees_with_reference(expr in rule(), req in request()) {
        let names = HashMap::new();
        for instance in [HeaderInstance::Last, HeaderInstance::First, HeaderInstance::Any] {
            let mut options = CompileOptions::default();
            options.header_instance = instance;
            let program = Program::compile(&expr, "", &NamedExpressions::new(), &options).expect("compiles");
            let pairs: Vec<(&str, &[u8])> = req.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
            let view = HeaderList {
                method: req.method.as_bytes(),
                target: req.target.as_bytes(),
                version: req.version.as_bytes(),
                headers: &pairs,
                carried: None,
            };
            let compiled = program.eval(&view);
            let reference = Reference { names: &names, instance, context: None }.eval(&expr, &req);
            prop_assert_eq!(compiled, reference, "rule {} under {:?}", expr, instance);
            prop_assert_eq!(program.explain(&view).verdict, Some(compiled));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// The trigger index of a large set gives the same non-false verdicts as evaluating every rule.
    #[test]
    fn indexed_sets_agree_with_full_evaluation(
        rules in prop::collection::vec(rule(), 16..48),
        requests in prop::collection::vec(request(), 1..8),
    ) {
        for instance in [HeaderInstance::Last, HeaderInstance::First] {
            let names = NamedExpressions::new();
            let mut options = CompileOptions::default();
            options.header_instance = instance;
            let mut builder = ProgramSetBuilder::new(&names, &options);
            for r in &rules {
                builder.add(r, "").expect("compiles");
            }
            let set = builder.build();
            let mut scratch = SetScratch::default();
            let (mut dense, mut sparse) = (Vec::new(), Vec::new());
            for req in &requests {
                let pairs: Vec<(&str, &[u8])> = req.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
                let view = HeaderList { method: b"GET", target: req.target.as_bytes(), version: b"HTTP/1.1", headers: &pairs, carried: None };
                set.eval_all(&view, &mut dense);
                set.eval_sparse(&view, &mut scratch, &mut sparse);
                let expected: Vec<(usize, Verdict)> = dense.iter().copied().enumerate().filter(|(_, v)| *v != Verdict::False).collect();
                prop_assert_eq!(&sparse, &expected);
                // Leaves shared across the set (memoised once per request) give what each rule
                // gives on its own under the reference evaluator.
                let names = std::collections::HashMap::new();
                for (rule, verdict) in rules.iter().zip(&dense) {
                    let reference = Reference { names: &names, instance, context: None }.eval(rule, req);
                    prop_assert_eq!(*verdict, reference, "rule {} in a set", rule);
                }
            }
        }
    }
}
