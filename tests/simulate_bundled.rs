//! The bundled advanced configurations (`corpus/configs/storefront-wizard-13.conf`,
//! `mixed-upgrade.conf`, `nfactor-groups.conf`) and their policy specs under
//! `corpus/tests/`.

use std::path::{Path, PathBuf};

use nsexpr::config::{Config, Goto};
use nsexpr::sim::{RuleSyntax, SimOptions, Simulator, Warning, preset};
use nsexpr::testing;

const CONFIGS: [&str; 3] = [
    "storefront-wizard-13.conf",
    "mixed-upgrade.conf",
    "nfactor-groups.conf",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The spec of each advanced configuration: `corpus/tests/<config stem>.toml`.
fn specs() -> Vec<PathBuf> {
    CONFIGS
        .iter()
        .map(|config| {
            let stem = config.trim_end_matches(".conf");
            root().join("corpus/tests").join(format!("{stem}.toml"))
        })
        .collect()
}

#[test]
fn the_advanced_configs_read_cleanly_and_bind_advanced_policies_with_gotos() {
    for file in CONFIGS {
        let loaded = Config::from_path(root().join("corpus/configs").join(file)).expect(file);
        assert!(loaded.errors.is_empty(), "{file}: {:?}", loaded.errors);
        let gotos: Vec<Goto> = loaded
            .config
            .binds()
            .iter()
            .filter(|b| !b.builtin)
            .filter_map(|b| b.goto())
            .collect();
        assert!(!gotos.is_empty(), "{file}");
        assert!(
            gotos.iter().all(|g| matches!(g, Goto::Next | Goto::End)),
            "{file}: {gotos:?}"
        );
        let sim = Simulator::new(&loaded.config, None, SimOptions::default()).expect(file);
        let report = sim.simulate(preset("ws-win").expect("preset"));
        assert!(
            report
                .policies
                .iter()
                .any(|p| p.syntax == RuleSyntax::Advanced),
            "{file}"
        );
        let mixed = report
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::MixedSyntax { .. }));
        assert_eq!(mixed, file == "mixed-upgrade.conf", "{file}");
    }
}

#[test]
fn the_advanced_specs_are_valid_and_cover_every_config() {
    for spec in specs() {
        let parsed = testing::Spec::from_path(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert!(parsed.len() >= 10, "{}", spec.display());
    }
}

#[test]
fn the_advanced_specs_pass() {
    for spec in specs() {
        let report = testing::run_file(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report.config_errors.is_empty(),
            "{:?}",
            report.config_errors
        );
        report.assert_passed();
    }
}
