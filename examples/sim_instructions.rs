//! Simulates a configuration's vserver over the 2,000 Gateway-shaped bench requests ROUNDS times
//! (`Simulator::evaluate`, every session policy), for instruction counting:
//! `benches/instructions.sh` runs it under valgrind with 1 and 21 rounds, and the difference
//! ÷ 40,000 is the cost of one request.
//!
//! `cargo run --release --example sim_instructions -- CONFIG [ROUNDS]`
#[path = "../benches/common/mod.rs"]
mod common;

use nsexpr::config::Config;
use nsexpr::sim::{SimOptions, Simulator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: sim_instructions CONFIG [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(1), |r| r.parse())?;
    let loaded = Config::from_path(&file)?;
    let simulator = Simulator::new(&loaded.config, None, SimOptions::default())?;
    let traffic: Vec<_> = common::gateway_traffic(2_000)
        .iter()
        .map(common::to_record)
        .collect();
    let (mut scratch, mut out) = (Vec::new(), Vec::new());
    let mut applied = 0usize;
    for _ in 0..rounds {
        for request in &traffic {
            simulator.evaluate(std::hint::black_box(request), &mut scratch, &mut out);
            applied += out.iter().filter(|v| **v == nsexpr::Verdict::True).count();
        }
    }
    println!("{applied} policies applied");
    Ok(())
}
