//! `/applications`, `addPassword` and `/servicePrincipals`. A new application or service
//! principal is invisible for the replication lag: reading it answers 404
//! `Request_ResourceNotFound`, and creating a service principal for a new application answers
//! 400 "does not reference a valid application object" (graph-api.md §2).

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::super::Shared;
use super::super::graph::authorize;
use super::{
    alternate_key, collection_page, created, invalid_property, json_object, missing, not_found,
    request_bad, string_field,
};
use crate::directory::{Application, DirectoryData, KeyCredential, PasswordCredential, ServicePrincipal};
use crate::graph_error::GraphError;

const READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"];

/// Properties a create may set; the sandbox stores `displayName` and `description` and accepts
/// the others.
const APPLICATION_PROPERTIES: &[&str] = &[
    "displayName",
    "description",
    "signInAudience",
    "notes",
    "tags",
    "requiredResourceAccess",
    "web",
    "api",
    "spa",
    "publicClient",
    "identifierUris",
    "info",
    "isFallbackPublicClient",
    "keyCredentials",
];

pub async fn list(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let now = Instant::now();
    let items: Vec<Value> = tenant
        .directory
        .lock()
        .applications
        .iter()
        .filter(|a| a.visible(now))
        .map(|a| a.to_json(&tenant.domain))
        .collect();
    collection_page(items, raw.as_deref(), &headers, &version, "applications")
}

/// The application `pick` chooses, if it has replicated by `now`.
fn visible_app(
    directory: &DirectoryData,
    now: Instant,
    pick: impl Fn(&Application) -> bool,
) -> Option<&Application> {
    directory
        .applications
        .iter()
        .find(|a| pick(a) && a.visible(now))
}

pub async fn get_one(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let now = Instant::now();
    let directory = tenant.directory.lock();
    let app = visible_app(&directory, now, |a| a.id.eq_ignore_ascii_case(&id))
        .ok_or_else(|| missing(&id))?;
    Ok(Json(app.to_json(&tenant.domain)))
}

pub async fn get_by_app_id(
    State(state): State<Shared>,
    Path((_version, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let app_id = alternate_key(&key)?;
    let now = Instant::now();
    let directory = tenant.directory.lock();
    let app = visible_app(&directory, now, |a| a.app_id.eq_ignore_ascii_case(&app_id))
        .ok_or_else(|| not_found(&app_id))?;
    Ok(Json(app.to_json(&tenant.domain)))
}

pub async fn create(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let body = json_object(&body)?;
    if let Some(unknown) = body
        .keys()
        .find(|k| !k.starts_with('@') && !APPLICATION_PROPERTIES.contains(&k.as_str()))
    {
        return Err(request_bad(format!("Property '{unknown}' is invalid.")));
    }
    let display_name = string_field(&body, "displayName", "Application")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid_property("displayName", "Application"))?;
    let mut app = Application::new(display_name, tenant.directory.visible_at());
    app.description = string_field(&body, "description", "Application")?;
    app.certificates = key_credentials(&body)?;
    let json = app.to_json(&tenant.domain);
    tenant.directory.lock().applications.push(app);
    Ok(created(&version, "applications", json).into_response())
}

/// `keyCredentials` of a create: X.509 certificates (`AsymmetricX509Cert`, `Verify`), each
/// `key` the base64 DER of a certificate that parses.
fn key_credentials(body: &Map<String, Value>) -> Result<Vec<KeyCredential>, GraphError> {
    use base64::Engine;
    let items = match body.get("keyCredentials") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid_property("keyCredentials", "Application")),
    };
    items
        .iter()
        .map(|item| {
            let bad = || request_bad("Invalid value specified for property 'key' of resource 'KeyCredential'.");
            let text = |name: &str| item.get(name).and_then(Value::as_str);
            if text("type") != Some("AsymmetricX509Cert") || text("usage") != Some("Verify") {
                return Err(request_bad("Only keyCredentials of type AsymmetricX509Cert with usage Verify are supported."));
            }
            let der_base64: String = text("key").ok_or_else(bad)?.split_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD.decode(&der_base64).map_err(|_| bad())?;
            let certificate = rustls_pki_types::CertificateDer::from(der.as_slice());
            webpki::EndEntityCert::try_from(&certificate).map_err(|_| bad())?;
            let now = Utc::now();
            Ok(KeyCredential {
                key_id: uuid::Uuid::new_v4().to_string(),
                display_name: text("displayName").map(str::to_string),
                thumbprint: ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der).as_ref().to_vec(),
                der_base64,
                start: now,
                end: now + chrono::Duration::days(365),
            })
        })
        .collect()
}

/// Deleting an application deletes its service principals too, and with them Exchange's
/// pointers and role assignments.
pub async fn delete(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let now = Instant::now();
    let removed_principals = {
        let mut directory = tenant.directory.lock();
        let at = directory
            .applications
            .iter()
            .position(|a| a.id.eq_ignore_ascii_case(&id) && a.visible(now))
            .ok_or_else(|| missing(&id))?;
        let app = directory.applications.remove(at);
        let ids: Vec<String> = directory.service_principal_ids_of(&app.app_id);
        directory
            .service_principals
            .retain(|s| !s.app_id.eq_ignore_ascii_case(&app.app_id));
        ids
    };
    for principal in removed_principals {
        tenant.exchange.forget_service_principal(&principal);
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn add_password(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    add_password_to(
        &state,
        &headers,
        &body,
        |a| a.id.eq_ignore_ascii_case(&id),
        &id,
    )
}

pub async fn add_password_by_app_id(
    State(state): State<Shared>,
    Path((_version, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let app_id = alternate_key(&key)?;
    add_password_to(
        &state,
        &headers,
        &body,
        |a| a.app_id.eq_ignore_ascii_case(&app_id),
        &app_id,
    )
}

/// `addPassword`: an optional `{"passwordCredential":{"displayName","endDateTime"}}`; answers
/// 200 with the credential, its `secretText` shown this once.
fn add_password_to(
    state: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
    pick: impl Fn(&Application) -> bool,
    id: &str,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(state, headers, WRITE)?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        json_object(body)?
    };
    let credential = match body.get("passwordCredential") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(c)) => c.clone(),
        Some(_) => return Err(invalid_property("passwordCredential", "PasswordCredential")),
    };
    if let Some(unknown) = body.keys().find(|k| *k != "passwordCredential") {
        return Err(request_bad(format!("Property '{unknown}' is invalid.")));
    }
    let display_name = string_field(&credential, "displayName", "PasswordCredential")?;
    let end = string_field(&credential, "endDateTime", "PasswordCredential")?
        .map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| invalid_property("endDateTime", "PasswordCredential"))
        })
        .transpose()?;
    if end.is_some_and(|e| e <= Utc::now()) {
        return Err(invalid_property("endDateTime", "PasswordCredential"));
    }
    let now = Instant::now();
    let mut directory = tenant.directory.lock();
    let app = directory
        .applications
        .iter_mut()
        .find(|a| pick(a) && a.visible(now))
        .ok_or_else(|| missing(id))?;
    let secret = PasswordCredential::generate(display_name, end);
    let mut answer = secret.to_json(true);
    answer["@odata.context"] =
        json!("https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential");
    app.passwords.push(secret);
    Ok(Json(answer))
}

pub async fn list_principals(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let now = Instant::now();
    let items: Vec<Value> = tenant
        .directory
        .lock()
        .service_principals
        .iter()
        .filter(|s| s.visible(now))
        .map(|s| s.to_json(&tenant.id))
        .collect();
    collection_page(
        items,
        raw.as_deref(),
        &headers,
        &version,
        "servicePrincipals",
    )
}

pub async fn get_principal(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let directory = tenant.directory.lock();
    let sp = directory
        .visible_service_principal(&id, Instant::now())
        .ok_or_else(|| missing(&id))?;
    Ok(Json(sp.to_json(&tenant.id)))
}

pub async fn get_principal_by_app_id(
    State(state): State<Shared>,
    Path((_version, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, GraphError> {
    let (_, tenant) = authorize(&state, &headers, READ)?;
    let app_id = alternate_key(&key)?;
    // Microsoft Graph and Exchange Online: the resource principals whose appRoles name permissions.
    if let Some(resource) = crate::directory::grants::resource_principal_json(&app_id, &tenant.id) {
        return Ok(Json(resource));
    }
    let now = Instant::now();
    let directory = tenant.directory.lock();
    let sp = directory
        .service_principals
        .iter()
        .find(|s| s.app_id.eq_ignore_ascii_case(&app_id) && s.visible(now))
        .ok_or_else(|| not_found(&app_id))?;
    Ok(Json(sp.to_json(&tenant.id)))
}

/// `POST /servicePrincipals {"appId"}`: the application must be visible; one principal per app.
pub async fn create_principal(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    let body = json_object(&body)?;
    let app_id = string_field(&body, "appId", "ServicePrincipal")?
        .ok_or_else(|| invalid_property("appId", "ServicePrincipal"))?;
    let now = Instant::now();
    let mut directory = tenant.directory.lock();
    let app = visible_app(&directory, now, |a| a.app_id.eq_ignore_ascii_case(&app_id))
        .ok_or_else(|| request_bad(format!("The appId '{app_id}' of the service principal does not reference a valid application object.")))?;
    if directory
        .service_principals
        .iter()
        .any(|s| s.app_id.eq_ignore_ascii_case(&app_id))
    {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        ));
    }
    let sp = ServicePrincipal::new(app, tenant.directory.visible_at());
    let json = sp.to_json(&tenant.id);
    directory.service_principals.push(sp);
    Ok(created(&version, "servicePrincipals", json).into_response())
}

pub async fn delete_principal(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, GraphError> {
    let (_, tenant) = authorize(&state, &headers, WRITE)?;
    {
        let mut directory = tenant.directory.lock();
        let sp_id = directory
            .visible_service_principal(&id, Instant::now())
            .map(|s| s.id.clone())
            .ok_or_else(|| missing(&id))?;
        directory.service_principals.retain(|s| s.id != sp_id);
    }
    tenant.exchange.forget_service_principal(&id);
    Ok(StatusCode::NO_CONTENT)
}
