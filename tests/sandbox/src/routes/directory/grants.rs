//! `GET /servicePrincipals/{id}/appRoleAssignments` and `DELETE …/appRoleAssignments/{id}`:
//! a seeded app's Entra application permissions, and revoking one (see
//! [`crate::directory::grants`]). Apps created at run time hold none.

use std::time::Instant;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::super::Shared;
use super::super::graph::authorize;
use super::{collection_page, missing, not_found};
use crate::directory::grants;
use crate::graph_error::GraphError;
use crate::state::Tenant;

const READ: &[&str] = &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "AppRoleAssignment.ReadWrite.All"];
const WRITE: &[&str] = &["AppRoleAssignment.ReadWrite.All"];

/// The principal's (app id, display name) and its permissions now.
fn held(tenant: &Tenant, id: &str) -> Result<(String, String, Vec<String>), GraphError> {
    let directory = tenant.directory.lock();
    let sp = directory.visible_service_principal(id, Instant::now()).ok_or_else(|| missing(id))?;
    let seeded = tenant.apps.iter().find(|a| a.app_id.eq_ignore_ascii_case(&sp.app_id)).map(|a| a.roles.clone()).unwrap_or_default();
    Ok((sp.id.clone(), sp.display_name.clone(), directory.granted_roles(&sp.app_id, &seeded)))
}

pub async fn list(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let (principal, name, roles) = held(&tenant, &id)?;
    let items = roles.iter().map(|role| grants::assignment_json(&principal, &name, role)).collect();
    collection_page(items, raw.as_deref(), &headers, &version, &format!("servicePrincipals/{principal}/appRoleAssignments"))
}

pub async fn delete(
    State(state): State<Shared>,
    Path((_version, id, assignment)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let (principal, _, roles) = held(&tenant, &id)?;
    let role = roles
        .into_iter()
        .find(|role| grants::assignment_id(&principal, role).eq_ignore_ascii_case(&assignment))
        .ok_or_else(|| not_found(&assignment))?;
    let mut directory = tenant.directory.lock();
    let app_id = directory.visible_service_principal(&id, Instant::now()).map(|sp| sp.app_id.clone()).ok_or_else(|| missing(&id))?;
    directory.revoked.push((app_id, role));
    Ok(StatusCode::NO_CONTENT)
}
