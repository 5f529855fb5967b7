//! Request counters for tests and benchmarks: per route template, per mailbox, per status, and
//! per injected fault. Read with `GET /_sandbox/metrics`, reset with `DELETE`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

/// What one request contributes. `status` 0 means no answer (the connection was reset).
#[derive(Debug, Clone)]
pub struct Sample<'a> {
    pub method: &'a str,
    /// The matched route template, e.g. `/{version}/users/{user}/contacts`.
    pub route: &'a str,
    /// The `{user}` segment of a `/users/{user}/…` path, as sent.
    pub mailbox: Option<&'a str>,
    pub status: u16,
    pub fault: Option<String>,
    pub elapsed: Duration,
}

#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub count: u64,
    pub by_status: BTreeMap<String, u64>,
    /// Time spent answering, latency and faults included.
    pub total_ms: u64,
}

impl Counts {
    fn add(&mut self, status: u16, elapsed: Duration) {
        self.count += 1;
        *self.by_status.entry(status.to_string()).or_default() += 1;
        self.total_ms += elapsed.as_millis() as u64;
    }
}

/// The counters as served.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub total: u64,
    /// Seconds since the counters started or were last reset.
    pub elapsed_seconds: f64,
    pub by_status: BTreeMap<String, u64>,
    /// Keyed `METHOD template`.
    pub by_route: BTreeMap<String, Counts>,
    /// Keyed by the mailbox as the path named it (id or UPN, lower-cased).
    pub by_mailbox: BTreeMap<String, Counts>,
    /// Keyed by the fault's label (`503`, `reset`, `slow`…).
    pub faults: BTreeMap<String, u64>,
}

#[derive(Debug)]
struct Counters {
    since: Instant,
    total: u64,
    by_status: BTreeMap<String, u64>,
    by_route: BTreeMap<String, Counts>,
    by_mailbox: BTreeMap<String, Counts>,
    faults: BTreeMap<String, u64>,
}

impl Counters {
    fn new() -> Counters {
        Counters {
            since: Instant::now(),
            total: 0,
            by_status: BTreeMap::new(),
            by_route: BTreeMap::new(),
            by_mailbox: BTreeMap::new(),
            faults: BTreeMap::new(),
        }
    }
}

#[derive(Debug)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            counters: Mutex::new(Counters::new()),
        }
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    pub fn record(&self, sample: Sample<'_>) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        c.total += 1;
        *c.by_status.entry(sample.status.to_string()).or_default() += 1;
        c.by_route
            .entry(format!("{} {}", sample.method, sample.route))
            .or_default()
            .add(sample.status, sample.elapsed);
        if let Some(mailbox) = sample.mailbox {
            c.by_mailbox
                .entry(mailbox.to_ascii_lowercase())
                .or_default()
                .add(sample.status, sample.elapsed);
        }
        if let Some(fault) = sample.fault {
            *c.faults.entry(fault).or_default() += 1;
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        Snapshot {
            total: c.total,
            elapsed_seconds: c.since.elapsed().as_secs_f64(),
            by_status: c.by_status.clone(),
            by_route: c.by_route.clone(),
            by_mailbox: c.by_mailbox.clone(),
            faults: c.faults.clone(),
        }
    }

    pub fn reset(&self) {
        *self.counters.lock().unwrap_or_else(|p| p.into_inner()) = Counters::new();
    }
}

/// The mailbox a path addresses: the `{user}` of `/{version}/users/{user}/…` when something
/// follows it (a mailbox resource, not the user object), percent-decoded.
pub fn mailbox_of(path: &str) -> Option<String> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let _version = segments.next()?;
    if !segments.next()?.eq_ignore_ascii_case("users") {
        return None;
    }
    let user = segments.next()?;
    segments.next()?;
    Some(percent_decode(user))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(route: &'a str, mailbox: Option<&'a str>, status: u16) -> Sample<'a> {
        Sample {
            method: "GET",
            route,
            mailbox,
            status,
            fault: None,
            elapsed: Duration::from_millis(2),
        }
    }

    #[test]
    fn counts_per_route_mailbox_and_status_and_resets() {
        let metrics = Metrics::new();
        metrics.record(sample(
            "/{version}/users/{user}/contacts",
            Some("Alice@x"),
            200,
        ));
        metrics.record(sample(
            "/{version}/users/{user}/contacts",
            Some("alice@x"),
            429,
        ));
        metrics.record(Sample {
            fault: Some("503".into()),
            ..sample("/{version}/users", None, 503)
        });
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.total, 3);
        assert_eq!(snapshot.by_status["429"], 1);
        let route = &snapshot.by_route["GET /{version}/users/{user}/contacts"];
        assert_eq!(
            (route.count, route.by_status["200"], route.total_ms),
            (2, 1, 4)
        );
        assert_eq!(snapshot.by_mailbox["alice@x"].count, 2);
        assert_eq!(snapshot.faults["503"], 1);
        metrics.reset();
        assert_eq!(metrics.snapshot().total, 0);
    }

    #[test]
    fn the_mailbox_is_the_user_segment_of_a_mailbox_path() {
        assert_eq!(
            mailbox_of("/v1.0/users/alice%40contoso.com/contacts").as_deref(),
            Some("alice@contoso.com")
        );
        assert_eq!(
            mailbox_of("/v1.0/users/a1/contactFolders/x/contacts").as_deref(),
            Some("a1")
        );
        assert_eq!(mailbox_of("/v1.0/users/a1"), None);
        assert_eq!(mailbox_of("/v1.0/users"), None);
        assert_eq!(mailbox_of("/v1.0/groups/g/members"), None);
    }
}
