//! Property test: on generated advanced rules (header, URL, method, AAA and address atoms under
//! `&&`, `||`, `!` and `.NOT`, some of them UNDEF or UNKNOWN) and generated requests, the
//! compiled program, alone and inside a rule set, agrees with the reference evaluator of
//! `tests/common/adv_reference.rs` (D23-D31).

mod common;

use common::adv_reference::{self, Env, Outcome, Req};
use nsexpr::eval::HeaderList;
use nsexpr::{
    CompileOptions, Context, NamedExpressions, Program, ProgramSetBuilder, Syntax, Verdict,
};
use proptest::prelude::*;
use proptest::sample::select;

fn atom() -> impl Strategy<Value = String> {
    let header = select(vec!["X-A", "x-b"]);
    let needle = select(vec!["", "a", "ab", "B", "zz"]);
    let method = select(vec![
        ".CONTAINS",
        ".SET_TEXT_MODE(IGNORECASE).CONTAINS",
        ".EQ",
        ".STARTSWITH",
        ".VALUE(1).EQ",
        ".SET_TEXT_MODE(IGNORECASE).ENDSWITH",
        ".AFTER_STR",
    ]);
    prop_oneof![
        (header.clone(), method, needle).prop_map(|(h, m, n)| {
            if m == ".AFTER_STR" {
                format!(r#"HTTP.REQ.HEADER("{h}").AFTER_STR("a").EQ("{n}")"#)
            } else {
                format!(r#"HTTP.REQ.HEADER("{h}"){m}("{n}")"#)
            }
        }),
        header
            .clone()
            .prop_map(|h| format!(r#"HTTP.REQ.HEADER("{h}").EXISTS"#)),
        header.prop_map(|h| format!(r#"HTTP.REQ.HEADER("{h}").COUNT > 1"#)),
        select(vec!["/a", "/A", "/b?a"]).prop_map(|p| format!(r#"HTTP.REQ.URL.STARTSWITH("{p}")"#)),
        select(vec!["GET", "POST"]).prop_map(|m| format!("HTTP.REQ.METHOD.EQ({m})")),
        select(vec!["g1", "G2"]).prop_map(|g| format!(r#"AAA.USER.IS_MEMBER_OF("{g}")"#)),
        Just("CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8)".to_owned()),
        Just("TRUE".to_owned()),
        Just("FALSE".to_owned()),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
            inner.clone().prop_map(|a| format!("!({a})")),
            inner.prop_map(|a| format!("({a}).NOT")),
        ]
    })
}

fn request() -> impl Strategy<Value = Req> {
    let value = select(vec!["", "a", "ab", "AB", "xaz", "zz"]);
    let header = (select(vec!["X-A", "x-a", "X-B", "Other"]), value);
    (
        proptest::collection::vec(header, 0..20),
        select(vec!["/a/x", "/A", "/b?a=1", "/"]),
        select(vec!["GET", "post", "POST"]),
        proptest::option::of(proptest::collection::vec(
            select(vec!["g1", "g2", "G2"]),
            0..3,
        )),
        proptest::option::of(select(vec!["10.1.1.1", "192.0.2.1"])),
    )
        .prop_map(|(headers, target, method, groups, ip)| Req {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            user: None,
            groups: groups.map(|g| g.into_iter().map(str::to_owned).collect()),
            client_ip: ip.map(|ip| ip.parse().expect("ip")),
            clock: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn compiled_agrees_with_reference(rule in rule(), req in request()) {
        let program = Program::builder()
            .syntax(Syntax::Advanced)
            .build(&rule)
            .expect("generated rules compile");
        let headers: Vec<(&str, &[u8])> =
            req.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        let view = HeaderList::new(req.method.as_bytes(), req.target.as_bytes(), &headers);
        let mut ctx = Context::default();
        ctx.groups = req.groups.clone();
        ctx.request_net.source_ip = req.client_ip;
        let got = program.eval_with(&view, &ctx);
        let want = match adv_reference::eval(&rule, &req, &Env::default()) {
            Outcome::True => Verdict::True,
            Outcome::False => Verdict::False,
            Outcome::Undef => Verdict::Undef,
            Outcome::Unknown => Verdict::Unknown,
        };
        prop_assert_eq!(got, want, "{}", rule);
        prop_assert_eq!(program.explain_with(&view, &ctx).verdict, Some(got));
        let (names, options) = (NamedExpressions::new(), CompileOptions::default());
        let mut builder = ProgramSetBuilder::new(&names, &options);
        for _ in 0..17 {
            builder.add_text(&rule, Some(Syntax::Advanced)).expect("compiles");
        }
        let set = builder.build();
        let mut verdicts = Vec::new();
        set.eval_all_with(&view, &ctx, &mut verdicts);
        prop_assert!(verdicts.iter().all(|v| *v == got));
    }
}
