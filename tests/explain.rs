//! `explain` shows and walks operands in the written order (D14), even where the compiler
//! evaluates cheaper operands first.

use nsexpr::eval::HeaderList;
use nsexpr::{Program, Verdict};

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
        .map(|c| (c.text.as_str(), c.verdict))
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
