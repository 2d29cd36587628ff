//! Recorded traffic: policies that no request hit, and policies whose verdict was unknown.

use crate::config::{BindPoint, Config};
use crate::eval::{Context, RequestView, Verdict};
use crate::sim::{SimOptions, Simulator};

use super::{Code, Finding, Sink};

/// Counts, over recorded requests, how often each bound policy applied or was unknown, on every
/// vserver; [`findings`](Traffic::findings) reports `never-hit` and `unknown-on-traffic`.
///
/// ```
/// use nsexpr::config::Config;
/// use nsexpr::eval::HeaderList;
/// use nsexpr::lint::{Code, Traffic};
///
/// let loaded = Config::read(
///     "add vpn vserver gw SSL 192.0.2.1 443\n\
///      add vpn sessionAction AC -icaProxy ON\n\
///      add vpn sessionPolicy P \"REQ.HTTP.HEADER X-Never EXISTS\" AC\n\
///      bind vpn vserver gw -policy P -priority 10\n",
///     "ns.conf",
/// );
/// let mut traffic = Traffic::new(&loaded.config);
/// traffic.record(&HeaderList::new("GET", "/", &[("Host", "gw")]));
/// let findings = traffic.findings();
/// assert_eq!(findings[0].code, Code::NeverHit);
/// ```
#[derive(Debug)]
pub struct Traffic<'c> {
    config: &'c Config,
    simulators: Vec<Simulator>,
    /// Per simulator, per policy (in `policy_names` order): (applied, unknown) counts.
    counts: Vec<Vec<(u64, u64)>>,
    requests: u64,
}

impl<'c> Traffic<'c> {
    /// Prepares the simulators of every vserver of the configuration.
    pub fn new(config: &'c Config) -> Traffic<'c> {
        let mut vservers: Vec<&str> = config.vservers().iter().map(|v| v.name.as_str()).collect();
        for bind in config.binds() {
            if let BindPoint::Vserver(v) = &bind.point
                && !vservers.iter().any(|n| n == v)
            {
                vservers.push(v);
            }
        }
        let simulators: Vec<Simulator> = vservers
            .into_iter()
            .filter_map(|v| Simulator::new(config, Some(v), SimOptions::default()).ok())
            .collect();
        let counts = simulators
            .iter()
            .map(|s| vec![(0, 0); s.policy_names().count()])
            .collect();
        Traffic {
            config,
            simulators,
            counts,
            requests: 0,
        }
    }

    /// Records one request with an empty context.
    pub fn record<V: RequestView>(&mut self, request: &V) {
        self.record_with(request, Context::empty());
    }

    /// Records one request with its context.
    pub fn record_with<V: RequestView>(&mut self, request: &V, context: &Context) {
        self.requests += 1;
        let mut scratch = Vec::new();
        let mut verdicts = Vec::new();
        for (sim, counts) in self.simulators.iter().zip(&mut self.counts) {
            sim.evaluate_with(request, context, &mut scratch, &mut verdicts);
            for (count, verdict) in counts.iter_mut().zip(&verdicts) {
                match verdict {
                    Verdict::True => count.0 += 1,
                    Verdict::Unknown | Verdict::Undef => count.1 += 1,
                    Verdict::False => {}
                }
            }
        }
    }

    /// The findings: each bound policy that applied to no request, and each one whose verdict
    /// was unknown on some.
    pub fn findings(&self) -> Vec<Finding> {
        let mut sink = Sink::new(self.config.file_name());
        let mut totals: Vec<(&str, u64, u64)> = Vec::new();
        for (sim, counts) in self.simulators.iter().zip(&self.counts) {
            for (name, &(applied, unknown)) in sim.policy_names().zip(counts) {
                match totals.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(total) => {
                        total.1 += applied;
                        total.2 += unknown;
                    }
                    None => totals.push((name, applied, unknown)),
                }
            }
        }
        for (name, applied, unknown) in totals {
            let at = self
                .config
                .binds()
                .iter()
                .find(|b| b.policy == name)
                .map_or((1, 1), |b| (b.line, b.policy_column));
            if applied == 0 && unknown == 0 {
                sink.push(
                    Code::NeverHit,
                    at,
                    format!(
                        "policy `{name}` applied to none of the {} recorded requests",
                        self.requests
                    ),
                    Some(
                        "check its rule against the recorded clients, or remove it if it is obsolete"
                            .to_owned(),
                    ),
                );
            }
            if unknown > 0 {
                sink.push(
                    Code::UnknownOnTraffic,
                    at,
                    format!(
                        "policy `{name}` was unknown on {unknown} of the {} recorded requests",
                        self.requests
                    ),
                    Some(
                        "supply the context it needs (client IP, groups...) or rewrite the rule"
                            .to_owned(),
                    ),
                );
            }
        }
        sink.findings
    }
}
