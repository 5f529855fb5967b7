//! Which mailboxes a role assignment reaches, and how Graph writes it (seed 003's table):
//! `/` for the tenant, `/Users/{id}`, `/Groups/{id}` (direct members),
//! `/AdministrativeUnits/{id}`. Pure.

use crate::error::{ExoError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKind {
    Tenant,
    User,
    Group,
    AdministrativeUnit,
    /// An `appScopeId` (a custom app scope or management scope), not a directory object.
    AppScope,
}

impl ScopeKind {
    pub fn name(&self) -> &'static str {
        match self {
            ScopeKind::Tenant => "Tenant",
            ScopeKind::User => "User",
            ScopeKind::Group => "Group",
            ScopeKind::AdministrativeUnit => "AdministrativeUnit",
            ScopeKind::AppScope => "AppScope",
        }
    }

    /// The collection segment in a `directoryScopeId`.
    fn segment(&self) -> Option<&'static str> {
        match self {
            ScopeKind::User => Some("Users"),
            ScopeKind::Group => Some("Groups"),
            ScopeKind::AdministrativeUnit => Some("AdministrativeUnits"),
            ScopeKind::Tenant | ScopeKind::AppScope => None,
        }
    }
}

/// An assignment's scope: its kind and, except for the tenant, the object's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub id: Option<String>,
}

impl Scope {
    pub fn tenant() -> Scope {
        Scope { kind: ScopeKind::Tenant, id: None }
    }

    pub fn of(kind: ScopeKind, id: impl Into<String>) -> Scope {
        Scope { kind, id: Some(id.into()) }
    }

    /// The `directoryScopeId` to send; `None` for an app scope (sent as `appScopeId`).
    pub fn directory_scope_id(&self) -> Option<String> {
        match (&self.kind, self.kind.segment(), &self.id) {
            (ScopeKind::Tenant, _, _) => Some("/".into()),
            (_, Some(segment), Some(id)) => Some(format!("/{segment}/{id}")),
            _ => None,
        }
    }

    /// Reads an assignment as Graph returns it: a `directoryScopeId` in any case, or else an
    /// `appScopeId`.
    pub fn from_graph(directory_scope_id: Option<&str>, app_scope_id: Option<&str>) -> Result<Scope> {
        let directory = directory_scope_id.map(str::trim).filter(|s| !s.is_empty());
        let app = app_scope_id.map(str::trim).filter(|s| !s.is_empty());
        match (directory, app) {
            (Some("/"), _) => Ok(Scope::tenant()),
            (Some(text), _) => parse_directory_scope(text),
            (None, Some(app)) => Ok(Scope::of(ScopeKind::AppScope, app)),
            (None, None) => Err(unreadable("neither directoryScopeId nor appScopeId is set")),
        }
    }
}

fn parse_directory_scope(text: &str) -> Result<Scope> {
    let (segment, id) = text
        .trim_start_matches('/')
        .split_once('/')
        .ok_or_else(|| unreadable(&format!("directoryScopeId '{text}' is not /<collection>/<id>")))?;
    let kind = match segment.to_ascii_lowercase().as_str() {
        "users" => ScopeKind::User,
        "groups" => ScopeKind::Group,
        "administrativeunits" => ScopeKind::AdministrativeUnit,
        _ => return Err(unreadable(&format!("directoryScopeId '{text}' names an unknown collection"))),
    };
    Ok(Scope::of(kind, id))
}

fn unreadable(message: &str) -> ExoError {
    ExoError::Protocol { url: "roleManagement/exchange/roleAssignments".into(), message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_writes_seed_003s_format() {
        assert_eq!(Scope::tenant().directory_scope_id().as_deref(), Some("/"));
        assert_eq!(Scope::of(ScopeKind::User, "u1").directory_scope_id().as_deref(), Some("/Users/u1"));
        assert_eq!(Scope::of(ScopeKind::Group, "g1").directory_scope_id().as_deref(), Some("/Groups/g1"));
        assert_eq!(
            Scope::of(ScopeKind::AdministrativeUnit, "a1").directory_scope_id().as_deref(),
            Some("/AdministrativeUnits/a1")
        );
        assert_eq!(Scope::of(ScopeKind::AppScope, "s1").directory_scope_id(), None);
    }

    #[test]
    fn graph_answers_read_back_in_any_case() {
        assert_eq!(Scope::from_graph(Some("/users/u1"), None).unwrap(), Scope::of(ScopeKind::User, "u1"));
        assert_eq!(
            Scope::from_graph(Some("/administrativeUnits/a1"), None).unwrap(),
            Scope::of(ScopeKind::AdministrativeUnit, "a1")
        );
        assert_eq!(Scope::from_graph(Some("/"), None).unwrap(), Scope::tenant());
        assert_eq!(Scope::from_graph(None, Some("s1")).unwrap(), Scope::of(ScopeKind::AppScope, "s1"));
    }

    #[test]
    fn unreadable_scopes_are_protocol_errors() {
        assert!(Scope::from_graph(Some("/devices/d1"), None).is_err());
        assert!(Scope::from_graph(Some("/Users"), None).is_err());
        assert!(Scope::from_graph(None, None).is_err());
    }
}
