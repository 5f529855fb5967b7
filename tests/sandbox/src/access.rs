//! Whether an app may reach a mailbox, combining the two ways Exchange Online grants app-only
//! mailbox access:
//!
//! 1. **Entra application permissions** (the token's `roles`, e.g. `Contacts.ReadWrite`) reach
//!    every mailbox in the tenant, *unless* an Application Access Policy for the app excludes
//!    the mailbox (exo-rest.md §3.1: Deny beats Restrict; with any Restrict policy, mailboxes
//!    outside every Restrict scope are denied). A mailbox excluded this way gets Graph's RAOP
//!    answer (graph-contact-semantics.md §9).
//! 2. **RBAC for Applications** role assignments (Exchange's `New-ManagementRoleAssignment -App`
//!    or Graph beta's `roleManagement/exchange/roleAssignments`) reach the mailboxes in their
//!    scope: the organization, a management scope's OPATH filter (`MemberOfGroup` = direct
//!    members), an administrative unit, a group's direct members, or one user.
//!
//! The two are **additive** (exo-rest.md §3.5; graph-api.md §1): an unscoped Entra grant
//! reaches every mailbox whatever the RBAC scopes say, so scoping only works when the Entra
//! permission is removed and the Exchange role alone grants it. Application Access Policies
//! restrict only the Entra grant; an RBAC assignment is not narrowed by them (the policy gate
//! "constrains only the permissions granted in Microsoft Entra ID", as public tooling such as
//! azapptoolkit's models.rs puts it). Neither Exchange cache delay (policies up to 1 h, RBAC 30 min
//! to 2 h) is modelled: changes apply at once.

use axum::http::StatusCode;

use crate::exchange::{self, Ctx, policies::Verdict};
use crate::graph_error::GraphError;
use crate::mailbox::User;
use crate::state::{IssuedToken, Tenant};

/// Why access was given or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The token carries the permission and no Application Access Policy excludes the mailbox.
    EntraGrant,
    /// An RBAC-for-Applications role assignment covers the mailbox (role names).
    RbacGrant(Vec<String>),
    /// The Entra permission is there but an Application Access Policy excludes the mailbox,
    /// and no RBAC assignment covers it.
    BlockedByPolicy,
    /// Neither an Entra permission nor an RBAC assignment covering the mailbox.
    NotGranted,
}

/// Decides whether `app_id`, holding the Entra permissions `roles`, may use one of
/// `permissions` on `user`'s mailbox.
pub fn decide(
    tenant: &Tenant,
    app_id: &str,
    roles: &[String],
    user: &User,
    permissions: &[&str],
) -> Decision {
    let ctx = Ctx::of(tenant);
    let entra = permissions.iter().any(|p| roles.iter().any(|r| r == p));
    if entra && exchange::access_policy_verdict(&ctx, app_id, user) == Verdict::Granted {
        return Decision::EntraGrant;
    }
    let rbac = exchange::rbac_grants(&ctx, app_id, user, permissions);
    match (rbac.is_empty(), entra) {
        (false, _) => Decision::RbacGrant(rbac),
        (true, true) => Decision::BlockedByPolicy,
        (true, false) => Decision::NotGranted,
    }
}

/// Checks that `token`'s app may use one of `permissions` on `user`'s mailbox; otherwise Graph's
/// 403 `ErrorAccessDenied` (with the RAOP wording when a policy blocked it).
pub fn mailbox_access(
    tenant: &Tenant,
    token: &IssuedToken,
    user: &User,
    permissions: &[&str],
) -> Result<(), GraphError> {
    match decide(tenant, &token.app_id, &token.roles, user, permissions) {
        Decision::EntraGrant | Decision::RbacGrant(_) => Ok(()),
        Decision::BlockedByPolicy => Err(policy_block()),
        Decision::NotGranted => Err(access_denied()),
    }
}

/// Graph's answer when an Application Access Policy blocks the app.
pub fn policy_block() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
    )
}

/// Graph's answer when the app holds no grant for the mailbox (no trace of a dedicated
/// RBAC-scope message exists, graph-contact-semantics.md §9, so a scope miss answers this too).
pub fn access_denied() -> GraphError {
    GraphError::new(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}
