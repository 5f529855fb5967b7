//! `exokit-sandbox`: serves a fake tenant until stopped. Prints one JSON line first, with its
//! base URLs, the CA file and the tenants, so scripts and tests can read where it is:
//! `{"baseUrl": "http://…", "httpsUrl": "https://…", "caFile": "…", "tenants": [...]}`.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use exokit_sandbox::faults::Plan;
use exokit_sandbox::latency::Latency;
use exokit_sandbox::throttle::Limits;
use exokit_sandbox::{Options, Sandbox, Seed};

/// A fake Microsoft 365 tenant (login, Microsoft Graph, Exchange admin REST) on 127.0.0.1, over
/// HTTP and HTTPS, for ExoKit's tests, benchmarks and demo.
///
/// Control routes under /_sandbox/ (health, requests, metrics, state, latency, faults, throttle,
/// token-lifetime) are described in the crate's routes::control module.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The seed file (JSON: tenants, apps, secrets, certificates, granted roles, users and
    /// mailboxes). Default: the demo seed.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// The plain HTTP port (127.0.0.1 only). 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The HTTPS port (127.0.0.1 only). 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    https_port: u16,
    /// Where to write the PEM of the CA that signs the HTTPS certificate (made fresh at every
    /// start; clients must be told to trust it). Default: a file in the temp directory, removed
    /// at exit.
    #[arg(long, value_name = "FILE")]
    ca_out: Option<PathBuf>,
    /// Latency added to every login and Graph answer: fixed (40ms, 2s) or jittered uniformly
    /// between two bounds (20ms..60ms).
    #[arg(long, value_parser = Latency::parse, default_value = "0ms", value_name = "DURATION[..DURATION]")]
    latency: Latency,
    /// Runs the throttle's clock N times faster: the 10-minute window and the 10,000-request
    /// count both shrink by N (the rate per second stays), so tests reach the limit quickly.
    #[arg(long, default_value_t = 1.0, value_parser = positive, value_name = "N")]
    time_scale: f64,
    /// Requests in flight per app and mailbox before 429 MailboxConcurrency.
    #[arg(long, default_value_t = Limits::OUTLOOK.concurrency, value_name = "N")]
    mailbox_concurrency: usize,
    /// Requests per window per app and mailbox before 429 RequestRate (before --time-scale).
    #[arg(long, default_value_t = Limits::OUTLOOK.requests, value_name = "N")]
    mailbox_requests: u64,
    /// The rate window (before --time-scale), e.g. 10m.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "10m", value_name = "DURATION")]
    mailbox_window: Duration,
    /// Faults to inject, as comma-separated ROUTE:FAULT[@RATE] rules, e.g.
    /// "contacts:503@0.1,users:reset@0.05,*:slow=2s@0.01".
    /// ROUTE: * token batch users folders contacts delta roles directory exchange graph.
    /// FAULT: 500 | 503[=RETRY-AFTER] | 504[=RETRY-AFTER] (a trailing ! runs the request first),
    /// reset (reset! after the request ran), truncate, slow=DURATION.
    /// RATE: 0..1 or a percentage (10%); default 1.
    #[arg(long, value_parser = Plan::parse, default_value = "", value_name = "SPEC", verbatim_doc_comment)]
    faults: Plan,
    /// Seeds the fault and jitter draws, so runs repeat.
    #[arg(long, value_name = "N")]
    fault_seed: Option<u64>,
    /// Lifetime of issued access tokens, e.g. 1h or 90s.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "3599s", value_name = "DURATION")]
    token_lifetime: Duration,
    /// Stop when standard input closes (for a parent process that may die without stopping us).
    #[arg(long)]
    stop_on_stdin_eof: bool,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err(format!("'{text}' is not a number above 0")),
    }
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("exokit-sandbox: {message}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), String> {
    let sandbox = Sandbox::start(options(&args)?).map_err(|e| format!("cannot start: {e}"))?;
    let (ca_file, remove_ca_at_exit) = match &args.ca_out {
        Some(path) => (path.clone(), false),
        None => (
            std::env::temp_dir().join(format!("exokit-sandbox-{}-ca.pem", std::process::id())),
            true,
        ),
    };
    std::fs::write(&ca_file, sandbox.ca_pem())
        .map_err(|e| format!("cannot write the CA to {}: {e}", ca_file.display()))?;
    print_banner(&sandbox, &ca_file)?;
    wait_for_stop(args.stop_on_stdin_eof);
    drop(sandbox);
    if remove_ca_at_exit {
        let _ = std::fs::remove_file(&ca_file);
    }
    Ok(())
}

fn options(args: &Args) -> Result<Options, String> {
    let seed = match &args.seed {
        Some(path) => Seed::from_file(path).map_err(|e| e.to_string())?,
        None => Seed::demo(),
    };
    let mut options = Options::new(seed);
    options.bind = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    options.https_bind = std::net::SocketAddr::from(([127, 0, 0, 1], args.https_port));
    options.latency = args.latency.min;
    options.latency_max = (args.latency.max > args.latency.min).then_some(args.latency.max);
    options.token_lifetime = args.token_lifetime;
    options.time_scale = args.time_scale;
    options.throttle = Limits {
        concurrency: args.mailbox_concurrency,
        requests: args.mailbox_requests,
        window: args.mailbox_window,
    };
    options.faults = args.faults.clone();
    options.fault_seed = args.fault_seed;
    Ok(options)
}

fn print_banner(sandbox: &Sandbox, ca_file: &std::path::Path) -> Result<(), String> {
    let tenants: Vec<_> = sandbox
        .state
        .tenants
        .iter()
        .map(|t| serde_json::json!({"id": t.id, "domain": t.domain}))
        .collect();
    let banner = serde_json::json!({
        "baseUrl": sandbox.url(),
        "httpsUrl": sandbox.https_url(),
        "caFile": ca_file.display().to_string(),
        "tenants": tenants,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{banner}")
        .and_then(|_| out.flush())
        .map_err(|e| e.to_string())
}

fn wait_for_stop(stop_on_stdin_eof: bool) {
    if stop_on_stdin_eof {
        // Read until EOF: the parent closed our input or died.
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                break;
            }
        }
    } else {
        loop {
            std::thread::park();
        }
    }
}
