//! The contact mirror's cost against the sandbox, measured the same way every time:
//! `cargo bench -p exokit --bench mirror` (or `cargo xtask bench`, which runs it too).
//!
//! Per scenario (users × contacts, every user holding the same contacts: 100 % overlap, the
//! shape the original script was measured in, spec §7) the runs are: a first sync with a state
//! file, a second run (reads back the first run's own writes), the steady state with the state,
//! the steady state without it, and a run after 1 % of one user's contacts changed.
//!
//! Memory is ExoKit's alone: the sandbox is the `exokit-sandbox` binary in its own process, and
//! every run is a child process of this one that reports its own peak RSS (VmHWM).
//!
//! Time scale: the sandbox holds every mailbox to Outlook's sustained rate (16.7 requests/s) over a
//! 10-second window instead of 10 minutes, so the rate binds from the first second (Outlook's own
//! window would let a whole first sync through as one burst) and the suite takes minutes.
//! Settings: EXOKIT_BENCH_SCENARIOS (default `50x300,300x300,300x1500`; empty: none), EXOKIT_BENCH_SPEEDUP (the
//! sandbox's per-mailbox rate as a multiple of Outlook's, default 1: times are then measured at
//! Outlook's rate; the bounds are at the benchmark's rate), EXOKIT_SANDBOX_EXE
//! (default: `exokit-sandbox` next to the target directory's profile folder).

#[path = "mirror/report.rs"]
mod report;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use exokit::auth::{Credential, Secret};
use exokit::mirror::apply::{ConfigSource, Invocation, StepSummary};
use exokit::ops::{Event, Operation, Record};
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::generate::{self, GenerateOptions};
use report::{Counts, LogEntry, Row};
use serde_json::{Value, json};

const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";
/// 40 ms on average, uniformly jittered.
const LATENCY: &str = "30ms..50ms";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; this is not a test.
    }
    let result = match args.get(1).map(String::as_str) {
        Some("--child") => child::run(&args[2..]),
        Some("--touch") => child::touch(&args[2..]),
        _ => parent(),
    };
    if let Err(message) = result {
        eprintln!("mirror bench: {message}");
        std::process::exit(1);
    }
}

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.into())
}

fn parent() -> Result<(), String> {
    let speedup: f64 = setting("EXOKIT_BENCH_SPEEDUP", "1").parse().map_err(|_| "EXOKIT_BENCH_SPEEDUP: not a number".to_string())?;
    let scenarios = setting("EXOKIT_BENCH_SCENARIOS", "50x300,300x300,300x1500");
    let scenarios = scenarios.split(',').filter(|s| !s.trim().is_empty()).map(report::parse_scenario).collect::<Result<Vec<_>, _>>()?;
    let (requests, window) = report::sandbox_limit(speedup);
    println!(
        "mirror: sandbox {LATENCY} latency, Outlook limits: 4 in flight, {requests} requests per {window} s per mailbox ({speedup}× Outlook's 16.7/s); every user holds the same contacts"
    );
    println!("{}", report::HEADER);
    let mut notes = Vec::new();
    for (users, contacts) in scenarios {
        let rows = scenario(users, contacts, speedup)?;
        for row in &rows {
            println!("{}", row.markdown());
        }
        if let (Some(steady), Some(changed)) = (rows.iter().find(|r| r.run == "steady, with state"), rows.last()) {
            notes.push(report::beyond_steady(steady, changed));
        }
    }
    for note in notes {
        println!("\n{note}");
    }
    Ok(())
}

/// One tenant shape, all its runs, against one sandbox process.
fn scenario(users: usize, contacts: usize, speedup: f64) -> Result<Vec<Row>, String> {
    let work = std::env::temp_dir().join(format!("exokit-bench-{}-{users}x{contacts}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let options = GenerateOptions { users, contacts, overlap: 0.0, ..GenerateOptions::default() };
    let seed = same_contacts(&options)?;
    let hub = hub_names(&seed, &options.domain)?;
    let source = first_user(&seed)?;
    let seed_file = work.join("seed.json");
    std::fs::write(&seed_file, serde_json::to_vec(&seed).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    drop(seed);
    let (mut sandbox, url) = start_sandbox(&seed_file, speedup)?;
    let state = work.join("state.sqlite");
    let name = format!("{users} × {contacts}");
    let mut rows = Vec::new();
    let measure = |run: &str, state: Option<&Path>, expected: Option<u64>| -> Result<Row, String> {
        let mut row = run_child(&url, state, &hub)?;
        row.scenario = name.clone();
        row.run = run.into();
        row.expected_writes = expected;
        Ok(row)
    };
    let mut first = measure("first sync (state)", Some(&state), None)?;
    let rate = report::OUTLOOK_RATE * speedup;
    first.bound_s = Some((report::throttle_bound(first.counts.hub_writes, rate), report::throttle_bound(first.counts.busiest_mailbox, rate)));
    rows.push(first);
    rows.push(measure("second (reads own writes, state)", Some(&state), None)?);
    rows.push(measure("steady, with state", Some(&state), Some(0))?);
    rows.push(measure("steady, without state", None, Some(0))?);
    // 1 % of the contacts change in one user's mailbox; each is held by the hub and every other
    // user, so it has `users` targets.
    let changed = (contacts as u64).div_ceil(100);
    touch(&url, &source, changed)?;
    let after = measure(&format!("after {changed} changed (1 %), state"), Some(&state), Some(changed * users as u64))?;
    rows.push(after);
    drop(sandbox.stdin.take()); // --stop-on-stdin-eof
    let _ = sandbox.wait();
    let _ = std::fs::remove_dir_all(&work);
    Ok(rows)
}

fn sandbox_exe() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("EXOKIT_SANDBOX_EXE") {
        return Ok(path.into());
    }
    // target/<profile>/deps/mirror-<hash> → target/<profile>/exokit-sandbox
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let exe = me.parent().and_then(Path::parent).map(|p| p.join(format!("exokit-sandbox{}", std::env::consts::EXE_SUFFIX)));
    exe.filter(|p| p.is_file()).ok_or_else(|| "no exokit-sandbox binary: run `cargo build --release -p exokit-sandbox` or set EXOKIT_SANDBOX_EXE".into())
}

fn start_sandbox(seed: &Path, speedup: f64) -> Result<(Child, String), String> {
    let (requests, window) = report::sandbox_limit(speedup);
    let mut child = Command::new(sandbox_exe()?)
        .arg("--seed")
        .arg(seed)
        .args(["--latency", LATENCY, "--fault-seed", "1", "--stop-on-stdin-eof"])
        .args(["--mailbox-requests", &requests.to_string(), "--mailbox-window", &format!("{window}s")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let mut banner = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut banner).map_err(|e| e.to_string())?;
    let banner: Value = serde_json::from_str(&banner).map_err(|_| format!("the sandbox printed {banner:?}, not its banner"))?;
    let url = banner["baseUrl"].as_str().ok_or("the sandbox's banner has no baseUrl")?.to_string();
    Ok((child, url))
}

/// One mirror run in a child process (this binary with `--child`): its own memory, nothing else's.
fn run_child(url: &str, state: Option<&Path>, hub: &[String]) -> Result<Row, String> {
    let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    command.args(["--child", url, &hub.join(",")]);
    if let Some(state) = state {
        command.arg(state);
    }
    let output = command.stderr(Stdio::inherit()).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    let value: Value = serde_json::from_str(line).map_err(|_| format!("the run printed {text:?}, not its figures"))?;
    Ok(Row {
        counts: serde_json::from_value(value["counts"].clone()).map_err(|e| e.to_string())?,
        wall_s: value["wall_s"].as_f64().unwrap_or_default(),
        cpu_s: value["cpu_s"].as_f64().unwrap_or_default(),
        peak_rss_kb: value["peak_rss_kb"].as_u64().unwrap_or_default(),
        failed: value["failed"].as_u64().unwrap_or_default(),
        ..Row::default()
    })
}

fn touch(url: &str, user: &str, count: u64) -> Result<(), String> {
    let status = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .args(["--touch", url, user, &count.to_string()])
        .status()
        .map_err(|e| e.to_string())?;
    status.success().then_some(()).ok_or_else(|| "changing contacts failed".into())
}

/// The generated tenant (as seed JSON), every licensed user with a mailbox holding the same contacts.
fn same_contacts(options: &GenerateOptions) -> Result<Value, String> {
    let mut seed = generate::json(options).map_err(|e| e.to_string())?;
    let shared: Vec<Value> = (0..options.contacts)
        .map(|i| {
            json!({
                "givenName": format!("Person{i}"), "surname": "Common", "displayName": format!("Person{i} Common"),
                "companyName": "Fabrikam", "emailAddresses": [{"address": format!("person{i}@fabrikam.example")}],
            })
        })
        .collect();
    for user in users_mut(&mut seed).filter(|u| is_licensed_user(u)) {
        user["contacts"] = Value::Array(shared.clone());
    }
    Ok(seed)
}

fn users_mut(seed: &mut Value) -> impl Iterator<Item = &mut Value> {
    seed["tenants"][0]["users"].as_array_mut().into_iter().flatten()
}

fn is_licensed_user(user: &Value) -> bool {
    user["licenses"].as_array().is_some_and(|l| !l.is_empty()) && user["mailbox"].as_str().unwrap_or("user") == "user" && user.get("contacts").is_some()
}

fn first_user(seed: &Value) -> Result<String, String> {
    let users = seed["tenants"][0]["users"].as_array().ok_or("the seed has no users")?;
    let user = users.iter().find(|u| is_licensed_user(u)).ok_or("the seed has no licensed user with contacts")?;
    Ok(user["userPrincipalName"].as_str().unwrap_or_default().to_string())
}

/// The shared mailbox as request paths may name it: its id and its address.
fn hub_names(seed: &Value, domain: &str) -> Result<Vec<String>, String> {
    let address = format!("allcontacts@{domain}");
    let users = seed["tenants"][0]["users"].as_array().ok_or("the seed has no users")?;
    let hub = users.iter().find(|u| u["mailbox"] == "shared").ok_or("the seed has no shared mailbox")?;
    Ok(vec![hub["id"].as_str().unwrap_or_default().to_string(), address])
}

/// What runs in the child process.
mod child {
    use super::*;

    /// `--child URL HUB[,HUB] [STATE]`: one mirror run; prints its figures as one JSON line.
    pub fn run(args: &[String]) -> Result<(), String> {
        let [url, hub, rest @ ..] = args else { return Err("usage: --child URL HUB [STATE]".into()) };
        let hub: Vec<String> = hub.split(',').map(str::to_string).collect();
        let state = rest.first().map(PathBuf::from);
        connect(url)?;
        control(url, reqwest::Method::DELETE)?;
        let started = Instant::now();
        let cpu_before = cpu_seconds();
        let events = Operation::start(exokit::mirror::apply::invoke(Invocation {
            source: ConfigSource::Parameters { shared_mailbox: hub[1].clone(), folder_name: None, users: Vec::new() },
            what_if: false,
            pass_thru: false,
            state,
            deletes: Default::default(),
            full: false,
        }))
        .wait();
        let wall_s = started.elapsed().as_secs_f64();
        let cpu_s = cpu_seconds() - cpu_before;
        // Read before the log is fetched: the figure is the mirror's, not the harness's.
        let peak_rss_kb = std::fs::read_to_string("/proc/self/status").ok().as_deref().and_then(report::peak_rss_kb).unwrap_or(0);
        for event in &events {
            if let Event::Error { .. } = event {
                eprintln!("mirror bench: the run reported {event:?}");
            }
        }
        let errors = events.iter().filter(|e| matches!(e, Event::Error { .. })).count() as u64;
        let failed: u64 = events
            .iter()
            .filter_map(|e| if let Event::Record(Record::MirrorSummary(s)) = e { Some(s) } else { None })
            .map(|s: &StepSummary| s.totals.failed as u64)
            .sum();
        let log: Vec<LogEntry> = serde_json::from_str(&control(url, reqwest::Method::GET)?).map_err(|e| format!("the request log: {e}"))?;
        let counts: Counts = report::count(&log, &hub);
        println!("{}", json!({ "counts": counts, "wall_s": wall_s, "cpu_s": cpu_s, "peak_rss_kb": peak_rss_kb, "failed": failed + errors }));
        Ok(())
    }

    /// This process's CPU time so far, user + system, all threads.
    fn cpu_seconds() -> f64 {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return 0.0;
        }
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `--touch URL USER N`: changes the company of N of USER's contacts (through Graph).
    pub fn touch(args: &[String]) -> Result<(), String> {
        let [url, user, count] = args else { return Err("usage: --touch URL USER N".into()) };
        let count: usize = count.parse().map_err(|_| "N: not a number".to_string())?;
        connect(url)?;
        let user = user.clone();
        let events = Operation::start(async move {
            let session = session::current()?;
            let list = exokit::contacts::list(&session.graph, &user, None, "id").await?;
            let stamp = chrono::Utc::now().timestamp();
            let requests: Vec<_> = list
                .iter()
                .take(count)
                .filter_map(|c| c["id"].as_str())
                .map(|id| exokit::contacts::update_request(&user, id, json!({ "companyName": format!("Fabrikam {stamp}") })))
                .collect();
            for answer in exokit::contacts::send_all(&session.graph, &user, &requests).await {
                answer?;
            }
            Ok(())
        })
        .wait();
        match events.iter().find(|e| matches!(e, Event::Error { .. })) {
            Some(error) => Err(format!("{error:?}")),
            None => Ok(()),
        }
    }

    /// The sandbox's request log: cleared (DELETE) or read (GET).
    fn control(url: &str, method: reqwest::Method) -> Result<String, String> {
        let address = format!("{url}/_sandbox/requests");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let answer = reqwest::Client::new().request(method, &address).send().await.map_err(|e| e.to_string())?;
            answer.error_for_status().map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())
        })
    }

    fn connect(url: &str) -> Result<(), String> {
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
        match events.iter().find(|e| matches!(e, Event::Error { .. })) {
            Some(error) => Err(format!("cannot connect: {error:?}")),
            None => Ok(()),
        }
    }
}

