//! A generated 100,000-line ns.conf (session actions, policies, binds, unrelated lines) loads
//! without errors.

mod common;

use common::large_config::generate;
use nsexpr::config::{Config, NoticeKind};

#[test]
fn hundred_thousand_lines_load_without_errors() {
    let text = generate(100_000);
    assert_eq!(text.lines().count(), 100_000);
    let read = Config::read(&text, "generated.conf");
    assert!(read.errors.is_empty(), "{:?}", read.errors.first());
    let c = &read.config;
    assert_eq!(c.session_actions().len(), 10_000);
    assert_eq!(c.session_policies().len(), 10_000);
    assert_eq!(c.binds().len(), 10_000);
    assert_eq!(c.other_policies().len(), 10_000);
    assert_eq!(c.ignored().len(), 40_000);
    assert!(c.session_policy("POL_9999").is_some());
    assert_eq!(
        c.binds()
            .last()
            .map(|b| (b.policy.as_str(), b.priority, b.line)),
        Some(("POL_9999", Some(9999), 99_994))
    );
    let r3 = read
        .notices
        .iter()
        .filter(|n| matches!(n.kind, NoticeKind::NonSessionPolicyBind { .. }))
        .count();
    assert_eq!(r3, 10_000);
}
