//! The generated C# bindings (`bindings/csharp/`) must match the library's `#[ffi]` surface.
//!
//! `cargo test --test bindings` fails when they are stale; `EXOKIT_BLESS=1 cargo test --test
//! bindings` (or `cargo xtask bindings`) writes them anew. They are committed, never edited by hand.

use std::path::Path;

use interoptopus_csharp::dispatch::Dispatch;
use interoptopus_csharp::lang::meta::FileEmission;
use interoptopus_csharp::output::Target;
use interoptopus_csharp::RustLibrary;
use interoptopus_csharp::config::{DllImportSearchPath, HeaderConfig, SearchPathConfig};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bindings/csharp");

fn generate() -> Vec<(String, String)> {
    let dispatch = Dispatch::custom(|item, _| match item.emission {
        FileEmission::Common => Target::new("Interop.Common.cs", "ExoKit.Native.Common"),
        FileEmission::Default | FileEmission::CustomModule(_) => Target::new("Interop.cs", "ExoKit.Native"),
    });
    let output = RustLibrary::builder(exokit::ffi_inventory())
        .dll_name("exokit")
        .dispatch(dispatch)
        .headers(HeaderConfig { emit_version: true })
        .search_path(SearchPathConfig { import_search_path: DllImportSearchPath::AssemblyDirectory })
        .build()
        .process()
        .expect("interoptopus generates the C# bindings");
    let tmp = tempdir();
    output.write_buffers_to(&tmp).expect("write generated bindings");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
        .collect();
    files.sort();
    std::fs::remove_dir_all(&tmp).ok();
    files
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("exokit-bindings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn csharp_bindings_are_current() {
    let generated = generate();
    assert!(!generated.is_empty());
    if std::env::var_os("EXOKIT_BLESS").is_some() {
        std::fs::create_dir_all(DIR).unwrap();
        for (name, text) in &generated {
            std::fs::write(Path::new(DIR).join(name), text).unwrap();
        }
        return;
    }
    for (name, text) in &generated {
        let committed = std::fs::read_to_string(Path::new(DIR).join(name)).unwrap_or_default();
        assert!(
            committed == *text,
            "bindings/csharp/{name} is stale: the #[ffi] surface changed. Run `cargo xtask bindings` and commit the result."
        );
    }
}
