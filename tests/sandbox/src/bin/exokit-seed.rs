//! `exokit-seed`: writes a large, deterministic seed for the sandbox (see
//! `exokit_sandbox::generate`). The same flags always give the same file.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;
use exokit_sandbox::generate::{self, GenerateOptions};

/// Generate a sandbox seed: licensed users with contacts (some shared between users), the
/// shared mailbox allcontacts@<domain>, unlicensed users, one user without a mailbox, and the
/// demo seed's apps and secrets.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Licensed users with a mailbox and contacts.
    #[arg(long, default_value_t = 20)]
    users: usize,
    /// Contacts in each licensed user's default Contacts folder.
    #[arg(long, default_value_t = 50)]
    contacts: usize,
    /// Fraction (0 to 1) of each user's contacts that other users hold too (same address,
    /// sometimes in another case or with other fields).
    #[arg(long, default_value_t = 0.3)]
    overlap: f64,
    /// The generator's seed: the same number (with the same other flags) gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Users without a licence, each with a few contacts.
    #[arg(long, default_value_t = 3)]
    unlicensed: usize,
    /// How many users' lists a shared contact appears in, on average (at least 2).
    #[arg(long, default_value_t = 8)]
    share_width: usize,
    /// The tenant's initial domain (default: the demo tenant's).
    #[arg(long)]
    domain: Option<String>,
    /// The tenant id (default: the demo tenant's).
    #[arg(long)]
    tenant_id: Option<String>,
    /// Where to write the seed; standard output when absent.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Indent the JSON (larger; easier to read).
    #[arg(long)]
    pretty: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("exokit-seed: {message}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<(), String> {
    let defaults = GenerateOptions::default();
    let options = GenerateOptions {
        users: args.users,
        contacts: args.contacts,
        overlap: args.overlap,
        seed: args.seed,
        unlicensed: args.unlicensed,
        share_width: args.share_width,
        tenant_id: args.tenant_id.unwrap_or(defaults.tenant_id),
        domain: args.domain.unwrap_or(defaults.domain),
    };
    let value = generate::json(&options).map_err(|e| e.to_string())?;
    let text = if args.pretty {
        serde_json::to_vec_pretty(&value)
    } else {
        serde_json::to_vec(&value)
    }
    .map_err(|e| format!("cannot serialise the seed: {e}"))?;
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(&text)
            .map_err(|e| format!("cannot write to standard output: {e}"))?,
    }
    let total = options.users * options.contacts;
    eprintln!(
        "exokit-seed: {} licensed users × {} contacts ({total} in all, {} shared per user), {} bytes{}",
        options.users,
        options.contacts,
        options.shared_per_user(),
        text.len(),
        args.out
            .as_ref()
            .map(|p| format!(" → {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}
