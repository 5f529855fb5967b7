//! A small seeded random source for faults and latency jitter. Seeded, it repeats the same
//! draws on every run, which is what makes `--fault-seed` runs reproducible.

use std::sync::Mutex;

/// SplitMix64: tiny, fast and good enough to decide "does this request fail?".
#[derive(Debug)]
pub struct Dice {
    state: Mutex<u64>,
}

impl Dice {
    pub fn seeded(seed: u64) -> Dice {
        Dice {
            state: Mutex::new(seed),
        }
    }

    /// Seeded from the clock and a fresh UUID: different on every run.
    pub fn unseeded() -> Dice {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Dice::seeded(nanos ^ uuid::Uuid::new_v4().as_u64_pair().0)
    }

    pub fn next_u64(&self) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)`.
    pub fn unit(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `rate` (0 never, 1 always).
    pub fn hits(&self, rate: f64) -> bool {
        rate >= 1.0 || (rate > 0.0 && self.unit() < rate)
    }
}

#[cfg(test)]
mod tests {
    use super::Dice;

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let (a, b) = (Dice::seeded(7), Dice::seeded(7));
        let draws_a: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let draws_b: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(draws_a, draws_b);
        assert_ne!(Dice::seeded(8).next_u64(), draws_a[0]);
    }

    #[test]
    fn rates_are_respected_roughly() {
        let dice = Dice::seeded(1);
        let hits = (0..10_000).filter(|_| dice.hits(0.1)).count();
        assert!(
            (800..1200).contains(&hits),
            "{hits} hits of 10,000 at rate 0.1"
        );
        assert!(!Dice::seeded(1).hits(0.0));
        assert!(Dice::seeded(1).hits(1.0));
    }
}
