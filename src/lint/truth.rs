//! What the rule checks of both syntaxes share: the bounds on deciding a rule's parts, and the
//! finding for a rule true or false on every request.

use crate::config::RuleText;
use crate::eval::Verdict;

use super::atoms::MAX_REQUESTS;
use super::{Code, Sink};

/// Bounds on deciding the `&&` parts of one rule by evaluation: the most requests over all parts
/// together, the most parts, and the longest part (in bytes of the rule). Other parts get only the
/// syntactic check.
const PART_REQUESTS: usize = 8 * MAX_REQUESTS;
const PARTS: usize = 256;
pub(super) const PART_LEN: usize = 4096;

/// What is left of the bounds while a rule's parts are decided.
pub(super) struct Budget {
    pub(super) requests: usize,
    pub(super) parts: usize,
}

impl Budget {
    /// The bounds for one rule.
    pub(super) fn new() -> Budget {
        Budget {
            requests: PART_REQUESTS,
            parts: PARTS,
        }
    }
}

/// Reports a rule whose verdict is `verdict` (true or false) for every request.
pub(super) fn report_truth(
    policy: &str,
    verdict: Verdict,
    rule: &RuleText,
    advanced: bool,
    sink: &mut Sink<'_>,
) {
    let (code, message, hint) = if verdict == Verdict::True {
        (
            Code::AlwaysTrue,
            format!("the rule of `{policy}` is true for every request"),
            if advanced {
                "if every request is meant, write the rule as `true`; otherwise a test is missing"
            } else {
                "if every request is meant, write the rule as `ns_true`; otherwise a test is missing"
            },
        )
    } else {
        (
            Code::NeverTrue,
            format!("the rule of `{policy}` is false for every request"),
            "the policy never applies: correct the rule or remove the policy",
        )
    };
    sink.push(
        code,
        (rule.line, rule.column),
        message,
        Some(hint.to_owned()),
    );
}

/// Reports an `&&` that can never be true: the whole rule (`part` is `None`) or the part with
/// that canonical text, because the `operands` shown (their text) cannot all hold; `every` when
/// they are all the part's operands.
pub(super) fn report_contradiction(
    rule: &RuleText,
    offset: usize,
    part: Option<String>,
    operands: &[String],
    every: bool,
    sink: &mut Sink<'_>,
) {
    let why = match operands {
        [one] => format!("`{one}` never holds"),
        [a, b] => format!("`{a}` and `{b}` cannot both hold"),
        many => {
            let listed: Vec<String> = many.iter().map(|e| format!("`{e}`")).collect();
            let (last, rest) = listed
                .split_last()
                .map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            format!("{} and {last} cannot all hold", rest.join(", "))
        }
    };
    let message = match part {
        None => format!("the rule can never be true: {why}"),
        Some(part) if every => {
            format!("the part `{part}` of the rule can never be true: its operands cannot all hold")
        }
        Some(part) => format!("the part `{part}` of the rule can never be true: {why}"),
    };
    sink.push(
        Code::Contradiction,
        sink.rule_position(rule, offset),
        message,
        Some(
            "one of these tests is probably a typo; as written this part never applies".to_owned(),
        ),
    );
}
