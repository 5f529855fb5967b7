//! The contact mirror's state between runs: one SQLite file (rusqlite, SQLite bundled) holding,
//! per tenant, each mailbox folder's delta link and last-seen contents, the hub folder's id, and
//! a journal of the runs.
//!
//! Pure parts: [`location`] (where the file is), [`snapshot`] (what a delta round changes),
//! [`schema`] (which files are ours, and migrations). [`StateStore`] is the file itself: opening
//! it takes an exclusive lock for as long as the store lives, so a second run on the same file is
//! refused at once with a clear error instead of both writing to it. The operating system drops
//! the lock when the process dies, however it dies.

pub mod folders;
pub mod journal;
pub mod location;
pub mod ownership;
pub mod privacy;
pub mod schema;
pub mod settled;
pub mod snapshot;

pub use folders::{FolderKey, FolderSummary, SavedFolder};
pub use journal::{Interrupted, JournalEntry, Reconciled};
pub use ownership::{Owned, Ownership};
pub use location::{LOCATION_VARIABLES, STATE_PATH_VARIABLE};
pub use snapshot::{Changes, FolderSnapshot, SeenContact};

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, ErrorCode};

use crate::error::{ExoError, Result};
use schema::Refusal;

/// An open, locked state file.
pub struct StateStore {
    path: PathBuf,
    db: Mutex<Connection>,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl StateStore {
    /// Opens (creating it and its directory if needed) and locks the file, then checks that it is
    /// ExoKit's and migrates it.
    pub fn open(path: &Path) -> Result<StateStore> {
        if let Some(directory) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            privacy::create_folder(directory).map_err(|e| unusable(path, &format!("its directory cannot be created ({e})")))?;
        }
        // Private before SQLite writes a row into it (its journal files take the file's mode).
        let warnings = privacy::secure_file(path).map_err(|e| unusable(path, &format!("cannot be made private to this user ({e})")))?;
        for warning in warnings {
            crate::ops::warning(warning);
        }
        let db = Connection::open(path).map_err(|e| sql_error(path, e))?;
        // Never wait for another run's lock: refuse at once.
        db.busy_timeout(std::time::Duration::ZERO).map_err(|e| sql_error(path, e))?;
        // EXCLUSIVE: the lock taken by the first write is kept until the connection closes.
        db.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;").map_err(|e| sql_error(path, e))?;
        match schema::prepare(&db).map_err(|e| sql_error(path, e))? {
            Ok(()) => {}
            Err(Refusal::Foreign) => return Err(unusable(path, "is not an ExoKit state file (another application's database)")),
            Err(Refusal::Newer(version)) => {
                return Err(unusable(path, &format!("was written by a newer ExoKit (schema version {version}; this one knows {})", schema::CURRENT)));
            }
        }
        db.execute_batch("COMMIT").map_err(|e| sql_error(path, e))?;
        Ok(StateStore { path: path.to_path_buf(), db: Mutex::new(db) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of this file to `target` (`VACUUM INTO`): a dry run works on the
    /// copy, so it reads the same delta links and tombstones and leaves this file as it was.
    pub fn copy_to(&self, target: &Path) -> Result<()> {
        self.with(|db| db.execute("VACUUM INTO ?1", [target.to_string_lossy()]).map(|_| ()))
    }

    /// Runs `work` on the connection; SQLite's errors become errors naming the file.
    fn with<T>(&self, work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut db = self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut db).map_err(|e| sql_error(&self.path, e))
    }
}

/// Deletes a state file (`Reset-ContactMirrorState`); `Ok(false)` when there was none. A file in
/// use by a run is not deleted: the lock is checked first.
pub fn reset(path: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    match StateStore::open(path) {
        Ok(store) => drop(store),
        // Not ours or unreadable: deleting it is exactly what the error told the admin to do.
        Err(ExoError::State { busy: false, .. }) => {}
        Err(other) => return Err(other),
    }
    for file in privacy::files(path) {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(unusable(path, &format!("cannot be deleted ({e})"))),
        }
    }
    Ok(true)
}


fn unusable(path: &Path, problem: &str) -> ExoError {
    ExoError::State { path: path.display().to_string(), message: format!("{problem}; reset it with Reset-ContactMirrorState or delete the file"), busy: false }
}

fn sql_error(path: &Path, error: rusqlite::Error) -> ExoError {
    let code = error.sqlite_error_code();
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => ExoError::State {
            path: path.display().to_string(),
            message: "is in use by another contact mirror run; wait for it to finish (two runs on one file would corrupt it)".into(),
            busy: true,
        },
        // Not the file's fault: resetting it would not help.
        Some(ErrorCode::DiskFull) => ExoError::State { path: path.display().to_string(), message: "cannot be written: the disk is full".into(), busy: false },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => unusable(path, "is not a readable SQLite database (corrupt or another kind of file)"),
        _ => unusable(path, &format!("cannot be used ({error})")),
    }
}

#[cfg(test)]
mod tests;
