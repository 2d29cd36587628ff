//! Session-action and `set vpn parameter` parameter names, and the built-in global defaults
//! (docs/semantics.md#session-parameters).

use super::diag::ParameterIssue;
use super::vocab::{Resolved, resolve};

/// Every session-action / `set vpn parameter` parameter the reader knows, spelled as in the CLI
/// reference (CMDREF 12.0 `add vpn sessionAction` and `set vpn parameter`, docs/semantics.md#session-parameters, the CPX 13.0
/// built-in line, and the `show` output names of docs/semantics.md#session-parameters). Written names are normalised to these
/// (R1: case-insensitive, unambiguous prefixes); other names are kept as written.
pub const SESSION_PARAMETERS: &[&str] = &[
    "userAccounting",
    "httpPort",
    "winsIP",
    "dnsVserverName",
    "splitDns",
    "sessTimeout",
    "clientSecurity",
    "clientSecurityGroup",
    "clientSecurityMessage",
    "clientSecurityLog",
    "splitTunnel",
    "localLanAccess",
    "rfc1918",
    "killConnections",
    "transparentInterception",
    "defaultAuthorizationAction",
    "authorizationGroup",
    "Smartgroup",
    "clientIdleTimeout",
    "proxy",
    "allProtocolProxy",
    "httpProxy",
    "autoProxyUrl",
    "ftpProxy",
    "socksProxy",
    "gopherProxy",
    "sslProxy",
    "proxyException",
    "proxyLocalBypass",
    "clientCleanupPrompt",
    "forceCleanup",
    "clientOptions",
    "clientConfiguration",
    "SSO",
    "ssoCredential",
    "windowsAutoLogon",
    "useMIP",
    "useIIP",
    "clientDebug",
    "loginScript",
    "logoutScript",
    "homePage",
    "icaProxy",
    "wihome",
    "wihomeAddressType",
    "citrixReceiverHome",
    "wiPortalMode",
    "ClientChoices",
    "iipDnsSuffix",
    "forcedTimeout",
    "forcedTimeoutWarning",
    "ntDomain",
    "clientlessVpnMode",
    "emailHome",
    "clientlessModeUrlEncoding",
    "clientlessPersistentCookie",
    "allowedLoginGroups",
    "encryptCsecExp",
    "appTokenTimeout",
    "mdxTokenTimeout",
    "UITHEME",
    "SecureBrowse",
    "storefronturl",
    "sfGatewayAuthType",
    "kcdAccount",
    "clientversions",
    "rdpClientProfileName",
    "WindowsPluginUpgrade",
    "MacPluginUpgrade",
    "LinuxPluginUpgrade",
    "iconWithReceiver",
    "alwaysONProfileName",
    "pcoipProfileName",
    "userDomains",
    "icaSessionTimeout",
    "AdvancedClientlessVpnMode",
    "backendServerSni",
    "backendCertValidation",
    "windowsClientType",
    "epaClientType",
];

/// The built-in global defaults: the CPX 13.0 built-in `set vpn parameter` line, in its order, which
/// carries every default of docs/semantics.md#session-parameters. Parameters that are unset by default are absent.
const BUILTIN_DEFAULTS: &[(&str, &str)] = &[
    ("splitDns", "BOTH"),
    ("sessTimeout", "30"),
    ("clientSecurityLog", "OFF"),
    ("splitTunnel", "OFF"),
    ("localLanAccess", "OFF"),
    ("rfc1918", "OFF"),
    ("killConnections", "OFF"),
    ("transparentInterception", "OFF"),
    ("defaultAuthorizationAction", "DENY"),
    ("proxyLocalBypass", "DISABLED"),
    ("clientCleanupPrompt", "ON"),
    ("forceCleanup", "none"),
    ("clientConfiguration", "all"),
    ("SSO", "OFF"),
    ("ssoCredential", "PRIMARY"),
    ("windowsAutoLogon", "OFF"),
    ("useMIP", "NS"),
    ("useIIP", "NOSPILLOVER"),
    ("icaProxy", "OFF"),
    ("ClientChoices", "OFF"),
    ("clientlessVpnMode", "OFF"),
    ("clientlessModeUrlEncoding", "OPAQUE"),
    ("clientlessPersistentCookie", "DENY"),
    ("encryptCsecExp", "ENABLED"),
    ("appTokenTimeout", "100"),
    ("mdxTokenTimeout", "10"),
    ("SecureBrowse", "ENABLED"),
    ("WindowsPluginUpgrade", "Always"),
    ("MacPluginUpgrade", "Always"),
    ("LinuxPluginUpgrade", "Always"),
    ("iconWithReceiver", "OFF"),
    ("AdvancedClientlessVpnMode", "DISABLED"),
    ("backendServerSni", "DISABLED"),
    ("backendCertValidation", "DISABLED"),
];

/// The built-in global session defaults that D17 falls back to after `set vpn parameter`
/// (docs/semantics.md#session-parameters: the CPX 13.0 built-in `set vpn parameter` line, which agrees
/// with docs/semantics.md#session-parameters). Names use the CLI-reference spelling; parameters unset by default are absent.
pub fn builtin_defaults() -> &'static [(&'static str, &'static str)] {
    BUILTIN_DEFAULTS
}

/// The CLI-reference spelling of a session parameter written as `name` (without the dash):
/// an exact case-insensitive match, else the only parameter `name` is a prefix of (R1).
/// `None` for an unknown or ambiguous name.
pub fn canonical_parameter(name: &str) -> Option<&'static str> {
    match resolve(name, SESSION_PARAMETERS) {
        Resolved::Found(canonical) => Some(canonical),
        Resolved::Unknown | Resolved::Ambiguous(_) => None,
    }
}

/// The values a session parameter accepts (CMDREF 12.0 `add vpn sessionAction`), for the
/// parameters whose domain is a closed word list or a number range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterDomain {
    /// One of these words, in their canonical spelling (compared case-insensitively).
    Words(&'static [&'static str]),
    /// A whole number in this inclusive range.
    Number {
        /// Smallest accepted value.
        min: u32,
        /// Largest accepted value.
        max: u32,
    },
}

const ON_OFF: &[&str] = &["ON", "OFF"];
const ENABLED_DISABLED: &[&str] = &["ENABLED", "DISABLED"];
const UPGRADE: &[&str] = &["Always", "Essential", "Never"];

/// Parameter → domain, by canonical name.
const DOMAINS: &[(&str, ParameterDomain)] = &[
    (
        "splitDns",
        ParameterDomain::Words(&["LOCAL", "REMOTE", "BOTH"]),
    ),
    (
        "sessTimeout",
        ParameterDomain::Number { min: 1, max: 65535 },
    ),
    ("clientSecurityLog", ParameterDomain::Words(ON_OFF)),
    (
        "splitTunnel",
        ParameterDomain::Words(&["ON", "OFF", "REVERSE"]),
    ),
    (
        "localLanAccess",
        ParameterDomain::Words(&["ON", "OFF", "FORCED"]),
    ),
    ("rfc1918", ParameterDomain::Words(ON_OFF)),
    ("killConnections", ParameterDomain::Words(ON_OFF)),
    ("transparentInterception", ParameterDomain::Words(ON_OFF)),
    (
        "defaultAuthorizationAction",
        ParameterDomain::Words(&["ALLOW", "DENY"]),
    ),
    (
        "clientIdleTimeout",
        ParameterDomain::Number { min: 1, max: 9999 },
    ),
    ("proxy", ParameterDomain::Words(&["BROWSER", "NS", "OFF"])),
    ("proxyLocalBypass", ParameterDomain::Words(ENABLED_DISABLED)),
    ("clientCleanupPrompt", ParameterDomain::Words(ON_OFF)),
    (
        "clientDebug",
        ParameterDomain::Words(&["debug", "stats", "events", "OFF"]),
    ),
    ("SSO", ParameterDomain::Words(ON_OFF)),
    (
        "ssoCredential",
        ParameterDomain::Words(&["PRIMARY", "SECONDARY"]),
    ),
    ("windowsAutoLogon", ParameterDomain::Words(ON_OFF)),
    ("useMIP", ParameterDomain::Words(&["NS", "OFF"])),
    (
        "useIIP",
        ParameterDomain::Words(&["SPILLOVER", "NOSPILLOVER", "OFF"]),
    ),
    ("icaProxy", ParameterDomain::Words(ON_OFF)),
    (
        "wihomeAddressType",
        ParameterDomain::Words(&["IPV4", "IPV6"]),
    ),
    (
        "wiPortalMode",
        ParameterDomain::Words(&["NORMAL", "COMPACT"]),
    ),
    ("ClientChoices", ParameterDomain::Words(ON_OFF)),
    (
        "forcedTimeout",
        ParameterDomain::Number { min: 1, max: 65535 },
    ),
    (
        "forcedTimeoutWarning",
        ParameterDomain::Number { min: 1, max: 255 },
    ),
    (
        "clientlessVpnMode",
        ParameterDomain::Words(&["ON", "OFF", "DISABLED"]),
    ),
    (
        "clientlessModeUrlEncoding",
        ParameterDomain::Words(&["TRANSPARENT", "OPAQUE", "ENCRYPT"]),
    ),
    (
        "clientlessPersistentCookie",
        ParameterDomain::Words(&["ALLOW", "DENY", "PROMPT"]),
    ),
    ("encryptCsecExp", ParameterDomain::Words(ENABLED_DISABLED)),
    (
        "appTokenTimeout",
        ParameterDomain::Number { min: 1, max: 255 },
    ),
    (
        "mdxTokenTimeout",
        ParameterDomain::Number { min: 1, max: 1440 },
    ),
    ("SecureBrowse", ParameterDomain::Words(ENABLED_DISABLED)),
    ("WindowsPluginUpgrade", ParameterDomain::Words(UPGRADE)),
    ("MacPluginUpgrade", ParameterDomain::Words(UPGRADE)),
    ("LinuxPluginUpgrade", ParameterDomain::Words(UPGRADE)),
    ("iconWithReceiver", ParameterDomain::Words(ON_OFF)),
    (
        "AdvancedClientlessVpnMode",
        ParameterDomain::Words(&["ENABLED", "DISABLED", "STRICT"]),
    ),
    ("backendServerSni", ParameterDomain::Words(ENABLED_DISABLED)),
    (
        "backendCertValidation",
        ParameterDomain::Words(ENABLED_DISABLED),
    ),
    (
        "windowsClientType",
        ParameterDomain::Words(&["AGENT", "PLUGIN"]),
    ),
    (
        "epaClientType",
        ParameterDomain::Words(&["AGENT", "PLUGIN"]),
    ),
];

/// The domain of a parameter given by its canonical name (see [`canonical_parameter`]), when it
/// is a closed word list or a number range.
pub fn parameter_domain(canonical: &str) -> Option<ParameterDomain> {
    DOMAINS
        .iter()
        .find(|(name, _)| *name == canonical)
        .map(|(_, domain)| *domain)
}

/// The canonical spelling of a word value of a parameter (`on` → `ON` for `icaProxy`): `None`
/// when the parameter has no word domain or the value is not one of its words.
pub fn canonical_value(canonical: &str, value: &str) -> Option<&'static str> {
    match parameter_domain(canonical)? {
        ParameterDomain::Words(words) => words
            .iter()
            .copied()
            .find(|w| w.eq_ignore_ascii_case(value)),
        ParameterDomain::Number { .. } => None,
    }
}

/// Checks a session parameter as written (`name` without the dash, and its first value when it
/// has one): an unknown or ambiguous name, a value outside the parameter's domain, or a word
/// value in another case than its canonical spelling. `None` when nothing is wrong. Shared by
/// the reader's notices and `nsexpr::lint`.
///
/// ```
/// use nsexpr::config::{ParameterIssue, check_parameter};
///
/// let typo = check_parameter("splitTunel", Some("ON"));
/// assert_eq!(typo.and_then(|i| i.hint()).as_deref(), Some("did you mean `-splitTunnel`?"));
/// assert!(matches!(
///     check_parameter("sessTimeout", Some("abc")),
///     Some(ParameterIssue::NotInRange { min: 1, max: 65535, .. })
/// ));
/// assert!(matches!(
///     check_parameter("clientlessVpnMode", Some("maybe")),
///     Some(ParameterIssue::NotOneOf { .. })
/// ));
/// assert_eq!(check_parameter("icaProxy", Some("ON")), None);
/// ```
pub fn check_parameter(name: &str, value: Option<&str>) -> Option<ParameterIssue> {
    let Some(parameter) = canonical_parameter(name) else {
        return Some(ParameterIssue::Unknown {
            name: name.to_owned(),
            nearest: crate::syntax::nearest(name, SESSION_PARAMETERS.iter().copied()),
        });
    };
    let value = value?;
    match parameter_domain(parameter)? {
        ParameterDomain::Words(words) => {
            if words.contains(&value) {
                return None;
            }
            Some(match words.iter().find(|w| w.eq_ignore_ascii_case(value)) {
                Some(canonical) => ParameterIssue::Case {
                    parameter,
                    value: value.to_owned(),
                    canonical,
                },
                None => ParameterIssue::NotOneOf {
                    parameter,
                    value: value.to_owned(),
                    words,
                    nearest: crate::syntax::nearest(value, words.iter().copied()),
                },
            })
        }
        ParameterDomain::Number { min, max } => {
            let ok = value.parse::<u32>().is_ok_and(|n| (min..=max).contains(&n));
            (!ok).then(|| ParameterIssue::NotInRange {
                parameter,
                value: value.to_owned(),
                min,
                max,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_known_names_once() {
        for (i, (name, _)) in BUILTIN_DEFAULTS.iter().enumerate() {
            assert!(SESSION_PARAMETERS.contains(name), "{name}");
            assert!(
                BUILTIN_DEFAULTS
                    .iter()
                    .skip(i + 1)
                    .all(|(other, _)| other != name),
                "{name}"
            );
        }
        assert_eq!(builtin_defaults().len(), 34);
    }

    #[test]
    fn parameter_names_are_unique_ignoring_case() {
        for (i, name) in SESSION_PARAMETERS.iter().enumerate() {
            assert!(
                SESSION_PARAMETERS
                    .iter()
                    .skip(i + 1)
                    .all(|other| !other.eq_ignore_ascii_case(name)),
                "{name}"
            );
        }
    }

    #[test]
    fn domains_use_known_names() {
        for (name, _) in DOMAINS {
            assert!(SESSION_PARAMETERS.contains(name), "{name}");
        }
        for (name, value) in BUILTIN_DEFAULTS {
            if let Some(ParameterDomain::Words(_)) = parameter_domain(name) {
                assert_eq!(canonical_value(name, value), Some(*value), "{name}");
            }
        }
        assert_eq!(canonical_value("icaProxy", "on"), Some("ON"));
        assert_eq!(canonical_value("icaProxy", "maybe"), None);
        assert_eq!(canonical_value("homePage", "x"), None);
    }

    #[test]
    fn canonical_names() {
        assert_eq!(canonical_parameter("sso"), Some("SSO"));
        assert_eq!(canonical_parameter("ICAPROXY"), Some("icaProxy"));
        assert_eq!(canonical_parameter("proxy"), Some("proxy"));
        assert_eq!(canonical_parameter("storeF"), Some("storefronturl"));
        assert_eq!(canonical_parameter("wihome"), Some("wihome"));
        assert_eq!(canonical_parameter("client"), None);
        assert_eq!(canonical_parameter("noSuchThing"), None);
        assert_eq!(canonical_parameter(""), None);
    }
}
