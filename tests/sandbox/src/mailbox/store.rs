//! One mailbox: the default Contacts folder and its descendants, the contacts in them, and a
//! change sequence that delta rounds are cut from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::contact::{self, Contact, ContactError};
use crate::seed::{ContactSeed, FolderSeed, UserSeed};

/// The well-known name Graph accepts for the default Contacts folder (`contactFolders/contacts`).
pub const ROOT_WELL_KNOWN: &str = "contacts";

#[derive(Debug, Clone)]
pub struct Folder {
    pub id: String,
    pub display_name: String,
    /// `None` for the default Contacts folder.
    pub parent_id: Option<String>,
}

/// One entry of a delta round: a contact as it is now, or the id of one that left the folder.
#[derive(Debug, Clone)]
pub enum DeltaChange {
    Present(Contact),
    Removed { id: String },
}

/// A contact that was deleted or moved out of a folder, kept for delta.
#[derive(Debug, Clone)]
struct Tombstone {
    folder_id: String,
    id: String,
    sequence: u64,
}

#[derive(Debug)]
pub struct Mailbox {
    pub root_id: String,
    /// Prefix of every id minted here, unique in the tenant, so ids differ between mailboxes as
    /// real ones do.
    id_prefix: String,
    folders: Vec<Folder>,
    contacts: HashMap<String, Contact>,
    /// Contact ids per folder, oldest first: the order lists return.
    order: HashMap<String, Vec<String>>,
    tombstones: Vec<Tombstone>,
    sequence: u64,
    minted: u64,
    /// Delta states cut before this sequence are gone (`410 SyncStateNotFound`).
    evicted_before: u64,
}

impl Mailbox {
    /// The mailbox `ordinal` of its tenant. The ordinal is in every id, so ids are unique in
    /// the whole tenant even when users' ids share their first digits (an id from another
    /// mailbox must be `ErrorItemNotFound`, never another mailbox's item).
    pub fn from_seed(user: UserSeed, ordinal: usize) -> Result<Mailbox, String> {
        let compact: String = user.id.chars().filter(char::is_ascii_hexdigit).take(12).collect();
        let mut mailbox = Mailbox {
            root_id: String::new(),
            id_prefix: format!("AAMkAG{compact}{ordinal:04X}"),
            folders: Vec::new(),
            contacts: HashMap::new(),
            order: HashMap::new(),
            tombstones: Vec::new(),
            sequence: 0,
            minted: 0,
            evicted_before: 0,
        };
        let root = mailbox.add_folder(None, "Contacts");
        mailbox.root_id = root.clone();
        let now = Utc::now();
        for (index, seed) in user.contacts.into_iter().enumerate() {
            mailbox.seed_contact(&root, seed, now).map_err(|e| format!("contacts[{index}]: {e}"))?;
        }
        for (index, folder) in user.contact_folders.into_iter().enumerate() {
            mailbox.seed_folder(&root, folder, now).map_err(|e| format!("contactFolders[{index}]: {e}"))?;
        }
        Ok(mailbox)
    }

    fn seed_folder(&mut self, parent: &str, seed: FolderSeed, now: DateTime<Utc>) -> Result<(), String> {
        let id = self.add_folder(Some(parent.to_string()), &seed.display_name);
        for (index, contact) in seed.contacts.into_iter().enumerate() {
            self.seed_contact(&id, contact, now).map_err(|e| format!("contacts[{index}]: {e}"))?;
        }
        for (index, child) in seed.child_folders.into_iter().enumerate() {
            self.seed_folder(&id, child, now).map_err(|e| format!("childFolders[{index}]: {e}"))?;
        }
        Ok(())
    }

    /// A seeded contact may carry `lastModifiedDateTime` (to test "the target is older").
    fn seed_contact(&mut self, folder: &str, seed: ContactSeed, now: DateTime<Utc>) -> Result<(), String> {
        let mut body = seed;
        let modified = match body.remove("lastModifiedDateTime") {
            Some(Value::String(text)) => DateTime::parse_from_rfc3339(&text)
                .map_err(|e| format!("lastModifiedDateTime '{text}': {e}"))?
                .with_timezone(&Utc),
            Some(other) => return Err(format!("lastModifiedDateTime must be a string, not {other}")),
            None => now,
        };
        let properties = contact::validate_map(body).map_err(|e| match e {
            ContactError::BodyRead(m) | ContactError::TooMany(m) => m,
        })?;
        self.insert_contact(folder, properties, modified);
        Ok(())
    }

    fn mint(&mut self) -> String {
        self.minted += 1;
        format!("{}{:010X}AAA=", self.id_prefix, self.minted)
    }

    fn next_sequence(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    fn change_key(&mut self) -> String {
        self.minted += 1;
        format!("EQAAABYAAA{}{:08X}", &self.id_prefix[6..], self.minted)
    }

    fn add_folder(&mut self, parent_id: Option<String>, display_name: &str) -> String {
        let id = self.mint();
        self.folders.push(Folder { id: id.clone(), display_name: display_name.to_string(), parent_id });
        self.order.insert(id.clone(), Vec::new());
        id
    }

    fn insert_contact(&mut self, folder: &str, properties: Map<String, Value>, at: DateTime<Utc>) -> &Contact {
        let id = self.mint();
        let change_key = self.change_key();
        let sequence = self.next_sequence();
        let mut contact = Contact { id: id.clone(), folder_id: folder.to_string(), properties, change_key, created: at, modified: at, sequence };
        fill_display_name(&mut contact.properties);
        self.order.get_mut(folder).expect("folder exists").push(id.clone());
        self.contacts.entry(id).or_insert(contact)
    }

    /// A folder by id, or the default folder by its well-known name (case-insensitive).
    pub fn folder(&self, id: &str) -> Option<&Folder> {
        if id.eq_ignore_ascii_case(ROOT_WELL_KNOWN) {
            return self.folders.first();
        }
        self.folders.iter().find(|f| f.id == id)
    }

    /// The child folders of a folder, oldest first.
    pub fn children(&self, parent_id: &str) -> Vec<Folder> {
        self.folders.iter().filter(|f| f.parent_id.as_deref() == Some(parent_id)).cloned().collect()
    }

    pub fn create_folder(&mut self, parent_id: &str, display_name: &str) -> Folder {
        let id = self.add_folder(Some(parent_id.to_string()), display_name);
        self.folders.last().filter(|f| f.id == id).cloned().expect("just added")
    }

    /// One page of a folder's contacts in list order, and how many the folder holds: a page
    /// costs its own size, not the folder's.
    pub fn contacts_page(&self, folder_id: &str, skip: usize, take: usize) -> (Vec<&Contact>, usize) {
        let Some(ids) = self.order.get(folder_id) else { return (Vec::new(), 0) };
        (ids.iter().skip(skip).take(take).map(|id| &self.contacts[id]).collect(), ids.len())
    }

    /// The contacts of a folder in list order.
    pub fn contacts_in(&self, folder_id: &str) -> Vec<&Contact> {
        self.order.get(folder_id).map(|ids| ids.iter().map(|id| &self.contacts[id]).collect()).unwrap_or_default()
    }

    pub fn contact_count(&self, folder_id: &str) -> usize {
        self.order.get(folder_id).map_or(0, Vec::len)
    }

    /// A contact anywhere in the mailbox (Graph's `/contacts/{id}` searches the whole store).
    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.get(id)
    }

    pub fn create_contact(&mut self, folder_id: &str, body: &Value, now: DateTime<Utc>) -> Result<Contact, ContactError> {
        let properties = contact::validate(body)?;
        Ok(self.insert_contact(folder_id, properties, now).clone())
    }

    /// PATCH: given properties replace stored ones (null clears, collections replace whole);
    /// every update gets a new changeKey and timestamp, even one that changes nothing.
    pub fn update_contact(&mut self, id: &str, body: &Value, now: DateTime<Utc>) -> Result<Option<Contact>, ContactError> {
        let changes = contact::validate(body)?;
        if !self.contacts.contains_key(id) {
            return Ok(None);
        }
        let change_key = self.change_key();
        let sequence = self.next_sequence();
        let contact = self.contacts.get_mut(id).expect("checked");
        for (name, value) in changes {
            if value.is_null() {
                contact.properties.remove(&name);
            } else {
                contact.properties.insert(name, value);
            }
        }
        fill_display_name(&mut contact.properties);
        contact.change_key = change_key;
        contact.modified = now;
        contact.sequence = sequence;
        Ok(Some(contact.clone()))
    }

    pub fn delete_contact(&mut self, id: &str) -> bool {
        let Some(contact) = self.contacts.remove(id) else { return false };
        if let Some(ids) = self.order.get_mut(&contact.folder_id) {
            ids.retain(|c| c != id);
        }
        let sequence = self.next_sequence();
        self.tombstones.push(Tombstone { folder_id: contact.folder_id, id: contact.id, sequence });
        true
    }

    /// The current change sequence: a delta round started now covers changes up to it.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Whether delta state cut at `sequence` is still kept.
    pub fn delta_state_kept(&self, sequence: u64) -> bool {
        sequence >= self.evicted_before
    }

    /// Forgets every delta state cut so far, as Outlook's token cache does under pressure.
    /// The sequence moves on with it, so a round started after the eviction (cut at the new
    /// sequence) is kept while every older one is gone.
    pub fn evict_delta_states(&mut self) {
        self.evicted_before = self.next_sequence();
    }

    /// Changes to a folder's contacts after `since` and up to `until`, in sequence order,
    /// starting after `cursor`; at most `limit`. A round from `since == 0` lists only contacts
    /// that exist (nothing deleted before the first round shows).
    pub fn delta(&self, folder_id: &str, since: u64, until: u64, cursor: u64, limit: usize) -> Vec<(u64, DeltaChange)> {
        let low = since.max(cursor);
        let mut changes: Vec<(u64, DeltaChange)> = self
            .contacts_in(folder_id)
            .into_iter()
            .filter(|c| c.sequence > low && c.sequence <= until)
            .map(|c| (c.sequence, DeltaChange::Present(c.clone())))
            .collect();
        if since > 0 {
            changes.extend(
                self.tombstones
                    .iter()
                    .filter(|t| t.folder_id == folder_id && t.sequence > low && t.sequence <= until)
                    .map(|t| (t.sequence, DeltaChange::Removed { id: t.id.clone() })),
            );
        }
        changes.sort_by_key(|(sequence, _)| *sequence);
        changes.truncate(limit);
        changes
    }
}

/// Outlook derives `displayName` from the name parts when none is given.
fn fill_display_name(properties: &mut Map<String, Value>) {
    let has_name = properties.get("displayName").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
    if has_name {
        return;
    }
    let part = |key: &str| properties.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let joined = [part("givenName"), part("surname")].iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" ");
    if !joined.is_empty() {
        properties.insert("displayName".into(), Value::String(joined));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mailbox() -> Mailbox {
        let user: UserSeed = serde_json::from_value(json!({
            "id": "11111111-2222-3333-4444-555555555555",
            "userPrincipalName": "adele@contoso.onmicrosoft.com",
            "contacts": [{"givenName": "Ann", "emailAddresses": [{"address": "ann@fabrikam.com"}]}],
        }))
        .unwrap();
        Mailbox::from_seed(user, 0).unwrap()
    }

    #[test]
    fn the_default_folder_answers_to_its_well_known_name() {
        let m = mailbox();
        assert_eq!(m.folder("Contacts").unwrap().id, m.root_id);
        assert_eq!(m.contacts_in(&m.root_id)[0].properties["displayName"], json!("Ann"));
    }

    #[test]
    fn a_delta_after_a_delete_holds_the_removed_id_and_the_first_round_does_not() {
        let mut m = mailbox();
        let root = m.root_id.clone();
        let id = m.contacts_in(&root)[0].id.clone();
        let cut = m.sequence();
        assert!(m.delete_contact(&id));
        let later = m.delta(&root, cut, m.sequence(), 0, 200);
        assert!(matches!(&later[..], [(_, DeltaChange::Removed { id: removed })] if *removed == id));
        assert!(m.delta(&root, 0, m.sequence(), 0, 200).is_empty());
    }

    #[test]
    fn null_clears_a_scalar_and_every_update_changes_the_change_key() {
        let mut m = mailbox();
        let id = m.contacts_in(&m.root_id.clone())[0].id.clone();
        let before = m.contact(&id).unwrap().change_key.clone();
        let after = m.update_contact(&id, &json!({"givenName": null}), Utc::now()).unwrap().unwrap();
        assert!(!after.properties.contains_key("givenName"));
        assert_ne!(after.change_key, before);
    }

    #[test]
    fn evicted_delta_states_are_no_longer_kept() {
        let mut m = mailbox();
        let cut = m.sequence();
        assert!(m.delta_state_kept(cut));
        m.evict_delta_states();
        assert!(!m.delta_state_kept(cut));
    }
}
