//! Compiles parsed rules into immutable, `Send + Sync` programs ([`Program`], [`ProgramSet`]):
//! named expressions are resolved transitively and compiled once (D12), header names interned
//! into slots, literals prebuilt into matchers, and URL patterns lowered by the wildcard table.
//! The compiled form lives in the internal `ir` module; evaluating it is [`crate::eval`]'s job.

pub mod advanced;
mod arena;
mod error;
mod leaves;
mod lower;
mod names;
mod passes;
mod program;
mod trigger;

pub use error::{CompileError, CompileErrorKind};
pub use names::{Definition, NamedExpressions, UNVERIFIED_BUILTINS};
pub(crate) use program::AdvancedRules;
pub use program::{ProgramBuilder, ProgramSetBuilder};

pub use crate::ir::{HeaderInstance, Program, ProgramSet, SetScratch, Syntax};
pub use advanced::PatternSets;

use crate::syntax::ParseOptions;
use crate::syntax::advanced::AdvParseOptions;

/// How advanced URL text is read before any `SET_TEXT_MODE` (D25 `url_default_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum UrlMode {
    /// As received (`NOURLENCODED`).
    #[default]
    Raw,
    /// Percent-decoded (`URLENCODED`).
    Decoded,
}

/// Which instances an advanced header's text operations test (D26 `header_text_ops`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum HeaderTextOps {
    /// The last instance.
    #[default]
    Last,
    /// Some instance (`EQ`, `NE`, `STARTSWITH`, `ENDSWITH` directly on the header).
    Any,
}

/// The zone of `SYS.TIME` field extractors (D30 `sys_time_fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum TimeFields {
    /// GMT.
    #[default]
    Gmt,
    /// The context's local offset.
    Local,
}

/// How `AAA.USER.IS_MEMBER_OF` compares group names (D31 `group_match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum GroupMatch {
    /// Byte-exact.
    #[default]
    Exact,
    /// ASCII letters folded.
    AsciiCaseless,
}

/// Compile settings.
///
/// ```
/// use nsexpr::{CompileOptions, HeaderInstance};
///
/// let options = CompileOptions::default()
///     .header_instance(HeaderInstance::Any)
///     .unverified_builtins(true);
/// assert_eq!(options.header_instance, HeaderInstance::Any);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CompileOptions {
    /// D6 option `header_instance`.
    pub header_instance: HeaderInstance,
    /// D12 option `unverified_builtins`: predefine the probable definitions of docs/semantics.md#builtins.
    pub unverified_builtins: bool,
    /// How named expressions' definitions are parsed: the options the rules were parsed with,
    /// so a rule gives the same verdict inline and through a name (D1).
    pub parse: ParseOptions,
    /// How advanced rules and definitions are parsed (D21 `max_advanced_len`...).
    pub advanced_parse: AdvParseOptions,
    /// D24 `strict_advanced`: a method outside our tables is an error, not UNKNOWN.
    pub strict_advanced: bool,
    /// Pattern sets for `CONTAINS_ANY`/`EQUALS_ANY`/`STARTSWITH_ANY` (D32).
    pub pattern_sets: PatternSets,
    /// D25 `url_default_mode`.
    pub url_default_mode: UrlMode,
    /// D26 `header_text_ops`.
    pub header_text_ops: HeaderTextOps,
    /// D27 `empty_needle_on_absent`: an absent header `CONTAINS("")`.
    pub empty_needle_on_absent: bool,
    /// D30 `sys_time_fields`.
    pub sys_time_fields: TimeFields,
    /// D31 `group_match`.
    pub group_match: GroupMatch,
    /// D28 `fancy_regex` (feature `fancy-regex`): patterns with constructs the `regex` crate
    /// lacks run on a backtracking engine; hitting its step limit is UNDEF.
    #[cfg(feature = "fancy-regex")]
    pub fancy_regex: bool,
}

impl CompileOptions {
    /// Sets [`header_instance`](Self::header_instance).
    #[must_use]
    pub fn header_instance(mut self, instance: HeaderInstance) -> Self {
        self.header_instance = instance;
        self
    }

    /// Sets [`unverified_builtins`](Self::unverified_builtins).
    #[must_use]
    pub fn unverified_builtins(mut self, enabled: bool) -> Self {
        self.unverified_builtins = enabled;
        self
    }

    /// Sets [`parse`](Self::parse).
    #[must_use]
    pub fn parse(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// Sets [`advanced_parse`](Self::advanced_parse).
    #[must_use]
    pub fn advanced_parse(mut self, options: AdvParseOptions) -> Self {
        self.advanced_parse = options;
        self
    }

    /// Sets the advanced expression length limit (D21 `max_advanced_len`; 0 = only D16's).
    #[must_use]
    pub fn max_advanced_len(mut self, len: usize) -> Self {
        self.advanced_parse.max_len = len;
        self
    }

    /// Sets [`strict_advanced`](Self::strict_advanced).
    #[must_use]
    pub fn strict_advanced(mut self, strict: bool) -> Self {
        self.strict_advanced = strict;
        self
    }

    /// Sets [`pattern_sets`](Self::pattern_sets).
    #[must_use]
    pub fn pattern_sets(mut self, sets: PatternSets) -> Self {
        self.pattern_sets = sets;
        self
    }

    /// Sets [`url_default_mode`](Self::url_default_mode).
    #[must_use]
    pub fn url_default_mode(mut self, mode: UrlMode) -> Self {
        self.url_default_mode = mode;
        self
    }

    /// Sets [`header_text_ops`](Self::header_text_ops).
    #[must_use]
    pub fn header_text_ops(mut self, ops: HeaderTextOps) -> Self {
        self.header_text_ops = ops;
        self
    }

    /// Sets [`empty_needle_on_absent`](Self::empty_needle_on_absent).
    #[must_use]
    pub fn empty_needle_on_absent(mut self, enabled: bool) -> Self {
        self.empty_needle_on_absent = enabled;
        self
    }

    /// Sets [`sys_time_fields`](Self::sys_time_fields).
    #[must_use]
    pub fn sys_time_fields(mut self, fields: TimeFields) -> Self {
        self.sys_time_fields = fields;
        self
    }

    /// Sets [`group_match`](Self::group_match).
    #[must_use]
    pub fn group_match(mut self, mode: GroupMatch) -> Self {
        self.group_match = mode;
        self
    }

    /// D28 `fancy_regex`: back-references and look-around on a backtracking engine.
    #[cfg(feature = "fancy-regex")]
    pub fn fancy_regex(mut self, on: bool) -> Self {
        self.fancy_regex = on;
        self
    }
}
