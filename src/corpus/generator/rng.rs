//! Deterministic randomness: splitmix64, xoshiro256** and an integer Walker alias table.
//! Everything is integer arithmetic with fixed widths, so results are identical on every platform.
//!
//! Kept in the crate on purpose rather than taken from `rand`: the generator's contract is
//! byte-identical output for a seed across crate versions (the golden hash in
//! `tests/corpus_generator.rs`), and `rand`'s generators and sampling methods do not promise a
//! stable stream from one release to the next. These few functions, pinned by reference vectors,
//! do.

/// splitmix64 finaliser (Steele, Lea, Flood), used to derive seeds.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** 1.0 (Blackman, Vigna).
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The stream of request `i`: seeded with `splitmix64(seed ^ splitmix64(i))`, state filled by
    /// successive splitmix64 steps.
    pub(crate) fn for_request(seed: u64, i: u64) -> Rng {
        let mut x = splitmix64(seed ^ splitmix64(i));
        let mut s = [0u64; 4];
        for slot in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *slot = splitmix64(x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s1 << 17;
        let mut s = [s0, s1, s2 ^ s0, s3 ^ s1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        self.s = s;
        result
    }

    /// Uniform in `0..n` by multiply-shift (`n > 0`; bias below 2^-32 for the table sizes used here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n`.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `ppm` / 1,000,000.
    pub(crate) fn chance_ppm(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }

    /// A uniformly chosen element.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.index(items.len()))
    }

    /// Appends `n` lower-case hex digits.
    pub(crate) fn hex(&mut self, n: usize, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut left = n;
        while left > 0 {
            let mut v = self.next_u64();
            for _ in 0..left.min(16) {
                out.push(char::from(
                    HEX.get((v & 15) as usize).copied().unwrap_or(b'0'),
                ));
                v >>= 4;
            }
            left = left.saturating_sub(16);
        }
    }

    /// Appends `n` upper-case hex digits.
    pub(crate) fn hex_upper(&mut self, n: usize, out: &mut String) {
        let start = out.len();
        self.hex(n, out);
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_uppercase();
        }
    }
}

/// Walker's alias method in integer arithmetic (Vose's construction). Sampling costs two draws.
#[derive(Debug, Clone)]
pub(crate) struct Alias {
    /// Per column: accept the column when `r < threshold` (`r` uniform in `0..total`).
    threshold: Vec<u64>,
    alias: Vec<u32>,
    total: u64,
}

impl Alias {
    /// Builds the table; `None` when there are no weights, more than `u32::MAX` of them, or they sum
    /// to zero or overflow.
    pub(crate) fn new(weights: &[u64]) -> Option<Alias> {
        let n = weights.len() as u64;
        let total = weights.iter().try_fold(0u64, |a, &w| a.checked_add(w))?;
        if n == 0 || total == 0 || u32::try_from(weights.len()).is_err() {
            return None;
        }
        // Scaled weight of each column: w * n; a full column holds `total`.
        let mut scaled: Vec<u128> = weights
            .iter()
            .map(|&w| u128::from(w) * u128::from(n))
            .collect();
        let full = u128::from(total);
        let mut threshold = vec![total; weights.len()];
        let mut alias: Vec<u32> = (0..weights.len() as u32).collect();
        let mut small: Vec<u32> = Vec::new();
        let mut large: Vec<u32> = Vec::new();
        for (i, &s) in scaled.iter().enumerate() {
            if s < full {
                small.push(i as u32);
            } else {
                large.push(i as u32);
            }
        }
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            let sv = scaled.get(s as usize).copied().unwrap_or(0);
            if let Some(t) = threshold.get_mut(s as usize) {
                *t = u64::try_from(sv).unwrap_or(total);
            }
            if let Some(a) = alias.get_mut(s as usize) {
                *a = l;
            }
            if let Some(lv) = scaled.get_mut(l as usize) {
                *lv = *lv + sv - full;
                if *lv < full {
                    large.pop();
                    small.push(l);
                }
            }
        }
        // Leftovers (exactly full up to rounding) keep threshold = total, i.e. always accept.
        Some(Alias {
            threshold,
            alias,
            total,
        })
    }

    /// Draws an index.
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let col = rng.index(self.threshold.len());
        let r = rng.below(self.total);
        match self.threshold.get(col) {
            Some(&t) if r < t => col,
            _ => self.alias.get(col).map_or(col, |&a| a as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_reference_vector() {
        // Reference output of xoshiro256** for state [1, 2, 3, 4] (from the authors' C code).
        let mut r = Rng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(got, [11520, 0, 1509978240, 1215971899390074240]);
    }

    #[test]
    fn splitmix_reference() {
        // splitmix64 with state 0: first output is 0xE220A8397B1DCDAF.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn alias_matches_weights() {
        let Some(table) = Alias::new(&[500_000, 300_000, 150_000, 50_000, 0]) else {
            panic!("table");
        };
        let mut rng = Rng::for_request(7, 0);
        let mut counts = [0u32; 5];
        for _ in 0..200_000 {
            if let Some(c) = counts.get_mut(table.sample(&mut rng)) {
                *c += 1;
            }
        }
        assert_eq!(counts[4], 0);
        let expect = [100_000.0, 60_000.0, 30_000.0, 10_000.0];
        for (c, e) in counts.iter().zip(expect) {
            assert!((f64::from(*c) - e).abs() < e * 0.03, "{counts:?}");
        }
        assert!(Alias::new(&[]).is_none());
        assert!(Alias::new(&[0, 0]).is_none());
    }
}
