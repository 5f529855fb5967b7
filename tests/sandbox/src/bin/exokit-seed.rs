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
    let (written, place) = match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let written = write_json(&value, file, args.pretty)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            (written, format!(" → {}", path.display()))
        }
        None => {
            let written = write_json(&value, std::io::stdout().lock(), args.pretty)
                .map_err(|e| format!("cannot write to standard output: {e}"))?;
            (written, String::new())
        }
    };
    // Freeing half a million contacts one by one takes seconds; the process ends here anyway.
    std::mem::forget(value);
    eprintln!(
        "exokit-seed: {} licensed users × {} contacts ({} in all, {} shared per user), {written} bytes{place}",
        options.users,
        options.contacts,
        options.users * options.contacts,
        options.shared_per_user(),
    );
    Ok(())
}

/// Streams the seed out and returns how many bytes it took.
fn write_json(value: &serde_json::Value, out: impl Write, pretty: bool) -> std::io::Result<u64> {
    let mut out = Counting {
        inner: std::io::BufWriter::with_capacity(1 << 20, out),
        count: 0,
    };
    if pretty {
        serde_json::to_writer_pretty(&mut out, value)?;
    } else {
        serde_json::to_writer(&mut out, value)?;
    }
    out.flush()?;
    Ok(out.count)
}

/// A writer that counts what passes through.
struct Counting<W: Write> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.count += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
