//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant with a client secret, with
//! the identity platform's AADSTS errors.

use std::time::Instant;

use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::Shared;
use crate::state::IssuedToken;

/// The resources a token can be issued for, by the scope's host.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
pub const EXCHANGE_AUDIENCE: &str = "https://outlook.office365.com";

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    client_secret: Option<String>,
}

pub async fn issue(State(state): State<Shared>, Path(tenant): Path<String>, Form(form): Form<TokenForm>) -> Response {
    match check(&state, &tenant, form) {
        Ok(token) => token,
        Err(refusal) => refusal.into_response(),
    }
}

fn check(state: &Shared, tenant_name: &str, form: TokenForm) -> Result<Response, Refusal> {
    let grant = form.grant_type.ok_or_else(|| Refusal::missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", 70003, format!("The app requested an unsupported grant type '{grant}'.")));
    }
    let client_id = form.client_id.ok_or_else(|| Refusal::missing("client_id"))?;
    let scope = form.scope.ok_or_else(|| Refusal::missing("scope"))?;
    let tenant = state.tenant(tenant_name).ok_or_else(|| {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", 90002, format!("Tenant '{tenant_name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."))
    })?;
    let app = tenant.apps.iter().find(|a| a.app_id.eq_ignore_ascii_case(&client_id)).ok_or_else(|| {
        Refusal::new(StatusCode::BAD_REQUEST, "unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory '{}'.", tenant.domain))
    })?;
    let secret = form.client_secret.ok_or_else(|| Refusal::missing("client_secret"))?;
    if !app.secrets.iter().any(|s| s == &secret) {
        return Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid_client", 7000215, format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", app.app_id)));
    }
    let audience = audience_of(&scope).ok_or_else(|| {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."))
    })?;
    let lifetime = state.token_lifetime();
    let value = state.issue(IssuedToken {
        tenant_id: tenant.id.clone(),
        app_id: app.app_id.clone(),
        roles: app.roles.clone(),
        audience: audience.to_string(),
        expires_at: Instant::now() + lifetime,
    });
    let seconds = lifetime.as_secs();
    Ok(Json(json!({"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": value})).into_response())
}

/// Any Graph or Exchange host's `.default` scope maps to its audience, so custom clouds (this
/// sandbox among them) work with the scope their own endpoint gives.
fn audience_of(scope: &str) -> Option<&'static str> {
    let resource = scope.strip_suffix("/.default")?;
    if resource.contains("outlook") {
        Some(EXCHANGE_AUDIENCE)
    } else if resource.starts_with("http://") || resource.starts_with("https://") {
        Some(GRAPH_AUDIENCE)
    } else {
        None
    }
}

/// An OAuth2 error answer with an AADSTS code.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
}

impl Refusal {
    fn new(status: StatusCode, error: &'static str, code: u32, description: String) -> Self {
        Refusal { status, error, code, description }
    }

    fn missing(parameter: &str) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", 900144, format!("The request body must contain the following parameter: '{parameter}'."))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let trace = uuid::Uuid::new_v4();
        let now = chrono::Utc::now();
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {}Z",
            self.code,
            self.description,
            now.format("%Y-%m-%d %H:%M:%S%.3f")
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace.to_string(),
            "correlation_id": trace.to_string(),
        });
        (self.status, Json(body)).into_response()
    }
}
