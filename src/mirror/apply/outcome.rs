//! Writes whose outcome is unknown (issue 21, item 1). A create that got no answer, a 5xx, a
//! gateway timeout, or a `$batch` envelope that failed may have been applied: sending it again
//! blindly duplicates the contact. So the target folder is read, each such create is looked up
//! by its SyncId, and only the ones not found are sent again (a few rounds at most). Updates are
//! idempotent and are simply sent again. Known refusals (4xx; throttling, which the batch layer
//! already retried) are final.

use serde_json::Value;

use crate::contacts;
use crate::error::{ExoError, Result};
use crate::graph::{BatchRequest, GraphClient};
use crate::http::Method;
use crate::mirror::contact::CONTACT_SELECT;
use crate::mirror::tags;
use crate::ops;


/// Rounds of "look up, then send what is missing" before an unknown outcome is reported failed.
const ROUNDS: usize = 3;

/// Pure: whether a failed write may still have been applied.
pub fn unknown(error: &ExoError) -> bool {
    match error {
        ExoError::Unreachable { .. } | ExoError::Protocol { .. } => true,
        ExoError::Service { status, .. } => *status >= 500,
        _ => false,
    }
}

/// A write of the batch and, for a create, the SyncId it carries.
pub struct Sent<'a> {
    pub request: &'a BatchRequest,
    pub sync_id: Option<&'a str>,
}

/// Pure: which of `sync_ids` the folder's contacts (as Graph lists them) carry, and by which id.
pub fn found_by_sync_id<'a>(listed: &'a [Value], sync_ids: &[&str]) -> Vec<Option<&'a Value>> {
    sync_ids
        .iter()
        .map(|wanted| {
            listed.iter().find(|c| tags::parse_tags(c["personalNotes"].as_str()).sync_id.is_some_and(|s| s.eq_ignore_ascii_case(wanted)))
        })
        .collect()
}

/// Settles the unknown outcomes among `answers` (one per `sent`, in order) in `mailbox`'s
/// `folder`: found creates become their contact (read by id), the rest are sent again.
pub async fn settle(graph: &GraphClient, mailbox: &str, folder: Option<&str>, sent: &[Sent<'_>], mut answers: Vec<Result<Value>>) -> Vec<Result<Value>> {
    for _ in 0..ROUNDS {
        let open: Vec<usize> = (0..sent.len()).filter(|&i| matches!(&answers[i], Err(e) if unknown(e))).collect();
        if open.is_empty() {
            break;
        }
        let creates: Vec<usize> = open.iter().copied().filter(|&i| sent[i].request.method == Method::Post && sent[i].sync_id.is_some()).collect();
        let found = match look_up(graph, mailbox, folder, sent, &creates).await {
            Ok(found) => found,
            // The folder cannot be read: nothing is sent again blindly; the next run reads it.
            Err(_) => break,
        };
        let mut again = Vec::new();
        for &i in &open {
            match found.iter().find(|(index, _)| *index == i) {
                Some((_, contact)) => answers[i] = contact.clone(),
                None => again.push(i),
            }
        }
        if again.is_empty() {
            break;
        }
        ops::verbose(format!("{} writes to {mailbox} whose outcome was unknown were not applied; sending them again.", again.len()));
        let requests: Vec<BatchRequest> = again.iter().map(|&i| sent[i].request.clone()).collect();
        for (i, answer) in again.into_iter().zip(contacts::send_all(graph, mailbox, &requests).await) {
            answers[i] = answer;
        }
    }
    answers
}

/// The creates (by position) found in the folder, each read by id for its full notes.
async fn look_up(graph: &GraphClient, mailbox: &str, folder: Option<&str>, sent: &[Sent<'_>], creates: &[usize]) -> Result<Vec<(usize, Result<Value>)>> {
    if creates.is_empty() {
        return Ok(Vec::new());
    }
    let listed = contacts::list(graph, mailbox, folder, CONTACT_SELECT).await?;
    let sync_ids: Vec<&str> = creates.iter().map(|&i| sent[i].sync_id.unwrap_or_default()).collect();
    let found: Vec<(usize, String)> = creates
        .iter()
        .zip(found_by_sync_id(&listed, &sync_ids))
        .filter_map(|(&i, hit)| hit.and_then(|c| c["id"].as_str()).map(|id| (i, id.to_string())))
        .collect();
    if !found.is_empty() {
        ops::verbose(format!("{} creates in {mailbox} whose answer was lost had been applied; they are not sent again.", found.len()));
    }
    let reads: Vec<BatchRequest> = found.iter().map(|(_, id)| contacts::get_request(mailbox, id, CONTACT_SELECT)).collect();
    let answers = contacts::send_all(graph, mailbox, &reads).await;
    Ok(found.into_iter().map(|(i, _)| i).zip(answers).collect())
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(status: u16) -> ExoError {
        ExoError::Service { method: "POST".into(), url: "u".into(), status, code: "c".into(), message: String::new(), request_id: None }
    }

    #[test]
    fn only_failures_that_may_have_been_applied_are_unknown() {
        for status in [500, 502, 503, 504] {
            assert!(unknown(&service(status)), "{status}");
        }
        assert!(unknown(&ExoError::Unreachable { url: "u".into(), cause: "reset".into() }));
        assert!(unknown(&ExoError::Protocol { url: "u".into(), message: "truncated".into() }));
        for status in [400, 403, 404, 409, 429] {
            assert!(!unknown(&service(status)), "{status}");
        }
        assert!(!unknown(&ExoError::Cancelled));
    }

    #[test]
    fn creates_are_found_by_sync_id_without_case() {
        let listed = [
            json!({"id": "c1", "personalNotes": "text\r\nSyncId=1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D;CreatedBy=a"}),
            json!({"id": "c2", "personalNotes": "no tag"}),
        ];
        let found = found_by_sync_id(&listed, &["1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]);
        assert_eq!(found[0].map(|c| c["id"].as_str().unwrap()), Some("c1"));
        assert!(found[1].is_none());
    }
}
