//! The state file's schema: an `application_id` that marks the file as ExoKit's, a version
//! table, and the migrations that bring an older file up to date. A file that is not SQLite,
//! or is someone else's SQLite, is refused: it is never overwritten or "repaired".

use rusqlite::Connection;

/// `PRAGMA application_id` of ExoKit's state files ("EXKS").
pub const APPLICATION_ID: i32 = 0x4558_4B53;

/// Migration `n` (1-based) brings a file from version `n - 1` to `n`. Append only: a released
/// migration never changes.
const MIGRATIONS: &[&str] = &[
    // 1: delta links and snapshots per folder, the hub folder's id, tombstones (synced contacts
    // that left a folder, until the delete phase has dealt with them), runs and their journal.
    "CREATE TABLE schema_version (version INTEGER NOT NULL);
     INSERT INTO schema_version (version) VALUES (0);
     CREATE TABLE folders (
         tenant TEXT NOT NULL, mailbox TEXT NOT NULL, folder TEXT NOT NULL,
         endpoint TEXT NOT NULL, delta_link TEXT NOT NULL, synced_at TEXT NOT NULL,
         PRIMARY KEY (tenant, mailbox, folder));
     CREATE TABLE contacts (
         tenant TEXT NOT NULL, mailbox TEXT NOT NULL, folder TEXT NOT NULL, id TEXT NOT NULL,
         position INTEGER NOT NULL, sync_id TEXT, hash TEXT NOT NULL, body TEXT NOT NULL,
         PRIMARY KEY (tenant, mailbox, folder, id));
     CREATE TABLE hub_folders (
         tenant TEXT NOT NULL, shared_mailbox TEXT NOT NULL, name TEXT NOT NULL, folder_id TEXT NOT NULL,
         PRIMARY KEY (tenant, shared_mailbox, name));
     CREATE TABLE tombstones (
         tenant TEXT NOT NULL, mailbox TEXT NOT NULL, folder TEXT NOT NULL, contact_id TEXT NOT NULL, sync_id TEXT NOT NULL,
         PRIMARY KEY (tenant, mailbox, folder, contact_id));
     CREATE TABLE runs (
         id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT);
     CREATE TABLE journal (
         run INTEGER NOT NULL REFERENCES runs(id), tenant TEXT NOT NULL, mailbox TEXT NOT NULL,
         sync_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, contact_id TEXT, at TEXT NOT NULL);",
    // 2 (issue 19): the tenants whose last run ended with every pair planned and nothing failed.
    // A run deletes its tenant's row when it starts and writes it back only when it ends that
    // way, so a killed, failed or dry run leaves the next run planning every pair.
    // Each contact's match keys, so that a plan finds what a change can reach without loading
    // bodies; rows from before (keyed = 0) make their folder load whole instead.
    "CREATE TABLE settled (tenant TEXT NOT NULL PRIMARY KEY, at TEXT NOT NULL);
     ALTER TABLE contacts ADD COLUMN email TEXT;
     ALTER TABLE contacts ADD COLUMN name TEXT;
     ALTER TABLE contacts ADD COLUMN hides INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE contacts ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;",
    // 3 (issue 21): the contacts the mirror created, per mailbox, in the order created; only
    // these are ever deleted.
    "CREATE TABLE owned (
         tenant TEXT NOT NULL, mailbox TEXT NOT NULL, contact_id TEXT NOT NULL, sync_id TEXT NOT NULL, created_at TEXT NOT NULL,
         PRIMARY KEY (tenant, mailbox, contact_id));",
    // 4 (issue 20): each mailbox's user principal name next to its object id, for
    // Get-ContactMirrorState (a file from before shows the ids until the next run).
    "CREATE TABLE mailboxes (
         tenant TEXT NOT NULL, mailbox TEXT NOT NULL, upn TEXT NOT NULL,
         PRIMARY KEY (tenant, mailbox));",
];

/// The version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Why a file cannot be used (the caller names the file and the way out).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// SQLite, but another application's (or a table layout that is not ours).
    Foreign,
    /// Written by a newer ExoKit: migrating down would lose what it knows.
    Newer(i64),
}

/// Marks a new file as ours or checks an existing one, then migrates it; inside the caller's
/// exclusive transaction.
pub fn prepare(db: &Connection) -> rusqlite::Result<Result<(), Refusal>> {
    let application: i32 = db.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: i64 = db.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    let version = match (application, tables) {
        (0, 0) => {
            db.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
            0
        }
        (APPLICATION_ID, _) => match db.query_row("SELECT version FROM schema_version", [], |r| r.get::<_, i64>(0)) {
            Ok(version) => version,
            Err(_) => return Ok(Err(Refusal::Foreign)),
        },
        _ => return Ok(Err(Refusal::Foreign)),
    };
    if version > CURRENT {
        return Ok(Err(Refusal::Newer(version)));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        db.execute_batch(migration)?;
        db.execute("UPDATE schema_version SET version = ?1", [index as i64 + 1])?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_marked_and_migrated_to_the_current_version() {
        let db = Connection::open_in_memory().unwrap();
        assert_eq!(prepare(&db).unwrap(), Ok(()));
        let version: i64 = db.query_row("SELECT version FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, CURRENT);
        let application: i32 = db.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        assert_eq!(application, APPLICATION_ID);
        assert_eq!(prepare(&db).unwrap(), Ok(()), "a second open changes nothing");
    }

    #[test]
    fn another_applications_database_is_refused_untouched() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE notes (text TEXT)").unwrap();
        assert_eq!(prepare(&db).unwrap(), Err(Refusal::Foreign));
        let tables: i64 = db.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 1, "nothing was added to it");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let db = Connection::open_in_memory().unwrap();
        prepare(&db).unwrap().unwrap();
        db.execute("UPDATE schema_version SET version = ?1", [CURRENT + 1]).unwrap();
        assert_eq!(prepare(&db).unwrap(), Err(Refusal::Newer(CURRENT + 1)));
    }
}
