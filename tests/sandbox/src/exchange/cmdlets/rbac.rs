//! RBAC for Applications (exo-rest.md §3.5): New/Get/Remove-ServicePrincipal,
//! New/Get/Remove-ManagementScope, New/Get/Remove-ManagementRoleAssignment (`-App` set) and
//! Test-ServicePrincipalAuthorization.

use serde_json::{Map, Value, json};

use super::super::cmdlet::{CmdletError, Output, Params};
use super::super::opath;
use super::super::rbac::{
    self, AssignmentScope, ExoServicePrincipal, ManagementScope, RoleAssignment,
};
use super::super::recipients;
use super::super::{Ctx, ExchangeData};
use crate::directory::DirectoryData;

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text.trim()).is_ok()
}

fn sp_matches(sp: &ExoServicePrincipal, identity: &str) -> bool {
    let identity = identity.trim();
    sp.object_id.eq_ignore_ascii_case(identity)
        || sp.app_id.eq_ignore_ascii_case(identity)
        || sp.display_name.eq_ignore_ascii_case(identity)
}

/// An Exchange service principal pointer by ObjectId, AppId or DisplayName.
fn find_sp<'e>(
    exchange: &'e ExchangeData,
    identity: &str,
) -> Result<&'e ExoServicePrincipal, CmdletError> {
    let found: Vec<&ExoServicePrincipal> = exchange
        .service_principals
        .iter()
        .filter(|sp| sp_matches(sp, identity))
        .collect();
    match found.len() {
        0 => Err(CmdletError::not_found(identity)),
        1 => Ok(found[0]),
        _ => Err(CmdletError::ambiguous(identity)),
    }
}

pub fn new_service_principal(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &[
            "AppId",
            "ObjectId",
            "ServiceId",
            "DisplayName",
            "Organization",
            "Confirm",
        ],
    )?;
    // `-ServiceId` is the deprecated name of `-ObjectId`.
    let object_id = params.string("ObjectId")?.or(params.string("ServiceId")?);
    let missing: Vec<&str> = [
        ("AppId", params.has("AppId")),
        ("ObjectId", object_id.is_some()),
    ]
    .iter()
    .filter(|(_, given)| !given)
    .map(|(n, _)| *n)
    .collect();
    if !missing.is_empty() {
        return Err(CmdletError::missing(&missing));
    }
    let (app_id, object_id) = (
        params.required_string("AppId")?,
        object_id.unwrap_or_default(),
    );
    for (name, value) in [("AppId", &app_id), ("ObjectId", &object_id)] {
        if !is_guid(value) {
            return Err(CmdletError::data_validation(format!(
                "The value '{value}' of {name} isn't a valid GUID."
            )));
        }
    }
    let display_name = match params.string("DisplayName")? {
        Some(name) => name,
        None => ctx
            .directory
            .lock()
            .service_principals
            .iter()
            .find(|s| s.app_id.eq_ignore_ascii_case(&app_id))
            .map_or_else(|| app_id.clone(), |s| s.display_name.clone()),
    };
    let mut exchange = ctx.exchange.lock();
    if exchange.service_principals.iter().any(|sp| {
        sp.app_id.eq_ignore_ascii_case(&app_id) || sp.object_id.eq_ignore_ascii_case(&object_id)
    }) {
        return Err(CmdletError::already_exists(format!(
            "The service principal with AppId '{app_id}' and ObjectId '{object_id}' already exists."
        )));
    }
    let sp = ExoServicePrincipal {
        object_id: object_id.to_ascii_lowercase(),
        app_id: app_id.to_ascii_lowercase(),
        display_name,
    };
    let row = sp.to_row();
    exchange.service_principals.push(sp);
    Ok(Output::rows(vec![row]))
}

pub fn get_service_principal(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Organization"])?;
    let exchange = ctx.exchange.lock();
    match params.string("Identity")? {
        Some(identity) => Ok(Output::rows(vec![find_sp(&exchange, &identity)?.to_row()])),
        None => Ok(Output::rows(
            exchange
                .service_principals
                .iter()
                .map(ExoServicePrincipal::to_row)
                .collect(),
        )),
    }
}

/// Removes the pointer and the role assignments made to it.
pub fn remove_service_principal(
    ctx: &Ctx,
    raw: &Map<String, Value>,
) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Confirm"])?;
    let identity = params.required_string("Identity")?;
    let mut exchange = ctx.exchange.lock();
    let object_id = find_sp(&exchange, &identity)?.object_id.clone();
    exchange
        .service_principals
        .retain(|sp| sp.object_id != object_id);
    exchange
        .assignments
        .retain(|a| !a.principal_id.eq_ignore_ascii_case(&object_id));
    Ok(Output::none())
}

fn find_scope<'e>(
    exchange: &'e ExchangeData,
    identity: &str,
) -> Result<&'e ManagementScope, CmdletError> {
    let identity = identity.trim();
    exchange
        .scopes
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(identity) || s.id.eq_ignore_ascii_case(identity))
        .ok_or_else(|| CmdletError::not_found(identity))
}

/// Parses a recipient filter as New-ManagementScope and Graph's customAppScopes do.
pub fn parse_filter(text: &str) -> Result<opath::Filter, CmdletError> {
    opath::parse(text).map_err(|e| CmdletError::filter("RecipientRestrictionFilter", &e.0))
}

pub fn new_scope(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &[
            "Name",
            "RecipientRestrictionFilter",
            "RecipientRoot",
            "Exclusive",
            "Force",
            "Confirm",
        ],
    )?;
    let name = params
        .bounded_string("Name", 64)?
        .ok_or_else(|| CmdletError::missing(&["Name"]))?;
    let filter_text = params
        .string("RecipientRestrictionFilter")?
        .ok_or_else(CmdletError::parameter_set)?;
    let filter = parse_filter(&filter_text)?;
    let exclusive = params.switch("Exclusive")?;
    params.switch("Force")?;
    let mut exchange = ctx.exchange.lock();
    let scope = rbac::add_scope(&mut exchange.scopes, name, filter_text, filter, exclusive)
        .map_err(CmdletError::already_exists)?;
    Ok(Output::rows(vec![scope.to_row()]))
}

pub fn get_scope(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Exclusive"])?;
    let exclusive = params.bool("Exclusive")?;
    let exchange = ctx.exchange.lock();
    let rows = match params.string("Identity")? {
        Some(identity) => vec![find_scope(&exchange, &identity)?.to_row()],
        None => exchange
            .scopes
            .iter()
            .filter(|s| exclusive.is_none_or(|e| s.exclusive == e))
            .map(ManagementScope::to_row)
            .collect(),
    };
    Ok(Output::rows(rows))
}

/// A scope that an assignment uses can't be removed.
pub fn remove_scope(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Force", "Confirm"])?;
    let identity = params.required_string("Identity")?;
    let mut exchange = ctx.exchange.lock();
    let scope = find_scope(&exchange, &identity)?.clone();
    let users: Vec<&str> = exchange
        .assignments
        .iter()
        .filter(|a| a.scope == AssignmentScope::Custom(scope.id.clone()))
        .map(|a| a.name.as_str())
        .collect();
    if !users.is_empty() {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.Tasks.ManagementScopeInUseException",
            format!(
                "The management scope \"{}\" can't be removed because it's used by the role assignments: {}.",
                scope.name,
                users.join(", ")
            ),
        ));
    }
    exchange.scopes.retain(|s| s.id != scope.id);
    Ok(Output::none())
}

const NEW_ASSIGNMENT: &[&str] = &[
    "Name",
    "Role",
    "App",
    "User",
    "SecurityGroup",
    "Policy",
    "Computer",
    "CustomResourceScope",
    "RecipientAdministrativeUnitScope",
    "RecipientGroupScope",
    "RecipientOrganizationalUnitScope",
    "CustomRecipientWriteScope",
    "ExclusiveRecipientWriteScope",
    "RecipientRelativeWriteScope",
    "Delegating",
    "Force",
    "Confirm",
];

pub fn new_assignment(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, NEW_ASSIGNMENT)?;
    if ["User", "SecurityGroup", "Policy", "Computer"]
        .iter()
        .any(|p| params.has(p))
    {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Configuration.Tasks.TaskException",
            "The sandbox serves role assignments to applications (-App) only.",
        ));
    }
    let scope_params = [
        "CustomResourceScope",
        "RecipientAdministrativeUnitScope",
        "RecipientGroupScope",
    ]
    .iter()
    .filter(|p| params.has(p))
    .count();
    let other_scopes = [
        "RecipientOrganizationalUnitScope",
        "CustomRecipientWriteScope",
        "ExclusiveRecipientWriteScope",
        "RecipientRelativeWriteScope",
    ]
    .iter()
    .any(|p| params.has(p));
    if !params.has("App") || scope_params > 1 || other_scopes {
        return Err(CmdletError::parameter_set());
    }
    params.require(&["Role"])?;
    let role_name = params.required_string("Role")?;
    let role = ctx
        .role(&role_name)
        .ok_or_else(|| CmdletError::not_found(&role_name))?;
    if !rbac::is_application_role(role) {
        return Err(CmdletError::task(
            "Microsoft.Exchange.Management.RbacTasks.InvalidRoleAssignmentException",
            format!(
                "The role \"{}\" can't be assigned to a service principal. Use an application role (\"Application …\").",
                rbac::role_name(role)
            ),
        ));
    }
    let explicit_name = params.bounded_string("Name", 64)?;
    params.switch("Delegating")?;
    params.switch("Force")?;
    let mut exchange = ctx.exchange.lock();
    let sp = find_sp(&exchange, &params.required_string("App")?)?.clone();
    let scope = assignment_scope(ctx, &exchange, &params)?;
    let name = match explicit_name {
        Some(name)
            if exchange
                .assignments
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(&name)) =>
        {
            return Err(CmdletError::already_exists(format!(
                "The role assignment \"{name}\" already exists."
            )));
        }
        Some(name) => name,
        None => rbac::unique_name(
            &exchange.assignments,
            &format!("{}-{}", rbac::role_name(role), sp.display_name),
        ),
    };
    let assignment = RoleAssignment {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        role_id: role.id().to_string(),
        principal_id: sp.object_id.clone(),
        scope,
    };
    let row = assignment_row(ctx, &exchange, &ctx.directory.lock(), &assignment);
    exchange.assignments.push(assignment);
    Ok(Output::rows(vec![row]))
}

fn assignment_scope(
    ctx: &Ctx,
    exchange: &ExchangeData,
    params: &Params,
) -> Result<AssignmentScope, CmdletError> {
    if let Some(name) = params.string("CustomResourceScope")? {
        return Ok(AssignmentScope::Custom(
            find_scope(exchange, &name)?.id.clone(),
        ));
    }
    let directory = ctx.directory.lock();
    if let Some(name) = params.string("RecipientAdministrativeUnitScope")? {
        let unit = directory
            .units
            .iter()
            .find(|u| {
                u.id.eq_ignore_ascii_case(name.trim())
                    || u.display_name.eq_ignore_ascii_case(name.trim())
            })
            .ok_or_else(|| CmdletError::not_found(&name))?;
        return Ok(AssignmentScope::AdministrativeUnit(unit.id.clone()));
    }
    if let Some(name) = params.string("RecipientGroupScope")? {
        return Ok(AssignmentScope::Group(
            recipients::recipient_group(&directory, &name)?.id,
        ));
    }
    Ok(AssignmentScope::Organization)
}

/// What the scope is called and what type Exchange reports for it (`User` and `Group` scopes
/// come from Graph's `directoryScopeId`; their ScopeType names are the sandbox's own).
fn scope_names(
    exchange: &ExchangeData,
    directory: &DirectoryData,
    scope: &AssignmentScope,
) -> (String, &'static str) {
    match scope {
        AssignmentScope::Organization => ("Organization".into(), "Organization"),
        AssignmentScope::Custom(id) => (
            exchange
                .scopes
                .iter()
                .find(|s| &s.id == id)
                .map_or_else(|| id.clone(), |s| s.name.clone()),
            "CustomRecipientScope",
        ),
        AssignmentScope::AdministrativeUnit(id) => (
            directory
                .unit(id)
                .map_or_else(|| id.clone(), |u| u.display_name.clone()),
            "AdministrativeUnit",
        ),
        AssignmentScope::Group(id) => (
            directory
                .group(id)
                .map_or_else(|| id.clone(), |g| g.display_name.clone()),
            "Group",
        ),
        AssignmentScope::User(id) => (id.clone(), "User"),
    }
}

fn assignment_row(
    ctx: &Ctx,
    exchange: &ExchangeData,
    directory: &DirectoryData,
    a: &RoleAssignment,
) -> Value {
    let role = ctx
        .role(&a.role_id)
        .map(rbac::role_name)
        .unwrap_or_else(|| a.role_id.clone());
    let assignee = exchange
        .service_principals
        .iter()
        .find(|sp| sp.object_id.eq_ignore_ascii_case(&a.principal_id))
        .map(|sp| sp.display_name.clone())
        .or_else(|| {
            directory
                .service_principals
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(&a.principal_id))
                .map(|s| s.display_name.clone())
        })
        .unwrap_or_else(|| a.principal_id.clone());
    let (scope_name, scope_type) = scope_names(exchange, directory, &a.scope);
    let custom = matches!(a.scope, AssignmentScope::Custom(_)).then(|| scope_name.clone());
    json!({
        "Name": a.name,
        "Identity": a.name,
        "Guid": a.id,
        "Role": role,
        "RoleAssignee": a.principal_id,
        "RoleAssigneeName": assignee,
        "RoleAssigneeType": "ServicePrincipal",
        "AssignmentMethod": "Direct",
        "RoleAssignmentDelegationType": "Regular",
        "CustomResourceScope": custom,
        "RecipientWriteScope": scope_type,
        "AllowedResourceScope": scope_name,
        "Enabled": true,
        "IsValid": true,
        "ObjectState": "Unchanged",
    })
}

fn find_assignment(exchange: &ExchangeData, identity: &str) -> Result<usize, CmdletError> {
    let identity = identity.trim();
    exchange
        .assignments
        .iter()
        .position(|a| a.name.eq_ignore_ascii_case(identity) || a.id.eq_ignore_ascii_case(identity))
        .ok_or_else(|| CmdletError::not_found(identity))
}

pub fn get_assignment(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(
        raw,
        &["Identity", "Role", "RoleAssignee", "RoleAssigneeType"],
    )?;
    let exchange = ctx.exchange.lock();
    let directory = ctx.directory.lock();
    if let Some(identity) = params.string("Identity")? {
        let at = find_assignment(&exchange, &identity)?;
        return Ok(Output::rows(vec![assignment_row(
            ctx,
            &exchange,
            &directory,
            &exchange.assignments[at],
        )]));
    }
    let role = params
        .string("Role")?
        .map(|r| {
            ctx.role(&r)
                .map(|d| d.id().to_string())
                .ok_or_else(|| CmdletError::not_found(&r))
        })
        .transpose()?;
    let assignee = params
        .string("RoleAssignee")?
        .map(|r| find_sp(&exchange, &r).map(|sp| sp.object_id.clone()))
        .transpose()?;
    let type_filter = params.choice(
        "RoleAssigneeType",
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.RoleAssigneeType",
        &[
            "User",
            "SecurityGroup",
            "RoleAssignmentPolicy",
            "ForeignSecurityPrincipal",
            "RoleGroup",
            "LinkedRoleGroup",
            "Computer",
            "ServicePrincipal",
        ],
    )?;
    let rows = exchange
        .assignments
        .iter()
        .filter(|a| {
            role.as_ref()
                .is_none_or(|r| r.eq_ignore_ascii_case(&a.role_id))
        })
        .filter(|a| {
            assignee
                .as_ref()
                .is_none_or(|p| p.eq_ignore_ascii_case(&a.principal_id))
        })
        .filter(|_| type_filter.is_none_or(|t| t == "ServicePrincipal"))
        .map(|a| assignment_row(ctx, &exchange, &directory, a))
        .collect();
    Ok(Output::rows(rows))
}

pub fn remove_assignment(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Confirm"])?;
    let identity = params.required_string("Identity")?;
    let mut exchange = ctx.exchange.lock();
    let at = find_assignment(&exchange, &identity)?;
    exchange.assignments.remove(at);
    Ok(Output::none())
}

/// One row per role assignment of the service principal; `InScope` answers for `-Resource`, or
/// is "Not Run" without it. Entra-granted permissions are not shown
/// (`Test-ServicePrincipalAuthorization.md`).
pub fn test_authorization(ctx: &Ctx, raw: &Map<String, Value>) -> Result<Output, CmdletError> {
    let params = Params::bind(raw, &["Identity", "Resource", "Organization"])?;
    let identity = params.required_string("Identity")?;
    let resource = params
        .string("Resource")?
        .map(|r| recipients::mailbox(ctx, &r))
        .transpose()?;
    let exchange = ctx.exchange.lock();
    let sp = find_sp(&exchange, &identity)?;
    let directory = ctx.directory.lock();
    let rows = exchange
        .assignments
        .iter()
        .filter(|a| a.principal_id.eq_ignore_ascii_case(&sp.object_id))
        .map(|a| {
            let role = ctx.role(&a.role_id);
            let (scope_name, scope_type) = scope_names(&exchange, &directory, &a.scope);
            let in_scope = match resource {
                Some(user) => json!(rbac::covers(&a.scope, &exchange.scopes, &directory, user)),
                None => json!("Not Run"),
            };
            json!({
                "RoleName": role.map(rbac::role_name).unwrap_or_else(|| a.role_id.clone()),
                "GrantedPermissions": role.map(rbac::role_permissions).unwrap_or_default().join(", "),
                "AllowedResourceScope": scope_name,
                "ScopeType": scope_type,
                "InScope": in_scope,
            })
        })
        .collect();
    Ok(Output::rows(rows))
}
