//! `/groups` and their members. Graph creates security and Microsoft 365 groups only, and
//! cannot change the members of a mail-enabled security group or distribution list: those are
//! Exchange's (`New-DistributionGroup`, `Add-DistributionGroupMember`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::super::Shared;
use super::super::graph::authorize;
use super::members::{self, Owner, member_exists};
use super::{
    collection_page, created, invalid_property, json_object, missing, not_found,
    query_reference_id, reference_id, request_bad, string_field,
};
use crate::directory::{Group, GroupKind};
use crate::graph_error::GraphError;
use crate::state::Tenant;

pub const READ: &[&str] = &[
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const CREATE: &[&str] = &[
    "Group.Create",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["Group.ReadWrite.All", "Directory.ReadWrite.All"];
const MEMBERS_WRITE: &[&str] = &[
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];

pub async fn list(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let items: Vec<Value> = tenant
        .directory
        .lock()
        .groups
        .iter()
        .map(Group::to_json)
        .collect();
    collection_page(items, raw.as_deref(), &headers, &version, "groups")
}

pub async fn get_one(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let directory = tenant.directory.lock();
    Ok(Json(
        directory.group(&id).ok_or_else(|| missing(&id))?.to_json(),
    ))
}

/// `POST /groups`: `displayName`, `mailEnabled`, `mailNickname` and `securityEnabled` are
/// required; `members@odata.bind` adds members.
pub async fn create(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = authorize(&state, &headers, CREATE)?;
    let body = json_object(&body)?;
    let required_bool = |name: &str| {
        body.get(name)
            .and_then(Value::as_bool)
            .ok_or_else(|| invalid_property(name, "Group"))
    };
    let display_name = string_field(&body, "displayName", "Group")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid_property("displayName", "Group"))?;
    let (mail_enabled, security_enabled) = (
        required_bool("mailEnabled")?,
        required_bool("securityEnabled")?,
    );
    let nickname = string_field(&body, "mailNickname", "Group")?
        .filter(|n| valid_nickname(n))
        .ok_or_else(|| invalid_property("mailNickname", "Group"))?;
    let unified = group_types(&body)?
        .iter()
        .any(|t| t.eq_ignore_ascii_case("Unified"));
    if mail_enabled && !unified {
        return Err(request_bad(
            "Cannot Create a mail-enabled security groups and or distribution list.",
        ));
    }
    if unified && !mail_enabled {
        return Err(invalid_property("mailEnabled", "Group"));
    }
    let kind = GroupKind::of(mail_enabled, security_enabled, unified);
    let mail = unified.then(|| format!("{nickname}@{}", tenant.domain));
    let mut group = Group::new(
        uuid::Uuid::new_v4().to_string(),
        display_name,
        nickname,
        mail,
        kind,
        &tenant.domain,
    );
    group.description = string_field(&body, "description", "Group")?;
    group.members = bound_members(&tenant, &body)?;
    let json = group.to_json();
    tenant.directory.lock().groups.push(group);
    Ok(created(&version, "groups", json).into_response())
}

fn valid_nickname(nickname: &str) -> bool {
    !nickname.is_empty()
        && nickname.len() <= 64
        && nickname
            .chars()
            .all(|c| c.is_ascii() && !c.is_ascii_whitespace() && !"@()\\[]\";:<>,".contains(c))
}

fn group_types(body: &Map<String, Value>) -> Result<Vec<String>, GraphError> {
    match body.get("groupTypes") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid_property("groupTypes", "Group"))
            })
            .collect(),
        Some(_) => Err(invalid_property("groupTypes", "Group")),
    }
}

/// `members@odata.bind`: references to existing users or groups.
fn bound_members(tenant: &Tenant, body: &Map<String, Value>) -> Result<Vec<String>, GraphError> {
    let Some(value) = body.get("members@odata.bind") else {
        return Ok(Vec::new());
    };
    let urls = value
        .as_array()
        .ok_or_else(|| request_bad("Invalid URL format specified in @odata.bind for members"))?;
    let directory = tenant.directory.lock();
    urls.iter()
        .map(|u| {
            let reference = Map::from_iter([("@odata.id".to_string(), u.clone())]);
            let id = reference_id(&reference)?;
            member_exists(tenant, &directory, &id)
                .then_some(id.clone())
                .ok_or_else(|| not_found(&id))
        })
        .collect()
}

pub async fn delete(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let mut directory = tenant.directory.lock();
    let at = directory
        .groups
        .iter()
        .position(|g| g.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| missing(&id))?;
    let removed = directory.groups.remove(at);
    for group in directory.groups.iter_mut() {
        group.members.retain(|m| m != &removed.id);
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn members(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let path = format!("/{version}/groups/{id}/members");
    members::list(
        &tenant,
        Owner::Group,
        &version,
        &id,
        &path,
        raw.as_deref(),
        &headers,
    )
}

/// `POST …/members/$ref`: Graph cannot change the members of a mail-enabled security group or
/// distribution list.
pub async fn add_member(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, MEMBERS_WRITE)?;
    members::add(&tenant, Owner::Group, &id, &body)
}

/// `DELETE …/members/$ref?$id=<member url>`.
pub async fn remove_member_by_query(
    state: State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<StatusCode, GraphError> {
    let member = query_reference_id(raw.as_deref())?;
    remove_member(state, Path((version, id, member)), headers).await
}

pub async fn remove_member(
    State(state): State<Shared>,
    Path((_version, id, member)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, MEMBERS_WRITE)?;
    members::remove(&tenant, Owner::Group, &id, &member)
}
