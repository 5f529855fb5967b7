//! `cargo xtask bench`: numbers, never a pass/fail. The module's size on disk and
//! `Import-Module` time in fresh host processes (median of 10).

use crate::exec;
use crate::{module, paths};

const IMPORTS: usize = 10;

pub fn run() -> Result<(), String> {
    let dir = module::build(true)?;
    let exokit = import_times(&paths::module_manifest())?;
    let baseline = import_times(&empty_module()?)?;
    println!("| measure | value |");
    println!("|---|---|");
    println!("| out/ExoKit size (release) | {:.1} MB |", module::size_of(&dir) as f64 / 1e6);
    println!("| Import-Module ExoKit, fresh host, median of {IMPORTS} | {} |", exokit.describe());
    println!("| Import-Module of an empty manifest (the engine's own first-import cost) | {} |", baseline.describe());
    println!("| machine | {} cores, {} |", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1), paths::rid());
    Ok(())
}

/// Import times of one manifest, each in a fresh host process, sorted.
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
        let printed = exec::output(exec::dotnet().arg(paths::host_dll()).arg("--time-import").arg(manifest))?;
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
