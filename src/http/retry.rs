//! When to send a request again, and after how long. Pure: no clock, no I/O.

use std::time::Duration;

/// Bounded retries with exponential backoff; `Retry-After` wins when the server sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt for 503/504 (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// Retries for 429: more, because Outlook's request-rate window is ten minutes and a client
    /// that gives up inside it fails work that would have gone through (at most 20 waits of at
    /// most `max_delay`, so still bounded).
    pub max_throttled_retries: u32,
    /// The first backoff when the server gives no `Retry-After`.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever the server asks.
    pub max_delay: Duration,
    /// Connection failures (refused, reset) are retried this many times at most.
    pub max_connect_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            max_throttled_retries: 20,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_connect_retries: 2,
        }
    }
}

impl RetryPolicy {
    /// After attempt number `attempt` (1-based) answered `status`: `Some(wait)` to retry.
    pub fn after_status(&self, attempt: u32, status: u16, retry_after: Option<&str>) -> Option<Duration> {
        if !matches!(status, 429 | 503 | 504) || attempt > self.limit(status == 429) {
            return None;
        }
        Some(parse_retry_after(retry_after).unwrap_or_else(|| self.backoff(attempt)).min(self.max_delay))
    }

    /// For a request not safe to send twice: only answers that say it was not applied are
    /// retried, 429 and a 503 with `Retry-After` (Graph's throttling). A 5xx or a 504 without
    /// one (a gateway that timed out while the mailbox may have applied the write) is not.
    pub fn after_status_at_most_once(&self, attempt: u32, status: u16, retry_after: Option<&str>) -> Option<Duration> {
        match (status, retry_after) {
            (429, _) | (503, Some(_)) => self.after_status(attempt, status, retry_after),
            _ => None,
        }
    }

    /// The wait before the next round of a batch's throttled items: the longest `Retry-After`
    /// among them, or the backoff; `None` once `attempt` retries are spent (the 429 allowance
    /// when any item was throttled).
    pub fn after_items(&self, attempt: u32, throttled: bool, retry_afters: &[Option<&str>]) -> Option<Duration> {
        if attempt > self.limit(throttled) {
            return None;
        }
        let asked = retry_afters.iter().filter_map(|v| parse_retry_after(*v)).max();
        Some(asked.unwrap_or_else(|| self.backoff(attempt)).min(self.max_delay))
    }

    /// After attempt `attempt` failed to connect: `Some(wait)` to retry.
    pub fn after_connect_failure(&self, attempt: u32) -> Option<Duration> {
        (attempt <= self.max_connect_retries).then(|| self.backoff(attempt).min(self.max_delay))
    }

    fn limit(&self, throttled: bool) -> u32 {
        if throttled { self.max_throttled_retries } else { self.max_retries }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.base_delay.saturating_mul(1 << attempt.saturating_sub(1).min(16))
    }
}

/// `Retry-After` in seconds; batches send decimals (`0.249`). HTTP dates are not used by Graph.
fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds = value?.trim().parse::<f64>().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.after_status(1, 429, Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(p.after_status(1, 429, Some("3600")), Some(p.max_delay));
        assert_eq!(p.after_status(1, 429, Some("0.25")), Some(Duration::from_millis(250)));
        assert_eq!(p.after_status(1, 429, Some("soon")), Some(p.base_delay));
    }

    #[test]
    fn a_batch_round_waits_for_its_longest_retry_after() {
        let p = RetryPolicy::default();
        assert_eq!(p.after_items(1, true, &[Some("1"), Some("2.5"), None]), Some(Duration::from_millis(2500)));
        assert_eq!(p.after_items(p.max_retries + 1, false, &[Some("1")]), None);
        assert!(p.after_items(p.max_retries + 1, true, &[Some("1")]).is_some());
    }

    #[test]
    fn a_write_not_safe_twice_is_retried_only_when_known_not_applied() {
        let p = RetryPolicy::default();
        assert!(p.after_status_at_most_once(1, 429, None).is_some());
        assert_eq!(p.after_status_at_most_once(1, 503, Some("2")), Some(Duration::from_secs(2)));
        for (status, retry_after) in [(503, None), (504, None), (504, Some("1")), (500, None), (502, None)] {
            assert_eq!(p.after_status_at_most_once(1, status, retry_after), None, "{status} {retry_after:?}");
        }
        assert_eq!(p.after_status_at_most_once(p.max_retries + 1, 503, Some("1")), None, "still bounded");
    }

    #[test]
    fn a_batch_round_never_waits_longer_than_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.after_items(1, true, &[Some("3600"), Some("1")]), Some(p.max_delay), "a large Retry-After");
        // A late round without Retry-After: the backoff doubles past the cap, the wait does not.
        let late = p.max_throttled_retries;
        assert!(p.backoff(late) > p.max_delay, "the case this test is about");
        assert_eq!(p.after_items(late, true, &[None]), Some(p.max_delay), "a late attempt");
    }

    #[test]
    fn only_transient_statuses_are_retried_and_only_so_often() {
        let p = RetryPolicy::default();
        assert_eq!(p.after_status(1, 404, None), None);
        assert_eq!(p.after_status(1, 500, None), None);
        assert_eq!(p.after_status(2, 503, None), Some(Duration::from_secs(1)));
        assert_eq!(p.after_status(p.max_retries + 1, 503, Some("1")), None);
        assert!(p.after_status(p.max_retries + 1, 429, Some("1")).is_some(), "429 has a longer allowance");
        assert_eq!(p.after_status(p.max_throttled_retries + 1, 429, Some("1")), None);
        assert!(p.after_connect_failure(p.max_connect_retries).is_some());
        assert_eq!(p.after_connect_failure(p.max_connect_retries + 1), None);
    }
}
