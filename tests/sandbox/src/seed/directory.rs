//! Directory objects beyond users, and Exchange-side configuration.
//!
//! Groups and administrative units are Entra objects and use Graph's camelCase names. The
//! Exchange part is written the way an admin would create it: each entry holds the parameters
//! of the cmdlet that makes the object (`New-ApplicationAccessPolicy`, `New-ServicePrincipal`,
//! `Set-MailboxCalendarFolder`, …), with Exchange's PascalCase parameter names, and the sandbox
//! runs them through the same code as `InvokeCommand` when it loads the seed. A seed entry with
//! a wrong parameter fails the load with the cmdlet's own error.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSeed {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    /// The Exchange alias / Graph `mailNickname`; defaults to the local part of `mail`.
    #[serde(default)]
    pub alias: Option<String>,
    /// `true` with `securityEnabled` for a mail-enabled security group (usable as an
    /// access-policy target); `true` alone for a distribution group.
    #[serde(default)]
    pub mail_enabled: bool,
    #[serde(default)]
    pub security_enabled: bool,
    /// `["Unified"]` for a Microsoft 365 group.
    #[serde(default)]
    pub group_types: Vec<String>,
    /// Member object ids or user principal names (users), or ids or mail addresses (groups).
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdministrativeUnitSeed {
    pub id: String,
    pub display_name: String,
    /// Member object ids or user principal names (users), or group ids.
    #[serde(default)]
    pub members: Vec<String>,
}

/// Exchange-side state. Every list holds parameter sets of the named cmdlet (see the module
/// comment); they run in the order below, so a role assignment can name a scope and a service
/// principal seeded with it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangeSeed {
    /// `New-ApplicationAccessPolicy` parameters: `AppId`, `PolicyScopeGroupId`, `AccessRight`,
    /// `Description`.
    #[serde(default)]
    pub application_access_policies: Vec<Value>,
    /// Sharing policies as `Get-SharingPolicy` shows them: `Name`, `Domains`, `Enabled`,
    /// `Default`. When empty, the tenant has Exchange Online's "Default Sharing Policy".
    #[serde(default)]
    pub sharing_policies: Vec<Value>,
    /// Which sharing policy a mailbox has (`Set-Mailbox -SharingPolicy`), by UPN or id; the
    /// others have the default policy.
    #[serde(default)]
    pub mailbox_sharing_policies: BTreeMap<String, String>,
    /// `Set-MailboxCalendarFolder` parameters. The folder part of `Identity` names the
    /// mailbox's calendar, so `"hans@…:\\Kalender"` makes `:\Calendar` fail for that mailbox
    /// as it does for a German one.
    #[serde(default)]
    pub calendar_folders: Vec<Value>,
    /// `Set-CalendarProcessing` parameters.
    #[serde(default)]
    pub calendar_processing: Vec<Value>,
    /// `New-ServicePrincipal` parameters: `AppId`, optional `ObjectId` (defaults to the Entra
    /// service principal of that app) and `DisplayName`.
    #[serde(default)]
    pub service_principals: Vec<Value>,
    /// `New-ManagementScope` parameters: `Name`, `RecipientRestrictionFilter`, `Exclusive`.
    #[serde(default)]
    pub management_scopes: Vec<Value>,
    /// `New-ManagementRoleAssignment` parameters (the `-App` parameter set): `App`, `Role`,
    /// `CustomResourceScope` | `RecipientAdministrativeUnitScope` | `RecipientGroupScope`, `Name`.
    #[serde(default)]
    pub management_role_assignments: Vec<Value>,
    /// The regional backend (e.g. `NAMPR01A001`): the admin API's front door then answers 302
    /// to `/{region}.outlook.office365.com/adminapi/…` (exo-rest.md §1.1).
    #[serde(default)]
    pub region: Option<String>,
}
