//! Reading a folder through the state: the saved delta link's round brings the snapshot up to
//! date (one request when nothing changed); no saved state, or a link Graph no longer honours
//! (410 SyncStateNotFound, a link of another endpoint, an unreadable row), means a first round
//! that reads the folder whole and re-seeds the state. Either way the planner gets the whole
//! folder, exactly as a list read gives it.

use std::sync::Arc;

use crate::contacts;
use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version};
use crate::mirror::contact::{CONTACT_SELECT, Contact, NotesRead};
use crate::ops;
use crate::state::{FolderKey, FolderSnapshot, StateStore};

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

    fn key(&self, mailbox: &str, folder: Option<&str>) -> FolderKey {
        FolderKey { tenant: self.tenant.clone(), mailbox: mailbox.to_string(), folder: folder.unwrap_or_default().to_string() }
    }
}

/// A folder's contacts (`folder: None` is the default Contacts folder), read by delta.
pub async fn read(graph: &GraphClient, state: &TenantState, mailbox: &str, folder: Option<&str>) -> Result<Vec<Contact>> {
    let origin = format!("contacts of {mailbox}");
    let key = state.key(mailbox, folder);
    let saved = state.store.folder(&key, &state.endpoint)?;
    let (round, mut snapshot, reseed, before) = match saved {
        Some(saved) => match contacts::delta(graph, mailbox, folder, CONTACT_SELECT, Some(&saved.delta_link)).await {
            Ok(round) => (round, saved.snapshot, false, None),
            Err(ExoError::Cancelled) => return Err(ExoError::Cancelled),
            Err(error) => {
                ops::verbose(format!("The saved delta state of {origin} cannot be used ({error}); reading the folder whole."));
                (contacts::delta(graph, mailbox, folder, CONTACT_SELECT, None).await?, FolderSnapshot::default(), true, Some(saved.snapshot))
            }
        },
        None => (contacts::delta(graph, mailbox, folder, CONTACT_SELECT, None).await?, FolderSnapshot::default(), true, None),
    };
    let mut changes = snapshot.apply(round.changes);
    // A re-seeded folder still tells what left it since the state last saw it.
    if let Some(before) = before {
        changes.removed.extend(snapshot.gone_since(&before));
    }
    state.store.save_folder(&key, &state.endpoint, &round.delta_link, &snapshot, &changes, reseed)?;
    snapshot.contacts.iter().map(|seen| Contact::from_graph(&seen.body, NotesRead::Listed, &origin)).collect()
}
