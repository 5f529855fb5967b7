//! Application Access Policies (legacy; exo-rest.md §3.1): which mailboxes an app's *Entra*
//! permissions may reach. Deny beats Restrict; once an app has any Restrict policy, a mailbox
//! outside every Restrict scope is denied.

use serde_json::{Value, json};

use crate::directory::{DirectoryData, sid_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessRight {
    Restrict,
    Deny,
}

impl AccessRight {
    pub fn name(self) -> &'static str {
        match self {
            AccessRight::Restrict => "RestrictAccess",
            AccessRight::Deny => "DenyAccess",
        }
    }
}

/// The recipient a policy is scoped to: a mailbox user, or a mail-enabled security group
/// (whose nested members count too).
#[derive(Debug, Clone)]
pub struct PolicyScope {
    pub object_id: String,
    pub name: String,
    pub is_group: bool,
}

#[derive(Debug, Clone)]
pub struct AccessPolicy {
    pub app_id: String,
    pub scope: PolicyScope,
    pub right: AccessRight,
    pub description: Option<String>,
}

/// What Test-ApplicationAccessPolicy answers (and what Graph enforces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Granted,
    Denied,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Granted => "Granted",
            Verdict::Denied => "Denied",
        }
    }
}

/// The exchange limit is on the policies' total size, not their number: "about 100 policies,
/// or about 300 with a one-space description" (exo-rest.md §3.1). A policy without a
/// description costs as much as one with a 200-character one.
pub const SIZE_LIMIT: usize = 30_000;

impl AccessPolicy {
    /// `<tenantGuid>\<appId>:<scopeSid>;<scopeGuid>`, as Get-ApplicationAccessPolicy shows it.
    pub fn identity(&self, tenant_id: &str) -> String {
        format!("{tenant_id}\\{}:{}", self.app_id, self.scope_raw())
    }

    fn scope_raw(&self) -> String {
        format!("{};{}", sid_of(&self.scope.object_id), self.scope.object_id)
    }

    pub fn size(&self) -> usize {
        100 + self.description.as_ref().map_or(200, |d| d.len())
    }

    /// Whether the scope covers a mailbox: the user itself, or a member of the group at any
    /// depth. A scope whose group was deleted covers nobody.
    pub fn covers(&self, directory: &DirectoryData, user_id: &str) -> bool {
        if self.scope.is_group {
            directory.is_transitive_member(&self.scope.object_id, user_id)
        } else {
            self.scope.object_id.eq_ignore_ascii_case(user_id)
        }
    }

    pub fn to_row(&self, tenant_id: &str, valid: bool) -> Value {
        json!({
            "ScopeName": self.scope.name,
            "ScopeIdentity": self.scope.name,
            "Identity": self.identity(tenant_id),
            "AppId": self.app_id,
            "ScopeIdentityRaw": self.scope_raw(),
            "Description": self.description,
            "AccessRight": self.right.name(),
            "ShardType": "All",
            "IsValid": valid,
            "ObjectState": "Unchanged",
        })
    }
}

/// The verdict of the app's policies for one mailbox. No policy at all grants.
pub fn verdict(policies: &[&AccessPolicy], directory: &DirectoryData, user_id: &str) -> Verdict {
    if policies
        .iter()
        .any(|p| p.right == AccessRight::Deny && p.covers(directory, user_id))
    {
        return Verdict::Denied;
    }
    let mut restricts = policies
        .iter()
        .filter(|p| p.right == AccessRight::Restrict)
        .peekable();
    if restricts.peek().is_none() {
        return Verdict::Granted;
    }
    if restricts.any(|p| p.covers(directory, user_id)) {
        Verdict::Granted
    } else {
        Verdict::Denied
    }
}
