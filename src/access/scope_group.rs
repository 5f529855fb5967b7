//! `New-ExchangeAppScopeGroup -Name -Member`: the mail-enabled security group an Application
//! Access Policy (or a `MemberOfGroup` management scope) is scoped to, with its members, in one
//! idempotent step. Graph cannot create mail-enabled security groups (exo-rest.md §3.4), so
//! this is Exchange's New-DistributionGroup -Type Security.

use serde_json::{Value, json};

use crate::error::{ExoError, Result};
use crate::exo::{self, ExoClient, parameters, switch};
use crate::ops;
use crate::session;

const SECURITY_GROUP: &str = "MailUniversalSecurityGroup";

/// The group after the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGroup {
    pub name: String,
    pub primary_smtp_address: String,
    /// The directory object id (`ExternalDirectoryObjectId`), what Graph and RBAC scopes use.
    pub id: String,
    pub distinguished_name: String,
    /// Every member, by primary SMTP address.
    pub members: Vec<String>,
    /// The members this call added.
    pub added: Vec<String>,
    pub created: bool,
}

pub async fn new(name: String, members: Vec<String>) -> Result<()> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(ExoError::invalid_argument("Name", "is empty"));
    }
    let client = session::current()?.exo.clone();
    let group = ensure(&client, &name, &members).await?;
    ops::record(ops::Record::ScopeGroup(group));
    Ok(())
}

/// Creates the group with `members`, or adds the missing ones to the existing group.
pub async fn ensure(client: &ExoClient, name: &str, members: &[String]) -> Result<ScopeGroup> {
    let (row, created) = match find(client, name).await? {
        Some(row) => (row, false),
        None => {
            ops::verbose(format!("Creating the mail-enabled security group '{name}' with {} members", members.len()));
            let params = parameters([
                ("Name", Some(json!(name))),
                ("Type", Some(json!("Security"))),
                ("Members", (!members.is_empty()).then(|| json!(members))),
            ]);
            client.invoke("New-DistributionGroup", params).await?;
            // A new group can come back without its DistinguishedName: read it again (§1.4).
            let row = find(client, name).await?.ok_or_else(|| ExoError::Protocol {
                url: "Get-DistributionGroup".into(),
                message: format!("the group '{name}' was created but cannot be read back"),
            })?;
            (row, true)
        }
    };
    let kind = text(&row, "RecipientTypeDetails");
    if kind != SECURITY_GROUP {
        return Err(ExoError::invalid_argument(
            "Name",
            format!("'{name}' exists as a {kind}; an access policy or a MemberOfGroup scope needs a mail-enabled security group, so choose another name"),
        ));
    }
    let identity = text(&row, "PrimarySmtpAddress");
    let current = list_members(client, &identity).await?;
    let mut added = Vec::new();
    if !created {
        for member in members.iter().filter(|m| !current.iter().any(|row| is_member(row, m))) {
            add(client, &identity, member).await?;
            added.push(member.clone());
        }
    } else {
        added = members.to_vec();
    }
    let members = list_members(client, &identity).await?.iter().map(|m| text(m, "PrimarySmtpAddress")).collect();
    Ok(ScopeGroup {
        name: text(&row, "Name"),
        primary_smtp_address: identity,
        id: text(&row, "ExternalDirectoryObjectId"),
        distinguished_name: text(&row, "DistinguishedName"),
        members,
        added,
        created,
    })
}

async fn find(client: &ExoClient, name: &str) -> Result<Option<Value>> {
    match client.invoke("Get-DistributionGroup", parameters([("Identity", Some(json!(name)))])).await {
        Ok(rows) => Ok(rows.into_iter().next()),
        Err(e) if exo::is(&e, exo::NOT_FOUND) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn list_members(client: &ExoClient, group: &str) -> Result<Vec<Value>> {
    let params = parameters([("Identity", Some(json!(group))), ("ResultSize", Some(json!("Unlimited")))]);
    client.invoke("Get-DistributionGroupMember", params).await
}

/// Adds one member; one added meanwhile by someone else is not an error.
async fn add(client: &ExoClient, group: &str, member: &str) -> Result<()> {
    ops::verbose(format!("Adding {member} to {group}"));
    let params = parameters([
        ("Identity", Some(json!(group))),
        ("Member", Some(json!(member))),
        // App-only callers are never the group's manager (exo-rest.md §3.4).
        ("BypassSecurityGroupManagerCheck", switch(true)),
    ]);
    match client.invoke("Add-DistributionGroupMember", params).await {
        Err(e) if exo::is(&e, exo::ALREADY_MEMBER) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Whether a member row is the recipient an admin named (address, name, alias or id).
pub fn is_member(row: &Value, named: &str) -> bool {
    let named = named.trim();
    ["PrimarySmtpAddress", "WindowsLiveID", "UserPrincipalName", "Name", "Alias", "ExternalDirectoryObjectId", "Guid", "Identity"]
        .iter()
        .any(|key| row.get(*key).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(named)))
}

fn text(row: &Value, key: &str) -> String {
    row.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_recognised_by_any_of_their_names() {
        let row = json!({"PrimarySmtpAddress": "Alice@contoso.com", "Name": "alice", "ExternalDirectoryObjectId": "a1"});
        assert!(is_member(&row, "alice@contoso.com"));
        assert!(is_member(&row, " A1 "));
        assert!(!is_member(&row, "bob@contoso.com"));
    }
}
