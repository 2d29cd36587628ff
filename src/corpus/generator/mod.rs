//! The deterministic synthetic gateway-traffic generator (docs/semantics.md#generator).
//!
//! Request *i* uses its own xoshiro256** stream seeded with `splitmix64(seed ^ splitmix64(i))`, so
//! requests are independent (random access, parallel generation) and the same seed, profile and
//! [`GENERATOR_VERSION`] give byte-identical output on every platform: all sampling is integer
//! arithmetic over tables in fixed order (integer Walker alias tables for classes and UA sources,
//! cumulative search for flow steps).
//!
//! Per request (7.3): pick a class, a flow step, a UA (literal, pool or grammar with Zipf-like version
//! choice), fill tokens (CSRF, session cookies, ids), emit headers in the client's usual order, apply the
//! edge-case mutator at the profile's rate, and attach the labels `client`, `flow_step`,
//! `expect_policy` (the fragment-B policy, decided by plain string operations: an oracle for the
//! compiled evaluator) and (when mutated) `edge_case`. `X-Citrix-Via*` and response headers are
//! never emitted.
//!
//! Layout: `request` assembles one record (class, flow step, target, context, labels),
//! `headers` builds each client style's header list, `mutate` applies the edge cases.

mod flows;
mod headers;
mod mutate;
mod policies;
mod profile;
mod request;
mod rng;
mod ua;

use std::io::{self, BufWriter, Write};

pub use policies::generate_policy_config;
pub use profile::Profile;

use self::ua::UaSource;
use super::jsonl::{CorpusHeader, encode_record};

/// Generator name and output version, written into the corpus header. It changes (deliberately, with
/// the golden hash in `tests/corpus_generator.rs`) whenever the output for a given seed and profile
/// changes; it does not follow the crate version.
pub const GENERATOR_VERSION: &str = "nsexpr-corpus-gen 0.2.0";

/// A seeded generator over a [`Profile`].
#[derive(Debug, Clone)]
pub struct Generator {
    profile: Profile,
    seed: u64,
    browser_pool: UaSource,
}

impl Generator {
    /// A generator for `profile` with `seed`.
    pub fn new(profile: Profile, seed: u64) -> Generator {
        Generator {
            profile,
            seed,
            browser_pool: ua::resolve("pool:top-user-agents-desktop")
                .unwrap_or(UaSource::Literal(String::new())),
        }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The corpus header line this generator writes first.
    pub fn header(&self) -> CorpusHeader {
        CorpusHeader {
            nsexpr_corpus: 1,
            generator: Some(GENERATOR_VERSION.to_string()),
            seed: Some(self.seed),
            profile: Some(self.profile.name.clone()),
            profile_sha256: Some(self.profile.sha256.clone()),
        }
    }

    /// Writes the header line and requests `0..count` as JSONL, buffered internally.
    ///
    /// Requests are independent, so batches are encoded on all available cores
    /// (`std::thread::available_parallelism`) and written in order; the bytes do not depend on the
    /// number of threads.
    pub fn write_jsonl(&self, out: &mut impl Write, count: u64) -> io::Result<()> {
        const CHUNK: u64 = 2048;
        let mut w = BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer(&mut w, &self.header()).map_err(io::Error::other)?;
        w.write_all(b"\n")?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut bufs: Vec<Vec<u8>> = (0..threads).map(|_| Vec::with_capacity(2 << 20)).collect();
        let mut next = 0u64;
        while next < count {
            let ranges: Vec<(u64, u64)> = (0..threads as u64)
                .map(|t| {
                    let start = next.saturating_add(t * CHUNK).min(count);
                    (start, start.saturating_add(CHUNK).min(count))
                })
                .collect();
            let results: Vec<io::Result<()>> = std::thread::scope(|scope| {
                let handles: Vec<_> = bufs
                    .iter_mut()
                    .zip(&ranges)
                    .map(|(buf, &(start, end))| {
                        scope.spawn(move || {
                            buf.clear();
                            (start..end).try_for_each(|i| encode_record(&self.request(i), buf))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(io::Error::other("generator thread panicked")))
                    })
                    .collect()
            });
            for (buf, result) in bufs.iter().zip(results) {
                result?;
                w.write_all(buf)?;
            }
            next = ranges.last().map_or(count, |&(_, end)| end);
        }
        w.flush()
    }
}
