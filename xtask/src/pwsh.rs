//! The project's own PowerShell and Pester: pwsh 7.6.10 from the local tool manifest
//! (`.config/dotnet-tools.json`) and Pester 6.2.0 from the package feed into `target/pester`.
//! Nothing is installed globally. `EXOKIT_PWSH=<path>` runs another pwsh (7.6 or newer) instead;
//! a pwsh on PATH that is 7.6 or newer is used when the tool cannot be restored.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exec;
use crate::paths;

pub const POWERSHELL_VERSION: &str = "7.6.10";
pub const PESTER_VERSION: &str = "6.2.0";

/// A pwsh to start: the program, the arguments before pwsh's own, and where it came from.
#[derive(Clone)]
pub struct Pwsh {
    program: PathBuf,
    prefix: Vec<PathBuf>,
    pub origin: String,
}

impl Pwsh {
    /// `pwsh -NoLogo -NoProfile -NonInteractive -File <script>`.
    pub fn file(&self, script: &Path) -> Command {
        let mut command = self.bare();
        command.args(["-NoLogo", "-NoProfile", "-NonInteractive", "-File"]).arg(script);
        command
    }

    /// `pwsh -NoLogo -NoProfile -NonInteractive -Command <text>`.
    pub fn command(&self, text: &str) -> Command {
        let mut command = self.bare();
        command.args(["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", text]);
        command
    }

    /// pwsh with no argument yet; the current directory is the repository root.
    pub fn bare(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.prefix).current_dir(paths::root()).env("DOTNET_CLI_TELEMETRY_OPTOUT", "1").env("POWERSHELL_TELEMETRY_OPTOUT", "1").env("POWERSHELL_UPDATECHECK", "Off");
        command
    }

    /// What a log line shows: the version and the path.
    pub fn describe(&self) -> String {
        let mut shown = vec![self.program.display().to_string()];
        shown.extend(self.prefix.iter().map(|p| p.display().to_string()));
        format!("{} ({})", shown.join(" "), self.origin)
    }

    fn version(&self) -> Option<(u32, u32)> {
        let out = exec::output(self.bare().args(["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "$PSVersionTable.PSVersion.ToString()"])).ok()?;
        let mut parts = out.trim().split(['.', '-']);
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    }
}

/// The pwsh every PowerShell-level step runs in, found once per xtask run and said on the console.
pub fn find() -> Result<Pwsh, String> {
    static FOUND: std::sync::OnceLock<Result<Pwsh, String>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let pwsh = choose()?;
            println!("xtask: pwsh: {}", pwsh.describe());
            Ok(pwsh)
        })
        .clone()
}

fn choose() -> Result<Pwsh, String> {
    if let Some(path) = std::env::var_os("EXOKIT_PWSH").filter(|p| !p.is_empty()) {
        let pwsh = Pwsh { program: PathBuf::from(path), prefix: vec![], origin: "EXOKIT_PWSH".into() };
        return checked(pwsh);
    }
    match tool() {
        Ok(pwsh) => Ok(pwsh),
        Err(tool_error) => {
            let on_path = Pwsh { program: PathBuf::from(paths::exe("pwsh")), prefix: vec![], origin: "PATH".into() };
            checked(on_path).map_err(|path_error| format!("{tool_error}; and {path_error}"))
        }
    }
}

fn checked(pwsh: Pwsh) -> Result<Pwsh, String> {
    match pwsh.version() {
        Some(v) if v >= (7, 6) => Ok(Pwsh { origin: format!("{}, PowerShell {}.{}", pwsh.origin, v.0, v.1), ..pwsh }),
        Some(v) => Err(format!("{} is PowerShell {}.{}; ExoKit needs 7.6 or newer", pwsh.program.display(), v.0, v.1)),
        None => Err(format!("cannot run {} ({})", pwsh.program.display(), pwsh.origin)),
    }
}

/// The manifest's PowerShell tool: `dotnet tool restore`, then its pwsh started directly (the
/// apphost, ~0.4 s) rather than through `dotnet pwsh` (~1.8 s, the tool shim starts a second runtime).
fn tool() -> Result<Pwsh, String> {
    exec::output(exec::dotnet().args(["tool", "restore"])).map_err(|e| format!("the PowerShell tool did not restore: {e}"))?;
    let tools = global_packages()?.join("powershell").join(POWERSHELL_VERSION).join("tools").join("net10.0").join("any");
    let dir = tools.join(if cfg!(windows) { "win" } else { "unix" });
    let origin = format!("PowerShell {POWERSHELL_VERSION}, .config/dotnet-tools.json");
    let apphost = Pwsh { program: dir.join(paths::exe("pwsh")), prefix: vec![], origin: origin.clone() };
    if apphost.program.is_file() && apphost.version().is_some() {
        return Ok(apphost);
    }
    let dll = dir.join("pwsh.dll");
    if !dll.is_file() {
        return Err(format!("the PowerShell tool has no {}", dll.display()));
    }
    let through_dotnet = Pwsh { program: PathBuf::from("dotnet"), prefix: vec![dll], origin };
    through_dotnet.version().map(|_| through_dotnet.clone()).ok_or_else(|| "the PowerShell tool's pwsh.dll does not start".to_string())
}

/// NuGet's global packages folder, where `dotnet tool restore` puts a local tool.
fn global_packages() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("NUGET_PACKAGES").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let listed = exec::output(exec::dotnet().args(["nuget", "locals", "global-packages", "--list"]))?;
    listed
        .lines()
        .find_map(|l| l.trim().strip_prefix("global-packages:"))
        .map(|p| PathBuf::from(p.trim()))
        .ok_or_else(|| format!("`dotnet nuget locals global-packages --list` printed {listed:?}"))
}

/// Pester's module manifest, restored from the feed into `target/pester` on first use.
pub fn pester() -> Result<PathBuf, String> {
    let base = paths::target().join("pester");
    let manifest = base.join("packages").join("pester").join(PESTER_VERSION).join("tools").join("Pester.psd1");
    if manifest.is_file() {
        return Ok(manifest);
    }
    fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    let project = base.join("restore.proj");
    fs::write(&project, restore_project()).map_err(|e| format!("cannot write {}: {e}", project.display()))?;
    exec::run(exec::dotnet().args(["restore", "--nologo", "-v", "quiet"]).arg(&project).arg("--packages").arg(base.join("packages")))?;
    if manifest.is_file() { Ok(manifest) } else { Err(format!("Pester {PESTER_VERSION} restored, but {} is missing", manifest.display())) }
}

/// A project that only downloads Pester (the repository's Directory.*.props stay out of it).
fn restore_project() -> String {
    format!(
        r#"<Project>
  <PropertyGroup>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
    <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
  </PropertyGroup>
  <Import Project="Sdk.props" Sdk="Microsoft.NET.Sdk" />
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[{PESTER_VERSION}]" />
  </ItemGroup>
  <Import Project="Sdk.targets" Sdk="Microsoft.NET.Sdk" />
</Project>
"#
    )
}
