//! `ConvertTo-ExchangeAppRoleAssignment`: Application Access Policies → RBAC for Applications,
//! Deny included.
//!
//! Per app, the policies become one management scope: RestrictAccess groups are OR'ed as
//! `MemberOfGroup -eq '<DN>'`, DenyAccess groups are AND'ed as `MemberOfGroup -ne '<DN>'` (Deny
//! beats Restrict, as in the policies). Each of the app's Entra mailbox permissions becomes the
//! matching "Application <permission>" role on that scope, and the Entra permission itself is
//! revoked in the same plan: RBAC grants are additive, so a tenant-wide Entra permission would
//! otherwise keep reaching every mailbox (exo-rest.md §3.5). Nothing is taken away (Entra
//! permissions, and with `-RemovePolicy` the policies) until the RBAC assignments alone give every
//! app × mailbox the verdict it had before the migration.
//!
//! [`plan`] is pure; [`convert`] gathers, plans, and applies in order.

use serde_json::{Value, json};

use super::audit::{self, App};
use super::entra;
use super::policies::{self, AccessRight};
use crate::error::{ExoError, Result};
use crate::exo::{self, ExoClient, parameters};
use crate::ops;
use crate::session::{self, Session};

/// One step of the migration plan, as the cmdlet writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub order: u32,
    pub app_id: String,
    /// The cmdlet or Graph call the step makes.
    pub action: String,
    pub target: String,
    pub detail: String,
    /// `Planned` (-WhatIf), `Done`, `Skipped` or `Failed`.
    pub status: String,
}

/// What `ConvertTo-ExchangeAppRoleAssignment` was given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Policy identities; empty: every policy.
    pub policies: Vec<String>,
    /// The mailboxes the before/after check compares; empty: every mailbox.
    pub mailboxes: Vec<String>,
    pub what_if: bool,
    pub remove_policy: bool,
}

/// A policy's scope group as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGroup {
    pub distinguished_name: String,
    /// Members that are groups: an RBAC `MemberOfGroup` scope sees direct members only, while the
    /// policy counted theirs too.
    pub nested_groups: Vec<String>,
}

/// A change to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Exchange's pointer to the app's service principal (New-ServicePrincipal).
    ServicePrincipal { app_id: String, object_id: String, display_name: String },
    Scope { app_id: String, name: String, filter: String },
    Assignment { app_id: String, role: String, scope: String },
    RevokeEntra { app_id: String, principal_id: String, assignment_id: String, permission: String },
    RemovePolicy { app_id: String, identity: String },
}

impl Change {
    /// Additions first, then revocations, then removals (a stable sort keeps each app's order).
    fn phase(&self) -> u8 {
        match self {
            Change::ServicePrincipal { .. } => 0,
            Change::Scope { .. } => 1,
            Change::Assignment { .. } => 2,
            Change::RevokeEntra { .. } => 3,
            Change::RemovePolicy { .. } => 4,
        }
    }

    fn step(&self, order: u32, status: &str) -> Step {
        let (app_id, action, target, detail) = match self {
            Change::ServicePrincipal { app_id, object_id, display_name } => {
                (app_id, "New-ServicePrincipal", display_name.clone(), format!("ObjectId {object_id}"))
            }
            Change::Scope { app_id, name, filter } => (app_id, "New-ManagementScope", name.clone(), filter.clone()),
            Change::Assignment { app_id, role, scope } => (app_id, "New-ManagementRoleAssignment", role.clone(), format!("CustomResourceScope {scope}")),
            Change::RevokeEntra { app_id, permission, .. } => {
                (app_id, "Remove Entra permission", permission.clone(), "tenant-wide admin consent on Microsoft Graph".into())
            }
            Change::RemovePolicy { app_id, identity } => (app_id, "Remove-ApplicationAccessPolicy", identity.clone(), String::new()),
        };
        Step { order, app_id: app_id.clone(), action: action.into(), target, detail, status: status.into() }
    }
}

/// Escapes a value inside an OPATH single-quoted literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The scope filter of one app's policies: `(R1 -or R2) -and -not D1 …`.
pub fn filter(restrict: &[&str], deny: &[&str]) -> String {
    let mut parts = Vec::new();
    let allowed: Vec<String> = restrict.iter().map(|dn| format!("MemberOfGroup -eq {}", quoted(dn))).collect();
    match allowed.len() {
        0 => {}
        1 => parts.push(allowed[0].clone()),
        _ => parts.push(format!("({})", allowed.join(" -or "))),
    }
    parts.extend(deny.iter().map(|dn| format!("MemberOfGroup -ne {}", quoted(dn))));
    parts.join(" -and ")
}

/// The end of an app id: enough to tell apps apart in a name Exchange caps at 64 characters.
fn id_tail(app_id: &str) -> &str {
    &app_id[app_id.len().saturating_sub(12)..]
}

/// The scope's name (at most 64 characters, the id last so truncation keeps names apart).
fn scope_name(app: &App) -> String {
    let tail = id_tail(&app.principal.app_id);
    let room = 64 - "ExoKit  ".len() - tail.len();
    let display: String = app.principal.display_name.chars().take(room).collect();
    format!("ExoKit {display} {tail}")
}

/// An assignment's name, fixed so a rerun finds it instead of adding a second one.
fn assignment_name(app_id: &str, permission: &str) -> String {
    format!("ExoKit {permission} {}", id_tail(app_id))
}

/// The plan for one app, pure: its changes and the warnings to show. `groups` gives each
/// policy's scope group (by policy identity); a policy scoped to a single mailbox, or an app
/// without an Entra mailbox permission to move, is an error naming it.
pub fn plan(app: &App, groups: &[(String, Option<ScopeGroup>)], has_pointer: bool, remove_policy: bool) -> Result<(Vec<Change>, Vec<String>)> {
    let app_id = app.principal.app_id.clone();
    if app.grants.is_empty() && has_pointer && remove_policy {
        // A rerun after the permissions were revoked: only the policies are left to remove
        // (still after the access check).
        let removals = app.policies.iter().map(|p| Change::RemovePolicy { app_id: app_id.clone(), identity: p.identity.clone() }).collect();
        return Ok((removals, Vec::new()));
    }
    if app.grants.is_empty() {
        return Err(ExoError::invalid_argument("InputObject", format!("app {app_id} ({}) holds no Entra mailbox permission: its policies restrict nothing, so there is nothing to convert", app.principal.display_name)));
    }
    let mut restrict = Vec::new();
    let mut deny = Vec::new();
    let mut warnings = Vec::new();
    for policy in &app.policies {
        let group = groups.iter().find(|(identity, _)| identity == &policy.identity).and_then(|(_, g)| g.as_ref());
        let Some(group) = group else {
            return Err(ExoError::invalid_argument(
                "InputObject",
                format!("the policy '{}' is scoped to '{}', which is not a group; RBAC needs a group or a management scope, so scope it to a mail-enabled security group first", policy.identity, policy.scope_name),
            ));
        };
        if !group.nested_groups.is_empty() {
            warnings.push(format!(
                "The group '{}' of policy '{}' contains groups ({}): the policy counted their members, a MemberOfGroup scope counts direct members only. Add those members directly, or the access check stops the migration before anything is revoked.",
                policy.scope_name, policy.identity, group.nested_groups.join(", ")
            ));
        }
        match policy.access_right {
            AccessRight::Restrict => restrict.push(group.distinguished_name.as_str()),
            AccessRight::Deny => deny.push(group.distinguished_name.as_str()),
        }
    }
    let scope = scope_name(app);
    let mut changes = Vec::new();
    if !has_pointer {
        changes.push(Change::ServicePrincipal { app_id: app_id.clone(), object_id: app.principal.id.clone(), display_name: app.principal.display_name.clone() });
    }
    changes.push(Change::Scope { app_id: app_id.clone(), name: scope.clone(), filter: filter(&restrict, &deny) });
    for grant in &app.grants {
        changes.push(Change::Assignment { app_id: app_id.clone(), role: format!("Application {}", grant.permission), scope: scope.clone() });
    }
    for grant in &app.grants {
        changes.push(Change::RevokeEntra {
            app_id: app_id.clone(),
            principal_id: app.principal.id.clone(),
            assignment_id: grant.assignment_id.clone(),
            permission: grant.permission.clone(),
        });
    }
    if remove_policy {
        changes.extend(app.policies.iter().map(|p| Change::RemovePolicy { app_id: app_id.clone(), identity: p.identity.clone() }));
    }
    Ok((changes, warnings))
}

/// `ConvertTo-ExchangeAppRoleAssignment`.
pub async fn convert(options: Options) -> Result<()> {
    let session = session::current()?;
    let all = policies::list(&session.exo).await?;
    let chosen = choose_policies(all, &options.policies)?;
    let app_ids: Vec<String> = dedup(chosen.iter().map(|p| p.app_id.clone()).collect());
    let mut apps = audit::gather(&session, &app_ids).await?;
    for policy in chosen.iter().filter(|p| !apps.iter().any(|a| a.principal.app_id.eq_ignore_ascii_case(&p.app_id))) {
        ops::warning(format!(
            "The policy '{}' is left as it is: its app {} holds no Entra mailbox permission and has no Exchange RBAC pointer, so it restricts nothing.",
            policy.identity, policy.app_id
        ));
    }
    for app in &mut apps {
        // Only the chosen policies move; the app's others stay as they are.
        app.policies.retain(|p| chosen.iter().any(|c| c.identity == p.identity));
    }
    let pointers: Vec<bool> = apps.iter().map(|a| a.exchange_pointer).collect();
    let mut changes = Vec::new();
    for (app, has_pointer) in apps.iter().zip(pointers) {
        let groups = scope_groups(&session.exo, app).await?;
        let (planned, warnings) = plan(app, &groups, has_pointer, options.remove_policy)?;
        warnings.into_iter().for_each(ops::warning);
        changes.extend(planned);
    }
    // Every app's assignments exist before anything is taken away from any app.
    changes.sort_by_key(Change::phase);
    if options.what_if {
        for (i, change) in changes.iter().enumerate() {
            ops::record(ops::Record::MigrationStep(change.step(order(i), "Planned")));
        }
        return Ok(());
    }
    let mailboxes = audit::mailboxes(&session.exo, options.mailboxes).await?;
    let before = audit::evaluate(&session, &apps, &mailboxes).await?;
    apply(&session, &apps, &mailboxes, &before, &changes).await
}

async fn apply(session: &Session, apps: &[App], mailboxes: &[String], before: &[audit::AccessRow], changes: &[Change]) -> Result<()> {
    let mut checked = false;
    for (i, change) in changes.iter().enumerate() {
        // Nothing is taken away (Entra permissions, policies) until the RBAC assignments alone
        // are shown to give every mailbox the verdict it had.
        if matches!(change, Change::RevokeEntra { .. } | Change::RemovePolicy { .. }) && !checked {
            check_same_access(session, apps, mailboxes, before).await?;
            checked = true;
        }
        ops::progress("ConvertTo-ExchangeAppRoleAssignment", change.step(order(i), "").action, Some(u8::try_from(i * 100 / changes.len()).unwrap_or(100)));
        match run(session, change).await {
            Ok(()) => ops::record(ops::Record::MigrationStep(change.step(order(i), "Done"))),
            Err(e) => {
                ops::record(ops::Record::MigrationStep(change.step(order(i), "Failed")));
                return Err(e);
            }
        }
    }
    Ok(())
}

fn order(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

async fn run(session: &Session, change: &Change) -> Result<()> {
    let exo = &session.exo;
    match change {
        Change::ServicePrincipal { app_id, object_id, display_name } => {
            let params = parameters([("AppId", Some(json!(app_id))), ("ObjectId", Some(json!(object_id))), ("DisplayName", Some(json!(display_name)))]);
            exo.invoke("New-ServicePrincipal", params).await.map(drop)
        }
        Change::Scope { name, filter, .. } => {
            let params = parameters([("Name", Some(json!(name))), ("RecipientRestrictionFilter", Some(json!(filter)))]);
            match exo.invoke("New-ManagementScope", params).await {
                // A rerun after a partial failure: the scope is there; check it is the same one.
                Err(e) if exo::is(&e, exo::ALREADY_EXISTS) => same_scope(exo, name, filter).await,
                other => other.map(drop),
            }
        }
        Change::Assignment { app_id, role, scope } => {
            let name = assignment_name(app_id, role.trim_start_matches("Application "));
            let params = parameters([
                ("Name", Some(json!(name))),
                ("App", Some(json!(app_id))),
                ("Role", Some(json!(role))),
                ("CustomResourceScope", Some(json!(scope))),
            ]);
            match exo.invoke("New-ManagementRoleAssignment", params).await {
                // A rerun after a stopped migration: the assignment is there already.
                Err(e) if exo::is(&e, exo::ALREADY_EXISTS) => Ok(()),
                other => other.map(drop),
            }
        }
        Change::RevokeEntra { principal_id, assignment_id, .. } => entra::revoke(&session.graph, principal_id, assignment_id).await,
        Change::RemovePolicy { identity, .. } => policies::remove_with(exo, identity).await,
    }
}

async fn same_scope(exo: &ExoClient, name: &str, filter: &str) -> Result<()> {
    let rows = exo.invoke("Get-ManagementScope", parameters([("Identity", Some(json!(name)))])).await?;
    let existing = rows.first().and_then(|r| r.get("RecipientFilter").or_else(|| r.get("RecipientRestrictionFilter"))).and_then(Value::as_str).unwrap_or_default();
    if existing.eq_ignore_ascii_case(filter) {
        return Ok(());
    }
    Err(ExoError::invalid_argument("InputObject", format!("the management scope '{name}' exists with another filter ({existing}); remove it or rename it, then run again")))
}

/// Every app × mailbox verdict of the RBAC assignments alone (Test-ServicePrincipalAuthorization
/// ignores Entra permissions) must be what the Entra permissions and policies gave before.
async fn check_same_access(session: &Session, apps: &[App], mailboxes: &[String], before: &[audit::AccessRow]) -> Result<()> {
    // Re-read the apps: they have Exchange pointers now.
    let ids: Vec<String> = apps.iter().map(|a| a.principal.app_id.clone()).collect();
    let mut now = audit::gather(session, &ids).await?;
    for app in &mut now {
        app.policies.clear();
        app.grants.clear();
    }
    let after = audit::evaluate(session, &now, mailboxes).await?;
    let differences: Vec<String> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.app_id == b.app_id && a.mailbox == b.mailbox && a.access == b.access))
        .map(|b| format!("{} on {} was {}", b.app_display_name, b.mailbox, b.access))
        .collect();
    if differences.is_empty() {
        return Ok(());
    }
    Err(ExoError::invalid_argument(
        "InputObject",
        format!(
            "the RBAC assignments alone would change access, so no Entra permission was revoked and no policy removed: {}. The scopes and assignments made so far stay (they add nothing the Entra permission does not already give); fix the groups and run again, or remove them with Remove-ManagementRoleAssignment",
            differences.join("; ")
        ),
    ))
}

fn choose_policies(all: Vec<policies::AccessPolicy>, wanted: &[String]) -> Result<Vec<policies::AccessPolicy>> {
    if wanted.is_empty() {
        if all.is_empty() {
            return Err(ExoError::invalid_argument("InputObject", "the tenant has no Application Access Policy to convert"));
        }
        return Ok(all);
    }
    wanted
        .iter()
        .map(|identity| {
            all.iter().find(|p| p.identity.eq_ignore_ascii_case(identity.trim())).cloned().ok_or_else(|| {
                ExoError::invalid_argument("InputObject", format!("no Application Access Policy has the identity '{identity}'"))
            })
        })
        .collect()
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    items.sort_by_key(|s| s.to_ascii_lowercase());
    items.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    items
}

/// Each of the app's policies' scope group: its DN and nested groups, or `None` for a mailbox.
async fn scope_groups(exo: &ExoClient, app: &App) -> Result<Vec<(String, Option<ScopeGroup>)>> {
    let mut groups = Vec::new();
    for policy in &app.policies {
        let identity = policy.scope_id.clone().unwrap_or_else(|| policy.scope_name.clone());
        let row = match exo.invoke("Get-Group", parameters([("Identity", Some(json!(identity)))])).await {
            Ok(rows) => rows.into_iter().next(),
            Err(e) if exo::is(&e, exo::NOT_FOUND) => None,
            Err(e) => return Err(e),
        };
        let group = match row {
            Some(row) => {
                let dn = row.get("DistinguishedName").and_then(Value::as_str).unwrap_or_default().to_string();
                let members = super::scope_group::list_members(exo, &identity).await?;
                let nested = members
                    .iter()
                    .filter(|m| m.get("RecipientType").and_then(Value::as_str).is_some_and(|t| t.contains("Group")))
                    .filter_map(|m| m.get("Name").and_then(Value::as_str).map(str::to_string))
                    .collect();
                Some(ScopeGroup { distinguished_name: dn, nested_groups: nested })
            }
            None => None,
        };
        groups.push((policy.identity.clone(), group));
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::entra::{Grant, Principal};

    fn policy(identity: &str, right: AccessRight) -> policies::AccessPolicy {
        policies::AccessPolicy {
            identity: identity.into(),
            app_id: "1a1a0000-0000".into(),
            access_right: right,
            scope_name: identity.into(),
            scope_id: None,
            description: String::new(),
            is_valid: true,
        }
    }

    fn app(policies: Vec<policies::AccessPolicy>) -> App {
        App {
            principal: Principal { id: "sp-1".into(), app_id: "1a1a0000-0000".into(), display_name: "Mail Archiver".into() },
            grants: vec![Grant { permission: "Mail.Read".into(), assignment_id: "as-1".into() }],
            policies,
            exchange_pointer: false,
        }
    }

    fn group(dn: &str) -> Option<ScopeGroup> {
        Some(ScopeGroup { distinguished_name: dn.into(), nested_groups: Vec::new() })
    }

    #[test]
    fn names_fit_exchange_and_keep_apps_apart() {
        let mut long = app(Vec::new());
        long.principal.display_name = "A very long application display name that goes on and on and on".into();
        long.principal.app_id = "1a1a0000-0000-4000-8000-0000000000a1".into();
        let name = scope_name(&long);
        assert!(name.chars().count() <= 64 && name.ends_with(" 0000000000a1"), "{name}");
        assert_eq!(assignment_name("1a1a0000-0000-4000-8000-0000000000d4", "MailboxSettings.ReadWrite"), "ExoKit MailboxSettings.ReadWrite 0000000000d4");
    }

    #[test]
    fn filters_or_the_restricts_and_exclude_the_denies() {
        assert_eq!(filter(&["CN=a"], &[]), "MemberOfGroup -eq 'CN=a'");
        assert_eq!(filter(&[], &["CN=O'Brien"]), "MemberOfGroup -ne 'CN=O''Brien'");
        assert_eq!(filter(&["CN=a", "CN=b"], &["CN=d"]), "(MemberOfGroup -eq 'CN=a' -or MemberOfGroup -eq 'CN=b') -and MemberOfGroup -ne 'CN=d'");
    }

    #[test]
    fn a_deny_policy_becomes_a_scope_of_everyone_else_and_the_entra_grant_goes() {
        let (changes, warnings) = plan(&app(vec![policy("p-deny", AccessRight::Deny)]), &[("p-deny".into(), group("CN=exec"))], false, true).unwrap();
        assert!(warnings.is_empty());
        let kinds: Vec<&str> = changes.iter().enumerate().map(|(i, c)| c.step(order(i), "Planned").action).map(|a| match a.as_str() {
            "New-ServicePrincipal" => "sp",
            "New-ManagementScope" => "scope",
            "New-ManagementRoleAssignment" => "assign",
            "Remove Entra permission" => "revoke",
            _ => "remove",
        }).collect();
        assert_eq!(kinds, ["sp", "scope", "assign", "revoke", "remove"]);
        assert!(matches!(&changes[1], Change::Scope { filter, .. } if filter == "MemberOfGroup -ne 'CN=exec'"));
        assert!(matches!(&changes[2], Change::Assignment { role, .. } if role == "Application Mail.Read"));
        assert!(matches!(&changes[3], Change::RevokeEntra { assignment_id, .. } if assignment_id == "as-1"));
    }

    #[test]
    fn a_rerun_after_revocation_only_removes_the_policies() {
        let mut revoked = app(vec![policy("p", AccessRight::Restrict)]);
        revoked.grants.clear();
        let (changes, _) = plan(&revoked, &[("p".into(), group("CN=a"))], true, true).unwrap();
        assert_eq!(changes, vec![Change::RemovePolicy { app_id: "1a1a0000-0000".into(), identity: "p".into() }]);
    }

    #[test]
    fn nested_groups_are_warned_about() {
        let nested = Some(ScopeGroup { distinguished_name: "CN=a".into(), nested_groups: vec!["Inner".into()] });
        let (_, warnings) = plan(&app(vec![policy("p", AccessRight::Restrict)]), &[("p".into(), nested)], true, false).unwrap();
        assert!(warnings[0].contains("Inner") && warnings[0].contains("direct members"), "{warnings:?}");
    }

    #[test]
    fn what_cannot_be_converted_is_named() {
        let err = plan(&app(vec![policy("p", AccessRight::Restrict)]), &[("p".into(), None)], true, false).unwrap_err().to_string();
        assert!(err.contains("'p'") && err.contains("not a group"), "{err}");
        let mut bare = app(vec![policy("p", AccessRight::Restrict)]);
        bare.grants.clear();
        assert!(plan(&bare, &[("p".into(), group("CN=a"))], true, false).unwrap_err().to_string().contains("no Entra mailbox permission"));
    }

    #[test]
    fn policies_are_chosen_by_identity_or_all() {
        let all = vec![policy("a", AccessRight::Restrict), policy("b", AccessRight::Deny)];
        assert_eq!(choose_policies(all.clone(), &[]).unwrap().len(), 2);
        assert_eq!(choose_policies(all.clone(), &["B".into()]).unwrap()[0].identity, "b");
        assert!(choose_policies(all, &["c".into()]).unwrap_err().to_string().contains("'c'"));
        assert!(choose_policies(Vec::new(), &[]).is_err());
    }
}
