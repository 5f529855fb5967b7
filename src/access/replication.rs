//! Waiting for Entra ID replication. A new application or service principal is not readable
//! everywhere at once: for some seconds Graph answers 404 for it, and a role assignment naming
//! it fails. Seed 003 sleeps a fixed 20 s; ExoKit polls with a growing delay and stops as soon
//! as the object is there.

use std::time::Duration;

use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version};

use super::directory::get_optional;

/// The delays between polls: 250 ms doubling to a 5 s ceiling, until `budget` is spent.
/// Pure, so the schedule is tested without waiting.
pub fn delays(budget: Duration) -> Vec<Duration> {
    let mut delays = Vec::new();
    let mut next = Duration::from_millis(250);
    let mut spent = Duration::ZERO;
    while spent + next <= budget {
        delays.push(next);
        spent += next;
        next = (next * 2).min(Duration::from_secs(5));
    }
    delays
}

/// Polls `path` until Graph reads it, or fails naming `what` and how long it waited.
pub async fn wait_until_readable(graph: &GraphClient, path: &str, what: &str, budget: Duration) -> Result<()> {
    let started = tokio::time::Instant::now();
    let mut schedule = delays(budget).into_iter();
    loop {
        if get_optional(graph, Version::V1, path, &[]).await?.is_some() {
            return Ok(());
        }
        let Some(delay) = schedule.next() else {
            return Err(ExoError::Protocol {
                url: path.into(),
                message: format!("{what} was still not readable after {} s of Entra ID replication; rerun the command to continue", started.elapsed().as_secs()),
            });
        };
        crate::ops::verbose(format!("{what} is not replicated yet; asking again in {} ms", delay.as_millis()));
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delays_grow_to_a_ceiling_and_fit_the_budget() {
        let delays = delays(Duration::from_secs(30));
        let ms: Vec<u128> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(&ms[..6], &[250, 500, 1000, 2000, 4000, 5000]);
        assert!(ms[6..].iter().all(|&d| d == 5000));
        assert!(delays.iter().sum::<Duration>() <= Duration::from_secs(30));
        assert!(delays.iter().sum::<Duration>() > Duration::from_secs(25));
    }

    #[test]
    fn no_budget_means_one_look_only() {
        assert!(delays(Duration::ZERO).is_empty());
    }
}
