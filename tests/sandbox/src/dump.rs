//! A read-only picture of the tenants for `GET /_sandbox/state`: apps (no secrets), users, and
//! each mailbox's folder tree with contact counts.

use serde_json::{Value, json};

use crate::mailbox::Mailbox;
use crate::state::{State, Tenant};

pub fn state(state: &State) -> Value {
    json!({ "tenants": state.tenants.iter().map(|t| tenant(t)).collect::<Vec<_>>() })
}

fn tenant(tenant: &Tenant) -> Value {
    let apps: Vec<Value> = tenant
        .apps
        .iter()
        .map(|a| json!({"appId": a.app_id, "displayName": a.display_name, "roles": a.roles, "certificates": a.certificates.len()}))
        .collect();
    let users: Vec<Value> = tenant
        .users
        .iter()
        .map(|u| {
            let mailbox = tenant
                .mailboxes
                .of(&u.id)
                .map(|m| folders(&m.lock().unwrap_or_else(|p| p.into_inner())));
            json!({
                "id": u.id,
                "userPrincipalName": u.user_principal_name,
                "displayName": u.display_name,
                "licenses": u.licenses,
                "mailbox": format!("{:?}", u.mailbox).to_ascii_lowercase(),
                "contactFolders": mailbox,
            })
        })
        .collect();
    json!({"id": tenant.id, "domain": tenant.domain, "apps": apps, "users": users})
}

/// The default Contacts folder and its descendants, depth first, each with its contact count.
fn folders(mailbox: &Mailbox) -> Vec<Value> {
    let mut out = Vec::new();
    let mut pending = vec![(mailbox.root_id.clone(), None::<String>)];
    while let Some((id, parent)) = pending.pop() {
        let Some(folder) = mailbox.folder(&id) else {
            continue;
        };
        out.push(json!({
            "id": folder.id,
            "displayName": folder.display_name,
            "parentFolderId": parent,
            "contacts": mailbox.contact_count(&folder.id),
        }));
        for child in mailbox.children(&folder.id).into_iter().rev() {
            pending.push((child.id, Some(folder.id.clone())));
        }
    }
    out
}
