//! `cargo xtask demo`: the sandbox tenant, then demo/session.ps1 against it in the project's pwsh
//! 7.6.10, printing what an admin would see (colours, progress, tables).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::exec;
use crate::{module, paths, pwsh};

fn run_demo_session(sandbox: &Sandbox) -> Result<(), String> {
    let (app_id, secret) = demo_app()?;
    exec::run(pwsh::find()?.file(&paths::root().join("demo/session.ps1"))
        .env("EXOKIT_MODULE", paths::module_manifest())
        .env("EXOKIT_DEMO_URL", &sandbox.base_url)
        .env("EXOKIT_DEMO_TENANT", "contoso.onmicrosoft.com")
        .env("EXOKIT_DEMO_CLIENT_ID", app_id)
        .env("EXOKIT_DEMO_SECRET", secret))
}

pub fn run() -> Result<(), String> {
    module::build(false)?;
    let sandbox = Sandbox::start(&[])?;
    println!("Sandbox tenant at {}\n", sandbox.base_url);
    run_demo_session(&sandbox)
}

/// The demo app's id and secret, from the committed demo seed (a fake tenant's fake secret).
fn demo_app() -> Result<(String, String), String> {
    let path = paths::root().join("tests/sandbox/seeds/demo.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let seed: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let app = &seed["tenants"][0]["apps"][0];
    match (app["appId"].as_str(), app["secrets"][0].as_str()) {
        (Some(id), Some(secret)) => Ok((id.to_string(), secret.to_string())),
        _ => Err(format!("{}: the first tenant's first app needs an appId and a secret", path.display())),
    }
}

/// The sandbox binary, running until dropped (it also stops if this process dies: its stdin closes).
pub struct Sandbox {
    child: Child,
    pub base_url: String,
}

impl Sandbox {
    pub fn start(extra_args: &[&str]) -> Result<Sandbox, String> {
        let exe = paths::sandbox_exe(false);
        let mut child = Command::new(&exe)
            .arg("--stop-on-stdin-eof")
            .args(extra_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let mut banner = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut banner).map_err(|e| e.to_string())?;
        let parsed: serde_json::Value =
            serde_json::from_str(&banner).map_err(|_| format!("the sandbox did not start (it printed {banner:?})"))?;
        let base_url = parsed["baseUrl"].as_str().ok_or("the sandbox banner has no baseUrl")?.to_string();
        Ok(Sandbox { child, base_url })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
