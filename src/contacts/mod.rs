//! Outlook personal contacts through Graph v1.0: finding and creating contact folders, reading
//! contacts, and the requests that write them (sent in `$batch`es by the caller).
//!
//! Every call to a mailbox takes a slot of the client's [`MailboxGate`](crate::graph::MailboxGate)
//! first, so no caller can exceed Outlook's four concurrent requests per mailbox.

mod delta;
mod folders;

pub use delta::{DeltaRound, delta, is_removed};
pub use folders::{Folder, create_folder, find_folder};

use serde_json::Value;

use crate::error::Result;
use crate::graph::{BatchRequest, GraphClient, Version, segment};
use crate::http::Method;

/// Outlook's largest page.
const PAGE: &str = "1000";

/// The contacts of a mailbox's default Contacts folder (`folder: None`) or of a folder, every
/// page, with only `select`ed properties.
pub async fn list(graph: &GraphClient, mailbox: &str, folder: Option<&str>, select: &str) -> Result<Vec<Value>> {
    let path = match folder {
        None => format!("/users/{}/contacts", segment(mailbox)),
        Some(id) => format!("/users/{}/contactFolders/{}/contacts", segment(mailbox), segment(id)),
    };
    let _slot = graph.gate().enter(mailbox, 1).await;
    graph.list(Version::V1, &path, &[("$top", PAGE), ("$select", select)]).await
}

/// One contact by id, whole: a list may cut `personalNotes` (graph-contact-semantics §4).
pub async fn get(graph: &GraphClient, mailbox: &str, id: &str, select: &str) -> Result<Value> {
    let url = graph.url(Version::V1, &format!("/users/{}/contacts/{}", segment(mailbox), segment(id)), &[("$select", select)]);
    let _slot = graph.gate().enter(mailbox, 1).await;
    graph.send(Method::Get, url, None).await
}

/// The request that creates a contact in a folder (or the default one).
pub fn create_request(mailbox: &str, folder: Option<&str>, body: Value) -> BatchRequest {
    let url = match folder {
        None => format!("/users/{}/contacts", segment(mailbox)),
        Some(id) => format!("/users/{}/contactFolders/{}/contacts", segment(mailbox), segment(id)),
    };
    BatchRequest::new(Method::Post, url, Some(body))
}

/// The request that changes a contact's properties (`null` clears a value, `[]` a list).
pub fn update_request(mailbox: &str, id: &str, patch: Value) -> BatchRequest {
    BatchRequest::new(Method::Patch, format!("/users/{}/contacts/{}", segment(mailbox), segment(id)), Some(patch))
}

/// The request that deletes a contact.
pub fn delete_request(mailbox: &str, id: &str) -> BatchRequest {
    BatchRequest::new(Method::Delete, format!("/users/{}/contacts/{}", segment(mailbox), segment(id)), None)
}

/// The request that reads one contact whole.
pub fn get_request(mailbox: &str, id: &str, select: &str) -> BatchRequest {
    BatchRequest::new(Method::Get, format!("/users/{}/contacts/{}?$select={select}", segment(mailbox), segment(id)), None)
}

/// Sends requests to one mailbox in batches of 20, one batch in flight per caller (each takes
/// four of the mailbox's slots: Graph runs four items of a batch at once), and returns every
/// request's outcome in order. A batch that fails as a whole fails each of its requests, and
/// the next batches are still sent.
pub async fn send_all(graph: &GraphClient, mailbox: &str, requests: &[BatchRequest]) -> Vec<Result<Value>> {
    let mut outcomes = Vec::with_capacity(requests.len());
    for chunk in requests.chunks(crate::graph::MAX_BATCH) {
        let _slots = graph.gate().enter(mailbox, chunk.len() as u32).await;
        match graph.batch(Version::V1, chunk).await {
            Ok(answers) => outcomes.extend(answers),
            Err(error) => outcomes.extend(chunk.iter().map(|_| Err(error.clone()))),
        }
    }
    outcomes
}
