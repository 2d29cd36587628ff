//! For generated classic rules, conversion either refuses with a named construct or yields text
//! the advanced parser and checker accept and that prints and re-parses stably.

use nsexpr::compile::advanced::{CheckOptions, check_rule};
use nsexpr::convert::{ConvertErrorKind, ConvertOptions, adversarial_set, convert_rule, verify};
use nsexpr::syntax::advanced::parse_advanced;
use nsexpr::{CompileOptions, NamedExpressions, Program};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9/._*?%\" -]{0,8}".prop_map(|v| format!("'{}'", v.replace('\'', "")))
}

fn atom() -> impl Strategy<Value = String> {
    let header = "[A-Za-z][A-Za-z0-9-]{0,10}";
    prop_oneof![
        (
            header,
            prop::sample::select(vec!["CONTAINS", "NOTCONTAINS", "==", "!="]),
            value()
        )
            .prop_map(|(h, op, v)| format!("REQ.HTTP.HEADER {h} {op} {v}")),
        (header, prop::sample::select(vec!["EXISTS", "NOTEXISTS"]))
            .prop_map(|(h, op)| format!("REQ.HTTP.HEADER {h} {op}")),
        (header, value(), 0u8..5, 0u8..5).prop_map(|(h, v, o, l)| format!(
            "REQ.HTTP.HEADER {h} CONTAINS {v} -offset {o} -length {l}"
        )),
        (
            prop::sample::select(vec!["==", "!=", "CONTAINS"]),
            "/[a-z*.]{0,6}"
        )
            .prop_map(|(op, p)| format!("URL {op} '{p}'")),
        (
            prop::sample::select(vec!["CONTAINS", "==", "EXISTS", "NOTEXISTS"]),
            value()
        )
            .prop_map(|(op, v)| if op.contains("EXISTS") {
                format!("URLQUERY {op}")
            } else {
                format!("URLQUERY {op} {v}")
            }),
        (
            prop::sample::select(vec![
                "URLLEN",
                "URLQUERYLEN",
                "REQ.TCP.DESTPORT",
                "REQ.VLANID"
            ]),
            prop::sample::select(vec!["==", "!=", ">", "<", ">=", "<="]),
            0u16..2000
        )
            .prop_map(|(q, op, n)| format!("{q} {op} {n}")),
        (0u16..1000, 0u16..1000).prop_map(|(a, b)| format!("REQ.TCP.SOURCEPORT == {a}-{b}")),
        (any::<[u8; 4]>(), any::<[u8; 4]>()).prop_map(|(a, m)| format!(
            "SOURCEIP == {}.{}.{}.{} -netmask {}.{}.{}.{}",
            a[0], a[1], a[2], a[3], m[0], m[1], m[2], m[3]
        )),
        prop::sample::select(vec![
            "METHOD == get",
            "METHOD != Post",
            "METHOD == PROPFIND",
            "ns_true",
            "ns_false",
            "ns_non_get",
            "ns_ext_cgi",
            "unknown_name",
            "DAYOFWEEK == MONDAYGMT",
            "DATE == '2010-05-24GMT'",
            "REQ.SSL.CLIENT.CIPHER.BITS < 128",
            "URLTOKENS == '+,?'",
            "LOCATION == Asia.*",
            "CLIENT.APPLICATION.PROCESS(abc.exe) EXISTS",
        ])
        .prop_map(str::to_owned),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} || {b}")),
            inner.clone().prop_map(|a| format!("!({a})")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn conversion_refuses_by_name_or_yields_checked_stable_text(text in rule()) {
        let Ok(expr) = nsexpr::syntax::parse(&text) else {
            return Ok(()); // generated values the classic parser rejects
        };
        for nspepi in [false, true] {
            let options = ConvertOptions {
                nspepi_compatible: nspepi,
                ..ConvertOptions::default()
            };
            match convert_rule(&expr, &text, &options) {
                Ok(c) => {
                    let reparsed = parse_advanced(&c.advanced).unwrap();
                    prop_assert_eq!(reparsed.to_string(), c.advanced.clone());
                    prop_assert!(reparsed.same_as(&parse_advanced(&reparsed.to_string()).unwrap()));
                    prop_assert!(check_rule(&c.advanced, &CheckOptions::default()).is_ok());
                    prop_assert!(nspepi || c.is_exact());
                }
                Err(e) => {
                    prop_assert!(
                        matches!(
                            e.kind(),
                            ConvertErrorKind::NoExactForm { .. } | ConvertErrorKind::UnknownName(_)
                        ),
                        "{}: {}", text, e
                    );
                }
            }
        }
    }

    #[test]
    fn the_adversarial_set_is_consistent_for_generated_rules(text in rule()) {
        let Ok(expr) = nsexpr::syntax::parse(&text) else { return Ok(()) };
        let names = NamedExpressions::new();
        let Ok(program) = Program::compile(&expr, &text, &names, &CompileOptions::default()) else {
            return Ok(());
        };
        let cases = adversarial_set(&expr, &names);
        prop_assert!(!cases.is_empty());
        prop_assert!(verify(&program, |r, c| program.eval_with(r, c), &cases).is_equivalent());
    }
}
