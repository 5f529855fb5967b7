//! Opt-in deletions (pure): what a run deletes, and why, from the contacts the state saw leave a
//! folder since the last run (tombstones). With the hub as the truth:
//!
//! - a contact its creator (the tag's `CreatedBy`) deleted leaves the hub, then every user;
//! - a contact an admin deleted from the hub leaves every user;
//! - a distributed copy another user deleted is restored (step 2 creates it again): no delete.
//!
//! Only contacts the mirror created in that mailbox are ever deleted (issue 21: the state's
//! record of its creates, see [`crate::state::ownership`]); a SyncId alone does not make a copy,
//! because the mirror also tags a user's own contact that it matched by email or name. A user's
//! own contact (pre-existing, or the creator's original) whose shared copy or source is gone is
//! untagged instead: its tag line removed, the user's text kept, and reported. Nothing is deleted
//! without `-PropagateDeletes`. More deletes than `-MaxDeletes` deletes nothing: an accident (a
//! folder emptied by mistake) must not spread.

use crate::error::{ExoError, Result};
use crate::mirror::contact::Contact;
use crate::mirror::plan::ContactLabel;

/// `AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES`: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`.
pub const PROPAGATE_DELETES: &str = "AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES";
/// `AUTOMATION_SYNCCONTACTS_MAX_DELETES`: a whole number.
pub const MAX_DELETES: &str = "AUTOMATION_SYNCCONTACTS_MAX_DELETES";
/// `AUTOMATION_SYNCCONTACTS_REPAIR_DUPLICATES`: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`.
pub const REPAIR_DUPLICATES: &str = "AUTOMATION_SYNCCONTACTS_REPAIR_DUPLICATES";
/// Small on purpose: a routine run deletes a few contacts; more is more likely an accident.
pub const DEFAULT_MAX_DELETES: u32 = 10;

/// How a variable is looked up (`-FromEnvironment`'s variables).
pub type Variables<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Whether and how much a run may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletes {
    pub propagate: bool,
    pub max: u32,
    /// `-RepairDuplicates`: delete the later copy of two with one SyncId (see `mirror::duplicates`).
    pub repair: bool,
}

impl Default for Deletes {
    fn default() -> Self {
        Deletes { propagate: false, max: DEFAULT_MAX_DELETES, repair: false }
    }
}

impl Deletes {
    /// The switch and the limit from parameters (`max < 0`: not given), else from the variables
    /// (`-FromEnvironment` only), else off and the default.
    pub fn from_request(switch: bool, max: i32, repair: bool, variables: Option<Variables<'_>>) -> Result<Deletes> {
        let variable = |name: &str| variables.and_then(|v| v(name)).filter(|v| !v.trim().is_empty());
        let propagate = switch || variable(PROPAGATE_DELETES).map(|v| flag(PROPAGATE_DELETES, &v)).transpose()?.unwrap_or(false);
        let repair = repair || variable(REPAIR_DUPLICATES).map(|v| flag(REPAIR_DUPLICATES, &v)).transpose()?.unwrap_or(false);
        let max = match (u32::try_from(max), variable(MAX_DELETES)) {
            (Ok(max), _) => max,
            (Err(_), Some(text)) => text
                .trim()
                .parse()
                .map_err(|_| ExoError::invalid_argument(MAX_DELETES, format!("'{}' is not a whole number of contacts", text.trim())))?,
            (Err(_), None) => DEFAULT_MAX_DELETES,
        };
        Ok(Deletes { propagate, max, repair })
    }
}

fn flag(variable: &str, text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(ExoError::invalid_argument(variable, format!("'{other}' is neither true nor false"))),
    }
}

/// A synced contact that left a folder since the last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// The mailbox's object id.
    pub mailbox: String,
    /// Left the hub folder (else a user's default Contacts folder).
    pub hub: bool,
    pub sync_id: String,
}

/// Why a contact is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteReason {
    /// Its creator deleted it (named as the tag names them).
    CreatorDeleted(String),
    /// It was deleted from the shared folder.
    HubDeleted,
}

impl DeleteReason {
    pub fn text(&self) -> String {
        match self {
            DeleteReason::CreatorDeleted(creator) => format!("deleted by its creator {creator}"),
            DeleteReason::HubDeleted => "deleted from the shared folder".into(),
        }
    }
}

/// One contact to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDelete {
    /// The mailbox's object id.
    pub mailbox: String,
    /// The mailbox as the run names it (the hub's configured name, a user's listed name).
    pub mailbox_name: String,
    pub hub: bool,
    pub contact_id: String,
    pub sync_id: String,
    pub label: ContactLabel,
    pub reason: DeleteReason,
    /// Not the mirror's (a user's own contact): its tag is removed instead.
    pub untag: bool,
}

/// Whether the mirror created this contact (mailbox id, contact id) in that mailbox.
pub type Owns<'a> = &'a dyn Fn(&str, &str) -> bool;

/// A mailbox as the delete plan sees it.
pub struct Holder<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub contacts: &'a [Contact],
}

/// Every delete (or untag, for what the mirror did not create: see [`Owns`]) the tombstones
/// call for, hub first, each contact once.
pub fn plan(tombstones: &[Tombstone], hub: &Holder<'_>, users: &[Holder<'_>], owns: Owns<'_>) -> Vec<PlannedDelete> {
    let mut planned: Vec<PlannedDelete> = Vec::new();
    for tombstone in tombstones {
        let reason = if tombstone.hub {
            DeleteReason::HubDeleted
        } else {
            let Some(hub_copy) = find(hub.contacts, &tombstone.sync_id) else { continue };
            let creator = hub_copy.tags().created_by.unwrap_or_default();
            let holder = users.iter().find(|u| u.id == tombstone.mailbox);
            let by_creator = holder.is_some_and(|u| same_user(&creator, u.id) || same_user(&creator, u.name));
            if !by_creator {
                continue; // another user's copy: restored by step 2, the hub is the truth
            }
            planned.push(delete(hub, true, hub_copy, &tombstone.sync_id, DeleteReason::CreatorDeleted(creator.clone()), owns));
            DeleteReason::CreatorDeleted(creator)
        };
        for user in users {
            if let Some(copy) = find(user.contacts, &tombstone.sync_id) {
                planned.push(delete(user, false, copy, &tombstone.sync_id, reason.clone(), owns));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    planned.retain(|d| seen.insert((d.mailbox.clone(), d.contact_id.clone())));
    planned
}

fn find<'a>(contacts: &'a [Contact], sync_id: &str) -> Option<&'a Contact> {
    contacts.iter().find(|c| c.tags().sync_id.is_some_and(|s| s.eq_ignore_ascii_case(sync_id)))
}

fn same_user(tagged: &str, name: &str) -> bool {
    !tagged.is_empty() && tagged.eq_ignore_ascii_case(name)
}

/// How many of the planned are real deletes (untags are not counted against `-MaxDeletes`).
pub fn deletions(planned: &[PlannedDelete]) -> usize {
    planned.iter().filter(|d| !d.untag).count()
}

fn delete(holder: &Holder<'_>, hub: bool, contact: &Contact, sync_id: &str, reason: DeleteReason, owns: Owns<'_>) -> PlannedDelete {
    PlannedDelete {
        untag: !owns(holder.id, &contact.id),
        mailbox: holder.id.to_string(),
        mailbox_name: holder.name.to_string(),
        hub,
        contact_id: contact.id.clone(),
        sync_id: sync_id.to_string(),
        label: ContactLabel { display_name: contact.fields.display_name.clone(), email: contact.fields.primary_email() },
        reason,
    }
}

#[cfg(test)]
mod tests;
