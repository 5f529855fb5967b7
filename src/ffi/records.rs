//! The records that cross the boundary. Output records use PascalCase field names because the
//! generated C# classes are the objects PowerShell shows (`$ctx.TenantId`), so no C# type is
//! written by hand.
#![allow(non_snake_case)]

use chrono::{DateTime, SecondsFormat, Utc};
use interoptopus::ffi;

use crate::auth::Credential;
use crate::{access, mirror, ops, session};

/// What an operation hands over, one at a time.
#[ffi]
#[derive(Debug, Clone)]
pub enum Event {
    /// Nothing arrived within the timeout; ask again.
    Idle,
    Progress(ProgressInfo),
    Verbose(String),
    /// A log line for the information stream.
    Information(String),
    Warning(String),
    Record(Record),
    Error(ErrorInfo),
    /// The operation has finished; nothing follows.
    Done,
}

#[ffi]
#[derive(Debug, Clone)]
pub struct ProgressInfo {
    pub Activity: String,
    pub Status: String,
    /// -1 when the total is unknown.
    pub PercentComplete: i32,
}

/// An error, shaped for an `ErrorRecord`.
#[ffi]
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Stable, e.g. `ExoKit.AuthenticationFailed`; the `FullyQualifiedErrorId`.
    pub ErrorId: String,
    /// A `System.Management.Automation.ErrorCategory` member name.
    pub Category: String,
    pub Message: String,
    pub Target: Option<String>,
    /// `true`: the cmdlet stops (`ThrowTerminatingError`); `false`: `WriteError` and go on.
    pub Terminating: bool,
}

/// Every kind of output object.
#[ffi]
#[derive(Debug, Clone)]
pub enum Record {
    Context(ExoKitContext),
    RoleDefinition(RoleDefinition),
    MirrorSummary(MirrorSummary),
    MirrorAction(MirrorAction),
    MirrorState(MirrorState),
}

/// `Get-ContactMirrorState`: one mailbox folder the state file holds.
#[ffi]
#[derive(Debug, Clone)]
pub struct MirrorState {
    pub Tenant: String,
    /// The mailbox's object id.
    pub Mailbox: String,
    /// `Contacts` (a user's default folder) or `Shared folder`.
    pub Folder: String,
    pub FolderId: Option<String>,
    pub Contacts: i64,
    /// Contacts carrying a SyncId (mirrored ones).
    pub SyncedContacts: i64,
    /// When the folder was last read (RFC 3339, UTC).
    pub LastSynced: String,
    /// The tenant's last run: its start, and its end (empty when it was killed or is running).
    pub LastRunStarted: Option<String>,
    pub LastRunFinished: Option<String>,
    pub StatePath: String,
}

/// `Get-/Reset-ContactMirrorState`: where the state file is.
#[ffi]
#[derive(Debug, Clone)]
pub struct StateRequest {
    /// `-StatePath` (else `AUTOMATION_SYNCCONTACTS_STATE_PATH`, else the user's state directory).
    pub state_path: Option<String>,
}

/// `Invoke-ContactMirror`: the counts of one step of one tenant.
#[ffi]
#[derive(Debug, Clone)]
pub struct MirrorSummary {
    pub Tenant: String,
    /// `Collect` (users → shared folder) or `Distribute` (shared folder → users).
    pub Step: String,
    pub WhatIf: bool,
    pub Created: i64,
    pub Updated: i64,
    pub WrittenBack: i64,
    pub Skipped: i64,
    pub Failed: i64,
    pub WouldCreate: i64,
    pub WouldUpdate: i64,
    /// HTTP round trips (a `$batch` counts once; retries count).
    pub Requests: i64,
    pub DurationSeconds: f64,
}

/// `Invoke-ContactMirror -PassThru` / `-WhatIf`: one contact action.
#[ffi]
#[derive(Debug, Clone)]
pub struct MirrorAction {
    pub Tenant: String,
    pub Step: String,
    /// The mailbox written to.
    pub Mailbox: String,
    /// `Create`, `Update`, `WriteBack`, `Skip` or `Delete`.
    pub Action: String,
    /// `Done`, `Failed`, `WhatIf` or `Skipped`.
    pub Outcome: String,
    pub DisplayName: Option<String>,
    pub Email: Option<String>,
    pub SyncId: Option<String>,
    pub Changed: Vec<String>,
    pub Error: Option<String>,
    /// Why a contact is deleted (`Delete` only).
    pub Reason: Option<String>,
}

/// `Invoke-ContactMirror`'s parameters, except the variables of `-FromEnvironment` (which may
/// hold secrets and cross as bytes on their own).
#[ffi]
#[derive(Debug, Clone)]
pub struct MirrorRequest {
    pub shared_mailbox: Option<String>,
    pub folder_name: Option<String>,
    pub users: Vec<String>,
    pub what_if: bool,
    pub pass_thru: bool,
    pub from_environment: bool,
    /// `-StatePath` (else `AUTOMATION_SYNCCONTACTS_STATE_PATH`, else the user's state directory).
    pub state_path: Option<String>,
    /// `-PropagateDeletes` (or `AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES` with `-FromEnvironment`).
    pub propagate_deletes: bool,
    /// `-MaxDeletes`; -1 when not given.
    pub max_deletes: i32,
}

/// `Get-ExoKitContext`: the current connection, without any credential.
#[ffi]
#[derive(Debug, Clone)]
pub struct ExoKitContext {
    pub TenantId: String,
    pub ClientId: String,
    pub AuthType: String,
    pub Environment: String,
    pub GraphEndpoint: String,
    pub AuthorityHost: String,
    /// ISO 8601, UTC.
    pub ConnectedAt: String,
    /// ISO 8601, UTC; when the cached Graph token expires.
    pub TokenExpiresOn: Option<String>,
}

/// `Get-ExchangeAppRoleDefinition`.
#[ffi]
#[derive(Debug, Clone)]
pub struct RoleDefinition {
    pub DisplayName: String,
    pub Id: String,
    pub Description: Option<String>,
    pub Permissions: Vec<String>,
    pub AllowedPrincipalTypes: Option<String>,
    pub IsBuiltIn: bool,
    pub IsEnabled: bool,
}

/// `Connect-ExoKit`'s parameters, except the secret (which crosses as bytes on its own).
#[ffi]
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    pub tenant_id: String,
    pub client_id: String,
    pub environment: Option<String>,
    pub graph_endpoint: Option<String>,
    pub authority_host: Option<String>,
    pub pass_thru: bool,
    /// `-Proxy`: overrides `HTTPS_PROXY`/`HTTP_PROXY`.
    pub proxy: Option<String>,
    /// `-ProxyCredential`'s user name (its password crosses as bytes on its own).
    pub proxy_user: Option<String>,
    /// `-CertificateAuthorityFile`: a PEM bundle trusted besides the platform's roots.
    pub ca_file: Option<String>,
    /// `NAME=value` for `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `SSL_CERT_FILE` as PowerShell sees them.
    pub network_variables: Vec<String>,
}

/// `Get-ExchangeAppRoleDefinition`'s parameters.
#[ffi]
#[derive(Debug, Clone)]
pub struct RoleDefinitionQuery {
    pub filter: Option<String>,
}

impl ConnectRequest {
    pub(super) fn into_options(self, credential: Credential, proxy_password: Option<crate::auth::Secret>) -> session::ConnectOptions {
        let variables = crate::http::Network::variables_from_pairs(&self.network_variables);
        let credential_for_proxy = self.proxy_user.clone().zip(proxy_password);
        let network = crate::http::Network::from_variables(&variables, None).with_parameters(
            self.proxy.as_deref(),
            credential_for_proxy,
            self.ca_file.as_deref(),
        );
        session::ConnectOptions {
            tenant_id: self.tenant_id,
            client_id: self.client_id,
            environment: self.environment,
            graph_endpoint: self.graph_endpoint,
            authority_host: self.authority_host,
            credential,
            network,
        }
    }
}

impl From<ops::Event> for Event {
    fn from(event: ops::Event) -> Self {
        match event {
            ops::Event::Progress(p) => Event::Progress(ProgressInfo {
                Activity: p.activity,
                Status: p.status,
                PercentComplete: p.percent.map_or(-1, i32::from),
            }),
            ops::Event::Verbose(line) => Event::Verbose(line),
            ops::Event::Information(line) => Event::Information(line),
            ops::Event::Warning(line) => Event::Warning(line),
            ops::Event::Record(record) => Event::Record(record.into()),
            ops::Event::Error { error, terminating } => Event::Error(ErrorInfo {
                ErrorId: error.error_id(),
                Category: error.category().into(),
                Message: error.to_string(),
                Target: error.target(),
                Terminating: terminating,
            }),
            ops::Event::Done => Event::Done,
        }
    }
}

impl From<ops::Record> for Record {
    fn from(record: ops::Record) -> Self {
        match record {
            ops::Record::Context(c) => Record::Context(c.into()),
            ops::Record::RoleDefinition(d) => Record::RoleDefinition(d.into()),
            ops::Record::MirrorSummary(s) => Record::MirrorSummary(s.into()),
            ops::Record::MirrorAction(a) => Record::MirrorAction(a.into()),
            ops::Record::MirrorState(s) => Record::MirrorState(s.into()),
        }
    }
}

impl From<session::ContextInfo> for ExoKitContext {
    fn from(c: session::ContextInfo) -> Self {
        ExoKitContext {
            TenantId: c.tenant_id,
            ClientId: c.client_id,
            AuthType: c.auth_type,
            Environment: c.environment,
            GraphEndpoint: c.graph_endpoint,
            AuthorityHost: c.authority_host,
            ConnectedAt: iso(c.connected_at),
            TokenExpiresOn: c.token_expires_on.map(iso),
        }
    }
}

impl From<access::RoleDefinition> for RoleDefinition {
    fn from(d: access::RoleDefinition) -> Self {
        RoleDefinition {
            DisplayName: d.display_name,
            Id: d.id,
            Description: d.description,
            Permissions: d.permissions,
            AllowedPrincipalTypes: d.allowed_principal_types,
            IsBuiltIn: d.is_built_in,
            IsEnabled: d.is_enabled,
        }
    }
}

impl From<mirror::apply::StepSummary> for MirrorSummary {
    fn from(s: mirror::apply::StepSummary) -> Self {
        let n = |count: usize| i64::try_from(count).unwrap_or(i64::MAX);
        MirrorSummary {
            Tenant: s.tenant,
            Step: step_name(s.step).into(),
            WhatIf: s.dry_run,
            Created: n(s.totals.created),
            Updated: n(s.totals.updated),
            WrittenBack: n(s.totals.written_back),
            Skipped: n(s.totals.skipped),
            Failed: n(s.totals.failed),
            WouldCreate: n(s.totals.would_create),
            WouldUpdate: n(s.totals.would_update),
            Requests: i64::try_from(s.requests).unwrap_or(i64::MAX),
            DurationSeconds: s.duration.as_secs_f64(),
        }
    }
}

impl From<mirror::state_view::StateEntry> for MirrorState {
    fn from(s: mirror::state_view::StateEntry) -> Self {
        MirrorState {
            Tenant: s.tenant,
            Mailbox: s.mailbox,
            Folder: s.folder,
            FolderId: s.folder_id,
            Contacts: s.contacts as i64,
            SyncedContacts: s.synced_contacts as i64,
            LastSynced: s.synced_at,
            LastRunStarted: s.last_run_started,
            LastRunFinished: s.last_run_finished,
            StatePath: s.path,
        }
    }
}

impl From<mirror::apply::ActionRecord> for MirrorAction {
    fn from(a: mirror::apply::ActionRecord) -> Self {
        MirrorAction {
            Tenant: a.tenant,
            Step: step_name(a.step).into(),
            Mailbox: a.mailbox,
            Action: a.action.into(),
            Outcome: a.outcome,
            DisplayName: a.display_name,
            Email: a.email,
            SyncId: a.sync_id,
            Changed: a.changed,
            Error: a.error,
            Reason: a.reason,
        }
    }
}

fn step_name(step: mirror::Step) -> &'static str {
    match step {
        mirror::Step::Collect => "Collect",
        mirror::Step::Distribute => "Distribute",
    }
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
