//! Outlook's limits per app and mailbox: 4 concurrent requests and 10,000 per 10 minutes.
//!
//! Every mailbox request (and every `$batch` item, which Graph counts on its own) calls
//! [`Throttle::enter`] and holds the [`Permit`] while it runs. Going over one mailbox's limits
//! leaves the app's other mailboxes alone.
//!
//! Choices where the service is not documented:
//! - A refused request does not count toward the rate, so a client that waits the `Retry-After`
//!   it was given gets through. (Graph says it "continues to log resource usage while a client
//!   is being throttled"; we do not model that.)
//! - `Retry-After` is whole seconds, at least 1: for the rate, the time until the oldest request
//!   of the window leaves it; for concurrency, 1 (the slot frees when a request finishes).
//! - A time scale of N shrinks the window *and* the request count by N, which keeps the
//!   sustainable rate (about 16.7 requests per second per mailbox) while making the limit
//!   reachable in tests: at N = 100 it is 100 requests per 6 seconds. Concurrency is not scaled.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub const CONCURRENCY_MESSAGE: &str = "Application is over its MailboxConcurrency limit.";
pub const RATE_MESSAGE: &str = "Application is over its RequestRate limit.";

/// Why a request was refused: Graph answers 429 `ApplicationThrottled` with this message and
/// `Retry-After`.
#[derive(Debug, Clone)]
pub struct Throttled {
    pub message: String,
    pub retry_after_seconds: f64,
}

/// The limits per app and mailbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests admitted per window.
    pub requests: u64,
    pub window: Duration,
}

impl Limits {
    /// Outlook's published limits.
    pub const OUTLOOK: Limits = Limits {
        concurrency: 4,
        requests: 10_000,
        window: Duration::from_secs(600),
    };

    /// The limits with time running `time_scale` times faster: window and request count shrink
    /// together (see the module comment). A scale of 1 or less than 0 changes nothing.
    pub fn scaled(self, time_scale: f64) -> Limits {
        if !(time_scale.is_finite() && time_scale > 0.0) || time_scale == 1.0 {
            return self;
        }
        Limits {
            concurrency: self.concurrency,
            requests: ((self.requests as f64 / time_scale).ceil() as u64).max(1),
            window: self.window.div_f64(time_scale),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::OUTLOOK
    }
}

type Key = (String, String);

/// What one app has going on against one mailbox.
#[derive(Debug, Default)]
struct Slot {
    in_flight: usize,
    /// When each admitted request of the current window started, oldest first.
    recent: VecDeque<Instant>,
}

impl Slot {
    fn forget_before(&mut self, cutoff: Option<Instant>) {
        let Some(cutoff) = cutoff else { return };
        while self.recent.front().is_some_and(|t| *t <= cutoff) {
            self.recent.pop_front();
        }
    }
}

#[derive(Debug, Default)]
struct Slots(Mutex<HashMap<Key, Slot>>);

impl Slots {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Slot>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Held while a request to a mailbox is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    slots: Arc<Slots>,
    key: Key,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(slot) = self.slots.lock().get_mut(&self.key) {
            slot.in_flight = slot.in_flight.saturating_sub(1);
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    limits: Mutex<Limits>,
    slots: Arc<Slots>,
}

impl Throttle {
    /// Outlook's limits.
    pub fn new() -> Throttle {
        Throttle::default()
    }

    pub fn with_limits(limits: Limits) -> Throttle {
        Throttle {
            limits: Mutex::new(limits),
            slots: Arc::default(),
        }
    }

    pub fn limits(&self) -> Limits {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// New limits apply to the next request; requests in flight keep their permits.
    pub fn set_limits(&self, limits: Limits) {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = limits;
    }

    /// Forgets every window and count (in-flight permits still release cleanly).
    pub fn reset(&self) {
        for slot in self.slots.lock().values_mut() {
            slot.recent.clear();
        }
    }

    /// Admits one request of `app_id` to the mailbox of `mailbox_id` (a user's object id).
    pub fn enter(&self, app_id: &str, mailbox_id: &str) -> Result<Permit, Throttled> {
        let limits = self.limits();
        let now = Instant::now();
        let key = (app_id.to_ascii_lowercase(), mailbox_id.to_ascii_lowercase());
        let mut slots = self.slots.lock();
        let slot = slots.entry(key.clone()).or_default();
        slot.forget_before(now.checked_sub(limits.window));
        if slot.recent.len() as u64 >= limits.requests {
            let oldest = slot.recent.front().copied().unwrap_or(now);
            let wait = (oldest + limits.window).saturating_duration_since(now);
            return Err(Throttled {
                message: RATE_MESSAGE.into(),
                retry_after_seconds: whole_seconds(wait),
            });
        }
        if slot.in_flight >= limits.concurrency {
            return Err(Throttled {
                message: CONCURRENCY_MESSAGE.into(),
                retry_after_seconds: 1.0,
            });
        }
        slot.in_flight += 1;
        slot.recent.push_back(now);
        Ok(Permit {
            slots: self.slots.clone(),
            key,
        })
    }
}

/// `Retry-After` as HTTP clients parse it: whole seconds, at least one.
fn whole_seconds(wait: Duration) -> f64 {
    wait.as_secs_f64().ceil().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "app";

    #[test]
    fn the_fifth_concurrent_request_to_a_mailbox_is_refused() {
        let throttle = Throttle::new();
        let held: Vec<Permit> = (0..4)
            .map(|_| throttle.enter(APP, "alice").expect("within the limit"))
            .collect();
        let refused = throttle.enter(APP, "alice").unwrap_err();
        assert_eq!(refused.message, CONCURRENCY_MESSAGE);
        assert_eq!(refused.retry_after_seconds, 1.0);
        assert!(
            throttle.enter(APP, "bob").is_ok(),
            "another mailbox is not affected"
        );
        assert!(
            throttle.enter("other-app", "alice").is_ok(),
            "another app is not affected"
        );
        drop(held);
        assert!(
            throttle.enter(APP, "alice").is_ok(),
            "a finished request frees its slot"
        );
    }

    #[test]
    fn mailbox_and_app_ids_are_case_insensitive() {
        let throttle = Throttle::new();
        let _held: Vec<Permit> = (0..4)
            .map(|_| throttle.enter("APP", "Alice").unwrap())
            .collect();
        assert!(throttle.enter("app", "alice").is_err());
    }

    #[test]
    fn the_rate_limit_refuses_past_the_count_until_the_window_moves() {
        let limits = Limits {
            concurrency: 4,
            requests: 3,
            window: Duration::from_millis(300),
        };
        let throttle = Throttle::with_limits(limits);
        for _ in 0..3 {
            drop(throttle.enter(APP, "alice").expect("within the rate"));
        }
        let refused = throttle.enter(APP, "alice").unwrap_err();
        assert_eq!(refused.message, RATE_MESSAGE);
        assert_eq!(
            refused.retry_after_seconds, 1.0,
            "whole seconds, at least one"
        );
        assert!(throttle.enter(APP, "bob").is_ok());
        std::thread::sleep(Duration::from_millis(350));
        assert!(throttle.enter(APP, "alice").is_ok(), "the window moved on");
    }

    #[test]
    fn retry_after_for_the_rate_is_the_time_until_a_request_leaves_the_window() {
        let throttle = Throttle::with_limits(Limits {
            concurrency: 4,
            requests: 1,
            window: Duration::from_secs(5),
        });
        drop(throttle.enter(APP, "alice").unwrap());
        assert_eq!(
            throttle
                .enter(APP, "alice")
                .unwrap_err()
                .retry_after_seconds,
            5.0
        );
    }

    #[test]
    fn refused_requests_do_not_count() {
        let throttle = Throttle::with_limits(Limits {
            concurrency: 1,
            requests: 2,
            window: Duration::from_secs(60),
        });
        let held = throttle.enter(APP, "alice").unwrap();
        for _ in 0..5 {
            assert_eq!(
                throttle.enter(APP, "alice").unwrap_err().message,
                CONCURRENCY_MESSAGE
            );
        }
        drop(held);
        assert!(
            throttle.enter(APP, "alice").is_ok(),
            "the second of two allowed requests"
        );
    }

    #[test]
    fn a_time_scale_shrinks_window_and_count_together() {
        let scaled = Limits::OUTLOOK.scaled(100.0);
        assert_eq!(
            scaled,
            Limits {
                concurrency: 4,
                requests: 100,
                window: Duration::from_secs(6)
            }
        );
        assert_eq!(Limits::OUTLOOK.scaled(1.0), Limits::OUTLOOK);
        assert_eq!(Limits::OUTLOOK.scaled(0.0), Limits::OUTLOOK);
        assert_eq!(Limits::OUTLOOK.scaled(1e9).requests, 1);
    }

    #[test]
    fn new_limits_apply_to_the_next_request() {
        let throttle = Throttle::new();
        let _first = throttle.enter(APP, "alice").unwrap();
        throttle.set_limits(Limits {
            concurrency: 1,
            ..Limits::OUTLOOK
        });
        assert!(throttle.enter(APP, "alice").is_err());
    }
}
