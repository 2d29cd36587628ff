//! Evaluates one rule over the 1,000 bench requests ROUNDS times, for instruction counting:
//! `benches/instructions.sh` runs it under valgrind with 1 and 11 rounds, and the difference
//! ÷ 10,000 is the cost of one evaluation (view construction and loop included).
//!
//! `cargo run --release --example eval_instructions -- RULE [long|gateway] [ROUNDS]`
#[path = "../benches/common/mod.rs"]
mod common;

use nsexpr::Program;
use nsexpr::eval::HeaderMapRequest;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rule = args
        .next()
        .ok_or("usage: eval_instructions RULE [long|gateway] [ROUNDS]")?;
    let corpus = args.next().unwrap_or_default();
    let rounds: usize = args.next().map_or(Ok(1), |r| r.parse())?;
    let program = Program::new(&rule)?;
    let requests = if corpus == "gateway" {
        common::gateway_traffic(1000)
    } else {
        common::requests(1000)
    };
    let mut hits = 0usize;
    for _ in 0..rounds {
        for r in &requests {
            let view = HeaderMapRequest {
                method: r.method.as_bytes(),
                target: r.target.as_bytes(),
                headers: &r.headers,
            };
            hits += usize::from(program.is_match(std::hint::black_box(&view)));
        }
    }
    println!("{hits} matches");
    Ok(())
}
