//! The README's sandbox commands, run as written from the repository root with cargo: each
//! with `--help` (the flags it names must exist), and the serving one for real until it prints
//! its banner, then stopped through standard input (`--stop-on-stdin-eof`, added to the
//! written command so the test can end it).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The `cargo run -p exokit-sandbox …` lines of the README, split as a POSIX shell splits them
/// (the README quotes with single quotes only).
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands: Vec<Vec<String>> = readme.lines().filter(|l| l.starts_with("cargo run -p exokit-sandbox")).map(shell_words).collect();
    assert_eq!(commands.len(), 2, "the README's two sandbox commands: {commands:?}");
    commands
}

fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_default();
            }
            ' ' if !quoted => words.extend(word.take()),
            _ => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    words
}

fn cargo(words: &[String]) -> Command {
    assert_eq!(words[0], "cargo");
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(&words[1..]).current_dir(root());
    command
}

#[test]
fn every_readme_sandbox_command_runs_as_written_with_help() {
    for words in readme_commands() {
        let output = cargo(&words).arg("--help").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{words:?} --help: {stderr}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage:"), "{words:?}: {stderr}");
    }
}

#[test]
fn the_readme_serve_command_serves_the_demo_seed() {
    let words = readme_commands().into_iter().find(|w| w.iter().any(|a| a == "--seed") && !w.iter().any(|a| a == "--bin")).expect("the serve command");
    let mut child = cargo(&words).arg("--stop-on-stdin-eof").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let banner: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        let _ = child.kill();
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
        panic!("no banner from {words:?} ({e}): {line:?} {stderr}")
    });
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(banner["baseUrl"].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:")), "{banner}");
    assert_eq!(banner["tenants"].as_array().map(Vec::len), Some(1), "the demo seed's tenant: {banner}");
    assert!(status.success(), "stops when its standard input closes: {status}");
}
