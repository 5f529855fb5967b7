//! Graph beta's Exchange RBAC provider: `roleManagement/exchange/roleAssignments` and
//! `customAppScopes` (graph-api.md §1). They share Exchange's store, so what is made here is
//! what `Get-ManagementRoleAssignment` and `Get-ManagementScope` show, and what the access rule
//! enforces.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::super::Shared;
use super::super::graph::authorize;
use super::{collection_page, created, invalid_property, json_object, not_found, string_field};
use crate::exchange::{opath, rbac};
use crate::graph_error::GraphError;
use crate::state::{IssuedToken, Tenant};

const READ: &[&str] = &[
    "RoleManagement.Read.Exchange",
    "RoleManagement.ReadWrite.Exchange",
    "RoleManagement.Read.All",
];
const WRITE: &[&str] = &["RoleManagement.ReadWrite.Exchange"];

/// The Exchange provider exists on beta only; v1.0 does not know the `exchange` segment.
fn beta_only(version: &str) -> Result<(), GraphError> {
    if version == "beta" {
        Ok(())
    } else {
        Err(GraphError::bad_request(
            "Resource not found for the segment 'exchange'.",
        ))
    }
}

fn open(
    state: &Shared,
    headers: &HeaderMap,
    version: &str,
    roles: &[&str],
) -> Result<(IssuedToken, std::sync::Arc<Tenant>), GraphError> {
    beta_only(version)?;
    authorize(state, headers, roles)
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::bad_request(message)
}

/// Where the entry whose id is `id` (any case) stands, or Graph's 404.
fn position_of<T>(items: &[T], id: &str, id_of: impl Fn(&T) -> &str) -> Result<usize, GraphError> {
    items
        .iter()
        .position(|item| id_of(item).eq_ignore_ascii_case(id))
        .ok_or_else(|| not_found(id))
}

pub async fn list_assignments(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, READ)?;
    let items: Vec<Value> = tenant
        .exchange
        .lock()
        .assignments
        .iter()
        .map(rbac::RoleAssignment::to_graph)
        .collect();
    collection_page(
        items,
        raw.as_deref(),
        &headers,
        "beta",
        "roleManagement/exchange/roleAssignments",
    )
}

pub async fn get_assignment(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, READ)?;
    let exchange = tenant.exchange.lock();
    let at = position_of(&exchange.assignments, &id, |a| &a.id)?;
    Ok(Json(exchange.assignments[at].to_graph()))
}

/// `POST …/roleAssignments {principalId:"/ServicePrincipals/{id}", roleDefinitionId,
/// directoryScopeId | appScopeId}`: 201 with the assignment.
pub async fn create_assignment(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, WRITE)?;
    let body = json_object(&body)?;
    let principal = principal_of(&tenant, &body)?;
    let role_id = string_field(&body, "roleDefinitionId", "UnifiedRoleAssignment")?
        .ok_or_else(|| invalid_property("roleDefinitionId", "UnifiedRoleAssignment"))?;
    let role = tenant
        .role_definitions
        .iter()
        .find(|r| r.id().eq_ignore_ascii_case(&role_id))
        .ok_or_else(|| not_found(&role_id))?;
    if !rbac::is_application_role(role) {
        return Err(bad(format!(
            "The role definition '{role_id}' can't be assigned to a service principal."
        )));
    }
    let directory_scope = string_field(&body, "directoryScopeId", "UnifiedRoleAssignment")?;
    let app_scope = string_field(&body, "appScopeId", "UnifiedRoleAssignment")?;
    let scope = match (directory_scope, app_scope) {
        (Some(d), None) => directory_scope_of(&tenant, &d)?,
        (None, Some(a)) => rbac::AssignmentScope::Custom(a),
        _ => {
            return Err(bad(
                "Exactly one of directoryScopeId and appScopeId must be set.",
            ));
        }
    };
    let mut exchange = tenant.exchange.lock();
    if let rbac::AssignmentScope::Custom(scope_id) = &scope
        && !exchange
            .scopes
            .iter()
            .any(|s| s.id.eq_ignore_ascii_case(scope_id))
    {
        return Err(not_found(scope_id));
    }
    let name = rbac::unique_name(
        &exchange.assignments,
        &format!("{}-{}", rbac::role_name(role), principal.1),
    );
    let assignment = rbac::RoleAssignment {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        role_id: role.id().to_string(),
        principal_id: principal.0,
        scope,
    };
    ensure_exchange_pointer(&tenant, &mut exchange.service_principals, &assignment.principal_id);
    let json = assignment.to_graph();
    exchange.assignments.push(assignment);
    Ok(created("beta", "roleManagement/exchange/roleAssignments", json).into_response())
}

/// An assignment made through Graph needs no `New-ServicePrincipal` first: Exchange keeps its
/// own pointer to the Entra service principal, so `Get-ServicePrincipal` and
/// `Test-ServicePrincipalAuthorization` see the app afterwards [inferred: Graph's provider is a
/// front for Exchange RBAC, which only assigns roles to pointers].
fn ensure_exchange_pointer(tenant: &Tenant, pointers: &mut Vec<rbac::ExoServicePrincipal>, object_id: &str) {
    if pointers.iter().any(|p| p.object_id.eq_ignore_ascii_case(object_id)) {
        return;
    }
    let directory = tenant.directory.lock();
    if let Some(sp) = directory.service_principals.iter().find(|s| s.id.eq_ignore_ascii_case(object_id)) {
        pointers.push(rbac::ExoServicePrincipal { object_id: sp.id.clone(), app_id: sp.app_id.clone(), display_name: sp.display_name.clone() });
    }
}

/// `/ServicePrincipals/{id}` naming a replicated service principal: (object id, display name).
fn principal_of(
    tenant: &Tenant,
    body: &Map<String, Value>,
) -> Result<(String, String), GraphError> {
    let principal = string_field(body, "principalId", "UnifiedRoleAssignment")?
        .ok_or_else(|| invalid_property("principalId", "UnifiedRoleAssignment"))?;
    let id = principal
        .get(..19)
        .filter(|prefix| prefix.eq_ignore_ascii_case("/ServicePrincipals/"))
        .map(|_| &principal[19..])
        .ok_or_else(|| bad(format!("The principalId '{principal}' isn't valid for the Exchange provider; use '/ServicePrincipals/{{servicePrincipal id}}'.")))?;
    let directory = tenant.directory.lock();
    let sp = directory
        .visible_service_principal(id, Instant::now())
        .ok_or_else(|| not_found(id))?;
    Ok((sp.id.clone(), sp.display_name.clone()))
}

/// `/`, `/users/{id}`, `/groups/{id}` or `/administrativeUnits/{id}` (any case), naming an
/// existing object.
fn directory_scope_of(tenant: &Tenant, text: &str) -> Result<rbac::AssignmentScope, GraphError> {
    if text == "/" {
        return Ok(rbac::AssignmentScope::Organization);
    }
    let (kind, id) = text
        .trim_start_matches('/')
        .split_once('/')
        .ok_or_else(|| bad(format!("The directoryScopeId '{text}' isn't valid.")))?;
    let directory = tenant.directory.lock();
    let (exists, scope) = match kind.to_ascii_lowercase().as_str() {
        "users" => (
            tenant.user(id).is_some(),
            rbac::AssignmentScope::User(tenant.user(id).map_or(id.to_string(), |u| u.id.clone())),
        ),
        "groups" => (
            directory.group(id).is_some(),
            rbac::AssignmentScope::Group(id.to_string()),
        ),
        "administrativeunits" => (
            directory.unit(id).is_some(),
            rbac::AssignmentScope::AdministrativeUnit(id.to_string()),
        ),
        _ => return Err(bad(format!("The directoryScopeId '{text}' isn't valid."))),
    };
    if exists {
        Ok(scope)
    } else {
        Err(not_found(id))
    }
}

pub async fn delete_assignment(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, WRITE)?;
    let mut exchange = tenant.exchange.lock();
    let at = position_of(&exchange.assignments, &id, |a| &a.id)?;
    exchange.assignments.remove(at);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_scopes(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, READ)?;
    let items: Vec<Value> = tenant
        .exchange
        .lock()
        .scopes
        .iter()
        .map(rbac::ManagementScope::to_graph)
        .collect();
    collection_page(
        items,
        raw.as_deref(),
        &headers,
        "beta",
        "roleManagement/exchange/customAppScopes",
    )
}

pub async fn get_scope(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, READ)?;
    let exchange = tenant.exchange.lock();
    let at = position_of(&exchange.scopes, &id, |s| &s.id)?;
    Ok(Json(exchange.scopes[at].to_graph()))
}

/// `POST …/customAppScopes {type:"RecipientScope", displayName, customAttributes:{Exclusive,
/// RecipientFilter}}`.
pub async fn create_scope(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, WRITE)?;
    let body = json_object(&body)?;
    let kind =
        string_field(&body, "type", "CustomAppScope")?.unwrap_or_else(|| "RecipientScope".into());
    if kind != "RecipientScope" {
        return Err(invalid_property("type", "CustomAppScope"));
    }
    let name = string_field(&body, "displayName", "CustomAppScope")?
        .filter(|n| !n.trim().is_empty() && n.chars().count() <= 64)
        .ok_or_else(|| invalid_property("displayName", "CustomAppScope"))?;
    let attributes = body
        .get("customAttributes")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid_property("customAttributes", "CustomAppScope"))?;
    let filter_text = attributes
        .get("RecipientFilter")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_property("customAttributes", "CustomAppScope"))?
        .to_string();
    let exclusive = match attributes.get("Exclusive") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid_property("customAttributes", "CustomAppScope")),
    };
    let filter = opath::parse(&filter_text).map_err(|e| bad(e.0))?;
    let mut exchange = tenant.exchange.lock();
    let json = rbac::add_scope(&mut exchange.scopes, name, filter_text, filter, exclusive)
        .map_err(bad)?
        .to_graph();
    Ok(created("beta", "roleManagement/exchange/customAppScopes", json).into_response())
}

/// A scope an assignment uses can't be deleted (as Remove-ManagementScope refuses it).
pub async fn delete_scope(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = open(&state, &headers, &version, WRITE)?;
    let mut exchange = tenant.exchange.lock();
    let at = position_of(&exchange.scopes, &id, |s| &s.id)?;
    let scope_id = exchange.scopes[at].id.clone();
    if exchange
        .assignments
        .iter()
        .any(|a| a.scope == rbac::AssignmentScope::Custom(scope_id.clone()))
    {
        return Err(bad(format!(
            "The management scope \"{}\" can't be removed because role assignments use it.",
            exchange.scopes[at].name
        )));
    }
    exchange.scopes.remove(at);
    Ok(StatusCode::NO_CONTENT)
}
