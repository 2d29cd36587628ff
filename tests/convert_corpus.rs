//! Conversion over the bundled material: every real-world rule converts or is refused with a
//! named reason; the golden migration of `corpus/configs/xenmobile.conf` is reproduced; untouched
//! lines stay byte for byte; new rules survive the ns.conf lexer.
//!
//! Set `NSEXPR_BLESS=1` to rewrite the golden files under `corpus/migrations/`.

use nsexpr::config::lex_line;
use nsexpr::convert::{
    ConfigProof, ConvertErrorKind, ConvertOptions, convert_rule, migrate_config,
};

const CORPUS: &str = include_str!("../corpus/expressions/real-world.tsv");

#[test]
fn every_real_world_rule_converts_or_is_refused_with_a_reason() {
    let (mut converted, mut refused) = (0, 0);
    for line in CORPUS.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let rule = line.split('\t').next().unwrap_or("");
        let Ok(expr) = nsexpr::syntax::parse(rule) else {
            continue; // rows that are parse-error or value-mode examples (tests/real_world.rs)
        };
        match convert_rule(&expr, rule, &ConvertOptions::default()) {
            Ok(c) => {
                converted += 1;
                assert!(c.is_exact(), "{rule}: default mode must be exact");
            }
            Err(e) => {
                refused += 1;
                assert!(
                    matches!(
                        e.kind(),
                        ConvertErrorKind::NoExactForm { .. } | ConvertErrorKind::UnknownName(_)
                    ),
                    "{rule}: {e}"
                );
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(converted > 20, "converted {converted}, refused {refused}");
}

fn golden(path: &str, actual: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("NSEXPR_BLESS").is_some() {
        std::fs::write(&full, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&full).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "{path} differs (NSEXPR_BLESS=1 rewrites it)"
    );
}

#[test]
fn xenmobile_migration_matches_the_golden_files() {
    let conf = include_str!("../corpus/configs/xenmobile.conf");
    let migration = migrate_config(conf, &ConvertOptions::default());
    golden("corpus/migrations/xenmobile.conf", &migration.text);
    // The proof: both files simulated for every client preset and every bound identity.
    let original = nsexpr::config::Config::read(conf, "xenmobile.conf");
    let migrated = nsexpr::config::Config::read(&migration.text, "migrated.conf");
    assert!(migrated.errors.is_empty(), "{:?}", migrated.errors);
    let mut proof = ConfigProof::new(&original.config, &migrated.config).unwrap();
    assert!(proof.check_presets());
    let verification = proof.finish();
    assert!(
        verification.is_equivalent(),
        "{:?}",
        verification.difference
    );
    let report = format!(
        "# Migration report for corpus/configs/xenmobile.conf (nsexpr convert).\n\
         # Verified: the original and the migrated file simulate alike for every client preset\n\
         # and bound identity ({} simulations; `nsexpr convert --config` adds generated traffic).\n\n{}",
        verification.compared, migration.report
    );
    golden("corpus/migrations/xenmobile.report.txt", &report);
    assert_eq!(migration.report.summary.converted, 3);
    assert_eq!(migration.report.summary.bindings_changed, 3);
}

#[test]
fn untouched_lines_are_kept_byte_for_byte() {
    for name in [
        "xenmobile.conf",
        "bootstrap-bound.conf",
        "ctx139319.conf",
        "ns101-wizard.conf",
        "stalhood.conf",
        "storefront-wizard.conf",
        "unknown-rule.conf",
    ] {
        let path = format!("{}/corpus/configs/{name}", env!("CARGO_MANIFEST_DIR"));
        let conf = std::fs::read_to_string(&path).unwrap();
        let migration = migrate_config(&conf, &ConvertOptions::default());
        let changed: std::collections::BTreeSet<usize> = migration
            .report
            .changes
            .iter()
            .filter(|c| !c.added)
            .map(|c| c.line)
            .collect();
        let added: Vec<&str> = migration
            .report
            .changes
            .iter()
            .filter(|c| c.added)
            .map(|c| c.new.as_str())
            .collect();
        let mut out = migration
            .text
            .split_inclusive('\n')
            .filter(|l| !added.contains(&l.trim_end_matches(['\r', '\n'])));
        for (i, line) in conf.split_inclusive('\n').enumerate() {
            let new = out.next().unwrap_or_default();
            if changed.contains(&(i + 1)) {
                assert_ne!(line, new, "{name}:{}", i + 1);
            } else {
                assert_eq!(line, new, "{name}:{} must be kept", i + 1);
            }
        }
        assert!(out.next().is_none(), "{name}: extra lines");
        // Every new rule token reads back, through the ns.conf lexer, as the converted rule.
        for change in migration
            .report
            .changes
            .iter()
            .filter(|c| c.new.starts_with("add "))
        {
            let tokens = lex_line(&change.new).unwrap();
            assert!(
                tokens.iter().any(
                    |t| nsexpr::syntax::advanced::parse_advanced(&t.value).is_ok() && t.is_quoted()
                ),
                "{name}: {}",
                change.new
            );
        }
    }
}

#[test]
fn new_rules_round_trip_through_the_ns_conf_lexer() {
    for rule in [
        r#"REQ.HTTP.HEADER X == a"b"#,
        r#"REQ.HTTP.HEADER X == 'back\\slash\\t'"#,
        r#"REQ.HTTP.HEADER X CONTAINS 'it\'s # not a comment'"#,
        "REQ.HTTP.HEADER X == 'tab\there'",
        r#"URL == /a\b"#,
    ] {
        let Ok(expr) = nsexpr::syntax::parse(rule) else {
            panic!("{rule} must parse");
        };
        let advanced = convert_rule(&expr, rule, &ConvertOptions::default())
            .unwrap()
            .advanced;
        let conf = format!("add responder policy p q~{rule}~ DROP\n");
        assert_eq!(
            lex_line(&conf).unwrap()[4].value,
            rule,
            "q-quoting of {rule}"
        );
        let migration = migrate_config(&conf, &ConvertOptions::default());
        let line = migration.text.lines().next().unwrap();
        assert_eq!(lex_line(line).unwrap()[4].value, advanced, "{line}");
    }
}

/// A bind line ending in a comment gets its goto before the comment, and a configuration that
/// binds to a vserver defined elsewhere (stalhood.conf) is proven on that vserver.
#[test]
fn stalhood_migration_keeps_gotos_out_of_comments_and_is_proven() {
    let conf = include_str!("../corpus/configs/stalhood.conf");
    let migration = migrate_config(conf, &ConvertOptions::default());
    let binds: Vec<&str> = migration
        .text
        .lines()
        .filter(|l| l.starts_with("bind vpn vserver GW_VS"))
        .collect();
    assert_eq!(binds.len(), 2, "{}", migration.text);
    for bind in &binds {
        let (command, comment) = bind.split_once('#').expect("the comment stays");
        assert!(command.contains("-gotoPriorityExpression NEXT"), "{bind}");
        assert!(!comment.contains("goto"), "{bind}");
    }
    let original = nsexpr::config::Config::read(conf, "stalhood.conf");
    let migrated = nsexpr::config::Config::read(&migration.text, "migrated.conf");
    assert!(
        migrated.config.binds().iter().all(|b| b.goto().is_some()),
        "the migrated binds read with their goto"
    );
    let mut proof = ConfigProof::new(&original.config, &migrated.config).unwrap();
    assert!(proof.check_presets());
    let verification = proof.finish();
    assert!(verification.compared > 0);
    assert!(
        verification.is_equivalent(),
        "{:?}",
        verification.difference
    );
}
