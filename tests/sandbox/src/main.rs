//! `exokit-sandbox`: serves a fake tenant until stopped. Prints one JSON line with its base URL
//! and tenants first, so scripts and tests can read where it is.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use exokit_sandbox::{Options, Sandbox, Seed};

/// A fake Microsoft 365 tenant (login + Microsoft Graph) on 127.0.0.1, for ExoKit's tests,
/// benchmarks and demo.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The seed file (JSON: tenants, apps, secrets, granted roles). Default: the demo seed.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// The port to listen on (127.0.0.1 only). 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Latency added to every Graph and login answer, e.g. 40ms or 2s.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "0ms")]
    latency: Duration,
    /// Lifetime of issued access tokens, e.g. 1h or 90s.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "3599s")]
    token_lifetime: Duration,
    /// Stop when standard input closes (for a parent process that may die without stopping us).
    #[arg(long)]
    stop_on_stdin_eof: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("exokit-sandbox: {message}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), String> {
    let seed = match &args.seed {
        Some(path) => Seed::from_file(path).map_err(|e| e.to_string())?,
        None => Seed::demo(),
    };
    let mut options = Options::new(seed);
    options.bind = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    options.latency = args.latency;
    options.token_lifetime = args.token_lifetime;
    let sandbox = Sandbox::start(options).map_err(|e| format!("cannot start: {e}"))?;
    let tenants: Vec<_> = sandbox
        .state
        .tenants
        .iter()
        .map(|t| serde_json::json!({"id": t.id, "domain": t.domain}))
        .collect();
    let banner = serde_json::json!({"baseUrl": sandbox.url(), "tenants": tenants});
    let mut out = std::io::stdout().lock();
    writeln!(out, "{banner}").and_then(|_| out.flush()).map_err(|e| e.to_string())?;
    drop(out);
    if args.stop_on_stdin_eof {
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
    drop(sandbox);
    Ok(())
}
