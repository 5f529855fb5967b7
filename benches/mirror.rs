//! The contact mirror's cost against the sandbox: a first run from empty and a second run
//! without changes, with Graph-like latency, reporting HTTP requests and wall time.
//!
//! `cargo bench -p exokit --bench mirror` (defaults: 50 users × 300 contacts, 40 ms per answer).
//! Two tenant shapes: `EXOKIT_BENCH_SHAPE=same` (every user holds the same contacts: the
//! scenario the original script was measured in, spec §7) and `generated` (the seed generator,
//! 30 % of each user's contacts shared with others, so the shared folder holds about 11,000).
//! Override with EXOKIT_BENCH_USERS, EXOKIT_BENCH_CONTACTS, EXOKIT_BENCH_OVERLAP,
//! EXOKIT_BENCH_LATENCY_MS.

use std::time::{Duration, Instant};

use exokit::auth::{Credential, Secret};
use exokit::mirror::apply::{ConfigSource, Invocation, StepSummary};
use exokit::ops::{Event, Operation, Record};
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::generate::{self, GenerateOptions};
use exokit_sandbox::{Options, Sandbox};

const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this is not a test.
    }
    let options = GenerateOptions {
        users: setting("EXOKIT_BENCH_USERS", 50),
        contacts: setting("EXOKIT_BENCH_CONTACTS", 300),
        overlap: setting("EXOKIT_BENCH_OVERLAP", 0.3),
        ..GenerateOptions::default()
    };
    let latency = Duration::from_millis(setting("EXOKIT_BENCH_LATENCY_MS", 40));
    let shape: String = setting("EXOKIT_BENCH_SHAPE", "same".to_string());
    let seed = match shape.as_str() {
        "same" => same_contacts(&options),
        _ => generate::seed(&options).expect("a valid generator setting"),
    };
    // The shared mailbox, by its object id in request paths.
    let hub_id = seed.tenants[0].users.iter().find(|u| u.mailbox == exokit_sandbox::seed::MailboxKind::Shared).expect("a shared mailbox").id.clone();
    let mut sandbox_options = Options::new(seed);
    sandbox_options.latency = latency;
    let sandbox = Sandbox::start(sandbox_options).expect("the sandbox starts");
    connect(sandbox.url());
    let shared = format!("allcontacts@{}", options.domain);
    match shape.as_str() {
        "same" => println!("mirror: {} users all holding the same {} contacts, {} ms latency", options.users, options.contacts, latency.as_millis()),
        _ => println!("mirror: {} users × {} contacts ({:.0} % shared), {} ms latency", options.users, options.contacts, options.overlap * 100.0, latency.as_millis()),
    }
    println!("| run | wall time | HTTP requests (client) | Graph requests incl. batch items (server) | 429s | created | updated | skipped | failed | throttle bound | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for run in ["first", "second"] {
        sandbox.state.clear_requests();
        let started = Instant::now();
        let events = Operation::start(exokit::mirror::apply::invoke(Invocation {
            source: ConfigSource::Parameters { shared_mailbox: shared.clone(), folder_name: None, users: Vec::new() },
            what_if: false,
            pass_thru: false,
        }))
        .wait();
        let wall = started.elapsed();
        let errors = events.iter().filter(|e| matches!(e, Event::Error { .. })).count();
        let summaries: Vec<StepSummary> =
            events.iter().filter_map(|e| if let Event::Record(Record::MirrorSummary(s)) = e { Some(s.clone()) } else { None }).collect();
        let sum = |f: fn(&StepSummary) -> u64| summaries.iter().map(f).sum::<u64>();
        let log = sandbox.state.requests();
        let server = log.iter().filter(|r| !r.path.ends_with("/$batch")).count();
        let throttled = log.iter().filter(|r| r.status == 429).count();
        // Outlook allows 10,000 requests per 10 minutes per mailbox: the shared mailbox's
        // requests at 16.7/s are the floor of a first sync.
        let hub_requests = log.iter().filter(|r| r.batch_item || !r.path.ends_with("/$batch")).filter(|r| r.path.contains(&hub_id)).count();
        println!(
            "| {run} | {:.1} s | {} | {} | {throttled} | {} | {} | {} | {} | {:.1} s | {} MB |",
            wall.as_secs_f64(),
            sum(|s| s.requests),
            server,
            sum(|s| s.totals.created as u64),
            sum(|s| s.totals.updated as u64),
            sum(|s| s.totals.skipped as u64),
            sum(|s| s.totals.failed as u64) + errors as u64,
            hub_requests as f64 / (10_000.0 / 600.0),
            peak_rss_mb(),
        );
    }
}

/// The generated tenant's users and apps, every user holding the same contacts.
fn same_contacts(options: &GenerateOptions) -> exokit_sandbox::Seed {
    let mut seed = generate::seed(&GenerateOptions { overlap: 0.0, ..options.clone() }).expect("a valid generator setting");
    let tenant = &mut seed.tenants[0];
    let shared: Vec<_> = (0..options.contacts)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "givenName": format!("Person{i}"), "surname": "Common", "displayName": format!("Person{i} Common"),
                "companyName": "Fabrikam", "emailAddresses": [{"address": format!("person{i}@fabrikam.example")}],
            }))
            .expect("a contact")
        })
        .collect();
    for user in tenant.users.iter_mut().filter(|u| !u.licenses.is_empty() && u.mailbox != exokit_sandbox::seed::MailboxKind::None) {
        user.contacts = shared.clone();
    }
    seed
}

/// This process's peak resident memory (the sandbox runs in it too), from /proc on Linux.
fn peak_rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or("n/a".into(), |kb| (kb / 1024).to_string())
}

fn connect(url: &str) {
    let options = ConnectOptions {
        tenant_id: "contoso.onmicrosoft.com".into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.into()),
        authority_host: Some(url.into()),
        exchange_endpoint: None,
        credential: Credential::ClientSecret(Secret::new(SECRET.into())),
        network: Default::default(),
    };
    let events = Operation::start(async move { session::connect(options).await.map(|_| ()) }).wait();
    assert!(!events.iter().any(|e| matches!(e, Event::Error { .. })), "{events:?}");
}
