//! Apps' Entra application permissions on Microsoft Graph that reach mailboxes (Mail.*,
//! Calendars.*, Contacts.*, MailboxSettings.*): read from each service principal's
//! `appRoleAssignments`, named by the Microsoft Graph resource principal's `appRoles` (ids are
//! read at run time, never hard-coded), and revocable.
//!
//! They matter because they are tenant-wide: an Exchange RBAC scope does not narrow them
//! (grants are additive, exo-rest.md §3.5), only an Application Access Policy does.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The Graph permissions that reach into mailboxes, which Exchange's application roles mirror.
pub const MAILBOX_PERMISSIONS: &[&str] = &[
    "Mail.Read",
    "Mail.ReadBasic",
    "Mail.ReadBasic.All",
    "Mail.ReadWrite",
    "Mail.Send",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
    "Calendars.Read",
    "Calendars.ReadWrite",
    "Contacts.Read",
    "Contacts.ReadWrite",
];

/// A service principal: an app in this tenant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
}

/// One mailbox permission held, with the assignment that grants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub permission: String,
    pub assignment_id: String,
}

/// Graph's resource principal: its object id and its permission names by appRole id.
pub struct GraphResource {
    id: String,
    names: HashMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assignment {
    id: String,
    app_role_id: String,
    resource_id: String,
}

pub async fn principals(graph: &GraphClient) -> Result<Vec<Principal>> {
    graph.list(Version::V1, "servicePrincipals", &[]).await
}

pub async fn graph_resource(graph: &GraphClient) -> Result<GraphResource> {
    let url = graph.url(Version::V1, &format!("servicePrincipals(appId='{GRAPH_APP_ID}')"), &[]);
    let body = graph.send(Method::Get, url.clone(), None).await?;
    let id = body.get("id").and_then(Value::as_str).ok_or_else(|| ExoError::Protocol {
        url: url.to_string(),
        message: "the Microsoft Graph service principal has no id".into(),
    })?;
    let names = body
        .get("appRoles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r.get("id")?.as_str()?.to_ascii_lowercase(), r.get("value")?.as_str()?.to_string())))
        .collect();
    Ok(GraphResource { id: id.to_string(), names })
}

/// The mailbox permissions `principal` holds on Microsoft Graph.
pub async fn mailbox_grants(graph: &GraphClient, resource: &GraphResource, principal: &str) -> Result<Vec<Grant>> {
    let path = format!("servicePrincipals/{}/appRoleAssignments", segment(principal));
    let assignments: Vec<Assignment> = graph.list(Version::V1, &path, &[]).await?;
    let mut grants: Vec<Grant> = assignments
        .into_iter()
        .filter(|a| a.resource_id.eq_ignore_ascii_case(&resource.id))
        .filter_map(|a| {
            let name = resource.names.get(&a.app_role_id.to_ascii_lowercase())?;
            MAILBOX_PERMISSIONS.contains(&name.as_str()).then(|| Grant { permission: name.clone(), assignment_id: a.id })
        })
        .collect();
    grants.sort_by(|a, b| a.permission.cmp(&b.permission));
    Ok(grants)
}

/// Removes one permission from an app (its admin consent, tenant-wide).
pub async fn revoke(graph: &GraphClient, principal: &str, assignment_id: &str) -> Result<()> {
    let path = format!("servicePrincipals/{}/appRoleAssignments/{}", segment(principal), segment(assignment_id));
    graph.send(Method::Delete, graph.url(Version::V1, &path, &[]), None).await?;
    Ok(())
}
