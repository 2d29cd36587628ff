//! Reading a configuration, compiling its session policies and simulating a logon never panic.
//!
//! Two kinds of input: bytes that do not start with `0xFF` are the ns.conf text itself (seeded from
//! `corpus/configs/`); after a leading `0xFF` the bytes drive a structure-aware generator that
//! writes a mix of the commands the reader knows (named expressions, session actions and
//! policies, vserver, group and user binds with priorities and goto, `set vpn parameter`, stray
//! lines) over a small shared name pool, so references resolve, collide and form cycles. Rules are
//! random boolean combinations of real-world classic terms and named-expression references.
//! Either way the bytes go through `Config::read_bytes`, `Simulator::new` and one simulation.
#![no_main]

use libfuzzer_sys::arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use nsexpr::Context;
use nsexpr::config::Config;
use nsexpr::eval::HeaderList;
use nsexpr::sim::{SimOptions, Simulator};

/// Names shared by every kind of object, so that policies, actions, expressions and binds refer
/// to one another (and sometimes to the wrong kind).
const NAMES: &[&str] = &[
    "e0",
    "e1",
    "e2",
    "e3",
    "POL_A",
    "POL_B",
    "ACT_A",
    "ACT_B",
    "VS",
    "G1",
    "G2",
    "u1",
    "\"Odd Name\"",
    "ns_true",
    "ns_false",
];

/// Classic terms seen in real configurations.
const TERMS: &[&str] = &[
    "REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver",
    "REQ.HTTP.HEADER User-Agent NOTCONTAINS CitrixReceiver",
    "REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
    "REQ.HTTP.HEADER Referer NOTEXISTS",
    "REQ.HTTP.HEADER Cookie CONTAINS NSC_ -length 6 -offset 2",
    "REQ.HTTP.HEADER Accept-Language == en-us",
    "REQ.HTTP.METHOD == POST",
    "REQ.HTTP.URL CONTAINS /vpn/",
    "URL == /*.gif",
    "VERSION == HTTP/1.0",
    "SOURCEIP == 192.168.0.0 -netmask 255.255.0.0",
    "REQ.TCP.DESTPORT == 0-65535",
    "CLIENT.APPLICATION.PROCESS(outlook.exe) EXISTS",
    "REQ.HTTP.HEADER Cookie CONTENTS",
    "HTTP.REQ.HEADER(\"User-Agent\").CONTAINS(\"CitrixReceiver\")",
    "TRUE",
];

const ACTION_OPTIONS: &[&str] = &[
    "-icaProxy",
    "-clientlessVpnMode",
    "-SSO",
    "-splitTunnel",
    "-wihome",
    "-ntDomain",
    "-defaultAuthorizationAction",
    "-storefronturl",
    "-homePage",
];
const VALUES: &[&str] = &[
    "ON",
    "OFF",
    "ALLOW",
    "DENY",
    "\"http://sf/Citrix/Web\"",
    "example.local",
    "DISABLED",
];
const GOTOS: &[&str] = &[
    "",
    " -gotoPriorityExpression NEXT",
    " -gotoPriorityExpression END",
    " -gotoPriorityExpression 150",
];
const HEADERS: &[(&str, &str)] = &[
    ("User-Agent", "CitrixReceiver/23.9.0.24 (Windows)"),
    ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"),
    ("user-agent", ""),
    ("X-Citrix-Gateway", "gw.example.com"),
    ("Referer", "https://gw.example.com/vpn/index.html"),
    ("Cookie", "NSC_AAAC=abc; CsrfToken=1"),
    ("Accept-Language", "en-us"),
];

fn pick<'a>(u: &mut Unstructured<'_>, list: &[&'a str]) -> Result<&'a str> {
    u.choose(list).copied()
}

/// A random boolean combination of terms and name references, built from a postfix program on an
/// explicit stack (no recursion), every operand in parentheses.
fn rule(u: &mut Unstructured<'_>) -> Result<String> {
    let mut stack: Vec<String> = Vec::new();
    for _ in 0..u.int_in_range(1..=24)? {
        match u.int_in_range(0..=5)? {
            0 | 1 => stack.push(pick(u, TERMS)?.to_string()),
            2 => stack.push(pick(u, NAMES)?.trim_matches('"').replace(' ', "_")),
            3 => {
                if let Some(top) = stack.pop() {
                    stack.push(format!("!({top})"));
                }
            }
            _ => {
                if stack.len() >= 2 {
                    let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                        continue;
                    };
                    let op = if u.arbitrary()? { "&&" } else { "||" };
                    stack.push(format!("({a}) {op} ({b})"));
                }
            }
        }
    }
    Ok(stack.join(" && "))
}

/// `rule` as an ns.conf quoted argument.
fn quoted(rule: &str) -> String {
    format!("\"{}\"", rule.replace('\\', "\\\\").replace('"', "\\\""))
}

fn command(u: &mut Unstructured<'_>) -> Result<String> {
    let name = pick(u, NAMES)?;
    let other = pick(u, NAMES)?;
    let priority = u.int_in_range(0..=200u32)? * 10;
    Ok(match u.int_in_range(0..=10)? {
        0 => format!("add policy expression {name} {}", quoted(&rule(u)?)),
        1 => {
            let mut line = format!("add vpn sessionAction {name}");
            for _ in 0..u.int_in_range(0..=4)? {
                line.push_str(&format!(
                    " {} {}",
                    pick(u, ACTION_OPTIONS)?,
                    pick(u, VALUES)?
                ));
            }
            line
        }
        2 | 3 => format!("add vpn sessionPolicy {name} {} {other}", quoted(&rule(u)?)),
        4 => format!(
            "add vpn vserver {name} SSL 10.0.0.1 443{}",
            if u.arbitrary()? { " -icaOnly ON" } else { "" }
        ),
        5 | 6 => format!(
            "bind vpn vserver {name} -policy {other} -priority {priority}{}",
            pick(u, GOTOS)?
        ),
        7 => format!("bind aaa group {name} -policy {other} -priority {priority}"),
        8 => format!(
            "add aaa group {name} -weight {}",
            u.int_in_range(0..=1000u32)?
        ),
        9 => format!(
            "set vpn parameter {} {}",
            pick(u, ACTION_OPTIONS)?,
            pick(u, VALUES)?
        ),
        _ => {
            let len = u.int_in_range(0..=40)?;
            String::from_utf8_lossy(u.bytes(len)?).into_owned()
        }
    })
}

/// The config bytes, the request headers and the identity (user and groups) to simulate.
struct Scenario {
    text: Vec<u8>,
    headers: Vec<(&'static str, &'static [u8])>,
    identity: Context,
}

impl<'a> Arbitrary<'a> for Scenario {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut text = String::new();
        for _ in 0..u.int_in_range(1..=40)? {
            text.push_str(&command(u)?);
            text.push('\n');
        }
        let mut headers = Vec::new();
        for _ in 0..u.int_in_range(0..=5)? {
            let (name, value) = *u.choose(HEADERS)?;
            headers.push((name, value.as_bytes()));
        }
        let mut identity = Context::default();
        identity.user = u.arbitrary::<bool>()?.then(|| "u1".to_string());
        identity.groups = Some(
            ["G1", "G2"]
                .into_iter()
                .filter(|_| u.arbitrary().unwrap_or(false))
                .map(String::from)
                .collect(),
        );
        Ok(Scenario {
            text: text.into_bytes(),
            headers,
            identity,
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let scenario = match data.split_first() {
        Some((0xFF, rest)) => {
            let Ok(s) = Scenario::arbitrary_take_rest(Unstructured::new(rest)) else {
                return;
            };
            s
        }
        _ => Scenario {
            text: data.to_vec(),
            headers: HEADERS
                .iter()
                .step_by(3)
                .map(|(name, value)| (*name, value.as_bytes()))
                .collect(),
            identity: Context::default(),
        },
    };
    let read = Config::read_bytes(&scenario.text, "fuzz.conf");
    let Ok(simulator) = Simulator::new(&read.config, None, SimOptions::default()) else {
        return;
    };
    let request = HeaderList::new("POST", "/cgi/login", &scenario.headers);
    let report = simulator.simulate_with(&request, &scenario.identity);
    if let Some(winner) = &report.winner {
        assert!(simulator.policy_names().any(|name| name == winner));
    }
});
