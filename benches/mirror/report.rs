//! The mirror benchmark's pure parts: what a run's request log adds up to, the throttle bound and
//! the table's rows. No I/O, so `tests/bench_report.rs` checks them without a sandbox.

/// Outlook allows 10,000 requests per 10 minutes per app and mailbox: 16.7 a second, sustained.
pub const OUTLOOK_RATE: f64 = 10_000.0 / 600.0;

/// One line of the sandbox's request log, as `/_sandbox/requests` serves it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    pub status: u16,
    pub batch_item: bool,
}

/// What one run cost, as the sandbox saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    /// Graph requests, each `$batch` item counted one (Graph's throttling counts them so).
    pub graph: u64,
    /// Round trips on a connection: a `$batch` is one, its items none.
    pub round_trips: u64,
    pub throttled: u64,
    /// Contact writes Graph accepted (POST, PATCH, DELETE under `/contacts` or `/contactFolders`,
    /// answered 2xx: a throttled attempt is counted in `throttled`, not here), all mailboxes.
    pub writes: u64,
    /// Of those, to the shared (hub) mailbox: a first sync's floor is these ÷ 16.7/s.
    pub hub_writes: u64,
    /// Requests (batch items one each) to the mailbox that got the most: with every mailbox held
    /// to 16.7/s, the real floor of a run is these ÷ 16.7/s, whichever mailbox it is.
    pub busiest_mailbox: u64,
    /// Folder reads: GETs of a contact list or delta round (a contact by id is not one).
    pub folder_reads: u64,
    /// Of those, asking for pages of 1,000 (`$top=1000`).
    pub folder_reads_top_1000: u64,
}

/// Adds up a run's log. `hub` are the ways a path may name the shared mailbox (id, address).
pub fn count(log: &[LogEntry], hub: &[String]) -> Counts {
    let mut counts = Counts::default();
    let mut per_mailbox: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for entry in log {
        if let Some(mailbox) = mailbox_of(&entry.path) {
            *per_mailbox.entry(mailbox.to_ascii_lowercase()).or_default() += 1;
        }
        let envelope = entry.path.ends_with("/$batch");
        counts.round_trips += u64::from(!entry.batch_item);
        counts.graph += u64::from(!envelope);
        counts.throttled += u64::from(entry.status == 429);
        if is_folder_read(entry) {
            counts.folder_reads += 1;
            counts.folder_reads_top_1000 += u64::from(entry.query.as_deref().is_some_and(|q| q.split('&').any(|p| p == "$top=1000" || p == "%24top=1000")));
        }
        if !envelope && is_contact_write(entry) && (200..300).contains(&entry.status) {
            counts.writes += 1;
            let path = entry.path.to_ascii_lowercase();
            counts.hub_writes += u64::from(hub.iter().any(|h| path.contains(&format!("/users/{}/", h.to_ascii_lowercase()))));
        }
    }
    counts.busiest_mailbox = per_mailbox.values().copied().max().unwrap_or(0);
    counts
}

/// The `{user}` of a `/users/{user}/…` path: requests to a mailbox, not to the directory.
fn mailbox_of(path: &str) -> Option<&str> {
    let (_, rest) = path.split_once("/users/")?;
    let (mailbox, _) = rest.split_once('/')?;
    Some(mailbox)
}

fn is_folder_read(entry: &LogEntry) -> bool {
    entry.method == "GET" && (entry.path.ends_with("/contacts") || entry.path.ends_with("/contacts/delta"))
}

fn is_contact_write(entry: &LogEntry) -> bool {
    matches!(entry.method.as_str(), "POST" | "PATCH" | "DELETE") && (entry.path.contains("/contacts") || entry.path.contains("/contactFolders"))
}

/// Seconds a first sync needs at least: its hub writes at `rate` a second.
pub fn throttle_bound(hub_writes: u64, rate: f64) -> f64 {
    hub_writes as f64 / rate
}

/// The sandbox's per-mailbox limit for a benchmark `speedup` times faster than Outlook's rate,
/// with a 10-second window so the limit binds from the first seconds on (Outlook's own 10-minute
/// window would let a whole 300 × 1,500 first sync through as one burst): (requests, window s).
pub fn sandbox_limit(speedup: f64) -> (u64, u64) {
    let window = 10;
    ((OUTLOOK_RATE * speedup * window as f64).round().max(1.0) as u64, window)
}

/// A scenario's name as given on the command line: `50x300`.
pub fn parse_scenario(text: &str) -> Result<(usize, usize), String> {
    let (users, contacts) = text.trim().split_once('x').ok_or_else(|| format!("scenario {text:?}: expected USERSxCONTACTS, e.g. 50x300"))?;
    let number = |part: &str| part.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("scenario {text:?}: {part:?} is not a positive number"));
    Ok((number(users)?, number(contacts)?))
}

/// One run as measured: what the sandbox counted, what the mirror said, the child's peak memory.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub scenario: String,
    pub run: String,
    pub counts: Counts,
    pub wall_s: f64,
    /// CPU time of the run (user + system, every thread of the child process, the connection
    /// before the run not included).
    pub cpu_s: f64,
    pub peak_rss_kb: u64,
    pub failed: u64,
    /// Writes a run should make (first sync: none stated; after changes: changed × targets).
    pub expected_writes: Option<u64>,
    /// First sync only: (hub writes, busiest mailbox's requests) at the benchmark's rate.
    pub bound_s: Option<(f64, f64)>,
}

pub const HEADER: &str = "| scenario | run | Graph requests | HTTP round trips | 429s | writes (expected) | folder reads (with $top=1000) | failed | wall time, measured | CPU (user+sys) | throttle bound: hub writes / busiest mailbox | wall ÷ hub bound | peak RSS (ExoKit) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|";

impl Row {
    pub fn markdown(&self) -> String {
        let c = &self.counts;
        let writes = match self.expected_writes {
            Some(expected) => format!("{} ({expected})", c.writes),
            None => c.writes.to_string(),
        };
        let (bound, ratio) = match self.bound_s {
            Some((hub, busiest)) => (format!("{hub:.1} s / {busiest:.1} s"), if hub > 0.0 { format!("{:.2}", self.wall_s / hub) } else { "—".into() }),
            None => ("—".into(), "—".into()),
        };
        format!(
            "| {} | {} | {} | {} | {} | {writes} | {} ({}) | {} | {:.1} s | {:.2} s | {bound} | {ratio} | {:.0} MB |",
            self.scenario,
            self.run,
            c.graph,
            c.round_trips,
            c.throttled,
            c.folder_reads,
            c.folder_reads_top_1000,
            self.failed,
            self.wall_s,
            self.cpu_s,
            self.peak_rss_kb as f64 / 1024.0
        )
    }
}

/// `VmHWM` (peak resident set) from a `/proc/<pid>/status` text, in kB.
pub fn peak_rss_kb(status: &str) -> Option<u64> {
    status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// The line under a scenario's rows: what the changed run cost beyond the steady one (issue 19's
/// target: CPU at most 2 s more).
pub fn beyond_steady(steady: &Row, changed: &Row) -> String {
    format!(
        "{}: the run after changes took {:.2} s of CPU and {:.1} s of wall time beyond the steady run ({:.2} s, {:.1} s).",
        changed.scenario,
        changed.cpu_s - steady.cpu_s,
        changed.wall_s - steady.wall_s,
        steady.cpu_s,
        steady.wall_s
    )
}
