//! `nsexpr test`: policy unit tests from TOML specs, with an optional JUnit XML report.
//!
//! The format is documented in the README ("Policy tests").

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use nsexpr::testing::{CaseFailure, Spec, SpecError, TestReport};
use serde::Serialize;

use super::args::{Format, TestArgs};
use super::{Failure, diag, is_json, print_json, print_out, status};

/// The outcome of one case.
#[derive(Debug, Serialize)]
struct CaseResult {
    name: String,
    passed: bool,
    /// The case could not run at all (unreadable spec or config): a JUnit `<error>`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    error: bool,
    failures: Vec<String>,
    /// Seconds.
    time: f64,
}

/// The outcome of one spec file.
#[derive(Debug, Serialize)]
struct SpecResult {
    file: String,
    cases: Vec<CaseResult>,
}

/// The result of `test --format json`.
#[derive(Debug, Serialize)]
struct TestJson<'a> {
    passed: usize,
    failed: usize,
    specs: &'a [SpecResult],
}

/// `nsexpr test`: exit status 0 when every case passed, 1 when one failed, 2 when the JUnit
/// report cannot be written (the summary is printed first either way).
pub fn test(args: &TestArgs, format: Format) -> Result<ExitCode, Failure> {
    let results: Vec<SpecResult> = args.specs.iter().map(|p| run_spec(p)).collect();
    let passed = results
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| c.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| !c.passed)
        .count();
    if is_json(format) {
        print_json(&TestJson {
            passed,
            failed,
            specs: &results,
        })?;
    } else {
        let mut out = String::new();
        for spec in &results {
            for case in spec.cases.iter().filter(|c| !c.passed) {
                let _ = writeln!(
                    out,
                    "FAIL {}: {}: {}",
                    spec.file,
                    case.name,
                    case.failures.join("; ")
                );
            }
        }
        let _ = writeln!(out, "{passed} passed, {failed} failed");
        print_out(&out)?;
    }
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, junit(&results))
    {
        diag::print_failure(&Failure::file(
            path,
            format!("cannot write the JUnit report: {e}"),
        ));
        return Ok(ExitCode::from(2));
    }
    Ok(status(failed == 0))
}

/// Runs one spec (its configs' errors and warnings go to standard error, once per config file);
/// a spec that cannot be read is one failed case named `(spec)`.
fn run_spec(path: &Path) -> SpecResult {
    let file = path.display().to_string();
    match Spec::from_path(path).map(|spec| spec.run()) {
        Ok(report) => spec_result(file, &report),
        Err(e) => {
            let message = match e {
                SpecError::Invalid { message, .. } => format!("not a valid test spec: {message}"),
                SpecError::NoCases { .. } => "the spec has no `[[case]]`".to_owned(),
                other => other.to_string(),
            };
            SpecResult {
                file,
                cases: vec![CaseResult {
                    name: "(spec)".to_owned(),
                    passed: false,
                    error: true,
                    failures: vec![message],
                    time: 0.0,
                }],
            }
        }
    }
}

fn spec_result(file: String, report: &TestReport) -> SpecResult {
    diag::print_config_errors(&report.config_errors);
    for warning in &report.warnings {
        diag::print_warning(&warning.to_string());
    }
    SpecResult {
        file,
        cases: report
            .cases
            .iter()
            .map(|case| CaseResult {
                name: case.name.clone(),
                passed: case.passed(),
                error: case
                    .failures
                    .iter()
                    .any(|f| matches!(f, CaseFailure::ConfigUnreadable { .. })),
                failures: case.failures.iter().map(ToString::to_string).collect(),
                time: case.duration.as_secs_f64(),
            })
            .collect(),
    }
}

/// Escapes text for XML attributes and content; characters XML 1.0 forbids become U+FFFD.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report: one `<testsuite>` per spec, one `<testcase>` per case.
fn junit(results: &[SpecResult]) -> String {
    let total: usize = results.iter().map(|s| s.cases.len()).sum();
    let cases = || results.iter().flat_map(|s| &s.cases);
    let failed = cases().filter(|c| !c.passed && !c.error).count();
    let errors = cases().filter(|c| c.error).count();
    let time: f64 = cases().map(|c| c.time).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"nsexpr\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\" time=\"{time:.6}\">"
    );
    for spec in results {
        let failed = spec.cases.iter().filter(|c| !c.passed && !c.error).count();
        let errors = spec.cases.iter().filter(|c| c.error).count();
        let time: f64 = spec.cases.iter().map(|c| c.time).sum();
        let file = xml_escape(&spec.file);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"0\" time=\"{time:.6}\">",
            spec.cases.len()
        );
        for case in &spec.cases {
            let name = xml_escape(&case.name);
            let time = case.time;
            if case.passed {
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{name}\" classname=\"{file}\" time=\"{time:.6}\"/>"
                );
            } else {
                let message = xml_escape(&case.failures.join("; "));
                let element = if case.error { "error" } else { "failure" };
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{name}\" classname=\"{file}\" time=\"{time:.6}\">"
                );
                let _ = writeln!(
                    out,
                    "      <{element} message=\"{message}\">{}</{element}>",
                    xml_escape(&case.failures.join("\n"))
                );
                let _ = writeln!(out, "    </testcase>");
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_is_escaped() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}"
        );
    }
}
