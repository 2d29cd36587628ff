//! `check`, `fmt`, `eval` and `explain`: one rule at a time.

use std::process::ExitCode;

use nsexpr::compile::advanced::AdvCompileError;
use nsexpr::eval::Explanation;
use nsexpr::syntax::advanced::{parse_advanced, parse_advanced_with};
use nsexpr::syntax::parse_with;
use nsexpr::{
    CompileOptions, Context, Error, NamedExpressions, Program, Span, Syntax, Verdict, line_column,
};
use serde::Serialize;

use super::args::{CheckArgs, EvalArgs, FmtArgs, Format, SyntaxArg};
use super::diag::{self, RuleDiagnostic};
use super::{
    Failure, build_request, compile_options, is_json, load_names, print_json, print_out,
    rule_argument, status,
};

/// One error of `check --format json`.
#[derive(Debug, Serialize)]
struct ErrorJson {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
}

/// One warning (lint) of `check --format json`.
#[derive(Debug, Serialize)]
struct WarningJson {
    message: String,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
}

/// The result of `check` for one rule.
#[derive(Debug, Serialize)]
struct CheckJson {
    rule: String,
    syntax: Syntax,
    valid: bool,
    canonical: Option<String>,
    errors: Vec<ErrorJson>,
    warnings: Vec<WarningJson>,
}

/// The result of `eval --format json`.
#[derive(Debug, Serialize)]
struct EvalJson<'a> {
    verdict: Verdict,
    syntax: Syntax,
    missing_inputs: Vec<&'a str>,
    /// Dependencies no context supplies, when the verdict is unknown.
    unsupported: &'a [String],
}

/// The result of `explain --format json`: the verdict tree with the rule's syntax.
#[derive(Debug, Serialize)]
struct ExplainJson<'a> {
    syntax: Syntax,
    /// Dependencies no context supplies, when the verdict is unknown.
    unsupported: &'a [String],
    #[serde(flatten)]
    explanation: &'a Explanation,
}

/// A lint: where and what.
struct Warning {
    span: Span,
    message: String,
}

/// A rule that parsed and compiled, with its lints.
struct Compiled {
    program: Program,
    canonical: String,
    lints: Vec<Warning>,
}

/// The syntax of a rule: forced on the command line, else detected.
fn rule_syntax(text: &str, forced: Option<SyntaxArg>) -> Syntax {
    forced.map_or_else(|| Syntax::detect(text), Syntax::from)
}

/// Parses (collecting lints) and compiles a rule in the given syntax.
fn compile(
    text: &str,
    syntax: Syntax,
    names: &NamedExpressions,
    options: &CompileOptions,
) -> Result<Compiled, Error> {
    match syntax {
        Syntax::Classic => {
            let parsed = parse_with(text, &options.parse)?;
            let program = Program::compile(&parsed.expr, text, names, options)?;
            Ok(Compiled {
                program,
                canonical: parsed.expr.to_string(),
                lints: parsed
                    .lints
                    .into_iter()
                    .map(|l| Warning {
                        span: l.span,
                        message: l.message,
                    })
                    .collect(),
            })
        }
        Syntax::Advanced => {
            let parsed = parse_advanced_with(text, &options.advanced_parse)
                .map_err(|e| Error::from(AdvCompileError::from(e)))?;
            let program = Program::compile_advanced(text, names, options)?;
            Ok(Compiled {
                program,
                canonical: parsed.expr.to_string(),
                lints: parsed
                    .lints
                    .into_iter()
                    .map(|l| Warning {
                        span: l.span,
                        message: l.message,
                    })
                    .collect(),
            })
        }
    }
}

/// The diagnostic of a rule error; `text` is the rule (advanced type errors point into it).
fn diagnostic<'a>(error: &'a Error, text: &'a str, origin: &str) -> RuleDiagnostic<'a> {
    match error {
        Error::Advanced(e) => match e.as_ref() {
            AdvCompileError::Parse(p) => RuleDiagnostic {
                origin: origin.to_owned(),
                source: p.source_text(),
                start: p.span().start,
                end: p.span().end,
                message: p.kind().to_string(),
                expected: None,
                note: p.hint().map(str::to_owned),
            },
            AdvCompileError::Check(c) => RuleDiagnostic {
                origin: origin.to_owned(),
                source: text,
                start: c.span().start,
                end: c.span().end,
                message: c.kind().to_string(),
                expected: None,
                note: c.hint().map(str::to_owned),
            },
            other => RuleDiagnostic {
                origin: origin.to_owned(),
                source: "",
                start: 0,
                end: 0,
                message: other.to_string(),
                expected: None,
                note: None,
            },
        },
        Error::Parse(e) => RuleDiagnostic {
            origin: origin.to_owned(),
            source: e.source_text(),
            start: e.span().start,
            end: e.span().end,
            message: e.kind().to_string(),
            expected: e.expected(),
            note: None,
        },
        Error::Compile(e) => RuleDiagnostic {
            origin: match e.definition() {
                Some(name) => format!("named expression {name}"),
                None => origin.to_owned(),
            },
            source: e.source_text(),
            start: e.span().start,
            end: e.span().end,
            message: e.kind().to_string(),
            expected: None,
            note: e
                .definition()
                .map(|name| format!("in the definition of named expression `{name}`")),
        },
        other => RuleDiagnostic {
            origin: origin.to_owned(),
            source: "",
            start: 0,
            end: 0,
            message: other.to_string(),
            expected: None,
            note: None,
        },
    }
}

fn error_json(error: &Error, text: &str) -> ErrorJson {
    let d = diagnostic(error, text, "rule");
    let (line, column) = line_column(d.source, d.start);
    ErrorJson {
        message: d.message,
        expected: d.expected.map(str::to_owned),
        definition: match error {
            Error::Compile(e) => e.definition().map(str::to_owned),
            _ => None,
        },
        hint: d.note.filter(|_| matches!(error, Error::Advanced(_))),
        start: d.start,
        end: d.end,
        line,
        column,
    }
}

fn origin(index: usize, count: usize) -> String {
    if count == 1 {
        "rule".to_owned()
    } else {
        format!("rule {}", index + 1)
    }
}

/// `nsexpr check`.
pub fn check(args: &CheckArgs, format: Format) -> Result<ExitCode, Failure> {
    let names = load_names(args.options.config.as_deref())?;
    let options = CompileOptions::default();
    let mut all_valid = true;
    for (i, arg) in args.rules.iter().enumerate() {
        let text = rule_argument(arg, args.options.unquote)?;
        let origin = origin(i, args.rules.len());
        let syntax = rule_syntax(&text, args.options.syntax);
        let result = compile(&text, syntax, &names, &options);
        all_valid &= result.is_ok();
        if is_json(format) {
            let json = match &result {
                Ok(c) => CheckJson {
                    rule: text.clone(),
                    syntax,
                    valid: true,
                    canonical: Some(c.canonical.clone()),
                    errors: Vec::new(),
                    warnings: c
                        .lints
                        .iter()
                        .map(|l| {
                            let (line, column) = line_column(&text, l.span.start);
                            WarningJson {
                                message: l.message.clone(),
                                start: l.span.start,
                                end: l.span.end,
                                line,
                                column,
                            }
                        })
                        .collect(),
                },
                Err(e) => CheckJson {
                    rule: text.clone(),
                    syntax,
                    valid: false,
                    canonical: None,
                    errors: vec![error_json(e, &text)],
                    warnings: Vec::new(),
                },
            };
            print_json(&json)?;
        } else {
            match &result {
                Ok(c) => {
                    for lint in &c.lints {
                        let (line, column) = line_column(&text, lint.span.start);
                        diag::print_warning(&format!("{origin}:{line}:{column}: {}", lint.message));
                    }
                    print_out(&format!("{}\n", c.canonical))?;
                }
                Err(e) => diag::print_rule(&diagnostic(e, &text, &origin)),
            }
        }
    }
    Ok(status(all_valid))
}

/// `nsexpr fmt`.
pub fn fmt(args: &FmtArgs, format: Format) -> Result<ExitCode, Failure> {
    let text = rule_argument(&args.rule, args.unquote)?;
    let syntax = rule_syntax(&text, args.syntax);
    let parsed = match syntax {
        Syntax::Classic => nsexpr::syntax::parse(&text)
            .map(|expr| expr.to_string())
            .map_err(Error::Parse),
        Syntax::Advanced => parse_advanced(&text)
            .map(|expr| expr.to_string())
            .map_err(|e| Error::from(AdvCompileError::from(e))),
    };
    match parsed {
        Ok(canonical) => {
            if is_json(format) {
                print_json(&serde_json::json!({ "canonical": canonical, "syntax": syntax }))?;
            } else {
                print_out(&format!("{canonical}\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            diag::print_rule(&diagnostic(&e, &text, "rule"));
            Ok(ExitCode::from(1))
        }
    }
}

/// Compiles the rule of `eval`/`explain`, printing its diagnostic on failure.
fn compile_for_eval(args: &EvalArgs) -> Result<Option<Program>, Failure> {
    let names = load_names(args.options.config.as_deref())?;
    let text = rule_argument(&args.rule, args.options.unquote)?;
    let options = compile_options(args.header_instance);
    let syntax = rule_syntax(&text, args.options.syntax);
    match compile(&text, syntax, &names, &options) {
        Ok(c) => Ok(Some(c.program)),
        Err(e) => {
            diag::print_rule(&diagnostic(&e, &text, "rule"));
            Ok(None)
        }
    }
}

/// The request of `eval`/`explain` and its context, with `--user` and `--group` applied (either
/// makes the groups known: those given, maybe none).
fn eval_input(args: &EvalArgs) -> Result<(nsexpr::corpus::RecordedRequest, Context), Failure> {
    let preset = args
        .client
        .as_deref()
        .map(super::simulate::client_preset)
        .transpose()?;
    let input = build_request(&args.request, preset)?;
    let mut context = input.context.unwrap_or_else(|| Context::empty().clone());
    let identity = &args.identity;
    if identity.user.is_some() || !identity.groups.is_empty() {
        context.user = identity.user.clone();
        context.groups = Some(identity.groups.clone());
    }
    Ok((input.request, context))
}

/// The unsupported dependencies worth reporting: those of a rule whose verdict is unknown.
fn unsupported_for(program: &Program, verdict: Option<Verdict>) -> &[String] {
    if verdict == Some(Verdict::Unknown) {
        program.unsupported()
    } else {
        &[]
    }
}

/// `nsexpr eval`.
pub fn eval(args: &EvalArgs, format: Format) -> Result<ExitCode, Failure> {
    let Some(program) = compile_for_eval(args)? else {
        return Ok(ExitCode::from(1));
    };
    let (request, context) = eval_input(args)?;
    let verdict = program.eval_with(&request, &context);
    let unsupported = unsupported_for(&program, Some(verdict));
    if is_json(format) {
        let missing: Vec<&str> = program
            .missing_inputs(&context)
            .into_iter()
            .map(|i| i.as_str())
            .collect();
        print_json(&EvalJson {
            verdict,
            syntax: program.syntax(),
            missing_inputs: missing,
            unsupported,
        })?;
    } else {
        print_out(&format!("{}\n", verdict.as_str()))?;
        if !unsupported.is_empty() {
            diag::print_note(&format!(
                "unknown because the rule uses what nsexpr cannot evaluate: {}",
                unsupported.join(", ")
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `nsexpr explain`.
pub fn explain(args: &EvalArgs, format: Format) -> Result<ExitCode, Failure> {
    let Some(program) = compile_for_eval(args)? else {
        return Ok(ExitCode::from(1));
    };
    let (request, context) = eval_input(args)?;
    let explanation = program.explain_with(&request, &context);
    let unsupported = unsupported_for(&program, explanation.verdict);
    if is_json(format) {
        print_json(&ExplainJson {
            syntax: program.syntax(),
            unsupported,
            explanation: &explanation,
        })?;
    } else {
        let mut out = explanation.to_string();
        if !unsupported.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!(
                "unsupported (unknown wherever reached): {}\n",
                unsupported.join(", ")
            ));
        }
        print_out(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}
