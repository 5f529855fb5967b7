//! Whether an app may reach a mailbox: the permission must be granted tenant-wide, and no
//! Application Access Policy or RBAC for Applications scope may exclude the mailbox.
//! (Placeholder seam: checks the tenant-wide permission only, until policies and scopes exist.)

use axum::http::StatusCode;

use crate::graph_error::GraphError;
use crate::mailbox::User;
use crate::state::{IssuedToken, Tenant};

/// Checks that `token`'s app may use one of `permissions` on `user`'s mailbox.
pub fn mailbox_access(_tenant: &Tenant, token: &IssuedToken, _user: &User, permissions: &[&str]) -> Result<(), GraphError> {
    if permissions.iter().any(|p| token.roles.iter().any(|r| r == p)) {
        Ok(())
    } else {
        Err(GraphError::new(StatusCode::FORBIDDEN, "ErrorAccessDenied", "Access is denied. Check credentials and try again."))
    }
}
