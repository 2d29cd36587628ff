//! `nsexpr convert`: a classic rule, or every classic rule of an ns.conf, to advanced syntax,
//! proven equivalent by running both engines.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use nsexpr::config::Config;
use nsexpr::convert::{
    ConfigProof, ConfigVerification, ConvertOptions, Migration, Verification, convert_rule,
    migrate_config, prove_rule,
};
use nsexpr::corpus::{Generator, Profile};
use serde_json::json;

use super::args::{ConvertArgs, Format};
use super::{
    Failure, diag, display_path, load_config_bytes, load_names, named_expressions, read_bytes,
    rule_argument,
};

/// How many lines that are not UTF-8 are named one by one.
const NOT_UTF8_SHOWN: usize = 5;

/// Runs `nsexpr convert`.
pub fn convert(args: &ConvertArgs, format: Format) -> Result<ExitCode, Failure> {
    match &args.rule {
        Some(rule) => convert_one(args, rule, format),
        None => match &args.config {
            Some(path) => migrate(args, path, format),
            None => Err(Failure(
                "give a classic RULE, or --config FILE to migrate a whole ns.conf".to_owned(),
            )),
        },
    }
}

fn options(args: &ConvertArgs, names: nsexpr::NamedExpressions) -> ConvertOptions {
    ConvertOptions {
        nspepi_compatible: args.nspepi_compatible,
        names,
        inline_names: true,
        ..ConvertOptions::default()
    }
}

fn convert_one(args: &ConvertArgs, rule: &str, format: Format) -> Result<ExitCode, Failure> {
    let text = rule_argument(rule, args.unquote)?;
    let names = load_names(args.config.as_deref())?;
    let expr = match nsexpr::syntax::parse(&text) {
        Ok(expr) => expr,
        Err(e) => return Err(Failure(e.to_string())),
    };
    let options = options(args, names);
    let converted = match convert_rule(&expr, &text, &options) {
        Ok(converted) => converted,
        Err(e) => {
            if format == Format::Json {
                let out = json!({"classic": text, "advanced": null, "error": e.to_string()});
                println!("{out}");
            } else {
                eprintln!("{e}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let verification = if args.no_verify {
        None
    } else {
        let extra = generated_cases(args.verify_requests.min(20_000))?;
        Some(
            prove_rule(&expr, &text, &converted, &options.names, &extra)
                .map_err(|e| Failure(e.to_string()))?,
        )
    };
    let equivalent = verification
        .as_ref()
        .is_none_or(Verification::is_equivalent);
    let notes: Vec<String> = converted.notes.iter().map(ToString::to_string).collect();
    match format {
        Format::Json => {
            let verified = verification.as_ref().map(|v| {
                json!({
                    "checked": v.checked,
                    "equivalent": v.is_equivalent(),
                    "disagreement": v.disagreement.as_ref().map(ToString::to_string),
                })
            });
            let out = json!({
                "classic": text,
                "advanced": converted.advanced,
                "exact": converted.is_exact(),
                "notes": notes,
                "verified": verified,
            });
            println!("{out}");
        }
        Format::Text | Format::Sarif => {
            println!("{}", converted.advanced);
            for note in &notes {
                eprintln!("note: {note}");
            }
            match &verification {
                Some(v) if v.is_equivalent() => {
                    eprintln!("verified: both engines agree on {} requests", v.checked);
                }
                Some(v) => {
                    if let Some(d) = &v.disagreement {
                        diag::print_warning(&format!("not equivalent: {d}"));
                    }
                }
                None => eprintln!("not verified (--no-verify)"),
            }
        }
    }
    Ok(if equivalent && converted.is_exact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `n` generated requests (the gateway-typical profile) as proof cases without context.
fn generated_cases(n: usize) -> Result<Vec<nsexpr::convert::Case>, Failure> {
    let generator = generator()?;
    Ok((0..n as u64)
        .map(|i| (i, generator.request(i)))
        .map(|(i, record)| nsexpr::convert::Case {
            request: nsexpr::convert::Probe {
                method: record.method.into_bytes(),
                target: record.target.into_bytes(),
                version: b"HTTP/1.1".to_vec(),
                headers: record.headers,
            },
            context: nsexpr::Context::default(),
            atom: format!("generated request {}", i + 1),
        })
        .collect())
}

fn migrate(args: &ConvertArgs, path: &Path, format: Format) -> Result<ExitCode, Failure> {
    let bytes = read_bytes(path)?;
    let names = named_expressions(&load_config_bytes(&bytes, path));
    let text = config_text(&bytes, &display_path(path));
    let options = ConvertOptions {
        nspepi_compatible: args.nspepi_compatible,
        names,
        ..ConvertOptions::default()
    };
    let Migration {
        text: migrated,
        report,
    } = migrate_config(&text, &options);
    let verification = if args.no_verify {
        None
    } else {
        Some(prove_config(&text, &migrated, args.verify_requests)?)
    };
    match &args.output {
        Some(out) => std::fs::write(out, &migrated).map_err(|e| Failure::file(out, e))?,
        None if format == Format::Text => print!("{migrated}"),
        None => {}
    }
    let equivalent = verification
        .as_ref()
        .is_none_or(ConfigVerification::is_equivalent);
    match format {
        Format::Json => {
            let mut out = serde_json::to_value(&report).map_err(|e| Failure(e.to_string()))?;
            if let Some(map) = out.as_object_mut() {
                map.insert(
                    "verified".to_owned(),
                    verification.as_ref().map_or(serde_json::Value::Null, |v| {
                        json!({
                            "compared": v.compared,
                            "equivalent": v.is_equivalent(),
                            "difference": v.difference.as_ref().map(ToString::to_string),
                        })
                    }),
                );
                if args.output.is_none() {
                    map.insert("config".to_owned(), json!(migrated));
                }
            }
            println!("{out}");
        }
        Format::Text | Format::Sarif => {
            let mut summary = String::new();
            let _ = write!(summary, "{report}");
            eprint!("{summary}");
            match &verification {
                Some(v) if v.compared == 0 => diag::print_warning(
                    "not verified: the configuration has no vpn vserver to simulate",
                ),
                Some(v) if v.is_equivalent() => eprintln!(
                    "verified: both configurations simulate alike on {} simulations",
                    v.compared
                ),
                Some(v) => {
                    if let Some(d) = &v.difference {
                        diag::print_warning(&format!("not equivalent: {d}"));
                    }
                }
                None => eprintln!("not verified (--no-verify)"),
            }
        }
    }
    // Refused lines stay classic and are listed; the migrated file is still proven as a whole.
    Ok(if equivalent {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The text of a config read as bytes. The lines that are not UTF-8 (a Latin-1 comment) are
/// kept with U+FFFD in place of their invalid bytes, with a warning naming them.
fn config_text(bytes: &[u8], file: &str) -> String {
    let text = String::from_utf8_lossy(bytes);
    if let std::borrow::Cow::Owned(_) = text {
        let lines: Vec<usize> = bytes
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, line)| std::str::from_utf8(line).is_err())
            .map(|(i, _)| i + 1)
            .collect();
        for line in lines.iter().take(NOT_UTF8_SHOWN) {
            diag::print_warning(&format!(
                "{file}:{line}: the line is not valid UTF-8; the migrated configuration has U+FFFD in place of its invalid bytes"
            ));
        }
        if lines.len() > NOT_UTF8_SHOWN {
            diag::print_warning(&format!(
                "{file}: {} more lines are not valid UTF-8",
                lines.len() - NOT_UTF8_SHOWN
            ));
        }
    }
    text.into_owned()
}

/// The generator of `nsexpr corpus generate` with its default profile and seed 1.
fn generator() -> Result<Generator, Failure> {
    let profile = Profile::gateway_typical().map_err(|e| Failure(e.to_string()))?;
    Ok(Generator::new(profile, 1))
}

/// Simulates both files for every preset, every bound identity and `requests` generated
/// requests.
fn prove_config(
    original: &str,
    migrated: &str,
    requests: usize,
) -> Result<ConfigVerification, Failure> {
    let before = Config::read(original, "original");
    let after = Config::read(migrated, "migrated");
    let mut proof =
        ConfigProof::new(&before.config, &after.config).map_err(|e| Failure(e.to_string()))?;
    if proof.check_presets() {
        let generator = generator()?;
        for i in 0..requests as u64 {
            let record = generator.request(i);
            if !proof.check(&record, &format_args!("generated request {}", i + 1)) {
                break;
            }
        }
    }
    Ok(proof.finish())
}
