//! Running the tools: cargo, dotnet (pwsh: see pwsh.rs).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::paths;

pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(paths::root());
    command
}

pub fn dotnet() -> Command {
    let mut command = Command::new("dotnet");
    command.current_dir(paths::root()).env("DOTNET_CLI_TELEMETRY_OPTOUT", "1").env("DOTNET_NOLOGO", "1");
    command
}

/// Runs to the end; an error names the command when it fails.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot start {}: {e}", describe(command)))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(command))) }
}

/// Runs to the end, echoing its output and handing each line to `watch`; returns success.
pub fn run_watching(command: &mut Command, mut watch: impl FnMut(&str)) -> Result<bool, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", describe(command)))?;
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        watch(&line);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok(status.success())
}

/// Runs and returns standard output, failing on a non-zero exit.
pub fn output(command: &mut Command) -> Result<String, String> {
    let out = command.output().map_err(|e| format!("cannot start {}: {e}", describe(command)))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", describe(command), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(command: &Command) -> String {
    let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("`{} {}`", command.get_program().to_string_lossy(), args.join(" "))
}
