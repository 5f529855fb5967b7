//! Reading contacts for a plan: whole folders through lists, and single contacts by id (in
//! `$batch`es) when the planner needs notes a list may have cut.

use serde_json::Value;

use crate::contacts;
use crate::error::{ExoError, Result};
use crate::graph::{BatchRequest, GraphClient};
use crate::mirror::contact::{CONTACT_SELECT, Contact, NotesRead};

use super::delta::{self, TenantState};

/// What reading a folder gave, and what changed in it since the state last saw it.
#[derive(Debug, Clone)]
pub struct FolderRead {
    /// The folder's contacts; `None` when the delta round brought nothing and the snapshot was
    /// not loaded (`delta::load` gives them, if a plan needs them).
    pub contacts: Option<Vec<Contact>>,
    /// The contacts added or changed since the last run, by id.
    pub upserted: Vec<String>,
    /// Contacts left the folder, or it was read whole (without a state anything may have left).
    pub lost: bool,
}

impl FolderRead {
    pub fn unchanged() -> FolderRead {
        FolderRead { contacts: None, upserted: Vec::new(), lost: false }
    }

    pub fn changed(&self) -> bool {
        self.lost || !self.upserted.is_empty()
    }
}

/// A mailbox folder's contacts (`folder: None` is the default Contacts folder): through the
/// state's delta rounds when there is a state, else one list read.
pub async fn folder(graph: &GraphClient, state: Option<&TenantState>, mailbox: &str, folder: Option<&str>) -> Result<FolderRead> {
    match state {
        Some(state) => delta::read(graph, state, mailbox, folder).await,
        None => Ok(FolderRead { contacts: Some(list(graph, mailbox, folder).await?), upserted: Vec::new(), lost: true }),
    }
}

/// A mailbox folder's contacts from a list read.
pub async fn list(graph: &GraphClient, mailbox: &str, folder: Option<&str>) -> Result<Vec<Contact>> {
    let origin = format!("contacts of {mailbox}");
    let values = contacts::list(graph, mailbox, folder, CONTACT_SELECT).await?;
    values.iter().map(|v| Contact::from_graph(v, NotesRead::Listed, &origin)).collect()
}

/// Contacts of one mailbox read by id, in the order asked.
pub async fn by_id(graph: &GraphClient, mailbox: &str, ids: &[String]) -> Result<Vec<Contact>> {
    let requests: Vec<BatchRequest> = ids.iter().map(|id| contacts::get_request(mailbox, id, CONTACT_SELECT)).collect();
    let answers = contacts::send_all(graph, mailbox, &requests).await;
    answers.into_iter().map(|answer| full(answer?, mailbox)).collect()
}

/// A contact from an answer that holds it whole (a GET by id, a POST or a PATCH).
pub fn full(value: Value, mailbox: &str) -> Result<Contact> {
    Contact::from_graph(&value, NotesRead::Full, &format!("a contact of {mailbox}"))
}

/// The error for a user pair whose read failed: that pair is skipped, never planned from a
/// partial list (which would create duplicates; spec §5.3).
pub fn pair_failed(mailbox: &str, error: ExoError) -> ExoError {
    error.reworded(|message| format!("{message} (mailbox {mailbox} is skipped)"))
}
