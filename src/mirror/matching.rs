//! Finding a source contact's counterpart among the targets (spec §4.2, §4.3).
//!
//! Three indexes, looked up in order: SyncId, then primary email, then displayName (only between
//! contacts that have no email). Keys ignore case, as the original's hashtables did. Fixes D6:
//! the first contact wins in **every** index (the original's email index kept the last), and
//! contacts planned for creation in this run are indexed as soon as they are planned, so a second
//! source contact with the same email matches the first instead of creating a duplicate.

use std::collections::HashMap;

use crate::mirror::contact::{Contact, ContactFields};

/// A target the index points at: an existing contact (by position in the target list) or one the
/// plan creates (by position in the order of creation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetRef {
    Existing(usize),
    Planned(usize),
}

/// How a source contact was matched, in the order tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    SyncId,
    Email,
    DisplayName,
}

/// The keys of one contact: what it can be found by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    pub sync_id: Option<String>,
    /// The primary email, already trimmed and lower-cased.
    pub email: Option<String>,
    pub display_name: Option<String>,
}

impl MatchKeys {
    pub fn new(sync_id: Option<String>, fields: &ContactFields) -> MatchKeys {
        MatchKeys {
            sync_id,
            email: fields.primary_email(),
            display_name: fields.display_name.clone(),
        }
    }

    pub fn of(contact: &Contact) -> MatchKeys {
        MatchKeys::new(contact.tags().sync_id, &contact.fields)
    }
}

/// The three indexes over the targets. Insert in list order: the first contact with a key keeps it.
#[derive(Debug, Default)]
pub struct TargetIndex {
    by_sync_id: HashMap<String, TargetRef>,
    by_email: HashMap<String, TargetRef>,
    by_display_name: HashMap<String, TargetRef>,
}

/// Case-insensitive keys; displayName is used as-is otherwise (no trim, spec §4.3 step 3).
fn fold(key: &str) -> String {
    key.to_lowercase()
}

impl TargetIndex {
    /// Indexes the existing targets, in list order.
    pub fn build(targets: &[Contact]) -> TargetIndex {
        let mut index = TargetIndex::default();
        for (position, target) in targets.iter().enumerate() {
            index.insert(&MatchKeys::of(target), TargetRef::Existing(position));
        }
        index
    }

    /// Adds a contact's keys where no earlier contact has them. The displayName key is only for
    /// contacts without an email (spec §4.2).
    pub fn insert(&mut self, keys: &MatchKeys, target: TargetRef) {
        if let Some(id) = &keys.sync_id {
            self.by_sync_id.entry(fold(id)).or_insert(target);
        }
        match (&keys.email, &keys.display_name) {
            (Some(email), _) => {
                self.by_email.entry(email.clone()).or_insert(target);
            }
            (None, Some(name)) => {
                self.by_display_name.entry(fold(name)).or_insert(target);
            }
            (None, None) => {}
        }
    }

    /// The match for a source contact (spec §4.3): SyncId; else email; else, only for a source
    /// without email, displayName. A SyncId that matches nothing falls back to email.
    pub fn find(&self, source: &MatchKeys) -> Option<(TargetRef, MatchedBy)> {
        if let Some(found) = source
            .sync_id
            .as_ref()
            .and_then(|id| self.by_sync_id.get(&fold(id)))
        {
            return Some((*found, MatchedBy::SyncId));
        }
        match (&source.email, &source.display_name) {
            (Some(email), _) => self
                .by_email
                .get(email)
                .map(|found| (*found, MatchedBy::Email)),
            (None, Some(name)) => self
                .by_display_name
                .get(&fold(name))
                .map(|found| (*found, MatchedBy::DisplayName)),
            (None, None) => None,
        }
    }

    /// True when some target carries this SyncId.
    pub fn has_sync_id(&self, sync_id: &str) -> bool {
        self.by_sync_id.contains_key(&fold(sync_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::contact::tests::contact;

    // Hex letters, so that upper-casing changes the id (an id of digits would prove nothing).
    const S1: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    const S2: &str = "22222222-2222-2222-2222-222222222222";

    fn tagged(id: &str, name: &str, email: Option<&str>, sync_id: &str) -> Contact {
        let mut c = contact(id, name, email);
        c.personal_notes = Some(format!("SyncId={sync_id};CreatedBy=x"));
        c
    }

    fn keys(sync_id: Option<&str>, email: Option<&str>, name: Option<&str>) -> MatchKeys {
        MatchKeys {
            sync_id: sync_id.map(Into::into),
            email: email.map(Into::into),
            display_name: name.map(Into::into),
        }
    }

    #[test]
    fn sync_id_beats_email_beats_display_name() {
        let targets = [
            contact("t0", "Ann", Some("ann@x.com")),
            tagged("t1", "Other", Some("other@x.com"), S1),
            contact("t2", "Bob", None),
        ];
        let index = TargetIndex::build(&targets);
        assert_ne!(S1.to_uppercase(), S1);
        let by_sync = index.find(&keys(
            Some(&S1.to_uppercase()),
            Some("ann@x.com"),
            Some("Bob"),
        ));
        assert_eq!(by_sync, Some((TargetRef::Existing(1), MatchedBy::SyncId)));
        let by_email = index.find(&keys(Some(S2), Some("ann@x.com"), Some("Bob")));
        assert_eq!(
            by_email,
            Some((TargetRef::Existing(0), MatchedBy::Email)),
            "an unknown SyncId falls back to email"
        );
        assert_eq!(
            index.find(&keys(None, None, Some("BOB"))),
            Some((TargetRef::Existing(2), MatchedBy::DisplayName))
        );
    }

    #[test]
    fn a_source_with_email_never_matches_by_display_name() {
        let index = TargetIndex::build(&[contact("t0", "Bob", None)]);
        assert_eq!(
            index.find(&keys(None, Some("bob@x.com"), Some("Bob"))),
            None
        );
    }

    #[test]
    fn display_name_only_indexes_targets_without_email() {
        let index = TargetIndex::build(&[contact("t0", "Bob", Some("bob@x.com"))]);
        assert_eq!(index.find(&keys(None, None, Some("Bob"))), None);
    }

    #[test]
    fn the_first_contact_wins_in_every_index() {
        let targets = [
            tagged("t0", "Same", Some("dup@x.com"), S1),
            tagged("t1", "Same", Some("DUP@x.com"), S1),
            contact("t2", "Nomail", None),
            contact("t3", "NOMAIL", None),
        ];
        let index = TargetIndex::build(&targets);
        assert_eq!(
            index.find(&keys(Some(S1), None, None)).unwrap().0,
            TargetRef::Existing(0)
        );
        assert_eq!(
            index.find(&keys(None, Some("dup@x.com"), None)).unwrap().0,
            TargetRef::Existing(0)
        );
        assert_eq!(
            index.find(&keys(None, None, Some("nomail"))).unwrap().0,
            TargetRef::Existing(2)
        );
    }

    #[test]
    fn planned_contacts_are_found_but_never_displace_existing_ones() {
        let mut index = TargetIndex::build(&[contact("t0", "Ann", Some("ann@x.com"))]);
        index.insert(
            &keys(Some(S2), Some("new@x.com"), Some("New")),
            TargetRef::Planned(0),
        );
        index.insert(&keys(None, Some("ann@x.com"), None), TargetRef::Planned(1));
        assert_eq!(
            index.find(&keys(None, Some("new@x.com"), None)).unwrap().0,
            TargetRef::Planned(0)
        );
        assert_eq!(
            index.find(&keys(Some(S2), None, None)).unwrap().0,
            TargetRef::Planned(0)
        );
        assert_eq!(
            index.find(&keys(None, Some("ann@x.com"), None)).unwrap().0,
            TargetRef::Existing(0)
        );
        assert!(index.has_sync_id(S2));
    }
}
