//! Exchange role definitions (`Get-ExchangeAppRoleDefinition`).

use serde::Deserialize;

use crate::error::Result;
use crate::graph::{GraphClient, Version};
use crate::ops::{self, Record};
use crate::session;

/// An Exchange role definition as an admin reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// The Graph permissions (application roles) or cmdlets (management roles) it allows.
    pub permissions: Vec<String>,
    pub allowed_principal_types: Option<String>,
    pub is_built_in: bool,
    pub is_enabled: bool,
}

/// `unifiedRoleDefinition` as Graph beta returns it (the fields ExoKit reads).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphRoleDefinition {
    id: String,
    #[serde(default)]
    display_name: String,
    description: Option<String>,
    #[serde(default)]
    role_permissions: Vec<GraphRolePermission>,
    allowed_principal_types: Option<String>,
    #[serde(default)]
    is_built_in: bool,
    #[serde(default = "yes")]
    is_enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphRolePermission {
    #[serde(default)]
    allowed_resource_actions: Vec<String>,
}

impl From<GraphRoleDefinition> for RoleDefinition {
    fn from(g: GraphRoleDefinition) -> Self {
        RoleDefinition {
            id: g.id,
            display_name: g.display_name,
            description: g.description,
            permissions: g.role_permissions.into_iter().flat_map(|p| p.allowed_resource_actions).collect(),
            allowed_principal_types: g.allowed_principal_types,
            is_built_in: g.is_built_in,
            is_enabled: g.is_enabled,
        }
    }
}

/// Lists `roleManagement/exchange/roleDefinitions`, with an optional OData `$filter`.
pub async fn list_role_definitions(graph: &GraphClient, filter: Option<&str>) -> Result<Vec<RoleDefinition>> {
    let query: Vec<(&str, &str)> = filter.filter(|f| !f.trim().is_empty()).map(|f| ("$filter", f)).into_iter().collect();
    let found: Vec<GraphRoleDefinition> =
        graph.list(Version::Beta, "roleManagement/exchange/roleDefinitions", &query).await?;
    Ok(found.into_iter().map(RoleDefinition::from).collect())
}

/// The operation behind `Get-ExchangeAppRoleDefinition`: one record per definition.
pub async fn get_role_definitions(filter: Option<String>) -> Result<()> {
    let session = session::current()?;
    ops::progress("Get-ExchangeAppRoleDefinition", "Reading Exchange role definitions", None);
    let definitions = list_role_definitions(&session.graph, filter.as_deref()).await?;
    ops::verbose(format!("{} role definition(s)", definitions.len()));
    for definition in definitions {
        ops::record(Record::RoleDefinition(definition));
    }
    Ok(())
}
