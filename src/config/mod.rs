//! The ns.conf reader (docs/semantics.md#nsconf-lexing, #gateway-commands).
//!
//! [`Config::read`] (or [`Config::read_bytes`], [`Config::from_path`]) lexes every line with the CLI
//! lexer of docs/semantics.md#nsconf-lexing ([`lex_line`]), recognises the Gateway commands of docs/semantics.md#gateway-commands (session actions
//! and policies, named expressions, vservers, `set vpn parameter`, AAA users and groups, and binds
//! at the four bind points), and returns a [`Loaded`]: the [`Config`], every [`ConfigError`] (a
//! malformed line of a known command; reading goes on) and [`Notice`]s. Other lines are kept as
//! [`IgnoredLine`]s (R2). [`unquote_argument`] applies the same quoting rules to one argument.
//!
//! Rules and expressions are stored as text ([`RuleText`]); parsing them is the job of
//! [`syntax`](crate::syntax). The built-in global defaults of docs/semantics.md#session-parameters are [`builtin_defaults`].
//!
//! ```
//! use nsexpr::config::{BindPoint, Config};
//!
//! let text = r#"
//! add vpn sessionAction AC_OS -icaProxy ON -sso on
//! add vpn sessionPolicy PL_OS "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver" AC_OS
//! bind vpn vserver GW -policy PL_OS -prio 100
//! "#;
//! let loaded = Config::read(text, "ns.conf");
//! assert!(loaded.errors.is_empty());
//! let config = &loaded.config;
//! let policy = config.session_policy("PL_OS").unwrap();
//! assert_eq!(policy.rule.text, "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver");
//! assert_eq!((policy.rule.line, policy.rule.column), (3, 30));
//! // Word values take their canonical case, as `show` prints them.
//! assert_eq!(config.action_of(policy).unwrap().param("SSO"), Some("ON"));
//! let bind = &config.binds()[0];
//! assert_eq!((bind.point.clone(), bind.priority), (BindPoint::Vserver("GW".into()), Some(100)));
//! ```

// Layers, each importing only those before it: lexer, diag, vocab, params, model, reader.
mod diag;
mod lexer;
mod model;
mod params;
mod reader;
mod vocab;

pub use diag::{
    ConfigError, ConfigErrorKind, Excerpt, Notice, NoticeKind, ParameterIssue, Severity,
};
pub use lexer::{
    LexError, LexErrorKind, Token, TokenKind, UnquoteError, lex_line, unquote_argument,
};
pub use model::{
    AaaGroup, AaaUser, Bind, BindPoint, Config, Goto, IgnoreReason, IgnoredLine, Loaded,
    NamedExpression, OtherPolicy, PatternMember, PatternSet, R6_BUILTIN_ACTION,
    R6_BUILTIN_POLICIES, RuleText, SessionAction, SessionPolicy, VpnVserver, is_builtin_action,
    is_builtin_policy,
};
pub use params::{
    ParameterDomain, SESSION_PARAMETERS, builtin_defaults, canonical_parameter, canonical_value,
    check_parameter, parameter_domain,
};
pub use reader::FileError;
