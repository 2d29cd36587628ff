//! The advanced evaluation table `tests/data/advanced_eval.toml` (D21-D32): every case runs
//! through the compiled program and through the independent reference evaluator of
//! `tests/common/adv_reference.rs`, and both must give the expected outcome; error cases must
//! fail to compile with the named kind and span.

mod common;

use common::adv_reference::{self, Env, Outcome, Req};
use nsexpr::compile::advanced::AdvCompileError;
use nsexpr::eval::HeaderList;
use nsexpr::{CompileOptions, Context, NamedExpressions, PatternSets, Program, Syntax, Verdict};

struct Table {
    cases: Vec<toml::Table>,
    patsets: PatternSets,
    names: NamedExpressions,
    env: Env,
}

fn table() -> Table {
    let text = std::fs::read_to_string("tests/data/advanced_eval.toml").expect("table");
    let table: toml::Table = text.parse().expect("toml");
    let mut patsets = PatternSets::new();
    let mut env = Env::default();
    for (name, members) in table
        .get("patsets")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        for member in members.as_array().into_iter().flatten() {
            let member = member.as_str().expect("member");
            patsets.bind(name, member);
            env.patsets
                .entry(name.to_ascii_uppercase())
                .or_default()
                .push(member.as_bytes().to_vec());
        }
    }
    let mut names = NamedExpressions::new();
    for (name, text) in table
        .get("names")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        let text = text.as_str().expect("definition");
        names.insert_advanced(name, text);
        env.names.insert(name.to_ascii_uppercase(), text.to_owned());
    }
    for (name, text) in table
        .get("classic")
        .and_then(|v| v.as_table())
        .into_iter()
        .flatten()
    {
        names.define(name, text.as_str().expect("definition"));
    }
    let cases = table
        .get("case")
        .and_then(|v| v.as_array())
        .expect("cases")
        .iter()
        .map(|c| c.as_table().expect("case").clone())
        .collect();
    Table {
        cases,
        patsets,
        names,
        env,
    }
}

fn text<'a>(case: &'a toml::Table, key: &str) -> Option<&'a str> {
    case.get(key).and_then(|v| v.as_str())
}

fn request(case: &toml::Table) -> Req {
    let headers = case
        .get("headers")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .map(|pair| {
            let pair = pair.as_array().expect("pair");
            let get = |i: usize| {
                pair.get(i)
                    .and_then(|v| v.as_str())
                    .expect("pair")
                    .to_owned()
            };
            (get(0), get(1))
        })
        .collect();
    Req {
        method: text(case, "method").unwrap_or("GET").to_owned(),
        target: text(case, "target").unwrap_or("/").to_owned(),
        headers,
        user: text(case, "user").map(str::to_owned),
        groups: case.get("groups").and_then(|v| v.as_array()).map(|g| {
            g.iter()
                .map(|s| s.as_str().expect("group").to_owned())
                .collect()
        }),
        client_ip: text(case, "client_ip").map(|ip| ip.parse().expect("ip")),
        clock: case.get("clock").and_then(|v| v.as_integer()),
    }
}

fn context(req: &Req) -> Context {
    let mut ctx = Context::default();
    ctx.user = req.user.clone();
    ctx.groups = req.groups.clone();
    ctx.request_net.source_ip = req.client_ip;
    ctx.clock = req.clock.map(|unix| nsexpr::eval::Clock {
        unix,
        local_offset: None,
    });
    ctx
}

fn verdict(outcome: Outcome) -> Verdict {
    match outcome {
        Outcome::True => Verdict::True,
        Outcome::False => Verdict::False,
        Outcome::Undef => Verdict::Undef,
        Outcome::Unknown => Verdict::Unknown,
    }
}

fn compile(rule: &str, table: &Table) -> Result<Program, nsexpr::Error> {
    let options = CompileOptions::default().pattern_sets(table.patsets.clone());
    Program::builder()
        .names(&table.names)
        .options(options)
        .syntax(Syntax::Advanced)
        .build(rule)
}

#[test]
fn advanced_table_has_enough_cases_citing_decisions() {
    let table = table();
    assert!(table.cases.len() >= 200, "{} cases", table.cases.len());
    for case in &table.cases {
        let decision = text(case, "decision").expect("decision");
        assert!(decision.starts_with('D'), "{decision}");
    }
}

#[test]
fn compiled_and_reference_agree_with_the_table() {
    let table = table();
    let mut failures = Vec::new();
    for case in &table.cases {
        let rule = text(case, "rule").expect("rule");
        let req = request(case);
        let compiled = compile(rule, &table);
        if let Some(kind) = text(case, "error") {
            let (found, span) = match &compiled {
                Err(nsexpr::Error::Advanced(e)) => match &**e {
                    AdvCompileError::Check(e) => (format!("{:?}", e.kind()), Some(e.span())),
                    AdvCompileError::Parse(_) => ("Parse".into(), None),
                    other => (format!("{other:?}"), None),
                },
                Err(other) => (format!("{other:?}"), None),
                Ok(_) => ("compiled".into(), None),
            };
            let want_span = case.get("span").and_then(|v| v.as_array()).map(|s| {
                let at = |i: usize| s.get(i).and_then(|v| v.as_integer()).expect("span") as usize;
                (at(0), at(1))
            });
            let span_ok = match (want_span, span) {
                (Some(want), Some(got)) => want == (got.start, got.end),
                (Some(_), None) => false,
                (None, _) => true,
            };
            if !found.starts_with(kind) || !span_ok {
                failures.push(format!(
                    "{rule}: expected error {kind} {want_span:?}, got {found} {span:?}"
                ));
            }
            continue;
        }
        let want: Verdict = text(case, "expect")
            .expect("expect")
            .parse()
            .expect("verdict");
        let program = match compiled {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{rule}: does not compile: {e}"));
                continue;
            }
        };
        let headers: Vec<(&str, &[u8])> = req
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let view = HeaderList::new(req.method.as_bytes(), req.target.as_bytes(), &headers);
        let got = program.eval_with(&view, &context(&req));
        if got != want {
            failures.push(format!(
                "{rule} {:?}: compiled {got}, expected {want}",
                case.get("subject")
            ));
        }
        let reference = verdict(adv_reference::eval(rule, &req, &table.env));
        if reference != want {
            failures.push(format!(
                "{rule} {:?}: reference {reference}, expected {want}",
                case.get("subject")
            ));
        }
        if let Some(dependency) = text(case, "unsupported")
            && !program.unsupported().iter().any(|d| d == dependency)
        {
            failures.push(format!(
                "{rule}: unsupported {:?} lacks {dependency}",
                program.unsupported()
            ));
        }
        let explained = program.explain_with(&view, &context(&req));
        if explained.verdict != Some(got) {
            failures.push(format!(
                "{rule}: explain says {:?}, eval {got}",
                explained.verdict
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every real rule of `corpus/expressions/advanced.tsv` compiles (pattern sets and named
/// expressions it cites aside) and evaluates without context to a verdict `explain` repeats.
#[test]
fn real_rules_compile_and_evaluate() {
    let text = std::fs::read_to_string("corpus/expressions/advanced.tsv").expect("corpus");
    let request = HeaderList::new(
        "GET",
        "/Citrix/StoreWeb/",
        &[("User-Agent", "CitrixReceiver/23.9")],
    );
    let mut compiled = 0;
    for line in text.lines().skip(1) {
        let rule = line.split('\t').next().unwrap_or_default();
        match Program::builder().syntax(Syntax::Advanced).build(rule) {
            Ok(program) => {
                let verdict = program.eval(&request);
                assert_eq!(program.explain(&request).verdict, Some(verdict), "{rule}");
                compiled += 1;
            }
            Err(nsexpr::Error::Advanced(e)) => match &*e {
                AdvCompileError::Check(c) => assert!(
                    matches!(
                        c.kind(),
                        nsexpr::compile::advanced::CheckErrorKind::UnknownPatSet(_)
                            | nsexpr::compile::advanced::CheckErrorKind::UnknownName(_)
                    ),
                    "{rule}: {c}"
                ),
                other => panic!("{rule}: {other}"),
            },
            Err(other) => panic!("{rule}: {other}"),
        }
    }
    assert!(compiled >= 40, "{compiled} real rules compiled");
}

/// `explain` of an advanced rule labels each sub-expression with its canonical advanced text
/// (D35), in written order, and shows every instance a header-level test looked at (D26).
#[test]
fn explain_labels_advanced_subexpressions() {
    let rule = r#"http.req.header("User-Agent").set_text_mode(ignorecase).contains("Worx") && HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#;
    let program = Program::new(rule).expect("compiles");
    let headers = [
        ("User-Agent", "x"),
        ("User-Agent", "WorxWeb"),
        ("X-Citrix-Gateway", "g"),
    ];
    let request = HeaderList::new("GET", "/", &headers);
    let explained = program.explain(&request);
    assert_eq!(explained.verdict, Some(Verdict::True));
    let labels: Vec<&str> = explained.children.iter().map(|c| c.text()).collect();
    assert_eq!(
        labels,
        [
            r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx")"#,
            r#"HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#,
        ]
    );
    assert_eq!(
        explained.children[0].observed.as_deref(),
        Some(r#"user-agent: "x", "WorxWeb""#)
    );
    let undef = Program::new(r#"HTTP.REQ.HEADER("M").COUNT > 0 || TRUE"#).expect("compiles");
    let many = [("M", "1"); 16];
    let explained = undef.explain(&HeaderList::new("GET", "/", &many));
    assert_eq!(explained.verdict, Some(Verdict::Undef));
    assert_eq!(
        explained.children[0].observed.as_deref(),
        Some("evaluation error (undef)")
    );
}
