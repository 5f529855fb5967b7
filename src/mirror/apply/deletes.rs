//! The delete phase (`-PropagateDeletes`), between the reads and step 1: the pure plan of
//! [`crate::mirror::deletes`] from the state's tombstones, every delete listed with its reason,
//! then sent in `$batch`es. The deleted contacts leave the in-memory folders too, so that step 1
//! does not collect them back from another user's copy.
//!
//! Tombstones are forgotten only when every delete succeeded (a killed or failed run plans the
//! same deletes again; a contact already gone counts as deleted). Without the switch they are
//! forgotten at once: step 2 restores what users deleted.

use serde_json::json;

use crate::contacts;
use crate::error::{ExoError, Result};
use crate::graph::GraphClient;
use crate::mirror::contact::{CONTACT_SELECT, Contact};
use crate::mirror::tags;
use crate::mirror::deletes::{self, Deletes, Holder, PlannedDelete, Tombstone};
use crate::mirror::duplicates;
use crate::mirror::plan::Step;
use crate::ops::{self, Record};

use super::delta::TenantState;
use super::reads;
use super::records::ActionRecord;

/// A mailbox's contacts as read this run, to delete from.
pub struct Folder<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub contacts: &'a mut Vec<Contact>,
}

/// Plans and (unless `dry_run`) sends the deletes; `Err` when there are more than the limit
/// (nothing is deleted, and the tenant is not mirrored: its steps would undo the deletes).
pub async fn run(graph: &GraphClient, state: Option<&TenantState>, deletes: Deletes, dry_run: bool, mut hub: Folder<'_>, mut users: Vec<Folder<'_>>) -> Result<()> {
    duplicates(graph, state, deletes, dry_run, &mut hub, &mut users).await?;
    let Some(state) = state else { return Ok(()) };
    let tombstones = tombstones(state, hub.id)?;
    if !deletes.propagate {
        // A dry run changes nothing, not even what a later run with the switch would delete.
        return if dry_run { Ok(()) } else { state.store.clear_tombstones(&state.tenant) };
    }
    let ownership = state.store.ownership(&state.tenant)?;
    let planned = {
        let hub_holder = Holder { id: hub.id, name: hub.name, contacts: &hub.contacts[..] };
        let user_holders: Vec<Holder> = users.iter().map(|u| Holder { id: u.id, name: u.name, contacts: &u.contacts[..] }).collect();
        deletes::plan(&tombstones, &hub_holder, &user_holders, &|mailbox, id| ownership.owns(mailbox, id))
    };
    if deletes::deletions(&planned) > deletes.max as usize {
        for delete in &planned {
            report(&state.tenant, delete, "NotDeleted", None);
        }
        return Err(ExoError::invalid_argument(
            "MaxDeletes",
            format!(
                "this run would delete {} contacts, more than the limit of {}; nothing was deleted and tenant {} was not mirrored. Check the deletes listed, then run again with a higher -MaxDeletes (AUTOMATION_SYNCCONTACTS_MAX_DELETES)",
                deletes::deletions(&planned),
                deletes.max,
                state.tenant
            ),
        ));
    }
    if dry_run {
        planned.iter().for_each(|d| report(&state.tenant, d, "WhatIf", None));
        return Ok(());
    }
    let mut all_done = true;
    let mut gone = Vec::new();
    let mut folders: Vec<Folder> = std::iter::once(hub).chain(users.drain(..)).collect();
    for folder in &mut folders {
        let mine: Vec<&PlannedDelete> = planned.iter().filter(|d| d.mailbox == folder.id && !d.untag).collect();
        let requests: Vec<_> = mine.iter().map(|d| contacts::delete_request(folder.id, &d.contact_id)).collect();
        for (delete, answer) in mine.iter().zip(contacts::send_all(graph, folder.id, &requests).await) {
            match answer {
                // Already gone (a rerun after a kill): what was wanted.
                Ok(_) | Err(ExoError::Service { status: 404, .. }) => {
                    folder.contacts.retain(|c| c.id != delete.contact_id);
                    gone.push((delete.mailbox.clone(), delete.contact_id.clone()));
                    report(&state.tenant, delete, "Done", None);
                }
                Err(error) => {
                    all_done = false;
                    report(&state.tenant, delete, "Failed", Some(&error));
                    ops::error(error);
                }
            }
        }
        let untags: Vec<&PlannedDelete> = planned.iter().filter(|d| d.mailbox == folder.id && d.untag).collect();
        all_done &= untag(graph, &state.tenant, folder, &untags).await;
    }
    state.store.forget_owned(&state.tenant, &gone)?;
    if all_done { state.store.clear_tombstones(&state.tenant) } else { Ok(()) }
}

/// A user's own contact whose copy or source is gone: its tag line goes, the user's text stays.
/// Read by id first (a list may cut notes), then the notes written back without the tag.
async fn untag(graph: &GraphClient, tenant: &str, folder: &mut Folder<'_>, planned: &[&PlannedDelete]) -> bool {
    if planned.is_empty() {
        return true;
    }
    let ids: Vec<String> = planned.iter().map(|d| d.contact_id.clone()).collect();
    let requests: Vec<_> = ids.iter().map(|id| contacts::get_request(folder.id, id, CONTACT_SELECT)).collect();
    let read = contacts::send_all(graph, folder.id, &requests).await;
    let mut patches = Vec::new();
    let mut all_done = true;
    let mut sent = Vec::new();
    for (delete, answer) in planned.iter().zip(read) {
        match answer.and_then(|value| reads::full(value, folder.id)) {
            Ok(contact) => {
                let notes = tags::user_text(contact.personal_notes.as_deref()).unwrap_or_default();
                patches.push(contacts::update_request(folder.id, &contact.id, json!({ "personalNotes": notes })));
                sent.push(*delete);
            }
            // Gone meanwhile: nothing left to untag.
            Err(ExoError::Service { status: 404, .. }) => report(tenant, delete, "Done", None),
            Err(error) => {
                all_done = false;
                report(tenant, delete, "Failed", Some(&error));
                ops::error(error);
            }
        }
    }
    for (delete, answer) in sent.into_iter().zip(contacts::send_all(graph, folder.id, &patches).await) {
        match answer.and_then(|value| reads::full(value, folder.id)) {
            Ok(contact) => {
                if let Some(slot) = folder.contacts.iter_mut().find(|c| c.id == contact.id) {
                    *slot = contact;
                }
                report(tenant, delete, "Done", None);
            }
            Err(error) => {
                all_done = false;
                report(tenant, delete, "Failed", Some(&error));
                ops::error(error);
            }
        }
    }
    all_done
}

fn tombstones(state: &TenantState, hub_id: &str) -> Result<Vec<Tombstone>> {
    let rows = state.store.tombstones(&state.tenant)?;
    Ok(rows.into_iter().map(|(mailbox, folder, sync_id)| Tombstone { hub: !folder.is_empty() && mailbox == hub_id, mailbox, sync_id }).collect())
}

/// The delete's log line and (always: a delete is never silent) its record.
fn report(tenant: &str, delete: &PlannedDelete, outcome: &str, error: Option<&ExoError>) {
    let name = delete.label.display_name.as_deref().or(delete.label.email.as_deref()).unwrap_or(&delete.contact_id);
    let verb = match (outcome, delete.untag) {
        ("Done", false) => "Deleted",
        ("WhatIf", false) => "Would delete",
        ("NotDeleted", false) => "Not deleted (over -MaxDeletes)",
        (_, false) => "Failed to delete",
        ("Done", true) => "Untagged",
        ("WhatIf", true) => "Would untag",
        ("NotDeleted", true) => "Not untagged (over -MaxDeletes)",
        (_, true) => "Failed to untag",
    };
    let kept = if delete.untag { "; the user's own contact is kept" } else { "" };
    ops::information(format!("{verb}: {name} {} {} ({}{kept})", if delete.untag { "in" } else { "from" }, delete.mailbox_name, delete.reason.text()));
    ops::record(Record::MirrorAction(ActionRecord {
        tenant: tenant.to_string(),
        step: if delete.hub { Step::Collect } else { Step::Distribute },
        mailbox: delete.mailbox_name.clone(),
        action: if delete.untag { "Untag" } else { "Delete" },
        outcome: outcome.to_string(),
        display_name: delete.label.display_name.clone(),
        email: delete.label.email.clone(),
        sync_id: Some(delete.sync_id.clone()),
        changed: Vec::new(),
        error: error.map(ToString::to_string),
        reason: Some(delete.reason.text()),
    }));
}

/// Duplicates that exist already (two contacts with one SyncId in a folder): each reported as a
/// warning naming both; with `-RepairDuplicates` (and a state, which knows what the mirror made)
/// the copies the mirror made later are deleted, within `-MaxDeletes`.
async fn duplicates<'f>(graph: &GraphClient, state: Option<&TenantState>, deletes: Deletes, dry_run: bool, hub: &mut Folder<'f>, users: &mut [Folder<'f>]) -> Result<()> {
    let ownership = match state {
        Some(state) => state.store.ownership(&state.tenant)?,
        None => Default::default(),
    };
    let mut planned: Vec<(usize, String, String)> = Vec::new(); // (folder, contact id, name)
    let folders: Vec<&mut Folder> = std::iter::once(hub).chain(users.iter_mut()).collect();
    for (index, folder) in folders.iter().enumerate() {
        for group in duplicates::groups(folder.contacts) {
            ops::warning(duplicates::warning(&group, folder.name));
            let made = |c: &Contact| match ownership.created_rank(folder.id, &c.id) {
                Some(rank) => Some(Some(rank)),
                None if index == 0 => Some(None),
                None => None,
            };
            for copy in duplicates::to_delete(&group, &made) {
                let name = copy.fields.display_name.clone().unwrap_or_else(|| copy.id.clone());
                planned.push((index, copy.id.clone(), name));
            }
        }
    }
    if !deletes.repair || planned.is_empty() {
        return Ok(());
    }
    let Some(state) = state else {
        ops::warning("-RepairDuplicates needs the state file, which knows the copies the mirror made; nothing was repaired.");
        return Ok(());
    };
    if planned.len() > deletes.max as usize {
        ops::warning(format!("Repairing the duplicates would delete {} contacts, more than -MaxDeletes ({}); nothing was repaired.", planned.len(), deletes.max));
        return Ok(());
    }
    let mut folders = folders;
    let mut gone = Vec::new();
    for (index, folder) in folders.iter_mut().enumerate() {
        let mine: Vec<&(usize, String, String)> = planned.iter().filter(|p| p.0 == index).collect();
        if dry_run {
            mine.iter().for_each(|(_, _, name)| ops::information(format!("Would delete the duplicate: {name} from {}", folder.name)));
            continue;
        }
        let requests: Vec<_> = mine.iter().map(|(_, id, _)| contacts::delete_request(folder.id, id)).collect();
        for ((_, id, name), answer) in mine.into_iter().zip(contacts::send_all(graph, folder.id, &requests).await) {
            match answer {
                Ok(_) | Err(ExoError::Service { status: 404, .. }) => {
                    folder.contacts.retain(|c| &c.id != id);
                    gone.push((folder.id.to_string(), id.clone()));
                    ops::information(format!("Deleted the duplicate: {name} from {}", folder.name));
                }
                Err(error) => ops::error(error),
            }
        }
    }
    state.store.forget_owned(&state.tenant, &gone)
}
