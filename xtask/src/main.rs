//! `cargo xtask <step>`: ExoKit's one build logic. The README's commands, `build.ps1` and
//! `.ci/run` all come here, so there is never a second way to build.
//!
//! Steps: `build [--release]`, `test`, `pester [file ...]`, `demo`, `bench`, `package`, `bindings`.

mod bench;
mod demo;
mod exec;
mod metadata;
mod module;
mod paths;
mod pwsh;
mod tests;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let release = args.iter().any(|a| a == "--release");
    let outcome = match args.first().map(String::as_str) {
        Some("build") => module::build(release).map(|_| ()),
        Some("test") => tests::run(),
        Some("pester") => tests::pester_only(&args[1..]),
        Some("demo") => demo::run(),
        Some("bench") => bench::run(),
        Some("package") => module::package().map(|_| ()),
        Some("bindings") => tests::bless_bindings(),
        Some("metadata") => metadata::run(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <step>
  build [--release]  build the Rust library, the sandbox and the module; assemble out/ExoKit
  test               build, then run every test: cargo (engine, sandbox, bindings, C smoke) and PowerShell-level
  pester [--filter <pattern>] [file ...]  build, then run these Pester files (default: all) in the project's pwsh
  demo               start the sandbox tenant and run demo/session.ps1 against it
  bench              measure: the mirror scenarios (benches/mirror.rs), module size, Import-Module time and memory
  package            release build of out/ExoKit, then ExoKit.<version>.nupkg via Publish-PSResource into out/repository
  bindings           regenerate bindings/csharp and bindings/c after an #[ffi] change
  metadata [--from DIR] [--check]  regenerate tests/sandbox/metadata from Graph's published metadata";
