//! Header builders: each client style's headers in the order that client sends them.

use super::flows::{Cookies, Step, Style};
use super::profile::Class;
use super::rng::Rng;
use super::ua::push_u64;

const ACCEPT_LANGUAGES: &[&str] = &[
    "en-US,en;q=0.9",
    "en-GB,en;q=0.9",
    "de-DE,de;q=0.9,en;q=0.8",
    "fr-FR,fr;q=0.9,en;q=0.8",
    "nl-NL,nl;q=0.9,en;q=0.8",
    "ja-JP,ja;q=0.9",
];
/// Header list under construction.
pub(super) struct Headers(pub(super) Vec<(String, Vec<u8>)>);

impl Headers {
    pub(super) fn push(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.0.push((name.to_string(), value.into()));
    }
}

fn number(n: u64) -> String {
    let mut s = String::with_capacity(8);
    push_u64(n, &mut s);
    s
}

fn cookie_header(b: &mut Headers, cookies: Cookies, csrf: &str, rng: &mut Rng) {
    let mut c = String::with_capacity(160);
    match cookies {
        Cookies::None => return,
        Cookies::PreAuth => {
            if !rng.chance_ppm(500_000) {
                return;
            }
            c.push_str("NSC_TMAS=");
            rng.hex(32, &mut c);
        }
        Cookies::Session => {
            c.push_str("NSC_AAAC=");
            rng.hex(40, &mut c);
        }
        Cookies::StoreWeb => {
            c.push_str("NSC_AAAC=");
            rng.hex(40, &mut c);
            c.push_str("; CtxsPluginAssistantState=Done; CtxsAuthId=");
            rng.hex_upper(8, &mut c);
            c.push_str("; ASP.NET_SessionId=");
            const ALPHA: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz012345";
            let mut v = rng.next_u64();
            for _ in 0..12 {
                c.push(char::from(
                    ALPHA.get((v & 31) as usize).copied().unwrap_or(b'a'),
                ));
                v >>= 5;
            }
            let mut v = rng.next_u64();
            for _ in 0..12 {
                c.push(char::from(
                    ALPHA.get((v & 31) as usize).copied().unwrap_or(b'a'),
                ));
                v >>= 5;
            }
            c.push_str("; CsrfToken=");
            c.push_str(csrf);
        }
    }
    b.push("Cookie", c);
}

pub(super) fn browser_headers(
    b: &mut Headers,
    step: &Step,
    class: &Class,
    gw: &str,
    ua_text: String,
    csrf: &str,
    rng: &mut Rng,
) {
    b.push("Host", gw);
    b.push("Connection", "keep-alive");
    if step.body.is_some() {
        b.push("Content-Length", number(rng.below(360) + 40));
    }
    if step.style == Style::Navigate {
        b.push("Upgrade-Insecure-Requests", "1");
    }
    b.push("User-Agent", ua_text);
    b.push("Accept", step.accept);
    if step.style == Style::Ajax {
        b.push("X-Requested-With", "XMLHttpRequest");
        if step.cookies == Cookies::StoreWeb {
            b.push("Csrf-Token", csrf);
        }
        b.push("X-Citrix-IsUsingHTTPS", "Yes");
    }
    if let Some(ct) = step.body {
        b.push("Content-Type", ct);
        let mut origin = String::with_capacity(8 + gw.len());
        origin.push_str("https://");
        origin.push_str(gw);
        b.push("Origin", origin);
    }
    if let Some(path) = step.referer
        && rng.chance_ppm(class.referer_ppm)
    {
        let mut r = String::with_capacity(8 + gw.len() + path.len());
        r.push_str("https://");
        r.push_str(gw);
        r.push_str(path);
        b.push("Referer", r);
    }
    b.push("Accept-Encoding", "gzip, deflate, br");
    b.push(
        "Accept-Language",
        rng.pick(ACCEPT_LANGUAGES).copied().unwrap_or("en-US"),
    );
    cookie_header(b, step.cookies, csrf, rng);
}

pub(super) fn native_headers(
    b: &mut Headers,
    step: &Step,
    class: &Class,
    gw: &str,
    ua_text: String,
    csrf: &str,
    rng: &mut Rng,
) {
    b.push("Host", gw);
    b.push("Accept", step.accept);
    if step.name == "auth_start" {
        b.push(
            "X-Citrix-AM-CredentialTypes",
            "none, username, domain, password, newpassword, passcode, savecredentials, textcredential, webview",
        );
        b.push(
            "X-Citrix-AM-LabelTypes",
            "none, plain, heading, information, warning, error, confirmation, image",
        );
    }
    b.push("User-Agent", ua_text);
    if rng.chance_ppm(class.xcg_ppm) {
        b.push("X-Citrix-Gateway", gw);
    }
    if step.path.starts_with("/Citrix/") {
        b.push("X-Citrix-IsUsingHTTPS", "Yes");
    }
    if rng.chance_ppm(class.background_ppm) {
        b.push("X-Citrix-Background-Request", "True");
    }
    if let Some(ct) = step.body {
        b.push("Content-Type", ct);
        b.push("Content-Length", number(rng.below(360) + 40));
    }
    cookie_header(b, step.cookies, csrf, rng);
    b.push("Connection", "Keep-Alive");
}

/// Crawlers, monitors and scripts: the bare minimum.
pub(super) fn bot_headers(b: &mut Headers, step: &Step, gw: &str, ua_text: String, rng: &mut Rng) {
    b.push("Host", gw);
    b.push("User-Agent", ua_text);
    b.push("Accept", step.accept);
    if let Some(ct) = step.body {
        b.push("Content-Type", ct);
        b.push("Content-Length", number(rng.below(200) + 10));
    }
    if rng.chance_ppm(500_000) {
        b.push("Connection", "close");
    }
}
