//! Injected latency: fixed (`40ms`) or jittered uniformly between two bounds (`20ms..60ms`).

use std::fmt;
use std::time::Duration;

use crate::dice::Dice;

/// The delay added before every served request (login and Graph, not the control routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latency {
    pub min: Duration,
    /// Equal to `min` for a fixed latency.
    pub max: Duration,
}

impl Latency {
    pub fn fixed(delay: Duration) -> Latency {
        Latency {
            min: delay,
            max: delay,
        }
    }

    /// `max` below `min` is read as a fixed `min`, so setting only the lower bound never jitters
    /// below it.
    pub fn between(min: Duration, max: Duration) -> Latency {
        Latency {
            min,
            max: max.max(min),
        }
    }

    /// One delay: `min` plus a uniform share of the spread.
    pub fn sample(&self, dice: &Dice) -> Duration {
        if self.max <= self.min {
            return self.min;
        }
        self.min + (self.max - self.min).mul_f64(dice.unit())
    }

    /// Parses `40ms`, `2s`, `0` or `20ms..60ms` (durations as humantime writes them).
    pub fn parse(text: &str) -> Result<Latency, String> {
        let text = text.trim();
        let duration = |part: &str| -> Result<Duration, String> {
            let part = part.trim();
            if part == "0" {
                return Ok(Duration::ZERO);
            }
            humantime::parse_duration(part).map_err(|e| {
                format!(
                    "invalid latency '{text}': '{part}' is not a duration like 40ms or 2s ({e})"
                )
            })
        };
        match text.split_once("..") {
            None => Ok(Latency::fixed(duration(text)?)),
            Some((low, high)) => {
                let (min, max) = (duration(low)?, duration(high)?);
                if max < min {
                    return Err(format!(
                        "invalid latency '{text}': the upper bound is below the lower bound"
                    ));
                }
                Ok(Latency { min, max })
            }
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| format!("{}ms", d.as_millis());
        if self.max > self.min {
            write!(f, "{}..{}", ms(self.min), ms(self.max))
        } else {
            f.write_str(&ms(self.min))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fixed_and_ranges() {
        assert_eq!(
            Latency::parse("40ms").unwrap(),
            Latency::fixed(Duration::from_millis(40))
        );
        assert_eq!(Latency::parse("0").unwrap(), Latency::default());
        assert_eq!(
            Latency::parse("20ms..60ms").unwrap(),
            Latency {
                min: Duration::from_millis(20),
                max: Duration::from_millis(60)
            }
        );
        assert_eq!(
            Latency::parse("20ms..60ms").unwrap().to_string(),
            "20ms..60ms"
        );
    }

    #[test]
    fn refuses_bad_text_precisely() {
        let error = Latency::parse("60ms..20ms").unwrap_err();
        assert!(error.contains("upper bound is below"), "{error}");
        let error = Latency::parse("fast").unwrap_err();
        assert!(error.contains("'fast' is not a duration"), "{error}");
    }

    #[test]
    fn jitter_stays_within_its_bounds() {
        let dice = Dice::seeded(3);
        let range = Latency::parse("20ms..60ms").unwrap();
        let samples: Vec<Duration> = (0..200).map(|_| range.sample(&dice)).collect();
        assert!(
            samples
                .iter()
                .all(|d| (Duration::from_millis(20)..=Duration::from_millis(60)).contains(d))
        );
        assert!(
            samples.iter().any(|d| *d < Duration::from_millis(30))
                && samples.iter().any(|d| *d > Duration::from_millis(50))
        );
    }
}
