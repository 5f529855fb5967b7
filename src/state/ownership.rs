//! Which contacts the mirror created, and where (issue 21). A contact is the mirror's to delete
//! only when a mirror write created it in that mailbox: the answer to a create, or, for a create
//! whose answer was lost (a killed run, a 5xx after the write took effect), the contact found by
//! its SyncId in the folder the create went to. A user's own contact that the mirror matched and
//! tagged is never recorded here, so it is untagged, never deleted.
//!
//! Rows are in the order the contacts were created (`rowid`), which tells which of two copies
//! with one SyncId the mirror made later (`-RepairDuplicates`).

use std::collections::HashMap;

use rusqlite::params;

use super::StateStore;
use crate::error::Result;

/// A contact the mirror created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub mailbox: String,
    pub contact_id: String,
    pub sync_id: String,
}

/// The mirror's contacts of a tenant: `(mailbox, contact id)` → the order they were created in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    created: HashMap<(String, String), i64>,
}

impl Ownership {
    pub fn owns(&self, mailbox: &str, contact_id: &str) -> bool {
        self.created.contains_key(&(mailbox.to_string(), contact_id.to_string()))
    }

    /// When the mirror created it (a rank: higher is later); `None` when it did not.
    pub fn created_rank(&self, mailbox: &str, contact_id: &str) -> Option<i64> {
        self.created.get(&(mailbox.to_string(), contact_id.to_string())).copied()
    }

    /// For pure tests: contacts in creation order.
    pub fn of(rows: &[(&str, &str)]) -> Ownership {
        let created = rows.iter().enumerate().map(|(rank, (m, c))| ((m.to_string(), c.to_string()), rank as i64)).collect();
        Ownership { created }
    }
}

impl StateStore {
    /// Records contacts the mirror created (a contact recorded twice keeps its first rank).
    pub fn record_owned(&self, tenant: &str, owned: &[Owned]) -> Result<()> {
        if owned.is_empty() {
            return Ok(());
        }
        self.with(|db| {
            let tx = db.transaction()?;
            for o in owned {
                tx.execute(
                    "INSERT OR IGNORE INTO owned (tenant, mailbox, contact_id, sync_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![tenant, o.mailbox, o.contact_id, o.sync_id, chrono::Utc::now().to_rfc3339()],
                )?;
            }
            tx.commit()
        })
    }

    /// The tenant's contacts the mirror created.
    pub fn ownership(&self, tenant: &str) -> Result<Ownership> {
        self.with(|db| {
            let mut statement = db.prepare("SELECT mailbox, contact_id, rowid FROM owned WHERE tenant = ?1")?;
            let rows = statement.query_map([tenant], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
            Ok(Ownership { created: rows.collect::<rusqlite::Result<_>>()? })
        })
    }

    /// Forgets contacts the mirror deleted.
    pub fn forget_owned(&self, tenant: &str, contacts: &[(String, String)]) -> Result<()> {
        self.with(|db| {
            let tx = db.transaction()?;
            for (mailbox, id) in contacts {
                tx.execute("DELETE FROM owned WHERE tenant = ?1 AND mailbox = ?2 AND contact_id = ?3", params![tenant, mailbox, id])?;
            }
            tx.commit()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_contacts_are_owned_in_the_order_created_and_forgotten_when_deleted() {
        let path = std::env::temp_dir().join(format!("exokit-owned-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = StateStore::open(&path).unwrap();
        let owned = |m: &str, c: &str| Owned { mailbox: m.into(), contact_id: c.into(), sync_id: "s".into() };
        store.record_owned("t", &[owned("hub", "c1"), owned("u1", "c2")]).unwrap();
        store.record_owned("t", &[owned("hub", "c3"), owned("hub", "c1")]).unwrap();
        let found = store.ownership("t").unwrap();
        assert!(found.owns("hub", "c1") && found.owns("u1", "c2") && !found.owns("u1", "c1"));
        assert!(found.created_rank("hub", "c3") > found.created_rank("hub", "c1"), "c1 keeps its first rank");
        assert!(store.ownership("other").unwrap().created.is_empty());
        store.forget_owned("t", &[("hub".into(), "c1".into())]).unwrap();
        assert!(!store.ownership("t").unwrap().owns("hub", "c1"));
        let _ = std::fs::remove_file(&path);
    }
}
