//! `/directory/administrativeUnits` and their members (users and groups).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::super::Shared;
use super::super::graph::authorize;
use super::members::{self, Owner};
use super::{
    collection_page, created, invalid_property, json_object, missing, query_reference_id,
    string_field,
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
    collection_page(
        items,
        raw.as_deref(),
        &headers,
        &version,
        "directory/administrativeUnits",
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
    let path = format!("/{version}/directory/administrativeUnits/{id}/members");
    members::list(
        &tenant,
        Owner::Unit,
        &version,
        &id,
        &path,
        raw.as_deref(),
        &headers,
    )
}

pub async fn add_member(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    members::add(&tenant, Owner::Unit, &id, &body)
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
    members::remove(&tenant, Owner::Unit, &id, &member)
}
