//! A folder's last-seen contents (pure): contacts by id in the order first seen, each with its
//! SyncId and a content hash, changed by the entries of a delta round.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::contacts::is_removed;
use crate::mirror::contact::{Contact, NotesRead};
use crate::mirror::incremental::IndexKeys;
use crate::mirror::tags::parse_tags;

/// One contact as last seen: the list view Graph gave (the planner reads it again each run).
#[derive(Debug, Clone, PartialEq)]
pub struct SeenContact {
    pub id: String,
    pub sync_id: Option<String>,
    pub hash: String,
    pub body: Value,
    /// The keys the planner matches by (`None` in rows saved before they were kept).
    pub keys: Option<IndexKeys>,
}

impl SeenContact {
    /// `None` for an entry without an id (Graph always sends one; such an entry is skipped).
    pub fn from_graph(body: Value) -> Option<SeenContact> {
        let id = body.get("id")?.as_str()?.to_string();
        let sync_id = parse_tags(body.get("personalNotes").and_then(Value::as_str)).sync_id;
        let keys = Contact::from_graph(&body, NotesRead::Listed, "a delta entry").ok().map(|c| IndexKeys::of(&c));
        Some(SeenContact { id, sync_id, hash: content_hash(&body), body, keys })
    }
}

/// A folder's contacts, in the order they were first seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FolderSnapshot {
    pub contacts: Vec<SeenContact>,
}

/// What a round did to a snapshot: the rows to write and the contacts that left.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub upserted: Vec<SeenContact>,
    pub removed: Vec<SeenContact>,
}

impl FolderSnapshot {
    /// The contacts of `before` that this snapshot no longer holds: what a first round that
    /// replaced a lost delta state learned left the folder.
    pub fn gone_since(&self, before: &FolderSnapshot) -> Vec<SeenContact> {
        let now: HashSet<&str> = self.contacts.iter().map(|c| c.id.as_str()).collect();
        before.contacts.iter().filter(|old| !now.contains(old.id.as_str())).cloned().collect()
    }

    /// Applies a delta round's entries: an `@removed` entry drops the contact, any other
    /// replaces it (keeping its place) or adds it at the end.
    pub fn apply(&mut self, entries: Vec<Value>) -> Changes {
        let mut changes = Changes::default();
        // Positions by id, so a first round of thousands of contacts stays linear.
        let mut index: HashMap<String, usize> = self.contacts.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let mut removed = HashSet::new();
        for entry in entries {
            if is_removed(&entry) {
                if let Some(id) = entry.get("id").and_then(Value::as_str)
                    && let Some(&at) = index.get(id)
                    && removed.insert(at)
                {
                    index.remove(id);
                    changes.removed.push(self.contacts[at].clone());
                }
                continue;
            }
            let Some(seen) = SeenContact::from_graph(strip_annotations(entry)) else { continue };
            match index.get(&seen.id) {
                Some(&at) if self.contacts[at].hash == seen.hash => continue,
                Some(&at) => self.contacts[at] = seen.clone(),
                None => {
                    index.insert(seen.id.clone(), self.contacts.len());
                    self.contacts.push(seen.clone());
                }
            }
            changes.upserted.push(seen);
        }
        let mut at = 0;
        self.contacts.retain(|_| {
            at += 1;
            !removed.contains(&(at - 1))
        });
        changes
    }
}

/// Delta entries carry `@odata.type`; the snapshot keeps the contact's own properties only, so
/// that its hash does not change with how it was read.
fn strip_annotations(mut entry: Value) -> Value {
    if let Some(object) = entry.as_object_mut() {
        object.retain(|name, _| !name.starts_with('@'));
    }
    entry
}

/// FNV-1a (64 bits) of the contact's JSON: stable across runs and versions, which
/// `DefaultHasher` is not. It detects change; it protects nothing.
pub fn content_hash(body: &Value) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body.to_string().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SYNC: &str = "0b3f0e2c-4a1d-4f6b-9c8e-7d5a3b2c1e0f";

    #[test]
    fn a_round_adds_replaces_in_place_and_removes() {
        let mut snapshot = FolderSnapshot::default();
        snapshot.apply(vec![json!({"id": "a", "givenName": "A"}), json!({"id": "b", "givenName": "B"})]);
        let changes = snapshot.apply(vec![
            json!({"@odata.type": "#microsoft.graph.contact", "id": "a", "givenName": "A2", "personalNotes": format!("SyncId={SYNC}")}),
            json!({"id": "b", "@removed": {"reason": "deleted"}}),
            json!({"id": "c", "givenName": "C"}),
        ]);
        let ids: Vec<&str> = snapshot.contacts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(snapshot.contacts[0].sync_id.as_deref(), Some(SYNC));
        assert!(snapshot.contacts[0].body.get("@odata.type").is_none(), "annotations are not kept");
        assert_eq!(changes.removed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["b"]);
        let before = snapshot.clone();
        let mut after = FolderSnapshot::default();
        after.apply(vec![json!({"id": "c", "givenName": "C"})]);
        assert_eq!(after.gone_since(&before).iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a"]);
        assert_eq!(changes.upserted.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn an_unchanged_contact_is_not_rewritten() {
        let mut snapshot = FolderSnapshot::default();
        snapshot.apply(vec![json!({"id": "a", "givenName": "A"})]);
        let changes = snapshot.apply(vec![json!({"@odata.type": "#microsoft.graph.contact", "id": "a", "givenName": "A"})]);
        assert!(changes.upserted.is_empty() && changes.removed.is_empty(), "{changes:?}");
    }

    #[test]
    fn the_hash_is_stable_and_sees_every_change() {
        let a = content_hash(&json!({"id": "a", "givenName": "A"}));
        assert_eq!(a, content_hash(&json!({"id": "a", "givenName": "A"})));
        assert_ne!(a, content_hash(&json!({"id": "a", "givenName": "a"})));
        assert_eq!(a.len(), 16);
    }
}
