//! The managed identity endpoints a process on an Azure host asks for tokens:
//!
//! - IMDS (VMs, scale sets, AKS): `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id=…]`
//!   with `Metadata: true`;
//! - App Service / Functions / Container Apps: `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]`
//!   with `X-IDENTITY-HEADER` = the value the platform puts in `IDENTITY_HEADER`
//!   (`GET /_sandbox/managed-identity` tells tests both URLs and the header value).
//!
//! Without `client_id` the system-assigned identity answers (the first app seeded with
//! `"managedIdentity": "system"`); with it, the app seeded as that identity. Answers carry
//! `expires_in`/`expires_on` as strings, as the real endpoints do.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::token::audience_of_resource;
use crate::seed::{AppSeed, ManagedIdentityKind};
use crate::state::{IssuedToken, Tenant};

pub async fn imds(State(state): State<Shared>, headers: HeaderMap, Query(query): Query<HashMap<String, String>>) -> Response {
    if headers.get("metadata").and_then(|v| v.to_str().ok()) != Some("true") {
        return refuse(StatusCode::BAD_REQUEST, "invalid_request", "Required metadata header not specified");
    }
    answer(&state, &query)
}

pub async fn app_service(State(state): State<Shared>, headers: HeaderMap, Query(query): Query<HashMap<String, String>>) -> Response {
    let given = headers.get("x-identity-header").and_then(|v| v.to_str().ok());
    if given != Some(state.identity_header.as_str()) {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "The X-IDENTITY-HEADER header is missing or wrong.");
    }
    answer(&state, &query)
}

fn answer(state: &Shared, query: &HashMap<String, String>) -> Response {
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        return refuse(StatusCode::BAD_REQUEST, "invalid_request", "Required query variable 'resource' is missing");
    };
    let Some(audience) = audience_of_resource(resource) else {
        return refuse(StatusCode::BAD_REQUEST, "invalid_resource", "AADSTS500011: The resource principal was not found.");
    };
    let Some((tenant, app)) = identity(state, query.get("client_id").map(String::as_str)) else {
        return refuse(StatusCode::BAD_REQUEST, "invalid_request", "Identity not found");
    };
    let lifetime: Duration = state.token_lifetime();
    let value = state.issue(IssuedToken {
        tenant_id: tenant.id.clone(),
        app_id: app.app_id.clone(),
        roles: app.roles.clone(),
        audience: audience.to_string(),
        expires_at: Instant::now() + lifetime,
    });
    let now = chrono::Utc::now().timestamp();
    let seconds = lifetime.as_secs() as i64;
    Json(json!({
        "access_token": value, "client_id": app.app_id, "resource": resource, "token_type": "Bearer",
        "expires_in": seconds.to_string(), "ext_expires_in": seconds.to_string(),
        "expires_on": (now + seconds).to_string(), "not_before": now.to_string(),
    }))
    .into_response()
}

/// The identity asked for: by client id, or the system-assigned one.
fn identity<'a>(state: &'a Shared, client_id: Option<&str>) -> Option<(&'a Tenant, &'a AppSeed)> {
    state.tenants.iter().find_map(|tenant| {
        tenant
            .apps
            .iter()
            .find(|app| match (client_id.filter(|c| !c.is_empty()), app.managed_identity) {
                (Some(id), Some(_)) => app.app_id.eq_ignore_ascii_case(id),
                (None, Some(ManagedIdentityKind::System)) => true,
                _ => false,
            })
            .map(|app| (tenant.as_ref(), app))
    })
}

fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}
