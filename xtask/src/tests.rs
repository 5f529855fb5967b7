//! `cargo xtask test`: every test, in the order a failure is cheapest to read, then one closing
//! line `N passed, N failed` over all of them. `cargo xtask pester <file>...` runs Pester files alone.

use std::fs;
use std::path::{Path, PathBuf};

use crate::exec::{self, run_watching};
use crate::{module, paths, pwsh};

pub fn run() -> Result<(), String> {
    module::build(false)?;
    let mut tally = Tally::default();
    let cargo_ok = run_watching(exec::cargo().args(["test", "--workspace"]), |l| tally.cargo_line(l))?;
    // The Pester suite runs against what ships: the release module and its .nupkg (Package.Tests.ps1).
    module::package()?;
    let pester_ok = run_pester(&pester_files()?, None, &mut tally)?;
    println!("\nall tests: {} passed, {} failed", tally.passed, tally.failed);
    if cargo_ok && pester_ok && tally.failed == 0 && tally.passed > 0 {
        Ok(())
    } else {
        Err(format!("tests failed (cargo {}, Pester {})", verdict(cargo_ok), verdict(pester_ok)))
    }
}

/// `cargo xtask pester [--filter <full name pattern>] [file ...]`: builds, then runs these Pester
/// files (default: all) without cargo's tests.
pub fn pester_only(args: &[String]) -> Result<(), String> {
    let mut filter = None;
    let mut files = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--filter" => filter = Some(args.next().ok_or("--filter needs a pattern, e.g. '*drop-in*'")?.clone()),
            file => files.push(existing_file(file)?),
        }
    }
    if files.is_empty() {
        files = pester_files()?;
    }
    module::build(false)?;
    if files.iter().any(|f| f.ends_with("Package.Tests.ps1")) {
        // The install test needs the release package; the other files then run against it too.
        module::package()?;
    }
    let mut tally = Tally::default();
    let ok = run_pester(&files, filter.as_deref(), &mut tally)?;
    println!("\nPester: {} passed, {} failed", tally.passed, tally.failed);
    if ok && tally.failed == 0 { Ok(()) } else { Err("Pester tests failed".into()) }
}

fn existing_file(file: &str) -> Result<PathBuf, String> {
    let given = PathBuf::from(file);
    let path = if given.is_absolute() { given } else { std::env::current_dir().map_err(|e| e.to_string())?.join(given) };
    if path.is_file() { Ok(path) } else { Err(format!("no Pester file {file}")) }
}

/// Every `tests/pester/*.Tests.ps1`, by name.
fn pester_files() -> Result<Vec<PathBuf>, String> {
    let dir = paths::root().join("tests").join("pester");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".Tests.ps1")))
        .collect();
    files.sort();
    Ok(files)
}

/// Each file in a pwsh of its own (the ExoKit connection is process-wide, so files cannot see
/// each other's), one JUnit XML per file, merged into `target/pester/results.xml`.
fn run_pester(files: &[PathBuf], filter: Option<&str>, tally: &mut Tally) -> Result<bool, String> {
    let pwsh = pwsh::find()?;
    let pester = pwsh::pester()?;
    let results = paths::target().join("pester").join("results");
    let _ = fs::remove_dir_all(&results);
    fs::create_dir_all(&results).map_err(|e| e.to_string())?;
    let runner = paths::root().join("tests/pester/Support/Invoke-TestFile.ps1");
    let mut all_ok = true;
    let mut parts = Vec::new();
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("tests").trim_end_matches(".ps1").to_string();
        let result_file = results.join(format!("{name}.xml"));
        let mut command = pwsh.file(&runner);
        command.arg("-Path").arg(file).arg("-Pester").arg(&pester).arg("-ResultFile").arg(&result_file);
        if let Some(filter) = filter {
            command.arg("-FullNameFilter").arg(filter);
        }
        let mut counted = false;
        let failed_before = tally.failed;
        let ok = run_watching(
            command
                .env("EXOKIT_MODULE", paths::module_manifest())
                .env("EXOKIT_SANDBOX", paths::sandbox_exe(false))
                .env("EXOKIT_REPOSITORY", paths::repository_dir()),
            |l| counted |= tally.pester_line(l),
        )?;
        if !counted || (!ok && tally.failed == failed_before) {
            // The runner died before its summary, or failed without counting a failure: one failure.
            tally.failed += 1;
        }
        all_ok &= ok && counted;
        parts.push(result_file);
    }
    let merged = paths::target().join("pester").join("results.xml");
    merge_junit(&parts, &merged)?;
    println!("xtask: Pester results (JUnit XML): {}", merged.display());
    Ok(all_ok)
}

/// One `<testsuites>` holding every file's suites, for CI systems that read one report.
fn merge_junit(parts: &[PathBuf], merged: &Path) -> Result<(), String> {
    let (mut tests, mut failures, mut errors, mut body) = (0u64, 0u64, 0u64, String::new());
    for part in parts {
        let Ok(text) = fs::read_to_string(part) else { continue };
        let Some(start) = text.find("<testsuites") else { continue };
        let open_end = start + text[start..].find('>').unwrap_or(0);
        let head = &text[start..open_end];
        tests += attribute(head, "tests");
        failures += attribute(head, "failures");
        errors += attribute(head, "errors");
        let close = text.rfind("</testsuites>").unwrap_or(text.len());
        body.push_str(text[open_end + 1..close].trim());
        body.push('\n');
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?>\n<testsuites name=\"ExoKit Pester\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n{body}</testsuites>\n"
    );
    fs::write(merged, xml).map_err(|e| format!("cannot write {}: {e}", merged.display()))
}

fn attribute(head: &str, name: &str) -> u64 {
    head.split(&format!(" {name}=\"")).nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
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

    /// `pester: Module.Tests.ps1: 12 passed, 0 failed, 0 skipped` (Invoke-TestFile.ps1's last line).
    fn pester_line(&mut self, line: &str) -> bool {
        let Some(rest) = line.trim().strip_prefix("pester: ") else { return false };
        let Some((_, counts)) = rest.rsplit_once(": ") else { return false };
        self.passed += number_before(counts.replace(',', ";").as_str(), " passed");
        self.failed += number_before(counts.replace(',', ";").as_str(), " failed");
        true
    }
}

fn number_before(text: &str, label: &str) -> u64 {
    text.split(';').find_map(|part| part.trim().strip_suffix(label)).and_then(|n| n.trim().trim_start_matches("ok.").trim_start_matches("FAILED.").trim().parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn counts_cargo_and_pester_summaries() {
        let mut t = Tally::default();
        t.cargo_line("test result: ok. 16 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.13s");
        t.cargo_line("test result: FAILED. 3 passed; 2 failed; 0 ignored");
        assert!(t.pester_line("pester: Module.Tests.ps1: 12 passed, 1 failed, 0 skipped"));
        assert!(!t.pester_line("[+] /work/tests/pester/Module.Tests.ps1 1.2s"));
        assert_eq!((t.passed, t.failed), (31, 3));
    }

    #[test]
    fn merges_junit_files() {
        let dir = std::env::temp_dir().join(format!("xtask-junit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.xml");
        fs::write(&a, "<?xml version=\"1.0\"?>\n<testsuites tests=\"2\" failures=\"1\" errors=\"0\"><testsuite name=\"a\"/></testsuites>").unwrap();
        let merged = dir.join("all.xml");
        merge_junit(&[a.clone(), a], &merged).unwrap();
        let text = fs::read_to_string(&merged).unwrap();
        assert!(text.contains("tests=\"4\" failures=\"2\""), "{text}");
        assert_eq!(text.matches("<testsuite name=\"a\"/>").count(), 2);
        fs::remove_dir_all(dir).unwrap();
    }
}
