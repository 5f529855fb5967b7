//! Exchange role assignments for apps (`roleManagement/exchange/roleAssignments`, Graph beta):
//! `New-`, `Get-` and `Remove-ExchangeAppRoleAssignment`. The admin names the app, the role and
//! the scope; this module turns names into ids, writes the assignment, and reads assignments
//! back with names again.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::json;

use super::directory::{self, ServicePrincipal};
use super::role_definitions::RoleDefinition;
use super::scope::{Scope, ScopeKind};
use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;
use crate::ops::{self, Record};
use crate::session;

const COLLECTION: &str = "/roleManagement/exchange/roleAssignments";

/// An assignment as an admin reads it: ids and the names behind them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub app: ServicePrincipal,
    pub role_id: String,
    pub role_name: String,
    pub scope: Scope,
    /// The UPN, group or unit name; `(whole tenant)` for `/`.
    pub scope_name: String,
}

/// The scope as the admin gave it (a name or id still to resolve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRequest {
    Tenant,
    User(String),
    Group(String),
    AdministrativeUnit(String),
}

/// `New-ExchangeAppRoleAssignment`'s inputs.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub app: String,
    pub role: String,
    pub scope: ScopeRequest,
}

/// `Get-ExchangeAppRoleAssignment`'s filters (all optional).
#[derive(Debug, Clone, Default)]
pub struct AssignmentQuery {
    pub id: Option<String>,
    pub app: Option<String>,
    pub role: Option<String>,
}

/// `unifiedRoleAssignment` as Graph beta returns it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphAssignment {
    pub id: String,
    #[serde(default)]
    pub principal_id: String,
    #[serde(default)]
    pub role_definition_id: String,
    pub directory_scope_id: Option<String>,
    pub app_scope_id: Option<String>,
}

impl GraphAssignment {
    /// The service principal's object id out of `/ServicePrincipals/{id}`.
    fn principal_object_id(&self) -> &str {
        self.principal_id.rsplit('/').next().unwrap_or_default()
    }
}

/// A 403 on these routes means the connected app lacks a Graph permission: say which.
pub(crate) fn needs_permission(error: ExoError, permission: &str, doing: &str) -> ExoError {
    match error {
        ExoError::Service { status: 403, .. } => error.reworded(|said| {
            format!("{doing} needs the application permission {permission} on the app ExoKit is connected as (granted with admin consent); Graph said: {said}")
        }),
        other => other,
    }
}

/// Resolves the scope's name to an object and its `directoryScopeId`.
pub async fn resolve_scope(graph: &GraphClient, request: &ScopeRequest) -> Result<(Scope, String)> {
    let (kind, named) = match request {
        ScopeRequest::Tenant => return Ok((Scope::tenant(), tenant_wide())),
        ScopeRequest::User(u) => (ScopeKind::User, directory::user(graph, "User", u).await?),
        ScopeRequest::Group(g) => (ScopeKind::Group, directory::group(graph, "Group", g).await?),
        ScopeRequest::AdministrativeUnit(a) => {
            (ScopeKind::AdministrativeUnit, directory::administrative_unit(graph, "AdministrativeUnit", a).await?)
        }
    };
    Ok((Scope::of(kind, named.id), named.display_name))
}

fn tenant_wide() -> String {
    "(whole tenant)".into()
}

/// Every assignment, as Graph returns them.
pub async fn list_raw(graph: &GraphClient) -> Result<Vec<GraphAssignment>> {
    graph
        .list(Version::Beta, COLLECTION, &[])
        .await
        .map_err(|e| needs_permission(e, "RoleManagement.Read.Exchange", "Reading Exchange role assignments"))
}

/// Writes one assignment, unless the same app already holds the same role on the same scope:
/// then that one is returned (`false`: nothing was created), so a pipeline can rerun safely.
pub async fn create(
    graph: &GraphClient,
    app: &ServicePrincipal,
    role: &RoleDefinition,
    scope: &Scope,
    scope_name: &str,
) -> Result<(Assignment, bool)> {
    let existing = list_raw(graph).await?;
    let same = existing.into_iter().find(|a| {
        a.principal_object_id().eq_ignore_ascii_case(&app.id)
            && a.role_definition_id.eq_ignore_ascii_case(&role.id)
            && Scope::from_graph(a.directory_scope_id.as_deref(), a.app_scope_id.as_deref()).ok().as_ref() == Some(scope)
    });
    let (id, created) = match same {
        Some(found) => (found.id, false),
        None => (post(graph, app, role, scope).await?, true),
    };
    let assignment = Assignment {
        id,
        app: app.clone(),
        role_id: role.id.clone(),
        role_name: role.display_name.clone(),
        scope: scope.clone(),
        scope_name: scope_name.into(),
    };
    Ok((assignment, created))
}

async fn post(graph: &GraphClient, app: &ServicePrincipal, role: &RoleDefinition, scope: &Scope) -> Result<String> {
    let body = json!({
        "principalId": format!("/ServicePrincipals/{}", app.id),
        "roleDefinitionId": role.id,
        "directoryScopeId": scope.directory_scope_id(),
        "appScopeId": if scope.kind == ScopeKind::AppScope { scope.id.clone() } else { None },
    });
    let url = graph.url(Version::Beta, COLLECTION, &[]);
    let answer = graph
        .send(Method::Post, url.clone(), Some(&body))
        .await
        .map_err(|e| needs_permission(e, "RoleManagement.ReadWrite.Exchange", "Creating an Exchange role assignment"))?;
    answer["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ExoError::Protocol { url: url.to_string(), message: "the created assignment has no id".into() })
}

/// Deletes one assignment by id.
pub async fn delete(graph: &GraphClient, id: &str) -> Result<()> {
    let url = graph.url(Version::Beta, &format!("{COLLECTION}/{}", segment(id)), &[]);
    graph
        .send(Method::Delete, url, None)
        .await
        .map_err(|e| needs_permission(e, "RoleManagement.ReadWrite.Exchange", "Removing an Exchange role assignment"))?;
    Ok(())
}

/// Names for raw assignments: each service principal and scope object is read once.
pub async fn describe(graph: &GraphClient, raw: Vec<GraphAssignment>, roles: &[RoleDefinition]) -> Result<Vec<Assignment>> {
    let mut principals: HashMap<String, ServicePrincipal> = HashMap::new();
    let mut scope_names: HashMap<String, String> = HashMap::new();
    let mut described = Vec::with_capacity(raw.len());
    for a in raw {
        let principal = a.principal_object_id().to_string();
        if !principals.contains_key(&principal) {
            let sp = principal_or_placeholder(graph, &principal).await?;
            principals.insert(principal.clone(), sp);
        }
        let scope = Scope::from_graph(a.directory_scope_id.as_deref(), a.app_scope_id.as_deref())?;
        let key = format!("{:?}", scope);
        if !scope_names.contains_key(&key) {
            scope_names.insert(key.clone(), scope_name(graph, &scope).await?);
        }
        let role_name = roles.iter().find(|r| r.id.eq_ignore_ascii_case(&a.role_definition_id)).map(|r| r.display_name.clone());
        described.push(Assignment {
            id: a.id,
            app: principals[&principal].clone(),
            role_name: role_name.unwrap_or_else(|| a.role_definition_id.clone()),
            role_id: a.role_definition_id,
            scope,
            scope_name: scope_names[&key].clone(),
        });
    }
    Ok(described)
}

/// A deleted service principal still shows its id, so the stale assignment can be removed.
async fn principal_or_placeholder(graph: &GraphClient, id: &str) -> Result<ServicePrincipal> {
    let found = directory::get_optional(graph, Version::V1, &format!("/servicePrincipals/{}", segment(id)), &[]).await?;
    Ok(match found.and_then(|v| serde_json::from_value::<ServicePrincipal>(v).ok()) {
        Some(sp) => sp,
        None => ServicePrincipal { id: id.into(), app_id: String::new(), display_name: "(deleted service principal)".into() },
    })
}

async fn scope_name(graph: &GraphClient, scope: &Scope) -> Result<String> {
    let id = scope.id.clone().unwrap_or_default();
    let (path, field) = match scope.kind {
        ScopeKind::Tenant => return Ok(tenant_wide()),
        ScopeKind::AppScope => return Ok(id),
        ScopeKind::User => (format!("/users/{}", segment(&id)), "userPrincipalName"),
        ScopeKind::Group => (format!("/groups/{}", segment(&id)), "displayName"),
        ScopeKind::AdministrativeUnit => (format!("/directory/administrativeUnits/{}", segment(&id)), "displayName"),
    };
    let found = directory::get_optional(graph, Version::V1, &path, &[]).await?;
    Ok(found.and_then(|v| v[field].as_str().map(str::to_string)).unwrap_or_else(|| format!("(deleted {id})")))
}

/// Keeps the assignments `query` asks for: an id, and the app and role by name or id.
fn wanted(assignment: &Assignment, query: &AssignmentQuery) -> bool {
    let is = |given: &Option<String>, candidates: &[&str]| {
        given.as_deref().is_none_or(|g| candidates.iter().any(|c| c.eq_ignore_ascii_case(g.trim())))
    };
    let short_role = assignment.role_name.strip_prefix("Application ").unwrap_or(&assignment.role_name);
    is(&query.id, &[&assignment.id])
        && is(&query.app, &[&assignment.app.id, &assignment.app.app_id, &assignment.app.display_name])
        && is(&query.role, &[&assignment.role_id, &assignment.role_name, short_role])
}

/// `New-ExchangeAppRoleAssignment`.
pub async fn new_assignment(request: NewAssignment) -> Result<()> {
    let session = session::current()?;
    let graph = &session.graph;
    ops::progress("New-ExchangeAppRoleAssignment", "Resolving the app, the role and the scope", None);
    let app = directory::service_principal(graph, "App", &request.app).await?;
    let roles = directory::roles(graph).await?;
    let role = directory::role(&roles, "Role", &request.role)?;
    let (scope, scope_name) = resolve_scope(graph, &request.scope).await?;
    let (assignment, created) = create(graph, &app, role, &scope, &scope_name).await?;
    if !created {
        ops::warning(format!(
            "'{}' already holds '{}' on {}; nothing was created (assignment {}).",
            app.display_name, role.display_name, scope_name, assignment.id
        ));
    }
    ops::record(Record::RoleAssignment(assignment));
    Ok(())
}

/// `Get-ExchangeAppRoleAssignment`.
pub async fn get_assignments(query: AssignmentQuery) -> Result<()> {
    let session = session::current()?;
    let graph = &session.graph;
    ops::progress("Get-ExchangeAppRoleAssignment", "Reading Exchange role assignments", None);
    let roles = directory::roles(graph).await?;
    if let Some(app) = query.app.as_deref() {
        // -App names an app: one that does not exist is an error, one without assignments is not.
        let found = directory::service_principal(graph, "App", app).await;
        let found = found.map_err(|e| match e {
            ExoError::InvalidArgument { message, .. } if message.starts_with("no ") => ExoError::NotFound { what: "app".into(), identity: app.trim().into() },
            other => other,
        });
        ops::item(app.trim(), found)?;
    }
    let raw = list_raw(graph).await?;
    let mut found = 0usize;
    for assignment in describe(graph, raw, &roles).await? {
        if wanted(&assignment, &query) {
            found += 1;
            ops::record(Record::RoleAssignment(assignment));
        }
    }
    if let Some(id) = query.id.as_deref().filter(|_| found == 0) {
        // -Id is an identity: matching nothing is ObjectNotFound (as Get-Mailbox -Identity).
        ops::error(ExoError::NotFound { what: "Exchange role assignment".into(), identity: id.trim().into() });
    }
    Ok(())
}

/// `Remove-ExchangeAppRoleAssignment` (the cmdlet has asked `ShouldProcess` already).
pub async fn remove_assignment(id: String) -> Result<()> {
    let session = session::current()?;
    // One id of many piped in: its failure is that item's error, the pipeline goes on.
    if ops::item(id.trim(), delete(&session.graph, id.trim()).await)?.is_some() {
        ops::verbose(format!("Removed Exchange role assignment {}", id.trim()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Assignment {
        Assignment {
            id: "as1".into(),
            app: ServicePrincipal { id: "sp1".into(), app_id: "app1".into(), display_name: "CalendarsReader".into() },
            role_id: "r1".into(),
            role_name: "Application Calendars.Read".into(),
            scope: Scope::tenant(),
            scope_name: tenant_wide(),
        }
    }

    #[test]
    fn filters_match_names_and_ids_in_any_case() {
        let a = sample();
        assert!(wanted(&a, &AssignmentQuery::default()));
        assert!(wanted(&a, &AssignmentQuery { app: Some("calendarsreader".into()), ..Default::default() }));
        assert!(wanted(&a, &AssignmentQuery { app: Some("APP1".into()), role: Some("Calendars.Read".into()), ..Default::default() }));
        assert!(!wanted(&a, &AssignmentQuery { role: Some("Mail.Read".into()), ..Default::default() }));
        assert!(!wanted(&a, &AssignmentQuery { id: Some("as2".into()), ..Default::default() }));
    }

    #[test]
    fn the_principal_id_is_read_out_of_its_path() {
        let raw = GraphAssignment {
            id: "x".into(),
            principal_id: "/ServicePrincipals/sp9".into(),
            role_definition_id: "r".into(),
            directory_scope_id: Some("/".into()),
            app_scope_id: None,
        };
        assert_eq!(raw.principal_object_id(), "sp9");
    }

    #[test]
    fn only_a_403_is_reworded_as_a_missing_permission() {
        let service = |status| ExoError::Service {
            method: "POST".into(),
            url: "u".into(),
            status,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges".into(),
            request_id: None,
        };
        let denied = needs_permission(service(403), "RoleManagement.ReadWrite.Exchange", "Creating").to_string();
        assert!(denied.contains("needs the application permission RoleManagement.ReadWrite.Exchange"), "{denied}");
        let other = needs_permission(service(400), "RoleManagement.ReadWrite.Exchange", "Creating").to_string();
        assert!(!other.contains("needs"), "{other}");
    }
}
