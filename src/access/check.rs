//! `Test-ExchangeAppAccess`: for each mailbox × permission, whether an app gets in, and why.
//!
//! Two ways to know. By default Exchange answers: `Test-ServicePrincipalAuthorization` lists the
//! app's role assignments and whether each covers the mailbox (it bypasses Exchange's permission
//! cache and, by design, ignores Entra ID application permissions). With `-Probe` ExoKit signs
//! in as the app and makes a read call Graph answers through its own access rules: the effective
//! answer, Entra grants and Application Access Policies included. The verdicts are pure
//! ([`verdict`], [`probe_path`]); this module's async functions only fetch.

use serde_json::{Value, json};

use super::directory::{self, ServicePrincipal};
use crate::auth::{Credential, Secret, TokenProvider};
use crate::error::{ExoError, Result};
use crate::exo;
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;
use crate::ops::{self, Record};
use crate::session::{self, Session};

/// The mailbox permissions an Exchange application role can grant.
pub const PERMISSIONS: &[&str] = &[
    "Calendars.Read",
    "Calendars.ReadWrite",
    "Contacts.Read",
    "Contacts.ReadWrite",
    "Mail.ReadBasic",
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
];

/// `Test-ExchangeAppAccess`'s inputs.
#[derive(Debug, Clone)]
pub struct AccessQuery {
    pub app: String,
    pub mailboxes: Vec<String>,
    /// Empty: every permission the app's Exchange roles grant.
    pub permissions: Vec<String>,
    /// Sign in as the app with this secret and make real calls.
    pub probe_secret: Option<Secret>,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessResult {
    pub app: String,
    pub app_id: String,
    pub mailbox: String,
    pub permission: String,
    /// `Granted`, `Denied` or `NotTested`.
    pub access: &'static str,
    pub reason: String,
    /// `Test-ServicePrincipalAuthorization` or `Probe`.
    pub method: &'static str,
}

/// One row of `Test-ServicePrincipalAuthorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRow {
    pub role_name: String,
    pub granted: Vec<String>,
    pub scope_name: String,
    pub scope_type: String,
    /// `None` for "Not Run" (no `-Resource`).
    pub in_scope: Option<bool>,
}

impl AuthorizationRow {
    fn from_row(row: &Value) -> AuthorizationRow {
        let text = |name: &str| row[name].as_str().unwrap_or_default().to_string();
        let in_scope = match &row["InScope"] {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        };
        AuthorizationRow {
            role_name: text("RoleName"),
            granted: text("GrantedPermissions").split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
            scope_name: text("AllowedResourceScope"),
            scope_type: text("ScopeType"),
            in_scope,
        }
    }

    fn describe(&self) -> String {
        format!("'{}' on {} ({})", self.role_name, self.scope_name, self.scope_type)
    }
}

/// A permission as the admin typed it, in its canonical spelling; unknown ones list the known.
pub fn canonical_permission(given: &str) -> Result<&'static str> {
    let given = given.trim();
    let given = match given.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("Application ") => &given[12..],
        _ => given,
    };
    PERMISSIONS.iter().copied().find(|p| p.eq_ignore_ascii_case(given)).ok_or_else(|| {
        ExoError::invalid_argument("Permission", format!("'{given}' is not a mailbox permission; use one of {}", PERMISSIONS.join(", ")))
    })
}

/// Whether holding `held` gives `wanted`: the same, or a wider one of the same resource
/// (ReadWrite ⊇ Read ⊇ ReadBasic).
pub fn implies(held: &str, wanted: &str) -> bool {
    const WIDER: &[(&str, &[&str])] = &[
        ("Calendars.ReadWrite", &["Calendars.Read"]),
        ("Contacts.ReadWrite", &["Contacts.Read"]),
        ("Mail.ReadWrite", &["Mail.Read", "Mail.ReadBasic"]),
        ("Mail.Read", &["Mail.ReadBasic"]),
        ("MailboxSettings.ReadWrite", &["MailboxSettings.Read"]),
    ];
    held.eq_ignore_ascii_case(wanted)
        || WIDER.iter().any(|(wide, narrower)| wide.eq_ignore_ascii_case(held) && narrower.iter().any(|n| n.eq_ignore_ascii_case(wanted)))
}

/// Exchange's verdict for one permission from the rows for one mailbox: granted by the first
/// in-scope row that grants it; otherwise denied, saying whether an assignment exists that
/// misses this mailbox or none grants the permission at all.
pub fn verdict(rows: &[AuthorizationRow], permission: &str) -> (&'static str, String) {
    let granting: Vec<&AuthorizationRow> = rows.iter().filter(|r| r.granted.iter().any(|g| implies(g, permission))).collect();
    if let Some(row) = granting.iter().find(|r| r.in_scope == Some(true)) {
        return ("Granted", row.describe());
    }
    const ENTRA: &str = "Entra ID application permissions are not counted here; -Probe shows the effective access";
    if granting.is_empty() {
        return ("Denied", format!("no Exchange role assignment of the app grants {permission} ({ENTRA})"));
    }
    let scopes: Vec<String> = granting.iter().map(|r| r.describe()).collect();
    ("Denied", format!("the mailbox is outside {} ({ENTRA})", scopes.join(", ")))
}

/// The read call that proves a permission, or `None` when there is none without side effects
/// (sending mail). Write permissions are proven by their read.
pub fn probe_path(permission: &str, mailbox: &str) -> Option<(String, Vec<(&'static str, &'static str)>)> {
    let user = format!("/users/{}", segment(mailbox));
    let resource = permission.split('.').next().unwrap_or_default();
    match (resource, permission) {
        (_, "Mail.Send") => None,
        ("Calendars", _) => Some((format!("{user}/calendar"), vec![])),
        ("Contacts", _) => Some((format!("{user}/contacts"), vec![("$top", "1"), ("$select", "id")])),
        ("Mail", _) => Some((format!("{user}/messages"), vec![("$top", "1"), ("$select", "id")])),
        ("MailboxSettings", _) => Some((format!("{user}/mailboxSettings"), vec![])),
        _ => None,
    }
}

/// The rows `Test-ServicePrincipalAuthorization` gives for the app (and a mailbox). An app that
/// Exchange has no pointer for holds no Exchange role: no rows.
async fn authorization_rows(session: &Session, sp: &ServicePrincipal, mailbox: Option<&str>) -> Result<Vec<AuthorizationRow>> {
    let parameters = exo::parameters([("Identity", Some(json!(sp.id))), ("Resource", mailbox.map(|m| json!(m)))]);
    match session.exo.invoke("Test-ServicePrincipalAuthorization", parameters).await {
        Ok(rows) => {
            let mut rows: Vec<AuthorizationRow> = rows.iter().map(AuthorizationRow::from_row).collect();
            for row in &mut rows {
                row.scope_name = user_scope_name(&session.graph, &row.scope_type, &row.scope_name).await;
            }
            Ok(rows)
        }
        Err(e) if exo::is(&e, exo::NOT_FOUND) && mailbox.is_none() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A user scope's name as Get-ExchangeAppRoleAssignment shows it: the UPN, where Exchange names
/// the user by object id; any other scope (or a user Graph cannot read) as Exchange names it.
pub async fn user_scope_name(graph: &GraphClient, scope_type: &str, name: &str) -> String {
    if !scope_type.eq_ignore_ascii_case("User") || name.contains('@') {
        return name.to_string();
    }
    match crate::users::resolve(graph, name).await {
        Ok(user) if !user.user_principal_name.is_empty() => user.user_principal_name,
        _ => name.to_string(),
    }
}

/// The permissions to test: those asked for, or every one the app's roles grant.
async fn permissions_to_test(session: &Session, sp: &ServicePrincipal, query: &AccessQuery) -> Result<Vec<&'static str>> {
    if !query.permissions.is_empty() {
        return query.permissions.iter().map(|p| canonical_permission(p)).collect();
    }
    if query.probe_secret.is_some() {
        return Err(ExoError::invalid_argument("Permission", "-Probe needs the permissions to test"));
    }
    let rows = authorization_rows(session, sp, None).await?;
    let mut held: Vec<&'static str> = PERMISSIONS.iter().copied().filter(|p| rows.iter().any(|r| r.granted.iter().any(|g| g.eq_ignore_ascii_case(p)))).collect();
    held.dedup();
    if held.is_empty() {
        return Err(ExoError::invalid_argument(
            "Permission",
            format!("'{}' holds no Exchange application role; name the permissions to test with -Permission", sp.display_name),
        ));
    }
    Ok(held)
}

/// A Graph client signed in as the app itself (for `-Probe`), on the connection's cloud and transport.
fn graph_as_app(session: &Session, sp: &ServicePrincipal, secret: Secret) -> GraphClient {
    let transport = session.graph.transport().clone();
    let tokens = TokenProvider::new(session.cloud.clone(), session.tenant_id.clone(), sp.app_id.clone(), Credential::ClientSecret(secret), transport.clone());
    GraphClient::new(session.cloud.clone(), transport, std::sync::Arc::new(tokens))
}

/// One probe: the read call as the app, classified.
async fn probe(graph: &GraphClient, mailbox: &str, permission: &str) -> Result<(&'static str, String)> {
    let Some((path, query)) = probe_path(permission, mailbox) else {
        return Ok(("NotTested", format!("{permission} has no side-effect-free call to probe with")));
    };
    let url = graph.url(Version::V1, &path, &query);
    let shown = format!("GET {}", url.path());
    match graph.send(Method::Get, url, None).await {
        Ok(_) => Ok(("Granted", format!("{shown} answered 200"))),
        Err(ExoError::Service { status: status @ (403 | 404), code, message, .. }) => {
            Ok(("Denied", format!("{shown} answered {status} {code}: {message}")))
        }
        Err(other) => Err(other),
    }
}

/// `Test-ExchangeAppAccess`.
pub async fn test_access(query: AccessQuery) -> Result<()> {
    let session = session::current()?;
    if query.mailboxes.is_empty() {
        return Err(ExoError::invalid_argument("Mailbox", "give at least one mailbox"));
    }
    let sp = directory::service_principal(&session.graph, "App", &query.app).await?;
    let permissions = permissions_to_test(&session, &sp, &query).await?;
    let as_app = query.probe_secret.clone().map(|secret| graph_as_app(&session, &sp, secret));
    for (n, mailbox) in query.mailboxes.iter().enumerate() {
        let mailbox = mailbox.trim();
        ops::progress("Test-ExchangeAppAccess", format!("Testing {mailbox}"), percent(n, query.mailboxes.len()));
        // One mailbox that cannot be tested (unknown, say) is its own error; the rest go on.
        let results = ops::item(mailbox, test_mailbox(&session, &sp, &permissions, as_app.as_ref(), mailbox).await)?;
        for result in results.unwrap_or_default() {
            ops::record(Record::Access(result));
        }
    }
    Ok(())
}

/// Every permission's verdict for one mailbox.
async fn test_mailbox(session: &Session, sp: &ServicePrincipal, permissions: &[&str], as_app: Option<&GraphClient>, mailbox: &str) -> Result<Vec<AccessResult>> {
    let rows = match as_app {
        Some(_) => Vec::new(),
        None => authorization_rows(session, sp, Some(mailbox)).await?,
    };
    let mut results = Vec::new();
    for permission in permissions {
        let ((access, reason), method) = match as_app {
            Some(graph) => (probe(graph, mailbox, permission).await?, "Probe"),
            None => (verdict(&rows, permission), "Test-ServicePrincipalAuthorization"),
        };
        results.push(AccessResult {
            app: sp.display_name.clone(),
            app_id: sp.app_id.clone(),
            mailbox: mailbox.to_string(),
            permission: permission.to_string(),
            access,
            reason,
            method,
        });
    }
    Ok(results)
}

fn percent(done: usize, total: usize) -> Option<u8> {
    u8::try_from(done * 100 / total.max(1)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(role: &str, granted: &[&str], scope: &str, in_scope: Option<bool>) -> AuthorizationRow {
        AuthorizationRow {
            role_name: role.into(),
            granted: granted.iter().map(|g| g.to_string()).collect(),
            scope_name: scope.into(),
            scope_type: "AdministrativeUnit".into(),
            in_scope,
        }
    }

    #[test]
    fn an_in_scope_role_that_grants_the_permission_grants_it() {
        let rows = [row("Application Calendars.Read", &["Calendars.Read"], "Developers", Some(true))];
        assert_eq!(verdict(&rows, "Calendars.Read"), ("Granted", "'Application Calendars.Read' on Developers (AdministrativeUnit)".into()));
    }

    #[test]
    fn out_of_scope_names_the_scope_missed() {
        let rows = [row("Application Calendars.Read", &["Calendars.Read"], "Developers", Some(false))];
        let (access, reason) = verdict(&rows, "Calendars.Read");
        assert_eq!(access, "Denied");
        assert!(reason.starts_with("the mailbox is outside 'Application Calendars.Read' on Developers"), "{reason}");
    }

    #[test]
    fn a_role_for_another_permission_does_not_count() {
        let rows = [row("Application Calendars.Read", &["Calendars.Read"], "Developers", Some(true))];
        let (access, reason) = verdict(&rows, "Mail.Read");
        assert_eq!(access, "Denied");
        assert!(reason.starts_with("no Exchange role assignment of the app grants Mail.Read"), "{reason}");
    }

    #[test]
    fn wider_permissions_imply_narrower_ones_only() {
        let rows = [row("Application Exchange Full Access", &["Mail.ReadWrite", "Calendars.ReadWrite"], "Alex", Some(true))];
        assert_eq!(verdict(&rows, "Mail.ReadBasic").0, "Granted");
        assert_eq!(verdict(&rows, "Calendars.Read").0, "Granted");
        assert_eq!(verdict(&rows, "MailboxSettings.Read").0, "Denied");
        assert!(!implies("Calendars.Read", "Calendars.ReadWrite"));
    }

    #[test]
    fn rows_parse_booleans_strings_and_not_run() {
        let parsed = AuthorizationRow::from_row(&json!({"RoleName": "R", "GrantedPermissions": "Mail.Read, Mail.Send", "InScope": "False"}));
        assert_eq!(parsed.granted, vec!["Mail.Read", "Mail.Send"]);
        assert_eq!(parsed.in_scope, Some(false));
        assert_eq!(AuthorizationRow::from_row(&json!({"InScope": "Not Run"})).in_scope, None);
        assert_eq!(AuthorizationRow::from_row(&json!({"InScope": true})).in_scope, Some(true));
    }

    #[test]
    fn permissions_are_canonical_or_listed() {
        assert_eq!(canonical_permission("application calendars.read").unwrap(), "Calendars.Read");
        let error = canonical_permission("Calendars.Write").unwrap_err().to_string();
        assert!(error.contains("Calendars.ReadWrite, Contacts.Read"), "{error}");
    }

    #[test]
    fn probes_read_and_never_send() {
        assert_eq!(probe_path("Calendars.ReadWrite", "a@b.c").unwrap().0, "/users/a@b.c/calendar");
        assert_eq!(probe_path("Mail.ReadBasic", "a@b.c").unwrap().0, "/users/a@b.c/messages");
        assert!(probe_path("Mail.Send", "a@b.c").is_none());
    }
}
