//! The delete phase (`-PropagateDeletes`), between the reads and step 1: the pure plan of
//! [`crate::mirror::deletes`] from the state's tombstones, every delete listed with its reason,
//! then sent in `$batch`es. The deleted contacts leave the in-memory folders too, so that step 1
//! does not collect them back from another user's copy.
//!
//! Tombstones are forgotten only when every delete succeeded (a killed or failed run plans the
//! same deletes again; a contact already gone counts as deleted). Without the switch they are
//! forgotten at once: step 2 restores what users deleted.

use crate::contacts;
use crate::error::{ExoError, Result};
use crate::graph::GraphClient;
use crate::mirror::contact::Contact;
use crate::mirror::deletes::{self, Deletes, Holder, PlannedDelete, Tombstone};
use crate::mirror::plan::Step;
use crate::ops::{self, Record};

use super::delta::TenantState;
use super::records::ActionRecord;

/// A mailbox's contacts as read this run, to delete from.
pub struct Folder<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub contacts: &'a mut Vec<Contact>,
}

/// Plans and (unless `dry_run`) sends the deletes; `Err` when there are more than the limit
/// (nothing is deleted, and the tenant is not mirrored: its steps would undo the deletes).
pub async fn run(graph: &GraphClient, state: Option<&TenantState>, deletes: Deletes, dry_run: bool, hub: Folder<'_>, mut users: Vec<Folder<'_>>) -> Result<()> {
    let Some(state) = state else { return Ok(()) };
    let tombstones = tombstones(state, hub.id)?;
    if !deletes.propagate {
        // A dry run changes nothing, not even what a later run with the switch would delete.
        return if dry_run { Ok(()) } else { state.store.clear_tombstones(&state.tenant) };
    }
    let planned = {
        let hub_holder = Holder { id: hub.id, name: hub.name, contacts: &hub.contacts[..] };
        let user_holders: Vec<Holder> = users.iter().map(|u| Holder { id: u.id, name: u.name, contacts: &u.contacts[..] }).collect();
        deletes::plan(&tombstones, &hub_holder, &user_holders)
    };
    if planned.len() > deletes.max as usize {
        for delete in &planned {
            report(&state.tenant, delete, "NotDeleted", None);
        }
        return Err(ExoError::invalid_argument(
            "MaxDeletes",
            format!(
                "this run would delete {} contacts, more than the limit of {}; nothing was deleted and tenant {} was not mirrored. Check the deletes listed, then run again with a higher -MaxDeletes (AUTOMATION_SYNCCONTACTS_MAX_DELETES)",
                planned.len(),
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
    let mut folders: Vec<Folder> = std::iter::once(hub).chain(users.drain(..)).collect();
    for folder in &mut folders {
        let mine: Vec<&PlannedDelete> = planned.iter().filter(|d| d.mailbox == folder.id).collect();
        if mine.is_empty() {
            continue;
        }
        let requests: Vec<_> = mine.iter().map(|d| contacts::delete_request(folder.id, &d.contact_id)).collect();
        for (delete, answer) in mine.iter().zip(contacts::send_all(graph, folder.id, &requests).await) {
            match answer {
                // Already gone (a rerun after a kill): what was wanted.
                Ok(_) | Err(ExoError::Service { status: 404, .. }) => {
                    folder.contacts.retain(|c| c.id != delete.contact_id);
                    report(&state.tenant, delete, "Done", None);
                }
                Err(error) => {
                    all_done = false;
                    report(&state.tenant, delete, "Failed", Some(&error));
                    ops::error(error);
                }
            }
        }
    }
    if all_done { state.store.clear_tombstones(&state.tenant) } else { Ok(()) }
}

fn tombstones(state: &TenantState, hub_id: &str) -> Result<Vec<Tombstone>> {
    let rows = state.store.tombstones(&state.tenant)?;
    Ok(rows.into_iter().map(|(mailbox, folder, sync_id)| Tombstone { hub: !folder.is_empty() && mailbox == hub_id, mailbox, sync_id }).collect())
}

/// The delete's log line and (always: a delete is never silent) its record.
fn report(tenant: &str, delete: &PlannedDelete, outcome: &str, error: Option<&ExoError>) {
    let name = delete.label.display_name.as_deref().or(delete.label.email.as_deref()).unwrap_or(&delete.contact_id);
    let verb = match outcome {
        "Done" => "Deleted",
        "WhatIf" => "Would delete",
        "NotDeleted" => "Not deleted (over -MaxDeletes)",
        _ => "Failed to delete",
    };
    ops::information(format!("{verb}: {name} from {} ({})", delete.mailbox_name, delete.reason.text()));
    ops::record(Record::MirrorAction(ActionRecord {
        tenant: tenant.to_string(),
        step: if delete.hub { Step::Collect } else { Step::Distribute },
        mailbox: delete.mailbox_name.clone(),
        action: "Delete",
        outcome: outcome.to_string(),
        display_name: delete.label.display_name.clone(),
        email: delete.label.email.clone(),
        sync_id: Some(delete.sync_id.clone()),
        changed: Vec::new(),
        error: error.map(ToString::to_string),
        reason: Some(delete.reason.text()),
    }));
}
