//! `Get-ExchangeAppAccessReport`: which apps can reach which mailboxes, and why.
//! (Filled in below the record type.)

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
    /// `UnscopedEntraGrant` when a tenant-wide Entra permission makes an RBAC scope or an
    /// access policy of this app meaningless for this mailbox; empty otherwise.
    pub flag: String,
}
