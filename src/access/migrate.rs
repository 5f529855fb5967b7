//! `ConvertTo-ExchangeAppRoleAssignment`: Application Access Policies → RBAC for Applications.

/// One step of the migration plan.
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
