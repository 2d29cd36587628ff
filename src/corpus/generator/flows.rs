//! Client flows (docs/semantics.md#generator): each flow is a fixed table of steps with integer
//! weights; a step fixes the method, path, `Accept`, Referer presence, cookie state and header style.
//!
//! Paths are those of docs/semantics.md#client-presets (Gateway, StoreFront Web API, PNAgent, XenMobile, scanner
//! probes); the native store and auth-manager paths, the MDX and VPN-plug-in paths, cookie values and
//! the Accept of steps not listed in docs/semantics.md#client-presets are **synthetic (assumed)**.

use super::rng::Rng;

/// The request families a class can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Browser,
    Native,
    Pna,
    SecureHub,
    Mdx,
    Vpn,
    Bot,
}

impl Flow {
    pub(crate) fn from_name(name: &str) -> Option<Flow> {
        Some(match name {
            "browser" => Flow::Browser,
            "native" => Flow::Native,
            "pna" => Flow::Pna,
            "securehub" => Flow::SecureHub,
            "mdx" => Flow::Mdx,
            "vpn" => Flow::Vpn,
            "bot" => Flow::Bot,
            _ => return None,
        })
    }

    pub(crate) fn steps(self) -> &'static [Step] {
        match self {
            Flow::Browser => BROWSER,
            Flow::Native => NATIVE,
            Flow::Pna => PNA,
            Flow::SecureHub => SECUREHUB,
            Flow::Mdx => MDX,
            Flow::Vpn => VPN,
            Flow::Bot => BOT,
        }
    }

    /// Picks a step by cumulative search over the fixed table.
    pub(crate) fn pick(self, rng: &mut Rng) -> &'static Step {
        let steps = self.steps();
        let total: u64 = steps.iter().map(|s| s.weight).sum();
        let mut r = rng.below(total.max(1));
        for s in steps {
            if r < s.weight {
                return s;
            }
            r -= s.weight;
        }
        steps.last().unwrap_or(&BOT_ROOT)
    }
}

/// Which cookies the client holds at this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cookies {
    /// None (first contact).
    None,
    /// nFactor pre-authentication: `NSC_TMAS`.
    PreAuth,
    /// Logged on at the Gateway: `NSC_AAAC`.
    Session,
    /// Logged on, talking to StoreWeb through the Gateway: `NSC_AAAC` plus StoreFront cookies.
    StoreWeb,
}

/// How the request looks on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Browser page navigation.
    Navigate,
    /// Browser form POST.
    Form,
    /// Receiver for Web AJAX call: `X-Requested-With`, `Csrf-Token`, `X-Citrix-IsUsingHTTPS`.
    Ajax,
    /// Native client call.
    Native,
    /// Native form POST (`/cgi/login`).
    NativeForm,
    /// Minimal scripted request.
    Bot,
}

/// One flow step.
#[derive(Debug)]
pub(crate) struct Step {
    pub(crate) name: &'static str,
    pub(crate) weight: u64,
    pub(crate) method: &'static str,
    /// Path template: `{appid}`, `{csrf}`, `{ms}`, `{h32}`, `{user}`, `{page}` are filled per request.
    pub(crate) path: &'static str,
    pub(crate) accept: &'static str,
    /// Referer path on the gateway host, for steps where a browser sends one.
    pub(crate) referer: Option<&'static str>,
    pub(crate) cookies: Cookies,
    pub(crate) style: Style,
    /// Request body content type (the body itself is not recorded; `Content-Length` is).
    pub(crate) body: Option<&'static str>,
}

pub(crate) const ACCEPT_NAV: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const ACCEPT_SF_XML: &str = "application/xml, text/xml, */*; q=0.01";
const ACCEPT_SF_JSON: &str = "application/json, text/javascript, */*; q=0.01";
const ACCEPT_RESOURCES: &str = "application/vnd.citrix.resources+xml";
#[rustfmt::skip]
const ACCEPT_AUTH: &str = "application/vnd.citrix.requesttokenresponse+xml,application/vnd.citrix.authenticateresponse-1+xml,text/xml";
const ACCEPT_ANY: &str = "*/*";
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[allow(clippy::too_many_arguments)] // one row of a step table
const fn step(
    name: &'static str,
    weight: u64,
    method: &'static str,
    path: &'static str,
    accept: &'static str,
    referer: Option<&'static str>,
    cookies: Cookies,
    style: Style,
    body: Option<&'static str>,
) -> Step {
    Step {
        name,
        weight,
        method,
        path,
        accept,
        referer,
        cookies,
        style,
        body,
    }
}

use Cookies as C;
use Style as S;

const VPN_INDEX: Option<&str> = Some("/vpn/index.html");
const LOGON_POINT: Option<&str> = Some("/logon/LogonPoint/index.html");
const STOREWEB: Option<&str> = Some("/Citrix/StoreWeb/");

#[rustfmt::skip]
static BROWSER: &[Step] = &[
    step("landing", 150, "GET", "/vpn/index.html", ACCEPT_NAV, None, C::None, S::Navigate, None),
    step("landing_nfactor", 60, "GET", "/logon/LogonPoint/index.html", ACCEPT_NAV, None, C::None, S::Navigate, None),
    step("login_schema", 40, "POST", "/nf/auth/getAuthenticationRequirements.do", ACCEPT_SF_XML, LOGON_POINT, C::PreAuth, S::Ajax, None),
    step("login_post", 120, "POST", "/cgi/login", ACCEPT_NAV, VPN_INDEX, C::PreAuth, S::Form, FORM),
    step("setclient", 80, "GET", "/cgi/setclient?wica", ACCEPT_NAV, VPN_INDEX, C::Session, S::Navigate, None),
    step("storeweb_home", 80, "GET", "/Citrix/StoreWeb/", ACCEPT_NAV, VPN_INDEX, C::Session, S::Navigate, None),
    step("storeweb_config", 80, "POST", "/Citrix/StoreWeb/Home/Configuration", ACCEPT_SF_XML, STOREWEB, C::StoreWeb, S::Ajax, None),
    step("get_auth_methods", 60, "POST", "/Citrix/StoreWeb/Authentication/GetAuthMethods", ACCEPT_SF_XML, STOREWEB, C::StoreWeb, S::Ajax, None),
    step("resources_list", 120, "POST", "/Citrix/StoreWeb/Resources/List", ACCEPT_SF_JSON, STOREWEB, C::StoreWeb, S::Ajax, FORM),
    step("launch_status", 40, "POST", "/Citrix/StoreWeb/Resources/GetLaunchStatus/{appid}", ACCEPT_SF_JSON, STOREWEB, C::StoreWeb, S::Ajax, None),
    step("launch", 80, "GET", "/Citrix/StoreWeb/Resources/LaunchIca/{appid}.ica?CsrfToken={csrf}&IsUsingHttps=Yes&launchId={ms}", ACCEPT_NAV, STOREWEB, C::StoreWeb, S::Navigate, None),
    step("logoff", 20, "POST", "/Citrix/StoreWeb/Authentication/Logoff", ACCEPT_SF_XML, STOREWEB, C::StoreWeb, S::Ajax, None),
];

#[rustfmt::skip]
static NATIVE: &[Step] = &[
    step("discovery", 60, "GET", "/Citrix/Roaming/Accounts", "application/xml", None, C::None, S::Native, None),
    step("auth_start", 60, "POST", "/Citrix/Authentication/ExplicitForms/Start", ACCEPT_AUTH, None, C::None, S::Native, Some("application/xml")),
    step("login_post", 120, "POST", "/cgi/login", ACCEPT_ANY, None, C::PreAuth, S::NativeForm, FORM),
    step("store_enum", 200, "GET", "/Citrix/Store/resources/v2", ACCEPT_RESOURCES, None, C::Session, S::Native, None),
    step("token_refresh", 60, "POST", "/Citrix/Authentication/auth/v1/token", ACCEPT_AUTH, None, C::Session, S::Native, Some("application/xml")),
    step("launch", 80, "POST", "/Citrix/Store/resources/v2/{appid}/launch/ica", "application/octet-stream", None, C::Session, S::Native, FORM),
];

#[rustfmt::skip]
static PNA: &[Step] = &[
    step("pna_config", 100, "GET", "/Citrix/PNAgent/config.xml", ACCEPT_ANY, None, C::None, S::Native, None),
    step("login_post", 100, "POST", "/cgi/login", ACCEPT_ANY, None, C::PreAuth, S::NativeForm, FORM),
    step("pna_enum", 150, "POST", "/Citrix/PNAgent/enum.aspx", ACCEPT_ANY, None, C::Session, S::Native, Some("text/xml")),
    step("pna_launch", 50, "POST", "/Citrix/PNAgent/launch.aspx", ACCEPT_ANY, None, C::Session, S::Native, Some("text/xml")),
];

#[rustfmt::skip]
static SECUREHUB: &[Step] = &[
    step("getserverinfo", 100, "GET", "/zdm/cxf/public/getserverinfo", ACCEPT_ANY, None, C::None, S::Native, None),
    step("checklogin", 100, "POST", "/zdm/cxf/checklogin", ACCEPT_ANY, None, C::None, S::NativeForm, FORM),
    step("login_post", 80, "POST", "/cgi/login", ACCEPT_ANY, None, C::PreAuth, S::NativeForm, FORM),
    step("store_enum", 60, "GET", "/Citrix/Store/resources/v2", ACCEPT_RESOURCES, None, C::Session, S::Native, None),
];

#[rustfmt::skip]
static MDX: &[Step] = &[
    step("login_post", 60, "POST", "/cgi/login", ACCEPT_ANY, None, C::PreAuth, S::NativeForm, FORM),
    step("intranet_get", 200, "GET", "/cvpn/https/intranet.example.com/{page}", ACCEPT_NAV, None, C::Session, S::Native, None),
    step("activesync", 100, "POST", "/Microsoft-Server-ActiveSync?Cmd=Sync&User={user}&DeviceId={h32}&DeviceType=iPhone", ACCEPT_ANY, None, C::Session, S::Native, Some("application/vnd.ms-sync.wbxml")),
];

#[rustfmt::skip]
static VPN: &[Step] = &[
    step("login_post", 120, "POST", "/cgi/login", ACCEPT_ANY, None, C::PreAuth, S::NativeForm, FORM),
    step("pluginlist", 60, "GET", "/vpn/pluginlist.xml", ACCEPT_ANY, None, C::Session, S::Native, None),
    step("services", 60, "GET", "/vpns/services.html", ACCEPT_ANY, None, C::Session, S::Native, None),
];

#[rustfmt::skip]
const BOT_ROOT: Step = step("root", 200, "GET", "/", ACCEPT_ANY, None, C::None, S::Bot, None);

#[rustfmt::skip]
static BOT: &[Step] = &[
    BOT_ROOT,
    step("robots", 100, "GET", "/robots.txt", ACCEPT_ANY, None, C::None, S::Bot, None),
    step("monitor", 200, "GET", "/vpn/index.html", ACCEPT_ANY, None, C::None, S::Bot, None),
    step("monitor_head", 60, "HEAD", "/", ACCEPT_ANY, None, C::None, S::Bot, None),
    step("probe_traversal", 60, "GET", "/vpn/../vpns/cfg/smb.conf", ACCEPT_ANY, None, C::None, S::Bot, None),
    step("probe_newbm", 30, "POST", "/vpn/../vpns/portal/scripts/newbm.pl", ACCEPT_ANY, None, C::None, S::Bot, FORM),
    step("probe_oidc", 40, "GET", "/oauth/idp/.well-known/openid-configuration", ACCEPT_ANY, None, C::None, S::Bot, None),
    step("probe_version", 30, "GET", "/logon/LogonPoint/tmindex.html", ACCEPT_ANY, None, C::None, S::Bot, None),
];
