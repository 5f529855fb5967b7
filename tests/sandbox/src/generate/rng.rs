//! A small seeded generator (SplitMix64). Written here rather than taken from a crate so that a
//! seed number gives the same tenant forever: no crate upgrade can change the stream.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift: no modulo bias worth speaking of.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A lower-case, version-4-shaped GUID.
    pub fn guid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            8 + (b >> 62),
            (b >> 48) & 0xFFF,
            b & 0xFFFF_FFFF_FFFF
        )
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// `count` distinct indices of `0..n` (`count <= n`), by a partial Fisher–Yates over
    /// `scratch`, which must hold a permutation of `0..n` (any order: it is reused between calls).
    pub fn sample(&mut self, scratch: &mut [usize], count: usize) -> Vec<usize> {
        for i in 0..count {
            let j = i + self.below(scratch.len() - i);
            scratch.swap(i, j);
        }
        scratch[..count].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_another_seed_does_not() {
        let take = |seed| {
            (0..4)
                .map({
                    let mut r = Rng::new(seed);
                    move |_| r.next_u64()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(take(7), take(7));
        assert_ne!(take(7), take(8));
    }

    #[test]
    fn a_guid_has_the_version_4_shape() {
        let guid = Rng::new(1).guid();
        let parts: Vec<_> = guid.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&guid[14..15], "4");
        assert!(matches!(&guid[19..20], "8" | "9" | "a" | "b"), "{guid}");
    }

    #[test]
    fn a_sample_has_distinct_indices_in_range() {
        let mut scratch: Vec<usize> = (0..50).collect();
        let mut picked = Rng::new(3).sample(&mut scratch, 20);
        picked.sort();
        picked.dedup();
        assert_eq!(picked.len(), 20);
        assert!(picked.iter().all(|i| *i < 50));
    }
}
