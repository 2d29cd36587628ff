//! The shipped policy specs pass through `nsexpr::testing`, as a Rust project would run its own
//! from `cargo test`.

use std::path::Path;

use nsexpr::testing;

#[test]
fn the_shipped_policy_specs_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tests");
    let mut specs: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/tests")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 2, "{specs:?}");
    for spec in specs {
        let report = testing::run_file(&spec).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.cases.len() >= 5, "{}", report.origin);
        assert!(
            report.config_errors.is_empty(),
            "{:?}",
            report.config_errors
        );
        report.assert_passed();
    }
}

#[test]
fn a_failing_case_reports_what_differs() {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/configs");
    let spec: testing::Spec = "config = \"ctx139319.conf\"\n\n\
        [[case]]\nname = \"browser\"\nclient = \"browser\"\napplied = [\"WorxHome_pol\"]\n\
        profile = { icaProxy = \"ON\" }\n"
        .parse()
        .expect("spec");
    let report = spec.with_base_dir(conf).run();
    assert!(!report.is_success());
    let case = report.cases.first().expect("one case");
    assert_eq!(case.name, "browser");
    assert!(
        matches!(
            case.failures.as_slice(),
            [
                testing::CaseFailure::Applied { got, expected },
                testing::CaseFailure::Profile { parameter, .. },
            ] if got == &["webBrowser_pol"] && expected == &["WorxHome_pol"] && parameter == "icaProxy"
        ),
        "{report}"
    );
}
