//! Microsoft Graph routes: bearer-token checks, then the resources.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::token::GRAPH_AUDIENCE;
use crate::graph_error::GraphError;
use crate::odata;
use crate::state::{IssuedToken, Tenant};

type Answer = Result<Json<Value>, GraphError>;

/// Checks the bearer token as Graph does and returns what it grants.
pub fn authorize(state: &Shared, headers: &HeaderMap, any_role: &[&str]) -> Result<(IssuedToken, Arc<Tenant>), GraphError> {
    let (token, tenant) = authenticate(state, headers)?;
    if !any_role.iter().any(|r| token.roles.iter().any(|g| g == r)) {
        return Err(GraphError::new(StatusCode::FORBIDDEN, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
    }
    Ok((token, tenant))
}

/// Checks only that the bearer token is a valid Graph token: mailbox routes leave what it may
/// reach to [`crate::access`], where RBAC for Applications can grant without an Entra role.
pub fn authenticate(state: &Shared, headers: &HeaderMap) -> Result<(IssuedToken, Arc<Tenant>), GraphError> {
    let unauthorized = |message: &str| GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| unauthorized("Access token is empty."))?;
    let token = state.token(value).ok_or_else(|| unauthorized("Access token validation failure. Invalid signature."))?;
    if token.expires_at <= Instant::now() {
        return Err(unauthorized("Lifetime validation failed, the token is expired."));
    }
    if token.audience != GRAPH_AUDIENCE {
        return Err(unauthorized("Access token validation failure. Invalid audience."));
    }
    let tenant = state.tenant_by_id(&token.tenant_id).cloned().expect("tokens are issued for seeded tenants");
    Ok((token, tenant))
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(rename = "$filter")]
    filter: Option<String>,
}

/// `GET /beta/roleManagement/exchange/roleDefinitions` (beta only, as in real Graph).
pub async fn role_definitions(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Answer {
    if version != "beta" {
        return Err(segment_not_found("exchange"));
    }
    let (_, tenant) = authorize(
        &state,
        &headers,
        &["RoleManagement.Read.Exchange", "RoleManagement.ReadWrite.Exchange", "RoleManagement.Read.All"],
    )?;
    let filter = query.filter.as_deref().map(odata::parse_filter).transpose()?.unwrap_or_default();
    let value: Vec<Value> =
        tenant.role_definitions.iter().map(|d| d.0.clone()).filter(|d| odata::matches(d, &filter)).collect();
    Ok(Json(json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#roleManagement/exchange/roleDefinitions",
        "value": value,
    })))
}

/// Any other path under a version: Graph's answer for a segment it does not know.
pub async fn unknown_segment(Path((_version, rest)): Path<(String, String)>) -> GraphError {
    let first = rest.split('/').next().unwrap_or_default().to_string();
    segment_not_found(&first)
}

fn segment_not_found(segment: &str) -> GraphError {
    GraphError::bad_request(format!("Resource not found for the segment '{segment}'."))
}
