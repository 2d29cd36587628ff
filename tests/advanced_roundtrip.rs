//! Property test of D35: for generated canonical advanced ASTs covering every node kind,
//! `parse(print(ast))` is the same tree and printing is a fixpoint.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nsexpr::Span;
use nsexpr::ast::advanced::{
    AdvExpr, AdvKind, BinOp, Call, Chain, ChainHead, Infix, IpLit, PatternKind, RegexLit, TimeLit,
};
use nsexpr::syntax::advanced::{
    AdvParseOptions, is_enum_word, is_prefix_word, parse_advanced_with,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

fn node(kind: AdvKind) -> AdvExpr {
    AdvExpr::new(kind, Span::default())
}

fn call(name: String, args: Option<Vec<AdvExpr>>) -> Call {
    Call {
        name,
        args,
        span: Span::default(),
    }
}

/// A named-expression name: not a prefix, enumeration or operator word, and not `re`/`xp`
/// followed by a delimiter.
fn named() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,8}".prop_filter("an ordinary name", |n| {
        let upper = n.to_ascii_uppercase();
        !is_prefix_word(n)
            && !is_enum_word(n)
            && !["TRUE", "FALSE", "AND", "OR", "NOT"].contains(&upper.as_str())
            && !upper.starts_with("RE")
            && !upper.starts_with("XP")
    })
}

fn method_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec!["HEADER", "CONTAINS", "EXISTS", "SET_TEXT_MODE", "EQ", "VALUE", "LENGTH", "NOT", "RE", "XP", "TRUE"])
            .prop_map(str::to_owned),
        1 => "[A-Z_][A-Z0-9_]{0,8}",
    ]
}

fn text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => "[ -~]{0,20}".prop_map(String::into_bytes),
        2 => vec(any::<u8>(), 0..12),
        1 => vec(any::<u8>(), 250..600),
    ]
}

fn regex() -> impl Strategy<Value = RegexLit> {
    let delimiters: Vec<char> = ('!'..='~')
        .filter(|c| !c.is_ascii_alphanumeric() && *c != '_')
        .collect();
    (
        select(delimiters),
        "[ -~]{0,12}",
        prop_oneof![Just(PatternKind::Regex), Just(PatternKind::XPath)],
    )
        .prop_map(|(delimiter, pattern, kind)| RegexLit {
            kind,
            delimiter,
            pattern: pattern.replace(delimiter, ""),
        })
}

fn ip() -> impl Strategy<Value = IpLit> {
    prop_oneof![
        (any::<u32>(), option::of(0u8..=32)).prop_map(|(a, prefix)| IpLit {
            addr: IpAddr::V4(Ipv4Addr::from(a)),
            prefix
        }),
        (any::<u128>(), option::of(0u8..=128)).prop_map(|(a, prefix)| IpLit {
            addr: IpAddr::V6(Ipv6Addr::from(a)),
            prefix
        }),
    ]
}

fn time() -> impl Strategy<Value = TimeLit> {
    (
        any::<bool>(),
        option::of(1000u16..=9999),
        option::of(1u8..=12),
        option::of(1u8..=31),
        option::of((0u8..=6, option::of(1u8..=5))),
        option::of(0u8..24),
        option::of(0u8..60),
        option::of(0u8..60),
    )
        .prop_map(
            |(local, year, month, day, weekday, hours, minutes, seconds)| TimeLit {
                local,
                year,
                month,
                day,
                weekday: weekday.map(|(d, _)| d),
                week: weekday.and_then(|(_, n)| n),
                hours,
                minutes,
                seconds,
            },
        )
        .prop_filter("at least one field", |t| !t.is_empty())
}

fn enum_word() -> impl Strategy<Value = String> {
    select(vec![
        "IGNORECASE",
        "NOIGNORECASE",
        "URLENCODED",
        "GET",
        "POST",
        "NEXT",
        "GMT",
        "SUN",
    ])
    .prop_map(str::to_owned)
}

/// Arguments: the argument-only literals or an expression.
fn arg(expr: BoxedStrategy<AdvExpr>) -> impl Strategy<Value = AdvExpr> {
    prop_oneof![
        2 => text().prop_map(|t| node(AdvKind::Text(t))),
        1 => (0u8..=0x7E).prop_map(|c| node(AdvKind::Char(c))),
        1 => regex().prop_map(|r| node(AdvKind::Regex(r))),
        1 => ip().prop_map(|i| node(AdvKind::Ip(i))),
        1 => time().prop_map(|t| node(AdvKind::Time(t))),
        1 => enum_word().prop_map(|w| node(AdvKind::Enum(w))),
        3 => expr,
    ]
}

fn calls(expr: BoxedStrategy<AdvExpr>) -> impl Strategy<Value = Vec<Call>> {
    vec(
        (method_name(), option::of(vec(arg(expr), 0..3))).prop_map(|(n, a)| call(n, a)),
        0..4,
    )
}

fn leaf() -> impl Strategy<Value = AdvExpr> {
    prop_oneof![
        any::<bool>().prop_map(|b| node(AdvKind::Bool(b))),
        (any::<u64>(), any::<bool>()).prop_map(|(value, hex)| node(AdvKind::Number { value, hex })),
        (prop_oneof![
            select(vec!["HTTP", "CLIENT", "SYS", "AAA", "Q", "DNS"]).prop_map(str::to_owned),
            named()
        ],)
            .prop_map(|(name,)| node(AdvKind::Chain(Chain {
                head: ChainHead::Word(call(name, None)),
                calls: Vec::new(),
            }))),
    ]
}

fn level_ops(level: u8) -> Vec<BinOp> {
    BinOp::ALL
        .into_iter()
        .filter(|op| op.level() == level)
        .collect()
}

fn is_infix_of(expr: &AdvExpr, level: u8) -> bool {
    matches!(&expr.kind, AdvKind::Infix(i) if i.rest.first().is_some_and(|(op, _)| op.level() == level))
}

fn expr() -> impl Strategy<Value = AdvExpr> {
    leaf().prop_recursive(4, 40, 4, |inner| {
        let inner = inner.boxed();
        prop_oneof![
            // A chain: a word or a literal/parenthesised head, then calls.
            (
                prop_oneof![
                    select(vec!["HTTP", "CLIENT", "SYS", "AAA"]).prop_map(str::to_owned),
                    named()
                ],
                option::of(vec(arg(inner.clone()), 0..3)),
                calls(inner.clone())
            )
                .prop_map(|(name, args, calls)| node(AdvKind::Chain(Chain {
                    head: ChainHead::Word(call(name, args)),
                    calls,
                }))),
            (
                prop_oneof![
                    text().prop_map(|t| node(AdvKind::Text(t))),
                    any::<bool>().prop_map(|b| node(AdvKind::Bool(b))),
                    inner.clone().prop_map(|e| node(AdvKind::Not(Box::new(e)))),
                ],
                (method_name(), calls(inner.clone())).prop_map(|(first, mut rest)| {
                    rest.insert(0, call(first, None));
                    rest
                })
            )
                .prop_map(|(head, calls)| node(AdvKind::Chain(Chain {
                    head: ChainHead::Expr(Box::new(head)),
                    calls,
                }))),
            inner.clone().prop_map(|e| node(AdvKind::Not(Box::new(e)))),
            inner.clone().prop_map(|e| node(AdvKind::Neg(Box::new(e)))),
            // A run of one level; text operands only in comparisons, where no `+` follows them.
            (
                1u8..=9,
                inner.clone(),
                vec(
                    (
                        any::<prop::sample::Index>(),
                        inner.clone(),
                        text(),
                        any::<bool>()
                    ),
                    1..4
                )
            )
                .prop_map(|(level, first, rest)| {
                    let ops = level_ops(level);
                    let comparison = level == BinOp::Eq.level();
                    let rest = rest
                        .into_iter()
                        .map(|(i, e, t, use_text)| {
                            let operand = if comparison && use_text {
                                node(AdvKind::Text(t))
                            } else {
                                e
                            };
                            (*i.get(&ops), operand)
                        })
                        .collect();
                    // A run never starts with a run of its own level (that would be one run).
                    let first = if is_infix_of(&first, level) {
                        node(AdvKind::Not(Box::new(first)))
                    } else {
                        first
                    };
                    node(AdvKind::Infix(Infix {
                        first: Box::new(first),
                        rest,
                    }))
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(ast in expr()) {
        let printed = ast.to_string();
        // Generated trees may print longer than the appliance's limit; only the shape matters here.
        let options = AdvParseOptions { max_len: 0, ..AdvParseOptions::default() };
        let parsed = parse_advanced_with(&printed, &options).map(|p| p.expr);
        prop_assert!(parsed.is_ok(), "{printed:?} does not parse: {}", parsed.err().map(|e| e.to_string()).unwrap_or_default());
        let parsed = parsed.unwrap_or_else(|_| ast.clone());
        prop_assert!(parsed.same_as(&ast), "{printed:?} parses as {parsed:?}, not {ast:?}");
        prop_assert_eq!(parsed.to_string(), printed);
    }
}
