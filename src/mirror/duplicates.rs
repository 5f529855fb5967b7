//! Duplicates that exist already (issue 21, item 3): two contacts with one SyncId in a folder,
//! left by the original script or by a lost answer before this version. Pure: which contacts
//! share a SyncId, and which of them `-RepairDuplicates` deletes.
//!
//! Only a copy the mirror made is ever deleted, the one made later; a user's own contact never
//! is. In a user's folder the mirror's copies are the ones the state saw it create; in the shared
//! folder (which only the mirror writes: D8 keeps the shared mailbox out of the users) every
//! tagged contact is a copy, and one the state has no record of (made by the original script)
//! counts as made before any the state recorded.

use std::collections::BTreeMap;

use crate::mirror::contact::Contact;

/// Contacts of one folder sharing a SyncId, in the folder's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group<'a> {
    pub sync_id: String,
    pub contacts: Vec<&'a Contact>,
}

/// Every SyncId held by more than one contact of `contacts`.
pub fn groups(contacts: &[Contact]) -> Vec<Group<'_>> {
    let mut by_id: BTreeMap<String, Vec<&Contact>> = BTreeMap::new();
    for contact in contacts {
        if let Some(sync_id) = contact.tags().sync_id {
            by_id.entry(sync_id.to_lowercase()).or_default().push(contact);
        }
    }
    by_id.into_iter().filter(|(_, found)| found.len() > 1).map(|(sync_id, contacts)| Group { sync_id, contacts }).collect()
}

/// The warning for a group: every contact named, with its id.
pub fn warning(group: &Group<'_>, mailbox: &str) -> String {
    let named: Vec<String> = group
        .contacts
        .iter()
        .map(|c| format!("'{}' ({})", c.fields.display_name.as_deref().or(c.fields.primary_email().as_deref()).unwrap_or("(no name)"), c.id))
        .collect();
    format!(
        "{} contacts in {mailbox} carry the SyncId {}: {}. Run with -RepairDuplicates (AUTOMATION_SYNCCONTACTS_REPAIR_DUPLICATES=true) to delete the copies the mirror made later.",
        group.contacts.len(),
        group.sync_id,
        named.join(" and ")
    )
}

/// When the mirror created a contact: `Some(rank)` from the state (higher is later), `Some(None)`
/// for a copy the state has no record of (the shared folder's, from before), `None` when it is
/// not the mirror's to delete.
pub type Made<'a> = &'a dyn Fn(&Contact) -> Option<Option<i64>>;

/// The contacts of a group to delete: every copy the mirror made except the one to keep, which
/// is a user's own contact when there is one (then all copies go), else the earliest copy.
pub fn to_delete<'a>(group: &Group<'a>, made: Made<'_>) -> Vec<&'a Contact> {
    let mut copies: Vec<(Option<i64>, usize, &Contact)> =
        group.contacts.iter().enumerate().filter_map(|(position, c)| made(c).map(|rank| (rank, position, *c))).collect();
    let own_kept = copies.len() < group.contacts.len();
    // Unrecorded (older) first, then by rank, then in the folder's order.
    copies.sort_by_key(|(rank, position, _)| (rank.is_some(), rank.unwrap_or_default(), *position));
    let skip = usize::from(!own_kept);
    copies.into_iter().skip(skip).map(|(_, _, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::contact::NotesRead;
    use serde_json::json;

    const S1: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

    fn tagged(id: &str, sync_id: &str) -> Contact {
        let notes = format!("SyncId={sync_id};CreatedBy=ann@x");
        Contact::from_graph(&json!({"id": id, "displayName": format!("Name {id}"), "personalNotes": notes}), NotesRead::Full, "t").unwrap()
    }

    fn ids(found: &[&Contact]) -> Vec<String> {
        found.iter().map(|c| c.id.clone()).collect()
    }

    #[test]
    fn contacts_sharing_a_sync_id_are_grouped_without_case_and_named_in_the_warning() {
        let folder = [tagged("a", S1), tagged("b", "2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"), tagged("c", &S1.to_uppercase())];
        let found = groups(&folder);
        assert_eq!(found.len(), 1);
        assert_eq!(ids(&found[0].contacts), ["a", "c"]);
        let text = warning(&found[0], "allcontacts@x");
        assert!(text.contains("'Name a' (a) and 'Name c' (c)") && text.contains(S1) && text.contains("-RepairDuplicates"), "{text}");
    }

    #[test]
    fn the_copy_made_later_goes_and_a_users_own_contact_never_does() {
        let folder = [tagged("late", S1), tagged("early", S1), tagged("own", S1)];
        let group = Group { sync_id: S1.into(), contacts: folder.iter().collect() };
        let ranks = |c: &Contact| match c.id.as_str() {
            "late" => Some(Some(9)),
            "early" => Some(Some(2)),
            _ => None,
        };
        assert_eq!(ids(&to_delete(&group, &ranks)), ["early", "late"], "the user's own is kept: every copy goes");
        let two = Group { sync_id: S1.into(), contacts: folder[..2].iter().collect() };
        assert_eq!(ids(&to_delete(&two, &ranks)), ["late"]);
        let unrecorded = |c: &Contact| if c.id == "early" { Some(Some(2)) } else { Some(None) };
        assert_eq!(ids(&to_delete(&two, &unrecorded)), ["early"], "a copy from before the state is the older");
        let none = |_: &Contact| None;
        assert!(to_delete(&group, &none).is_empty(), "nothing the mirror made: nothing deleted");
    }
}
