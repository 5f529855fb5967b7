//! A C program can use the library through `bindings/c/exokit.h`.
//!
//! The header test (`tests/c_header.rs`) only shows that the header matches what cbindgen makes of
//! the crate; this one shows that the header is valid C (`-std=c11 -Wall -Wextra -Werror`) and
//! agrees with the cdylib: `tests/c/smoke.c` is compiled, linked against `libexokit.so` and run.
//!
//! The cdylib is the one this `cargo test` built as the test's dependency: it sits in
//! `target/<profile>/deps`, because cargo copies it up to `target/<profile>` only for `cargo
//! build`. Running `cargo build` from here instead would build the library with other dependency
//! features (no dev-dependencies), and the two builds would then overwrite each other's
//! `deps/libexokit.*`, making every later `cargo build` and `cargo test` rebuild it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use interoptopus::pattern::guard::Version;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `target/<profile>/deps`: where this test binary and the cdylib it needs were built.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent().expect("the test binary is in target/<profile>/deps").to_path_buf()
}

/// The directory of the cdylib, after checking that cargo built it.
fn cdylib_dir() -> PathBuf {
    let dir = deps_dir();
    let name = format!("{}exokit{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    assert!(
        dir.join(&name).is_file(),
        "{name} is not in {}: run this through `cargo test`, which builds the library's cdylib",
        dir.display()
    );
    dir
}

/// Runs `command`, failing clearly when its program is missing.
fn run(mut command: Command, what: &str) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("{what}: `{program}` was not found. This test needs a C compiler: install one (e.g. gcc) or set CC.")
        }
        Err(e) => panic!("{what}: cannot run `{program}`: {e}"),
    }
}

/// Builds `tests/c/smoke.c` against the committed header and the cdylib; returns the program.
fn compile_smoke(lib_dir: &Path) -> PathBuf {
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("c_smoke{}", std::env::consts::EXE_SUFFIX));
    let mut cc = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()));
    cc.current_dir(MANIFEST_DIR)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-Ibindings/c", "tests/c/smoke.c", "-o"])
        .arg(&exe)
        .arg("-L")
        .arg(lib_dir)
        .arg("-lexokit");
    let output = run(cc, "compiling tests/c/smoke.c");
    assert!(output.status.success(), "compiling tests/c/smoke.c failed:\n{}", String::from_utf8_lossy(&output.stderr));
    exe
}

/// The loader's search path with `lib_dir` in front.
fn library_path(lib_dir: &Path) -> (&'static str, OsString) {
    let var = if cfg!(windows) {
        "PATH"
    } else if cfg!(target_os = "macos") {
        "DYLD_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    };
    let old = std::env::var_os(var).unwrap_or_default();
    let paths = std::iter::once(lib_dir.to_path_buf()).chain(std::env::split_paths(&old));
    (var, std::env::join_paths(paths).expect("a usable library path"))
}

/// Runs the program and returns what it printed.
fn run_smoke(exe: &Path, lib_dir: &Path) -> String {
    let (var, value) = library_path(lib_dir);
    let mut command = Command::new(exe);
    command.env(var, value);
    let output = run(command, "running the C program");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the C program failed ({}):\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn c_program_calls_the_library() {
    let lib_dir = cdylib_dir();
    let stdout = run_smoke(&compile_smoke(&lib_dir), &lib_dir);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(format!("exokit {}", env!("CARGO_PKG_VERSION")).as_str()), "printed:\n{stdout}");
    let guard: u64 = lines.next().and_then(|l| l.parse().ok()).unwrap_or_else(|| panic!("no API guard in:\n{stdout}"));
    assert_ne!(guard, 0, "__api_guard() returned 0");
    assert!(
        Version::new(guard) == Version::from_inventory(&exokit::ffi_inventory()),
        "__api_guard() of the cdylib differs from this crate's API: the C program loaded another library"
    );
}
