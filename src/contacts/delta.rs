//! `contacts/delta` rounds (graph-api.md, delta): the first round lists a folder whole, later
//! rounds from a saved deltaLink list only what changed since, with `@removed` entries for
//! contacts that left the folder. A round is followed through its nextLinks to its deltaLink.

use serde_json::Value;

use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};

/// Outlook's largest delta page (it caps `odata.maxpagesize` at 200).
const PREFER: &str = "odata.maxpagesize=200";

/// One whole round: the changed or (first round) every contact, and the link of the next round.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRound {
    pub changes: Vec<Value>,
    pub delta_link: String,
}

/// A round of a mailbox's default Contacts folder (`folder: None`) or of a folder: from
/// `delta_link` when given, else the first round with only `select`ed properties (the link
/// carries the selection on).
pub async fn delta(graph: &GraphClient, mailbox: &str, folder: Option<&str>, select: &str, delta_link: Option<&str>) -> Result<DeltaRound> {
    let first = graph.url(Version::V1, &path(mailbox, folder), &[("$select", select)]);
    let mut url = match delta_link {
        Some(link) => graph.follow(&first, link)?,
        None => first,
    };
    let mut changes = Vec::new();
    loop {
        let page = {
            let _slot = graph.gate().enter(mailbox, 1).await;
            graph.page(url.clone(), &[("prefer", PREFER)]).await?
        };
        if let Some(Value::Array(values)) = page.get("value") {
            changes.extend(values.iter().cloned());
        }
        match (link(&page, "@odata.nextLink"), link(&page, "@odata.deltaLink")) {
            (Some(next), _) => url = graph.follow(&url, next)?,
            (None, Some(done)) => return Ok(DeltaRound { changes, delta_link: done.to_string() }),
            (None, None) => {
                return Err(ExoError::Protocol { url: url.to_string(), message: "a delta page has neither @odata.nextLink nor @odata.deltaLink".into() });
            }
        }
    }
}

/// Always the documented per-folder form: the default folder by its well-known name
/// `contacts`. `/users/{id}/contacts/delta` is in Graph's metadata but undocumented
/// (graph-contact-semantics §11), so a steady-state run must not rest on it.
fn path(mailbox: &str, folder: Option<&str>) -> String {
    let folder = folder.map_or_else(|| DEFAULT_FOLDER.to_string(), segment);
    format!("/users/{}/contactFolders/{folder}/contacts/delta", segment(mailbox))
}

/// The default Contacts folder's well-known name.
const DEFAULT_FOLDER: &str = "contacts";

fn link<'a>(page: &'a Value, name: &str) -> Option<&'a str> {
    page.get(name).and_then(Value::as_str)
}

/// Whether a delta entry says the contact left the folder (deleted or moved).
pub fn is_removed(entry: &Value) -> bool {
    entry.get("@removed").is_some()
}
