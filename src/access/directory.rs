//! The directory objects an assignment names, looked up the way an admin names them: a service
//! principal by display name, appId or object id; a group or administrative unit by display
//! name or id; a user by UPN or id; a role by display name (with or without the `Application `
//! prefix) or id. Each lookup ends in [`names::single`], so an unknown or ambiguous name is one
//! error listing the candidates.

use serde::Deserialize;
use serde_json::Value;

use super::assignments::needs_permission;
use super::names::{self, Named, is_guid, odata_literal};
use super::role_definitions::{RoleDefinition, list_role_definitions};
use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;

/// A service principal: the app as the tenant knows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryObject {
    id: String,
    #[serde(default)]
    display_name: String,
}

/// `GET` that answers `None` for Graph's 404 (an id that names nothing, or not yet replicated).
pub async fn get_optional(graph: &GraphClient, version: Version, path: &str, query: &[(&str, &str)]) -> Result<Option<Value>> {
    let url = graph.url(version, path, query);
    match graph.send(Method::Get, url, None).await {
        Ok(found) => Ok(Some(found)),
        Err(ExoError::Service { status: 404, .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A Graph object's JSON as `T`, or a protocol error naming `what`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| ExoError::Protocol { url: what.into(), message: format!("unexpected JSON ({e})") })
}

/// The service principal `app` names: an object id, an appId, or a display name.
pub async fn service_principal(graph: &GraphClient, parameter: &str, app: &str) -> Result<ServicePrincipal> {
    let found = service_principals_named(graph, app.trim())
        .await
        .map_err(|e| needs_permission(e, "Application.Read.All", "Looking up a service principal"))?;
    let candidates = found.iter().map(|sp| Named::new(&sp.id, &sp.display_name)).collect();
    let chosen = names::single(parameter, "service principal", app.trim(), candidates)?;
    Ok(found.into_iter().find(|sp| sp.id == chosen.id).expect("chosen from found"))
}

/// The service principals `app` may name: by id and appId for a GUID, else by display name.
async fn service_principals_named(graph: &GraphClient, app: &str) -> Result<Vec<ServicePrincipal>> {
    let mut found: Vec<ServicePrincipal> = Vec::new();
    if is_guid(app) {
        for path in [format!("/servicePrincipals/{app}"), format!("/servicePrincipals(appId='{app}')")] {
            if let Some(sp) = get_optional(graph, Version::V1, &path, &[]).await? {
                found.push(decode(sp, "servicePrincipals")?);
            }
        }
    } else {
        let filter = format!("displayName eq {}", odata_literal(app));
        found = graph.list(Version::V1, "/servicePrincipals", &[("$filter", filter.as_str())]).await?;
    }
    Ok(found)
}

/// A group by display name or object id.
pub async fn group(graph: &GraphClient, parameter: &str, group: &str) -> Result<Named> {
    by_name_or_id(graph, parameter, "group", "/groups", group)
        .await
        .map_err(|e| needs_permission(e, "Group.Read.All (or Directory.Read.All)", "Looking up a group"))
}

/// An administrative unit by display name or object id.
pub async fn administrative_unit(graph: &GraphClient, parameter: &str, unit: &str) -> Result<Named> {
    by_name_or_id(graph, parameter, "administrative unit", "/directory/administrativeUnits", unit)
        .await
        .map_err(|e| needs_permission(e, "AdministrativeUnit.Read.All (or Directory.Read.All)", "Looking up an administrative unit"))
}

/// A user by UPN or object id; the name shown is the UPN.
pub async fn user(graph: &GraphClient, parameter: &str, user: &str) -> Result<Named> {
    let path = format!("/users/{}", segment(user.trim()));
    let found = get_optional(graph, Version::V1, &path, &[("$select", "id,userPrincipalName")])
        .await
        .map_err(|e| needs_permission(e, "User.Read.All", "Looking up a user"))?;
    let candidates = found
        .map(|u| Named::new(u["id"].as_str().unwrap_or_default(), u["userPrincipalName"].as_str().unwrap_or_default()))
        .into_iter()
        .collect();
    names::single(parameter, "user", user, candidates)
}

async fn by_name_or_id(graph: &GraphClient, parameter: &str, kind: &str, collection: &str, given: &str) -> Result<Named> {
    let given = given.trim();
    let found: Vec<DirectoryObject> = if is_guid(given) {
        let one = get_optional(graph, Version::V1, &format!("{collection}/{given}"), &[]).await?;
        one.map(|o| decode(o, collection)).transpose()?.into_iter().collect()
    } else {
        let filter = format!("displayName eq {}", odata_literal(given));
        graph.list(Version::V1, collection, &[("$filter", filter.as_str())]).await?
    };
    names::single(parameter, kind, given, found.into_iter().map(|o| Named::new(o.id, o.display_name)).collect())
}

/// Every Exchange role definition (a handful; read once per cmdlet).
pub async fn roles(graph: &GraphClient) -> Result<Vec<RoleDefinition>> {
    list_role_definitions(graph, None)
        .await
        .map_err(|e| needs_permission(e, "RoleManagement.Read.Exchange (or RoleManagement.ReadWrite.Exchange)", "Reading Exchange role definitions"))
}

/// The role `given` names among `roles`: its id, its display name, or its display name without
/// the `Application ` prefix (`Calendars.Read` for `Application Calendars.Read`).
pub fn role<'r>(roles: &'r [RoleDefinition], parameter: &str, given: &str) -> Result<&'r RoleDefinition> {
    let given = given.trim();
    let matches = |r: &RoleDefinition| {
        r.id.eq_ignore_ascii_case(given)
            || r.display_name.eq_ignore_ascii_case(given)
            || r.display_name.strip_prefix("Application ").is_some_and(|short| short.eq_ignore_ascii_case(given))
    };
    let candidates = roles.iter().filter(|r| matches(r)).map(|r| Named::new(&r.id, &r.display_name)).collect();
    let chosen = names::single(parameter, "Exchange role", given, candidates).map_err(|e| with_role_list(e, roles))?;
    Ok(roles.iter().find(|r| r.id == chosen.id).expect("chosen from roles"))
}

/// An unknown role name lists the application roles there are, the most useful hint.
fn with_role_list(error: ExoError, roles: &[RoleDefinition]) -> ExoError {
    match error {
        ExoError::InvalidArgument { parameter, message } if message.starts_with("no ") => {
            let known: Vec<&str> = roles
                .iter()
                .filter(|r| r.display_name.starts_with("Application "))
                .map(|r| r.display_name.as_str())
                .collect();
            ExoError::InvalidArgument { parameter, message: format!("{message}; the application roles are: {}", known.join(", ")) }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(id: &str, name: &str) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            display_name: name.into(),
            description: None,
            permissions: vec![],
            allowed_principal_types: None,
            is_built_in: true,
            is_enabled: true,
        }
    }

    fn catalog() -> Vec<RoleDefinition> {
        vec![
            definition("r1", "Application Calendars.Read"),
            definition("r2", "Application Calendars.ReadWrite"),
            definition("r3", "Organization Management"),
        ]
    }

    #[test]
    fn a_role_is_found_by_full_name_short_name_or_id() {
        let roles = catalog();
        assert_eq!(role(&roles, "Role", "Application Calendars.Read").unwrap().id, "r1");
        assert_eq!(role(&roles, "Role", "calendars.read").unwrap().id, "r1");
        assert_eq!(role(&roles, "Role", "R2").unwrap().id, "r2");
    }

    #[test]
    fn an_unknown_role_lists_the_application_roles() {
        let error = role(&catalog(), "Role", "Calendars.Write").unwrap_err().to_string();
        assert!(error.contains("Application Calendars.Read, Application Calendars.ReadWrite"), "{error}");
        assert!(!error.contains("Organization Management"), "{error}");
    }
}
