//! Evaluation side of a set's trigger index: per request, bind each indexed header once, fold it
//! to lower case once, run one aho-corasick automaton over it for all CONTAINS needles, look `==`
//! values up in a hash map, and collect the rules whose trigger fired.

use crate::ir::{SetScratch, TriggerIndex};

impl SetScratch {
    /// Starts a request: a new stamp generation, an empty candidate list.
    pub(crate) fn begin(&mut self, rules: usize) {
        if self.stamps.len() < rules {
            self.stamps.resize(rules, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.candidates.clear();
    }

    fn add(&mut self, rule: u32) {
        if let Some(stamp) = self.stamps.get_mut(rule as usize)
            && *stamp != self.generation
        {
            *stamp = self.generation;
            self.candidates.push(rule);
        }
    }

    fn add_all(&mut self, rules: &[u32]) {
        for &rule in rules {
            self.add(rule);
        }
    }

    /// The candidate rules of this request, in rule order.
    pub(crate) fn candidates(&mut self) -> &[u32] {
        self.candidates.sort_unstable();
        &self.candidates
    }
}

impl TriggerIndex {
    /// Collects the candidate rules for a request into `scratch`, given each indexed header's
    /// bound value.
    pub(crate) fn collect<'v>(
        &self,
        scratch: &mut SetScratch,
        mut value_of: impl FnMut(u16) -> Option<&'v [u8]>,
    ) {
        scratch.add_all(&self.always);
        for atoms in &self.headers {
            let Some(value) = value_of(atoms.header) else {
                continue;
            };
            scratch.add_all(&atoms.present);
            if let Some(rules) = atoms.equals.get(value) {
                scratch.add_all(rules);
            }
            if let Some(automaton) = &atoms.automaton {
                let mut folded = std::mem::take(&mut scratch.folded);
                folded.clear();
                folded.extend(value.iter().map(u8::to_ascii_lowercase));
                if let Ok(matches) = automaton.try_find_overlapping_iter(folded.as_slice()) {
                    for found in matches {
                        if let Some(rules) = atoms.needle_rules.get(found.pattern().as_usize()) {
                            scratch.add_all(rules);
                        }
                    }
                }
                scratch.folded = folded;
            }
        }
    }
}
