//! Named client presets: the request header sets of docs/semantics.md#client-presets, plus a few more clients.
//!
//! Every preset is the Gateway logon request `POST /cgi/login` with `Host: gw.example.com`. That
//! request line and `Host` value are synthetic in every preset (the session-policy rules never test
//! them), so they do not count towards a preset's [`Provenance`]; the client-specific literals
//! (`User-Agent`, `X-Citrix-Gateway`, `Referer`, ...) do, and each preset's `note` names the ones that
//! are synthetic or assumed.

use crate::eval::{HeaderKey, ListValues, RequestView};

/// Where a preset's client-specific literals come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Provenance {
    /// Every client-specific header (name, value and its presence) is taken from a public source.
    Public,
    /// At least one header value, or the presence of a header, is synthetic or assumed; the preset's
    /// `note` says which.
    Synthetic,
}

/// A named request header set for one client, as it would arrive at the Gateway's logon page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientPreset {
    /// Short id the user picks the preset by (for example `ws-win`); matched case-insensitively.
    pub id: &'static str,
    /// Human-readable client name.
    pub client: &'static str,
    /// Request method (always `POST`).
    pub method: &'static str,
    /// Request target (always `/cgi/login`).
    pub target: &'static str,
    /// Request headers in the order the client sends them, as `(name, value)` pairs.
    pub headers: &'static [(&'static str, &'static str)],
    /// Whether every client-specific literal is public.
    pub status: Provenance,
    /// Sources and which literals are synthetic or assumed.
    pub note: &'static str,
}

impl ClientPreset {
    /// Value of the last header named `name` (compared ASCII-case-insensitively), as NetScaler reads
    /// a repeated header; `None` when the preset does not send it.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'static str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }
}

/// A preset is a request: its logon request line and headers, as `HTTP/1.1`.
///
/// ```
/// use nsexpr::Program;
/// use nsexpr::sim::preset;
///
/// let receiver = preset("ws-win").unwrap();
/// let program = Program::new("REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver").unwrap();
/// assert_eq!(program.eval(receiver), nsexpr::Verdict::True);
/// ```
impl RequestView for ClientPreset {
    type Values<'a> = ListValues<'a, &'static str, &'static str>;

    fn method(&self) -> &[u8] {
        self.method.as_bytes()
    }
    fn target(&self) -> &[u8] {
        self.target.as_bytes()
    }
    fn version(&self) -> &[u8] {
        b"HTTP/1.1"
    }
    fn header_values<'a>(&'a self, key: &'a HeaderKey) -> Self::Values<'a> {
        ListValues::new(key, self.headers)
    }
}

/// All presets, the documented fixtures (docs/semantics.md#client-presets) first, in that table's order.
#[must_use]
pub fn presets() -> &'static [ClientPreset] {
    PRESETS
}

/// The preset with this id, compared ASCII-case-insensitively.
#[must_use]
pub fn preset(id: &str) -> Option<&'static ClientPreset> {
    PRESETS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

const METHOD: &str = "POST";
const TARGET: &str = "/cgi/login";
const HOST: (&str, &str) = ("Host", "gw.example.com");
/// `X-Citrix-Gateway` with a Gateway FQDN: presence public for native clients, value synthetic.
const XCG: (&str, &str) = ("X-Citrix-Gateway", "gw.example.com");
/// Logon-page Referer of a browser: synthetic.
const REFERER: (&str, &str) = ("Referer", "https://gw.example.com/vpn/index.html");

const UA_WS_WIN: &str =
    "CitrixReceiver/26.3.0.95 Windows/10.0 SelfService/26.3.0.96 (Release) X1Class CWACapable";
const UA_WS_MAC: &str =
    "CitrixReceiver/23.05.0.36 MacOSX/13.4.0 com.citrix.receiver.nomas X1Class CWACapable";
const UA_WS_IOS: &str = "CitrixReceiver/21.5.1 iOS/14.5.1 CitrixReceiver-iPhone X1Class CWACapable 302RedirectionCapable CFNetwork Darwin";
const UA_VIEWER_MAC: &str = "Citrix%20Viewer/700020.06.0.7 CFNetwork/1120 Darwin/19.0.0 (x86_64)";
const UA_PNA_LEGACY: &str = "CitrixReceiver/4.4.0.8014 Windows/6.1";
const UA_SH_ANDROID: &str =
    "CitrixReceiver/com.zenprise build/22.11.0 Android/11 VpnCapable X1Class";
const UA_SH_IOS: &str = "CitrixReceiver/com.zenprise build/22.11.0 iOS/16.5 VpnCapable X1Class";
const UA_FIREFOX_26: &str =
    "Mozilla/5.0 (Windows NT 6.3; WOW64; rv:26.0) Gecko/20100101 Firefox/26.0";
const UA_BROWSER_ANDROID: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const UA_PLUGIN: &str = "nsexpr-synthetic-gateway-plugin/13.0 (Windows NT 10.0)";
const UA_VPN_ANDROID: &str =
    "CitrixReceiver/CitrixVPN 2.4.16 (105) Android/9 VpnCapable AuthV3Capable NAC/1.0";
const UA_SSO_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 14_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 CitrixSSO-1.3.7 VpnCapable NAC/1.0";
const UA_CHROME_APP: &str = "Mozilla/5.0 (X11; Windows aarch64 10718.88.2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/68.0.3440.118 Safari/537.36 CitrixChromeApp";
const UA_LOWERCASE: &str = "citrixreceiver/26.3.0.95 windows/10.0 selfservice/26.3.0.96 (release)";
const UA_WS_ANDROID: &str = "CitrixReceiver/23.9.0 Android/13 X1Class CWACapable";
const UA_WS_LINUX: &str = "CitrixReceiver/18.12.0.65534 (X11; Linux x86_64) Warthog/9.0.8024 (Release) X1Class CWACapable";
const UA_WS_WEBVIEW: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Citrix Workspace/23.05.0.36 MacOSX/13.4.0 com.citrix.receiver.nomas X1Class CWACapable";

/// Browser navigation `Accept` of the `browser` fixture (synthetic).
const ACCEPT_HTML: (&str, &str) = (
    "Accept",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
);

static PRESETS: &[ClientPreset] = &[
    ClientPreset {
        id: "ws-win",
        client: "Citrix Workspace app for Windows (native)",
        method: METHOD,
        target: TARGET,
        headers: &[
            HOST,
            ("User-Agent", UA_WS_WIN),
            XCG,
            ("X-Citrix-IsUsingHTTPS", "Yes"),
        ],
        status: Provenance::Synthetic,
        note: "UA public (StoreFront SSO proof-of-concept capture); X-Citrix-Gateway presence assumed, \
               value synthetic; X-Citrix-IsUsingHTTPS public (storefront-sdk)",
    },
    ClientPreset {
        id: "ws-mac",
        client: "Citrix Workspace app for Mac (native)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_WS_MAC), XCG],
        status: Provenance::Synthetic,
        note: "UA public (matomo device-detector oss.yml); X-Citrix-Gateway presence assumed, value synthetic",
    },
    ClientPreset {
        id: "ws-ios",
        client: "Citrix Workspace app for iOS (iPhone)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_WS_IOS), XCG],
        status: Provenance::Synthetic,
        note: "UA public (matomo device-detector smartphone-42.yml); X-Citrix-Gateway presence assumed, \
               value synthetic",
    },
    ClientPreset {
        id: "viewer-mac",
        client: "Citrix Viewer for Mac",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_VIEWER_MAC)],
        status: Provenance::Public,
        note: "UA public (matomo device-detector mobile_app.yml); no CitrixReceiver token",
    },
    ClientPreset {
        id: "pna-legacy",
        client: "legacy Citrix Receiver (PNAgent)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_PNA_LEGACY)],
        status: Provenance::Synthetic,
        note: "UA synthetic (UA grammar with an old Windows version); no X-Citrix-Gateway, as the wizard \
               rule expects",
    },
    ClientPreset {
        id: "sh-android-xcg",
        client: "Citrix Secure Hub for Android, sending X-Citrix-Gateway",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SH_ANDROID), XCG],
        status: Provenance::Synthetic,
        note: "UA public (dauthi XenMobile module); X-Citrix-Gateway presence assumed, value synthetic",
    },
    ClientPreset {
        id: "sh-android",
        client: "Citrix Secure Hub for Android",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SH_ANDROID)],
        status: Provenance::Public,
        note: "UA public (dauthi XenMobile module); no X-Citrix-Gateway",
    },
    ClientPreset {
        id: "browser",
        client: "desktop browser (Receiver for Web, Firefox 26)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_FIREFOX_26), ACCEPT_HTML, REFERER],
        status: Provenance::Synthetic,
        note: "UA public (storefront-sdk docs); Accept and Referer values synthetic",
    },
    ClientPreset {
        id: "browser-android",
        client: "Android browser (Chrome)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_BROWSER_ANDROID), REFERER],
        status: Provenance::Synthetic,
        note: "UA synthetic (ordinary Android Chrome form); Referer value synthetic",
    },
    ClientPreset {
        id: "plugin",
        client: "Citrix Gateway plug-in (Windows/Mac full VPN)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_PLUGIN)],
        status: Provenance::Synthetic,
        note: "UA synthetic and deliberately artificial (the real string is unknown; only the absence \
               of CitrixReceiver matters); no Referer, no X-Citrix-Gateway",
    },
    ClientPreset {
        id: "vpn-android",
        client: "Citrix VPN for Android",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_VPN_ANDROID)],
        status: Provenance::Public,
        note: "UA public (matomo device-detector mobile_app.yml); contains CitrixReceiver",
    },
    ClientPreset {
        id: "sso-ios",
        client: "Citrix SSO for iOS",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SSO_IOS)],
        status: Provenance::Public,
        note: "UA public (matomo device-detector mobile_app.yml); no CitrixReceiver token",
    },
    ClientPreset {
        id: "chrome-app",
        client: "Citrix Receiver for Chrome (CitrixChromeApp)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_CHROME_APP), REFERER],
        status: Provenance::Synthetic,
        note: "UA public (uap-core test_os.yaml, browscap); Referer presence assumed, value synthetic",
    },
    ClientPreset {
        id: "no-ua",
        client: "request without a User-Agent header",
        method: METHOD,
        target: TARGET,
        headers: &[HOST],
        status: Provenance::Public,
        note: "no client-specific header at all (only the shared request line and Host)",
    },
    ClientPreset {
        id: "lowercase",
        client: "lower-cased Workspace app for Windows UA (case-insensitive CONTAINS edge)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_LOWERCASE), XCG],
        status: Provenance::Synthetic,
        note: "UA synthetic (the public Windows string lower-cased); X-Citrix-Gateway value synthetic",
    },
    ClientPreset {
        id: "worx-ios",
        client: "Worx Home for iOS (older name of Secure Hub), sending X-Citrix-Gateway",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SH_IOS), XCG],
        status: Provenance::Synthetic,
        note: "UA synthetic (the public Secure Hub Android string with an iOS token); X-Citrix-Gateway \
               presence assumed, value synthetic; the UA has zenprise, not Worx",
    },
    ClientPreset {
        id: "worx-android",
        client: "Worx Home for Android (older name of Secure Hub), sending X-Citrix-Gateway",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SH_ANDROID), XCG],
        status: Provenance::Synthetic,
        note: "UA public (dauthi XenMobile module); X-Citrix-Gateway presence assumed, value synthetic; \
               the UA has zenprise, not Worx",
    },
    ClientPreset {
        id: "sh-ios",
        client: "Citrix Secure Hub for iOS",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_SH_IOS)],
        status: Provenance::Synthetic,
        note: "UA synthetic (the public Secure Hub Android string with an iOS token); no X-Citrix-Gateway",
    },
    ClientPreset {
        id: "ws-android",
        client: "Citrix Workspace app for Android",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_WS_ANDROID), XCG],
        status: Provenance::Synthetic,
        note: "UA synthetic (UA grammar; no public literal found); X-Citrix-Gateway presence assumed, \
               value synthetic",
    },
    ClientPreset {
        id: "ws-linux",
        client: "Citrix Receiver on Dell Wyse ThinOS 9 (Linux)",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_WS_LINUX)],
        status: Provenance::Public,
        note: "UA public (matomo device-detector oss.yml); X-Citrix-Gateway unknown, not sent",
    },
    ClientPreset {
        id: "ws-webview",
        client: "Citrix Workspace app for Mac, embedded web view",
        method: METHOD,
        target: TARGET,
        headers: &[HOST, ("User-Agent", UA_WS_WEBVIEW)],
        status: Provenance::Public,
        note: "UA public (matomo device-detector mobile_app.yml); no CitrixReceiver token \
               (com.citrix.receiver only); X-Citrix-Gateway and Referer unknown, not sent",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// preset ids with their CR / XCG / Ref columns (docs/semantics.md#client-presets).
    const FIXTURES: &[(&str, bool, bool, bool)] = &[
        ("ws-win", true, true, false),
        ("ws-mac", true, true, false),
        ("ws-ios", true, true, false),
        ("viewer-mac", false, false, false),
        ("pna-legacy", true, false, false),
        ("sh-android-xcg", true, true, false),
        ("sh-android", true, false, false),
        ("browser", false, false, true),
        ("browser-android", false, false, true),
        ("plugin", false, false, false),
        ("vpn-android", true, false, false),
        ("sso-ios", false, false, false),
        ("chrome-app", false, false, true),
        ("no-ua", false, false, false),
        ("lowercase", true, true, false),
    ];

    const EXTRA: &[&str] = &[
        "worx-ios",
        "worx-android",
        "sh-ios",
        "ws-android",
        "ws-linux",
        "ws-webview",
    ];

    fn cr(p: &ClientPreset) -> bool {
        p.header("User-Agent")
            .is_some_and(|ua| ua.to_ascii_lowercase().contains("citrixreceiver"))
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for p in presets() {
            assert!(
                seen.insert(p.id.to_ascii_lowercase()),
                "duplicate id {}",
                p.id
            );
        }
    }

    #[test]
    fn every_fixture_and_extra_is_present_and_nothing_else() {
        let expected: HashSet<&str> = FIXTURES
            .iter()
            .map(|f| f.0)
            .chain(EXTRA.iter().copied())
            .collect();
        let actual: HashSet<&str> = presets().iter().map(|p| p.id).collect();
        assert_eq!(expected, actual);
        for (i, f) in FIXTURES.iter().enumerate() {
            assert_eq!(presets()[i].id, f.0, "documented fixture order");
        }
    }

    #[test]
    fn fixture_properties_match_session_policies_table() {
        for &(id, want_cr, want_xcg, want_ref) in FIXTURES {
            let p = preset(id).unwrap_or_else(|| panic!("missing {id}"));
            assert_eq!(cr(p), want_cr, "{id}: CR");
            assert_eq!(
                p.header("X-Citrix-Gateway").is_some(),
                want_xcg,
                "{id}: XCG"
            );
            assert_eq!(p.header("Referer").is_some(), want_ref, "{id}: Ref");
        }
    }

    #[test]
    fn extra_presets_properties() {
        // (id, CR, XCG, Ref)
        let extra = [
            ("worx-ios", true, true, false),
            ("worx-android", true, true, false),
            ("sh-ios", true, false, false),
            ("ws-android", true, true, false),
            ("ws-linux", true, false, false),
            ("ws-webview", false, false, false),
        ];
        for (id, want_cr, want_xcg, want_ref) in extra {
            let p = preset(id).unwrap_or_else(|| panic!("missing {id}"));
            assert_eq!(cr(p), want_cr, "{id}: CR");
            assert_eq!(
                p.header("X-Citrix-Gateway").is_some(),
                want_xcg,
                "{id}: XCG"
            );
            assert_eq!(p.header("Referer").is_some(), want_ref, "{id}: Ref");
        }
        assert_eq!(
            preset("worx-android").and_then(|p| p.header("user-agent")),
            preset("sh-android").and_then(|p| p.header("user-agent"))
        );
    }

    #[test]
    fn every_preset_is_a_logon_post_to_the_gateway() {
        for p in presets() {
            assert_eq!((p.method, p.target), ("POST", "/cgi/login"), "{}", p.id);
            assert_eq!(p.headers.first(), Some(&HOST), "{}: Host first", p.id);
            assert!(!p.note.is_empty() && !p.client.is_empty(), "{}", p.id);
            let mut names = HashSet::new();
            for (n, v) in p.headers {
                assert!(
                    names.insert(n.to_ascii_lowercase()),
                    "{}: repeated {n}",
                    p.id
                );
                assert!(!v.is_empty(), "{}: empty {n}", p.id);
            }
        }
        assert!(preset("no-ua").is_some_and(|p| p.header("User-Agent").is_none()));
    }

    #[test]
    fn synthetic_header_values_make_a_preset_synthetic() {
        // X-Citrix-Gateway and Referer values are synthetic wherever they appear, and so are these UAs.
        let synthetic_uas = [
            UA_PNA_LEGACY,
            UA_SH_IOS,
            UA_WS_ANDROID,
            UA_PLUGIN,
            UA_BROWSER_ANDROID,
            UA_LOWERCASE,
        ];
        for p in presets() {
            let synthetic = p.header("X-Citrix-Gateway").is_some()
                || p.header("Referer").is_some()
                || p.header("Accept").is_some()
                || p.header("User-Agent")
                    .is_some_and(|ua| synthetic_uas.contains(&ua));
            let want = if synthetic {
                Provenance::Synthetic
            } else {
                Provenance::Public
            };
            assert_eq!(p.status, want, "{}", p.id);
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(preset("WS-Win").map(|p| p.id), Some("ws-win"));
        assert_eq!(
            preset("SH-ANDROID-XCG").map(|p| p.id),
            Some("sh-android-xcg")
        );
        assert!(preset("ws").is_none());
        assert!(preset("").is_none());
    }

    #[test]
    fn header_returns_last_instance() {
        let p = ClientPreset {
            id: "t",
            client: "t",
            method: METHOD,
            target: TARGET,
            headers: &[("User-Agent", "first"), ("user-agent", "last")],
            status: Provenance::Synthetic,
            note: "t",
        };
        assert_eq!(p.header("USER-AGENT"), Some("last"));
        assert_eq!(p.header("Referer"), None);
    }
}
