//! Rendered parse errors (`format!("{err}")`): message, "expected ..." hint, and the rule line
//! with carets under the offending token (D16). Snapshots live in `tests/snapshots/`.

use nsexpr::syntax::{ParseOptions, parse, parse_with};

fn rendered(rule: &str) -> String {
    match parse(rule) {
        Ok(expr) => panic!("{rule:?} should fail, parsed as {expr}"),
        Err(err) => format!("{err}"),
    }
}

macro_rules! snapshots {
    ($($name:ident: $rule:expr;)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), rendered($rule));
            }
        )*
    };
}

snapshots! {
    empty: "   ";
    unexpected_end_after_and: "REQ.HTTP.HEADER Referer EXISTS &&";
    unclosed_paren: "(REQ.HTTP.METHOD == GET";
    unexpected_close_paren: "(REQ.HTTP.METHOD == GET))";
    epa_unbalanced_as_printed: r"client.file(c:\\\\file.txt) EXISTS) OR (client.proc(putty.exe) EXISTS";
    empty_parens: "ns_true && ()";
    word_operator_and: "REQ.HTTP.HEADER A EXISTS AND REQ.HTTP.HEADER B EXISTS";
    word_operator_not: "NOT ns_true";
    word_operator_after_epa: "CLIENT.OS(win7) EXISTS OR URL == /a";
    unknown_qualifier: "REQ.HTTP.FOO == 1";
    unknown_name_with_operator: "ns_custom CONTAINS x";
    unknown_operator: "REQ.HTTP.HEADER User-Agent XCONTAINS Worx";
    bare_header_qualifier: "REQ.HTTP.HEADER User-Agent";
    bare_qualifier: "REQ.TCP.DESTPORT";
    missing_header_name: "HEADER == x";
    unterminated_quote: "HEADER Cookie CONTAINS 'abc pqr";
    missing_value: "HEADER A ==";
    invalid_number: "URLLEN > 25o";
    number_overflow: "URLLEN > 99999999999999999999";
    invalid_port: "DESTPORT == 80-70000";
    range_not_allowed: "REQ.TCP.DESTPORT >= 80-90 && REQ.HTTP.METHOD == GET";
    invalid_ip: "SOURCEIP == 10.0.0.300";
    invalid_netmask: "SOURCEIP == 10.0.0.0 -netmask 255.0";
    operator_not_allowed: "SOURCEIP CONTAINS 10.";
    option_not_allowed: "URLLEN > 5 -offset 2";
    duplicate_option: "URL CONTAINS a -length 3 -len 4";
    unknown_option: "URL CONTAINS a -width 3";
    invalid_date: "DATE == '2010-13-24GMT'";
    invalid_tokens: "URLTOKENS == 'ab,c'";
    invalid_cipher_type: "REQ.SSL.CLIENT.CIPHER.TYPE == Domestic";
    trailing_input: "URL == /a b";
    advanced_syntax: r#"HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#;
    second_line: "ns_true &&\n  URL == /a b";
    control_character: "REQ.HTTP.HEADER A CONTAINS a\0b";
    qualifier_typo: "REQ.HTTP.HEADR Cookie EXISTS";
    qualifier_typo_not_header: "REQ.HTTP.URLLN > 5";
    operator_typo_contain: "REQ.HTTP.HEADER A CONTAIN x";
    operator_typo_notexist: "URL NOTEXIST";
    epa_operator_typo: "CLIENT.OS(win7) EXIST5";
}

#[test]
fn too_deep() {
    let rule = format!("{}ns_true{}", "(".repeat(300), ")".repeat(300));
    let err = parse(&rule).expect_err("too deep");
    let text = format!("{err}");
    insta::assert_snapshot!("too_deep", text.lines().next().unwrap_or(""));
}

#[test]
fn too_long() {
    let options = ParseOptions {
        max_input_len: 16,
        ..ParseOptions::default()
    };
    let err = parse_with("REQ.HTTP.HEADER A EXISTS", &options).expect_err("too long");
    insta::assert_snapshot!("too_long", format!("{err}"));
}
