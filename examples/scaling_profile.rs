//! Runs the 10,000-policy simulation over a generated corpus in a loop, for profilers:
//! `cargo run --release --example scaling_profile -- 10000`.
use nsexpr::SetScratch;
use nsexpr::config::Config;
use nsexpr::corpus::{Generator, Profile, RecordedRequest, generate_policy_config};
use nsexpr::sim::{SimOptions, Simulator};

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let generator = Generator::new(Profile::gateway_typical().expect("profile"), 7);
    let n: u64 = std::env::var("REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let requests: Vec<RecordedRequest> = (0..n).map(|i| generator.request(i)).collect();
    let text = match std::env::var("CONF") {
        Ok(path) => std::fs::read_to_string(path).expect("config"),
        Err(_) => generate_policy_config(count, 1),
    };
    let read = Config::read(&text, "generated.conf");
    let sim = Simulator::new(&read.config, None, SimOptions::default()).expect("simulator");
    let (mut scratch, mut out) = (SetScratch::default(), Vec::new());
    let start = std::time::Instant::now();
    let mut hits = 0usize;
    for _ in 0..if count < 1000 { 500 } else { 50 } {
        for r in &requests {
            sim.evaluate_sparse(r, &mut scratch, &mut out);
            hits += out.len();
        }
    }
    let per = start.elapsed().as_nanos() as f64
        / (if count < 1000 { 500.0 } else { 50.0 } * requests.len() as f64);
    println!("{count} policies: {per:.0} ns/request, {hits} hits");
}
