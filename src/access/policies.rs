//! Application Access Policies (exo-rest.md §3.1): `New-/Get-/Set-/Remove-/Test-
//! ExchangeAppAccessPolicy` over Exchange's own `*-ApplicationAccessPolicy` cmdlets.
//!
//! Two of Exchange's habits are hidden here: a tenant with no policy answers "not found" instead
//! of an empty list, and `-Identity` that matches nothing lists every policy. ExoKit answers an
//! empty list and an error naming the identity.

use serde_json::{Value, json};

use crate::error::{ExoError, Result};
use crate::exo::{self, ExoClient, parameters};
use crate::ops;
use crate::session;

/// `RestrictAccess` or `DenyAccess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessRight {
    Restrict,
    Deny,
}

impl AccessRight {
    pub fn parse(text: &str) -> Result<AccessRight> {
        match text.trim().to_ascii_lowercase().as_str() {
            "restrictaccess" | "restrict" => Ok(AccessRight::Restrict),
            "denyaccess" | "deny" => Ok(AccessRight::Deny),
            _ => Err(ExoError::invalid_argument("AccessRight", format!("'{text}' is not RestrictAccess or DenyAccess"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccessRight::Restrict => "RestrictAccess",
            AccessRight::Deny => "DenyAccess",
        }
    }
}

/// One policy, as Get-ApplicationAccessPolicy shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPolicy {
    pub identity: String,
    pub app_id: String,
    pub access_right: AccessRight,
    /// The scope group's name and its directory id (the part after `;` in `ScopeIdentityRaw`).
    pub scope_name: String,
    pub scope_id: Option<String>,
    pub description: String,
    pub is_valid: bool,
}

impl AccessPolicy {
    /// Reads a row; a row without an identity, app or access right is Exchange's fault, named.
    pub fn from_row(row: &Value) -> Result<AccessPolicy> {
        let text = |key: &str| row.get(key).and_then(Value::as_str).map(str::to_string);
        let missing = |key: &str| ExoError::Protocol {
            url: "Get-ApplicationAccessPolicy".into(),
            message: format!("a policy row has no {key}: {row}"),
        };
        // AppId is a list in some answers (`New-` takes several), a string in others.
        let app_id = match row.get("AppId") {
            Some(Value::Array(ids)) => ids.first().and_then(Value::as_str).map(str::to_string),
            other => other.and_then(Value::as_str).map(str::to_string),
        }
        .ok_or_else(|| missing("AppId"))?;
        let scope_id = text("ScopeIdentityRaw").and_then(|raw| raw.rsplit(';').next().map(str::to_string));
        Ok(AccessPolicy {
            identity: text("Identity").ok_or_else(|| missing("Identity"))?,
            app_id,
            access_right: AccessRight::parse(&text("AccessRight").ok_or_else(|| missing("AccessRight"))?)?,
            scope_name: text("ScopeName").or_else(|| text("ScopeIdentity")).unwrap_or_default(),
            scope_id,
            description: text("Description").unwrap_or_default(),
            is_valid: row.get("IsValid").and_then(Value::as_bool).unwrap_or(true),
        })
    }
}

/// Test-ApplicationAccessPolicy's verdict for one app and mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessCheck {
    pub app_id: String,
    pub mailbox: String,
    pub granted: bool,
}

/// Every policy of the tenant (an empty list when it has none).
pub async fn list(client: &ExoClient) -> Result<Vec<AccessPolicy>> {
    match client.invoke("Get-ApplicationAccessPolicy", parameters([])).await {
        Ok(rows) => rows.iter().map(AccessPolicy::from_row).collect(),
        Err(e) if exo::is(&e, exo::NOT_FOUND) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Exchange's verdict (policies only; Entra grants and RBAC are not its business).
pub async fn check(client: &ExoClient, app_id: &str, mailbox: &str) -> Result<AccessCheck> {
    let params = parameters([("Identity", Some(json!(mailbox))), ("AppId", Some(json!(app_id)))]);
    let rows = client.invoke("Test-ApplicationAccessPolicy", params).await?;
    let row = rows.first().ok_or_else(|| ExoError::Protocol {
        url: "Test-ApplicationAccessPolicy".into(),
        message: format!("no result for app {app_id} and mailbox {mailbox}"),
    })?;
    // `Granted`/`Denied`, or a boolean in some answers (azapptoolkit's models.rs).
    let granted = match row.get("AccessCheckResult") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("Granted"),
        Some(Value::Bool(b)) => *b,
        _ => false,
    };
    Ok(AccessCheck { app_id: app_id.to_string(), mailbox: mailbox.to_string(), granted })
}

/// `Get-ExchangeAppAccessPolicy [-Identity] [-AppId]`.
pub async fn get(identity: Option<String>, app_id: Option<String>) -> Result<()> {
    let client = session::current()?.exo.clone();
    let all = list(&client).await?;
    // An identity that matches nothing is an ObjectNotFound error for it, not a stop.
    let chosen = ops::item(identity.as_deref().unwrap_or_default(), select(all, identity.as_deref(), app_id.as_deref()))?;
    for policy in chosen.unwrap_or_default() {
        ops::record(ops::Record::AccessPolicy(policy));
    }
    Ok(())
}

/// The policies matching an identity (exactly, case-insensitively) and an app; an identity that
/// matches nothing is an error, not "all of them".
fn select(all: Vec<AccessPolicy>, identity: Option<&str>, app_id: Option<&str>) -> Result<Vec<AccessPolicy>> {
    let chosen: Vec<AccessPolicy> = all
        .into_iter()
        .filter(|p| identity.is_none_or(|i| p.identity.eq_ignore_ascii_case(i.trim())))
        .filter(|p| app_id.is_none_or(|a| p.app_id.eq_ignore_ascii_case(a.trim())))
        .collect();
    match identity {
        Some(identity) if chosen.is_empty() => Err(ExoError::NotFound { what: "Application Access Policy".into(), identity: identity.trim().into() }),
        _ => Ok(chosen),
    }
}

/// What `New-ExchangeAppAccessPolicy` was given.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub app_ids: Vec<String>,
    pub scope_group: String,
    pub access_right: AccessRight,
    pub description: Option<String>,
}

/// `New-ExchangeAppAccessPolicy`: one policy per app (Exchange's `-AppId` takes several).
pub async fn new(request: NewPolicy) -> Result<()> {
    if request.app_ids.is_empty() {
        return Err(ExoError::invalid_argument("AppId", "is empty"));
    }
    if request.scope_group.trim().is_empty() {
        return Err(ExoError::invalid_argument("PolicyScopeGroupId", "is empty"));
    }
    let client = session::current()?.exo.clone();
    let params = parameters([
        ("AppId", Some(json!(request.app_ids))),
        ("PolicyScopeGroupId", Some(json!(request.scope_group))),
        ("AccessRight", Some(json!(request.access_right.as_str()))),
        ("Description", request.description.map(Value::String)),
    ]);
    let rows = client.invoke("New-ApplicationAccessPolicy", params).await?;
    for row in &rows {
        ops::record(ops::Record::AccessPolicy(AccessPolicy::from_row(row)?));
    }
    Ok(())
}

/// `Set-ExchangeAppAccessPolicy -Identity -Description` (the only thing Exchange lets change).
pub async fn set(identity: String, description: String) -> Result<()> {
    let client = session::current()?.exo.clone();
    let params = parameters([("Identity", Some(json!(identity))), ("Description", Some(json!(description)))]);
    client.invoke("Set-ApplicationAccessPolicy", params).await?;
    Ok(())
}

/// `Remove-ExchangeAppAccessPolicy -Identity`.
pub async fn remove(identity: String) -> Result<()> {
    let client = session::current()?.exo.clone();
    remove_with(&client, &identity).await
}

pub async fn remove_with(client: &ExoClient, identity: &str) -> Result<()> {
    let params = parameters([("Identity", Some(json!(identity))), ("Confirm", Some(json!(false)))]);
    client.invoke("Remove-ApplicationAccessPolicy", params).await?;
    Ok(())
}

/// `Test-ExchangeAppAccessPolicy -AppId -Mailbox`: one verdict per mailbox; a mailbox Exchange
/// cannot find is a non-terminating error and the others go on.
pub async fn test(app_id: String, mailboxes: Vec<String>) -> Result<()> {
    let client = session::current()?.exo.clone();
    for mailbox in mailboxes {
        match check(&client, &app_id, &mailbox).await {
            Ok(verdict) => ops::record(ops::Record::AccessCheck(verdict)),
            Err(e) if exo::is(&e, exo::NOT_FOUND) => ops::error(e),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(identity: &str, app: &str) -> AccessPolicy {
        AccessPolicy {
            identity: identity.into(),
            app_id: app.into(),
            access_right: AccessRight::Restrict,
            scope_name: "g".into(),
            scope_id: None,
            description: String::new(),
            is_valid: true,
        }
    }

    #[test]
    fn rows_read_both_app_id_shapes_and_the_scope_object_id() {
        let row = json!({"Identity": "t\\a:S-1;g", "AppId": ["a"], "AccessRight": "DenyAccess", "ScopeName": "Scoped", "ScopeIdentityRaw": "S-1-5;0000-g", "IsValid": false});
        let p = AccessPolicy::from_row(&row).unwrap();
        assert_eq!((p.app_id.as_str(), p.access_right, p.scope_id.as_deref(), p.is_valid), ("a", AccessRight::Deny, Some("0000-g"), false));
        let err = AccessPolicy::from_row(&json!({"Identity": "x", "AccessRight": "DenyAccess"})).unwrap_err().to_string();
        assert!(err.contains("AppId"), "{err}");
    }

    #[test]
    fn an_identity_matching_nothing_is_an_error_not_everything() {
        let all = vec![policy("one", "a"), policy("two", "b")];
        assert_eq!(select(all.clone(), Some("TWO"), None).unwrap(), vec![policy("two", "b")]);
        assert_eq!(select(all.clone(), None, Some("a")).unwrap(), vec![policy("one", "a")]);
        let err = select(all, Some("three"), None).unwrap_err();
        assert_eq!((err.error_id().as_str(), err.category(), err.target().as_deref()), ("ExoKit.NotFound", "ObjectNotFound", Some("three")));
    }

    #[test]
    fn access_rights_parse_leniently_and_name_bad_values() {
        assert_eq!(AccessRight::parse("denyaccess").unwrap(), AccessRight::Deny);
        assert!(AccessRight::parse("Allow").unwrap_err().to_string().contains("AccessRight"));
    }
}
