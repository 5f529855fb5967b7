//! The C header (`bindings/c/exokit.h`) must match the library's `#[ffi]` surface.
//!
//! interoptopus 0.16.6 has no C backend, so cbindgen writes the header. cbindgen cannot see
//! through the `#[ffi]` attribute macro, so it runs on the macro-expanded crate (a second build
//! of the crate in check mode, in its own target dir `target/cbindgen-expand`, cached between
//! runs). Expansion still hides two things, which this test supplies: the service constructors'
//! return type (`AsT<const Operation*>`, a projection cbindgen cannot resolve) and the builtins
//! (`interoptopus_string_*`, `__api_guard`...), which live inside `ffi_inventory()`'s body.
//! Their declarations are in `cbindgen.toml`'s trailer.
//!
//! `cargo test --test c_header` fails when the header is stale; `EXOKIT_BLESS=1 cargo test
//! --test c_header` (or `cargo xtask bindings`) writes it anew. It is committed, never edited by
//! hand.

use std::path::{Path, PathBuf};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const HEADER: &str = "bindings/c/exokit.h";

/// The ctor return types cbindgen leaves unresolved, and the unions in the trailer they mean.
const CTOR_RESULTS: &[(&str, &str)] =
    &[("AsT<const Operation*> ", "union ResultConstPtrOperationBoundaryError ")];

/// Where cargo builds the expanded crate: beside, not inside, the outer cargo's target dir, so
/// the two never wait on each other's lock.
fn expand_target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(MANIFEST_DIR).join("target"), |dir| Path::new(MANIFEST_DIR).join(dir));
    target.join("cbindgen-expand")
}

/// cbindgen's output for the crate, with `trailer` as the config's trailer.
fn run_cbindgen(trailer: impl FnOnce(&str) -> String) -> String {
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    // cbindgen's child cargo inherits these; it offers no other way to pass them.
    unsafe {
        std::env::set_var("RUSTC_BOOTSTRAP", "1"); // -Zunpretty=expanded on a stable toolchain
        std::env::set_var("CARGO_NET_OFFLINE", "true");
        std::env::set_var("CARGO_EXPAND_TARGET_DIR", expand_target_dir());
    }
    let config_file = Path::new(MANIFEST_DIR).join("cbindgen.toml");
    let mut config = cbindgen::Config::from_file(config_file).expect("read cbindgen.toml");
    config.trailer = config.trailer.as_deref().map(trailer);
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(MANIFEST_DIR)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the C header (from the macro-expanded crate)")
        .write(&mut out);
    String::from_utf8(out).expect("cbindgen writes UTF-8")
}

/// Every symbol the library exports, as interoptopus registered it.
fn exported_symbols() -> Vec<String> {
    exokit::ffi_inventory().functions.into_values().map(|f| f.name).collect()
}

/// Puts the real (hash-suffixed) builtin names in place of the trailer's `@name@` placeholders.
fn fill_in_symbols(trailer: &str, symbols: &[String]) -> String {
    let mut text = trailer.to_owned();
    while let Some(start) = text.find('@') {
        let len = text[start + 1..].find('@').expect("the trailer's placeholders are closed by '@'");
        let name = suffixed_symbol(&text[start + 1..start + 1 + len], symbols);
        text.replace_range(start..start + len + 2, &name);
    }
    text
}

/// Replaces the ctor return types cbindgen leaves unresolved by the unions of the trailer.
fn resolve_ctor_results(header: &str) -> String {
    CTOR_RESULTS.iter().fold(header.to_owned(), |h, (unresolved, union)| h.replace(unresolved, union))
}

/// The one exported symbol named `{base}_{digits}` (`export = unique` adds the digits).
fn suffixed_symbol(base: &str, symbols: &[String]) -> String {
    let is_suffixed = |s: &&String| {
        let digits = s.strip_prefix(base).and_then(|rest| rest.strip_prefix('_'));
        digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    let matches: Vec<&String> = symbols.iter().filter(is_suffixed).collect();
    assert!(matches.len() == 1, "cbindgen.toml names @{base}@, but the library exports {matches:?}");
    matches[0].clone()
}

/// What the header must contain however it is generated.
fn check_complete(header: &str, symbols: &[String]) {
    let unresolved = header.contains("AsT<");
    assert!(!unresolved, "a service ctor returns an unresolved `AsT<..>`: add it to CTOR_RESULTS and the trailer");
    let missing: Vec<&String> = symbols.iter().filter(|s| !declares(header, s)).collect();
    assert!(missing.is_empty(), "exported but not declared in the header (add to cbindgen.toml's trailer): {missing:?}");
}

/// Whether `header` has `name(` with no identifier character right before it.
fn declares(header: &str, name: &str) -> bool {
    let call = format!("{name}(");
    header.match_indices(&call).any(|(at, _)| {
        header[..at].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The header as it should be committed.
fn generate() -> String {
    let symbols = exported_symbols();
    let header = resolve_ctor_results(&run_cbindgen(|trailer| fill_in_symbols(trailer, &symbols)));
    check_complete(&header, &symbols);
    header
}

#[test]
fn c_header_is_current() {
    let header = generate();
    let path = Path::new(MANIFEST_DIR).join(HEADER);
    if std::env::var_os("EXOKIT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &header).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
    assert!(
        committed == header,
        "{HEADER} is stale: the #[ffi] surface or cbindgen.toml changed. Run `cargo xtask bindings` and commit the result."
    );
}
