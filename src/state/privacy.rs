//! The state file is private: it holds every mirrored contact (names, addresses, phones, notes).
//! On Unix the folder ExoKit creates is 0700 and the file and SQLite's `-journal`/`-wal`/`-shm`
//! files are 0600; an existing file readable by others is tightened, with a warning (it may have
//! been read already). On Windows the folder and the file get an ACL for the current user only
//! (inheritance removed), set with `icacls` for the user's SID (`whoami /user`).
//!
//! A folder that exists already is left as it is: it may be a shared one (a temp folder), and the
//! file's own mode is what keeps it private.

use std::path::{Path, PathBuf};

/// The files SQLite keeps beside the database (they hold the same rows while a transaction runs).
pub const SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

/// Unix modes.
pub const FOLDER_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Pure: whether a file's mode lets anyone but its owner read or write it.
pub fn too_open(mode: u32) -> bool {
    mode & 0o077 != 0
}

/// The database and its side files.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut all = vec![path.to_path_buf()];
    all.extend(SIDE_FILES.iter().map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    }));
    all
}

/// Creates `directory` (and its missing parents) private to the current user.
pub fn create_folder(directory: &Path) -> std::io::Result<()> {
    if directory.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(directory)?;
    #[cfg(windows)]
    windows::restrict(directory, true)?;
    Ok(())
}

/// Makes the file (created empty and private when missing) and its side files private. Returns
/// the warnings to show: files that were readable by others and were tightened.
pub fn secure_file(path: &Path) -> std::io::Result<Vec<String>> {
    if !path.exists() {
        create_private(path)?;
    }
    let mut warnings = Vec::new();
    for file in files(path).iter().filter(|f| f.exists()) {
        if let Some(was) = tighten(file)? {
            warnings.push(format!(
                "The state file {} was readable by other users ({was}); it is now readable by its owner only. It holds every mirrored contact: check who could read it.",
                file.display()
            ));
        }
    }
    Ok(warnings)
}

fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    match options.open(path) {
        Ok(_) => {}
        // Another process made it between the check and the open: tightened below.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    #[cfg(windows)]
    windows::restrict(path, false)?;
    Ok(())
}

/// `Some(previous mode)` when the file was tightened.
#[cfg(unix)]
fn tighten(file: &Path) -> std::io::Result<Option<String>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(file)?.permissions().mode() & 0o777;
    if !too_open(mode) {
        return Ok(None);
    }
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(FILE_MODE))?;
    Ok(Some(format!("mode {mode:o}")))
}

/// Windows: the ACL is set again on every open (cheap, and an ACL cannot be compared simply).
#[cfg(windows)]
fn tighten(file: &Path) -> std::io::Result<Option<String>> {
    windows::restrict(file, false)?;
    Ok(None)
}

#[cfg(not(any(unix, windows)))]
fn tighten(_file: &Path) -> std::io::Result<Option<String>> {
    Ok(None)
}

/// Pure: the SID in `whoami /user /fo csv /nh`'s answer (`"host\user","S-1-5-21-…"`).
pub fn sid_of_whoami(output: &str) -> Option<String> {
    let line = output.lines().find(|l| !l.trim().is_empty())?;
    let sid = line.rsplit(',').next()?.trim().trim_matches('"');
    (sid.starts_with("S-1-") && sid[4..].chars().all(|c| c.is_ascii_digit() || c == '-')).then(|| sid.to_string())
}

/// Pure: `icacls` arguments that leave only the user's full control (a folder's is inherited by
/// what is created in it).
pub fn icacls_arguments(path: &Path, sid: &str, folder: bool) -> Vec<String> {
    let grant = if folder { format!("*{sid}:(OI)(CI)(F)") } else { format!("*{sid}:(F)") };
    vec![path.display().to_string(), "/inheritance:r".into(), "/grant:r".into(), grant, "/q".into()]
}

#[cfg(windows)]
mod windows {
    use std::path::Path;
    use std::process::Command;

    fn failed(what: &str, detail: String) -> std::io::Error {
        std::io::Error::other(format!("{what} failed: {detail}"))
    }

    pub fn restrict(path: &Path, folder: bool) -> std::io::Result<()> {
        let whoami = Command::new("whoami").args(["/user", "/fo", "csv", "/nh"]).output()?;
        let text = String::from_utf8_lossy(&whoami.stdout);
        let sid = super::sid_of_whoami(&text).ok_or_else(|| failed("whoami /user", text.trim().to_string()))?;
        let icacls = Command::new("icacls").args(super::icacls_arguments(path, &sid, folder)).output()?;
        if !icacls.status.success() {
            return Err(failed("icacls", String::from_utf8_lossy(&icacls.stderr).trim().to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_only_modes_are_private() {
        assert!(!too_open(0o600));
        assert!(!too_open(0o400));
        assert!(too_open(0o644));
        assert!(too_open(0o660));
        assert!(too_open(0o602));
    }

    #[test]
    fn the_side_files_are_sqlites() {
        let all = files(Path::new("/x/state.sqlite"));
        let names: Vec<String> = all.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(names, ["/x/state.sqlite", "/x/state.sqlite-journal", "/x/state.sqlite-wal", "/x/state.sqlite-shm"]);
    }

    #[test]
    fn the_sid_is_read_from_whoami() {
        assert_eq!(sid_of_whoami("\"host\\ann\",\"S-1-5-21-1-2-3-1001\"\r\n").as_deref(), Some("S-1-5-21-1-2-3-1001"));
        assert_eq!(sid_of_whoami("\r\n\"nt authority\\system\",\"S-1-5-18\""), Some("S-1-5-18".into()));
        assert_eq!(sid_of_whoami("ERROR: access denied"), None);
        assert_eq!(sid_of_whoami("\"a\",\"S-1-5-18 & calc\""), None, "only digits and dashes reach icacls");
    }

    #[test]
    fn icacls_removes_inheritance_and_grants_the_user_alone() {
        let file = icacls_arguments(Path::new("C:\\s\\state.sqlite"), "S-1-5-18", false);
        assert_eq!(file, ["C:\\s\\state.sqlite", "/inheritance:r", "/grant:r", "*S-1-5-18:(F)", "/q"]);
        assert_eq!(icacls_arguments(Path::new("C:\\s"), "S-1-5-18", true)[3], "*S-1-5-18:(OI)(CI)(F)");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_folder_and_file_are_private_and_an_open_file_is_tightened_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = std::env::temp_dir().join(format!("exokit-privacy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let folder = root.join("nested");
        create_folder(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);
        let path = folder.join("state.sqlite");
        assert!(secure_file(&path).unwrap().is_empty(), "a new file is created private: nothing to warn about");
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let journal = files(&path)[1].clone();
        std::fs::write(&journal, b"").unwrap();
        std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o664)).unwrap();
        let warnings = secure_file(&path).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("mode 644") && warnings[0].contains("readable by its owner only"), "{warnings:?}");
        assert_eq!((mode(&path), mode(&journal)), (0o600, 0o600));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
