//! `/groups` and their members. Graph creates security and Microsoft 365 groups only, and
//! cannot change the members of a mail-enabled security group or distribution list: those are
//! Exchange's (`New-DistributionGroup`, `Add-DistributionGroupMember`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::super::Shared;
use super::super::graph::authorize;
use super::{
    context, created, invalid_property, json_object, missing, not_found, page, query_reference_id,
    reference_id, request_bad, string_field,
};
use crate::directory::{DirectoryData, Group, GroupKind};
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
    page(
        items,
        raw.as_deref(),
        &headers,
        &format!("/{version}/groups"),
        &context(&version, "groups"),
    )
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

fn member_exists(tenant: &Tenant, directory: &DirectoryData, id: &str) -> bool {
    tenant.user(id).is_some() || directory.group(id).is_some()
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

/// The members: users as `#microsoft.graph.user`, groups as `#microsoft.graph.group`.
pub fn member_json(tenant: &Tenant, directory: &DirectoryData, id: &str) -> Option<Value> {
    if let Some(user) = tenant.user(id) {
        return Some(json!({
            "@odata.type": "#microsoft.graph.user",
            "id": user.id,
            "displayName": user.display_name,
            "userPrincipalName": user.user_principal_name,
            "mail": if user.has_mailbox() { json!(user.user_principal_name) } else { Value::Null },
        }));
    }
    directory.group(id).map(Group::member_json)
}

pub async fn members(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let items: Vec<Value> = {
        let directory = tenant.directory.lock();
        let group = directory.group(&id).ok_or_else(|| missing(&id))?;
        group
            .members
            .iter()
            .filter_map(|m| member_json(&tenant, &directory, m))
            .collect()
    };
    page(
        items,
        raw.as_deref(),
        &headers,
        &format!("/{version}/groups/{id}/members"),
        &context(&version, "directoryObjects"),
    )
}

pub async fn add_member(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, MEMBERS_WRITE)?;
    let member = reference_id(&json_object(&body)?)?;
    let mut directory = tenant.directory.lock();
    let group = directory.group(&id).ok_or_else(|| missing(&id))?;
    check_graph_may_edit(group)?;
    if !member_exists(&tenant, &directory, &member) {
        return Err(not_found(&member));
    }
    if group
        .members
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&member))
    {
        return Err(request_bad(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    directory
        .group_mut(&id)
        .expect("found above")
        .members
        .push(member);
    Ok(StatusCode::NO_CONTENT)
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
    let mut directory = tenant.directory.lock();
    let group = directory.group(&id).ok_or_else(|| missing(&id))?;
    check_graph_may_edit(group)?;
    let at = group
        .members
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&member))
        .ok_or_else(|| not_found(&member))?;
    directory
        .group_mut(&id)
        .expect("found above")
        .members
        .remove(at);
    Ok(StatusCode::NO_CONTENT)
}

/// Mail-enabled security groups and distribution lists are Exchange's to change.
fn check_graph_may_edit(group: &Group) -> Result<(), GraphError> {
    if group.kind.is_distribution_group() {
        return Err(request_bad(
            "Cannot Update a mail-enabled security groups and or distribution list.",
        ));
    }
    Ok(())
}
