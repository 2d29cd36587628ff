//! Policy specs from Rust: run the TOML spec files of `nsexpr test` from `cargo test`, so a
//! project checks its Gateway configuration with the same files in its own test suite and in CI.
//!
//! A spec names an ns.conf (relative to the spec file) and lists cases, each a request (a client
//! preset, headers, method, URL, client address, user and groups) with what is expected of it:
//! the applied policies, profile values and where they come from, the unknown policies, or the
//! verdict of a rule. The format is described in the README ("Policy tests").
//!
//! ```
//! use nsexpr::testing::Spec;
//!
//! let spec: Spec = r#"
//!     [[case]]
//!     name = "Receiver is recognised by its user agent"
//!     headers = [["User-Agent", "CitrixReceiver/23.9 Android/13"]]
//!     rule = "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver"
//!     verdict = "true"
//! "#
//! .parse()?;
//! let report = spec.run();
//! assert_eq!((report.passed(), report.failed()), (1, 0));
//! report.assert_passed();
//! # Ok::<(), nsexpr::testing::SpecError>(())
//! ```
//!
//! In a test, with the spec's config paths relative to the spec file:
//!
//! ```no_run
//! #[test]
//! fn gateway_policies() -> Result<(), nsexpr::testing::SpecError> {
//!     nsexpr::testing::run_file("tests/policies.toml")?.assert_passed();
//!     Ok(())
//! }
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::config::{Config, ConfigError, Severity};
use crate::eval::HeaderList;
use crate::sim::{ClientPreset, Report, SimError, SimOptions, Simulator, Warning, preset};
use crate::{Context, NamedExpressions, Program, Verdict};

/// A policy spec: the configuration to test and its cases. Read it with [`Spec::from_path`] or
/// [`str::parse`], run it with [`Spec::run`].
#[derive(Debug, Clone)]
pub struct Spec {
    file: SpecFile,
    /// Where relative config paths start.
    base: PathBuf,
    /// How the spec is named in reports.
    origin: String,
}

/// Why a spec cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The file cannot be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The spec file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// The text is not a spec (TOML syntax, a misspelt or missing top-level key, a wrong type).
    #[error("{origin}: not a valid test spec: {message}")]
    Invalid {
        /// The spec's path, or `<string>`.
        origin: String,
        /// What is wrong, with its line.
        message: String,
    },
    /// The spec has no `[[case]]`, so it could never fail.
    #[error("{origin}: the spec has no `[[case]]`")]
    NoCases {
        /// The spec's path, or `<string>`.
        origin: String,
    },
}

/// The file format (the README's "Policy tests").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    /// The ns.conf, relative to the spec file.
    config: Option<PathBuf>,
    /// The vserver, when the config has several.
    vserver: Option<String>,
    /// Each case is read on its own, so that one bad key fails that case only.
    #[serde(default, rename = "case")]
    cases: Vec<toml::Table>,
}

/// One case: a request and expectations.
#[derive(Debug, Clone, Deserialize)]
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
    /// Headers of the preset left out of the request (names compared ignoring case).
    #[serde(default)]
    remove_headers: Vec<String>,
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

/// The outcome of running a spec.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestReport {
    /// The spec's path, or `<string>`.
    pub origin: String,
    /// One entry per case, in spec order.
    pub cases: Vec<CaseReport>,
    /// Malformed lines of the configs the spec read (once per config file). The cases ran
    /// against what could be read, so these do not fail a case by themselves.
    pub config_errors: Vec<ConfigError>,
    /// Warnings about the configs the spec read (once per config file: binds of undefined
    /// policies or to undefined vservers, unbound policies, rules that do not parse or carry
    /// lints, unknown session parameters...) and about the cases (groups the config never
    /// mentions...), each once. They do not fail a case by themselves.
    pub warnings: Vec<SpecWarning>,
}

/// A warning from running a spec: about a config it read, or about one case's identity or
/// result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SpecWarning {
    /// The config file.
    pub config: PathBuf,
    /// The first case the warning is about, when it is about a case rather than the config.
    pub case: Option<String>,
    /// The warning.
    pub warning: Warning,
}

/// `config:line:column: message` for the reader's notices, else `config: message` (with the
/// case's name when it is about a case).
impl fmt::Display for SpecWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.config.display();
        match (&self.warning, &self.case) {
            (Warning::Config(n), _) => write!(f, "{config}:{}:{}: {}", n.line, n.column, n.kind),
            (w, Some(case)) => write!(f, "{config}: case `{case}`: {w}"),
            (w, None) => write!(f, "{config}: {w}"),
        }
    }
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CaseReport {
    /// The case's `name`.
    pub name: String,
    /// What differed from the expectations; empty when the case passed.
    pub failures: Vec<CaseFailure>,
    /// How long the case took, config loading included for the first case of a config.
    pub duration: std::time::Duration,
}

/// Why a case failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseFailure {
    /// The case's table is not a valid case (a misspelt key, a wrong type); the other cases
    /// still run.
    #[error("not a valid case: {0}")]
    Invalid(String),
    /// The case has no expectation, so it could never fail.
    #[error(
        "the case expects nothing (give applied, profile, profile_from, unknown or rule + verdict)"
    )]
    NothingExpected,
    /// `client` names no preset.
    #[error("unknown client preset `{0}`")]
    UnknownClient(String),
    /// `remove_headers` names a header the client preset does not send (or there is no preset),
    /// so the case would not test what it says.
    #[error("remove_headers: the preset sends no `{0}` header")]
    NothingToRemove(String),
    /// Simulation expectations, but neither the spec nor the case names a config.
    #[error("simulation expectations need `config` in the spec or the case")]
    NoConfig,
    /// The config file cannot be read.
    #[error("{}: {message}", path.display())]
    ConfigUnreadable {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The config has no simulator for the chosen vserver.
    #[error("{}: {error}", path.display())]
    Simulator {
        /// The config file.
        path: PathBuf,
        /// Why no simulator could be built.
        error: SimError,
    },
    /// Other policies applied.
    #[error("applied {got:?}, expected {expected:?}")]
    Applied {
        /// The applied policies, in order.
        got: Vec<String>,
        /// The expected ones.
        expected: Vec<String>,
    },
    /// A profile parameter has another value (`None`: nothing sets it).
    #[error("{parameter} = {:?}, expected {expected:?}", got.as_deref().unwrap_or(UNSET))]
    Profile {
        /// The parameter, as the spec spells it.
        parameter: String,
        /// Its value.
        got: Option<String>,
        /// The expected value (`(unset)` for none).
        expected: String,
    },
    /// A profile parameter comes from elsewhere.
    #[error("{parameter} from {got:?}, expected from {expected:?}")]
    ProfileFrom {
        /// The parameter, as the spec spells it.
        parameter: String,
        /// Where its value comes from.
        got: String,
        /// The expected source.
        expected: String,
    },
    /// A `profile_from` parameter is not in the profile at all.
    #[error("{0} is not in the profile")]
    NotInProfile(String),
    /// Other policies are unknown.
    #[error("unknown {got:?}, expected {expected:?}")]
    Unknown {
        /// The policies whose verdict is unknown, in order.
        got: Vec<String>,
        /// The expected ones.
        expected: Vec<String>,
    },
    /// The case's `rule` does not parse or compile.
    #[error("rule does not compile: {}", first_line(.0))]
    RuleInvalid(crate::Error),
    /// The rule gives another verdict.
    #[error("rule verdict {got}, expected {expected}")]
    Verdict {
        /// The rule's verdict on the case's request.
        got: Verdict,
        /// The expected verdict.
        expected: Verdict,
    },
    /// `rule` without `verdict`.
    #[error("`rule` needs `verdict`")]
    RuleWithoutVerdict,
    /// `verdict` without `rule`.
    #[error("`verdict` needs `rule`")]
    VerdictWithoutRule,
}

/// How a spec writes "nothing sets this parameter".
const UNSET: &str = "(unset)";

/// The first line of an error message (parse errors may carry more).
fn first_line(error: &crate::Error) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Reads and runs a spec file: [`Spec::from_path`], then [`Spec::run`].
pub fn run_file(path: impl AsRef<Path>) -> Result<TestReport, SpecError> {
    Ok(Spec::from_path(path)?.run())
}

impl Spec {
    /// Reads a spec file; its config paths are relative to the file's directory.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Spec, SpecError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| SpecError::Io {
            path: path.to_owned(),
            error,
        })?;
        let origin = path.display().to_string();
        Ok(Spec {
            file: parse_spec(&text, &origin)?,
            base: path.parent().unwrap_or(Path::new("")).to_owned(),
            origin,
        })
    }

    /// Resolves relative config paths against `dir` instead (a parsed string starts from the
    /// current directory).
    #[must_use]
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Spec {
        self.base = dir.into();
        self
    }

    /// How many cases the spec has.
    pub fn len(&self) -> usize {
        self.file.cases.len()
    }

    /// Whether the spec has no case.
    pub fn is_empty(&self) -> bool {
        self.file.cases.is_empty()
    }

    /// Runs every case. Each config is read and compiled once; a case whose config cannot be
    /// read fails, the others still run.
    pub fn run(&self) -> TestReport {
        let mut loaded: HashMap<(Option<PathBuf>, Option<String>), Result<Loaded, CaseFailure>> =
            HashMap::new();
        let mut found = Found::default();
        let cases = self
            .file
            .cases
            .iter()
            .enumerate()
            .map(|(index, table)| {
                let started = std::time::Instant::now();
                let case = match Case::deserialize(table.clone()) {
                    Ok(case) => case,
                    Err(e) => {
                        let name = table
                            .get("name")
                            .and_then(toml::Value::as_str)
                            .map_or_else(|| format!("case {}", index + 1), str::to_owned);
                        return CaseReport {
                            name,
                            failures: vec![CaseFailure::Invalid(
                                e.to_string().trim_end().to_owned(),
                            )],
                            duration: started.elapsed(),
                        };
                    }
                };
                let case = &case;
                let config = case
                    .config
                    .as_ref()
                    .or(self.file.config.as_ref())
                    .map(|c| self.base.join(c));
                let vserver = case.vserver.clone().or_else(|| self.file.vserver.clone());
                let setup = loaded
                    .entry((config.clone(), vserver.clone()))
                    .or_insert_with(|| load(config.as_deref(), vserver.as_deref(), &mut found));
                let failures = match setup {
                    Ok(setup) => {
                        let mut case_warnings = Vec::new();
                        let failures = run_case(case, setup, &mut case_warnings);
                        if let Some(path) = &setup.path {
                            for warning in case_warnings {
                                found.warning(path, Some(&case.name), warning);
                            }
                        }
                        failures
                    }
                    Err(failure) => vec![failure.clone()],
                };
                CaseReport {
                    name: case.name.clone(),
                    failures,
                    duration: started.elapsed(),
                }
            })
            .collect();
        TestReport {
            origin: self.origin.clone(),
            cases,
            config_errors: found.errors,
            warnings: found.warnings,
        }
    }
}

impl FromStr for Spec {
    type Err = SpecError;

    /// Parses a spec; relative config paths start from the current directory (see
    /// [`Spec::with_base_dir`]).
    fn from_str(text: &str) -> Result<Spec, SpecError> {
        let origin = "<string>".to_owned();
        Ok(Spec {
            file: parse_spec(text, &origin)?,
            base: PathBuf::new(),
            origin,
        })
    }
}

fn parse_spec(text: &str, origin: &str) -> Result<SpecFile, SpecError> {
    let file: SpecFile = toml::from_str(text).map_err(|e| SpecError::Invalid {
        origin: origin.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    if file.cases.is_empty() {
        return Err(SpecError::NoCases {
            origin: origin.to_owned(),
        });
    }
    Ok(file)
}

impl CaseReport {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl TestReport {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// Whether every case passed.
    pub fn is_success(&self) -> bool {
        self.cases.iter().all(CaseReport::passed)
    }

    /// Panics with the failing cases and their differences unless every case passed: the
    /// one-line check for a `#[test]`.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.is_success(), "policy spec failed:\n{self}");
    }
}

/// One `FAIL <spec>: <case>: <differences>` line per failing case, then `N passed, M failed`.
impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for case in self.cases.iter().filter(|c| !c.passed()) {
            write!(f, "FAIL {}: {}: ", self.origin, case.name)?;
            for (i, failure) in case.failures.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{failure}")?;
            }
            writeln!(f)?;
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

/// What the cases of one (config, vserver) pair share: the simulator and the named expressions.
#[derive(Debug)]
struct Loaded {
    /// The config file.
    path: Option<PathBuf>,
    /// The simulator, or why there is none.
    sim: Result<Simulator, CaseFailure>,
    names: NamedExpressions,
}

/// The config errors and warnings of a spec run, each once.
#[derive(Debug, Default)]
struct Found {
    errors: Vec<ConfigError>,
    warnings: Vec<SpecWarning>,
    /// The configs read so far.
    read: HashSet<PathBuf>,
}

impl Found {
    /// Adds a warning unless the same one about the same config is already there.
    fn warning(&mut self, config: &Path, case: Option<&str>, warning: Warning) {
        if self
            .warnings
            .iter()
            .any(|w| w.config == config && w.warning == warning)
        {
            return;
        }
        self.warnings.push(SpecWarning {
            config: config.to_owned(),
            case: case.map(str::to_owned),
            warning,
        });
    }
}

/// Reads a config as bytes (a line that is not UTF-8 costs that line only) and builds its
/// simulator. Its malformed lines and warnings go to `found`, once per config file however many
/// vservers the cases use.
fn load(
    config: Option<&Path>,
    vserver: Option<&str>,
    found: &mut Found,
) -> Result<Loaded, CaseFailure> {
    let mut loaded = Loaded {
        path: config.map(Path::to_owned),
        sim: Err(CaseFailure::NoConfig),
        names: NamedExpressions::new(),
    };
    let Some(path) = config else {
        return Ok(loaded);
    };
    let read = Config::from_path(path).map_err(|e| CaseFailure::ConfigUnreadable {
        path: path.to_owned(),
        message: e.source.to_string(),
    })?;
    if found.read.insert(path.to_owned()) {
        found.errors.extend(read.errors);
    }
    for (name, text) in read.config.named_expressions() {
        loaded.names.define(name, &text.text);
    }
    // The reader's warnings, even when no simulator can be built (they may say why).
    for notice in read
        .notices
        .iter()
        .filter(|n| n.severity() == Severity::Warning)
    {
        found.warning(path, None, Warning::Config(notice.clone()));
    }
    loaded.sim = Simulator::new(&read.config, vserver, SimOptions::default())
        .map(|sim| sim.with_notices(&read.notices))
        .map_err(|error| CaseFailure::Simulator {
            path: path.to_owned(),
            error,
        });
    if let Ok(sim) = &loaded.sim {
        for warning in sim.warnings() {
            found.warning(path, None, warning.clone());
        }
    }
    Ok(loaded)
}

/// The request line and headers of a case: the preset's, with the case's headers added (a case
/// header replaces the preset's headers of the same name); `GET /` without either.
fn request_parts(case: &Case, preset: Option<&ClientPreset>) -> (String, String, Headers) {
    let mut headers: Headers = preset
        .map(|p| {
            p.headers
                .iter()
                .filter(|(n, _)| !case.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)))
                .filter(|(n, _)| {
                    !case
                        .remove_headers
                        .iter()
                        .any(|h| h.eq_ignore_ascii_case(n))
                })
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect()
        })
        .unwrap_or_default();
    headers.extend(
        case.headers
            .iter()
            .map(|(n, v)| (n.clone(), v.as_bytes().to_vec())),
    );
    let method = case
        .method
        .clone()
        .or_else(|| preset.map(|p| p.method.to_owned()))
        .unwrap_or_else(|| "GET".to_owned());
    let target = case
        .url
        .clone()
        .or_else(|| preset.map(|p| p.target.to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    (method, target, headers)
}

/// Headers in order, as `(name, value)` pairs.
type Headers = Vec<(String, Vec<u8>)>;

/// Runs one case; the differences found (empty = passed). Warnings about the case's identity
/// and result (not those about the config) go to `warnings`.
fn run_case(case: &Case, loaded: &Loaded, warnings: &mut Vec<Warning>) -> Vec<CaseFailure> {
    if !case.simulates() && case.rule.is_none() {
        return vec![CaseFailure::NothingExpected];
    }
    let client = match &case.client {
        Some(id) => match preset(id) {
            Some(p) => Some(p),
            None => return vec![CaseFailure::UnknownClient(id.clone())],
        },
        None => None,
    };
    let missing: Vec<CaseFailure> = case
        .remove_headers
        .iter()
        .filter(|h| {
            !client.is_some_and(|p| p.headers.iter().any(|(n, _)| h.eq_ignore_ascii_case(n)))
        })
        .map(|h| CaseFailure::NothingToRemove(h.clone()))
        .collect();
    if !missing.is_empty() {
        return missing;
    }
    let (method, target, headers) = request_parts(case, client);
    let request = HeaderList::new(method.as_str(), target.as_str(), &headers);
    let context = case.client_ip.map(Context::with_client_ip);
    let mut failures = Vec::new();
    if case.simulates() {
        match &loaded.sim {
            Ok(sim) => {
                let mut context = context.clone().unwrap_or_default();
                context.user = case.user.clone();
                context.groups = Some(case.groups.clone());
                let report = sim.simulate_with(&request, &context);
                warnings.extend(sim.identity_warnings(case.user.as_deref(), &case.groups));
                warnings.extend(
                    report
                        .warnings
                        .iter()
                        .filter(|w| !sim.warnings().contains(w))
                        .cloned(),
                );
                check_report(case, &report, &mut failures);
            }
            Err(failure) => failures.push(failure.clone()),
        }
    }
    match (&case.rule, case.verdict) {
        (Some(rule), Some(expected)) => match Program::builder().names(&loaded.names).build(rule) {
            Ok(program) => {
                let got = match &context {
                    Some(ctx) => program.eval_with(&request, ctx),
                    None => program.eval(&request),
                };
                if got != expected {
                    failures.push(CaseFailure::Verdict { got, expected });
                }
            }
            Err(e) => failures.push(CaseFailure::RuleInvalid(e)),
        },
        (Some(_), None) => failures.push(CaseFailure::RuleWithoutVerdict),
        (None, Some(_)) => failures.push(CaseFailure::VerdictWithoutRule),
        (None, None) => {}
    }
    failures
}

fn check_report(case: &Case, report: &Report, failures: &mut Vec<CaseFailure>) {
    if let Some(expected) = &case.applied
        && &report.applied != expected
    {
        failures.push(CaseFailure::Applied {
            got: report.applied.clone(),
            expected: expected.clone(),
        });
    }
    for (parameter, expected) in &case.profile {
        let got = report.value(parameter);
        if got.unwrap_or(UNSET) != expected {
            failures.push(CaseFailure::Profile {
                parameter: parameter.clone(),
                got: got.map(str::to_owned),
                expected: expected.clone(),
            });
        }
    }
    for (parameter, expected) in &case.profile_from {
        match report.profile_entry(parameter) {
            Some(entry) if &entry.from == expected => {}
            Some(entry) => failures.push(CaseFailure::ProfileFrom {
                parameter: parameter.clone(),
                got: entry.from.clone(),
                expected: expected.clone(),
            }),
            None => failures.push(CaseFailure::NotInProfile(parameter.clone())),
        }
    }
    if let Some(expected) = &case.unknown {
        let got: Vec<String> = report
            .policies
            .iter()
            .filter(|p| p.verdict == Verdict::Unknown && !p.skipped)
            .map(|p| p.name.clone())
            .collect();
        if got != *expected {
            failures.push(CaseFailure::Unknown {
                got,
                expected: expected.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> TestReport {
        match text.parse::<Spec>() {
            Ok(spec) => spec.run(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = "confg = \"ns.conf\"\n[[case]]\nname = \"x\"\napplied = []\n".parse::<Spec>();
        assert!(
            matches!(&err, Err(SpecError::Invalid { message, .. }) if message.contains("confg")),
            "{err:?}"
        );
    }

    #[test]
    fn a_bad_case_fails_alone() {
        let report = run("[[case]]\nname = \"x\"\naplied = []\n\n\
             [[case]]\nname = \"ok\"\nrule = \"METHOD == GET\"\nverdict = \"true\"\n\n\
             [[case]]\nheaders = 3\n");
        assert_eq!(report.cases.len(), 3);
        assert!(
            matches!(&report.cases[0].failures[..], [CaseFailure::Invalid(m)] if m.contains("aplied")),
            "{:?}",
            report.cases[0]
        );
        assert!(report.cases[1].passed());
        assert_eq!(report.cases[2].name, "case 3");
        assert!(!report.cases[2].passed());
    }

    #[test]
    fn a_spec_without_cases_is_an_error() {
        let err = "config = \"ns.conf\"\n".parse::<Spec>();
        assert!(matches!(err, Err(SpecError::NoCases { .. })), "{err:?}");
    }

    #[test]
    fn removed_headers_leave_the_preset() {
        let report = run(
            "[[case]]\nname = \"no ua\"\nclient = \"ws-win\"\nremove_headers = [\"user-agent\"]\n\
             rule = \"REQ.HTTP.HEADER User-Agent NOTEXISTS\"\nverdict = \"true\"\n",
        );
        assert!(report.is_success(), "{report}");
    }

    #[test]
    fn removing_a_header_the_preset_lacks_fails_the_case() {
        let report = run(
            "[[case]]\nname = \"typo\"\nclient = \"ws-win\"\nremove_headers = [\"X-Nope\"]\n\
             rule = \"REQ.HTTP.HEADER X-Nope NOTEXISTS\"\nverdict = \"true\"\n\n\
             [[case]]\nname = \"no preset\"\nremove_headers = [\"User-Agent\"]\n\
             rule = \"REQ.HTTP.HEADER User-Agent NOTEXISTS\"\nverdict = \"true\"\n",
        );
        for case in &report.cases {
            assert!(
                matches!(&case.failures[..], [CaseFailure::NothingToRemove(_)]),
                "{case:?}"
            );
        }
        assert!(
            report
                .to_string()
                .contains("the preset sends no `X-Nope` header"),
            "{report}"
        );
    }

    #[test]
    fn failures_are_typed_and_summarised() {
        let report = run(
            "[[case]]\nname = \"ua\"\nheaders = [[\"User-Agent\", \"curl\"]]\n\
             rule = \"REQ.HTTP.HEADER User-Agent CONTAINS Worx\"\nverdict = \"true\"\n\n\
             [[case]]\nname = \"empty\"\n\n\
             [[case]]\nname = \"no config\"\napplied = []\n",
        );
        let failures: Vec<&[CaseFailure]> =
            report.cases.iter().map(|c| c.failures.as_slice()).collect();
        assert_eq!(
            failures,
            [
                &[CaseFailure::Verdict {
                    got: Verdict::False,
                    expected: Verdict::True
                }][..],
                &[CaseFailure::NothingExpected],
                &[CaseFailure::NoConfig],
            ]
        );
        let summary = report.to_string();
        assert!(
            summary.starts_with("FAIL <string>: ua: rule verdict false, expected true\n"),
            "{summary}"
        );
        assert!(summary.ends_with("\n0 passed, 3 failed"), "{summary}");
    }

    #[test]
    #[should_panic(expected = "FAIL <string>: x: unknown client preset `nope`")]
    fn assert_passed_panics_with_the_failures() {
        run("[[case]]\nname = \"x\"\nclient = \"nope\"\napplied = []\n").assert_passed();
    }

    #[test]
    fn a_missing_config_fails_its_cases_only() {
        let report = run(
            "[[case]]\nname = \"gone\"\nconfig = \"no/such.conf\"\napplied = []\n\n\
             [[case]]\nname = \"rule\"\nrule = \"REQ.HTTP.URL == /\"\nverdict = \"true\"\n",
        );
        assert!(matches!(
            report.cases.first().map(|c| c.failures.as_slice()),
            Some([CaseFailure::ConfigUnreadable { .. }])
        ));
        assert!(report.cases.get(1).is_some_and(CaseReport::passed));
    }
}
