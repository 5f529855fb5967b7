//! `/directory/administrativeUnits` and their members (users and groups).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::super::Shared;
use super::super::graph::authorize;
use super::groups::member_json;
use super::{
    context, created, invalid_property, json_object, missing, not_found, page, query_reference_id,
    reference_id, request_bad, string_field,
};
use crate::directory::AdministrativeUnit;
use crate::graph_error::GraphError;

const READ: &[&str] = &[
    "AdministrativeUnit.Read.All",
    "AdministrativeUnit.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["AdministrativeUnit.ReadWrite.All"];

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
        .units
        .iter()
        .map(AdministrativeUnit::to_json)
        .collect();
    page(
        items,
        raw.as_deref(),
        &headers,
        &format!("/{version}/directory/administrativeUnits"),
        &context(&version, "directory/administrativeUnits"),
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
        directory.unit(&id).ok_or_else(|| missing(&id))?.to_json(),
    ))
}

pub async fn create(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let body = json_object(&body)?;
    let display_name = string_field(&body, "displayName", "AdministrativeUnit")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid_property("displayName", "AdministrativeUnit"))?;
    let unit = AdministrativeUnit {
        id: uuid::Uuid::new_v4().to_string(),
        display_name,
        description: string_field(&body, "description", "AdministrativeUnit")?,
        members: Vec::new(),
    };
    let json = unit.to_json();
    tenant.directory.lock().units.push(unit);
    Ok(created(&version, "directory/administrativeUnits", json).into_response())
}

pub async fn delete(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let mut directory = tenant.directory.lock();
    let at = directory
        .units
        .iter()
        .position(|u| u.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| missing(&id))?;
    directory.units.remove(at);
    Ok(StatusCode::NO_CONTENT)
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
        let unit = directory.unit(&id).ok_or_else(|| missing(&id))?;
        unit.members
            .iter()
            .filter_map(|m| member_json(&tenant, &directory, m))
            .collect()
    };
    page(
        items,
        raw.as_deref(),
        &headers,
        &format!("/{version}/directory/administrativeUnits/{id}/members"),
        &context(&version, "directoryObjects"),
    )
}

pub async fn add_member(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let member = reference_id(&json_object(&body)?)?;
    let mut directory = tenant.directory.lock();
    let unit = directory.unit(&id).ok_or_else(|| missing(&id))?;
    if tenant.user(&member).is_none() && directory.group(&member).is_none() {
        return Err(not_found(&member));
    }
    if unit.members.iter().any(|m| m.eq_ignore_ascii_case(&member)) {
        return Err(request_bad(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    directory
        .unit_mut(&id)
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
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let mut directory = tenant.directory.lock();
    let unit = directory.unit(&id).ok_or_else(|| missing(&id))?;
    let at = unit
        .members
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&member))
        .ok_or_else(|| not_found(&member))?;
    directory
        .unit_mut(&id)
        .expect("found above")
        .members
        .remove(at);
    Ok(StatusCode::NO_CONTENT)
}
