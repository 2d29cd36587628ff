//! Simulates every client preset against an ns.conf: `cargo run --example simulate -- FILE`.
use nsexpr::config::Config;
use nsexpr::eval::RawRequest;
use nsexpr::sim::{Identity, SimOptions, Simulator, presets};

fn main() {
    let path = std::env::args().nth(1).expect("usage: simulate FILE");
    let text = std::fs::read_to_string(&path).expect("read");
    let read = Config::read(&text, &path);
    for e in &read.errors {
        eprintln!("{e}");
    }
    let sim = Simulator::new(&read.config, None, SimOptions::default())
        .expect("vserver")
        .with_notices(&read.notices);
    for p in presets() {
        let headers: Vec<(&str, &[u8])> =
            p.headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let req = RawRequest {
            method: p.method.as_bytes(),
            target: p.target.as_bytes(),
            version: b"HTTP/1.1",
            headers: &headers,
            carried: None,
        };
        let report = sim.simulate(&req, None, &Identity::default());
        println!(
            "{:<16} {:?} icaProxy={:?} wihome={:?}",
            p.id,
            report.applied,
            report.value("icaProxy"),
            report.value("wihome")
        );
    }
}
