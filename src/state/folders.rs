//! The state file's rows: each folder's delta link and snapshot, the hub folder's id, and what
//! `Get-ContactMirrorState` shows.

use rusqlite::{OptionalExtension, params};

use super::snapshot::{Changes, FolderSnapshot, SeenContact};
use crate::mirror::incremental::IndexKeys;
use super::StateStore;
use crate::error::Result;

/// A folder of a mailbox in a tenant; `folder` is empty for the default Contacts folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FolderKey {
    pub tenant: String,
    pub mailbox: String,
    pub folder: String,
}

/// What the state holds for a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedFolder {
    pub delta_link: String,
    pub snapshot: FolderSnapshot,
}

/// One folder's line in `Get-ContactMirrorState`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSummary {
    pub tenant: String,
    pub mailbox: String,
    /// The mailbox's UPN, when a run recorded it.
    pub upn: Option<String>,
    pub folder: String,
    pub contacts: u64,
    pub synced_contacts: u64,
    pub synced_at: String,
}

impl StateStore {
    /// The folder's link and snapshot, when saved for this Graph endpoint (a link from another
    /// endpoint, e.g. another sandbox, means nothing here).
    pub fn folder(&self, key: &FolderKey, endpoint: &str) -> Result<Option<SavedFolder>> {
        self.with(|db| {
            let link: Option<String> = db
                .query_row(
                    "SELECT delta_link FROM folders WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 AND endpoint = ?4",
                    params![key.tenant, key.mailbox, key.folder, endpoint],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(delta_link) = link else { return Ok(None) };
            let mut statement = db.prepare(
                "SELECT id, sync_id, hash, body, email, name, hides, keyed FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 ORDER BY position",
            )?;
            let mut rows = statement.query(params![key.tenant, key.mailbox, key.folder])?;
            let mut snapshot = FolderSnapshot::default();
            while let Some(row) = rows.next()? {
                let (id, sync_id, hash, body): (String, Option<String>, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                // A row whose JSON does not parse makes the folder unreadable: read it again whole.
                let Ok(body) = serde_json::from_str(&body) else { return Ok(None) };
                let keys = match row.get::<_, bool>(7)? {
                    true => Some(IndexKeys { sync_id: sync_id.as_ref().map(|s| s.to_lowercase()), email: row.get(4)?, name: row.get(5)?, hides_sync_id: row.get(6)? }),
                    false => None,
                };
                snapshot.contacts.push(SeenContact { id, sync_id, hash, body, keys });
            }
            Ok(Some(SavedFolder { delta_link, snapshot }))
        })
    }

    /// The folder's saved delta link only (for this endpoint): a round that brings no change
    /// needs nothing else, so a quiet run never loads a snapshot.
    pub fn delta_link(&self, key: &FolderKey, endpoint: &str) -> Result<Option<String>> {
        self.with(|db| {
            db.query_row(
                "SELECT delta_link FROM folders WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 AND endpoint = ?4",
                params![key.tenant, key.mailbox, key.folder, endpoint],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Saves the next link of a round that changed nothing.
    pub fn save_link(&self, key: &FolderKey, delta_link: &str) -> Result<()> {
        self.with(|db| {
            db.execute(
                "UPDATE folders SET delta_link = ?4, synced_at = ?5 WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3",
                params![key.tenant, key.mailbox, key.folder, delta_link, chrono::Utc::now().to_rfc3339()],
            )
            .map(|_| ())
        })
    }

    /// How many contacts the folder's snapshot holds.
    pub fn contact_count(&self, key: &FolderKey) -> Result<usize> {
        self.with(|db| {
            db.query_row("SELECT count(*) FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3", params![key.tenant, key.mailbox, key.folder], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
        })
    }

    /// The folder's compact index, in the snapshot's order: each contact's id and match keys, no
    /// body; `None` when a row was saved before the keys were kept (load the folder instead).
    pub fn index(&self, key: &FolderKey) -> Result<Option<Vec<(String, IndexKeys)>>> {
        self.with(|db| {
            let mut statement = db.prepare_cached(
                "SELECT id, sync_id, email, name, hides, keyed FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 ORDER BY position",
            )?;
            let mut rows = statement.query(params![key.tenant, key.mailbox, key.folder])?;
            let mut index = Vec::new();
            while let Some(row) = rows.next()? {
                if !row.get::<_, bool>(5)? {
                    return Ok(None);
                }
                let sync_id: Option<String> = row.get(1)?;
                let keys = IndexKeys { sync_id: sync_id.map(|s| s.to_lowercase()), email: row.get(2)?, name: row.get(3)?, hides_sync_id: row.get(4)? };
                index.push((row.get(0)?, keys));
            }
            Ok(Some(index))
        })
    }

    /// The saved bodies of some contacts of the folder, in the order asked (ids not held are left
    /// out; a body that does not parse is an error, the caller then reads the folder whole).
    pub fn bodies(&self, key: &FolderKey, ids: &[String]) -> Result<Option<Vec<serde_json::Value>>> {
        self.with(|db| {
            let mut statement = db.prepare_cached("SELECT body FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 AND id = ?4")?;
            let mut bodies = Vec::with_capacity(ids.len());
            for id in ids {
                let body: Option<String> = statement.query_row(params![key.tenant, key.mailbox, key.folder, id], |r| r.get(0)).optional()?;
                match body.map(|b| serde_json::from_str(&b)) {
                    Some(Ok(value)) => bodies.push(value),
                    Some(Err(_)) => return Ok(None),
                    None => {}
                }
            }
            Ok(Some(bodies))
        })
    }

    /// Saves a round's outcome in one transaction: `reseed` replaces the whole snapshot (a first
    /// round), otherwise only the changed rows are written.
    pub fn save_folder(&self, key: &FolderKey, endpoint: &str, delta_link: &str, snapshot: &FolderSnapshot, changes: &Changes, reseed: bool) -> Result<()> {
        self.with(|db| {
            let tx = db.transaction()?;
            let k = params![key.tenant, key.mailbox, key.folder];
            if reseed {
                tx.execute("DELETE FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3", k)?;
            }
            for gone in &changes.removed {
                tx.execute("DELETE FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3 AND id = ?4", params![key.tenant, key.mailbox, key.folder, gone.id])?;
                // Kept until the delete phase deals with it, in the same transaction as the
                // snapshot: a run killed after this round still knows the contact left.
                if let Some(sync_id) = &gone.sync_id {
                    tx.execute(
                        "INSERT OR REPLACE INTO tombstones (tenant, mailbox, folder, contact_id, sync_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![key.tenant, key.mailbox, key.folder, gone.id, sync_id],
                    )?;
                }
            }
            let rows: Vec<&SeenContact> = if reseed { snapshot.contacts.iter().collect() } else { changes.upserted.iter().collect() };
            let first: i64 = tx.query_row(
                "SELECT coalesce(max(position), -1) + 1 FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3",
                k,
                |r| r.get(0),
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO contacts (tenant, mailbox, folder, id, position, sync_id, hash, body, email, name, hides, keyed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (tenant, mailbox, folder, id) DO UPDATE SET sync_id = excluded.sync_id, hash = excluded.hash, body = excluded.body,
                 email = excluded.email, name = excluded.name, hides = excluded.hides, keyed = excluded.keyed",
            )?;
            // A new row goes last; a changed one keeps its place (the snapshot's order).
            for (position, seen) in (first..).zip(rows) {
                let keys = seen.keys.clone().unwrap_or_default();
                insert.execute(params![
                    key.tenant,
                    key.mailbox,
                    key.folder,
                    seen.id,
                    position,
                    seen.sync_id,
                    seen.hash,
                    seen.body.to_string(),
                    keys.email,
                    keys.name,
                    keys.hides_sync_id,
                    seen.keys.is_some()
                ])?;
            }
            drop(insert);
            tx.execute(
                "INSERT INTO folders (tenant, mailbox, folder, endpoint, delta_link, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (tenant, mailbox, folder) DO UPDATE SET endpoint = excluded.endpoint, delta_link = excluded.delta_link, synced_at = excluded.synced_at",
                params![key.tenant, key.mailbox, key.folder, endpoint, delta_link, chrono::Utc::now().to_rfc3339()],
            )?;
            tx.commit()
        })
    }

    /// Forgets a folder (its link no longer works): the next read is a first round.
    pub fn forget_folder(&self, key: &FolderKey) -> Result<()> {
        self.with(|db| {
            let k = params![key.tenant, key.mailbox, key.folder];
            db.execute("DELETE FROM contacts WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3", k)?;
            db.execute("DELETE FROM folders WHERE tenant = ?1 AND mailbox = ?2 AND folder = ?3", k)?;
            Ok(())
        })
    }

    /// The synced contacts that left a folder of the tenant and are not dealt with yet:
    /// (mailbox, folder, SyncId).
    pub fn tombstones(&self, tenant: &str) -> Result<Vec<(String, String, String)>> {
        self.with(|db| {
            let mut statement = db.prepare("SELECT mailbox, folder, sync_id FROM tombstones WHERE tenant = ?1 ORDER BY rowid")?;
            let rows = statement.query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
    }

    /// Forgets the tenant's tombstones once the delete phase has dealt with them.
    pub fn clear_tombstones(&self, tenant: &str) -> Result<()> {
        self.with(|db| db.execute("DELETE FROM tombstones WHERE tenant = ?1", [tenant]).map(|_| ()))
    }

    /// The hub folder's id as last found (saves walking the folder tree every run).
    pub fn hub_folder(&self, tenant: &str, shared_mailbox: &str, name: &str) -> Result<Option<String>> {
        self.with(|db| {
            db.query_row(
                "SELECT folder_id FROM hub_folders WHERE tenant = ?1 AND shared_mailbox = ?2 AND name = ?3",
                params![tenant, shared_mailbox, name.to_lowercase()],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Remembers (`Some`) or forgets (`None`) the hub folder's id.
    pub fn set_hub_folder(&self, tenant: &str, shared_mailbox: &str, name: &str, folder_id: Option<&str>) -> Result<()> {
        self.with(|db| {
            let name = name.to_lowercase();
            match folder_id {
                Some(id) => db.execute(
                    "INSERT INTO hub_folders (tenant, shared_mailbox, name, folder_id) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (tenant, shared_mailbox, name) DO UPDATE SET folder_id = excluded.folder_id",
                    params![tenant, shared_mailbox, name, id],
                ),
                None => db.execute("DELETE FROM hub_folders WHERE tenant = ?1 AND shared_mailbox = ?2 AND name = ?3", params![tenant, shared_mailbox, name]),
            }
            .map(|_| ())
        })
    }

    /// Records mailboxes' UPNs by object id (a later run's name replaces an earlier one).
    pub fn set_mailbox_names(&self, tenant: &str, names: &[(String, String)]) -> Result<()> {
        self.with(|db| {
            let mut statement = db.prepare(
                "INSERT INTO mailboxes (tenant, mailbox, upn) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tenant, mailbox) DO UPDATE SET upn = excluded.upn",
            )?;
            for (id, upn) in names {
                statement.execute(params![tenant, id, upn])?;
            }
            Ok(())
        })
    }

    /// Every folder the state holds, with its counts, by tenant and mailbox.
    pub fn summary(&self) -> Result<Vec<FolderSummary>> {
        self.with(|db| {
            let mut statement = db.prepare(
                "SELECT f.tenant, f.mailbox, f.folder, f.synced_at, count(c.id), count(c.sync_id),
                        (SELECT m.upn FROM mailboxes m WHERE m.tenant = f.tenant AND m.mailbox = f.mailbox)
                 FROM folders f LEFT JOIN contacts c ON c.tenant = f.tenant AND c.mailbox = f.mailbox AND c.folder = f.folder
                 GROUP BY f.tenant, f.mailbox, f.folder ORDER BY f.tenant, f.mailbox, f.folder",
            )?;
            let rows = statement.query_map([], |r| {
                Ok(FolderSummary {
                    tenant: r.get(0)?,
                    mailbox: r.get(1)?,
                    folder: r.get(2)?,
                    synced_at: r.get(3)?,
                    contacts: r.get::<_, i64>(4)? as u64,
                    synced_contacts: r.get::<_, i64>(5)? as u64,
                    upn: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }
}
