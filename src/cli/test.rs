//! `nsexpr test`: policy unit tests from TOML specs, with an optional JUnit XML report.
//!
//! The format is documented in the README ("Policy tests").

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use nsexpr::config::Config;
use nsexpr::sim::{Report, SimOptions, Simulator, preset};
use nsexpr::{CompileOptions, NamedExpressions, Program, Verdict};
use serde::{Deserialize, Serialize};

use super::args::{Format, RequestArgs, TestArgs};
use super::{Failure, build_request, diag, is_json, print_json, print_out, read_text, status};

/// A test spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// The ns.conf, relative to the spec file.
    config: Option<PathBuf>,
    /// The vserver, when the config has several.
    vserver: Option<String>,
    /// The cases.
    #[serde(default, rename = "case")]
    cases: Vec<Case>,
}

/// One test case: a request and expectations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// Overrides the spec's `config` (relative to the spec file).
    config: Option<PathBuf>,
    /// Overrides the spec's `vserver`.
    vserver: Option<String>,
    client: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    method: Option<String>,
    url: Option<String>,
    client_ip: Option<IpAddr>,
    user: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    applied: Option<Vec<String>>,
    #[serde(default)]
    profile: BTreeMap<String, String>,
    #[serde(default)]
    profile_from: BTreeMap<String, String>,
    unknown: Option<Vec<String>>,
    rule: Option<String>,
    verdict: Option<Verdict>,
}

impl Case {
    /// Whether the case has expectations about the simulation.
    fn simulates(&self) -> bool {
        self.applied.is_some()
            || !self.profile.is_empty()
            || !self.profile_from.is_empty()
            || self.unknown.is_some()
    }
}

/// The outcome of one case.
#[derive(Debug, Serialize)]
struct CaseResult {
    name: String,
    passed: bool,
    failures: Vec<String>,
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

/// What a spec needs loaded once: the simulator and the named expressions.
struct Loaded {
    /// The simulator, or why there is none.
    sim: Result<Simulator, String>,
    names: NamedExpressions,
}

/// `nsexpr test`.
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
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&results)).map_err(|e| Failure::file(path, e))?;
    }
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
    Ok(status(failed == 0))
}

/// Runs one spec; a spec that cannot be read is one failed case named `(spec)`.
fn run_spec(path: &Path) -> SpecResult {
    let file = path.display().to_string();
    let spec = match read_spec(path) {
        Ok(spec) => spec,
        Err(Failure(message)) => {
            return SpecResult {
                file,
                cases: vec![CaseResult {
                    name: "(spec)".to_owned(),
                    passed: false,
                    failures: vec![message],
                }],
            };
        }
    };
    let base = path.parent().unwrap_or(Path::new(""));
    let mut loaded: HashMap<(Option<PathBuf>, Option<String>), Result<Loaded, String>> =
        HashMap::new();
    let cases = spec
        .cases
        .iter()
        .map(|case| {
            let config = case
                .config
                .as_ref()
                .or(spec.config.as_ref())
                .map(|c| base.join(c));
            let vserver = case.vserver.clone().or_else(|| spec.vserver.clone());
            let setup = loaded
                .entry((config.clone(), vserver.clone()))
                .or_insert_with(|| load(config.as_deref(), vserver.as_deref()));
            let failures = match setup {
                Ok(setup) => run_case(case, setup),
                Err(message) => vec![message.clone()],
            };
            CaseResult {
                name: case.name.clone(),
                passed: failures.is_empty(),
                failures,
            }
        })
        .collect();
    SpecResult { file, cases }
}

fn read_spec(path: &Path) -> Result<Spec, Failure> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| {
        Failure(format!(
            "not a valid test spec: {}",
            e.to_string().trim_end()
        ))
    })
}

/// Reads a config (its errors go to standard error) and builds its simulator.
fn load(config: Option<&Path>, vserver: Option<&str>) -> Result<Loaded, String> {
    let mut loaded = Loaded {
        sim: Err("simulation expectations need `config` in the spec or the case".to_owned()),
        names: NamedExpressions::new(),
    };
    let Some(config) = config else {
        return Ok(loaded);
    };
    let text = read_text(config).map_err(|Failure(message)| message)?;
    let read = Config::read(&text, &config.display().to_string());
    diag::print_config_errors(&read.errors);
    for (name, text) in read.config.named_expressions() {
        loaded.names.define(name, &text.text);
    }
    loaded.sim = Simulator::new(&read.config, vserver, SimOptions::default())
        .map(|sim| sim.with_notices(&read.notices))
        .map_err(|e| format!("{}: {e}", config.display()));
    Ok(loaded)
}

/// Runs one case; the differences found (empty = passed).
fn run_case(case: &Case, loaded: &Loaded) -> Vec<String> {
    let mut failures = Vec::new();
    if !case.simulates() && case.rule.is_none() {
        return vec!["the case expects nothing (give applied, profile, profile_from, unknown or rule + verdict)".to_owned()];
    }
    let client = match &case.client {
        Some(id) => match preset(id) {
            Some(p) => Some(p),
            None => return vec![format!("unknown client preset `{id}`")],
        },
        None => None,
    };
    let request_args = RequestArgs {
        headers: case.headers.clone(),
        method: case.method.clone(),
        url: case.url.clone(),
        client_ip: case.client_ip,
        request: None,
    };
    let input = match build_request(&request_args, client) {
        Ok(input) => input,
        Err(Failure(message)) => return vec![message],
    };
    if case.simulates() {
        match &loaded.sim {
            Ok(sim) => {
                let mut context = input.context.clone().unwrap_or_default();
                context.user = case.user.clone();
                context.groups = Some(case.groups.clone());
                let report = sim.simulate_with(&input.request, &context);
                check_report(case, &report, &mut failures);
            }
            Err(message) => failures.push(message.clone()),
        }
    }
    match (&case.rule, case.verdict) {
        (Some(rule), Some(want)) => {
            match Program::from_rule(rule, &loaded.names, &CompileOptions::default()) {
                Ok(program) => {
                    let got = match &input.context {
                        Some(ctx) => program.eval_with(&input.request, ctx),
                        None => program.eval(&input.request),
                    };
                    if got != want {
                        failures.push(format!("rule verdict {got}, expected {want}"));
                    }
                }
                Err(e) => failures.push(format!(
                    "rule does not compile: {}",
                    e.to_string().lines().next().unwrap_or("")
                )),
            }
        }
        (Some(_), None) => failures.push("`rule` needs `verdict`".to_owned()),
        (None, Some(_)) => failures.push("`verdict` needs `rule`".to_owned()),
        (None, None) => {}
    }
    failures
}

fn check_report(case: &Case, report: &Report, failures: &mut Vec<String>) {
    if let Some(want) = &case.applied
        && &report.applied != want
    {
        failures.push(format!("applied {:?}, expected {want:?}", report.applied));
    }
    for (param, want) in &case.profile {
        let got = report.value(param).unwrap_or("(unset)");
        if got != want {
            failures.push(format!("{param} = {got:?}, expected {want:?}"));
        }
    }
    for (param, want) in &case.profile_from {
        match report.profile_entry(param) {
            Some(entry) if &entry.from == want => {}
            Some(entry) => failures.push(format!(
                "{param} from {:?}, expected from {want:?}",
                entry.from
            )),
            None => failures.push(format!("{param} is not in the profile")),
        }
    }
    if let Some(want) = &case.unknown {
        let got: Vec<&str> = report
            .policies
            .iter()
            .filter(|p| p.verdict == Verdict::Unknown && !p.skipped)
            .map(|p| p.name.as_str())
            .collect();
        if got != *want {
            failures.push(format!("unknown {got:?}, expected {want:?}"));
        }
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
    let failed = results
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| !c.passed)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"nsexpr\" tests=\"{total}\" failures=\"{failed}\">"
    );
    for spec in results {
        let failed = spec.cases.iter().filter(|c| !c.passed).count();
        let file = xml_escape(&spec.file);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
            spec.cases.len()
        );
        for case in &spec.cases {
            let name = xml_escape(&case.name);
            if case.passed {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{file}\"/>");
            } else {
                let message = xml_escape(&case.failures.join("; "));
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{file}\">");
                let _ = writeln!(
                    out,
                    "      <failure message=\"{message}\">{}</failure>",
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

    #[test]
    fn unknown_fields_are_rejected() {
        let spec: Result<Spec, _> = toml::from_str("[[case]]\nname = \"x\"\naplied = []\n");
        assert!(spec.is_err());
    }
}
