//! `cargo xtask test`: every test, in the order a failure is cheapest to read, then one closing
//! line `N passed, N failed` over all of them.

use crate::exec::{self, run_watching};
use crate::{module, paths};

pub fn run() -> Result<(), String> {
    module::build(false)?;
    let mut tally = Tally::default();
    let cargo_ok = run_watching(exec::cargo().args(["test", "--workspace"]), |l| tally.cargo_line(l))?;
    let dotnet_ok = run_watching(
        exec::dotnet()
            .args(["test", "tests/ExoKit.Tests/ExoKit.Tests.csproj", "-c", "Release", "--nologo"])
            .env("EXOKIT_MODULE", paths::module_manifest())
            .env("EXOKIT_SANDBOX", paths::sandbox_exe(false))
            .env("EXOKIT_HOST", paths::host_dll()),
        |l| tally.dotnet_line(l),
    )?;
    println!("\nall tests: {} passed, {} failed", tally.passed, tally.failed);
    if cargo_ok && dotnet_ok && tally.failed == 0 && tally.passed > 0 {
        Ok(())
    } else {
        Err(format!("tests failed (cargo {}, PowerShell-level {})", verdict(cargo_ok), verdict(dotnet_ok)))
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "passed" } else { "FAILED" }
}

/// Regenerates the committed bindings after an `#[ffi]` change.
pub fn bless_bindings() -> Result<(), String> {
    crate::exec::run(exec::cargo().args(["test", "-p", "exokit", "--test", "bindings", "--test", "c_header"]).env("EXOKIT_BLESS", "1"))
}

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// `test result: ok. 16 passed; 0 failed; 0 ignored; ...`
    fn cargo_line(&mut self, line: &str) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            self.passed += number_before(rest, " passed");
            self.failed += number_before(rest, " failed");
        }
    }

    /// `Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: ...`
    fn dotnet_line(&mut self, line: &str) {
        let line = line.trim();
        if line.starts_with("Passed!") || line.starts_with("Failed!") {
            self.passed += number_after(line, "Passed:");
            self.failed += number_after(line, "Failed:");
        }
    }
}

fn number_before(text: &str, label: &str) -> u64 {
    text.split(';').find_map(|part| part.trim().strip_suffix(label)).and_then(|n| n.trim().trim_start_matches("ok.").trim_start_matches("FAILED.").trim().parse().ok()).unwrap_or(0)
}

fn number_after(text: &str, label: &str) -> u64 {
    text.split(label).nth(1).and_then(|rest| rest.split(',').next()).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn counts_cargo_and_dotnet_summaries() {
        let mut t = Tally::default();
        t.cargo_line("test result: ok. 16 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.13s");
        t.cargo_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        t.dotnet_line("Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: 3 s - ExoKit.Tests.dll (net10.0)");
        assert_eq!((t.passed, t.failed), (31, 2));
    }
}
