//! Diagnostics of the ns.conf reader: errors for malformed lines of known commands, and notices
//! (informational findings and warnings) that do not make a line invalid.
//!
//! Following the error-sink design (docs/semantics.md#error-sink), the reader never stops at a bad line: it
//! collects every error and keeps reading.

use std::fmt;

use crate::ast::Span;
use crate::error::floor_char_boundary;

use super::lexer::LexErrorKind;

/// A malformed line of a known command, with its position.
///
/// `Display` prints `file:line:column: message`, then the line, then `^^^` under the offending
/// token. Only a bounded window of the line around the span is kept and shown (`...` marks the
/// cut), so an error on a very long line costs the same as one on a short line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ConfigError {
    /// The file name given to the reader.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub kind: ConfigErrorKind,
    /// The offending bytes of the line.
    pub span: Span,
    /// The window of the line shown under the message.
    pub excerpt: Excerpt,
}

/// A bounded window of a line: at most [`Excerpt::BEFORE`] characters before the span, the span
/// (at most [`Excerpt::SPAN`] characters of it) and at most [`Excerpt::AFTER`] after it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Excerpt {
    /// The window's text.
    pub text: String,
    /// Where the span starts in `text`, in characters.
    pub span_column: usize,
    /// How many characters of `text` the span covers (at least 1, so a caret is always drawn).
    pub span_width: usize,
    /// Whether text of the line precedes the window.
    pub cut_before: bool,
    /// Whether text of the line follows the window.
    pub cut_after: bool,
}

impl Excerpt {
    /// Characters kept before the span.
    pub const BEFORE: usize = 80;
    /// Characters of the span kept.
    pub const SPAN: usize = 120;
    /// Characters kept after the span.
    pub const AFTER: usize = 60;

    /// The window of `line` around the byte `span` (clamped to the line and to char boundaries).
    /// The window holds at most [`BEFORE`](Self::BEFORE) + [`SPAN`](Self::SPAN) +
    /// [`AFTER`](Self::AFTER) characters whatever the line's length.
    ///
    /// ```
    /// use nsexpr::Span;
    /// use nsexpr::config::Excerpt;
    ///
    /// let line = format!("{} CONTAIN x", "a".repeat(1_000_000));
    /// let excerpt = Excerpt::new(&line, Span::new(1_000_001, 1_000_008));
    /// assert!(excerpt.cut_before && !excerpt.cut_after);
    /// assert!(excerpt.to_string().len() < 400);
    /// assert!(excerpt.to_string().ends_with("^^^^^^^"));
    /// ```
    pub fn new(line: &str, span: Span) -> Excerpt {
        let start = floor_char_boundary(line, span.start.min(line.len()));
        let end = floor_char_boundary(line, span.end.max(start).min(line.len()));
        let before = line.get(..start).unwrap_or("");
        let inside = line.get(start..end).unwrap_or("");
        let after = line.get(end..).unwrap_or("");
        // Walk back from the span only as far as the window reaches.
        let window_start = before
            .char_indices()
            .rev()
            .nth(Excerpt::BEFORE - 1)
            .map_or(0, |(i, _)| i);
        let mut text = before.get(window_start..).unwrap_or("").to_owned();
        let span_column = text.chars().count();
        let inside_chars = inside.chars().count();
        text.extend(inside.chars().take(Excerpt::SPAN));
        let cut_after = if inside_chars > Excerpt::SPAN {
            true
        } else {
            let mut rest = after.chars();
            text.extend(rest.by_ref().take(Excerpt::AFTER));
            rest.next().is_some()
        };
        Excerpt {
            text,
            span_column,
            span_width: inside_chars.clamp(1, Excerpt::SPAN),
            cut_before: window_start > 0,
            cut_after,
        }
    }
}

impl ConfigError {
    pub(super) fn new(
        file: &str,
        line: usize,
        column: usize,
        text: &str,
        span: Span,
        kind: ConfigErrorKind,
    ) -> ConfigError {
        ConfigError {
            file: file.to_owned(),
            line,
            column,
            kind,
            excerpt: Excerpt::new(text, span),
            span,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.kind
        )?;
        write!(f, "{}", self.excerpt)
    }
}

/// Two lines: the window (`...` where the line is cut; tabs and control characters shown as
/// blanks), then `^^^` under the span.
impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lead = if self.cut_before { "..." } else { "" };
        let shown: String = self
            .text
            .chars()
            .map(|c| if c == '\t' || c.is_control() { ' ' } else { c })
            .collect();
        let tail = if self.cut_after { "..." } else { "" };
        writeln!(f, "{lead}{shown}{tail}")?;
        write!(
            f,
            "{}{}",
            " ".repeat(lead.len() + self.span_column),
            "^".repeat(self.span_width)
        )
    }
}

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The line could not be lexed (docs/semantics.md#nsconf-lexing).
    #[error("{0}")]
    Lex(LexErrorKind),
    /// The line is not UTF-8; it is skipped and the rest of the file is read.
    #[error("the line is not valid UTF-8")]
    InvalidUtf8,
    /// A control character (NUL, ...) in a token: ns.conf cannot carry one, so the line is skipped.
    #[error("control character U+{code:04X} in the line")]
    ControlCharacter {
        /// The character's code.
        code: u32,
    },
    /// A command word that is a prefix of several command words (R1).
    #[error("ambiguous command word `{word}`: could be {}", .candidates.join(", "))]
    AmbiguousWord {
        /// The word as written.
        word: String,
        /// The words it could abbreviate.
        candidates: Vec<&'static str>,
    },
    /// A required argument is missing.
    #[error("`{command}` needs {what}")]
    MissingArgument {
        /// The command.
        command: &'static str,
        /// What is missing (`a name`, `a rule`, ...).
        what: &'static str,
    },
    /// An argument the command does not take.
    #[error("unexpected argument `{argument}` for `{command}`")]
    UnexpectedArgument {
        /// The command.
        command: &'static str,
        /// The argument as written.
        argument: String,
    },
    /// An option name the command does not take.
    #[error("unknown option `-{option}` for `{command}`")]
    UnknownOption {
        /// The command.
        command: &'static str,
        /// The option as written.
        option: String,
    },
    /// An option name that is a prefix of several option names (R1).
    #[error("ambiguous option `-{option}`: could be {}", .candidates.iter().map(|c| format!("-{c}")).collect::<Vec<_>>().join(", "))]
    AmbiguousOption {
        /// The option as written.
        option: String,
        /// The options it could abbreviate.
        candidates: Vec<&'static str>,
    },
    /// An option that cannot be combined with another one on this command.
    #[error("option `-{option}` cannot be combined with `-{with}`")]
    ConflictingOption {
        /// The option.
        option: &'static str,
        /// The option it conflicts with.
        with: &'static str,
    },
    /// The same option twice on one line.
    #[error("option `-{option}` is given twice")]
    DuplicateOption {
        /// The option.
        option: String,
    },
    /// An option without its value.
    #[error("option `-{option}` needs a value")]
    MissingValue {
        /// The option.
        option: String,
    },
    /// An option that takes no value (or fewer values) was given one.
    #[error("option `-{option}` takes {expected}")]
    TooManyValues {
        /// The option.
        option: String,
        /// What it takes (`no value`, `one value`).
        expected: &'static str,
    },
    /// A number out of range or not a number.
    #[error("option `-{option}` needs a whole number from 0 to {max}, found `{value}`")]
    BadNumber {
        /// The option.
        option: &'static str,
        /// The value as written.
        value: String,
        /// The largest accepted value.
        max: u32,
    },
    /// A value outside the option's value set.
    #[error("option `-{option}` must be {expected}, found `{value}`")]
    BadValue {
        /// The option.
        option: &'static str,
        /// The value as written.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
    /// An `add` of a name that is already defined (the appliance rejects it; the first stays).
    #[error("{kind} `{name}` is already defined on line {first_line}")]
    Duplicate {
        /// The object type.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// A `set`, `unset` or `rm` of an object not defined before this line (R4).
    #[error("{kind} `{name}` is not defined before this line")]
    Undefined {
        /// The object type.
        kind: &'static str,
        /// The name.
        name: String,
    },
}

/// How serious a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Probably a mistake in the configuration, but the line was read.
    Warning,
}

/// A finding about a line that was read: see [`NoticeKind`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Notice {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters, of the word the notice is about.
    pub column: usize,
    /// What was found.
    pub kind: NoticeKind,
}

impl Notice {
    /// How serious the finding is.
    pub fn severity(&self) -> Severity {
        match self.kind {
            NoticeKind::NonSessionPolicyBind { .. } | NoticeKind::BuiltinObject { .. } => {
                Severity::Info
            }
            NoticeKind::Parameter(ParameterIssue::Case { .. }) => Severity::Info,
            // A typo in a bind leaves a vserver with nothing bound and a policy that never
            // applies: a run that tests nothing, so these are warnings too.
            NoticeKind::UnboundPolicy { .. }
            | NoticeKind::UndefinedVserver { .. }
            | NoticeKind::UndefinedPolicy { .. }
            | NoticeKind::UndefinedAction { .. }
            | NoticeKind::UndefinedPatternSet { .. }
            | NoticeKind::NonstandardQQuote { .. }
            | NoticeKind::Parameter(_)
            | NoticeKind::InvalidUtf8Comment => Severity::Warning,
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The severity is the caller's to print (as a prefix or a field), so it is not repeated.
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

/// What a [`Notice`] reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum NoticeKind {
    /// A bind of a policy that is not a session policy; ignored (R3).
    #[error("bind of {kind} `{policy}` ignored: not a session policy")]
    NonSessionPolicyBind {
        /// The policy name.
        policy: String,
        /// Its object type (`authentication ldapPolicy`).
        kind: String,
    },
    /// A bind of a name that no `add` line defines; ignored.
    #[error("bind of undefined policy `{policy}` ignored{}", did_you_mean(.nearest.as_deref()))]
    UndefinedPolicy {
        /// The policy name.
        policy: String,
        /// The defined session policy with the closest name, if one is close enough to be a typo.
        nearest: Option<String>,
    },
    /// A session policy whose action is not defined.
    #[error(
        "session policy `{policy}` uses undefined session action `{action}`{}",
        did_you_mean(.nearest.as_deref())
    )]
    UndefinedAction {
        /// The policy.
        policy: String,
        /// The missing action.
        action: String,
        /// The defined session action with the closest name, if one is close enough.
        nearest: Option<String>,
    },
    /// A session policy that is defined but bound nowhere.
    #[error("session policy `{policy}` is not bound")]
    UnboundPolicy {
        /// The policy.
        policy: String,
    },
    /// A bind to a vserver that no `add vpn vserver` line defines (kept).
    #[error(
        "vserver `{vserver}` is not defined in this file{}",
        did_you_mean(.nearest.as_deref())
    )]
    UndefinedVserver {
        /// The vserver.
        vserver: String,
        /// The defined vserver with the closest name, if one is close enough to be a typo.
        nearest: Option<String>,
    },
    /// A `bind policy patset` to a set that no `add policy patset` line defines (dropped).
    #[error("pattern set `{name}` is bound but not defined; the string is dropped")]
    UndefinedPatternSet {
        /// The set.
        name: String,
    },
    /// An R6 built-in object (`SETVPNPARAMS_*`), simulated as the `set vpn parameter` layer.
    #[error("built-in `{name}` is treated as the `set vpn parameter` layer")]
    BuiltinObject {
        /// The object name.
        name: String,
    },
    /// A session-action or `set vpn parameter` option that is not a session parameter, or a
    /// value outside its domain (the line is read; the simulator uses the value as written).
    #[error("{issue}{hint}", issue = .0, hint = .0.hint().map(|h| format!(" ({h})")).unwrap_or_default())]
    Parameter(ParameterIssue),
    /// A comment line that is not UTF-8 (a Latin-1 accent, say): nothing is lost, since the
    /// line is a comment.
    #[error("the comment is not valid UTF-8")]
    InvalidUtf8Comment,
    /// A q-quote with a delimiter outside GUIDE92's list (`qquote-nonstandard`, docs/semantics.md#nsconf-lexing).
    #[error("q-quote with nonstandard delimiter `{delimiter}` (qquote-nonstandard)")]
    NonstandardQQuote {
        /// The delimiter.
        delimiter: char,
    },
}

/// What is wrong with a session parameter as written (see
/// [`check_parameter`](super::check_parameter)). `Display` is the message without the hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ParameterIssue {
    /// Not a parameter the appliance knows (a typo, or an option of another command).
    #[error("unknown session parameter `-{name}`")]
    Unknown {
        /// The option as written, without the dash.
        name: String,
        /// The closest parameter name, if close enough to be a typo.
        nearest: Option<&'static str>,
    },
    /// A value that is none of the parameter's words.
    #[error("`-{parameter}` must be one of {}, found `{value}`", .words.join(", "))]
    NotOneOf {
        /// The parameter's canonical name.
        parameter: &'static str,
        /// The value as written.
        value: String,
        /// The accepted words.
        words: &'static [&'static str],
        /// The closest word, if close enough to be a typo.
        nearest: Option<&'static str>,
    },
    /// A value that is not a whole number in the parameter's range.
    #[error("`-{parameter}` must be a whole number from {min} to {max}, found `{value}`")]
    NotInRange {
        /// The parameter's canonical name.
        parameter: &'static str,
        /// The value as written.
        value: String,
        /// The smallest accepted value.
        min: u32,
        /// The largest accepted value.
        max: u32,
    },
    /// An accepted word written in another case than its canonical spelling (read as that).
    #[error("`-{parameter} {value}` is read as `{canonical}`")]
    Case {
        /// The parameter's canonical name.
        parameter: &'static str,
        /// The value as written.
        value: String,
        /// The canonical spelling.
        canonical: &'static str,
    },
}

impl ParameterIssue {
    /// How to fix it ("did you mean `-splitTunnel`?").
    pub fn hint(&self) -> Option<String> {
        match self {
            ParameterIssue::Unknown { nearest, .. } => Some(nearest.map_or_else(
                || "remove it, or check its spelling in the session-action reference".to_owned(),
                |n| format!("did you mean `-{n}`?"),
            )),
            ParameterIssue::NotOneOf { nearest, words, .. } => Some(nearest.map_or_else(
                || format!("write one of {}", words.join(", ")),
                |n| format!("did you mean `{n}`?"),
            )),
            ParameterIssue::NotInRange { min, max, .. } => {
                Some(format!("write a whole number from {min} to {max}"))
            }
            ParameterIssue::Case { canonical, .. } => {
                Some(format!("write `{canonical}`, as `show` prints it"))
            }
        }
    }
}

/// ` (did you mean `x`?)` for a nearest name, else nothing.
fn did_you_mean(nearest: Option<&str>) -> String {
    nearest
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}
