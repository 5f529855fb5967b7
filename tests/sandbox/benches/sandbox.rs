//! The sandbox's numbers: how long a large seed takes to make, parse and load, and how many
//! simple GETs per second it serves to keep-alive clients with no latency injected.
//!
//! `cargo bench -p exokit-sandbox --bench sandbox` (release profile). Knobs, as environment
//! variables: `EXOKIT_BENCH_USERS` (300), `EXOKIT_BENCH_CONTACTS` (1500 per user),
//! `EXOKIT_BENCH_SECONDS` (3 per row), `EXOKIT_BENCH_CLIENTS` (`1,8,32`), `EXOKIT_BENCH_ONLY`
//! (measure only routes whose label contains this text, e.g. `contacts`, for profiling).
//!
//! Targets: the seed loads (read + parse + start) in under 5 s; the sandbox serves at least
//! 5,000 authenticated Graph GETs/s. The load generator runs in this process on one thread, so
//! it shares the machine's cores with the sandbox's two workers.

#[path = "support/http.rs"]
mod http;
#[path = "support/throughput.rs"]
mod throughput;

use std::time::{Duration, Instant};

use exokit_sandbox::generate::{self, GenerateOptions};
use exokit_sandbox::{Options, Sandbox, Seed};

const LOAD_TARGET: Duration = Duration::from_secs(5);
const GETS_TARGET: f64 = 5000.0;

struct Knobs {
    users: usize,
    contacts: usize,
    seconds: f64,
    clients: Vec<usize>,
    only: Option<String>,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("bench sandbox: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let knobs = knobs()?;
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "ExoKit sandbox benchmark ({} build, {cpus} CPUs)",
        if cfg!(debug_assertions) {
            "DEBUG"
        } else {
            "release"
        }
    );
    let (sandbox, user_ids) = load(&knobs)?;
    measure(&sandbox, &user_ids, &knobs)
}

fn knobs() -> Result<Knobs, String> {
    fn var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
        match std::env::var(name) {
            Ok(text) => text
                .trim()
                .parse()
                .map_err(|_| format!("{name}='{text}' is not a valid number")),
            Err(_) => Ok(default),
        }
    }
    let clients = std::env::var("EXOKIT_BENCH_CLIENTS").unwrap_or_else(|_| "1,8,32".into());
    let clients = clients
        .split(',')
        .map(|c| c.trim().parse::<usize>().ok().filter(|n| *n > 0))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            format!(
                "EXOKIT_BENCH_CLIENTS='{clients}' is not a list of positive numbers such as 1,8,32"
            )
        })?;
    let seconds: f64 = var("EXOKIT_BENCH_SECONDS", 3.0)?;
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!(
            "EXOKIT_BENCH_SECONDS must be positive, not {seconds}"
        ));
    }
    Ok(Knobs {
        users: var("EXOKIT_BENCH_USERS", 300)?,
        contacts: var("EXOKIT_BENCH_CONTACTS", 1500)?,
        seconds,
        clients,
        only: std::env::var("EXOKIT_BENCH_ONLY").ok(),
    })
}

/// Generates the seed, writes it to a file, then times what the binary does with `--seed`:
/// read and parse the file, then build the state and start serving.
fn load(knobs: &Knobs) -> Result<(Sandbox, Vec<String>), String> {
    let options = GenerateOptions {
        users: knobs.users,
        contacts: knobs.contacts,
        seed: 7,
        ..Default::default()
    };
    let (value, generate_time) = timed(|| generate::json(&options));
    let value = value.map_err(|e| e.to_string())?;
    let (text, serialise_time) = timed(|| serde_json::to_vec(&value));
    let text = text.map_err(|e| e.to_string())?;
    drop(value);
    let path = std::env::temp_dir().join(format!("exokit-bench-seed-{}.json", std::process::id()));
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let size = text.len();
    drop(text);
    let binary = start_binary(&path);
    let (seed, parse_time) = timed(|| Seed::from_file(&path));
    std::fs::remove_file(&path).ok();
    let seed = seed.map_err(|e| e.to_string())?;
    let user_ids = licensed_ids(&seed);
    let (sandbox, start_time) = timed(|| Sandbox::start(Options::new(seed)));
    let sandbox = sandbox.map_err(|e| format!("the sandbox does not start: {e}"))?;
    let total = parse_time + start_time;
    println!();
    println!(
        "seed: {} users × {} contacts ({} contacts, overlap {}), {:.1} MB of JSON",
        knobs.users,
        knobs.contacts,
        knobs.users * knobs.contacts,
        options.overlap,
        size as f64 / 1e6
    );
    row(
        "generate (exokit_sandbox::generate::json)",
        generate_time,
        "",
    );
    row("serialise to JSON text", serialise_time, "");
    row("read + parse the file (Seed::from_file)", parse_time, "");
    row("Sandbox::start (state load, bind)", start_time, "");
    let verdict = if total < LOAD_TARGET {
        "meets < 5 s"
    } else {
        "MISSES < 5 s"
    };
    row("load = read + parse + start", total, verdict);
    match binary {
        Ok((took, peak)) => {
            let verdict = if took < LOAD_TARGET {
                "meets < 5 s"
            } else {
                "MISSES < 5 s"
            };
            row("exokit-sandbox --seed FILE, until it serves", took, verdict);
            if let Some(peak) = peak {
                println!("  (its peak resident memory: {peak:.0} MB)");
            }
        }
        Err(message) => println!("  exokit-sandbox --seed FILE: {message}"),
    }
    if let Some(peak) = peak_memory_mb() {
        println!("  peak resident memory so far: {peak:.0} MB");
    }
    Ok((sandbox, user_ids))
}

/// Times the `exokit-sandbox` binary from spawn to its banner line (printed once it serves),
/// in a fresh process as a user would start it, then stops it.
fn start_binary(seed: &std::path::Path) -> Result<(Duration, Option<f64>), String> {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_exokit-sandbox");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("--seed")
        .arg(seed)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {exe}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no standard output")?;
    let mut banner = String::new();
    let read = std::io::BufReader::new(stdout).read_line(&mut banner);
    let took = started.elapsed();
    let peak = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map(|kb| kb / 1024.0);
    let _ = child.kill(); // the child this function started, by its handle
    let _ = child.wait();
    match read {
        Ok(n) if n > 0 && banner.contains("baseUrl") => Ok((took, peak)),
        _ => Err(format!(
            "no banner from {exe} (it printed '{}')",
            banner.trim()
        )),
    }
}

fn licensed_ids(seed: &Seed) -> Vec<String> {
    let users = seed
        .tenants
        .first()
        .map(|t| t.users.as_slice())
        .unwrap_or_default();
    users
        .iter()
        .filter(|u| !u.licenses.is_empty() && !u.contacts.is_empty())
        .map(|u| u.id.clone())
        .collect()
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = work();
    (out, start.elapsed())
}

fn row(what: &str, took: Duration, note: &str) {
    println!("  {what:<44} {:>8.3} s  {note}", took.as_secs_f64());
}

/// `VmHWM` of this process (Linux), in MB.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One measured route: its label and one request per client (a client may rotate through
/// several, e.g. over users).
struct Route {
    label: String,
    requests: Vec<Vec<u8>>,
}

fn measure(sandbox: &Sandbox, user_ids: &[String], knobs: &Knobs) -> Result<(), String> {
    let address = sandbox.url().trim_start_matches("http://").to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let tenant = sandbox
        .state
        .tenants
        .first()
        .ok_or("the sandbox has no tenant")?
        .id
        .clone();
    let token = runtime.block_on(throughput::token(&address, &tenant))?;
    let user = user_ids.first().ok_or("the seed has no licensed user")?;
    let routes = [
        Route {
            label: "GET /_sandbox/health (no auth, no Graph)".into(),
            requests: vec![http::get("/_sandbox/health", None)],
        },
        Route {
            label: "GET /beta/roleManagement/exchange/roleDefinitions".into(),
            requests: vec![http::get(
                "/beta/roleManagement/exchange/roleDefinitions",
                Some(&token),
            )],
        },
        Route {
            label: "GET /v1.0/users/{id}".into(),
            requests: vec![http::get(&format!("/v1.0/users/{user}"), Some(&token))],
        },
        Route {
            label: format!(
                "GET /v1.0/users/{{id}}/contacts?$top=10 ({} users)",
                user_ids.len()
            ),
            requests: user_ids
                .iter()
                .map(|u| http::get(&format!("/v1.0/users/{u}/contacts?$top=10"), Some(&token)))
                .collect(),
        },
    ];
    let window = Duration::from_secs_f64(knobs.seconds);
    println!();
    println!(
        "throughput: keep-alive clients, {:.1} s per row, no latency injected",
        knobs.seconds
    );
    println!(
        "  {:<52} {:>7} {:>9} {:>8} {:>8} {:>8}",
        "route", "clients", "req/s", "p50 ms", "p99 ms", "non-2xx"
    );
    let mut best_graph: f64 = 0.0;
    let wanted = |route: &Route| {
        knobs
            .only
            .as_ref()
            .is_none_or(|only| route.label.contains(only.as_str()))
    };
    for (index, route) in routes.iter().enumerate().filter(|(_, r)| wanted(r)) {
        for &clients in &knobs.clients {
            let stats = runtime.block_on(throughput::hammer(
                &address,
                &route.requests,
                clients,
                window,
            ))?;
            if index > 0 {
                best_graph = best_graph.max(stats.rate);
            }
            println!(
                "  {:<52} {clients:>7} {:>9.0} {:>8.2} {:>8.2} {:>8}",
                route.label, stats.rate, stats.p50_ms, stats.p99_ms, stats.failures
            );
        }
    }
    let verdict = if best_graph >= GETS_TARGET {
        "meets"
    } else {
        "MISSES"
    };
    println!(
        "\nbest authenticated Graph GET rate: {best_graph:.0}/s ({verdict} the {GETS_TARGET:.0}/s target)"
    );
    Ok(())
}
