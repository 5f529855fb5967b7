//! The mirror benchmark's pure parts (`benches/mirror/report.rs`): what its table says is what
//! the request log holds. Not a timed test: no number here depends on the machine.

#[path = "../benches/mirror/report.rs"]
#[allow(dead_code)]
mod report;

use report::{LogEntry, Row};

fn entry(method: &str, path: &str, status: u16, batch_item: bool) -> LogEntry {
    LogEntry { method: method.into(), path: path.into(), query: None, status, batch_item }
}

#[test]
fn batch_items_count_as_graph_requests_and_envelopes_as_round_trips() {
    let log = vec![
        entry("POST", "/contoso/oauth2/v2.0/token", 200, false),
        entry("POST", "/v1.0/$batch", 200, false),
        entry("POST", "/v1.0/users/hub-id/contactFolders/f1/contacts", 201, true),
        entry("POST", "/v1.0/users/hub-id/contactFolders/f1/contacts", 429, true),
        entry("PATCH", "/v1.0/users/user-1/contacts/c1", 200, true),
        entry("GET", "/v1.0/users/user-1/contacts", 429, false),
        entry("GET", "/v1.0/users/AllContacts@contoso.example/contactFolders", 200, false),
    ];
    let mut log = log;
    log.push(LogEntry { query: Some("$select=id&$top=1000".into()), ..entry("GET", "/v1.0/users/user-2/contacts", 200, false) });
    log.push(LogEntry { query: Some("$top=100".into()), ..entry("GET", "/v1.0/users/user-3/contacts", 200, false) });
    log.push(entry("GET", "/v1.0/users/user-3/contacts/c9", 200, true));
    let counts = report::count(&log, &["hub-id".into(), "allcontacts@contoso.example".into()]);
    assert_eq!(counts.graph, 9, "the envelope is not a Graph request; its items are");
    assert_eq!(counts.round_trips, 6, "the items rode on the envelope's connection");
    assert_eq!((counts.folder_reads, counts.folder_reads_top_1000), (3, 1), "a contact by id is no folder read");
    assert_eq!(counts.throttled, 2);
    assert_eq!(counts.writes, 2, "POST and PATCH under /contacts answered 2xx; a 429 or a GET is no write");
    assert_eq!(counts.hub_writes, 1);
    assert_eq!(counts.busiest_mailbox, 2, "hub-id, user-1 and user-3 got 2 each; AllContacts@ is counted apart, as sent");
}

#[test]
fn the_throttle_bound_is_hub_writes_at_outlooks_rate() {
    assert!((report::throttle_bound(1_500, report::OUTLOOK_RATE) - 90.0).abs() < 1e-9);
    let (requests, window) = report::sandbox_limit(10.0);
    assert_eq!((requests, window), (1_667, 10), "ten times 16.7/s over a 10-second window");
}

#[test]
fn scenarios_parse_or_say_what_is_wrong() {
    assert_eq!(report::parse_scenario("300x1500"), Ok((300, 1_500)));
    let error = report::parse_scenario("300by1500").unwrap_err();
    assert!(error.contains("300by1500") && error.contains("USERSxCONTACTS"), "{error}");
    assert!(report::parse_scenario("0x10").unwrap_err().contains("\"0\""));
}

#[test]
fn peak_rss_is_read_from_vmhwm() {
    let status = "Name:\tmirror\nVmPeak:\t  900000 kB\nVmHWM:\t   123456 kB\nVmRSS:\t   100000 kB\n";
    assert_eq!(report::peak_rss_kb(status), Some(123_456));
    assert_eq!(report::peak_rss_kb("Name:\tx\n"), None);
}

#[test]
fn a_row_shows_writes_against_the_expected_and_the_ratio_to_the_bound() {
    let row = Row {
        scenario: "50 × 300".into(),
        run: "first sync".into(),
        counts: report::Counts { graph: 656, round_trips: 86, throttled: 3, writes: 600, hub_writes: 300, busiest_mailbox: 900, folder_reads: 51, folder_reads_top_1000: 50 },
        wall_s: 4.5,
        cpu_s: 1.25,
        peak_rss_kb: 40 * 1024,
        failed: 0,
        expected_writes: Some(600),
        bound_s: Some((1.8, 5.4)),
    };
    assert_eq!(row.markdown(), "| 50 × 300 | first sync | 656 | 86 | 3 | 600 (600) | 51 (50) | 0 | 4.5 s | 1.25 s | 1.8 s / 5.4 s | 2.50 | 40 MB |");
    assert_eq!(row.markdown().matches('|').count(), report::HEADER.lines().next().unwrap().matches('|').count());
}

#[test]
fn the_changed_run_is_told_against_the_steady_one() {
    let steady = Row { scenario: "300 × 1500".into(), wall_s: 1.5, cpu_s: 0.4, ..Row::default() };
    let changed = Row { scenario: "300 × 1500".into(), wall_s: 3.0, cpu_s: 1.15, ..Row::default() };
    assert_eq!(
        report::beyond_steady(&steady, &changed),
        "300 × 1500: the run after changes took 0.75 s of CPU and 1.5 s of wall time beyond the steady run (0.40 s, 1.5 s)."
    );
}
