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
    /// A secret of this many UTF-8 bytes waits for `Operation::take_secret`; it belongs to the
    /// next record (e.g. `New-ExchangeApp`'s client secret). Never inside a record.
    SecretReady(u32),
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
    AccessPolicy(super::exo_records::AppAccessPolicy),
    AccessPolicyTest(super::exo_records::AppAccessPolicyTest),
    ScopeGroup(super::exo_records::AppScopeGroup),
    CalendarPublishing(super::exo_records::CalendarPublishing),
    ExternalBooking(super::exo_records::CalendarExternalBooking),
    AccessReport(super::exo_records::AppAccessReport),
    MigrationStep(super::exo_records::AppMigrationStep),
    RoleAssignment(ExchangeAppRoleAssignment),
    App(ExchangeApp),
    Access(ExchangeAppAccess),
    MirrorState(MirrorState),
}

/// `Get-ContactMirrorState`: one mailbox folder the state file holds.
#[ffi]
#[derive(Debug, Clone)]
pub struct MirrorState {
    pub Tenant: String,
    /// The mailbox's UPN (its object id in a state no run has named yet).
    pub Mailbox: String,
    /// The mailbox's object id.
    pub MailboxId: String,
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

/// `Test-ExchangeAppAccess`: one mailbox × permission.
#[ffi]
#[derive(Debug, Clone)]
pub struct ExchangeAppAccess {
    pub App: String,
    pub AppId: String,
    pub Mailbox: String,
    pub Permission: String,
    /// `Granted`, `Denied` or `NotTested`.
    pub Access: String,
    /// Which assignment or scope applies, or what the probe call answered.
    pub Reason: String,
    /// `Test-ServicePrincipalAuthorization` or `Probe`.
    pub Method: String,
}

/// `Test-ExchangeAppAccess`'s parameters (the probe secret crosses as bytes on its own).
#[ffi]
#[derive(Debug, Clone)]
pub struct AccessRequest {
    pub app: String,
    pub mailboxes: Vec<String>,
    pub permissions: Vec<String>,
    pub probe: bool,
}

/// `New-/Get-ExchangeAppRoleAssignment`: one Exchange role assignment of an app.
#[ffi]
#[derive(Debug, Clone)]
pub struct ExchangeAppRoleAssignment {
    pub Id: String,
    /// The service principal's display name.
    pub App: String,
    pub AppId: String,
    pub ServicePrincipalId: String,
    pub Role: String,
    pub RoleDefinitionId: String,
    /// `Tenant`, `User`, `Group`, `AdministrativeUnit` or `AppScope`.
    pub ScopeType: String,
    /// The UPN, group or unit name; `(whole tenant)` for the tenant.
    pub Scope: String,
    /// As Graph writes it: `/`, `/Users/{id}`, `/Groups/{id}`, `/AdministrativeUnits/{id}`.
    pub DirectoryScopeId: Option<String>,
    pub AppScopeId: Option<String>,
}

/// `New-ExchangeApp`: the app made (or found). Its client secret is not a field here: it
/// crosses through `take_secret` and the cmdlet adds it as a SecureString `Secret` property.
#[ffi]
#[derive(Debug, Clone)]
pub struct ExchangeApp {
    pub DisplayName: String,
    pub AppId: String,
    pub ObjectId: String,
    pub ServicePrincipalId: String,
    pub TenantId: String,
    /// `false` when an app of that name existed and was reused.
    pub Created: bool,
    /// What was added: `ClientSecret` (see the `Secret` property), `Certificate`, or `None`
    /// for a reused app.
    pub Credential: String,
    /// ISO 8601, UTC; empty when no secret was added.
    pub SecretExpiresOn: Option<String>,
    pub Assignments: Vec<ExchangeAppRoleAssignment>,
}

/// `New-ExchangeAppRoleAssignment`'s parameters. Exactly one scope field is set, or none with
/// `tenant` for the whole tenant.
#[ffi]
#[derive(Debug, Clone)]
pub struct AssignmentRequest {
    pub app: String,
    pub role: String,
    pub tenant: bool,
    pub user: Option<String>,
    pub group_name: Option<String>,
    pub administrative_unit: Option<String>,
}

/// `Get-ExchangeAppRoleAssignment`'s filters.
#[ffi]
#[derive(Debug, Clone)]
pub struct AssignmentFilter {
    pub id: Option<String>,
    pub app: Option<String>,
    pub role: Option<String>,
}

/// `New-ExchangeApp`'s parameters.
#[ffi]
#[derive(Debug, Clone)]
pub struct AppRequest {
    pub display_name: String,
    pub roles: Vec<String>,
    pub tenant: bool,
    pub user: Option<String>,
    pub group_name: Option<String>,
    pub administrative_unit: Option<String>,
    pub secret_lifetime_seconds: u64,
    /// `-Certificate`'s public certificate, base64 DER; a certificate is registered instead of a secret.
    pub certificate: Option<String>,
    pub force: bool,
    pub replication_timeout_seconds: u64,
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
    /// Why a contact is deleted or untagged (`Delete`, `Untag`).
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
    /// `-Full` (or `AUTOMATION_SYNCCONTACTS_FULL` with `-FromEnvironment`): plan every pair.
    pub full: bool,
    /// `-RepairDuplicates` (or `AUTOMATION_SYNCCONTACTS_REPAIR_DUPLICATES` with `-FromEnvironment`).
    pub repair_duplicates: bool,
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
    /// The Exchange admin API's root (`Test-ExchangeAppAccess`, policies, calendars).
    pub ExchangeEndpoint: String,
    pub AuthorityHost: String,
    /// ISO 8601, UTC.
    pub ConnectedAt: String,
    /// ISO 8601, UTC; when the cached Graph token expires.
    pub TokenExpiresOn: Option<String>,
    /// The module's handle for this connection (what `-Connection` passes back).
    pub ConnectionId: u64,
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
    /// `-ExchangeEndpoint`: the Exchange admin API's root, for a custom cloud.
    pub exchange_endpoint: Option<String>,
    pub pass_thru: bool,
    /// `-Proxy`: overrides `HTTPS_PROXY`/`HTTP_PROXY`.
    pub proxy: Option<String>,
    /// `-ProxyCredential`'s user name (its password crosses as bytes on its own).
    pub proxy_user: Option<String>,
    /// `-CertificateAuthorityFile`: a PEM bundle trusted besides the platform's roots.
    pub ca_file: Option<String>,
    /// `NAME=value` for `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `SSL_CERT_FILE` as PowerShell sees them.
    pub network_variables: Vec<String>,
    /// The credential kind: the parameter set's name (`ClientSecret`, `CertificatePath`,
    /// `CertificateThumbprint`, `ManagedIdentity`, `FederatedTokenFile`, `FederatedToken`, `AccessToken`).
    pub auth: String,
    /// `-CertificatePath`, resolved to a file system path.
    pub certificate_path: Option<String>,
    /// `-CertificateKeyPath`: a PEM key kept apart from its certificate.
    pub certificate_key_path: Option<String>,
    pub certificate_thumbprint: Option<String>,
    /// `-FederatedTokenFile`, resolved to a file system path.
    pub federated_token_file: Option<String>,
    /// `NAME=value` for `IDENTITY_ENDPOINT` and `AZURE_POD_IDENTITY_AUTHORITY_HOST` (managed identity).
    pub identity_variables: Vec<String>,
}

/// `Get-ExchangeAppRoleDefinition`'s parameters.
#[ffi]
#[derive(Debug, Clone)]
pub struct RoleDefinitionQuery {
    pub filter: Option<String>,
}

impl ConnectRequest {
    pub(super) fn credential_spec(&self, secret: Option<crate::auth::Secret>) -> crate::auth::CredentialSpec {
        let path = |p: &Option<String>| p.as_ref().filter(|p| !p.trim().is_empty()).map(std::path::PathBuf::from);
        crate::auth::CredentialSpec {
            kind: self.auth.clone(),
            certificate_path: path(&self.certificate_path),
            certificate_key_path: path(&self.certificate_key_path),
            certificate_thumbprint: self.certificate_thumbprint.clone(),
            federated_token_file: path(&self.federated_token_file),
            client_id: Some(self.client_id.clone()),
            variables: crate::http::Network::variables_from_pairs(&self.identity_variables).into_iter().collect(),
            secret,
        }
    }

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
            exchange_endpoint: self.exchange_endpoint,
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
            ops::Event::Secret(secret) => Event::SecretReady(u32::try_from(secret.expose().len()).unwrap_or(u32::MAX)),
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
            ops::Record::RoleAssignment(a) => Record::RoleAssignment(a.into()),
            ops::Record::App(a) => Record::App(a.into()),
            ops::Record::Access(a) => Record::Access(ExchangeAppAccess {
                App: a.app,
                AppId: a.app_id,
                Mailbox: a.mailbox,
                Permission: a.permission,
                Access: a.access.into(),
                Reason: a.reason,
                Method: a.method.into(),
            }),
            ops::Record::AccessPolicy(p) => Record::AccessPolicy(p.into()),
            ops::Record::AccessCheck(c) => Record::AccessPolicyTest(c.into()),
            ops::Record::ScopeGroup(g) => Record::ScopeGroup(g.into()),
            ops::Record::CalendarPublishing(p) => Record::CalendarPublishing(p.into()),
            ops::Record::ExternalBooking(b) => Record::ExternalBooking(b.into()),
            ops::Record::AccessReport(r) => Record::AccessReport(r.into()),
            ops::Record::MigrationStep(s) => Record::MigrationStep(s.into()),
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
            ExchangeEndpoint: c.exchange_endpoint,
            AuthorityHost: c.authority_host,
            ConnectedAt: iso(c.connected_at),
            TokenExpiresOn: c.token_expires_on.map(iso),
            ConnectionId: c.connection,
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
            MailboxId: s.mailbox_id,
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

impl From<access::Assignment> for ExchangeAppRoleAssignment {
    fn from(a: access::Assignment) -> Self {
        let directory_scope_id = a.scope.directory_scope_id();
        let app_scope_id = if directory_scope_id.is_none() { a.scope.id.clone() } else { None };
        ExchangeAppRoleAssignment {
            Id: a.id,
            App: a.app.display_name,
            AppId: a.app.app_id,
            ServicePrincipalId: a.app.id,
            Role: a.role_name,
            RoleDefinitionId: a.role_id,
            ScopeType: a.scope.kind.name().into(),
            Scope: a.scope_name,
            DirectoryScopeId: directory_scope_id,
            AppScopeId: app_scope_id,
        }
    }
}

impl From<access::AppCreated> for ExchangeApp {
    fn from(a: access::AppCreated) -> Self {
        ExchangeApp {
            DisplayName: a.display_name,
            AppId: a.app_id,
            ObjectId: a.object_id,
            ServicePrincipalId: a.service_principal_id,
            TenantId: a.tenant_id,
            Created: a.created,
            Credential: a.credential.into(),
            SecretExpiresOn: a.secret_expires_on.map(iso),
            Assignments: a.assignments.into_iter().map(Into::into).collect(),
        }
    }
}

/// The scope parameters of `New-ExchangeAppRoleAssignment` and `New-ExchangeApp`: exactly one.
pub(super) fn scope_request(tenant: bool, user: Option<String>, group: Option<String>, unit: Option<String>) -> crate::error::Result<access::ScopeRequest> {
    let given = [user.is_some(), group.is_some(), unit.is_some(), tenant].iter().filter(|&&b| b).count();
    if given != 1 {
        return Err(crate::error::ExoError::invalid_argument("Scope", "give exactly one of -Tenant, -User, -Group and -AdministrativeUnit"));
    }
    Ok(match (user, group, unit) {
        (Some(u), _, _) => access::ScopeRequest::User(u),
        (_, Some(g), _) => access::ScopeRequest::Group(g),
        (_, _, Some(a)) => access::ScopeRequest::AdministrativeUnit(a),
        _ => access::ScopeRequest::Tenant,
    })
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
