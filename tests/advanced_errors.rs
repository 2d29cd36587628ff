//! Rendered advanced-expression errors (`format!("{err}")`): message, hint, and the rule line
//! with carets under the offending text. Parse errors come first, then type errors (D24).
//! Snapshots live in `tests/snapshots/`.

use nsexpr::compile::advanced::{CheckOptions, check_rule};
use nsexpr::syntax::advanced::parse_advanced;

fn parse_error(rule: &str) -> String {
    match parse_advanced(rule) {
        Ok(expr) => panic!("{rule:?} should fail, parsed as {expr}"),
        Err(err) => format!("{err}"),
    }
}

fn check_error(rule: &str, strict: bool) -> String {
    let options = CheckOptions {
        strict,
        ..CheckOptions::default()
    };
    match check_rule(rule, &options) {
        Ok(checked) => panic!("{rule:?} should fail, checked as {:?}", checked.typed.ty),
        Err(err) => format!("{err}"),
    }
}

macro_rules! parse_snapshots {
    ($($name:ident: $rule:expr;)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), parse_error($rule));
            }
        )*
    };
}

macro_rules! check_snapshots {
    ($($name:ident: $rule:expr, $strict:expr;)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), check_error($rule, $strict));
            }
        )*
    };
}

parse_snapshots! {
    empty: "  ";
    word_and: r#"HTTP.REQ.HEADER("A").EXISTS AND HTTP.REQ.HEADER("B").EXISTS"#;
    word_or: r#"HTTP.REQ.HEADER("A").EXISTS or TRUE"#;
    word_not: r#"NOT HTTP.REQ.HEADER("A").EXISTS"#;
    classic_rule: "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver";
    classic_term_inside: r#"HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS && REQ.HTTP.HEADER User-Agent CONTAINS Worx"#;
    classic_operator_word: r#"HTTP.REQ.HEADER("User-Agent") CONTAINS "Worx""#;
    single_equals: "HTTP.REQ.URL.LENGTH = 5";
    unterminated_string: r#"HTTP.REQ.URL.CONTAINS("/vpn"#;
    invalid_escape: r#"HTTP.REQ.URL.CONTAINS("a\qb")"#;
    literal_too_long: concat!(
        r#"HTTP.REQ.URL.EQ(""#,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        r#"")"#
    );
    unclosed_argument_list: r#"HTTP.REQ.HEADER("User-Agent""#;
    missing_comma: "HTTP.REQ.URL.SUBSTR(0 5)";
    missing_name_after_dot: "HTTP.REQ..URL";
    invalid_subnet: "CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/40)";
    invalid_time_field: "SYS.TIME.BETWEEN(GMT 2024 Smarch 1, GMT 2024 Dec 1)";
    unterminated_regex: "HTTP.REQ.URL.REGEX_MATCH(re#^/old)";
    too_deep: "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((TRUE))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))";
}

check_snapshots! {
    not_boolean: "HTTP.REQ.URL", false;
    text_method_on_ip: r#"CLIENT.IP.SRC.CONTAINS("10.")"#, false;
    number_argument_for_text: r#"HTTP.REQ.HEADER("X").EQ(5)"#, false;
    method_on_number: r#"HTTP.REQ.URL.LENGTH.CONTAINS("1")"#, false;
    header_name_expression: "HTTP.REQ.HEADER(HTTP.REQ.URL).EXISTS", false;
    instance_out_of_range: r#"HTTP.REQ.HEADER("Via").INSTANCE(15).EXISTS"#, false;
    misspelled_method: r#"HTTP.REQ.HEADER("User-Agent").CONTIANS("Worx")"#, false;
    misspelled_prefix: r#"HTTP.REQ.HEADRE("User-Agent").EXISTS"#, false;
    incomplete_prefix: "HTTP.REQ && TRUE", false;
    comparison_mismatch: r#"HTTP.REQ.URL.LENGTH == HTTP.REQ.HOSTNAME"#, false;
    and_of_number: "HTTP.REQ.URL.LENGTH && TRUE", false;
    strict_unsupported: "HTTP.RES.STATUS.EQ(200)", true;
    strict_notcontains: r#"HTTP.REQ.HEADER("User-Agent").NOTCONTAINS("CitrixReceiver")"#, true;
    embedded_classic_does_not_parse: r#"SYS.EVAL_CLASSIC_EXPR("URL ==")"#, false;
    regex_outside_argument_list: "HTTP.REQ.URL.EQ(re/a/)", false;
}
