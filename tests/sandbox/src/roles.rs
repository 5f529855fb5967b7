//! Exchange role definitions as Graph beta serves them: the twelve application roles of RBAC
//! for Applications with the ids real tenants show (seed 003), and a few management roles.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A `unifiedRoleDefinition`, kept as Graph's JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleDefinition(pub Value);

impl RoleDefinition {
    pub fn id(&self) -> &str {
        self.0.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

const APPLICATION_ROLES: &[(&str, &str, &str, &[&str])] = &[
    ("1f704712-7d46-481f-b2cd-dbcc978c4f2a", "Application Mail.Read", "Allows the app to read email in all mailboxes without a signed-in user", &["Mail.Read"]),
    ("3eca55c8-0e73-4c12-81bf-526549f2e5a3", "Application Mail.ReadBasic", "Allows the app to read email except the body, previewBody, attachments, and any extended properties in all mailboxes without a signed-in user", &["Mail.ReadBasic"]),
    ("82fd214e-61ca-4dc7-98f6-090700bdb205", "Application Mail.ReadWrite", "Allows the app to create, read, update, and delete email in all mailboxes without a signed-in user. Does not include permission to send mail", &["Mail.ReadWrite"]),
    ("8679f4ff-c91d-40d0-809c-c86d114821a5", "Application Mail.Send", "Allows the app to send mail as any user without a signed-in user", &["Mail.Send"]),
    ("c40299e0-2107-455f-85dd-6e8862c3a0cc", "Application MailboxSettings.Read", "Allows the app to read user's mailbox settings in all mailboxes without a signed-in user", &["MailboxSettings.Read"]),
    ("459cb245-07c5-44f1-8133-3da40b4b6197", "Application MailboxSettings.ReadWrite", "Allows the app to create, read, update, and delete user's mailbox settings in all mailboxes without a signed-in user", &["MailboxSettings.ReadWrite"]),
    ("a3123d4e-4256-4ad0-bef0-205a00807fae", "Application Calendars.Read", "Allows the app to read events of all calendars without a signed-in user", &["Calendars.Read"]),
    ("b92761c0-5311-4908-92ca-2c1f8c71aa1c", "Application Calendars.ReadWrite", "Allows the app to create, read, update, and delete events of all calendars without a signed-in user", &["Calendars.ReadWrite"]),
    ("9b87c446-d3c1-4146-9d39-45ae63b4eeb7", "Application Contacts.Read", "Allows the app to read all contacts in all mailboxes without a signed-in user", &["Contacts.Read"]),
    ("265cabb3-13d9-4e05-b2cd-460cfa7ad3cc", "Application Contacts.ReadWrite", "Allows the app to create, read, update, and delete all contacts in all mailboxes without a signed-in user", &["Contacts.ReadWrite"]),
    ("b49ae303-7a8f-4ba1-aa37-27b40461aabb", "Application Mail Full Access", "Allows the app to create, read, update, and delete email in all mailboxes as well as send mail as any user without a signed-in user", &["Mail.Send", "Mail.ReadWrite"]),
    ("48d6a78c-0681-4d73-acec-9f9ffad56ddb", "Application Exchange Full Access", "Without a signed-in user: Allows the app to create, read, update, and delete email in all mailboxes as well as send mail as any user. Allows the app to create, read, update, and delete user's mailbox settings in all mailboxes. Allows the app to create, read, update, and delete events of all calendars. Allows the app to create, read, update, and delete all contacts in all mailboxes", &["Contacts.ReadWrite", "Calendars.ReadWrite", "MailboxSettings.ReadWrite", "Mail.Send", "Mail.ReadWrite"]),
];

/// Management roles (for users and groups), so that a principal-type filter has something to
/// leave out. Their ids are the sandbox's own: real tenants give each its own.
const MANAGEMENT_ROLES: &[(&str, &str, &str, &[&str])] = &[
    ("1e2fe6d7-9fe1-4cfe-b0a1-9ef4a2e8a7ac", "Address Lists", "This role enables administrators to manage address lists, global address lists, and offline address lists in an organization.", &["(Microsoft.Exchange.Management.PowerShell.E2010) Get-AddressBookPolicy -ErrorAction -ErrorVariable -Identity"]),
    ("0ad8ef1c-3e3f-4c72-9d7f-5f0b9a1c1c11", "ApplicationImpersonation", "This role enables applications to impersonate users in an organization in order to perform tasks on behalf of the user.", &["(Microsoft.Exchange.Management.PowerShell.E2010) Impersonate-ExchangeUser -Identity"]),
];

/// The definitions a tenant has when its seed lists none.
pub fn builtin() -> Vec<RoleDefinition> {
    let app = APPLICATION_ROLES.iter().map(|r| definition(r, "servicePrincipal"));
    let management = MANAGEMENT_ROLES.iter().map(|r| definition(r, "user,group"));
    app.chain(management).collect()
}

fn definition(&(id, name, description, actions): &(&str, &str, &str, &[&str]), principals: &str) -> RoleDefinition {
    RoleDefinition(json!({
        "id": id,
        "description": description,
        "displayName": name,
        "isBuiltIn": true,
        "isEnabled": true,
        "isPrivileged": false,
        "templateId": null,
        "version": "0.12 (14.0.451.0)",
        "allowedPrincipalTypes": principals,
        "resourceScopes": [],
        "rolePermissions": [{ "allowedResourceActions": actions, "excludedResourceActions": [], "condition": null }],
    }))
}
