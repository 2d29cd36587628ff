//! Runs `tests/data/convert_table.toml` (section 6.1 of the advanced spec, one row per construct)
//! and `tests/data/convert_faults.toml` (nspepi's faults F1-F26: our output or refusal).

use nsexpr::convert::{ConvertErrorKind, ConvertOptions, Note, convert_rule};
use nsexpr::syntax::parse;

fn note_kind(n: &Note) -> &'static str {
    match n {
        Note::LastInstance { .. } => "LastInstance",
        Note::IgnoreCase { .. } => "IgnoreCase",
        Note::GuardAdded { .. } => "GuardAdded",
        Note::Window { .. } => "Window",
        Note::RangeSplit { .. } => "RangeSplit",
        Note::Ipv4Only { .. } => "Ipv4Only",
        Note::Inlined { .. } => "Inlined",
        Note::Renamed { .. } => "Renamed",
        Note::Inexact { .. } => "Inexact",
        _ => "other",
    }
}

fn run(table: &str, file: &str) -> Vec<String> {
    let table: toml::Table = table.parse().unwrap();
    let rows = table["row"].as_array().unwrap();
    let mut failures = Vec::new();
    for row in rows {
        let get = |k: &str| row.get(k).and_then(|v| v.as_str());
        let construct = get("construct").or(get("fault")).unwrap();
        let classic = get("classic").unwrap();
        let mut options = ConvertOptions {
            nspepi_compatible: row.get("nspepi").and_then(|v| v.as_bool()) == Some(true),
            inline_names: row.get("inline").and_then(|v| v.as_bool()) == Some(true),
            ..ConvertOptions::default()
        };
        if let Some(def) = row.get("define").and_then(|v| v.as_array()) {
            options
                .names
                .define(def[0].as_str().unwrap(), def[1].as_str().unwrap());
        }
        let result = match parse(classic) {
            Ok(expr) => convert_rule(&expr, classic, &options),
            Err(e) => {
                if let Some(want) = get("parse_error") {
                    if !e.to_string().contains(want) {
                        failures.push(format!(
                            "{file} {construct}: parse error `{e}` lacks `{want}`"
                        ));
                    }
                } else {
                    failures.push(format!("{file} {construct}: does not parse: {e}"));
                }
                continue;
            }
        };
        match (result, get("advanced"), get("refused")) {
            (Ok(c), Some(want), _) => {
                if c.advanced != want {
                    failures.push(format!(
                        "{file} {construct}:\n  got  {}\n  want {want}",
                        c.advanced
                    ));
                }
                let inexact = row.get("inexact").and_then(|v| v.as_bool()) == Some(true);
                if c.is_exact() == inexact {
                    failures.push(format!(
                        "{file} {construct}: inexact note {inexact} expected"
                    ));
                }
                let kinds: Vec<&str> = c.notes.iter().map(note_kind).collect();
                for want in row
                    .get("notes")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                {
                    let want = want.as_str().unwrap();
                    if !kinds.contains(&want) {
                        failures.push(format!("{file} {construct}: no {want} note in {kinds:?}"));
                    }
                }
            }
            (Err(e), _, Some(want)) => {
                let text = e.to_string();
                if !text.contains(want) || matches!(e.kind(), ConvertErrorKind::SelfCheck { .. }) {
                    failures.push(format!(
                        "{file} {construct}: refusal `{text}` lacks `{want}`"
                    ));
                }
                if !text.contains('^') {
                    failures.push(format!("{file} {construct}: refusal without carets"));
                }
            }
            (Ok(c), None, _) => failures.push(format!(
                "{file} {construct}: converted to `{}`, expected a refusal",
                c.advanced
            )),
            (Err(e), _, None) => failures.push(format!("{file} {construct}: refused: {e}")),
        }
    }
    failures
}

#[test]
fn section_6_table() {
    let failures = run(include_str!("data/convert_table.toml"), "convert_table");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nspepi_faults_f1_to_f26() {
    let data = include_str!("data/convert_faults.toml");
    for n in 1..=26 {
        assert!(
            data.contains(&format!("fault = \"F{n} ")),
            "F{n} has no row"
        );
    }
    let failures = run(data, "convert_faults");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
