//! What every mailbox route does first, in the order Graph does it: check the token, resolve
//! the user, check that a mailbox exists and that the app may reach it, then take a slot under
//! Outlook's per-mailbox limits.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{HeaderMap, StatusCode};

use super::Shared;
use super::graph::authenticate;
use crate::access;
use crate::graph_error::GraphError;
use crate::mailbox::{Mailbox, User};
use crate::state::{IssuedToken, Tenant};
use crate::throttle::Permit;

const READ: &[&str] = &["Contacts.Read", "Contacts.ReadWrite"];
const WRITE: &[&str] = &["Contacts.ReadWrite"];

/// An admitted call to one mailbox. The throttle slot is held until it is dropped.
pub struct MailboxCall {
    pub tenant: Arc<Tenant>,
    pub token: IssuedToken,
    pub user: User,
    mailbox: Arc<Mutex<Mailbox>>,
    _permit: Permit,
}

impl MailboxCall {
    /// A contact call: reading needs `Contacts.Read(Write)`, writing `Contacts.ReadWrite`.
    pub fn open(state: &Shared, headers: &HeaderMap, user: &str, write: bool) -> Result<MailboxCall, GraphError> {
        MailboxCall::open_for(state, headers, user, if write { WRITE } else { READ })
    }

    /// A call needing one of `permissions` on `user`'s mailbox (Entra grant or RBAC assignment).
    pub fn open_for(state: &Shared, headers: &HeaderMap, user: &str, permissions: &[&str]) -> Result<MailboxCall, GraphError> {
        let (token, tenant) = authenticate(state, headers)?;
        let found = tenant.user(user).cloned().ok_or_else(|| invalid_user(user, &tenant.id))?;
        if !found.has_mailbox() {
            return Err(not_enabled());
        }
        access::mailbox_access(&tenant, &token, &found, permissions)?;
        let mailbox = tenant.mailboxes.of(&found.id).ok_or_else(not_enabled)?;
        let permit = state.throttle.enter(&token.app_id, &found.id).map_err(GraphError::throttled)?;
        Ok(MailboxCall { tenant, token, user: found, mailbox, _permit: permit })
    }

    /// The mailbox, locked for the duration of one read or write.
    pub fn mailbox(&self) -> MutexGuard<'_, Mailbox> {
        self.mailbox.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Graph's answer for a mailbox path naming no mailbox user.
fn invalid_user(user: &str, tenant_id: &str) -> GraphError {
    GraphError::new(StatusCode::NOT_FOUND, "ErrorInvalidUser", format!("The requested user '{user}@{tenant_id}' is invalid."))
}

/// An unlicensed, inactive or on-premises mailbox.
fn not_enabled() -> GraphError {
    GraphError::new(StatusCode::NOT_FOUND, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
}

/// `ErrorItemNotFound`, for a folder or contact id the mailbox does not hold.
pub fn item_not_found() -> GraphError {
    GraphError::new(StatusCode::NOT_FOUND, "ErrorItemNotFound", "The specified object was not found in the store.")
}

/// Ids are base64-like; anything else is malformed before it is missing.
pub fn check_id(id: &str) -> Result<(), GraphError> {
    let well_formed = id.len() >= 8 && id.chars().all(|c| c.is_ascii_alphanumeric() || "=-_+/".contains(c));
    if well_formed || id.eq_ignore_ascii_case(crate::mailbox::ROOT_WELL_KNOWN) {
        Ok(())
    } else {
        Err(GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidIdMalformed", "Id is malformed."))
    }
}
