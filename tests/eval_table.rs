//! The semantic table `tests/data/eval.toml`: every case runs through the compiled evaluator and
//! (unless marked) the reference evaluator; both must give the expected verdict.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;

use common::reference::{Reference, Req};
use nsexpr::eval::{ClientCert, Clock, HeaderList, TlsInfo};
use nsexpr::syntax::{ParseOptions, Precedence};
use nsexpr::{CompileOptions, Context, HeaderInstance, NamedExpressions, Program, Verdict};
use toml::Value;

fn context(ctx: &toml::Table) -> Context {
    let mut c = Context::default();
    let ip = |k: &str| {
        ctx.get(k)
            .and_then(Value::as_str)
            .map(|s| s.parse::<IpAddr>().expect("ip"))
    };
    let int = |k: &str| ctx.get(k).and_then(Value::as_integer);
    c.request_net.source_ip = ip("client_ip");
    c.request_net.dest_ip = ip("dest_ip");
    c.request_net.source_port = int("client_port").map(|p| p as u16);
    c.request_net.dest_port = int("dest_port").map(|p| p as u16);
    c.request_net.vlan = int("vlan").map(|v| v as u64);
    if let Some(unix) = int("clock") {
        c.clock = Some(Clock {
            unix,
            local_offset: int("local_offset").map(|o| o as i32),
        });
    }
    let mut tls = TlsInfo::default();
    let mut has_tls = false;
    if let Some(cert) = ctx.get("client_cert").and_then(Value::as_str) {
        has_tls = true;
        tls.client_cert = Some(if cert == "none" {
            None
        } else {
            let mut cc = ClientCert::default();
            cc.subject = cert.to_owned();
            cc.text = cert.to_owned();
            Some(cc)
        });
    }
    if let Some(bits) = int("cipher_bits") {
        has_tls = true;
        tls.cipher_bits = Some(bits as u64);
    }
    if let Some(e) = ctx.get("exportable").and_then(Value::as_bool) {
        has_tls = true;
        tls.exportable = Some(e);
    }
    if has_tls {
        c.tls = Some(tls);
    }
    if let Some(epa) = ctx.get("epa").and_then(Value::as_table) {
        for (text, v) in epa {
            c.opaque_verdicts
                .insert(text.clone(), v.as_bool().expect("bool"));
        }
    }
    c
}

#[test]
fn semantic_table() {
    let text = std::fs::read_to_string("tests/data/eval.toml").expect("table");
    let table: toml::Table = text.parse().expect("toml");
    let cases = table["case"].as_array().expect("cases");
    assert!(cases.len() >= 150, "the table keeps at least 150 cases");
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let case = case.as_table().expect("case table");
        let get = |k: &str| case.get(k).and_then(Value::as_str);
        let rule = get("rule").expect("rule");
        let decision = get("d").expect("every case cites its decision");
        assert!(decision.starts_with('D'), "case {i}: decision id");
        let expect = match get("expect").expect("expect") {
            "true" => Verdict::True,
            "false" => Verdict::False,
            "unknown" => Verdict::Unknown,
            other => panic!("case {i}: bad expect {other}"),
        };
        let headers: Vec<(String, String)> = case
            .get("h")
            .and_then(Value::as_array)
            .map(|hs| {
                hs.iter()
                    .map(|pair| {
                        let pair = pair.as_array().expect("pair");
                        (
                            pair[0].as_str().unwrap().to_owned(),
                            pair[1].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let req = Req {
            method: get("method").unwrap_or("GET").to_owned(),
            target: get("target").unwrap_or("/").to_owned(),
            version: "HTTP/1.1".to_owned(),
            headers,
        };
        let instance = match get("instance") {
            Some("first") => HeaderInstance::First,
            Some("any") => HeaderInstance::Any,
            _ => HeaderInstance::Last,
        };
        let mut parse_options = ParseOptions::default();
        if get("precedence") == Some("left-to-right") {
            parse_options.precedence = Precedence::LeftToRight;
        }
        let mut names = NamedExpressions::new();
        let mut parsed_names: HashMap<String, nsexpr::Expr> = common::reference::BUILTINS
            .iter()
            .map(|(n, d)| {
                (
                    n.to_string(),
                    nsexpr::syntax::parse(d).expect("built-in parses"),
                )
            })
            .collect();
        if let Some(defs) = case.get("names").and_then(Value::as_table) {
            for (name, def) in defs {
                let def = def.as_str().expect("definition");
                names.define(name, def);
                parsed_names.insert(
                    name.to_lowercase(),
                    nsexpr::syntax::parse(def).expect("definition parses"),
                );
            }
        }
        let ctx = case.get("ctx").and_then(Value::as_table).map(context);
        let expr = match nsexpr::syntax::parse_with(rule, &parse_options) {
            Ok(parsed) => parsed.expr,
            Err(e) => {
                failures.push(format!("case {i} ({decision}) `{rule}`: parse error\n{e}"));
                continue;
            }
        };
        let mut options = CompileOptions::default();
        options.header_instance = instance;
        let program = match Program::compile(&expr, rule, &names, &options) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!(
                    "case {i} ({decision}) `{rule}`: compile error\n{e}"
                ));
                continue;
            }
        };
        let pairs: Vec<(&str, &[u8])> = req
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let view = HeaderList {
            method: req.method.as_bytes(),
            target: req.target.as_bytes(),
            version: req.version.as_bytes(),
            headers: &pairs,
            carried: None,
        };
        let compiled = match &ctx {
            Some(c) => program.eval_with(&view, c),
            None => program.eval(&view),
        };
        if compiled != expect {
            failures.push(format!(
                "case {i} ({decision}) `{rule}`: compiled gave {compiled}, expected {expect}"
            ));
        }
        let explained = program.explain_with(&view, ctx.as_ref().unwrap_or(Context::empty()));
        if explained.verdict != Some(compiled) {
            failures.push(format!("case {i} `{rule}`: explain disagrees with eval"));
        }
        if case.get("reference").and_then(Value::as_bool) != Some(false) {
            let reference = Reference {
                names: &parsed_names,
                instance,
                context: ctx.as_ref(),
            };
            let got = reference.eval(&expr, &req);
            if got != expect {
                failures.push(format!(
                    "case {i} ({decision}) `{rule}`: reference gave {got}, expected {expect}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
