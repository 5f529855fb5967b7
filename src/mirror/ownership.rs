//! What a killed run left half done, decided from its journal and this run's reads (pure; issue
//! 21). A run journals each write, and the tag write-back each write calls for, before sending
//! them; a killed run leaves some without an answer. On the next run:
//!
//! - a create found by its SyncId in the folder it was sent to happened: the contact found is the
//!   mirror's (recorded as created, so `-PropagateDeletes` may later delete it);
//! - a write-back whose source is still untagged, while the shared folder holds the contact it
//!   was for, is owed: the source gets the tag an uninterrupted run would have given it (the
//!   shared copy's own tag line). Without it, the source would be matched by email on every
//!   run, duplicated when its address changes, and deletions could not follow it.

use chrono::{DateTime, Utc};

use crate::mirror::contact::Contact;
use crate::mirror::tags::{ParsedTags, TagLine};
use crate::state::{JournalEntry, Owned};

/// A folder as read this run: the mailbox's id and its contacts.
pub type Folder<'a> = (&'a str, &'a [Contact]);

/// A write-back to send again: the tag goes into `source_id` in `mailbox`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedWriteBack {
    pub mailbox: String,
    pub source_id: String,
    pub tag: TagLine,
}

fn has_sync_id(contact: &Contact, sync_id: &str) -> bool {
    contact.tags().sync_id.is_some_and(|s| s.eq_ignore_ascii_case(sync_id))
}

fn contacts_of<'a>(folders: &'a [Folder<'a>], mailbox: &str) -> impl Iterator<Item = &'a Contact> {
    folders.iter().filter(move |(id, _)| *id == mailbox).flat_map(|(_, contacts)| contacts.iter())
}

/// Unanswered creates that happened: the contacts they made.
pub fn adopted_creates(unanswered: &[JournalEntry], folders: &[Folder<'_>]) -> Vec<Owned> {
    unanswered
        .iter()
        .filter(|e| e.kind == "create")
        .filter_map(|e| {
            let found = contacts_of(folders, &e.mailbox).find(|c| has_sync_id(c, &e.sync_id))?;
            Some(Owned { mailbox: e.mailbox.clone(), contact_id: found.id.clone(), sync_id: e.sync_id.clone() })
        })
        .collect()
}

/// Unanswered write-backs still owed: the source is there without the SyncId, and the shared
/// folder (`hub`) holds the contact with it. `now`/`actor` fill a tag field the copy lacks.
pub fn owed_write_backs(unanswered: &[JournalEntry], folders: &[Folder<'_>], hub: &[Contact], now: DateTime<Utc>) -> Vec<OwedWriteBack> {
    let mut owed: Vec<OwedWriteBack> = Vec::new();
    for entry in unanswered.iter().filter(|e| e.kind == "write-back") {
        let Some(source_id) = &entry.contact_id else { continue };
        let Some(source) = contacts_of(folders, &entry.mailbox).find(|c| &c.id == source_id) else { continue };
        if has_sync_id(source, &entry.sync_id) || owed.iter().any(|o| &o.source_id == source_id && o.mailbox == entry.mailbox) {
            continue;
        }
        let Some(copy) = hub.iter().find(|c| has_sync_id(c, &entry.sync_id)) else { continue };
        owed.push(OwedWriteBack { mailbox: entry.mailbox.clone(), source_id: source_id.clone(), tag: tag_of(&copy.tags(), now) });
    }
    owed
}

/// The tag line a contact carries, as a line to write again.
fn tag_of(parsed: &ParsedTags, now: DateTime<Utc>) -> TagLine {
    let at = parsed.last_updated_at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc));
    let created_by = parsed.created_by.clone().unwrap_or_default();
    TagLine {
        sync_id: parsed.sync_id.clone().unwrap_or_default(),
        last_updated_by: parsed.last_updated_by.clone().unwrap_or_else(|| created_by.clone()),
        created_by,
        last_updated_at: at.unwrap_or(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::contact::NotesRead;
    use serde_json::json;

    const S1: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    const TAG: &str = "SyncId=1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d;CreatedBy=ann@x;LastUpdatedAt=2026-01-02T03:04:05.1234567Z;LastUpdatedBy=ann@x";

    fn contact(id: &str, notes: Option<&str>) -> Contact {
        Contact::from_graph(&json!({"id": id, "displayName": id, "personalNotes": notes}), NotesRead::Full, "test").unwrap()
    }

    fn entry(kind: &'static str, mailbox: &str, contact_id: Option<&str>) -> JournalEntry {
        JournalEntry { mailbox: mailbox.into(), sync_id: S1.into(), kind, contact_id: contact_id.map(Into::into) }
    }

    #[test]
    fn an_unanswered_create_found_by_sync_id_is_the_mirrors() {
        let hub = [contact("h1", Some(TAG))];
        let folders: [Folder; 1] = [("hub", &hub)];
        let adopted = adopted_creates(&[entry("create", "hub", None), entry("create", "u1", None)], &folders);
        assert_eq!(adopted, [Owned { mailbox: "hub".into(), contact_id: "h1".into(), sync_id: S1.into() }]);
    }

    #[test]
    fn a_write_back_is_owed_to_an_untagged_source_and_gets_the_copys_tag() {
        let hub = [contact("h1", Some(TAG))];
        let ann = [contact("a1", Some("met at the fair")), contact("a2", Some(TAG))];
        let folders: [Folder; 2] = [("hub", &hub), ("ann", &ann)];
        let now = Utc::now();
        let owed = owed_write_backs(&[entry("write-back", "ann", Some("a1")), entry("write-back", "ann", Some("a1"))], &folders, &hub, now);
        assert_eq!(owed.len(), 1, "once per source");
        assert_eq!((owed[0].mailbox.as_str(), owed[0].source_id.as_str()), ("ann", "a1"));
        assert_eq!(owed[0].tag.render(), TAG, "exactly the tag an uninterrupted run wrote");
        assert!(owed_write_backs(&[entry("write-back", "ann", Some("a2"))], &folders, &hub, now).is_empty(), "already tagged");
        assert!(owed_write_backs(&[entry("write-back", "ann", Some("a1"))], &folders, &[], now).is_empty(), "no shared copy: nothing to tag with");
        assert!(owed_write_backs(&[entry("write-back", "ann", Some("gone"))], &folders, &hub, now).is_empty(), "the source is gone");
    }
}
