//! Directory users: resolving one given as id or UPN, and listing the licensed ones.

use serde::Deserialize;

use crate::error::{ExoError, Result};
use crate::graph::{GraphClient, Version, segment};
use crate::http::Method;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: String,
}

/// A user by object id or user principal name.
pub async fn resolve(graph: &GraphClient, id_or_upn: &str) -> Result<User> {
    let url = graph.url(Version::V1, &format!("/users/{}", segment(id_or_upn)), &[("$select", "id,userPrincipalName")]);
    let answer = graph.send(Method::Get, url.clone(), None).await?;
    serde_json::from_value(answer).map_err(|e| ExoError::Protocol { url: url.to_string(), message: format!("the user is not the expected JSON ({e})") })
}

/// Every user with at least one licence. `ne` inside `any` is an advanced query: without
/// `ConsistencyLevel: eventual` and `$count=true` its second page fails on real tenants
/// (graph-contact-semantics §10; the original script's O-bug).
pub async fn licensed(graph: &GraphClient) -> Result<Vec<User>> {
    let query = [
        ("$select", "id,userPrincipalName"),
        ("$filter", "assignedLicenses/any(x:x/skuId ne null)"),
        ("$count", "true"),
        ("$top", "999"),
    ];
    graph.list_with_headers(Version::V1, "/users", &query, &[("consistencylevel", "eventual")]).await
}
