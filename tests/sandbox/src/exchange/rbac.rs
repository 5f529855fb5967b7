//! RBAC for Applications (exo-rest.md §3.5; graph-api.md §1): Exchange's pointers to Entra
//! service principals, management scopes (Graph's `customAppScopes`) and role assignments
//! (Graph's `roleManagement/exchange/roleAssignments`). One store serves both APIs, so an
//! assignment made through Graph shows in `Get-ManagementRoleAssignment` and the reverse.

use serde_json::{Value, json};

use super::opath::{self, Filter, Property, Subject};
use crate::directory::DirectoryData;
use crate::mailbox::User;
use crate::roles::RoleDefinition;
use crate::seed::MailboxKind;

/// `New-ServicePrincipal`'s pointer. `object_id` must be the Entra *service principal*'s id:
/// a pointer made with the app registration's id is accepted but matches no token, so the
/// app gets no access from it (the classic mistake the docs warn about).
#[derive(Debug, Clone)]
pub struct ExoServicePrincipal {
    pub object_id: String,
    pub app_id: String,
    pub display_name: String,
}

impl ExoServicePrincipal {
    pub fn to_row(&self) -> Value {
        json!({
            "DisplayName": self.display_name,
            "ObjectId": self.object_id,
            "AppId": self.app_id,
            "Identity": self.object_id,
            "Name": self.object_id,
            "IsValid": true,
            "ObjectState": "Unchanged",
        })
    }
}

#[derive(Debug, Clone)]
pub struct ManagementScope {
    pub id: String,
    pub name: String,
    pub filter_text: String,
    pub filter: Filter,
    /// Kept and shown; "exclusive management scopes don't restrict app access", so it does
    /// not change who is in scope.
    pub exclusive: bool,
}

impl ManagementScope {
    pub fn to_row(&self) -> Value {
        json!({
            "Name": self.name,
            "Identity": self.name,
            "Guid": self.id,
            "ScopeRestrictionType": "RecipientScope",
            "Exclusive": self.exclusive,
            "RecipientRoot": null,
            "RecipientFilter": self.filter_text,
            "IsValid": true,
            "ObjectState": "Unchanged",
        })
    }

    /// Graph beta's `customAppScope`.
    pub fn to_graph(&self) -> Value {
        json!({
            "id": self.id,
            "type": "RecipientScope",
            "displayName": self.name,
            "customAttributes": {"Exclusive": self.exclusive, "RecipientFilter": self.filter_text},
        })
    }
}

/// Which mailboxes an assignment reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentScope {
    Organization,
    User(String),
    /// Direct members of a group.
    Group(String),
    AdministrativeUnit(String),
    /// A management scope, by id.
    Custom(String),
}

#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub id: String,
    pub name: String,
    pub role_id: String,
    /// The service principal's object id.
    pub principal_id: String,
    pub scope: AssignmentScope,
}

impl RoleAssignment {
    /// Graph beta's `unifiedRoleAssignment`.
    pub fn to_graph(&self) -> Value {
        let (directory_scope, app_scope) = match &self.scope {
            AssignmentScope::Organization => (json!("/"), Value::Null),
            AssignmentScope::User(id) => (json!(format!("/users/{id}")), Value::Null),
            AssignmentScope::Group(id) => (json!(format!("/groups/{id}")), Value::Null),
            AssignmentScope::AdministrativeUnit(id) => {
                (json!(format!("/administrativeUnits/{id}")), Value::Null)
            }
            AssignmentScope::Custom(id) => (Value::Null, json!(id)),
        };
        json!({
            "id": self.id,
            "principalId": format!("/ServicePrincipals/{}", self.principal_id),
            "roleDefinitionId": self.role_id,
            "directoryScopeId": directory_scope,
            "appScopeId": app_scope,
            "condition": null,
        })
    }
}

/// Exchange names an assignment `<Role>-<assignee>` and makes it unique with a number.
/// Adds a management scope with a new id, unless one with its name (any case) exists: then the
/// message both `New-ManagementScope` and Graph's `customAppScopes` answer.
pub fn add_scope(
    scopes: &mut Vec<ManagementScope>,
    name: String,
    filter_text: String,
    filter: Filter,
    exclusive: bool,
) -> Result<&ManagementScope, String> {
    if scopes.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
        return Err(format!("The management scope \"{name}\" already exists."));
    }
    scopes.push(ManagementScope {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        filter_text,
        filter,
        exclusive,
    });
    Ok(scopes.last().expect("pushed above"))
}

pub fn unique_name(assignments: &[RoleAssignment], base: &str) -> String {
    let base: String = base.chars().take(60).collect();
    let taken = |n: &str| assignments.iter().any(|a| a.name.eq_ignore_ascii_case(n));
    if !taken(&base) {
        return base;
    }
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .expect("a free name")
}

/// The Graph permissions a role grants (its `allowedResourceActions`).
pub fn role_permissions(role: &RoleDefinition) -> Vec<String> {
    role.0["rolePermissions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| {
            p["allowedResourceActions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

pub fn role_name(role: &RoleDefinition) -> String {
    role.0["displayName"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether a role may be given to a service principal (only the "Application …" roles).
pub fn is_application_role(role: &RoleDefinition) -> bool {
    role.0["allowedPrincipalTypes"].as_str().is_some_and(|t| {
        t.split(',')
            .any(|p| p.trim().eq_ignore_ascii_case("servicePrincipal"))
    })
}

/// A mailbox as a management-scope filter sees it.
pub struct Mailbox<'a> {
    pub user: &'a User,
    pub directory: &'a DirectoryData,
}

impl Subject for Mailbox<'_> {
    fn value(&self, property: Property) -> Option<String> {
        let alias = || {
            self.user
                .user_principal_name
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        match property {
            Property::RecipientTypeDetails => {
                Some(recipient_type_details(self.user.mailbox).into())
            }
            Property::RecipientType => Some("UserMailbox".into()),
            Property::UserPrincipalName | Property::PrimarySmtpAddress => {
                Some(self.user.user_principal_name.clone())
            }
            Property::DisplayName => Some(self.user.display_name.clone()),
            Property::Name | Property::Alias => Some(alias()),
            Property::ExternalDirectoryObjectId => Some(self.user.id.clone()),
            Property::MemberOfGroup | Property::Blank => None,
        }
    }

    fn member_of(&self, dn: &str) -> bool {
        self.directory.group_by_dn(dn).is_some_and(|g| {
            g.members
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&self.user.id))
        })
    }
}

/// Exchange's `RecipientTypeDetails` for a user's mailbox.
pub fn recipient_type_details(kind: MailboxKind) -> &'static str {
    match kind {
        MailboxKind::User => "UserMailbox",
        MailboxKind::Shared => "SharedMailbox",
        MailboxKind::Room => "RoomMailbox",
        MailboxKind::Equipment => "EquipmentMailbox",
        MailboxKind::None => "MailUser",
    }
}

/// Whether an assignment's scope reaches a mailbox. `scopes` are the tenant's management
/// scopes (a scope deleted since reaches nobody).
pub fn covers(
    scope: &AssignmentScope,
    scopes: &[ManagementScope],
    directory: &DirectoryData,
    user: &User,
) -> bool {
    match scope {
        AssignmentScope::Organization => true,
        AssignmentScope::User(id) => id.eq_ignore_ascii_case(&user.id),
        AssignmentScope::Group(id) => directory.is_direct_member(id, &user.id),
        AssignmentScope::AdministrativeUnit(id) => directory.unit_has_member(id, &user.id),
        AssignmentScope::Custom(id) => scopes
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id))
            .is_some_and(|s| opath::matches(&s.filter, &Mailbox { user, directory })),
    }
}
