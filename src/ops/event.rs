//! What an operation hands to its caller, in the domain's own types. The ffi layer converts these
//! into the records PowerShell sees.

use crate::access::{AccessResult, AppCreated, Assignment, RoleDefinition};
use crate::access::{audit, migrate, policies, scope_group};
use crate::auth::Secret;
use crate::calendar::{booking, publishing};
use crate::error::ExoError;
use crate::mirror::apply::{ActionRecord, StepSummary};
use crate::session::ContextInfo;

#[derive(Debug, Clone)]
pub enum Event {
    Progress(Progress),
    Verbose(String),
    Information(String),
    Warning(String),
    Record(Record),
    Error { error: ExoError, terminating: bool },
    /// A secret for the caller (a new client secret), handed over apart from any record: the
    /// ffi layer keeps it for `take_secret` and tells the caller only its length.
    Secret(Secret),
    /// Always the last event.
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub activity: String,
    pub status: String,
    /// `None` when the total is unknown.
    pub percent: Option<u8>,
}

/// Every kind of output object.
#[derive(Debug, Clone)]
pub enum Record {
    Context(ContextInfo),
    RoleDefinition(RoleDefinition),
    MirrorSummary(StepSummary),
    MirrorAction(ActionRecord),
    RoleAssignment(Assignment),
    App(AppCreated),
    Access(AccessResult),
    AccessPolicy(policies::AccessPolicy),
    AccessCheck(policies::AccessCheck),
    ScopeGroup(scope_group::ScopeGroup),
    CalendarPublishing(publishing::Publishing),
    ExternalBooking(booking::ExternalBooking),
    AccessReport(audit::AccessRow),
    MigrationStep(migrate::Step),
}
