//! `GET /users/{u}/contactFolders/{f}/contacts/delta` (`contacts` names the default folder;
//! `/users/{u}/contacts/delta` is refused, see [`undocumented`]): rounds of `$skiptoken`
//! nextLinks ending in a `$deltatoken` deltaLink, `@removed` entries, and `410
//! SyncStateNotFound` when the state was evicted.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::contacts::list_view;
use super::mailbox::{MailboxCall, check_id, item_not_found};
use super::query::{ListQuery, base_url};
use crate::graph_error::GraphError;
use crate::mailbox::DeltaChange;

/// Outlook's delta page size: the default and the cap of `Prefer: odata.maxpagesize`.
const MAX_PAGE: usize = 200;

pub fn is_delta(segment: &str) -> bool {
    segment == "delta" || segment == "delta()"
}

/// Where a round stands; encoded, opaque, in `$skiptoken` and `$deltatoken`.
#[derive(Debug, Clone, PartialEq)]
struct Cursor {
    user_id: String,
    folder_id: String,
    /// Changes after this sequence are in the round (0: the initial round).
    since: u64,
    /// …up to this one, fixed when the round started.
    until: u64,
    /// The last sequence already sent in this round.
    after: u64,
    select: Option<Vec<String>>,
}

impl Cursor {
    fn encode(&self) -> String {
        let select = self.select.as_ref().map(|s| s.join(",")).unwrap_or_else(|| "*".into());
        let text = format!("v1|{}|{}|{}|{}|{}|{select}", self.user_id, self.folder_id, self.since, self.until, self.after);
        text.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(token: &str) -> Option<Cursor> {
        let bytes: Option<Vec<u8>> = (0..token.len()).step_by(2).map(|i| token.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
        let text = String::from_utf8(bytes?).ok()?;
        let parts: Vec<&str> = text.split('|').collect();
        let [version, user_id, folder_id, since, until, after, select] = parts[..] else { return None };
        if version != "v1" {
            return None;
        }
        Some(Cursor {
            user_id: user_id.into(),
            folder_id: folder_id.into(),
            since: since.parse().ok()?,
            until: until.parse().ok()?,
            after: after.parse().ok()?,
            select: (select != "*").then(|| select.split(',').map(str::to_string).collect()),
        })
    }
}

/// One page of a delta round.
pub async fn round(State(state): State<Shared>, version: String, user: String, folder: String, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Response, GraphError> {
    let query = ListQuery::parse(raw.as_deref())?;
    refuse_unsupported(&query)?;
    let call = MailboxCall::open(&state, &headers, &user, false)?;
    let mailbox = call.mailbox();
    check_id(&folder)?;
    let folder_id = mailbox.folder(&folder).map(|f| f.id.clone()).ok_or_else(item_not_found)?;
    let base = format!("{}/{version}/users/{user}/contactFolders/{folder}/contacts/delta", base_url(&headers));
    // An empty `$deltatoken` (the 410's Location) starts a new round, as a first request does.
    let deltatoken = query.deltatoken.as_deref().filter(|t| !t.is_empty());
    let cursor = match (&query.skiptoken, deltatoken) {
        (Some(_), Some(_)) => return Err(malformed()),
        (Some(token), None) => Cursor::decode(token).ok_or_else(malformed)?,
        (None, Some(token)) => {
            let last = Cursor::decode(token).ok_or_else(malformed)?;
            Cursor { since: last.until, until: mailbox.sequence(), after: 0, ..last }
        }
        (None, None) => Cursor { user_id: call.user.id.clone(), folder_id: folder_id.clone(), since: 0, until: mailbox.sequence(), after: 0, select: query.select.clone() },
    };
    if cursor.user_id != call.user.id || cursor.folder_id != folder_id {
        return Err(malformed());
    }
    // A state older than the mailbox keeps is gone: the client must start a new round, at the
    // Location Graph gives (the delta URL with an empty `$deltatoken`).
    if (cursor.since > 0 && !mailbox.delta_state_kept(cursor.since)) || (query.skiptoken.is_some() && !mailbox.delta_state_kept(cursor.until)) {
        return Err(GraphError::new(StatusCode::GONE, "SyncStateNotFound", format!("The sync state generation is not found; generation={};[highest={}].", cursor.since, mailbox.sequence()))
            .with_header("Location", format!("{base}?$deltatoken=")));
    }
    let limit = page_size(&headers);
    let mut changes = mailbox.delta(&folder_id, cursor.since, cursor.until, cursor.after, limit + 1);
    let more = changes.len() > limit;
    changes.truncate(limit);
    let value: Vec<Value> = changes.iter().map(|(_, change)| entry(change, cursor.select.as_deref())).collect();
    let mut body = json!({
        "@odata.context": format!("https://graph.microsoft.com/{version}/$metadata#Collection(contact)"),
        "value": value,
    });
    if more {
        let after = changes.last().map_or(cursor.after, |(sequence, _)| *sequence);
        let next = Cursor { after, ..cursor };
        body["@odata.nextLink"] = json!(format!("{base}?$skiptoken={}", next.encode()));
    } else {
        let done = Cursor { after: 0, ..cursor };
        body["@odata.deltaLink"] = json!(format!("{base}?$deltatoken={}", done.encode()));
    }
    Ok(Json(body).into_response())
}

fn entry(change: &DeltaChange, select: Option<&[String]>) -> Value {
    match change {
        DeltaChange::Present(contact) => {
            let mut out = list_view(contact, select);
            out["@odata.type"] = json!("#microsoft.graph.contact");
            out
        }
        DeltaChange::Removed { id } => json!({"@odata.type": "#microsoft.graph.contact", "id": id, "@removed": {"reason": "deleted"}}),
    }
}

/// `/users/{u}/contacts/delta`: in Graph's metadata but undocumented (graph-api.md, "Delta query
/// for contacts in a folder"); delta is documented per folder only, so the sandbox refuses it
/// and a client cannot come to rely on it.
pub fn undocumented() -> GraphError {
    GraphError::bad_request("Resource not found for the segment 'delta'. Delta on contacts is documented per folder only: use /users/{id}/contactFolders/{id or 'contacts'}/contacts/delta.")
}

/// Delta takes `$select` only (graph-api.md): any other option is refused, not ignored.
fn refuse_unsupported(query: &ListQuery) -> Result<(), GraphError> {
    query.check_select(&super::contact_query::known(), "Microsoft.OutlookServices.Contact")?;
    let other = [("$filter", query.filter.is_some()), ("$orderby", query.orderby.is_some()), ("$top", query.top.is_some()), ("$skip", query.skip > 0), ("$count", query.count), ("$expand or $search", query.unsupported.is_some())];
    match other.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(GraphError::bad_request(format!("The query parameter '{name}' is not supported with change tracking over the 'Contacts' resource."))),
        None => Ok(()),
    }
}

/// `Prefer: odata.maxpagesize=N`, capped at 200.
fn page_size(headers: &HeaderMap) -> usize {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().strip_prefix("odata.maxpagesize="))
        .find_map(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .map_or(MAX_PAGE, |n| n.min(MAX_PAGE))
}

/// `POST /_sandbox/delta/expire`: forgets every delta state of every mailbox, as Outlook's
/// token cache does under pressure, so tests can see a client recover from `410`.
pub async fn expire(State(state): State<Shared>) -> StatusCode {
    for tenant in &state.tenants {
        tenant.mailboxes.evict_all_delta_states();
    }
    StatusCode::NO_CONTENT
}

fn malformed() -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "SyncStateInvalid", "The sync state is invalid or malformed.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_its_encoding_and_garbage_does_not_decode() {
        let cursor = Cursor { user_id: "u".into(), folder_id: "AAMk=".into(), since: 3, until: 9, after: 4, select: Some(vec!["id".into(), "givenName".into()]) };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode("7631"), None);
    }

    #[test]
    fn max_page_size_is_capped_at_200() {
        let mut headers = HeaderMap::new();
        headers.insert("prefer", "odata.maxpagesize=999".parse().unwrap());
        assert_eq!(page_size(&headers), 200);
        headers.insert("prefer", "odata.maxpagesize=5".parse().unwrap());
        assert_eq!(page_size(&headers), 5);
    }
}
