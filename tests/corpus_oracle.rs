//! The generator's `expect_policy` label (fragment B decided by plain string operations) agrees
//! with the simulator's winner on `corpus/configs/ns101-wizard.conf` for every generated request,
//! edge cases included: the generated corpus is a differential test of the compiled evaluator.

use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile};
use nsexpr::sim::{SimOptions, Simulator};

#[test]
fn generated_labels_match_the_simulator() {
    let text = std::fs::read_to_string("corpus/configs/ns101-wizard.conf").expect("config");
    let read = Config::read(&text, "ns101-wizard.conf");
    let simulator = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
    let generator = Generator::new(Profile::gateway_typical().expect("profile"), 11);
    let mut checked = 0;
    for i in 0..20_000 {
        let record = generator.request(i);
        let expected = record
            .labels
            .get("expect_policy")
            .expect("every record is labelled");
        let report = match record.context.as_ref().map(|c| c.to_context()) {
            Some(context) => simulator.simulate_with(&record, &context),
            None => simulator.simulate(&record),
        };
        assert_eq!(
            report.winner.as_deref(),
            Some(expected.as_str()),
            "request {i} ({:?}): {:?}",
            record.labels,
            record.headers
        );
        checked += 1;
    }
    assert_eq!(checked, 20_000);
}
