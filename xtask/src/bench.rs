//! `cargo xtask bench`: numbers, never a pass/fail. The module's size on disk and
//! `Import-Module` time in fresh host processes (median of 10).

use crate::exec;
use crate::{module, paths};

const IMPORTS: usize = 10;

pub fn run() -> Result<(), String> {
    let dir = module::build(true)?;
    let mut times = Vec::with_capacity(IMPORTS);
    for _ in 0..IMPORTS {
        let printed = exec::output(exec::dotnet().arg(paths::host_dll()).arg("--time-import").arg(paths::module_manifest()))?;
        let ms: f64 = printed.trim().parse().map_err(|_| format!("the host printed {printed:?}, not a time"))?;
        times.push(ms);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = (times[IMPORTS / 2 - 1] + times[IMPORTS / 2]) / 2.0;
    println!("| measure | value |");
    println!("|---|---|");
    println!("| out/ExoKit size (release) | {:.1} MB |", module::size_of(&dir) as f64 / 1e6);
    println!("| Import-Module, fresh host, median of {IMPORTS} | {median:.0} ms (min {:.0}, max {:.0}) |", times[0], times[IMPORTS - 1]);
    println!("| machine | {} cores, {} |", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1), paths::rid());
    Ok(())
}
