//! Each example config × client preset gives the outcome documented in session-policies.md
//! section 6 (table `tests/data/simulate.toml`).

use nsexpr::config::Config;
use nsexpr::sim::{SimOptions, Simulator, Warning, preset};
use nsexpr::{Context, Verdict};
use toml::Value;

#[test]
fn example_configs_give_the_documented_outcomes() {
    let text = std::fs::read_to_string("tests/data/simulate.toml").expect("table");
    let table: toml::Table = text.parse().expect("toml");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in table["case"].as_array().expect("cases") {
        let case = case.as_table().expect("case");
        let file = case["config"].as_str().expect("config");
        let conf = std::fs::read_to_string(format!("corpus/configs/{file}")).expect("config file");
        let read = Config::read(&conf, file);
        assert!(read.errors.is_empty(), "{file}: {:?}", read.errors);
        let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
        let mut context = case
            .get("client_ip")
            .and_then(Value::as_str)
            .map_or_else(Context::default, |ip| {
                Context::with_client_ip(ip.parse().expect("ip"))
            });
        context.user = case.get("user").and_then(Value::as_str).map(str::to_owned);
        for client in case["clients"].as_array().expect("clients") {
            let id = client.as_str().expect("id");
            let p = preset(id).unwrap_or_else(|| panic!("preset {id}"));
            let report = sim.simulate_with(p, &context);
            let at = format!("{file} × {id}");
            checked += 1;
            if let Some(applied) = case.get("applied").and_then(Value::as_array) {
                let want: Vec<&str> = applied.iter().filter_map(Value::as_str).collect();
                if report.applied != want {
                    failures.push(format!(
                        "{at}: applied {:?}, expected {want:?}",
                        report.applied
                    ));
                }
            }
            if let Some(profile) = case.get("profile").and_then(Value::as_table) {
                for (param, spec) in profile {
                    let spec = spec.as_str().expect("VALUE@SOURCE");
                    let (value, from) = spec.rsplit_once('@').expect("VALUE@SOURCE");
                    let want_value = (value != "unset").then_some(value);
                    match report.profile_entry(param) {
                        Some(entry)
                            if entry.value.as_deref() == want_value && entry.from == from => {}
                        other => {
                            failures.push(format!("{at}: {param} = {other:?}, expected {spec}"))
                        }
                    }
                }
            }
            for name in case
                .get("unknown")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = name.as_str().expect("name");
                let hit = report.policies.iter().any(|p| {
                    p.name == name && p.verdict == Verdict::Unknown && !p.depends_on.is_empty()
                });
                if !hit {
                    failures.push(format!("{at}: {name} should be unknown with its inputs"));
                }
            }
            for param in case
                .get("depends")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let param = param.as_str().expect("param");
                if report
                    .profile_entry(param)
                    .is_none_or(|e| e.depends_on_unknown.is_empty())
                {
                    failures.push(format!("{at}: {param} should depend on an unknown policy"));
                }
            }
            if let Some(w) = case.get("warning").and_then(Value::as_str)
                && !report.warnings.iter().any(|x| match w {
                    "ica_only_full_vpn" => matches!(x, Warning::IcaOnlyFullVpn { .. }),
                    _ => panic!("unknown warning kind {w:?}"),
                })
            {
                failures.push(format!(
                    "{at}: no warning containing {w:?} in {:?}",
                    report.warnings
                ));
            }
        }
    }
    assert!(
        checked >= 60,
        "the table covers every config × preset group"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
