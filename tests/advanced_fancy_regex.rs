//! The `fancy_regex` option (D28): back-references and look-around run on a backtracking engine
//! instead of being UNKNOWN; running out of steps is UNDEF.

use nsexpr::eval::HeaderList;
use nsexpr::{CompileOptions, Program, Verdict};

fn eval(rule: &str, fancy: bool, value: &str) -> Verdict {
    let program = Program::builder()
        .options(CompileOptions::default().fancy_regex(fancy))
        .build(rule)
        .unwrap();
    let headers = [("A", value)];
    program.eval(&HeaderList::new("GET", "/", &headers))
}

#[test]
fn back_references_are_unknown_without_the_option() {
    let rule = r#"HTTP.REQ.HEADER("A").REGEX_MATCH(re/(ab)\1/)"#;
    assert_eq!(eval(rule, false, "abab"), Verdict::Unknown);
    let program = Program::new(rule).unwrap();
    assert_eq!(program.unsupported(), ["regex:backreference"]);
}

#[test]
fn back_references_and_look_around_match_with_the_option() {
    let rule = r#"HTTP.REQ.HEADER("A").REGEX_MATCH(re/(ab)\1/)"#;
    assert_eq!(eval(rule, true, "xxabab"), Verdict::True);
    assert_eq!(eval(rule, true, "abba"), Verdict::False);
    let ahead = r#"HTTP.REQ.HEADER("A").REGEX_MATCH(re/Receiver(?!.*Android)/)"#;
    assert_eq!(eval(ahead, true, "CitrixReceiver/23 iOS"), Verdict::True);
    assert_eq!(
        eval(ahead, true, "CitrixReceiver/23 Android"),
        Verdict::False
    );
}

#[test]
fn ignorecase_applies_to_the_backtracking_engine() {
    let rule = r#"HTTP.REQ.HEADER("A").SET_TEXT_MODE(IGNORECASE).REGEX_MATCH(re/(ab)\1/)"#;
    assert_eq!(eval(rule, true, "xABAB"), Verdict::True);
    assert_eq!(eval(rule, false, "xABAB"), Verdict::Unknown);
}

#[test]
fn running_out_of_steps_is_undef() {
    // Exponential backtracking on a non-matching subject exceeds the step limit.
    let rule = r#"HTTP.REQ.HEADER("A").REGEX_MATCH(re/^(?=a)(a|aa)*(a|aa)*(a|aa)*c$/)"#;
    let subject = "a".repeat(40);
    assert_eq!(eval(rule, true, &subject), Verdict::Undef);
}
