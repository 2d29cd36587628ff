//! The advanced session-policy walk (D33), table-driven: `tests/data/simulate_advanced.toml`.
//! Cases marked `engine = true` need advanced rules evaluated and run in the ignored test.

use nsexpr::config::Config;
use nsexpr::eval::HeaderList;
use nsexpr::sim::{
    Assumption, MixedOrder, Report, SimOptions, Simulator, UndefSessionPolicy, Warning, preset,
};
use nsexpr::{Context, Verdict};
use toml::Value;

fn strings(case: &toml::Table, key: &str) -> Option<Vec<String>> {
    case.get(key).and_then(Value::as_array).map(|a| {
        a.iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect()
    })
}

fn names(report: &Report, keep: impl Fn(&nsexpr::sim::PolicyResult) -> bool) -> Vec<String> {
    report
        .policies
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.name.clone())
        .collect()
}

fn warning_kind(warning: &Warning) -> &'static str {
    match warning {
        Warning::MixedSyntax { .. } => "mixed-syntax",
        Warning::GroupOrderUndefined { .. } => "group-order-undefined",
        Warning::GotoUndefined { .. } => "goto-undefined",
        _ => "other",
    }
}

fn assumption_id(assumption: &Assumption) -> &'static str {
    match assumption {
        Assumption::AdvancedWalk => "D33",
        Assumption::GroupOrder => "D19",
        _ => "other",
    }
}

fn run_case(prelude: &str, case: &toml::Table) -> Vec<String> {
    let name = case["name"].as_str().expect("name");
    let conf = format!("{prelude}{}", case["config"].as_str().expect("config"));
    let read = Config::read(&conf, name);
    assert!(read.errors.is_empty(), "{name}: {:?}", read.errors);
    let mut options = SimOptions::default();
    if case.get("undef_session_policy").and_then(Value::as_str) == Some("stop") {
        options.undef_session_policy = UndefSessionPolicy::Stop;
    }
    if case.get("mixed_order").and_then(Value::as_str) == Some("advanced_first") {
        options.mixed_order = MixedOrder::AdvancedFirst;
    }
    let sim = Simulator::new(&read.config, None, options).expect("simulator");
    let mut context = case
        .get("client_ip")
        .and_then(Value::as_str)
        .map_or_else(Context::default, |ip| {
            Context::with_client_ip(ip.parse().expect("ip"))
        });
    context.user = case.get("user").and_then(Value::as_str).map(str::to_owned);
    context.groups = strings(case, "groups");
    let report = match case.get("headers").and_then(Value::as_array) {
        Some(headers) => {
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|h| {
                    let pair = h.as_array().expect("[name, value]");
                    let part = |i: usize| pair[i].as_str().expect("string").to_owned();
                    (part(0), part(1))
                })
                .collect();
            let request = HeaderList::new("POST", "/cgi/login", &headers);
            sim.simulate_with(&request, &context)
        }
        None => {
            let id = case
                .get("client")
                .and_then(Value::as_str)
                .unwrap_or("browser");
            sim.simulate_with(preset(id).expect("preset"), &context)
        }
    };
    let mut failures = Vec::new();
    let mut expect = |what: &str, got: Vec<String>| {
        if let Some(want) = strings(case, what)
            && got != want
        {
            failures.push(format!("{name}: {what} {got:?}, expected {want:?}"));
        }
    };
    expect("order", names(&report, |_| true));
    expect("applied", report.applied.clone());
    expect("skipped", names(&report, |p| p.skipped && !p.undef));
    expect("undef", names(&report, |p| p.undef));
    expect("winner_uncertain", report.winner_uncertain_because.clone());
    let unknown = names(&report, |p| p.verdict == Verdict::Unknown && !p.skipped);
    if let Some(want) = strings(case, "unknown") {
        for policy in want {
            if !unknown.contains(&policy) {
                failures.push(format!("{name}: {policy} not unknown ({unknown:?})"));
            }
        }
    }
    if let Some(profile) = case.get("profile").and_then(Value::as_table) {
        for (param, spec) in profile {
            let spec = spec.as_str().expect("VALUE@SOURCE");
            let (value, from) = spec.rsplit_once('@').expect("VALUE@SOURCE");
            let want_value = (value != "unset").then_some(value);
            match report.profile_entry(param) {
                Some(e) if e.value.as_deref() == want_value && e.from == from => {}
                other => failures.push(format!("{name}: {param} = {other:?}, expected {spec}")),
            }
        }
    }
    for (key, uncertain) in [("depends", true), ("certain", false)] {
        for param in strings(case, key).unwrap_or_default() {
            let marked = report
                .profile_entry(&param)
                .is_some_and(|e| !e.depends_on_unknown.is_empty());
            if marked != uncertain {
                failures.push(format!("{name}: {param} depends_on_unknown = {marked}"));
            }
        }
    }
    let warnings: Vec<&str> = report.warnings.iter().map(warning_kind).collect();
    for kind in strings(case, "warnings").unwrap_or_default() {
        if !warnings.contains(&kind.as_str()) {
            failures.push(format!("{name}: no {kind} warning ({:?})", report.warnings));
        }
    }
    for kind in strings(case, "no_warnings").unwrap_or_default() {
        if warnings.contains(&kind.as_str()) {
            failures.push(format!("{name}: unexpected {kind} warning"));
        }
    }
    let assumptions: Vec<&str> = report.assumptions.iter().map(assumption_id).collect();
    for id in strings(case, "assumptions").unwrap_or_default() {
        if !assumptions.contains(&id.as_str()) {
            failures.push(format!(
                "{name}: assumption {id} not named ({assumptions:?})"
            ));
        }
    }
    for id in strings(case, "no_assumptions").unwrap_or_default() {
        if assumptions.contains(&id.as_str()) {
            failures.push(format!("{name}: assumption {id} named"));
        }
    }
    for spec in strings(case, "reason").unwrap_or_default() {
        let (policy, reason) = spec.split_once('=').expect("POLICY=TEXT");
        let found = report
            .policies
            .iter()
            .any(|p| p.name == policy && p.depends_on.iter().any(|d| d.to_string() == reason));
        if !found {
            failures.push(format!("{name}: {policy} does not depend on {reason}"));
        }
    }
    failures
}

fn run_table(engine: bool) -> usize {
    let text = std::fs::read_to_string("tests/data/simulate_advanced.toml").expect("table");
    let table: toml::Table = text.parse().expect("toml");
    let prelude = table["prelude"].as_str().expect("prelude");
    let mut failures = Vec::new();
    let mut run = 0;
    for case in table["case"].as_array().expect("cases") {
        let case = case.as_table().expect("case");
        let needs_engine = case.get("engine").and_then(Value::as_bool).unwrap_or(false);
        if needs_engine != engine {
            continue;
        }
        run += 1;
        failures.extend(run_case(prelude, case));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    run
}

#[test]
fn the_walk_follows_d33() {
    assert!(run_table(false) >= 20);
}

#[test]
fn the_walk_follows_d33_with_advanced_rules_evaluated() {
    assert!(run_table(true) >= 7);
}

#[test]
fn reports_serialise_the_walk() {
    let conf = "add vpn vserver VS SSL 192.0.2.10 443\n\
        add vpn sessionAction A -icaProxy ON\n\
        add vpn sessionAction C -sessTimeout 60\n\
        add vpn sessionPolicy P1 true A\nadd vpn sessionPolicy P2 true A\n\
        add vpn sessionPolicy CL ns_true C\n\
        bind vpn vserver VS -policy P1 -priority 10 -gotoPriorityExpression 5\n\
        bind vpn vserver VS -policy P2 -priority 20\n\
        bind vpn vserver VS -policy CL -priority 30\n";
    let read = Config::read(conf, "ns.conf");
    let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
    let report = sim.simulate(preset("browser").expect("preset"));
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["assumptions"], serde_json::json!(["D33"]));
    let p2 = &json["policies"][2];
    assert_eq!((&p2["name"], &p2["undef"]), (&"P2".into(), &true.into()));
    let warnings: Vec<&str> = json["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("mixed-syntax:")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("goto `5`")),
        "{warnings:?}"
    );
    let text = report.to_string();
    assert!(text.contains("undef   P2"), "{text}");
}
