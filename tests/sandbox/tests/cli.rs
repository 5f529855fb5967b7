//! The `exokit-sandbox` binary: its banner (base URLs, CA file, tenants), its flags reaching the
//! sandbox, its errors for bad flags, and stopping when standard input closes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_exokit-sandbox");

/// A running binary and its banner.
struct Running {
    child: Child,
    banner: Value,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(EXE)
            .arg("--stop-on-stdin-eof")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let banner = serde_json::from_str(&line).unwrap_or_else(|e| panic!("banner {line:?}: {e}"));
        Running { child, banner }
    }

    fn text(&self, key: &str) -> String {
        self.banner[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {}", self.banner))
            .to_string()
    }

    /// Closes standard input and waits for the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        drop(self.child.stdin.take());
        self.child.wait().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_banner_names_both_urls_the_ca_file_and_the_tenants() {
    let running = Running::start(&[]);
    let base = running.text("baseUrl");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(running.text("httpsUrl").starts_with("https://127.0.0.1:"));
    let ca_file = running.text("caFile");
    let pem = std::fs::read_to_string(&ca_file).expect("the CA file exists");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(
        running.banner["tenants"][0]["domain"],
        "contoso.onmicrosoft.com"
    );
    assert!(running.stop().success());
    assert!(
        !std::path::Path::new(&ca_file).exists(),
        "the default CA file is removed at exit"
    );
}

#[test]
fn ca_out_writes_the_ca_where_asked_and_keeps_it() {
    let path = std::env::temp_dir().join(format!(
        "exokit-sandbox-cli-test-{}.pem",
        std::process::id()
    ));
    let running = Running::start(&["--ca-out", path.to_str().unwrap()]);
    assert_eq!(running.text("caFile"), path.display().to_string());
    assert!(running.stop().success());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn flags_reach_the_sandbox() {
    let running = Running::start(&[
        "--faults",
        "users:503@1",
        "--fault-seed",
        "3",
        "--time-scale",
        "100",
        "--latency",
        "10ms..20ms",
        "--mailbox-concurrency",
        "2",
    ]);
    let base = running.text("baseUrl");
    let get = |what: &str| {
        let url = format!("{base}/_sandbox/{what}");
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        get("faults").await,
        serde_json::json!({"spec": "users:503@1", "seed": 3})
    );
    assert_eq!(
        get("throttle").await,
        serde_json::json!({"concurrency": 2, "requests": 100, "windowSeconds": 6.0})
    );
    assert_eq!(
        get("latency").await,
        serde_json::json!({"minMs": 10, "maxMs": 20})
    );
    assert!(running.stop().success());
}

#[test]
fn a_bad_fault_spec_is_refused_with_the_reason() {
    let output = Command::new(EXE)
        .args(["--faults", "contacts:503@0.1,users:rest@0.05"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("fault rule 2 ('users:rest@0.05'): unknown fault 'rest'"),
        "{error}"
    );
}

#[test]
fn bad_latency_and_time_scale_are_refused() {
    for args in [["--latency", "soon"], ["--time-scale", "0"]] {
        let output = Command::new(EXE).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(args[0]));
    }
}

#[test]
fn help_documents_every_flag() {
    let output = Command::new(EXE).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--seed",
        "--port",
        "--https-port",
        "--ca-out",
        "--latency",
        "--time-scale",
        "--mailbox-concurrency",
        "--mailbox-requests",
        "--mailbox-window",
        "--faults",
        "--fault-seed",
        "--token-lifetime",
        "--stop-on-stdin-eof",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    assert!(help.contains("ROUTE:FAULT[@RATE]"));
}
