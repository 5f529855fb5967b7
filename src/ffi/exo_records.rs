//! The records of the Exchange admin cmdlets: access policies, scope groups, calendar sharing,
//! the access report and the policy → RBAC migration. PascalCase: they are what PowerShell shows.
#![allow(non_snake_case)]

use interoptopus::ffi;

use crate::access::{audit, migrate, policies, scope_group};
use crate::calendar::{booking, publishing};

/// `Get-/New-ExchangeAppAccessPolicy`.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppAccessPolicy {
    pub Identity: String,
    pub AppId: String,
    /// `RestrictAccess` or `DenyAccess`.
    pub AccessRight: String,
    pub ScopeName: String,
    /// The scope group's directory object id.
    pub ScopeId: Option<String>,
    pub Description: String,
    pub IsValid: bool,
}

/// `Test-ExchangeAppAccessPolicy`.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppAccessPolicyTest {
    pub AppId: String,
    pub Mailbox: String,
    /// `Granted` or `Denied`.
    pub AccessCheckResult: String,
}

/// `New-ExchangeAppScopeGroup`.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppScopeGroup {
    pub Name: String,
    pub PrimarySmtpAddress: String,
    pub Id: String,
    pub DistinguishedName: String,
    pub Members: Vec<String>,
    pub Added: Vec<String>,
    pub Created: bool,
}

/// `Get-/Set-CalendarPublishing`.
#[ffi]
#[derive(Debug, Clone)]
pub struct CalendarPublishing {
    pub Mailbox: String,
    pub FolderName: String,
    pub PublishEnabled: bool,
    pub DetailLevel: String,
    pub PublishDateRangeFrom: String,
    pub PublishDateRangeTo: String,
    pub PublishedCalendarUrl: Option<String>,
    pub PublishedICalUrl: Option<String>,
}

/// `Set-CalendarExternalBooking`.
#[ffi]
#[derive(Debug, Clone)]
pub struct CalendarExternalBooking {
    pub Mailbox: String,
    pub RecipientTypeDetails: String,
    pub ProcessExternalMeetingMessages: bool,
    pub AutomateProcessing: String,
}

/// `Get-ExchangeAppAccessReport`: one app × mailbox, flat for `Export-Csv`.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppAccessReport {
    pub AppId: String,
    pub AppDisplayName: String,
    pub Mailbox: String,
    pub Access: String,
    pub Via: String,
    pub Reason: String,
    pub EntraPermissions: String,
    pub Flag: String,
}

/// `ConvertTo-ExchangeAppRoleAssignment`: one step of the plan.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppMigrationStep {
    pub Order: u32,
    pub AppId: String,
    pub Action: String,
    pub Target: String,
    pub Detail: String,
    pub Status: String,
}

/// The parameters of the `*-ExchangeAppAccessPolicy` cmdlets (each uses its own).
#[ffi]
#[derive(Debug, Clone)]
pub struct AccessPolicyRequest {
    pub identity: Option<String>,
    pub app_ids: Vec<String>,
    pub scope_group: Option<String>,
    pub access_right: Option<String>,
    pub description: Option<String>,
    pub mailboxes: Vec<String>,
}

/// `New-ExchangeAppScopeGroup`.
#[ffi]
#[derive(Debug, Clone)]
pub struct ScopeGroupRequest {
    pub name: String,
    pub members: Vec<String>,
}

/// The parameters of the calendar cmdlets (each uses its own).
#[ffi]
#[derive(Debug, Clone)]
pub struct CalendarRequest {
    pub mailboxes: Vec<String>,
    /// Whether `-Enabled` was given, and its value.
    pub enabled_set: bool,
    pub enabled: bool,
    pub detail_level: Option<String>,
    pub range_from: Option<String>,
    pub range_to: Option<String>,
    pub reset_url: bool,
    pub force: bool,
}

/// `Get-ExchangeAppAccessReport`.
#[ffi]
#[derive(Debug, Clone)]
pub struct AccessReportRequest {
    pub apps: Vec<String>,
    pub mailboxes: Vec<String>,
}

/// `ConvertTo-ExchangeAppRoleAssignment`.
#[ffi]
#[derive(Debug, Clone)]
pub struct MigrationRequest {
    /// Policy identities (from the pipeline); empty: every policy.
    pub policies: Vec<String>,
    /// Mailboxes the before/after check compares; empty: every mailbox.
    pub mailboxes: Vec<String>,
    pub what_if: bool,
    pub remove_policy: bool,
}

impl From<policies::AccessPolicy> for AppAccessPolicy {
    fn from(p: policies::AccessPolicy) -> Self {
        AppAccessPolicy {
            Identity: p.identity,
            AppId: p.app_id,
            AccessRight: p.access_right.as_str().into(),
            ScopeName: p.scope_name,
            ScopeId: p.scope_id,
            Description: p.description,
            IsValid: p.is_valid,
        }
    }
}

impl From<policies::AccessCheck> for AppAccessPolicyTest {
    fn from(c: policies::AccessCheck) -> Self {
        AppAccessPolicyTest { AppId: c.app_id, Mailbox: c.mailbox, AccessCheckResult: if c.granted { "Granted" } else { "Denied" }.into() }
    }
}

impl From<scope_group::ScopeGroup> for AppScopeGroup {
    fn from(g: scope_group::ScopeGroup) -> Self {
        AppScopeGroup {
            Name: g.name,
            PrimarySmtpAddress: g.primary_smtp_address,
            Id: g.id,
            DistinguishedName: g.distinguished_name,
            Members: g.members,
            Added: g.added,
            Created: g.created,
        }
    }
}

impl From<publishing::Publishing> for CalendarPublishing {
    fn from(p: publishing::Publishing) -> Self {
        CalendarPublishing {
            Mailbox: p.mailbox,
            FolderName: p.folder_name,
            PublishEnabled: p.publish_enabled,
            DetailLevel: p.detail_level,
            PublishDateRangeFrom: p.publish_date_range_from,
            PublishDateRangeTo: p.publish_date_range_to,
            PublishedCalendarUrl: p.published_calendar_url,
            PublishedICalUrl: p.published_ical_url,
        }
    }
}

impl From<booking::ExternalBooking> for CalendarExternalBooking {
    fn from(b: booking::ExternalBooking) -> Self {
        CalendarExternalBooking {
            Mailbox: b.mailbox,
            RecipientTypeDetails: b.recipient_type_details,
            ProcessExternalMeetingMessages: b.process_external_meeting_messages,
            AutomateProcessing: b.automate_processing,
        }
    }
}

impl From<audit::AccessRow> for AppAccessReport {
    fn from(r: audit::AccessRow) -> Self {
        AppAccessReport {
            AppId: r.app_id,
            AppDisplayName: r.app_display_name,
            Mailbox: r.mailbox,
            Access: r.access,
            Via: r.via,
            Reason: r.reason,
            EntraPermissions: r.entra_permissions,
            Flag: r.flag,
        }
    }
}

impl From<migrate::Step> for AppMigrationStep {
    fn from(s: migrate::Step) -> Self {
        AppMigrationStep { Order: s.order, AppId: s.app_id, Action: s.action, Target: s.target, Detail: s.detail, Status: s.status }
    }
}
