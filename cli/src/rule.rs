//! `check`, `fmt`, `eval` and `explain`: one rule at a time.

use std::process::ExitCode;

use nsexpr::syntax::{Lint, parse_with};
use nsexpr::{CompileOptions, Context, Error, NamedExpressions, Program, Verdict, line_column};
use serde::Serialize;

use super::args::{CheckArgs, EvalArgs, FmtArgs, Format};
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
    valid: bool,
    canonical: Option<String>,
    errors: Vec<ErrorJson>,
    warnings: Vec<WarningJson>,
}

/// The result of `eval --format json`.
#[derive(Debug, Serialize)]
struct EvalJson<'a> {
    verdict: Verdict,
    missing_inputs: Vec<&'a str>,
}

/// A rule that parsed and compiled, with its lints.
struct Compiled {
    program: Program,
    canonical: String,
    lints: Vec<Lint>,
}

/// Parses (collecting lints) and compiles a rule.
fn compile(
    text: &str,
    names: &NamedExpressions,
    options: &CompileOptions,
) -> Result<Compiled, Error> {
    let parsed = parse_with(text, &options.parse)?;
    let program = Program::compile(&parsed.expr, text, names, options)?;
    Ok(Compiled {
        program,
        canonical: parsed.expr.to_string(),
        lints: parsed.lints,
    })
}

/// The diagnostic of a rule error.
fn diagnostic<'a>(error: &'a Error, origin: &str) -> RuleDiagnostic<'a> {
    match error {
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

fn error_json(error: &Error) -> ErrorJson {
    let d = diagnostic(error, "rule");
    let (line, column) = line_column(d.source, d.start);
    ErrorJson {
        message: d.message,
        expected: d.expected.map(str::to_owned),
        definition: match error {
            Error::Compile(e) => e.definition().map(str::to_owned),
            _ => None,
        },
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
        let result = compile(&text, &names, &options);
        all_valid &= result.is_ok();
        if is_json(format) {
            let json = match &result {
                Ok(c) => CheckJson {
                    rule: text.clone(),
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
                    valid: false,
                    canonical: None,
                    errors: vec![error_json(e)],
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
                Err(e) => diag::print_rule(&diagnostic(e, &origin)),
            }
        }
    }
    Ok(status(all_valid))
}

/// `nsexpr fmt`.
pub fn fmt(args: &FmtArgs, format: Format) -> Result<ExitCode, Failure> {
    let text = rule_argument(&args.rule, args.unquote)?;
    match nsexpr::syntax::parse(&text) {
        Ok(expr) => {
            let canonical = expr.to_string();
            if is_json(format) {
                print_json(&serde_json::json!({ "canonical": canonical }))?;
            } else {
                print_out(&format!("{canonical}\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            diag::print_rule(&diagnostic(&Error::Parse(e), "rule"));
            Ok(ExitCode::from(1))
        }
    }
}

/// Compiles the rule of `eval`/`explain`, printing its diagnostic on failure.
fn compile_for_eval(args: &EvalArgs) -> Result<Option<Program>, Failure> {
    let names = load_names(args.options.config.as_deref())?;
    let text = rule_argument(&args.rule, args.options.unquote)?;
    let options = compile_options(args.header_instance);
    match compile(&text, &names, &options) {
        Ok(c) => Ok(Some(c.program)),
        Err(e) => {
            diag::print_rule(&diagnostic(&e, "rule"));
            Ok(None)
        }
    }
}

/// `nsexpr eval`.
pub fn eval(args: &EvalArgs, format: Format) -> Result<ExitCode, Failure> {
    let Some(program) = compile_for_eval(args)? else {
        return Ok(ExitCode::from(1));
    };
    let preset = args
        .client
        .as_deref()
        .map(super::simulate::client_preset)
        .transpose()?;
    let input = build_request(&args.request, preset)?;
    let verdict = match &input.context {
        Some(ctx) => program.eval_with(&input.request, ctx),
        None => program.eval(&input.request),
    };
    if is_json(format) {
        let missing: Vec<&str> = program
            .missing_inputs(input.context.as_ref().unwrap_or(Context::empty()))
            .into_iter()
            .map(|i| i.as_str())
            .collect();
        print_json(&EvalJson {
            verdict,
            missing_inputs: missing,
        })?;
    } else {
        print_out(&format!("{}\n", verdict.as_str()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `nsexpr explain`.
pub fn explain(args: &EvalArgs, format: Format) -> Result<ExitCode, Failure> {
    let Some(program) = compile_for_eval(args)? else {
        return Ok(ExitCode::from(1));
    };
    let preset = args
        .client
        .as_deref()
        .map(super::simulate::client_preset)
        .transpose()?;
    let input = build_request(&args.request, preset)?;
    let explanation = program.explain_with(
        &input.request,
        input.context.as_ref().unwrap_or(Context::empty()),
    );
    if is_json(format) {
        print_json(&explanation)?;
    } else {
        print_out(&explanation.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}
