//! Where things are: the repository, cargo's target directory, the assembled module.

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the repository").to_path_buf()
}

pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// Cargo's output folder for a profile.
pub fn profile_dir(release: bool) -> PathBuf {
    target().join(if release { "release" } else { "debug" })
}

/// The assembled module, as Install-Module would lay it out.
pub fn module_dir() -> PathBuf {
    root().join("out").join("ExoKit")
}

/// The local file repository `cargo xtask package` publishes ExoKit.<version>.nupkg into.
pub fn repository_dir() -> PathBuf {
    root().join("out").join("repository")
}

pub fn module_manifest() -> PathBuf {
    module_dir().join("ExoKit.psd1")
}

/// The console host (runs scripts where there is no pwsh).
pub fn host_dll() -> PathBuf {
    target().join("dotnet").join("host").join("exokit-host.dll")
}

pub fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

pub fn sandbox_exe(release: bool) -> PathBuf {
    profile_dir(release).join(exe("exokit-sandbox"))
}

/// The native library's file name on this OS, as cargo writes it.
pub fn native_file() -> String {
    format!("{}exokit{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// The .NET runtime identifier of this machine (`linux-x64`, `win-arm64`, ...).
pub fn rid() -> String {
    let os = match std::env::consts::OS {
        "windows" => "win",
        "macos" => "osx",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "x86",
        other => other,
    };
    format!("{os}-{arch}")
}
