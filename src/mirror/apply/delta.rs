//! Reading a folder through the state: the saved delta link's round brings the snapshot up to
//! date (one request when nothing changed); no saved state, or a link Graph no longer honours
//! (410 SyncStateNotFound, a link of another endpoint, an unreadable row), means a first round
//! that reads the folder whole and re-seeds the state.
//!
//! A round that brings nothing loads nothing: only the link is read and saved (issue 19), and
//! the folder's contacts are loaded from the snapshot later, if a plan needs them.

use std::sync::Arc;

use crate::contacts::{self, DeltaRound};
use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version};
use crate::mirror::contact::{CONTACT_SELECT, Contact, NotesRead};
use crate::ops;
use crate::state::{FolderKey, FolderSnapshot, StateStore};

use super::reads::FolderRead;

/// One tenant's view of the state file.
#[derive(Debug, Clone)]
pub struct TenantState {
    pub store: Arc<StateStore>,
    pub tenant: String,
    /// The Graph root the links belong to.
    pub endpoint: String,
}

impl TenantState {
    pub fn new(store: Arc<StateStore>, tenant: &str, graph: &GraphClient) -> TenantState {
        TenantState { store, tenant: tenant.to_string(), endpoint: graph.url(Version::V1, "/", &[]).to_string() }
    }

    pub fn key(&self, mailbox: &str, folder: Option<&str>) -> FolderKey {
        FolderKey { tenant: self.tenant.clone(), mailbox: mailbox.to_string(), folder: folder.unwrap_or_default().to_string() }
    }
}

/// A folder (`folder: None` is the default Contacts folder), read by delta.
pub async fn read(graph: &GraphClient, state: &TenantState, mailbox: &str, folder: Option<&str>) -> Result<FolderRead> {
    let origin = format!("contacts of {mailbox}");
    let key = state.key(mailbox, folder);
    let mut before = None;
    if let Some(link) = state.store.delta_link(&key, &state.endpoint)? {
        match contacts::delta(graph, mailbox, folder, CONTACT_SELECT, Some(&link)).await {
            Ok(round) if round.changes.is_empty() => {
                state.store.save_link(&key, &round.delta_link)?;
                return Ok(FolderRead::unchanged());
            }
            Ok(round) => match state.store.folder(&key, &state.endpoint)? {
                Some(saved) => return finish(state, &key, round, saved.snapshot, None, &origin),
                None => ops::verbose(format!("The saved snapshot of {origin} cannot be read; reading the folder whole.")),
            },
            Err(ExoError::Cancelled) => return Err(ExoError::Cancelled),
            Err(error) => {
                ops::verbose(format!("The saved delta state of {origin} cannot be used ({error}); reading the folder whole."));
                before = state.store.folder(&key, &state.endpoint)?.map(|saved| saved.snapshot);
            }
        }
    }
    let round = contacts::delta(graph, mailbox, folder, CONTACT_SELECT, None).await?;
    // A re-seeded folder still tells what left it since the state last saw it.
    finish(state, &key, round, FolderSnapshot::default(), Some(before), &origin)
}

/// Applies a round to the snapshot and saves it; `reseed` is `Some(before)` for a first round.
fn finish(state: &TenantState, key: &FolderKey, round: DeltaRound, mut snapshot: FolderSnapshot, reseed: Option<Option<FolderSnapshot>>, origin: &str) -> Result<FolderRead> {
    let mut changes = snapshot.apply(round.changes);
    if let Some(Some(before)) = &reseed {
        changes.removed.extend(snapshot.gone_since(before));
    }
    state.store.save_folder(key, &state.endpoint, &round.delta_link, &snapshot, &changes, reseed.is_some())?;
    let contacts = parse(&snapshot, origin)?;
    Ok(FolderRead {
        contacts: Some(contacts),
        upserted: changes.upserted.into_iter().map(|c| c.id).collect(),
        lost: reseed.is_some() || !changes.removed.is_empty(),
    })
}

fn parse(snapshot: &FolderSnapshot, origin: &str) -> Result<Vec<Contact>> {
    snapshot.contacts.iter().map(|seen| Contact::from_graph(&seen.body, NotesRead::Listed, origin)).collect()
}

/// A folder's contacts as the snapshot holds them (a folder whose round changed nothing).
pub fn load(state: &TenantState, mailbox: &str, folder: Option<&str>) -> Result<Vec<Contact>> {
    let origin = format!("contacts of {mailbox}");
    match state.store.folder(&state.key(mailbox, folder), &state.endpoint)? {
        Some(saved) => parse(&saved.snapshot, &origin),
        None => Err(ExoError::Internal(format!("the saved snapshot of {origin} cannot be read; run again with -Full"))),
    }
}

/// Some contacts of a folder as the snapshot holds them, by id; `None` when a row is unreadable.
pub fn load_some(state: &TenantState, mailbox: &str, ids: &[String]) -> Result<Option<Vec<Contact>>> {
    let origin = format!("contacts of {mailbox}");
    let Some(bodies) = state.store.bodies(&state.key(mailbox, None), ids)? else { return Ok(None) };
    bodies.iter().map(|body| Contact::from_graph(body, NotesRead::Listed, &origin)).collect::<Result<Vec<_>>>().map(Some)
}
