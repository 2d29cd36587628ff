//! Whole-configuration checks for CI: [`lint`] reads a [`Config`] and returns a [`LintReport`] of
//! typed [`Finding`]s, each with a position, a stable [`Code`], a [`Level`], a message and a fix
//! hint.
//!
//! The checks: references between objects (binds to undefined vservers, policies, groups and
//! users; unused policies, actions and named expressions; duplicates from the reader), session
//! parameters (unknown names, values outside a parameter's domain, non-canonical case), rules
//! (the parser's lints, contradictions, rules that can never be true or are always true), policy
//! sets (shadowed and unreachable policies, and policies an earlier goto skips whenever their
//! rule is true), the syntax era (classic rules on firmware that no longer accepts them) and, with
//! recorded traffic ([`Traffic`]), policies never hit or unknown.
//!
//! Rule truth and policy sets are decided, for classic and advanced rules alike, by evaluating the
//! rules over every request built from the atoms the rules test: each tested header absent, empty,
//! holding exactly one tested value, or holding a value that contains exactly some subset of the
//! tested values (also behind a tested prefix and before a tested suffix, and as two instances
//! where some tests read any instance and others the last); the method, URL path and query (or
//! the advanced URL) each one of the tested values or another. A rule with a test these requests
//! do not decide exactly (a regular expression, a number, a client address...) is not judged.
//!
//! ```
//! use nsexpr::config::Config;
//! use nsexpr::lint::{Code, LintOptions, lint_loaded};
//!
//! let loaded = Config::read(
//!     "add vpn vserver gw_prod SSL 192.0.2.1 443\n\
//!      add vpn sessionAction AC -icaProxy ON\n\
//!      add vpn sessionPolicy P \"REQ.HTTP.HEADER X EXISTS && REQ.HTTP.HEADER X NOTEXISTS\" AC\n\
//!      bind vpn vserver gw_prd -policy P -priority 10\n",
//!     "ns.conf",
//! );
//! let report = lint_loaded(&loaded, &LintOptions::default());
//! let codes: Vec<Code> = report.findings.iter().map(|f| f.code).collect();
//! assert!(codes.contains(&Code::UndefinedVserver));
//! assert!(codes.contains(&Code::Contradiction));
//! let typo = report.findings.iter().find(|f| f.code == Code::UndefinedVserver).unwrap();
//! assert_eq!(typo.hint.as_deref(), Some("did you mean `gw_prod`?"));
//! ```

mod advanced;
mod atoms;
mod params;
mod refs;
mod rules;
mod sets;
mod traffic;
mod truth;

use std::fmt;

use crate::config::{Config, ConfigErrorKind, Loaded, NoticeKind, RuleText};

pub use traffic::Traffic;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Level {
    /// The configuration is wrong: the appliance rejects it, or it cannot do what it says.
    Error,
    /// Probably a mistake.
    Warning,
    /// Worth knowing; nothing is wrong.
    Note,
}

impl Level {
    /// `error`, `warning` or `note` (the SARIF level names).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $level:ident, $doc:literal;)*) => {
        /// A stable finding code; [`Code::as_str`] is the kebab-case name CI tools key on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name (`undefined-vserver`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The level findings of this code have.
            pub fn level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            /// One sentence on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    ConfigError = "config-error", Error, "A malformed line of a known command.";
    CommentNotUtf8 = "comment-not-utf8", Warning, "A comment line that is not UTF-8 (a Latin-1 accent, say); nothing is lost.";
    UndefinedVserver = "undefined-vserver", Error, "A bind to a vpn vserver that no `add vpn vserver` defines.";
    UndefinedPolicy = "undefined-policy", Error, "A bind of a policy that no `add` defines.";
    UndefinedAction = "undefined-action", Error, "A session policy whose session action is not defined.";
    UndefinedGroup = "undefined-group", Error, "A bind to an AAA group that no `add aaa group` defines.";
    UndefinedUser = "undefined-user", Error, "A bind to an AAA user that no `add aaa user` defines.";
    UnusedPolicy = "unused-policy", Warning, "A session policy that is bound nowhere.";
    UnusedAction = "unused-action", Warning, "A session action that no session policy uses.";
    UnusedExpression = "unused-expression", Warning, "A named expression that no rule uses.";
    DuplicateDefinition = "duplicate-definition", Error, "An object defined twice; the appliance rejects the second `add`.";
    UnknownParameter = "unknown-parameter", Error, "A session-action or `set vpn parameter` option the appliance does not know.";
    ParameterValue = "parameter-value", Error, "A session parameter value outside the parameter's domain.";
    ParameterCase = "parameter-case", Note, "A session parameter value written in another case than its canonical spelling.";
    RuleError = "rule-error", Error, "A rule that does not parse or compile.";
    MixedAndOr = "mixed-and-or", Warning, "`&&` and `||` mixed without parentheses.";
    OldSpelling = "old-spelling", Note, "A NetScaler 6.0 spelling or operator alias.";
    UrlWildcardUnverified = "url-wildcard-unverified", Warning, "A `*` in a URL pattern outside the verified shapes.";
    WindowIgnored = "window-ignored", Warning, "`-length`/`-offset` on EXISTS/NOTEXISTS, where they do nothing.";
    NonStandardMethod = "nonstandard-method", Warning, "A method that is not a standard HTTP/1.1 method.";
    NonStandardName = "nonstandard-name", Warning, "A named-expression reference outside the naming rules.";
    ParenInValue = "paren-in-value", Warning, "A `)` without a matching `(` read as part of a value.";
    Contradiction = "contradiction", Error, "An `&&`, the whole rule or a part of it, whose operands can never all hold (`X EXISTS && X NOTEXISTS`).";
    NeverTrue = "never-true", Warning, "A rule that is false for every request, without a contradiction of its whole `&&` saying why.";
    AlwaysTrue = "always-true", Note, "A rule that is true for every request, without saying so (`ns_true`).";
    ShadowedPolicy = "shadowed-policy", Warning, "A policy whose every setting is overridden whenever it applies.";
    UnreachablePolicy = "unreachable-policy", Warning, "A policy no request reaches because an earlier goto ends the walk.";
    NeverApplies = "never-applies", Warning, "A policy that requests reach only when its rule is false: an earlier goto (END, or a jump past it) skips it on every request it accepts.";
    NeverHit = "never-hit", Warning, "A policy that applied to no request of the recorded traffic.";
    UnknownOnTraffic = "unknown-on-traffic", Warning, "A policy whose verdict was unknown on recorded traffic.";
    ClassicRemoved = "classic-removed", Error, "A classic rule on firmware that accepts only advanced rules here.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Finding {
    /// The file name of the configuration.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters, of the word the finding is about.
    pub column: usize,
    /// The stable code.
    pub code: Code,
    /// How serious it is.
    pub level: Level,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub hint: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}]: {}",
            self.file, self.line, self.column, self.level, self.code, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The firmware a configuration was saved by, from its `#NS13.1 Build 52.19` first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Firmware {
    /// Major release (13).
    pub major: u32,
    /// Minor release (1).
    pub minor: u32,
}

impl Firmware {
    /// The first release whose Gateway session policies accept only advanced rules.
    pub const ADVANCED_ONLY: Firmware = Firmware {
        major: 13,
        minor: 1,
    };

    /// Reads the firmware header from the start of an ns.conf (`#NS13.1 Build 52.19`).
    pub fn from_config_text(text: &str) -> Option<Firmware> {
        let first = text.lines().next()?.trim_start();
        let release = first.strip_prefix("#NS")?;
        let release = release.split_whitespace().next()?;
        let (major, minor) = release.split_once('.')?;
        Some(Firmware {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Firmware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// What [`lint`] checks beyond the configuration itself.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct LintOptions {
    /// The firmware the configuration is for (see [`Firmware::from_config_text`]); decides the
    /// syntax-era check.
    pub firmware: Option<Firmware>,
}

impl LintOptions {
    /// Options for a firmware.
    pub fn firmware(mut self, firmware: Option<Firmware>) -> LintOptions {
        self.firmware = firmware;
        self
    }
}

/// The findings of a lint run, sorted by line, column and code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LintReport {
    /// Every finding.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// How many findings have this level.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// Adds findings (from [`Traffic::findings`]) and keeps the order.
    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
        self.sort();
    }

    fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.line, a.column, a.code, &a.message).cmp(&(b.line, b.column, b.code, &b.message))
        });
        self.findings.dedup();
    }
}

/// Collects findings with the configuration's file name.
pub(crate) struct Sink<'c> {
    file: &'c str,
    findings: Vec<Finding>,
    /// The configuration's lines, when known: positions inside quoted rules count their escapes.
    lines: Vec<&'c [u8]>,
}

impl<'c> Sink<'c> {
    fn new(file: &'c str) -> Sink<'c> {
        Sink {
            file,
            findings: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// A sink that knows the configuration's text.
    fn with_source(file: &'c str, source: Option<&'c [u8]>) -> Sink<'c> {
        Sink {
            lines: source.map_or_else(Vec::new, |s| s.split(|&b| b == b'\n').collect()),
            ..Sink::new(file)
        }
    }

    /// The position in the file of the character `offset` bytes into a rule text. In a quoted
    /// rule an escape (`\"`) is two characters of the file for one of the text; without the
    /// configuration's text the rule is taken as written without escapes.
    pub(crate) fn rule_position(&self, rule: &RuleText, offset: usize) -> (usize, usize) {
        let prefix = rule.text.get(..offset).unwrap_or(&rule.text);
        let plain = (rule.line, rule.column + prefix.chars().count());
        let Some(line) = rule
            .line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .and_then(|line| std::str::from_utf8(line).ok())
        else {
            return plain;
        };
        let raw: Vec<char> = line.chars().collect();
        let Some(start) = rule.column.checked_sub(1) else {
            return plain;
        };
        let quoted = start
            .checked_sub(1)
            .and_then(|before| raw.get(before))
            .is_some_and(|&c| c == '"' || c == '\'');
        if !quoted {
            return plain;
        }
        // Walk the file's characters, unescaping as the reader does, until the prefix is read;
        // any disagreement with the text falls back to the plain count.
        let mut at = start;
        for expected in prefix.chars() {
            let (read, width) = match (raw.get(at), raw.get(at + 1)) {
                (Some('\\'), Some(&next))
                    if matches!(next, 't' | 'n' | 'r' | '\'' | '"' | '\\') =>
                {
                    let read = match next {
                        't' => '\t',
                        'n' => '\n',
                        'r' => '\r',
                        other => other,
                    };
                    (read, 2)
                }
                (Some(&c), _) => (c, 1),
                (None, _) => return plain,
            };
            if read != expected {
                return plain;
            }
            at += width;
        }
        (rule.line, at + 1)
    }

    /// Records a finding at a line and column.
    pub(crate) fn push(
        &mut self,
        code: Code,
        (line, column): (usize, usize),
        message: String,
        hint: Option<String>,
    ) {
        self.findings.push(Finding {
            file: self.file.to_owned(),
            line,
            column: column.max(1),
            code,
            level: code.level(),
            message,
            hint,
        });
    }
}

/// The candidate closest to `word` if it is close enough to be a plausible typo (about one edit
/// per five characters), for "did you mean" hints in tools built on the library.
pub fn nearest_name<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    crate::syntax::nearest(word, candidates)
}

/// "did you mean `x`?" for the candidate closest to `word`.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::syntax::nearest(word, candidates).map(|n| format!("did you mean `{n}`?"))
}

/// Checks an ns.conf file's bytes: reads it (lines that are not UTF-8 are reported and skipped),
/// takes the firmware from its first line unless `options` gives one, and runs every check,
/// including the session-parameter checks that need the text as written.
pub fn lint_source(source: &[u8], file: &str, options: &LintOptions) -> LintReport {
    let loaded = Config::read_bytes(source, file);
    let mut options = options.clone();
    if options.firmware.is_none() {
        let first = source.split(|&b| b == b'\n').next().unwrap_or(&[]);
        options.firmware = Firmware::from_config_text(&String::from_utf8_lossy(first));
    }
    let mut report = lint_loaded_with(&loaded, &options, Some(source));
    let mut sink = Sink::new(file);
    params::check(source, &mut sink);
    let policies: Vec<&str> = loaded
        .config
        .session_policies()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    for notice in &loaded.notices {
        if let NoticeKind::UndefinedPolicy { policy, .. } = &notice.kind {
            sink.push(
                Code::UndefinedPolicy,
                (notice.line, notice.column),
                format!("bind of policy `{policy}`, which is not defined"),
                did_you_mean(policy, policies.iter().copied()),
            );
        }
    }
    // An unknown session parameter is also a malformed line to the reader: report it once, as
    // the more specific finding.
    let unknown: Vec<(usize, usize)> = sink
        .findings
        .iter()
        .filter(|f| f.code == Code::UnknownParameter)
        .map(|f| (f.line, f.column))
        .collect();
    report
        .findings
        .retain(|f| f.code != Code::ConfigError || !unknown.contains(&(f.line, f.column)));
    report.extend(sink.findings);
    report
}

/// What to do about a malformed line, where the message alone does not say it.
fn config_hint(kind: &ConfigErrorKind) -> Option<String> {
    let hint = match kind {
        ConfigErrorKind::InvalidUtf8 => "save the file as UTF-8 (or ASCII)",
        ConfigErrorKind::ControlCharacter { .. } => "remove the control character",
        ConfigErrorKind::AmbiguousWord { .. } | ConfigErrorKind::AmbiguousOption { .. } => {
            "write the word out in full"
        }
        ConfigErrorKind::MissingArgument { .. } => "add the missing argument",
        ConfigErrorKind::UnexpectedArgument { .. } => {
            "remove the argument, or quote a value that has blanks"
        }
        ConfigErrorKind::UnknownOption { .. } => "check the option's spelling for this command",
        ConfigErrorKind::ConflictingOption { .. } => "keep one of the two options",
        ConfigErrorKind::DuplicateOption { .. } => "keep one of the two values",
        ConfigErrorKind::MissingValue { .. } => "give the option its value, or remove it",
        ConfigErrorKind::TooManyValues { .. } => "remove the extra value",
        ConfigErrorKind::BadNumber { .. } | ConfigErrorKind::BadValue { .. } => {
            "use one of the values the message lists"
        }
        ConfigErrorKind::Undefined { .. } => "define the object before this line",
        _ => return None,
    };
    Some(hint.to_owned())
}

/// Checks a configuration (every check but the session-parameter ones, which need the text:
/// see [`lint_source`]).
pub fn lint(config: &Config, options: &LintOptions) -> LintReport {
    lint_with(config, options, None)
}

/// [`lint`], with the configuration's text when known.
fn lint_with(config: &Config, options: &LintOptions, source: Option<&[u8]>) -> LintReport {
    let mut sink = Sink::with_source(config.file_name(), source);
    refs::check(config, &mut sink);
    rules::check(config, options, &mut sink);
    sets::check(config, &mut sink);
    let mut report = LintReport {
        findings: sink.findings,
    };
    report.sort();
    report
}

/// [`lint`], plus the reader's errors (malformed lines, duplicate definitions).
pub fn lint_loaded(loaded: &Loaded, options: &LintOptions) -> LintReport {
    lint_loaded_with(loaded, options, None)
}

/// [`lint_loaded`], with the configuration's text when known.
fn lint_loaded_with(loaded: &Loaded, options: &LintOptions, source: Option<&[u8]>) -> LintReport {
    let mut report = lint_with(&loaded.config, options, source);
    let mut sink = Sink::new(loaded.config.file_name());
    for error in &loaded.errors {
        let (code, hint) = match error.kind {
            ConfigErrorKind::Duplicate { .. } => (
                Code::DuplicateDefinition,
                Some("rename or remove one of the two definitions".to_owned()),
            ),
            _ => (Code::ConfigError, config_hint(&error.kind)),
        };
        sink.push(
            code,
            (error.line, error.column),
            error.kind.to_string(),
            hint,
        );
    }
    for notice in &loaded.notices {
        if notice.kind == NoticeKind::InvalidUtf8Comment {
            sink.push(
                Code::CommentNotUtf8,
                (notice.line, notice.column),
                notice.kind.to_string(),
                Some("save the file as UTF-8".to_owned()),
            );
        }
    }
    report.extend(sink.findings);
    report
}
