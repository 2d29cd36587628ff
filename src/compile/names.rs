//! Named expressions (D12): the verified built-ins, the opt-in unverified ones, and user
//! definitions from `add policy expression`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::ast::Expr;
use crate::syntax::ParseOptions;

/// One definition: its name as written and its text. The text is parsed when a rule uses it,
/// with that rule's parse options, so a name groups `&&`/`||` the same way as the rule (D1).
#[derive(Debug, Clone)]
pub struct Definition {
    name: String,
    text: String,
}

impl Definition {
    fn new(name: &str, text: &str) -> Definition {
        Definition {
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The definition text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Parses the definition, rendering a parse error as text.
    pub fn parse(&self, options: &ParseOptions) -> Result<Expr, String> {
        crate::syntax::parse_with(&self.text, options)
            .map(|parsed| parsed.expr)
            .map_err(|e| e.to_string())
    }
}

/// Named expressions available to a rule: user definitions plus the built-ins (D12).
/// Names compare case-insensitively (D2); a later definition of a name replaces an earlier one
/// (the reader reports that as lint `redefined`).
#[derive(Debug, Clone, Default)]
pub struct NamedExpressions {
    user: HashMap<String, Definition>,
    /// Advanced definitions (D32), a namespace of their own: advanced rules see only these.
    advanced: HashMap<String, Definition>,
}

/// Built-ins whose classic definitions are verified (docs/semantics.md#builtins); `ns_true` and
/// `ns_false` are constants handled by the compiler.
const VERIFIED_BUILTINS: &[(&str, &str)] = &[
    ("ns_non_get", "METHOD != GET"),
    (
        "ns_cachecontrol_nostore",
        "HEADER Cache-Control CONTAINS 'no-store'",
    ),
    (
        "ns_cachecontrol_nocache",
        "HEADER Cache-Control CONTAINS 'no-cache'",
    ),
    ("ns_header_pragma", "HEADER Pragma CONTAINS 'no-cache'"),
    ("ns_header_cookie", "HEADER Cookie EXISTS"),
    ("ns_ext_cgi", "URL == '/*.cgi'"),
    ("ns_ext_asp", "URL == '/*.asp'"),
    ("ns_ext_exe", "URL == '/*.exe'"),
    ("ns_ext_cfm", "URL == '/*.cfm'"),
    ("ns_ext_ex", "URL == '/*.ex'"),
    ("ns_ext_shtml", "URL == '/*.shtml'"),
    ("ns_ext_htx", "URL == '/*.htx'"),
];

/// Built-ins documented without a published definition (docs/semantics.md#builtins), with their
/// probable definitions. Predefined only with the `unverified_builtins` option (D12).
pub const UNVERIFIED_BUILTINS: &[(&str, &str)] = &[
    ("ns_cmpclient", "HEADER Accept-Encoding CONTAINS gzip"),
    (
        "ns_content_type",
        "RES.HTTP.HEADER Content-Type CONTAINS text",
    ),
    ("ns_css", "RES.HTTP.HEADER Content-Type CONTAINS text/css"),
    (
        "ns_xmldata",
        "RES.HTTP.HEADER Content-Type CONTAINS text/xml",
    ),
    (
        "ns_msword",
        "RES.HTTP.HEADER Content-Type CONTAINS application/msword",
    ),
    (
        "ns_msexcel",
        "RES.HTTP.HEADER Content-Type CONTAINS application/vnd.ms-excel",
    ),
    (
        "ns_msppt",
        "RES.HTTP.HEADER Content-Type CONTAINS application/vnd.ms-powerpoint",
    ),
    ("ns_mozilla_47", "HEADER User-Agent CONTAINS Mozilla/4.7"),
    ("ns_msie", "HEADER User-Agent CONTAINS MSIE"),
    ("ns_ext_not_gif", "URL != '/*.gif'"),
    ("ns_ext_not_jpeg", "URL != '/*.jpeg'"),
    ("ns_url_path_cgibin", "URL == '/cgi-bin/*'"),
    ("ns_url_path_exec", "URL == '/exec/*'"),
    ("ns_url_path_bin", "URL == '/bin/*'"),
    ("ns_url_tokens", "URLTOKENS == '?,!,='"),
];

/// Built-ins that depend on appliance state and have no rule text at all.
const CONTEXT_ONLY_BUILTINS: &[&str] = &["ns_slowclient", "ns_farclient", "ns_audio", "ns_video"];

fn builtin_table(
    table: &'static [(&'static str, &'static str)],
) -> HashMap<&'static str, Definition> {
    table
        .iter()
        .map(|(name, text)| (*name, Definition::new(name, text)))
        .collect()
}

fn verified() -> &'static HashMap<&'static str, Definition> {
    static TABLE: OnceLock<HashMap<&'static str, Definition>> = OnceLock::new();
    TABLE.get_or_init(|| builtin_table(VERIFIED_BUILTINS))
}

fn unverified() -> &'static HashMap<&'static str, Definition> {
    static TABLE: OnceLock<HashMap<&'static str, Definition>> = OnceLock::new();
    TABLE.get_or_init(|| builtin_table(UNVERIFIED_BUILTINS))
}

impl NamedExpressions {
    /// No user definitions (the built-ins are always there).
    pub fn new() -> NamedExpressions {
        NamedExpressions::default()
    }

    /// Adds or replaces a user definition (`add policy expression <name> <text>`). Returns `true`
    /// when it replaced an earlier one. A definition that does not parse is kept and reported when
    /// a rule uses it.
    pub fn define(&mut self, name: &str, text: &str) -> bool {
        self.user
            .insert(name.to_ascii_lowercase(), Definition::new(name, text))
            .is_some()
    }

    /// The user definitions.
    pub fn user_definitions(&self) -> impl Iterator<Item = &Definition> {
        self.user.values()
    }

    /// Adds or replaces an advanced definition (`add policy expression <name> <advanced
    /// text>`); advanced rules may use only these (D32). Returns `true` when it replaced one.
    pub fn insert_advanced(&mut self, name: &str, text: &str) -> bool {
        self.advanced
            .insert(name.to_ascii_lowercase(), Definition::new(name, text))
            .is_some()
    }

    /// The advanced definitions.
    pub fn advanced_definitions(&self) -> impl Iterator<Item = &Definition> {
        self.advanced.values()
    }

    /// Looks a name up: verified built-ins, then user definitions, then (if enabled) the
    /// unverified built-ins.
    pub(crate) fn lookup(&self, name: &str, unverified_builtins: bool) -> Option<&Definition> {
        let lower = name.to_ascii_lowercase();
        verified()
            .get(lower.as_str())
            .or_else(|| self.user.get(&lower))
            .or_else(|| {
                unverified_builtins
                    .then(|| unverified().get(lower.as_str()))
                    .flatten()
            })
    }
}

/// Advice for an unknown name that is a documented built-in (D12).
pub(crate) fn unknown_name_hint(lower: &str) -> String {
    if UNVERIFIED_BUILTINS.iter().any(|(n, _)| *n == lower) {
        "; it is a NetScaler built-in whose classic definition is not published: enable \
         the unverified_builtins option to use its probable definition"
            .to_owned()
    } else if CONTEXT_ONLY_BUILTINS.contains(&lower) {
        "; it is a NetScaler built-in computed by the appliance, with no rule text to evaluate"
            .to_owned()
    } else {
        String::new()
    }
}
