//! `Get-ExchangeAppAccessReport`: for each app with Exchange mailbox permissions, which
//! mailboxes it reaches and why, judged the way Exchange Online does (exo-rest.md §3.1, §3.5):
//!
//! - an Entra application permission reaches every mailbox, unless the app's Application Access
//!   Policies exclude it (Exchange's own verdict: Test-ApplicationAccessPolicy);
//! - an RBAC for Applications assignment reaches the mailboxes in its scope
//!   (Test-ServicePrincipalAuthorization), whatever the policies say;
//! - the two add up, so an unscoped Entra permission silently defeats an RBAC scope, and an RBAC
//!   assignment reaches mailboxes a policy was meant to keep the app from. Those rows are flagged.
//!
//! Gathering is I/O ([`gather`], [`facts`]); the verdict is the pure [`decide`].

use serde_json::{Value, json};

use super::entra::{self, Grant, Principal};
use super::policies;
use crate::error::{ExoError, Result};
use crate::exo::{ExoClient, parameters};
use crate::ops;
use crate::session::{self, Session};

/// One app × mailbox line of the report, flat so it exports to CSV as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    pub app_id: String,
    pub app_display_name: String,
    pub mailbox: String,
    /// `Granted` or `Denied`.
    pub access: String,
    /// `EntraGrant`, `AccessPolicy`, `RbacScope` or `None`: what decides.
    pub via: String,
    /// In words: which grant, policy or scope.
    pub reason: String,
    /// The app's Entra mailbox permissions, `;`-separated.
    pub entra_permissions: String,
    /// `UnscopedEntraGrant` when a tenant-wide Entra permission reaches a mailbox the app's RBAC
    /// scope leaves out; `RbacBeyondPolicy` when an RBAC assignment reaches a mailbox its access
    /// policy denies; empty otherwise.
    pub flag: String,
}

/// What is known about one app.
#[derive(Debug, Clone)]
pub struct App {
    pub principal: Principal,
    pub grants: Vec<Grant>,
    pub policies: Vec<policies::AccessPolicy>,
    /// Whether Exchange has a service principal pointer for it (RBAC for Applications).
    pub exchange_pointer: bool,
}

impl App {
    pub fn permissions(&self) -> Vec<String> {
        self.grants.iter().map(|g| g.permission.clone()).collect()
    }
}

/// The facts about one app × mailbox that decide access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Exchange's policy verdict for the Entra permissions (true without any policy).
    pub policy_granted: bool,
    /// RBAC assignments covering the mailbox, as "role (scope)".
    pub rbac_in: Vec<String>,
    /// Scoped RBAC assignments that leave the mailbox out.
    pub rbac_out: Vec<String>,
}

/// The verdict, pure.
pub fn decide(app: &App, mailbox: &str, facts: &Facts) -> AccessRow {
    let permissions = app.permissions();
    let entra = permissions.join(";");
    let policy_names = || app.policies.iter().map(|p| format!("{} {}", p.access_right.as_str(), p.scope_name)).collect::<Vec<_>>().join(", ");
    let row = |access: &str, via: &str, reason: String, flag: &str| AccessRow {
        app_id: app.principal.app_id.clone(),
        app_display_name: app.principal.display_name.clone(),
        mailbox: mailbox.to_string(),
        access: access.into(),
        via: via.into(),
        reason,
        entra_permissions: entra.clone(),
        flag: flag.into(),
    };
    if !permissions.is_empty() && facts.policy_granted {
        let flag = if facts.rbac_out.is_empty() { "" } else { "UnscopedEntraGrant" };
        return if app.policies.is_empty() {
            let beyond = if facts.rbac_out.is_empty() { String::new() } else { format!("; it defeats the RBAC scope of {}", facts.rbac_out.join(", ")) };
            row("Granted", "EntraGrant", format!("Entra {entra}, tenant-wide{beyond}"), flag)
        } else {
            row("Granted", "AccessPolicy", format!("Entra {entra}, allowed by the access policies ({})", policy_names()), flag)
        };
    }
    if !facts.rbac_in.is_empty() {
        let flag = if permissions.is_empty() { "" } else { "RbacBeyondPolicy" };
        return row("Granted", "RbacScope", format!("RBAC {}", facts.rbac_in.join(", ")), flag);
    }
    if !permissions.is_empty() {
        return row("Denied", "AccessPolicy", format!("Entra {entra}, excluded by the access policies ({})", policy_names()), "");
    }
    row("Denied", "None", "no Entra permission and no RBAC assignment reaches it".into(), "")
}

/// The apps with Entra mailbox permissions or an Exchange service principal pointer, narrowed
/// to `wanted` (display names, app ids or service principal ids; each must name one).
pub async fn gather(session: &Session, wanted: &[String]) -> Result<Vec<App>> {
    let graph = &session.graph;
    let principals = entra::principals(graph).await?;
    let chosen = choose(&principals, wanted)?;
    let resource = entra::graph_resource(graph).await?;
    let pointers = exchange_pointers(&session.exo).await?;
    let all_policies = policies::list(&session.exo).await?;
    let mut apps = Vec::new();
    for principal in chosen {
        let grants = entra::mailbox_grants(graph, &resource, &principal.id).await?;
        let exchange_pointer = pointers.iter().any(|p| p.eq_ignore_ascii_case(&principal.app_id));
        if grants.is_empty() && !exchange_pointer {
            continue;
        }
        let policies = all_policies.iter().filter(|p| p.app_id.eq_ignore_ascii_case(&principal.app_id)).cloned().collect();
        apps.push(App { principal, grants, policies, exchange_pointer });
    }
    apps.sort_by_key(|a| a.principal.display_name.to_lowercase());
    Ok(apps)
}

fn choose(principals: &[Principal], wanted: &[String]) -> Result<Vec<Principal>> {
    if wanted.is_empty() {
        return Ok(principals.to_vec());
    }
    let mut chosen = Vec::new();
    for name in wanted {
        let name = name.trim();
        let found: Vec<&Principal> = principals
            .iter()
            .filter(|p| p.display_name.eq_ignore_ascii_case(name) || p.app_id.eq_ignore_ascii_case(name) || p.id.eq_ignore_ascii_case(name))
            .collect();
        match found.as_slice() {
            [one] => chosen.push((*one).clone()),
            [] => return Err(ExoError::invalid_argument("App", format!("no app is named '{name}' (display name, app id or service principal id)"))),
            many => {
                let ids: Vec<&str> = many.iter().map(|p| p.app_id.as_str()).collect();
                return Err(ExoError::invalid_argument("App", format!("'{name}' names {} apps; give one of their app ids: {}", many.len(), ids.join(", "))));
            }
        }
    }
    Ok(chosen)
}

async fn exchange_pointers(exo: &ExoClient) -> Result<Vec<String>> {
    let rows = exo.invoke("Get-ServicePrincipal", parameters([])).await?;
    Ok(rows.iter().filter_map(|r| r.get("AppId").and_then(Value::as_str).map(str::to_string)).collect())
}

/// Every mailbox's primary address when none are given.
pub async fn mailboxes(exo: &ExoClient, given: Vec<String>) -> Result<Vec<String>> {
    if !given.is_empty() {
        return Ok(given);
    }
    let rows = exo.invoke("Get-Mailbox", parameters([("ResultSize", Some(json!("Unlimited")))])).await?;
    Ok(rows.iter().filter_map(|r| r.get("PrimarySmtpAddress").and_then(Value::as_str).map(str::to_string)).collect())
}

/// Asks Exchange about one app × mailbox.
pub async fn facts(exo: &ExoClient, graph: &crate::graph::GraphClient, app: &App, mailbox: &str) -> Result<Facts> {
    let policy_granted = if app.policies.is_empty() || app.grants.is_empty() {
        true
    } else {
        policies::check(exo, &app.principal.app_id, mailbox).await?.granted
    };
    let mut facts = Facts { policy_granted, ..Facts::default() };
    if app.exchange_pointer {
        let params = parameters([("Identity", Some(json!(app.principal.app_id))), ("Resource", Some(json!(mailbox)))]);
        for row in exo.invoke("Test-ServicePrincipalAuthorization", params).await? {
            let text = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let scope = super::check::user_scope_name(graph, &text("ScopeType"), &text("AllowedResourceScope")).await;
            let described = format!("{} ({scope})", text("RoleName"));
            let in_scope = match row.get("InScope") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("True"),
                _ => false,
            };
            if in_scope {
                facts.rbac_in.push(described);
            } else if !text("ScopeType").eq_ignore_ascii_case("Organization") {
                facts.rbac_out.push(described);
            }
        }
    }
    Ok(facts)
}

/// Every app × mailbox verdict.
pub async fn evaluate(session: &Session, apps: &[App], mailboxes: &[String]) -> Result<Vec<AccessRow>> {
    let mut rows = Vec::new();
    let total = (apps.len() * mailboxes.len()).max(1);
    for app in apps {
        for mailbox in mailboxes {
            let percent = u8::try_from(rows.len() * 100 / total).unwrap_or(100);
            ops::progress("Get-ExchangeAppAccessReport", format!("{} × {mailbox}", app.principal.display_name), Some(percent));
            rows.push(decide(app, mailbox, &facts(&session.exo, &session.graph, app, mailbox).await?));
        }
    }
    Ok(rows)
}

/// `Get-ExchangeAppAccessReport [-App] [-Mailbox]`.
pub async fn report(apps: Vec<String>, mailboxes: Vec<String>) -> Result<()> {
    let session = session::current()?;
    let apps = gather(&session, &apps).await?;
    let mailboxes = self::mailboxes(&session.exo, mailboxes).await?;
    // A mailbox Exchange cannot answer for (unknown, say) is one error, once; every other
    // app × mailbox is still reported.
    let mut failed: Vec<&str> = Vec::new();
    let total = (apps.len() * mailboxes.len()).max(1);
    for (a, app) in apps.iter().enumerate() {
        for (m, mailbox) in mailboxes.iter().enumerate() {
            if failed.contains(&mailbox.as_str()) {
                continue;
            }
            let percent = u8::try_from((a * mailboxes.len() + m) * 100 / total).unwrap_or(100);
            ops::progress("Get-ExchangeAppAccessReport", format!("{} × {mailbox}", app.principal.display_name), Some(percent));
            match ops::item(mailbox, facts(&session.exo, &session.graph, app, mailbox).await)? {
                Some(facts) => ops::record(ops::Record::AccessReport(decide(app, mailbox, &facts))),
                None => failed.push(mailbox),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(permissions: &[&str], policy: bool) -> App {
        App {
            principal: Principal { id: "sp".into(), app_id: "a".into(), display_name: "App".into() },
            grants: permissions.iter().map(|p| Grant { permission: p.to_string(), assignment_id: format!("id-{p}") }).collect(),
            policies: if policy {
                vec![policies::AccessPolicy {
                    identity: "i".into(),
                    app_id: "a".into(),
                    access_right: policies::AccessRight::Restrict,
                    scope_name: "Scope".into(),
                    scope_id: None,
                    description: String::new(),
                    is_valid: true,
                }]
            } else {
                Vec::new()
            },
            exchange_pointer: true,
        }
    }

    fn facts(policy_granted: bool, rbac_in: &[&str], rbac_out: &[&str]) -> Facts {
        Facts { policy_granted, rbac_in: rbac_in.iter().map(|s| s.to_string()).collect(), rbac_out: rbac_out.iter().map(|s| s.to_string()).collect() }
    }

    fn verdict(row: &AccessRow) -> (&str, &str, &str) {
        (row.access.as_str(), row.via.as_str(), row.flag.as_str())
    }

    #[test]
    fn an_unscoped_entra_grant_defeats_an_rbac_scope_and_is_flagged() {
        let row = decide(&app(&["Calendars.Read"], false), "bob", &facts(true, &[], &["Application Calendars.Read (Sales)"]));
        assert_eq!(verdict(&row), ("Granted", "EntraGrant", "UnscopedEntraGrant"));
        assert!(row.reason.contains("defeats the RBAC scope"), "{}", row.reason);
        let inside = decide(&app(&["Calendars.Read"], false), "carol", &facts(true, &["Application Calendars.Read (Sales)"], &[]));
        assert_eq!(verdict(&inside), ("Granted", "EntraGrant", ""));
    }

    #[test]
    fn policies_decide_for_entra_grants_and_rbac_beyond_them_is_flagged() {
        assert_eq!(verdict(&decide(&app(&["Mail.Read"], true), "alice", &facts(true, &[], &[]))), ("Granted", "AccessPolicy", ""));
        assert_eq!(verdict(&decide(&app(&["Mail.Read"], true), "bob", &facts(false, &[], &[]))), ("Denied", "AccessPolicy", ""));
        assert_eq!(verdict(&decide(&app(&["Mail.Read"], true), "bob", &facts(false, &["Application Mail.Read (Organization)"], &[]))), ("Granted", "RbacScope", "RbacBeyondPolicy"));
    }

    #[test]
    fn rbac_alone_reaches_its_scope_only() {
        assert_eq!(verdict(&decide(&app(&[], false), "carol", &facts(true, &["Application Contacts.Read (Sales)"], &[]))), ("Granted", "RbacScope", ""));
        let out = decide(&app(&[], false), "alice", &facts(true, &[], &["Application Contacts.Read (Sales)"]));
        assert_eq!(verdict(&out), ("Denied", "None", ""));
    }

    #[test]
    fn app_names_must_name_exactly_one_app() {
        let p = |id: &str, app: &str, name: &str| Principal { id: id.into(), app_id: app.into(), display_name: name.into() };
        let all = vec![p("1", "a", "Sync"), p("2", "b", "Sync"), p("3", "c", "Bot")];
        assert_eq!(choose(&all, &["bot".into()]).unwrap()[0].app_id, "c");
        let err = choose(&all, &["Sync".into()]).unwrap_err().to_string();
        assert!(err.contains("2 apps") && err.contains("a, b"), "{err}");
        assert!(choose(&all, &["Nope".into()]).unwrap_err().to_string().contains("Nope"));
    }
}
