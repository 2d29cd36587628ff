//! Edge-case mutation (docs/semantics.md#generator): one deliberate oddity applied to a finished
//! header list.

use super::Generator;
use super::profile::EdgeKind;
use super::rng::Rng;
use super::ua::{self, Grammar, UaSource};

impl Generator {
    /// Applies one edge-case mutation (docs/semantics.md#generator) to the headers.
    pub(super) fn mutate(
        &self,
        kind: EdgeKind,
        headers: &mut Vec<(String, Vec<u8>)>,
        rng: &mut Rng,
    ) {
        let ua_pos = headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("User-Agent"));
        let set_ua = |headers: &mut Vec<(String, Vec<u8>)>, value: Vec<u8>| match ua_pos
            .and_then(|p| headers.get_mut(p))
        {
            Some((_, v)) => *v = value,
            None => headers.insert(1.min(headers.len()), ("User-Agent".into(), value)),
        };
        let current_ua = ua_pos
            .and_then(|p| headers.get(p))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        match kind {
            EdgeKind::EmptyUa => set_ua(headers, Vec::new()),
            EdgeKind::MissingUa => headers.retain(|(n, _)| !n.eq_ignore_ascii_case("User-Agent")),
            EdgeKind::DuplicateUa => {
                // First instance a browser, last instance a Receiver (pins D6).
                let mut browser = String::new();
                ua::generate(&self.browser_pool, rng, &mut browser);
                set_ua(headers, browser.into_bytes());
                let mut receiver = String::new();
                ua::generate(
                    &UaSource::Grammar(Grammar::WorkspaceWindows),
                    rng,
                    &mut receiver,
                );
                headers.push(("User-Agent".into(), receiver.into_bytes()));
            }
            EdgeKind::OddNameCase => {
                const NAMES: &[&str] = &["user-agent", "USER-AGENT", "uSeR-aGeNt"];
                let name = rng.pick(NAMES).copied().unwrap_or("user-agent");
                for (n, _) in headers.iter_mut() {
                    if n.eq_ignore_ascii_case("User-Agent") {
                        *n = name.to_string();
                    } else if n.eq_ignore_ascii_case("X-Citrix-Gateway") {
                        *n = "x-citrix-gateway".to_string();
                    }
                }
            }
            EdgeKind::HugeValue8k => {
                let mut v = current_ua;
                v.push(b' ');
                let pad = b"nsexpr-padding-";
                let mut k = 0usize;
                while v.len() < 8192 {
                    v.push(pad.get(k % pad.len()).copied().unwrap_or(b'-'));
                    k += 1;
                }
                v.truncate(8192);
                set_ua(headers, v);
            }
            EdgeKind::ObsText => {
                let mut v = current_ua;
                v.extend_from_slice(b" \xE9\xFC\xA0\xFF");
                set_ua(headers, v);
            }
            EdgeKind::TokenInOtherHeader => {
                let mut browser = String::new();
                ua::generate(&self.browser_pool, rng, &mut browser);
                set_ua(headers, browser.into_bytes());
                headers.push(("X-Client-Product".into(), b"CitrixReceiver".to_vec()));
            }
            EdgeKind::LowercaseToken => {
                let mut v = current_ua;
                if !String::from_utf8_lossy(&v)
                    .to_ascii_lowercase()
                    .contains("citrixreceiver")
                {
                    let mut s = String::new();
                    ua::generate(&UaSource::Grammar(Grammar::WorkspaceWindows), rng, &mut s);
                    v = s.into_bytes();
                }
                v.make_ascii_lowercase();
                set_ua(headers, v);
            }
            EdgeKind::EmptyXcg => {
                match headers
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case("X-Citrix-Gateway"))
                {
                    Some((_, v)) => v.clear(),
                    None => headers.push(("X-Citrix-Gateway".into(), Vec::new())),
                }
            }
        }
    }
}
