//! Entra application permissions as Graph shows them: `appRoleAssignments` of a service
//! principal on the Microsoft Graph (or Office 365 Exchange Online) resource principal, whose
//! `appRoles` name them. A seeded app's `roles` are its assignments; deleting one revokes the
//! permission for tokens issued afterwards (tokens already issued keep their `roles` claim, as
//! Entra's do until they expire).

use serde_json::{Value, json};
use uuid::Uuid;

pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";
/// The resource principals' object ids in every sandbox tenant.
pub const GRAPH_RESOURCE_ID: &str = "5b0b3f5e-0000-4000-8000-00000000c0de";
pub const EXCHANGE_RESOURCE_ID: &str = "5b0b3f5e-0000-4000-8000-0000000e0c0d";

/// Microsoft Graph application permissions whose ids graph-api.md records; any other permission
/// gets a stable id derived from its name (clients must read `appRoles`, never hard-code ids).
const KNOWN: &[(&str, &str)] = &[
    ("Contacts.ReadWrite", "6918b873-d17a-4dc1-b314-35f528134491"),
    ("Calendars.Read", "798ee544-9d2d-430c-a058-570e29e34338"),
    ("Calendars.ReadWrite", "ef54d2bf-783f-4e0f-bca1-3210c0444d99"),
    ("RoleManagement.ReadWrite.Exchange", "025d3225-3f02-4882-b4c0-cd5b541a4e80"),
    ("Exchange.ManageAsApp", "dc50a0fb-09a3-484d-be87-e023b12c6440"),
];

/// Graph permissions the resource principal lists besides the ones seeds grant.
const LISTED: &[&str] = &[
    "Mail.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.Read",
    "MailboxSettings.ReadWrite", "Calendars.Read", "Calendars.ReadWrite", "Contacts.Read",
    "Contacts.ReadWrite", "User.Read.All", "Application.ReadWrite.All", "Group.ReadWrite.All",
    "RoleManagement.ReadWrite.Exchange",
];

pub fn role_id(value: &str) -> String {
    KNOWN
        .iter()
        .find(|(v, _)| v.eq_ignore_ascii_case(value))
        .map(|(_, id)| id.to_string())
        .unwrap_or_else(|| stable_uuid(value))
}

/// A UUID that is the same for the same text (FNV-1a, 128 bits).
fn stable_uuid(text: &str) -> String {
    let hash = text.bytes().fold(0x6c62272e07bb014262b821756295c58du128, |h, b| {
        (h ^ b as u128).wrapping_mul(0x0000000001000000000000000000013B)
    });
    Uuid::from_u128(hash).to_string()
}

/// The resource a permission belongs to: `Exchange.ManageAsApp` is Exchange Online's.
pub fn resource_of(value: &str) -> (&'static str, &'static str) {
    if value == "Exchange.ManageAsApp" {
        (EXCHANGE_RESOURCE_ID, "Office 365 Exchange Online")
    } else {
        (GRAPH_RESOURCE_ID, "Microsoft Graph")
    }
}

/// The stable id of an app's assignment of one permission.
pub fn assignment_id(principal_id: &str, value: &str) -> String {
    stable_uuid(&format!("{principal_id}/{value}"))
}

pub fn assignment_json(principal_id: &str, principal_name: &str, value: &str) -> Value {
    let (resource_id, resource_name) = resource_of(value);
    json!({
        "id": assignment_id(principal_id, value),
        "deletedDateTime": null,
        "appRoleId": role_id(value),
        "createdDateTime": "2026-01-01T00:00:00Z",
        "principalDisplayName": principal_name,
        "principalId": principal_id,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": resource_name,
        "resourceId": resource_id,
    })
}

/// The Microsoft Graph or Exchange Online resource principal, with its `appRoles`.
pub fn resource_principal_json(app_id: &str, tenant_id: &str) -> Option<Value> {
    let (id, name, roles): (&str, &str, Vec<&str>) = if app_id.eq_ignore_ascii_case(GRAPH_APP_ID) {
        (GRAPH_RESOURCE_ID, "Microsoft Graph", LISTED.to_vec())
    } else if app_id.eq_ignore_ascii_case(EXCHANGE_APP_ID) {
        (EXCHANGE_RESOURCE_ID, "Office 365 Exchange Online", vec!["Exchange.ManageAsApp"])
    } else {
        return None;
    };
    let app_roles: Vec<Value> = roles
        .iter()
        .map(|value| {
            json!({"id": role_id(value), "value": value, "displayName": value, "allowedMemberTypes": ["Application"], "isEnabled": true, "origin": "Application"})
        })
        .collect();
    Some(json!({
        "id": id, "appId": app_id, "displayName": name, "appDisplayName": name,
        "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "servicePrincipalType": "Application",
        "appRoles": app_roles, "accountEnabled": true, "tags": [], "keyCredentials": [], "passwordCredentials": [],
        "servicePrincipalNames": [app_id], "signInAudience": "AzureADMultipleOrgs", "deletedDateTime": null,
        "createdDateTime": "2016-01-01T00:00:00Z", "appOwnerTenant": tenant_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_are_graphs_and_others_are_stable() {
        assert_eq!(role_id("Calendars.Read"), "798ee544-9d2d-430c-a058-570e29e34338");
        assert_eq!(role_id("Mail.Read"), role_id("Mail.Read"));
        assert_ne!(role_id("Mail.Read"), role_id("Mail.Send"));
        let graph = resource_principal_json(GRAPH_APP_ID, "t").unwrap();
        assert!(graph["appRoles"].as_array().unwrap().iter().any(|r| r["value"] == "Mail.Read" && r["id"] == role_id("Mail.Read")));
        assert!(resource_principal_json("other", "t").is_none());
    }
}
