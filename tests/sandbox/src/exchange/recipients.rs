//! Resolving the identities cmdlets take (`-Identity`, `-Member`, `-PolicyScopeGroupId`, …) to
//! mailboxes and groups, as Exchange resolves them: by object id, UPN or primary SMTP address,
//! alias, name or display name (groups also by DistinguishedName); case-insensitive.

use serde_json::{Value, json};

use super::Ctx;
use super::cmdlet::CmdletError;
use super::rbac::recipient_type_details;
use crate::directory::{DirectoryData, Group, distinguished_name};
use crate::mailbox::User;

/// A mail recipient: a user with a mailbox, or a mail-enabled group.
#[derive(Debug, Clone)]
pub enum Recipient<'a> {
    Mailbox(&'a User),
    Group(Group),
}

pub fn alias(user: &User) -> &str {
    user.user_principal_name
        .split('@')
        .next()
        .unwrap_or_default()
}

fn user_matches(user: &User, identity: &str) -> bool {
    let identity = identity.trim();
    user.id.eq_ignore_ascii_case(identity)
        || user.user_principal_name.eq_ignore_ascii_case(identity)
        || alias(user).eq_ignore_ascii_case(identity)
        || user.display_name.eq_ignore_ascii_case(identity)
}

fn group_matches(group: &Group, identity: &str) -> bool {
    let identity = identity.trim();
    group.id.eq_ignore_ascii_case(identity)
        || group.display_name.eq_ignore_ascii_case(identity)
        || group.alias.eq_ignore_ascii_case(identity)
        || group
            .mail
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(identity))
        || (!group.dn.is_empty() && group.dn.eq_ignore_ascii_case(identity))
}

/// One match, or Exchange's not-found / matches-multiple-entries errors.
fn single<T>(
    mut found: Vec<T>,
    identity: &str,
    not_found: fn(&str) -> CmdletError,
) -> Result<T, CmdletError> {
    match found.len() {
        0 => Err(not_found(identity)),
        1 => Ok(found.remove(0)),
        _ => Err(CmdletError::ambiguous(identity)),
    }
}

/// A mailbox named by `-Identity` (users without a mailbox are not found).
pub fn mailbox<'a>(ctx: &Ctx<'a>, identity: &str) -> Result<&'a User, CmdletError> {
    let found: Vec<&User> = ctx
        .users
        .iter()
        .filter(|u| u.has_mailbox() && user_matches(u, identity))
        .collect();
    single(found, identity, CmdletError::not_found)
}

/// Any recipient, for parameters that take one (`-Member`, `-PolicyScopeGroupId`, …).
pub fn recipient<'a>(
    ctx: &Ctx<'a>,
    directory: &DirectoryData,
    name: &str,
) -> Result<Recipient<'a>, CmdletError> {
    let mut found: Vec<Recipient<'a>> = ctx
        .users
        .iter()
        .filter(|u| u.has_mailbox() && user_matches(u, name))
        .map(Recipient::Mailbox)
        .collect();
    found.extend(
        directory
            .groups
            .iter()
            .filter(|g| g.is_recipient() && group_matches(g, name))
            .cloned()
            .map(Recipient::Group),
    );
    single(found, name, CmdletError::recipient_not_found)
}

/// A distribution group or mail-enabled security group named by `-Identity`.
pub fn distribution_group(directory: &DirectoryData, identity: &str) -> Result<Group, CmdletError> {
    let found: Vec<Group> = directory
        .groups
        .iter()
        .filter(|g| g.kind.is_distribution_group() && group_matches(g, identity))
        .cloned()
        .collect();
    single(found, identity, CmdletError::not_found)
}

/// A mail-enabled group of any kind (including Microsoft 365 groups), for `-RecipientGroupScope`.
pub fn recipient_group(directory: &DirectoryData, identity: &str) -> Result<Group, CmdletError> {
    let found: Vec<Group> = directory
        .groups
        .iter()
        .filter(|g| g.is_recipient() && group_matches(g, identity))
        .cloned()
        .collect();
    single(found, identity, CmdletError::not_found)
}

/// A recipient row, as Get-DistributionGroupMember and Get-Recipient list one.
pub fn user_row(ctx: &Ctx, user: &User) -> Value {
    let details = recipient_type_details(user.mailbox);
    json!({
        "Name": alias(user),
        "Identity": alias(user),
        "Alias": alias(user),
        "DisplayName": user.display_name,
        "PrimarySmtpAddress": user.user_principal_name,
        "WindowsLiveID": user.user_principal_name,
        "RecipientType": "UserMailbox",
        "RecipientTypeDetails": details,
        "Guid": user.id,
        "ExternalDirectoryObjectId": user.id,
        "DistinguishedName": distinguished_name(alias(user), ctx.domain),
    })
}

pub fn group_row(group: &Group) -> Value {
    json!({
        "Name": group.display_name,
        "Identity": group.display_name,
        "Alias": group.alias,
        "DisplayName": group.display_name,
        "PrimarySmtpAddress": group.mail,
        "RecipientType": group.kind.recipient_type(),
        "RecipientTypeDetails": group.kind.recipient_type_details(),
        "Guid": group.id,
        "ExternalDirectoryObjectId": group.id,
        "DistinguishedName": group.dn,
    })
}

/// The row of a member id (a user or a group).
pub fn member_row(ctx: &Ctx, directory: &DirectoryData, id: &str) -> Option<Value> {
    if let Some(user) = ctx.users.iter().find(|u| u.id.eq_ignore_ascii_case(id)) {
        return Some(user_row(ctx, user));
    }
    directory.group(id).map(group_row)
}
