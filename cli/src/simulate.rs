//! `simulate` and `clients`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use nsexpr::config::Loaded;
use nsexpr::config::Severity;
use nsexpr::sim::{ClientPreset, Report, SimOptions, Simulator, Warning, preset, presets};
use serde::Serialize;

use super::args::{Format, HeaderInstanceArg, SimulateArgs};
use super::{Failure, build_request, compile_options, is_json, load_config, print_json, print_out};

/// The key settings shown per preset in the all-clients table.
const TABLE_PARAMETERS: &[&str] = &[
    "icaProxy",
    "transparentInterception",
    "clientlessVpnMode",
    "wihome",
    "storefronturl",
];

/// One row of `simulate --format json` without a request: the preset id and its report.
#[derive(Serialize)]
struct PresetResult<'a> {
    client: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

/// `simulate --format json` without a request: the results (each with the warnings about its
/// own result) and the warnings about the configuration and identity, once.
#[derive(Serialize)]
struct PresetResults<'a> {
    results: Vec<PresetResult<'a>>,
    warnings: &'a [Warning],
}

/// Reads the config and builds the simulator (the reader's warnings go into every report; the
/// caller prints them, see [`print_warnings`]). `Err` when nothing can be simulated, after the
/// reader's warnings, which may say why (a bind to a misspelt vserver).
pub fn simulator(
    config: &Path,
    vserver: Option<&str>,
    instance: HeaderInstanceArg,
    explain: bool,
) -> Result<(Loaded, Simulator), Failure> {
    let read = load_config(config)?;
    let mut options = SimOptions::default();
    options.compile = compile_options(instance);
    options.explain = explain;
    let sim = match Simulator::new(&read.config, vserver, options) {
        Ok(sim) => sim.with_notices(&read.notices),
        Err(e) => {
            let file = super::display_path(config);
            let notices: Vec<Warning> = read
                .notices
                .iter()
                .filter(|n| n.severity() == Severity::Warning)
                .cloned()
                .map(Warning::Config)
                .collect();
            print_warnings(&file, &notices);
            let hint = match e {
                nsexpr::sim::SimError::AmbiguousVserver(_) => " with --vserver",
                _ => "",
            };
            return Err(Failure(format!("{file}: {e}{hint}")));
        }
    };
    Ok((read, sim))
}

/// `nsexpr simulate`.
pub fn simulate(args: &SimulateArgs, format: Format) -> Result<ExitCode, Failure> {
    let file = super::display_path(&args.config);
    let (_read, sim) = simulator(
        &args.config,
        args.vserver.as_deref(),
        args.header_instance,
        args.explain,
    )?;
    let preset = args.client.as_deref().map(client_preset).transpose()?;
    let identity = &args.identity;
    let identity_warnings = sim.identity_warnings(identity.user.as_deref(), &identity.groups);
    let r = &args.request;
    let described = preset.is_some()
        || !r.headers.is_empty()
        || r.request.is_some()
        || r.method.is_some()
        || r.url.is_some();
    if described {
        let input = build_request(r, preset)?;
        let context = identity_context(input.context, args);
        let mut report = sim.simulate_with(&input.request, &context);
        for w in identity_warnings {
            if !report.warnings.contains(&w) {
                report.warnings.push(w);
            }
        }
        if is_json(format) {
            print_json(&report)?;
            print_warnings(&file, &report.warnings);
        } else {
            // Warnings go to standard error, the report to standard output.
            let warnings = std::mem::take(&mut report.warnings);
            print_out(&report.to_string())?;
            print_warnings(&file, &warnings);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // The warnings about the configuration and the identity are the same for every preset:
    // they are reported once, and each result keeps only the warnings about itself.
    let mut shared: Vec<Warning> = sim.warnings().to_vec();
    shared.extend(identity_warnings);
    let mut results = Vec::new();
    for p in presets() {
        let input = build_request(r, Some(p))?;
        let context = identity_context(input.context, args);
        let mut report = sim.simulate_with(&input.request, &context);
        report.warnings.retain(|w| !shared.contains(w));
        results.push((p.id, report));
    }
    let all_warnings = || {
        shared
            .iter()
            .chain(results.iter().flat_map(|(_, r)| &r.warnings))
    };
    if is_json(format) {
        let json = PresetResults {
            results: results
                .iter()
                .map(|(client, report)| PresetResult { client, report })
                .collect(),
            warnings: &shared,
        };
        print_json(&json)?;
        print_warnings(&file, all_warnings());
    } else {
        let layout = TableLayout {
            sources: args.sources,
            width: (!args.wide).then(terminal_width).flatten(),
        };
        print_out(&preset_table(sim.vserver(), &results, &layout))?;
        print_warnings(&file, all_warnings());
    }
    Ok(ExitCode::SUCCESS)
}

/// A client preset by id; an unknown id fails with the nearest id (a typo, or a longer spelling
/// such as `ws-windows` for `ws-win`).
pub fn client_preset(id: &str) -> Result<&'static ClientPreset, Failure> {
    preset(id).ok_or_else(|| {
        let ids = || presets().iter().map(|p| p.id);
        let hint = nsexpr::lint::nearest_name(id, ids())
            .or_else(|| {
                ids()
                    .filter(|p| id.to_ascii_lowercase().starts_with(p))
                    .max_by_key(|p| p.len())
            })
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        Failure(format!(
            "unknown client preset `{id}` ({hint}see `nsexpr clients`)"
        ))
    })
}

/// The request's context with the user and groups given on the command line.
fn identity_context(context: Option<nsexpr::Context>, args: &SimulateArgs) -> nsexpr::Context {
    let mut context = context.unwrap_or_default();
    context.user = args.identity.user.clone();
    context.groups = Some(args.identity.groups.clone());
    context
}

/// How the all-presets table is laid out.
struct TableLayout {
    /// Add the table of value sources.
    sources: bool,
    /// Fit this many columns of text (`None`: full width).
    width: Option<usize>,
}

/// The width to fit when standard output is a terminal (`COLUMNS` when set, else the
/// terminal's); `None` for a pipe or file, which get the full table.
fn terminal_width() -> Option<usize> {
    let term = console::Term::stdout();
    if !term.is_term() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| term.size_checked().map(|(_, columns)| usize::from(columns)))
}

/// What the table's symbols mean.
const LEGEND: &str = "\
(none): no policy applied  -: nothing sets the value (no policy, `set vpn parameter` or default)
?: a policy whose verdict is unknown would set another value if it applied
";

/// The all-presets table: one row per preset, its legend, and (with `--sources`) where each
/// value comes from.
fn preset_table(vserver: &str, results: &[(&str, Report)], layout: &TableLayout) -> String {
    let mut header = vec!["client".to_owned(), "applied".to_owned()];
    header.extend(TABLE_PARAMETERS.iter().map(|p| (*p).to_owned()));
    let mut rows = vec![header];
    for (client, report) in results {
        let mut applied = if report.applied.is_empty() {
            "(none)".to_owned()
        } else {
            report.applied.join(", ")
        };
        let unknown: Vec<&str> = report
            .policies
            .iter()
            .filter(|p| p.verdict == nsexpr::Verdict::Unknown && !p.skipped)
            .map(|p| p.name.as_str())
            .collect();
        if !unknown.is_empty() {
            let _ = write!(applied, " (unknown: {})", unknown.join(", "));
        }
        let mut row = vec![(*client).to_owned(), applied];
        row.extend(TABLE_PARAMETERS.iter().map(|p| {
            let value = report.value(p).unwrap_or("-");
            // `?` only where an unknown policy would change the value.
            let uncertain = report.profile_entry(p).is_some_and(|e| {
                e.depends_on_unknown.iter().any(|c| {
                    !e.value
                        .as_deref()
                        .is_some_and(|v| v.eq_ignore_ascii_case(&c.value))
                })
            });
            if uncertain {
                format!("{value}?")
            } else {
                value.to_owned()
            }
        }));
        rows.push(row);
    }
    let mut out = format!("vserver {vserver}\n");
    out.push_str(&fitted(rows, layout.width));
    out.push_str(LEGEND);
    if layout.sources {
        let mut header = vec!["client".to_owned()];
        header.extend(TABLE_PARAMETERS.iter().map(|p| format!("{p} from")));
        let mut sources = vec![header];
        for (client, report) in results {
            let mut row = vec![(*client).to_owned()];
            row.extend(TABLE_PARAMETERS.iter().map(|p| {
                report
                    .profile_entry(p)
                    .map_or_else(|| "-".to_owned(), |e| e.from.clone())
            }));
            sources.push(row);
        }
        out.push('\n');
        out.push_str(&fitted(sources, layout.width));
    }
    out
}

/// Longest `applied` cell and value cell a narrowed table keeps; longer ones are cut with `…`.
const NARROW_APPLIED: usize = 28;
const NARROW_VALUE: usize = 24;

/// The table within `width` columns: long cells are cut first (`…`, the second column to
/// [`NARROW_APPLIED`] characters, values to [`NARROW_VALUE`]), then parameter columns are dropped
/// from the right (and named under the table) until it fits; the first two columns always stay.
fn fitted(mut rows: Vec<Vec<String>>, width: Option<usize>) -> String {
    let fits = |rows: &[Vec<String>]| {
        let text = table(rows);
        let fits = width.is_none_or(|w| text.lines().all(|l| l.chars().count() <= w));
        (fits, text)
    };
    let (fit, text) = fits(&rows);
    if fit {
        return text;
    }
    for row in rows.iter_mut().skip(1) {
        for (column, cell) in row.iter_mut().enumerate().skip(1) {
            let limit = if column == 1 {
                NARROW_APPLIED
            } else {
                NARROW_VALUE
            };
            if cell.chars().count() > limit {
                let cut: String = cell.chars().take(limit - 1).collect();
                *cell = format!("{cut}…");
            }
        }
    }
    let mut hidden: Vec<String> = Vec::new();
    loop {
        let (fit, mut text) = fits(&rows);
        let columns = rows.first().map_or(0, Vec::len);
        if fit || columns <= 2 {
            if !hidden.is_empty() {
                hidden.reverse();
                let _ = writeln!(
                    text,
                    "(not shown to fit the terminal: {}; --wide shows every column and whole values)",
                    hidden.join(", ")
                );
            } else {
                text.push_str("(values cut with … to fit the terminal; --wide shows them whole)\n");
            }
            return text;
        }
        hidden.extend(rows.first_mut().and_then(Vec::pop));
        for row in rows.iter_mut().skip(1) {
            row.pop();
        }
    }
}

/// Prints each distinct warning once on standard error, with one `warning:` prefix: the
/// reader's notices as `file:line:column: message`, the others as `file: message`.
pub fn print_warnings<'w>(file: &str, warnings: impl IntoIterator<Item = &'w Warning>) {
    let mut seen = HashSet::new();
    for w in warnings {
        let text = match w {
            Warning::Config(notice) => {
                format!("{file}:{}:{}: {}", notice.line, notice.column, notice.kind)
            }
            other => format!("{file}: {other}"),
        };
        if seen.insert(text.clone()) {
            super::diag::print_warning(&text);
        }
    }
}

/// Left-aligned columns separated by two blanks.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let width = widths.get(c).copied().unwrap_or(0);
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `nsexpr clients`.
pub fn clients(format: Format) -> Result<ExitCode, Failure> {
    if is_json(format) {
        print_json(&presets())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![vec![
        "id".to_owned(),
        "client".to_owned(),
        "status".to_owned(),
    ]];
    for p in presets() {
        let status = match p.status {
            nsexpr::sim::Provenance::Public => "public",
            nsexpr::sim::Provenance::Synthetic => "synthetic",
        };
        rows.push(vec![
            p.id.to_owned(),
            p.client.to_owned(),
            status.to_owned(),
        ]);
    }
    let mut out = table(&rows);
    for p in presets() {
        let _ = writeln!(out, "\n{} ({} {})", p.id, p.method, p.target);
        for (name, value) in p.headers {
            let _ = writeln!(out, "  {name}: {value}");
        }
        let _ = writeln!(out, "  # {}", p.note);
    }
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_narrowed_to_the_width() {
        let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let rows = vec![
            row(&["client", "applied", "icaProxy", "storefronturl"]),
            row(&[
                "ws-win",
                "PL_OS",
                "ON",
                "https://sf.example.com/Citrix/Store",
            ]),
        ];
        let full = fitted(rows.clone(), None);
        assert!(full.contains("storefronturl"), "{full}");
        let narrow = fitted(rows, Some(20));
        assert!(
            narrow.lines().take(2).all(|l| l.chars().count() <= 20),
            "{narrow}"
        );
        assert!(
            narrow.contains("not shown to fit the terminal: icaProxy, storefronturl"),
            "{narrow}"
        );
    }

    /// At 80 columns a long `applied` cell is cut rather than pushing every parameter out.
    #[test]
    fn long_cells_are_cut_before_columns_are_dropped() {
        let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let rows = vec![
            row(&["client", "applied", "icaProxy", "transparentInterception"]),
            row(&[
                "sh-android-xcg",
                "PL_XM, PL_SF_RECEIVER (unknown: PL_EPA_CHECK, PL_GROUPS)",
                "ON",
                "OFF",
            ]),
        ];
        let narrow = fitted(rows, Some(80));
        assert!(narrow.lines().all(|l| l.chars().count() <= 80), "{narrow}");
        assert!(narrow.contains("transparentInterception"), "{narrow}");
        assert!(narrow.contains("PL_XM, PL_SF_RECEIVER (unkn…"), "{narrow}");
        assert!(narrow.contains("--wide shows them whole"), "{narrow}");
    }
}
