//! User-Agent sources: the embedded Citrix UA table, vendored public pools, and the UA grammar of
//! docs/semantics.md#generator with version lists (newest first, Zipf-like weights).
//!
//! Every version list below is **synthetic (assumed)**: plausible `YY.MM.x.build` values in the shape of
//! the public strings, not a record of real releases.

use super::rng::Rng;

/// `corpus/ua/citrix-user-agents.tsv` (docs/semantics.md#client-presets).
const CITRIX_TSV: &str = include_str!("../../../corpus/ua/citrix-user-agents.tsv");
/// npm `top-user-agents` 2.1.138 `desktop.json` (MIT).
const TOP_DESKTOP: &str = include_str!("../../../corpus/ua/top-user-agents-desktop.txt");
/// npm `top-user-agents` 2.1.138 `mobile.json` (MIT).
const TOP_MOBILE: &str = include_str!("../../../corpus/ua/top-user-agents-mobile.txt");
/// A subset of npm `crawler-user-agents` 1.60.0 instances (MIT).
const CRAWLERS: &str = include_str!("../../../corpus/ua/crawler-user-agents.txt");
/// Command-line tools and scanners (generic product tokens, synthetic versions).
const TOOLS: &[&str] = &[
    "curl/8.5.0",
    "curl/7.88.1",
    "curl/7.61.1",
    "python-requests/2.31.0",
    "python-requests/2.28.1",
    "Go-http-client/1.1",
    "Go-http-client/2.0",
    "Wget/1.21.4",
    "Mozilla/5.0 zgrab/0.x",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
];

/// Where a class takes its User-Agent from.
#[derive(Debug, Clone)]
pub(crate) enum UaSource {
    /// A fixed list of strings from embedded data, picked uniformly.
    Static(Vec<&'static str>),
    /// One literal from the profile.
    Literal(String),
    /// A grammar with versions.
    Grammar(Grammar),
}

/// The grammars of 2.4 the generator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    WorkspaceWindows,
    WorkspaceWinOs,
    WorkspaceMac,
    WorkspaceIos,
    IosCfNetwork,
    WorkspaceAndroid,
    WorkspaceLinux,
    LegacyReceiver,
    SecureHubAndroid,
    SecureHubIos,
    WorxWeb,
    WorxMail,
}

const GRAMMARS: &[(&str, Grammar)] = &[
    ("workspace_windows", Grammar::WorkspaceWindows),
    ("workspace_winos", Grammar::WorkspaceWinOs),
    ("workspace_mac", Grammar::WorkspaceMac),
    ("workspace_ios", Grammar::WorkspaceIos),
    ("ios_cfnetwork", Grammar::IosCfNetwork),
    ("workspace_android", Grammar::WorkspaceAndroid),
    ("workspace_linux", Grammar::WorkspaceLinux),
    ("legacy_receiver", Grammar::LegacyReceiver),
    ("securehub_android", Grammar::SecureHubAndroid),
    ("securehub_ios", Grammar::SecureHubIos),
    ("worxweb", Grammar::WorxWeb),
    ("worxmail", Grammar::WorxMail),
];

/// Resolves a profile source name: `tsv:<client>`, `pool:<name>`, `grammar:<name>`, `literal:<UA>`.
pub(crate) fn resolve(source: &str) -> Result<UaSource, String> {
    let (kind, arg) = source
        .split_once(':')
        .ok_or_else(|| format!("UA source {source:?} is not kind:name"))?;
    match kind {
        "tsv" => {
            let rows: Vec<&'static str> = CITRIX_TSV
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let mut cols = line.split('\t');
                    let client = cols.next()?;
                    let _platform = cols.next()?;
                    let ua = cols.next()?;
                    (client == arg).then_some(ua)
                })
                .collect();
            if rows.is_empty() {
                return Err(format!(
                    "no row for client {arg:?} in citrix-user-agents.tsv"
                ));
            }
            Ok(UaSource::Static(rows))
        }
        "pool" => {
            let rows: Vec<&'static str> = match arg {
                "top-user-agents-desktop" => non_empty_lines(TOP_DESKTOP),
                "top-user-agents-mobile" => non_empty_lines(TOP_MOBILE),
                "crawler-user-agents" => non_empty_lines(CRAWLERS),
                "tools" => TOOLS.to_vec(),
                _ => return Err(format!("unknown UA pool {arg:?}")),
            };
            Ok(UaSource::Static(rows))
        }
        "grammar" => GRAMMARS
            .iter()
            .find(|(name, _)| *name == arg)
            .map(|(_, g)| UaSource::Grammar(*g))
            .ok_or_else(|| format!("unknown UA grammar {arg:?}")),
        "literal" => Ok(UaSource::Literal(arg.to_string())),
        _ => Err(format!("unknown UA source kind {kind:?}")),
    }
}

fn non_empty_lines(text: &'static str) -> Vec<&'static str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// Appends a UA from `source` to `out`.
pub(crate) fn generate(source: &UaSource, rng: &mut Rng, out: &mut String) {
    match source {
        UaSource::Static(rows) => out.push_str(rng.pick(rows).copied().unwrap_or_default()),
        UaSource::Literal(s) => out.push_str(s),
        UaSource::Grammar(g) => grammar(*g, rng, out),
    }
}

/// Zipf-like pick: index k has weight 1/(k+1); newest (first) most common, long tail.
fn zipf<'a>(rng: &mut Rng, items: &'a [&'a str]) -> &'a str {
    // Harmonic weights scaled to integers: 720720 is divisible by 1..=16.
    let total: u64 = (1..=items.len() as u64).map(|k| 720_720 / k).sum();
    let mut r = rng.below(total.max(1));
    for (k, item) in items.iter().enumerate() {
        let w = 720_720 / (k as u64 + 1);
        if r < w {
            return item;
        }
        r -= w;
    }
    items.last().copied().unwrap_or_default()
}

const WIN_VERSIONS: &[&str] = &[
    "26.3.0.95",
    "25.12.0.41",
    "25.8.1.208",
    "25.3.1.196",
    "24.9.10.28",
    "24.5.0.131",
    "24.2.3000.8",
    "23.11.0.132",
    "23.9.0.99",
    "23.3.0.38",
    "22.12.0.48",
    "22.3.0.38",
    "21.12.0.18",
    "20.12.0.39",
    "19.12.0.119",
    "19.3.0.65534",
];
const WINOS_BUILDS: &[&str] = &["10.0.26100", "10.0.22631", "10.0.19045", "10.0.18362"];
const MAC_VERSIONS: &[&str] = &[
    "25.09.0.32",
    "24.11.0.29",
    "24.05.0.89",
    "23.09.0.24",
    "23.05.0.36",
    "22.10.0.20",
];
const MAC_OS: &[&str] = &["15.3.0", "14.6.1", "13.4.0", "12.7.6", "11.7.10"];
const IOS_VERSIONS: &[&str] = &["25.3.0", "24.9.0", "23.12.1", "23.3.0", "22.9.0", "21.5.1"];
const IOS_OS: &[&str] = &["18.3.1", "17.6.1", "16.7.10", "15.8.3", "14.5.1"];
const CFNETWORK: &[&str] = &[
    "1568.100.1 Darwin/24.0.0",
    "1496.0.7 Darwin/23.5.0",
    "1410.0.3 Darwin/22.6.0",
    "1335.0.3 Darwin/21.6.0",
];
const ANDROID_VERSIONS: &[&str] = &["25.4.0", "24.12.0", "24.5.0", "23.9.0", "23.2.0"];
const ANDROID_OS: &[&str] = &["14", "13", "12", "11", "10"];
const LINUX_VERSIONS: &[&str] = &[
    "25.08.0.34",
    "24.11.0.85",
    "24.02.0.63",
    "23.11.0.82",
    "22.12.0.12",
    "18.12.0.65534",
];
const LEGACY_VERSIONS: &[&str] = &[
    "4.12.0.18020",
    "4.9.9002.6",
    "4.7.0.8",
    "4.4.0.8014",
    "4.1.200.13",
    "3.4.0.29577",
];
const LEGACY_OS: &[&str] = &["Windows/6.1", "Windows/10.0", "Windows/6.3", "Windows/6.2"];
const SECUREHUB_VERSIONS: &[&str] = &["25.3.0", "24.10.0", "24.1.0", "23.6.0", "22.11.0"];
const WORXWEB_VERSIONS: &[&str] = &["19.1.5", "18.11.5", "18.9.0"];
const WORXMAIL_VERSIONS: &[&str] = &["10.8.60", "10.7.5", "10.6.20"];

fn grammar(g: Grammar, rng: &mut Rng, out: &mut String) {
    match g {
        Grammar::WorkspaceWindows => {
            let v = zipf(rng, WIN_VERSIONS);
            out.push_str("CitrixReceiver/");
            out.push_str(v);
            out.push_str(" Windows/10.0 SelfService/");
            // SelfService carries the same version with the next build number, as in the public UA.
            push_next_build(v, out);
            out.push_str(" (Release)");
            if rng.chance_ppm(800_000) {
                out.push_str(" X1Class CWACapable");
            }
        }
        Grammar::WorkspaceWinOs => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, WIN_VERSIONS));
            out.push_str(" WinOS/");
            out.push_str(zipf(rng, WINOS_BUILDS));
        }
        Grammar::WorkspaceMac => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, MAC_VERSIONS));
            out.push_str(" MacOSX/");
            out.push_str(zipf(rng, MAC_OS));
            out.push_str(" com.citrix.receiver.nomas X1Class CWACapable");
        }
        Grammar::WorkspaceIos => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, IOS_VERSIONS));
            out.push_str(" iOS/");
            out.push_str(zipf(rng, IOS_OS));
            out.push_str(if rng.chance_ppm(700_000) {
                " CitrixReceiver-iPhone"
            } else {
                " CitrixReceiver-iPad"
            });
            out.push_str(" X1Class CWACapable 302RedirectionCapable CFNetwork Darwin");
        }
        Grammar::IosCfNetwork => {
            out.push_str("Citrix%20Workspace/");
            push_compact(zipf(rng, IOS_VERSIONS), out);
            out.push_str(" CFNetwork/");
            out.push_str(zipf(rng, CFNETWORK));
        }
        Grammar::WorkspaceAndroid => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, ANDROID_VERSIONS));
            out.push_str(" Android/");
            out.push_str(zipf(rng, ANDROID_OS));
            out.push_str(" X1Class CWACapable");
        }
        Grammar::WorkspaceLinux => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, LINUX_VERSIONS));
            out.push_str(" (X11; Linux x86_64) X1Class CWACapable");
        }
        Grammar::LegacyReceiver => {
            out.push_str("CitrixReceiver/");
            out.push_str(zipf(rng, LEGACY_VERSIONS));
            out.push(' ');
            out.push_str(zipf(rng, LEGACY_OS));
        }
        Grammar::SecureHubAndroid => {
            out.push_str("CitrixReceiver/com.zenprise build/");
            out.push_str(zipf(rng, SECUREHUB_VERSIONS));
            out.push_str(" Android/");
            out.push_str(zipf(rng, ANDROID_OS));
            out.push_str(" VpnCapable X1Class");
        }
        Grammar::SecureHubIos => {
            out.push_str("CitrixReceiver/com.zenprise build/");
            out.push_str(zipf(rng, SECUREHUB_VERSIONS));
            out.push_str(" iOS/");
            out.push_str(zipf(rng, IOS_OS));
            out.push_str(" VpnCapable X1Class");
        }
        Grammar::WorxWeb => {
            let v = zipf(rng, WORXWEB_VERSIONS);
            out.push_str(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) WorxWeb/",
            );
            out.push_str(v);
            out.push_str("(build ");
            out.push_str(v);
            out.push('.');
            push_u64(rng.below(40) + 1, out);
            out.push_str(") Mobile/16B92 Safari/605.1<tabid-");
            push_guid(rng, out);
            out.push('>');
        }
        Grammar::WorxMail => {
            out.push_str("WorxMail/");
            out.push_str(zipf(rng, WORXMAIL_VERSIONS));
        }
    }
}

/// `26.3.0.95` → `26.3.0.96`; a version whose last part is not a number is copied unchanged.
fn push_next_build(v: &str, out: &mut String) {
    match v.rsplit_once('.') {
        Some((head, last)) => match last.parse::<u64>() {
            Ok(n) => {
                out.push_str(head);
                out.push('.');
                push_u64(n.saturating_add(1), out);
            }
            Err(_) => out.push_str(v),
        },
        None => out.push_str(v),
    }
}

/// `24.9.0` → `2490` (the CFNetwork bundle-version shape; synthetic).
fn push_compact(v: &str, out: &mut String) {
    out.extend(v.chars().filter(char::is_ascii_digit));
}

/// Appends a decimal number.
pub(crate) fn push_u64(n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends an upper-case GUID `8-4-4-4-12`.
pub(crate) fn push_guid(rng: &mut Rng, out: &mut String) {
    for (k, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if k > 0 {
            out.push('-');
        }
        rng.hex_upper(n, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_resolve() {
        assert!(
            matches!(resolve("tsv:workspace_windows"), Ok(UaSource::Static(v)) if v.len() == 3)
        );
        assert!(
            matches!(resolve("pool:top-user-agents-desktop"), Ok(UaSource::Static(v)) if v.len() == 82)
        );
        assert!(resolve("tsv:nope").is_err());
        assert!(resolve("grammar:nope").is_err());
        assert!(resolve("nope").is_err());
    }

    #[test]
    fn grammar_shapes() {
        let mut rng = Rng::for_request(1, 1);
        for &(_, g) in GRAMMARS {
            let mut s = String::new();
            grammar(g, &mut rng, &mut s);
            assert!(!s.is_empty());
            assert!(s.is_ascii());
        }
        let mut s = String::new();
        push_next_build("26.3.0.95", &mut s);
        assert_eq!(s, "26.3.0.96");
        s.clear();
        push_u64(0, &mut s);
        push_u64(1234567890, &mut s);
        assert_eq!(s, "01234567890");
    }
}
