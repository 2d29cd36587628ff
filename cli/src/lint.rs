//! `nsexpr lint`: the library's [`nsexpr::lint`] checks over an ns.conf (and optionally recorded
//! traffic), printed as text, JSON or SARIF 2.1.0.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path};
use std::process::ExitCode;

use nsexpr::config::Config;
use nsexpr::corpus::Loader;
use nsexpr::lint::{Code, Finding, Level, LintOptions, LintReport, Traffic, lint_source};
use serde_json::{Value, json};

use super::args::{DenyLevel, Format, LintArgs};
use super::{Failure, display_path, is_stdin, print_out};

/// Runs the checks; exit status 0, 1 (findings that fail the run) or 2 (unreadable input).
pub fn lint(args: &LintArgs, format: Format) -> ExitCode {
    match run(args, format) {
        Ok(failed) => super::status(!failed),
        Err(failure) => {
            super::diag::print_failure(&failure);
            ExitCode::from(2)
        }
    }
}

fn run(args: &LintArgs, format: Format) -> Result<bool, Failure> {
    let file = display_path(&args.config);
    let mut bytes = Vec::new();
    let read = if is_stdin(&args.config) {
        io::stdin().read_to_end(&mut bytes)
    } else {
        File::open(&args.config).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|e| Failure::file(&args.config, e))?;
    let mut report = lint_source(&bytes, &file, &LintOptions::default());
    if let Some(corpus) = &args.corpus {
        let loaded = Config::read_bytes(&bytes, &file);
        report.extend(traffic(&loaded.config, corpus, args)?);
    }
    let output = match format {
        Format::Text => text(&report),
        Format::Json => json_text(&json!({
            "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
            "errors": report.count(Level::Error),
            "warnings": report.count(Level::Warning),
            "notes": report.count(Level::Note),
        }))?,
        Format::Sarif => json_text(&sarif(&report, &args.config))?,
    };
    print_out(&output)?;
    let denied = args.deny == Some(DenyLevel::Warnings) && report.count(Level::Warning) > 0;
    Ok(report.count(Level::Error) > 0 || denied)
}

/// Replays the corpus through every vserver and returns the traffic findings.
fn traffic(
    config: &Config,
    corpus: &std::path::Path,
    args: &LintArgs,
) -> Result<Vec<Finding>, Failure> {
    let wanted = args.format_in.map(super::run::corpus_format);
    // The loader's errors already name the file.
    let loader = if is_stdin(corpus) {
        Loader::from_reader(io::BufReader::new(io::stdin()), wanted)
            .map_err(|e| Failure::file(corpus, e))?
    } else {
        nsexpr::corpus::open(corpus, wanted).map_err(|e| Failure(e.to_string()))?
    };
    let mut traffic = Traffic::new(config);
    for record in loader {
        // Malformed records are counted by `nsexpr run`; lint judges the policies only.
        let Ok(record) = record else { continue };
        match record.context.as_ref().map(|c| c.to_context()) {
            Some(context) => traffic.record_with(&record, &context),
            None => traffic.record(&record),
        }
    }
    Ok(traffic.findings())
}

fn text(report: &LintReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&finding.to_string());
        out.push('\n');
    }
    let counted = |level, one: &str| match report.count(level) {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    out.push_str(&format!(
        "{}, {}, {}\n",
        counted(Level::Error, "error"),
        counted(Level::Warning, "warning"),
        counted(Level::Note, "note")
    ));
    out
}

fn json_text(value: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|t| t + "\n")
        .map_err(|e| Failure(format!("JSON output: {e}")))
}

fn finding_json(finding: &Finding) -> Value {
    json!({
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "code": finding.code.as_str(),
        "level": finding.level.as_str(),
        "message": finding.message,
        "hint": finding.hint,
    })
}

/// The SARIF 2.1.0 log: one run, every code as a rule, one result per finding. Every finding is
/// in `config`: a relative path (or an absolute one under the working directory) becomes a
/// percent-encoded URI relative to `%SRCROOT%`, the working directory, so code scanning places
/// findings on the repository's files; standard input has a description instead of a URI.
fn sarif(report: &LintReport, config: &Path) -> Value {
    let cwd = std::env::current_dir().ok();
    let artifact = artifact_location(config, cwd.as_deref());
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.description() },
                "defaultConfiguration": { "level": code.level().as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let text = match &f.hint {
                Some(hint) => format!("{} ({hint})", f.message),
                None => f.message.clone(),
            };
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code),
                "level": f.level.as_str(),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": { "startLine": f.line, "startColumn": f.column },
                    }
                }],
            })
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "nsexpr",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "uri": cwd.map_or_else(|| "file:///".to_owned(), |d| directory_uri(&d)) },
            },
            "results": results,
        }],
    })
}

/// Where a SARIF result lies: `{uri, uriBaseId}` for a file, a description for standard input.
fn artifact_location(config: &Path, cwd: Option<&Path>) -> Value {
    if is_stdin(config) {
        return json!({ "description": { "text": "standard input" } });
    }
    let relative = match cwd {
        Some(cwd) if config.is_absolute() => config.strip_prefix(cwd).ok(),
        _ if config.is_relative() => Some(config),
        _ => None,
    };
    match relative {
        Some(relative) => json!({
            "uri": path_uri(relative.components().filter(|c| !matches!(c, Component::CurDir))),
            "uriBaseId": "%SRCROOT%",
        }),
        None => json!({ "uri": format!("file://{}", path_uri(config.components())) }),
    }
}

/// A directory as an absolute `file:` URI ending in `/`.
fn directory_uri(dir: &Path) -> String {
    let path = path_uri(dir.components());
    if path.ends_with('/') {
        format!("file://{path}")
    } else {
        format!("file://{path}/")
    }
}

/// Path components joined by `/`, each percent-encoded (RFC 3986: everything but unreserved
/// characters and the sub-delimiters that are safe in a path segment).
fn path_uri<'a>(components: impl Iterator<Item = Component<'a>>) -> String {
    let mut uri = String::new();
    for component in components {
        match component {
            Component::RootDir => uri.push('/'),
            Component::Prefix(_) => {}
            other => {
                if !uri.is_empty() && !uri.ends_with('/') {
                    uri.push('/');
                }
                for byte in other.as_os_str().as_encoded_bytes() {
                    if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(byte) {
                        uri.push(char::from(*byte));
                    } else {
                        let _ = write!(uri, "%{byte:02X}");
                    }
                }
            }
        }
    }
    uri
}
