//! `New-ExchangeApp`: an application, its service principal and a client secret, ready for
//! Exchange role assignments. Seed 003 does this with four Graph cmdlets and a fixed
//! `Start-Sleep 20`; here each step waits for replication only as long as it takes, and
//! rerunning with the same name finds the app instead of making a second one.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::assignments::{self, Assignment, ScopeRequest, needs_permission};
use super::directory::{self, ServicePrincipal, decode, get_optional};
use super::names::{Named, odata_literal, single};
use super::replication::wait_until_readable;
use crate::auth::Secret;
use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;
use crate::ops::{self, Record};
use crate::session;

const WRITE_APPS: &str = "Application.ReadWrite.All";

/// `New-ExchangeApp`'s inputs.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub display_name: String,
    /// Role names or ids to assign, each on `scope`.
    pub roles: Vec<String>,
    pub scope: ScopeRequest,
    pub secret_lifetime: Duration,
    /// A certificate (base64 DER, public part only) to register instead of adding a secret.
    pub certificate: Option<String>,
    /// Create another app even when one has this name.
    pub force: bool,
    /// How long to wait for replication before giving up.
    pub replication_budget: Duration,
}

/// What `New-ExchangeApp` made (or found).
#[derive(Debug, Clone)]
pub struct AppCreated {
    pub display_name: String,
    pub app_id: String,
    pub object_id: String,
    pub service_principal_id: String,
    pub tenant_id: String,
    /// `false` when an existing app of that name was reused.
    pub created: bool,
    /// `ClientSecret` or `Certificate` (what was added), `None` for a reused app.
    pub credential: &'static str,
    pub secret_expires_on: Option<DateTime<Utc>>,
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Application {
    id: String,
    app_id: String,
    #[serde(default)]
    display_name: String,
}

/// The application of that display name, if exactly one; several is an error listing them.
async fn existing_app(graph: &GraphClient, name: &str) -> Result<Option<Application>> {
    let filter = format!("displayName eq {}", odata_literal(name));
    let found: Vec<Application> = graph
        .list(Version::V1, "/applications", &[("$filter", filter.as_str())])
        .await
        .map_err(|e| needs_permission(e, WRITE_APPS, "Reading app registrations"))?;
    if found.is_empty() {
        return Ok(None);
    }
    let candidates = found.iter().map(|a| Named::new(&a.app_id, &a.display_name)).collect();
    let one = single("DisplayName", "app registration", name, candidates)
        .map_err(|e| match e {
            ExoError::InvalidArgument { parameter, message } => {
                ExoError::InvalidArgument { parameter, message: format!("{message}, or pass -Force to create another") }
            }
            other => other,
        })?;
    Ok(found.into_iter().find(|a| a.app_id == one.id))
}

/// The registration; with a certificate, its public key goes in `keyCredentials` (Graph checks it
/// is an X.509 certificate), and the app signs in with assertions made by the private key.
async fn create_app(graph: &GraphClient, name: &str, certificate: Option<&str>) -> Result<Application> {
    let url = graph.url(Version::V1, "/applications", &[]);
    let mut body = json!({"displayName": name, "signInAudience": "AzureADMyOrg"});
    if let Some(der) = certificate {
        body["keyCredentials"] = json!([{"type": "AsymmetricX509Cert", "usage": "Verify", "key": der, "displayName": "ExoKit"}]);
    }
    let answer = graph
        .send(Method::Post, url, Some(&body))
        .await
        .map_err(|e| needs_permission(e, WRITE_APPS, "Creating an app registration"))?;
    decode(answer, "applications")
}

/// The app's service principal, created when it has none.
async fn ensure_service_principal(graph: &GraphClient, app: &Application) -> Result<ServicePrincipal> {
    let path = format!("/servicePrincipals(appId='{}')", app.app_id);
    if let Some(found) = get_optional(graph, Version::V1, &path, &[]).await? {
        return decode(found, "servicePrincipals");
    }
    let url = graph.url(Version::V1, "/servicePrincipals", &[]);
    let answer = graph
        .send(Method::Post, url, Some(&json!({"appId": app.app_id})))
        .await
        .map_err(|e| needs_permission(e, WRITE_APPS, "Creating a service principal"))?;
    decode(answer, "servicePrincipals")
}

/// Adds a client secret; its text goes straight into a [`Secret`] and out of the JSON.
async fn add_secret(graph: &GraphClient, app: &Application, lifetime: Duration) -> Result<(Secret, DateTime<Utc>)> {
    let end = Utc::now() + chrono::Duration::from_std(lifetime).map_err(|_| ExoError::invalid_argument("SecretLifetime", "is too long"))?;
    let body = json!({"passwordCredential": {"displayName": "ExoKit", "endDateTime": end.to_rfc3339()}});
    let url = graph.url(Version::V1, &format!("/applications/{}/addPassword", segment(&app.id)), &[]);
    let mut answer = graph
        .send(Method::Post, url.clone(), Some(&body))
        .await
        .map_err(|e| needs_permission(e, WRITE_APPS, "Adding a client secret"))?;
    let text = match answer.get_mut("secretText").map(serde_json::Value::take) {
        Some(serde_json::Value::String(text)) if !text.is_empty() => Secret::new(text),
        _ => return Err(ExoError::Protocol { url: url.to_string(), message: "addPassword returned no secretText".into() }),
    };
    let expires = answer["endDateTime"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map_or(end, |t| t.with_timezone(&Utc));
    Ok((text, expires))
}

fn check(request: &NewApp) -> Result<()> {
    if request.display_name.trim().is_empty() {
        return Err(ExoError::invalid_argument("DisplayName", "is empty"));
    }
    // The C# layer sends the certificate's DER as base64; Graph checks it is a certificate.
    let base64 = |c: char| c.is_ascii_alphanumeric() || "+/=".contains(c);
    if request.certificate.as_deref().is_some_and(|der| der.is_empty() || !der.chars().all(base64)) {
        return Err(ExoError::invalid_argument("Certificate", "is not a certificate's base64 DER"));
    }
    if request.secret_lifetime < Duration::from_secs(3600) || request.secret_lifetime > Duration::from_secs(2 * 366 * 86400) {
        return Err(ExoError::invalid_argument("SecretLifetime", "must be between one hour and two years"));
    }
    Ok(())
}

/// `New-ExchangeApp`. The secret is handed over with [`ops::secret`] just before the record,
/// never inside it.
pub async fn new_app(request: NewApp) -> Result<()> {
    check(&request)?;
    let session = session::current()?;
    let graph = &session.graph;
    let name = request.display_name.trim();
    // Resolve every role first: a typo must fail before anything is created.
    let roles = directory::roles(graph).await?;
    let chosen: Vec<_> = request.roles.iter().map(|r| directory::role(&roles, "Role", r)).collect::<Result<_>>()?;
    let (scope, scope_name) = assignments::resolve_scope(graph, &request.scope).await?;

    ops::progress("New-ExchangeApp", format!("Looking for app '{name}'"), None);
    let reused = if request.force { None } else { existing_app(graph, name).await? };
    let created = reused.is_none();
    let app = match reused {
        Some(app) => {
            ops::warning(format!("App '{name}' exists (appId {}); it is reused and gets no new secret. Use -Force to create another app of that name.", app.app_id));
            app
        }
        None => {
            ops::progress("New-ExchangeApp", format!("Creating app '{name}'"), None);
            let app = create_app(graph, name, request.certificate.as_deref()).await?;
            wait_until_readable(graph, &format!("/applications/{}", app.id), "The new application", request.replication_budget).await?;
            app
        }
    };
    let sp = ensure_service_principal(graph, &app).await?;
    let wants_secret = created && request.certificate.is_none();
    let secret = if wants_secret { Some(add_secret(graph, &app, request.secret_lifetime).await?) } else { None };
    let credential = match (created, request.certificate.is_some()) {
        (false, _) => "None",
        (true, true) => "Certificate",
        (true, false) => "ClientSecret",
    };
    ops::progress("New-ExchangeApp", "Waiting for the service principal to replicate", None);
    wait_until_readable(graph, &format!("/servicePrincipals/{}", sp.id), "The new service principal", request.replication_budget).await?;

    let mut made = Vec::new();
    for role in chosen {
        ops::progress("New-ExchangeApp", format!("Assigning '{}' on {scope_name}", role.display_name), None);
        made.push(assignments::create(graph, &sp, role, &scope, &scope_name).await?.0);
    }
    let expires = secret.as_ref().map(|(_, at)| *at);
    if let Some((text, _)) = secret {
        ops::secret(text);
    }
    ops::record(Record::App(AppCreated {
        display_name: app.display_name,
        app_id: app.app_id,
        object_id: app.id,
        service_principal_id: sp.id,
        tenant_id: session.tenant_id.clone(),
        created,
        credential,
        secret_expires_on: expires,
        assignments: made,
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(lifetime: Duration) -> NewApp {
        NewApp {
            display_name: "Reader".into(),
            roles: vec![],
            scope: ScopeRequest::Tenant,
            secret_lifetime: lifetime,
            certificate: None,
            force: false,
            replication_budget: Duration::from_secs(1),
        }
    }

    #[test]
    fn secret_lifetimes_are_bounded() {
        assert!(check(&request(Duration::from_secs(180 * 86400))).is_ok());
        let short = check(&request(Duration::from_secs(60))).unwrap_err().to_string();
        assert!(short.contains("SecretLifetime"), "{short}");
        assert!(check(&request(Duration::from_secs(3 * 366 * 86400))).is_err());
    }

    #[test]
    fn an_empty_name_is_refused() {
        let mut r = request(Duration::from_secs(86400));
        r.display_name = "  ".into();
        assert!(check(&r).unwrap_err().to_string().contains("DisplayName"));
    }
}
