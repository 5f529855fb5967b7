//! `cargo xtask bench`: numbers, never a pass/fail. The contact mirror's scenarios
//! (`benches/mirror.rs`: requests, 429s, wall time, ExoKit's peak RSS against the sandbox
//! process), then the module: size on disk, `Import-Module` time in fresh pwsh processes (the
//! project's pwsh 7.6.10; median of 10) and pwsh's memory at rest after the import.

use crate::exec;
use crate::{module, paths, pwsh};

const IMPORTS: usize = 10;

pub fn run() -> Result<(), String> {
    let dir = module::build(true)?;
    mirror()?;
    let exokit = import_times(&paths::module_manifest())?;
    let baseline = import_times(&empty_module()?)?;
    let rest = memory_at_rest(&paths::module_manifest(), "")?;
    // The native library loads on the first call into it, not at import.
    let loaded = memory_at_rest(&paths::module_manifest(), "Disconnect-ExoKit | Out-Null; ")?;
    let rest_empty = memory_at_rest(&empty_module()?, "")?;
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| out/ExoKit size (release) | {:.1} MB |", module::size_of(&dir) as f64 / 1e6);
    println!("| Import-Module ExoKit, fresh pwsh, median of {IMPORTS} | {} |", exokit.describe());
    println!("| Import-Module of an empty manifest (the engine's own first-import cost) | {} |", baseline.describe());
    println!("| pwsh memory at rest after Import-Module ExoKit: RSS / managed heap | {} |", rest.describe());
    println!("| same after one call into the native library (`Disconnect-ExoKit`) | {} |", loaded.describe());
    println!("| same after importing an empty manifest | {} |", rest_empty.describe());
    println!("| machine | {} cores, {} |", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1), paths::rid());
    Ok(())
}

/// Import times of one manifest, each in a fresh pwsh process, sorted.
struct Times(Vec<f64>);

impl Times {
    fn describe(&self) -> String {
        let t = &self.0;
        let median = (t[t.len() / 2 - 1] + t[t.len() / 2]) / 2.0;
        format!("{median:.0} ms (min {:.0}, max {:.0})", t[0], t[t.len() - 1])
    }
}

fn import_times(manifest: &std::path::Path) -> Result<Times, String> {
    let mut times = Vec::with_capacity(IMPORTS);
    for _ in 0..IMPORTS {
        let script = format!(
            "$clock = [Diagnostics.Stopwatch]::StartNew(); Import-Module '{}' -ErrorAction Stop; $clock.Stop(); $clock.Elapsed.TotalMilliseconds.ToString('F1', [Globalization.CultureInfo]::InvariantCulture)",
            manifest.display().to_string().replace('\'', "''")
        );
        let printed = exec::output(&mut pwsh::find()?.command(&script))?;
        times.push(printed.trim().parse::<f64>().map_err(|_| format!("the host printed {printed:?}, not a time"))?);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(Times(times))
}

/// A manifest with nothing in it: what any module's import costs in a fresh engine.
fn empty_module() -> Result<std::path::PathBuf, String> {
    let dir = paths::target().join("bench").join("Empty");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let manifest = dir.join("Empty.psd1");
    let text = "@{ ModuleVersion = '1.0'; FunctionsToExport = @(); CmdletsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }";
    std::fs::write(&manifest, text).map_err(|e| e.to_string())?;
    Ok(manifest)
}

/// The mirror benchmark (release), against the release sandbox binary just built.
fn mirror() -> Result<(), String> {
    let mut cargo = exec::cargo();
    cargo.args(["bench", "-p", "exokit", "--bench", "mirror"]).env("EXOKIT_SANDBOX_EXE", paths::sandbox_exe(true));
    exec::run(&mut cargo)
}

/// A fresh pwsh's memory after importing a manifest, collected: (RSS, managed heap) in bytes.
struct Memory(u64, u64);

impl Memory {
    fn describe(&self) -> String {
        format!("{:.0} MB / {:.1} MB", self.0 as f64 / 1048576.0, self.1 as f64 / 1048576.0)
    }
}

fn memory_at_rest(manifest: &std::path::Path, then: &str) -> Result<Memory, String> {
    let script = format!(
        "Import-Module '{}'; {then}[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect(); \
         $p = [Diagnostics.Process]::GetCurrentProcess(); 'memory ' + $p.WorkingSet64 + ' ' + [GC]::GetTotalMemory($true)",
        manifest.display().to_string().replace('\'', "''")
    );
    let printed = exec::output(&mut pwsh::find()?.command(&script))?;
    let line = printed.lines().find_map(|l| l.trim().strip_prefix("memory ")).ok_or_else(|| format!("the host printed {printed:?}, no memory line"))?;
    let numbers: Vec<u64> = line.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    match numbers[..] {
        [rss, heap] => Ok(Memory(rss, heap)),
        _ => Err(format!("the host printed {line:?}, not two numbers")),
    }
}
