//! Property test of D15: for generated canonical ASTs covering every node kind and qualifier
//! family, `parse(print(ast))` is the same tree and printing is a fixpoint.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nsexpr::Span;
use nsexpr::ast::{
    CivilTime, DateKind, DateLit, Expr, ExprKind, IpValue, Opaque, OpaqueFamily, Operator, Options,
    Qualifier, Side, Simple, TimeZone, Value, Weekday,
};
use nsexpr::syntax::{ParseOptions, parse_with};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9/._=:;,*?%+-]{1,12}",
        // Rules cannot carry control characters; everything else may appear in a value.
        2 => "[\\t\\n\\r[^\\p{Cc}]]{0,10}",
        1 => select(vec!["", "a && b", "b || c", "-dash", "(x)", "it's", "back\\slash", "a\"b", "x)"])
            .prop_map(str::to_owned),
    ]
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][A-Za-z0-9-]{0,15}",
        1 => "[\\t\\n\\r[^\\p{Cc}]]{0,8}",
        1 => select(vec!["X Custom", "a=b", "x!y", "-h", "''"]).prop_map(str::to_owned),
    ]
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,10}".prop_filter("not a keyword or qualifier", |n| {
        let reserved = [
            "AND",
            "OR",
            "NOT",
            "CONTAINS",
            "NOTCONTAINS",
            "CONTENTS",
            "EXISTS",
            "NOTEXISTS",
            "BETWEEN",
            "EQ",
            "NEQ",
            "GT",
            "EXIST",
        ];
        Qualifier::lookup(n).is_none() && !reserved.iter().any(|r| r.eq_ignore_ascii_case(n))
    })
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Req), Just(Side::Res)]
}

fn civil(day_only: bool) -> impl Strategy<Value = CivilTime> {
    (1970i32..2100, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60).prop_map(
        move |(year, month, day, hour, minute, second)| {
            if day_only {
                CivilTime {
                    year,
                    month,
                    day,
                    hour: 0,
                    minute: 0,
                    second: 0,
                }
            } else {
                CivilTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                }
            }
        },
    )
}

fn zone() -> impl Strategy<Value = TimeZone> {
    prop_oneof![
        3 => Just(TimeZone::Gmt),
        1 => "[A-FH-Z][A-Z]{2}".prop_map(TimeZone::Local),
    ]
}

fn date(kind: DateKind) -> impl Strategy<Value = DateLit> {
    (civil(kind == DateKind::Day), zone()).prop_map(move |(time, zone)| DateLit {
        kind,
        time,
        zone,
    })
}

fn ip() -> impl Strategy<Value = IpValue> {
    prop_oneof![
        (any::<u32>(), proptest::option::of(0u8..=32)).prop_map(|(a, prefix)| IpValue {
            addr: IpAddr::V4(Ipv4Addr::from(a)),
            prefix
        }),
        (any::<u128>(), proptest::option::of(0u8..=128)).prop_map(|(a, prefix)| IpValue {
            addr: IpAddr::V6(Ipv6Addr::from(a)),
            prefix
        }),
    ]
}

fn simple(
    qualifier: Qualifier,
    header: Option<String>,
    op: Operator,
    value: Option<Value>,
    options: Options,
) -> Expr {
    e(ExprKind::Simple(Simple {
        qualifier,
        header,
        op: Some(op),
        value,
        options,
    }))
}

fn window() -> impl Strategy<Value = Options> {
    (
        proptest::option::of(0u64..10_000),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(length, offset)| Options {
            length,
            offset,
            netmask: None,
        })
}

const TEXT_OPS: &[Operator] = &[
    Operator::Eq,
    Operator::Ne,
    Operator::Contains,
    Operator::NotContains,
    Operator::Contents,
    Operator::Exists,
    Operator::NotExists,
];

fn text_simple() -> impl Strategy<Value = Expr> {
    let qualifier = prop_oneof![
        Just(Qualifier::Url),
        Just(Qualifier::UrlQuery),
        side().prop_map(Qualifier::Version),
        side().prop_map(Qualifier::Header),
        side().prop_map(Qualifier::InterfaceId),
        Just(Qualifier::ClientCert),
        Just(Qualifier::CertSubject),
        Just(Qualifier::CertIssuer),
        Just(Qualifier::CertSigAlgo),
        Just(Qualifier::CertSerialNumber),
    ];
    (qualifier, header_name(), select(TEXT_OPS), text(), window()).prop_map(
        |(q, header, op, value, options)| {
            let header = q.takes_header_name().then_some(header);
            let value = (!op.is_unary()).then_some(Value::Text(value));
            simple(q, header, op, value, options)
        },
    )
}

fn numeric_value(max: u64, op: Operator) -> BoxedStrategy<Value> {
    match op {
        Operator::Between => (0..=max, 0..=max)
            .prop_map(|(a, b)| Value::Range(a, b))
            .boxed(),
        Operator::Eq | Operator::Ne => prop_oneof![
            (0..=max).prop_map(Value::Number),
            (0..=max, 0..=max).prop_map(|(a, b)| Value::Range(a, b)),
        ]
        .boxed(),
        _ => (0..=max).prop_map(Value::Number).boxed(),
    }
}

fn numeric_simple() -> impl Strategy<Value = Expr> {
    let qualifier = prop_oneof![
        Just(Qualifier::UrlLen),
        Just(Qualifier::UrlQueryLen),
        Just(Qualifier::StatusCode),
        side().prop_map(Qualifier::Mss),
        side().prop_map(Qualifier::VlanId),
        side().prop_map(Qualifier::RxThroughput),
        side().prop_map(Qualifier::TxThroughput),
        side().prop_map(Qualifier::RxTxThroughput),
        Just(Qualifier::CertVersion),
        Just(Qualifier::CipherBits),
        Just(Qualifier::SslVersion),
        side().prop_map(Qualifier::SourcePort),
        side().prop_map(Qualifier::DestPort),
    ];
    let ops = vec![
        Operator::Eq,
        Operator::Ne,
        Operator::Gt,
        Operator::Lt,
        Operator::Ge,
        Operator::Le,
        Operator::Between,
    ];
    (qualifier, select(ops)).prop_flat_map(|(q, op)| {
        let port = matches!(q, Qualifier::SourcePort(_) | Qualifier::DestPort(_));
        let max = if port { 65535 } else { u64::MAX };
        numeric_value(max, op).prop_map(move |v| simple(q, None, op, Some(v), Options::default()))
    })
}

fn other_simple() -> impl Strategy<Value = Expr> {
    let eq_ne = || select(vec![Operator::Eq, Operator::Ne]);
    let date_ops = || {
        select(vec![
            Operator::Eq,
            Operator::Ne,
            Operator::Gt,
            Operator::Lt,
            Operator::Ge,
            Operator::Le,
            Operator::Between,
        ])
    };
    let dated = |q: Qualifier, kind: DateKind| {
        (date_ops(), date(kind), date(kind)).prop_map(move |(op, a, b)| {
            let value = if op == Operator::Between {
                Value::DateRange(a, b)
            } else {
                Value::Date(a)
            };
            simple(q, None, op, Some(value), Options::default())
        })
    };
    prop_oneof![
        (eq_ne(), "[A-Za-z]{1,10}").prop_map(|(op, m)| simple(
            Qualifier::Method,
            None,
            op,
            Some(Value::Text(m)),
            Options::default()
        )),
        (
            eq_ne(),
            vec(
                any::<char>().prop_filter("no comma or control", |c| *c != ','
                    && (!c.is_control() || matches!(c, '\t' | '\n' | '\r'))),
                1..5
            )
        )
            .prop_map(|(op, t)| simple(
                Qualifier::UrlTokens,
                None,
                op,
                Some(Value::Tokens(t)),
                Options::default()
            )),
        (
            eq_ne(),
            side(),
            any::<bool>(),
            ip(),
            proptest::option::of(any::<u128>())
        )
            .prop_map(|(op, s, src, ip, mask)| {
                let q = if src {
                    Qualifier::SourceIp(s)
                } else {
                    Qualifier::DestIp(s)
                };
                let netmask = mask.map(|m| match ip.addr {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(m as u32)),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(m)),
                });
                simple(
                    q,
                    None,
                    op,
                    Some(Value::Ip(ip)),
                    Options {
                        netmask,
                        ..Options::default()
                    },
                )
            }),
        (eq_ne(), side(), any::<bool>(), any::<[u8; 6]>()).prop_map(|(op, s, src, m)| {
            let q = if src {
                Qualifier::SourceMac(s)
            } else {
                Qualifier::DestMac(s)
            };
            simple(q, None, op, Some(Value::Mac(m)), Options::default())
        }),
        (eq_ne(), text()).prop_map(|(op, t)| simple(
            Qualifier::Location,
            None,
            op,
            Some(Value::Text(t)),
            Options::default()
        )),
        eq_ne().prop_map(|op| simple(
            Qualifier::CipherType,
            None,
            op,
            Some(Value::Text("Export".to_owned())),
            Options::default()
        )),
        dated(Qualifier::Date, DateKind::Day),
        dated(Qualifier::Time, DateKind::Instant),
        dated(Qualifier::CertValidFrom, DateKind::Cert),
        dated(Qualifier::CertValidTo, DateKind::Cert),
        (
            select(vec![
                Operator::Eq,
                Operator::Ne,
                Operator::Gt,
                Operator::Lt,
                Operator::Ge,
                Operator::Le
            ]),
            0u8..7,
            zone()
        )
            .prop_map(|(op, d, z)| {
                let day = Weekday::from_index(d).unwrap_or(Weekday::Sunday);
                simple(
                    Qualifier::DayOfWeek,
                    None,
                    op,
                    Some(Value::Weekday(day, z)),
                    Options::default(),
                )
            }),
    ]
}

fn opaque() -> impl Strategy<Value = Expr> {
    let client = select(vec![
        "CLIENT.APPLICATION.AV(sophos).version==7.0",
        "CLIENT.SVC(netlogon) EXISTS",
        "client.proc(putty.exe) EXISTS",
        "CLIENT.OS(win7) EXISTS AND CLIENT.FILE(c:\\\\x.txt) EXISTS",
        "CLIENT.REG('HKLM\\\\x_y').VALUE == example.net",
        "(CLIENT.OS(win7) EXISTS) OR (CLIENT.OS(win8).SP == 1)",
    ])
    .prop_map(|t| {
        e(ExprKind::Opaque(Opaque {
            family: OpaqueFamily::ClientSecurity,
            text: t.to_owned(),
        }))
    });
    let fs = select(vec![
        "FS.USER == admin",
        "FS.PATH CONTAINS /home",
        "FS.COMMAND EXISTS",
    ])
    .prop_map(|t| {
        e(ExprKind::Opaque(Opaque {
            family: OpaqueFamily::FileSystem,
            text: t.to_owned(),
        }))
    });
    prop_oneof![client, fs]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => text_simple(),
        2 => numeric_simple(),
        3 => other_simple(),
        2 => name().prop_map(|n| e(ExprKind::Name(n))),
        1 => opaque(),
    ]
}

/// `first op rest...` in canonical shape: a first item of the same operator is flattened.
fn chain(and: bool, first: Expr, rest: Vec<Expr>) -> Expr {
    let mut items = match first.kind {
        ExprKind::And(items) if and => items,
        ExprKind::Or(items) if !and => items,
        kind => vec![e(kind)],
    };
    items.extend(rest);
    e(if and {
        ExprKind::And(items)
    } else {
        ExprKind::Or(items)
    })
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| e(ExprKind::Not(Box::new(x)))),
            (inner.clone(), vec(inner.clone(), 1..4)).prop_map(|(f, r)| chain(true, f, r)),
            (inner.clone(), vec(inner, 1..4)).prop_map(|(f, r)| chain(false, f, r)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn print_parse_round_trip(ast in expr()) {
        let printed = ast.to_string();
        let parsed = parse_with(&printed, &ParseOptions::default());
        prop_assert!(parsed.is_ok(), "{printed:?} does not parse: {}", parsed.err().map(|e| e.to_string()).unwrap_or_default());
        let parsed = parsed.map(|p| p.expr).unwrap_or_else(|_| ast.clone());
        prop_assert!(parsed.same_as(&ast), "{printed:?}\nwant {ast:#?}\ngot {parsed:#?}");
        prop_assert_eq!(parsed.to_string(), printed);
    }
}
