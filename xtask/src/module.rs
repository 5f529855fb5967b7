//! Building the pieces and assembling `out/ExoKit`: the folder `Install-Module` would create.
//!
//! ```text
//! out/ExoKit/ExoKit.psd1  ExoKit.dll  ExoKit.Format.ps1xml  en-US/ExoKit.dll-Help.xml
//!            scripts/Automation-ContactsMirroring.ps1
//!            runtimes/<rid>/native/<libexokit.so | libexokit.dylib | exokit.dll>
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::exec::{self, run};
use crate::paths;

/// Builds everything a test, the demo or a benchmark needs; returns the module folder.
pub fn build(release: bool) -> Result<PathBuf, String> {
    build_with(release, true)
}

/// The module, and the sandbox binary when `sandbox` (a package does not ship it).
fn build_with(release: bool, sandbox: bool) -> Result<PathBuf, String> {
    let mut cargo = exec::cargo();
    cargo.args(["build", "-p", "exokit"]);
    if sandbox {
        cargo.args(["-p", "exokit-sandbox"]);
    }
    if release {
        cargo.arg("--release");
    }
    run(&mut cargo)?;
    let dotnet_out = paths::target().join("dotnet");
    dotnet_build("ps-module/ExoKit.csproj", &dotnet_out.join("module"))?;
    dotnet_build("tests/host/ExoKit.Host.csproj", &dotnet_out.join("host"))?;
    assemble(release, &dotnet_out.join("module"))
}

/// `cargo xtask package`: a release build of out/ExoKit (the native library stripped by the
/// release profile), then `ExoKit.<version>.nupkg` made by Publish-PSResource into the local
/// file repository out/repository. Returns the .nupkg.
pub fn package() -> Result<PathBuf, String> {
    let dir = build_with(true, false)?;
    println!("out/ExoKit: {:.1} MB in {} files", size_of(&dir) as f64 / 1e6, files_under(&dir).len());
    for file in files_under(&dir) {
        println!("  {}", file.strip_prefix(&dir).unwrap_or(&file).display());
    }
    let repository = paths::repository_dir();
    if repository.exists() {
        fs::remove_dir_all(&repository).map_err(|e| format!("cannot clear {}: {e}", repository.display()))?;
    }
    fs::create_dir_all(&repository).map_err(|e| e.to_string())?;
    // PSResourceGet keeps its repository list under the user's data folder: a folder of the build
    // output stands in for it, so packaging registers nothing on the machine.
    let home = paths::target().join("package-home");
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let script = include_str!("publish.ps1");
    let pwsh = crate::pwsh::find()?;
    run(pwsh
        .command(script)
        .env("EXOKIT_PUBLISH_MODULE", &dir)
        .env("EXOKIT_PUBLISH_REPOSITORY", &repository)
        .env("XDG_DATA_HOME", &home)
        .env("LOCALAPPDATA", &home))?;
    let nupkg = files_under(&repository)
        .into_iter()
        .find(|f| f.extension().is_some_and(|e| e == "nupkg"))
        .ok_or_else(|| format!("Publish-PSResource wrote no .nupkg into {}", repository.display()))?;
    let size = nupkg.metadata().map(|m| m.len()).unwrap_or(0);
    println!("{}: {:.1} MB", nupkg.strip_prefix(paths::root()).unwrap_or(&nupkg).display(), size as f64 / 1e6);
    Ok(nupkg)
}

fn dotnet_build(project: &str, output: &Path) -> Result<(), String> {
    run(exec::dotnet().args(["build", project, "-c", "Release", "--nologo", "-v", "quiet", "-o"]).arg(output))
}

fn assemble(release: bool, module_build: &Path) -> Result<PathBuf, String> {
    let dir = paths::module_dir();
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    let ps_module = paths::root().join("ps-module");
    copy(&module_build.join("ExoKit.dll"), &dir.join("ExoKit.dll"))?;
    copy(&ps_module.join("ExoKit.psd1"), &dir.join("ExoKit.psd1"))?;
    copy(&ps_module.join("ExoKit.Format.ps1xml"), &dir.join("ExoKit.Format.ps1xml"))?;
    let drop_in = "scripts/Automation-ContactsMirroring.ps1";
    copy(&ps_module.join(drop_in), &dir.join(drop_in))?;
    let native = paths::native_file();
    copy(
        &paths::profile_dir(release).join(&native),
        &dir.join("runtimes").join(paths::rid()).join("native").join(&native),
    )?;
    compile_help(&dir)?;
    Ok(dir)
}

/// MAML from ps-module/help/help.json and the cmdlets' own metadata (see HelpCompiler.cs).
fn compile_help(dir: &Path) -> Result<(), String> {
    run(exec::dotnet()
        .arg(paths::host_dll())
        .arg("--compile-help")
        .arg(dir.join("ExoKit.psd1"))
        .arg(paths::root().join("ps-module/help/help.json"))
        .arg(dir.join("en-US").join("ExoKit.dll-Help.xml")))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to.parent().expect("a file has a folder")).map_err(|e| e.to_string())?;
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() { files.extend(files_under(&path)) } else { files.push(path) }
        }
    }
    files.sort();
    files
}

pub fn size_of(dir: &Path) -> u64 {
    files_under(dir).iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum()
}
