//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant with a client secret, a
//! certificate-signed client assertion or a federated token (see [`crate::federated`]), with the
//! identity platform's AADSTS errors. Nothing the client sends as a credential is ever echoed,
//! logged or kept.

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use crate::aad_error::AadError;
use crate::client_assertion::{self, Expected, JWT_BEARER};
use crate::listen::Connection;
use crate::seed::AppSeed;
use crate::state::{IssuedToken, Tenant};

/// The resources a token can be issued for, by the scope's host.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
pub const EXCHANGE_AUDIENCE: &str = "https://outlook.office365.com";

/// The form fields, first value of each. Unknown fields are ignored, as the service does.
struct TokenForm(HashMap<String, String>);

impl TokenForm {
    /// A body that is not a form reads as an empty one, so the client learns which parameter
    /// is missing, as the service answers a JSON body.
    fn parse(headers: &HeaderMap, body: &[u8]) -> TokenForm {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let pairs: Vec<(String, String)> = if is_form {
            serde_urlencoded::from_bytes(body).unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut fields = HashMap::new();
        for (name, value) in pairs {
            fields.entry(name).or_insert(value);
        }
        TokenForm(fields)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, AadError> {
        self.get(name).ok_or_else(|| AadError::missing(name))
    }
}

/// Where the request was addressed, for the assertion's `aud`.
struct Endpoint<'a> {
    tenant_in_path: &'a str,
    host: Option<&'a str>,
    /// `None` for a request dispatched in process (no connection): either scheme.
    tls: Option<bool>,
}

pub async fn issue(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    connection: Option<Extension<Connection>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = TokenForm::parse(&headers, &body);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let endpoint = Endpoint {
        tenant_in_path: &tenant,
        host,
        tls: connection.map(|Extension(c)| c.tls),
    };
    match check(&state, &endpoint, &form) {
        Ok(token) => token,
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET` on the token endpoint.
pub async fn wrong_method() -> AadError {
    AadError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        900561,
        "The endpoint only accepts POST requests. Received a GET request.",
    )
}

fn check(state: &Shared, endpoint: &Endpoint<'_>, form: &TokenForm) -> Result<Response, AadError> {
    let grant = form.require("grant_type")?;
    if grant != "client_credentials" {
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let client_id = form.require("client_id")?;
    let scope = form.require("scope")?;
    let tenant_name = endpoint.tenant_in_path;
    let tenant = state.tenant(tenant_name).ok_or_else(|| {
        AadError::new(StatusCode::BAD_REQUEST, "invalid_request", 90002, format!("Tenant '{tenant_name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."))
    })?;
    let app = registered_app(tenant, client_id).ok_or_else(|| {
        AadError::new(StatusCode::BAD_REQUEST, "unauthorized_client", 700016, format!("Application with identifier '{client_id}' was not found in the directory '{}'.", tenant.domain))
    })?;
    let app = &app;
    authenticate(app, tenant, endpoint, form)?;
    let audience = audience_of(scope).ok_or_else(|| {
        AadError::new(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."))
    })?;
    let lifetime = state.token_lifetime();
    let value = state.issue(IssuedToken {
        tenant_id: tenant.id.clone(),
        app_id: app.app_id.clone(),
        roles: tenant.directory.lock().granted_roles(&app.app_id, &app.roles),
        audience: audience.to_string(),
        expires_at: Instant::now() + lifetime,
    });
    let seconds = lifetime.as_secs();
    Ok(Json(json!({"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": value})).into_response())
}

/// Checks the one credential the form carries: a client secret or a client assertion.
fn authenticate(
    app: &AppSeed,
    tenant: &Tenant,
    endpoint: &Endpoint<'_>,
    form: &TokenForm,
) -> Result<(), AadError> {
    match (form.get("client_secret"), form.get("client_assertion")) {
        (Some(_), Some(_)) => Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )),
        (Some(secret), None) => check_secret(app, tenant, secret),
        (None, Some(assertion)) => {
            match form.get("client_assertion_type") {
                None => return Err(AadError::missing("client_assertion_type")),
                Some(JWT_BEARER) => {}
                Some(_) => {
                    return Err(AadError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        90011,
                        "Unexpected client assertion type.",
                    ));
                }
            }
            if crate::federated::is_federated(assertion, &app.app_id) {
                return crate::federated::verify(assertion, app);
            }
            let expected = Expected {
                client_id: &app.app_id,
                audiences: audiences(tenant, endpoint),
                now: chrono::Utc::now(),
            };
            client_assertion::verify(assertion, app, &expected)
        }
        (None, None) => Err(AadError::invalid_client(
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
    }
}

/// The seeded app `client_id`, or else an application registered through Graph (which holds
/// no application permission: its token's `roles` are empty, and only RBAC for Applications
/// can give it mailbox access).
fn registered_app(tenant: &Tenant, client_id: &str) -> Option<AppSeed> {
    if let Some(seeded) = tenant.apps.iter().find(|a| a.app_id.eq_ignore_ascii_case(client_id)) {
        return Some(seeded.clone());
    }
    let directory = tenant.directory.lock();
    let registered = directory.applications.iter().find(|a| a.app_id.eq_ignore_ascii_case(client_id) && a.visible(Instant::now()))?;
    Some(AppSeed {
        app_id: registered.app_id.clone(),
        display_name: registered.display_name.clone(),
        secrets: Vec::new(),
        roles: Vec::new(),
        certificates: registered.certificates.iter().map(|c| c.der_base64.clone()).collect(),
        federated_credentials: Vec::new(),
        managed_identity: None,
    })
}

/// A seeded secret, or one added with `addPassword` and not expired.
fn check_secret(app: &AppSeed, tenant: &Tenant, secret: &str) -> Result<(), AadError> {
    if app.secrets.iter().any(|s| s == secret) || tenant.directory.secret_matches(&app.app_id, secret) {
        return Ok(());
    }
    Err(AadError::invalid_client(
        7000215,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
            app.app_id
        ),
    ))
}

/// The URLs this token endpoint answers as: the host the client used, the scheme it came by,
/// and the tenant by the name in the path, its id or its domain.
fn audiences(tenant: &Tenant, endpoint: &Endpoint<'_>) -> Vec<String> {
    let Some(host) = endpoint.host else {
        return Vec::new();
    };
    let schemes: &[&str] = match endpoint.tls {
        Some(true) => &["https"],
        Some(false) => &["http"],
        None => &["http", "https"],
    };
    let names = [
        endpoint.tenant_in_path,
        tenant.id.as_str(),
        tenant.domain.as_str(),
    ];
    schemes
        .iter()
        .flat_map(|scheme| {
            names
                .iter()
                .map(move |name| format!("{scheme}://{host}/{name}/oauth2/v2.0/token"))
        })
        .collect()
}

/// The audience of a managed identity's `resource` (a scope without `/.default`).
pub fn audience_of_resource(resource: &str) -> Option<&'static str> {
    audience_of(&format!("{}/.default", resource.trim_end_matches('/')))
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
