//! Contact folders and contacts: `/users/{u}/contacts`, `/users/{u}/contactFolders`,
//! `…/childFolders`, `…/contactFolders/{f}/contacts` and single contacts (GET/PATCH/DELETE).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::delta;
use super::mailbox::{MailboxCall, check_id, item_not_found};
use super::contact_query::{self, ContactQuery};
use super::query::{ListQuery, base_url};
use crate::graph_error::GraphError;
use crate::mailbox::{Contact, ContactError, Folder, Mailbox};
use crate::odata;

type Answer = Result<Response, GraphError>;

/// Outlook's default page size and `$top` maximum.
const DEFAULT_PAGE: usize = 10;
const MAX_PAGE: usize = 1000;

/// `GET /users/{u}/contacts`: the default folder.
pub async fn list_default(state: State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    list_in(state, version, user, None, headers, raw)
}

/// `GET /users/{u}/contactFolders/{f}/contacts`.
pub async fn list_in_folder(state: State<Shared>, Path((version, user, folder)): Path<(String, String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    list_in(state, version, user, Some(folder), headers, raw)
}

fn list_in(State(state): State<Shared>, version: String, user: String, folder: Option<String>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    let query = ListQuery::parse(raw.as_deref())?;
    let top = query.page_size(DEFAULT_PAGE, MAX_PAGE)?;
    let options = ContactQuery::parse(&query)?;
    let call = MailboxCall::open(&state, &headers, &user, false)?;
    let mailbox = call.mailbox();
    let folder_id = resolve_folder(&mailbox, folder.as_deref())?;
    let (contacts, total) = if options.is_plain() {
        mailbox.contacts_page(&folder_id, query.skip, top)
    } else {
        let kept = options.apply(mailbox.contacts_in(&folder_id));
        let total = kept.len();
        (kept.into_iter().skip(query.skip).take(top).collect(), total)
    };
    let page: Vec<Value> = contacts.iter().map(|c| list_view(c, query.select.as_deref())).collect();
    let path = match &folder {
        None => format!("/{version}/users/{user}/contacts"),
        Some(f) => format!("/{version}/users/{user}/contactFolders/{f}/contacts"),
    };
    let mut body = json!({"@odata.context": context(&version, &user, "contacts"), "value": page});
    if query.count {
        body["@odata.count"] = json!(total);
    }
    if query.skip + top < total {
        body["@odata.nextLink"] = json!(format!("{}{path}?{}", base_url(&headers), query.with_skip(top, query.skip + top)));
    }
    Ok(Json(body).into_response())
}

/// `POST /users/{u}/contacts`.
pub async fn create_default(state: State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    create_in(state, version, user, None, headers, body)
}

/// `POST /users/{u}/contactFolders/{f}/contacts`.
pub async fn create_in_folder(state: State<Shared>, Path((version, user, folder)): Path<(String, String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    create_in(state, version, user, Some(folder), headers, body)
}

fn create_in(State(state): State<Shared>, version: String, user: String, folder: Option<String>, headers: HeaderMap, body: Bytes) -> Answer {
    let call = MailboxCall::open(&state, &headers, &user, true)?;
    let body = json_request(&headers, &body)?;
    let mut mailbox = call.mailbox();
    let folder_id = resolve_folder(&mailbox, folder.as_deref())?;
    let contact = mailbox.create_contact(&folder_id, &body, state.now()).map_err(refused)?;
    let mut out = contact.to_json(None);
    out["@odata.context"] = json!(context(&version, &user, "contacts/$entity"));
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /users/{u}/contacts/{id}` (also `…/contactFolders/{f}/contacts/{id}`); `delta` here is
/// the delta function, which the path router cannot tell from an id.
pub async fn get_one(state: State<Shared>, Path((version, user, id)): Path<(String, String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    if delta::is_delta(&id) {
        return Err(delta::undocumented());
    }
    get_contact(state, version, user, None, id, headers, raw)
}

pub async fn get_one_in_folder(state: State<Shared>, Path((version, user, folder, id)): Path<(String, String, String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    if delta::is_delta(&id) {
        return delta::round(state, version, user, folder, headers, raw).await;
    }
    get_contact(state, version, user, Some(folder), id, headers, raw)
}

fn get_contact(State(state): State<Shared>, version: String, user: String, folder: Option<String>, id: String, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    let query = ListQuery::parse(raw.as_deref())?;
    query.check_select(&contact_query::known(), "Microsoft.OutlookServices.Contact")?;
    let call = MailboxCall::open(&state, &headers, &user, false)?;
    check_id(&id)?;
    let mailbox = call.mailbox();
    let contact = find(&mailbox, folder.as_deref(), &id)?;
    let mut out = contact.to_json(query.select.as_deref());
    out["@odata.context"] = json!(context(&version, &user, "contacts/$entity"));
    Ok(Json(out).into_response())
}

pub async fn patch_one(state: State<Shared>, Path((version, user, id)): Path<(String, String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    patch(state, version, user, None, id, headers, body)
}

pub async fn patch_one_in_folder(state: State<Shared>, Path((version, user, folder, id)): Path<(String, String, String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    patch(state, version, user, Some(folder), id, headers, body)
}

fn patch(State(state): State<Shared>, version: String, user: String, folder: Option<String>, id: String, headers: HeaderMap, body: Bytes) -> Answer {
    let call = MailboxCall::open(&state, &headers, &user, true)?;
    check_id(&id)?;
    let body = json_request(&headers, &body)?;
    let mut mailbox = call.mailbox();
    find(&mailbox, folder.as_deref(), &id)?;
    let contact = mailbox.update_contact(&id, &body, state.now()).map_err(refused)?.ok_or_else(item_not_found)?;
    let mut out = contact.to_json(None);
    out["@odata.context"] = json!(context(&version, &user, "contacts/$entity"));
    Ok(Json(out).into_response())
}

pub async fn delete_one(state: State<Shared>, Path((_version, user, id)): Path<(String, String, String)>, headers: HeaderMap) -> Answer {
    delete(state, user, None, id, headers)
}

pub async fn delete_one_in_folder(state: State<Shared>, Path((_version, user, folder, id)): Path<(String, String, String, String)>, headers: HeaderMap) -> Answer {
    delete(state, user, Some(folder), id, headers)
}

fn delete(State(state): State<Shared>, user: String, folder: Option<String>, id: String, headers: HeaderMap) -> Answer {
    let call = MailboxCall::open(&state, &headers, &user, true)?;
    check_id(&id)?;
    let mut mailbox = call.mailbox();
    find(&mailbox, folder.as_deref(), &id)?;
    mailbox.delete_contact(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /users/{u}/contactFolders`: the children of the default folder (not the folder itself).
pub async fn list_folders(state: State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    folders_under(state, version, user, None, headers, raw)
}

/// `GET /users/{u}/contactFolders/{f}/childFolders`.
pub async fn list_children(state: State<Shared>, Path((version, user, folder)): Path<(String, String, String)>, headers: HeaderMap, raw: RawQuery) -> Answer {
    folders_under(state, version, user, Some(folder), headers, raw)
}

fn folders_under(State(state): State<Shared>, version: String, user: String, parent: Option<String>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    let query = ListQuery::parse(raw.as_deref())?;
    let top = query.page_size(DEFAULT_PAGE, MAX_PAGE)?;
    let filter = query.comparisons()?;
    // Folder lists implement `$filter`, `$select` and `$count`; anything else is refused, not ignored.
    if let Some(name) = query.unsupported.or(query.orderby.as_ref().map(|_| "$orderby")) {
        return Err(GraphError::bad_request(format!("The query parameter '{name}' is not supported on the 'ContactFolders' resource.")));
    }
    let call = MailboxCall::open(&state, &headers, &user, false)?;
    let mailbox = call.mailbox();
    let parent_id = resolve_folder(&mailbox, parent.as_deref())?;
    let folders: Vec<Value> = mailbox.children(&parent_id).iter().map(folder_json).filter(|f| odata::matches(f, &filter)).collect();
    let page: Vec<Value> = folders.iter().skip(query.skip).take(top).map(|f| select(f, query.select.as_deref())).collect();
    let path = match &parent {
        None => format!("/{version}/users/{user}/contactFolders"),
        Some(p) => format!("/{version}/users/{user}/contactFolders/{p}/childFolders"),
    };
    let mut body = json!({"@odata.context": context(&version, &user, "contactFolders"), "value": page});
    if query.count {
        body["@odata.count"] = json!(folders.len());
    }
    if query.skip + top < folders.len() {
        body["@odata.nextLink"] = json!(format!("{}{path}?{}", base_url(&headers), query.with_skip(top, query.skip + top)));
    }
    Ok(Json(body).into_response())
}

/// `GET /users/{u}/contactFolders/{f}` (`contacts` names the default folder).
pub async fn get_folder(State(state): State<Shared>, Path((version, user, folder)): Path<(String, String, String)>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Answer {
    let query = ListQuery::parse(raw.as_deref())?;
    let call = MailboxCall::open(&state, &headers, &user, false)?;
    check_id(&folder)?;
    let mailbox = call.mailbox();
    let found = mailbox.folder(&folder).ok_or_else(item_not_found)?;
    let mut out = select(&folder_json(found), query.select.as_deref());
    out["@odata.context"] = json!(context(&version, &user, "contactFolders/$entity"));
    Ok(Json(out).into_response())
}

/// `POST /users/{u}/contactFolders`: a child of the default folder.
pub async fn create_folder(state: State<Shared>, Path((version, user)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    new_folder(state, version, user, None, headers, body)
}

/// `POST /users/{u}/contactFolders/{f}/childFolders`.
pub async fn create_child(state: State<Shared>, Path((version, user, folder)): Path<(String, String, String)>, headers: HeaderMap, body: Bytes) -> Answer {
    new_folder(state, version, user, Some(folder), headers, body)
}

fn new_folder(State(state): State<Shared>, version: String, user: String, parent: Option<String>, headers: HeaderMap, body: Bytes) -> Answer {
    let call = MailboxCall::open(&state, &headers, &user, true)?;
    let body = json_request(&headers, &body)?;
    let name = folder_name(&body)?;
    let mut mailbox = call.mailbox();
    let parent_id = resolve_folder(&mailbox, parent.as_deref())?;
    if mailbox.children(&parent_id).iter().any(|f| f.display_name.eq_ignore_ascii_case(&name)) {
        return Err(GraphError::new(StatusCode::CONFLICT, "ErrorFolderExists", "A folder with the specified name already exists."));
    }
    let folder = mailbox.create_folder(&parent_id, &name);
    let mut out = folder_json(&folder);
    out["@odata.context"] = json!(context(&version, &user, "contactFolders/$entity"));
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

fn folder_name(body: &Value) -> Result<String, GraphError> {
    let object = body.as_object().ok_or_else(|| body_read("The request body must be a JSON object."))?;
    if let Some(key) = object.keys().find(|k| !["displayName", "parentFolderId"].contains(&k.as_str()) && !k.starts_with("@odata.")) {
        return Err(body_read(&format!("The property '{key}' does not exist on type 'Microsoft.OutlookServices.ContactFolder'. Make sure to only use property names that are defined by the type or mark the type as open type.")));
    }
    match object.get("displayName").and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => Ok(name.to_string()),
        _ => Err(GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidParameter", "The folder name cannot be empty.")),
    }
}

/// The folder a path names: the default one when none is named.
fn resolve_folder(mailbox: &Mailbox, folder: Option<&str>) -> Result<String, GraphError> {
    match folder {
        None => Ok(mailbox.root_id.clone()),
        Some(id) => {
            check_id(id)?;
            mailbox.folder(id).map(|f| f.id.clone()).ok_or_else(item_not_found)
        }
    }
}

/// A contact by id; under a folder path it must be in that folder.
fn find<'m>(mailbox: &'m Mailbox, folder: Option<&str>, id: &str) -> Result<&'m Contact, GraphError> {
    let contact = mailbox.contact(id).ok_or_else(item_not_found)?;
    match folder {
        Some(f) if resolve_folder(mailbox, Some(f))? != contact.folder_id => Err(item_not_found()),
        _ => Ok(contact),
    }
}

/// A contact as list and delta responses show it: Graph strips the line breaks from, and cuts
/// to 256 characters, a `personalNotes` that starts with a line break (graph-contact-semantics §4).
pub fn list_view(contact: &Contact, select: Option<&[String]>) -> Value {
    let mut out = contact.to_json(select);
    if let Some(Value::String(notes)) = out.get("personalNotes")
        && (notes.starts_with('\n') || notes.starts_with("\r\n"))
    {
        let stripped: String = notes.chars().filter(|c| *c != '\n' && *c != '\r').take(256).collect();
        out["personalNotes"] = json!(stripped);
    }
    out
}

fn folder_json(folder: &Folder) -> Value {
    json!({"id": folder.id, "displayName": folder.display_name, "parentFolderId": folder.parent_id.clone().unwrap_or_default()})
}

fn select(item: &Value, select: Option<&[String]>) -> Value {
    let Some(select) = select else { return item.clone() };
    let mut out = serde_json::Map::new();
    for (key, value) in item.as_object().into_iter().flatten() {
        if key == "id" || select.iter().any(|s| s.eq_ignore_ascii_case(key)) {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

fn context(version: &str, user: &str, what: &str) -> String {
    format!("https://graph.microsoft.com/{version}/$metadata#users('{user}')/{what}")
}

/// The JSON body of a POST or PATCH, read only after the token, the user and the mailbox were
/// checked (Graph's order: a body-less POST without a token is a 401, not a 400). A body that
/// says it is not JSON (`Content-Type: text/plain`) is refused as Graph refuses it.
fn json_request(headers: &HeaderMap, bytes: &Bytes) -> Result<Value, GraphError> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(body_read("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."));
    }
    json_body(bytes)
}

/// A JSON request body, with Graph's errors for an empty or unreadable one.
pub fn json_body(bytes: &Bytes) -> Result<Value, GraphError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::bad_request("Empty Payload. JSON content expected."));
    }
    serde_json::from_slice(bytes).map_err(|_| body_read("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))
}

fn body_read(message: &str) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "RequestBodyRead", message)
}

fn refused(error: ContactError) -> GraphError {
    match error {
        ContactError::BodyRead(message) => body_read(&message),
        ContactError::TooMany(message) => GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidProperty", message),
    }
}
