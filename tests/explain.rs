//! `explain` shows and walks operands in the written order (D14), even where the compiler
//! evaluates cheaper operands first.

use nsexpr::eval::HeaderList;
use nsexpr::{CompileOptions, NamedExpressions, Program, ProgramSetBuilder, Verdict};

#[test]
fn explain_keeps_the_written_order() {
    let rule = "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS && METHOD == POST";
    let program = Program::new(rule).expect("compiles");
    let headers = [("User-Agent", "Mozilla/5.0 WorxWeb/19")];
    let request = HeaderList::new("POST", "/", &headers);
    let tree = program.explain(&request);
    assert_eq!(tree.verdict, Some(Verdict::False));
    let children: Vec<(&str, Option<Verdict>)> = tree
        .children
        .iter()
        .map(|c| (c.text(), c.verdict))
        .collect();
    assert_eq!(
        children,
        [
            (
                "REQ.HTTP.HEADER User-Agent CONTAINS Worx",
                Some(Verdict::True)
            ),
            (
                "REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
                Some(Verdict::False)
            ),
            ("REQ.HTTP.METHOD == POST", None),
        ]
    );
    assert_eq!(program.eval(&request), Verdict::False);
    // The program keeps the canonical text in the written order, whatever it evaluates first.
    assert_eq!(
        program.text(),
        "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS && REQ.HTTP.METHOD == POST"
    );
}

/// `!(` x 128 around 20,000 `&&` operands: 20,129 nodes whose texts, copied per node, came to
/// 128 times the rule.
fn deep_and_wide() -> (String, Program) {
    const OPERANDS: usize = 20_000;
    const LEVELS: usize = 128;
    let operands: Vec<String> = (0..OPERANDS).map(|k| format!("URL != /x{k}")).collect();
    let rule = format!(
        "{}{}{}",
        "!(".repeat(LEVELS),
        operands.join(" && "),
        ")".repeat(LEVELS)
    );
    let program = Program::new(&rule).expect("compiles");
    (rule, program)
}

#[test]
fn explain_holds_the_text_of_a_deep_rule_once() {
    let (rule, program) = deep_and_wide();
    let request = HeaderList::<&str, &str>::new("GET", "/x", &[]);
    let tree = program.explain(&request);
    // An even number of negations of a true `&&`.
    assert_eq!(tree.verdict, Some(Verdict::True));
    let canonical = program.text();
    assert_eq!(tree.text(), canonical);
    assert_eq!(tree.source(), canonical);
    let mut deepest = &tree;
    let mut depth = 0;
    while let [only] = deepest.children.as_slice() {
        deepest = only;
        depth += 1;
    }
    assert_eq!(depth, 128);
    assert_eq!(deepest.children.len(), 20_000);
    assert_eq!(deepest.children[0].text(), "REQ.HTTP.URL != /x0");
    assert_eq!(deepest.children[19_999].text(), "REQ.HTTP.URL != /x19999");
    assert_eq!(
        &canonical[deepest.children[5].range()],
        "REQ.HTTP.URL != /x5"
    );
    // The text once, and a short observed value per operand.
    assert!(
        tree.held_bytes() <= 2 * canonical.len(),
        "{} bytes held for a {}-byte rule",
        tree.held_bytes(),
        canonical.len()
    );
    // Drawn in one line per node whatever the depth: indentation stops at depth 32, long texts
    // are excerpts.
    let shown = tree.to_string();
    assert_eq!(shown.lines().count(), 128 + 1 + 20_000);
    assert!(
        shown.len() <= 8 * canonical.len(),
        "{} bytes drawn for a {}-byte rule ({} written)",
        shown.len(),
        canonical.len(),
        rule.len()
    );
    assert!(shown.lines().all(|line| line.len() < 600));
    let first = shown.lines().next().unwrap_or_default();
    assert!(first.starts_with("true    !!!"), "{first}");
    assert!(
        first.ends_with(&format!("/x19999) ({} bytes)", canonical.len())),
        "{first}"
    );
    let operand = shown.lines().nth(129).unwrap_or_default();
    assert_eq!(
        operand.trim_start(),
        "[depth 129] ├─ true    REQ.HTTP.URL != /x0    [path: \"/x\"]"
    );
    assert_eq!(operand.len() - operand.trim_start().len(), 32 * 3);
    // Clone, comparison and Debug stay linear too.
    let copy = tree.clone();
    assert_eq!(copy, tree);
    assert!(format!("{copy:?}").len() <= 8 * canonical.len());
}

#[test]
fn explain_serialises_each_text_once() {
    let (_, program) = deep_and_wide();
    let tree = program.explain(&HeaderList::<&str, &str>::new("GET", "/x", &[]));
    let canonical = program.text();
    let json = serde_json::to_string(&tree).expect("serialises");
    assert!(
        json.len() <= 12 * canonical.len(),
        "{} bytes of JSON for a {}-byte rule",
        json.len(),
        canonical.len()
    );
    let v: serde_json::Value =
        serde_json::from_str(&json).expect("parses under serde_json's limit");
    // The root's text in full, and the shared text once.
    assert_eq!(v["text"], canonical);
    assert_eq!(v["source"], canonical);
    assert_eq!(
        (v["start"].as_u64(), v["end"].as_u64()),
        (Some(0), Some(canonical.len() as u64))
    );
    // Below the root, long texts are excerpts; the range locates the full text.
    let child = &v["children"][0];
    let text = child["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("!!!") && text.contains('…'), "{text}");
    let (start, end) = (child["start"].as_u64(), child["end"].as_u64());
    assert_eq!((start, end), (Some(1), Some(canonical.len() as u64)));
    // Nested down to depth 32; the deeper nodes are listed flat under it with their depth.
    let mut at = &v;
    for _ in 0..32 {
        at = &at["children"][0];
    }
    assert!(at.get("depth").is_none());
    let flat = at["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(flat.len(), 128 - 32 + 20_000);
    assert_eq!(flat[0]["depth"], 33);
    assert_eq!(flat[96]["depth"], 129);
    assert_eq!(flat[96]["text"], "REQ.HTTP.URL != /x0");
    assert_eq!(flat[96]["observed"], "path: \"/x\"");
    assert_eq!(flat[96]["children"].as_array().map(Vec::len), Some(0));
    let range = |node: &serde_json::Value| {
        let at = |key: &str| node[key].as_u64().and_then(|n| usize::try_from(n).ok());
        at("start").zip(at("end")).map(|(s, e)| s..e)
    };
    let full = range(&flat[20_095]).and_then(|r| canonical.get(r));
    assert_eq!(full, Some("REQ.HTTP.URL != /x19999"));
}

#[test]
fn a_set_explains_a_rule_with_its_own_text_first() {
    let mut names = NamedExpressions::new();
    names.define("receiver", "REQ.HTTP.HEADER User-Agent CONTAINS Receiver");
    let options = CompileOptions::default();
    let mut builder = ProgramSetBuilder::new(&names, &options);
    for rule in ["receiver", "METHOD == POST && receiver"] {
        builder
            .add(&rule.parse().expect("parses"), rule)
            .expect("compiles");
    }
    let set = builder.build();
    let headers = [("User-Agent", "CitrixReceiver/23.9")];
    let request = HeaderList::new("POST", "/", &headers);
    let tree = set.explain(1, &request).expect("rule 1");
    assert_eq!(tree.verdict, Some(Verdict::True));
    // The rule's text, then the body it reached, whatever the order the set compiled them in;
    // nothing of the set's other rules.
    assert_eq!(
        tree.source(),
        "REQ.HTTP.METHOD == POST && receiver\nREQ.HTTP.HEADER User-Agent CONTAINS Receiver"
    );
    let texts: Vec<&str> = tree.children.iter().map(|c| c.text()).collect();
    assert_eq!(texts, ["REQ.HTTP.METHOD == POST", "receiver"]);
    let body = &tree.children[1].children[0];
    assert_eq!(body.text(), "REQ.HTTP.HEADER User-Agent CONTAINS Receiver");
    assert_eq!(
        tree.to_string(),
        "true    REQ.HTTP.METHOD == POST && receiver\n\
         ├─ true    REQ.HTTP.METHOD == POST    [method: \"POST\"]\n\
         └─ true    receiver\n   \
            └─ true    REQ.HTTP.HEADER User-Agent CONTAINS Receiver    [user-agent: \"CitrixReceiver/23.9\"]\n"
    );
    // The same tree as the rule compiled on its own.
    let alone = Program::builder()
        .names(&names)
        .build("METHOD == POST && receiver")
        .expect("compiles");
    assert_eq!(alone.explain(&request), tree);
}

#[test]
fn explain_shows_a_few_instances_of_a_repeated_header() {
    // An advanced header test looks at every instance (D26).
    let rule = r#"http.req.header("X-A").set_text_mode(ignorecase).contains("z") || HTTP.REQ.HEADER("X-B").EXISTS"#;
    let program = Program::new(rule).expect("compiles");
    let headers: Vec<(&str, String)> = (0..20).map(|k| ("X-A", format!("v{k}"))).collect();
    let request = HeaderList::new("GET", "/", &headers);
    let tree = program.explain(&request);
    assert_eq!(tree.verdict, Some(Verdict::False));
    assert_eq!(
        tree.children[0].observed.as_deref(),
        Some(r#"x-a: "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", … (12 more)"#)
    );
}
