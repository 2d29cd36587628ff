//! Session-action and `set vpn parameter` parameter names, and the built-in global defaults
//! (docs/semantics.md#session-parameters).

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
