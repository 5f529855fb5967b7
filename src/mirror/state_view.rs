//! `Get-ContactMirrorState` and `Reset-ContactMirrorState`: what the state file holds, per tenant
//! and mailbox folder, and deleting it. Neither makes a request; both name the file they used.

use std::path::PathBuf;

use crate::error::Result;
use crate::ops::{self, Record};
use crate::state::{self, StateStore};

/// One folder the state holds, as `Get-ContactMirrorState` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateEntry {
    pub path: String,
    pub tenant: String,
    /// The mailbox's UPN, else (a state from before issue 20's names) its object id.
    pub mailbox: String,
    /// The mailbox's object id.
    pub mailbox_id: String,
    /// `Contacts` (the default folder) or `Shared folder` (the hub, by id in `folder_id`).
    pub folder: String,
    pub folder_id: Option<String>,
    pub contacts: u64,
    pub synced_contacts: u64,
    /// When the folder's delta round last completed (RFC 3339).
    pub synced_at: String,
    /// The tenant's last run: when it started, and whether it ended (a killed run did not).
    pub last_run_started: Option<String>,
    pub last_run_finished: Option<String>,
}

/// Writes one record per folder; a missing file is not created (a verbose line says so).
pub async fn get(path: PathBuf) -> Result<()> {
    if !path.exists() {
        ops::verbose(format!("No contact mirror state file at '{}': nothing has been synced with it yet.", path.display()));
        return Ok(());
    }
    let store = StateStore::open(&path)?;
    for folder in store.summary()? {
        let last = store.last_run(&folder.tenant)?;
        ops::record(Record::MirrorState(StateEntry {
            path: path.display().to_string(),
            folder: if folder.folder.is_empty() { "Contacts".into() } else { "Shared folder".into() },
            folder_id: (!folder.folder.is_empty()).then(|| folder.folder.clone()),
            tenant: folder.tenant,
            mailbox: folder.upn.unwrap_or_else(|| folder.mailbox.clone()),
            mailbox_id: folder.mailbox,
            contacts: folder.contacts,
            synced_contacts: folder.synced_contacts,
            synced_at: folder.synced_at,
            last_run_started: last.as_ref().map(|l| l.0.clone()),
            last_run_finished: last.and_then(|l| l.1),
        }));
    }
    Ok(())
}

/// Deletes the file (the next run reads every folder whole and seeds it again).
pub async fn reset(path: PathBuf) -> Result<()> {
    if state::reset(&path)? {
        ops::verbose(format!("Deleted the contact mirror state file '{}'; the next run reads every folder whole.", path.display()));
    } else {
        ops::warning(format!("There is no contact mirror state file at '{}'.", path.display()));
    }
    Ok(())
}
