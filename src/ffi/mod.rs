//! The C ABI: the only place with `#[ffi]`. It converts between wire types and the crate's own
//! types and forwards to [`crate::ops`]; it decides nothing.
//!
//! Every cmdlet is the same three steps: a constructor of [`Operation`] starts the work and
//! returns at once, the caller pulls events with [`Operation::next_event`] until `Done`, and
//! [`Operation::cancel`] may be called from any thread. No panic crosses: constructors and
//! methods run inside `panic_to_result`, work runs inside [`crate::ops::Operation`].

mod exo_records;
mod records;

pub use exo_records::*;
pub use records::*;

use std::time::Duration;

use interoptopus::inventory::RustInventory;
use interoptopus::pattern::result::panic_to_result;
use interoptopus::wire::Wire;
use interoptopus::{builtins_string, builtins_vec, builtins_wire, ffi, function, guard, service};

use crate::auth::Secret;
use crate::access::{audit, migrate, policies, scope_group};
use crate::calendar::{booking, publishing};
use crate::{access, mirror, ops, session};

/// Failures of the boundary itself; everything else travels as an [`Event::Error`].
#[ffi]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryError {
    /// A request record could not be decoded.
    BadRequest,
}

/// One running cmdlet.
#[ffi(service)]
pub struct Operation {
    inner: ops::Operation,
    /// A secret the work handed over (`Event::SecretReady`), until `take_secret` copies it out.
    secret: std::sync::Mutex<Option<Secret>>,
}

#[ffi]
impl Operation {
    /// `Connect-ExoKit`. `secret` is the one secret value the credential kind takes (client
    /// secret, certificate password, federated token, access token or `IDENTITY_HEADER`; empty
    /// when none), and `proxy_password` the proxy's password when `-ProxyCredential` is given:
    /// UTF-8 bytes the caller zeroes after the call.
    pub fn connect(request: Wire<ConnectRequest>, secret: ffi::Slice<u8>, proxy_password: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let secret = optional_secret(secret.as_slice(), crate::auth::CredentialSpec::secret_name(&request.auth));
            let proxy_password = optional_secret(proxy_password.as_slice(), "ProxyCredential");
            // The context always comes back, carrying the new handle: the cmdlet keeps the
            // handle for its runspace and writes the context only with -PassThru.
            unscoped(async move {
                let credential = request.credential_spec(secret?).load()?;
                let (handle, mut info) = session::connect_handle(request.into_options(credential, proxy_password?)).await?;
                info.connection = handle;
                ops::record(ops::Record::Context(info));
                Ok(())
            })
        })
    }

    /// `Get-ExoKitContext`: the connection behind `connection`, or nothing when there is none
    /// (as `Get-MgContext`).
    pub fn get_context(connection: u64) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            started(connection, async move {
                if let Ok(current) = session::current() {
                    let mut info = session::describe(&current).await;
                    info.connection = connection;
                    ops::record(ops::Record::Context(info));
                }
                Ok(())
            })
        })
    }

    /// `Get-ExchangeAppRoleDefinition`.
    pub fn get_role_definitions(connection: u64, query: Wire<RoleDefinitionQuery>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut query = query;
            let Ok(query) = query.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, access::get_role_definitions(query.filter))
        })
    }

    /// `Invoke-ContactMirror`. `variables` is a JSON object of variables (UTF-8 bytes the caller
    /// zeroes after the call): the state location ones always, and with `-FromEnvironment` every
    /// `AUTOMATION_SYNCCONTACTS_*` and network one.
    pub fn invoke_contact_mirror(connection: u64, request: Wire<MirrorRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let prepared = mirror_invocation(&request, variables.as_slice());
            started(connection, async move { mirror::apply::invoke(prepared?).await })
        })
    }

    /// `Get-ContactMirrorState`. `variables`: the state location variables as JSON (as for
    /// `invoke_contact_mirror`).
    pub fn get_contact_mirror_state(request: Wire<StateRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let path = state_path(request.state_path.as_deref(), variables.as_slice());
            unscoped(async move { mirror::state_view::get(path?).await })
        })
    }

    /// `Reset-ContactMirrorState` (the cmdlet asks ShouldProcess first).
    pub fn reset_contact_mirror_state(request: Wire<StateRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let path = state_path(request.state_path.as_deref(), variables.as_slice());
            unscoped(async move { mirror::state_view::reset(path?).await })
        })
    }

    /// `Get-ExchangeAppAccessPolicy`.
    pub fn get_app_access_policies(connection: u64, request: Wire<AccessPolicyRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, policies::get(r.identity, r.app_ids.into_iter().next()))
        })
    }

    /// `New-ExchangeAppAccessPolicy`.
    pub fn new_app_access_policy(connection: u64, request: Wire<AccessPolicyRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, async move {
                let access_right = policies::AccessRight::parse(r.access_right.as_deref().unwrap_or(""))?;
                let scope_group = r.scope_group.unwrap_or_default();
                policies::new(policies::NewPolicy { app_ids: r.app_ids, scope_group, access_right, description: r.description }).await
            })
        })
    }

    /// `Set-ExchangeAppAccessPolicy`.
    pub fn set_app_access_policy(connection: u64, request: Wire<AccessPolicyRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, policies::set(r.identity.unwrap_or_default(), r.description.unwrap_or_default()))
        })
    }

    /// `Remove-ExchangeAppAccessPolicy`.
    pub fn remove_app_access_policy(connection: u64, request: Wire<AccessPolicyRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, policies::remove(r.identity.unwrap_or_default()))
        })
    }

    /// `Test-ExchangeAppAccessPolicy`.
    pub fn test_app_access_policy(connection: u64, request: Wire<AccessPolicyRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, policies::test(r.app_ids.into_iter().next().unwrap_or_default(), r.mailboxes))
        })
    }

    /// `New-ExchangeAppScopeGroup`.
    pub fn new_app_scope_group(connection: u64, request: Wire<ScopeGroupRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, scope_group::new(r.name, r.members))
        })
    }

    /// `Get-CalendarPublishing`.
    pub fn get_calendar_publishing(connection: u64, request: Wire<CalendarRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, publishing::get(r.mailboxes))
        })
    }

    /// `Set-CalendarPublishing`.
    pub fn set_calendar_publishing(connection: u64, request: Wire<CalendarRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let change = publishing::Change {
                enabled: r.enabled_set.then_some(r.enabled),
                detail_level: r.detail_level,
                range_from: r.range_from,
                range_to: r.range_to,
                reset_url: r.reset_url,
            };
            started(connection, publishing::set(r.mailboxes, change))
        })
    }

    /// `Set-CalendarExternalBooking`.
    pub fn set_calendar_external_booking(connection: u64, request: Wire<CalendarRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, booking::set(r.mailboxes, r.enabled, r.force))
        })
    }

    /// `Get-ExchangeAppAccessReport`.
    pub fn get_app_access_report(connection: u64, request: Wire<AccessReportRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, audit::report(r.apps, r.mailboxes))
        })
    }

    /// `ConvertTo-ExchangeAppRoleAssignment`.
    pub fn convert_app_access_policies(connection: u64, request: Wire<MigrationRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let options = migrate::Options { policies: r.policies, mailboxes: r.mailboxes, what_if: r.what_if, remove_policy: r.remove_policy };
            started(connection, migrate::convert(options))
        })
    }

    /// `New-ExchangeAppRoleAssignment`.
    pub fn new_role_assignment(connection: u64, request: Wire<AssignmentRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let scope = scope_request(r.tenant, r.user, r.group_name, r.administrative_unit);
            started(connection, async move { access::new_assignment(access::NewAssignment { app: r.app, role: r.role, scope: scope? }).await })
        })
    }

    /// `Get-ExchangeAppRoleAssignment`.
    pub fn get_role_assignments(connection: u64, filter: Wire<AssignmentFilter>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut filter = filter;
            let Ok(f) = filter.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(connection, access::get_assignments(access::AssignmentQuery { id: f.id, app: f.app, role: f.role }))
        })
    }

    /// `Remove-ExchangeAppRoleAssignment` (after the cmdlet's `ShouldProcess`).
    pub fn remove_role_assignment(connection: u64, id: ffi::String) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| started(connection, access::remove_assignment(id.into_string())))
    }

    /// `New-ExchangeApp`. The client secret comes back through `take_secret`.
    pub fn new_app(connection: u64, request: Wire<AppRequest>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let scope = if r.roles.is_empty() && !(r.tenant || r.user.is_some() || r.group_name.is_some() || r.administrative_unit.is_some()) {
                Ok(access::ScopeRequest::Tenant)
            } else {
                scope_request(r.tenant, r.user, r.group_name, r.administrative_unit)
            };
            started(connection, async move {
                access::new_app(access::NewApp {
                    display_name: r.display_name,
                    roles: r.roles,
                    scope: scope?,
                    secret_lifetime: Duration::from_secs(r.secret_lifetime_seconds),
                    certificate: r.certificate,
                    force: r.force,
                    replication_budget: Duration::from_secs(r.replication_timeout_seconds),
                })
                .await
            })
        })
    }

    /// `Test-ExchangeAppAccess`; with `-Probe`, `app_secret` is the app's own client secret
    /// (UTF-8 bytes the caller zeroes after the call; empty otherwise).
    pub fn test_app_access(connection: u64, request: Wire<AccessRequest>, app_secret: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(r) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let secret = r.probe.then(|| Secret::from_utf8(app_secret.as_slice(), "ClientSecret"));
            started(connection, async move {
                let query = access::AccessQuery { app: r.app, mailboxes: r.mailboxes, permissions: r.permissions, probe_secret: secret.transpose()? };
                access::test_access(query).await
            })
        })
    }

    /// The next event, waiting at most `timeout_ms`; `Event::Idle` when none came. A secret the
    /// work hands over is kept here and announced as `SecretReady` with its length.
    pub fn next_event(&self, timeout_ms: u32) -> ffi::Result<Wire<Event>, BoundaryError> {
        panic_to_result(|| {
            let event = self.inner.next_event(Duration::from_millis(timeout_ms.into()));
            if let Some(ops::Event::Secret(secret)) = &event {
                *self.secret.lock().unwrap_or_else(|p| p.into_inner()) = Some(secret.clone());
            }
            ffi::Ok(Wire::from(event.map(Event::from).unwrap_or(Event::Idle)))
        })
    }

    /// Copies the secret announced by `SecretReady` into `buffer` (which must be at least that
    /// long) and forgets it; returns the bytes written, 0 when there is none or `buffer` is short.
    /// The caller zeroes `buffer` once it has made its SecureString.
    pub fn take_secret(&self, buffer: ffi::SliceMut<u8>) -> u32 {
        let mut buffer = buffer;
        let Some(secret) = self.secret.lock().unwrap_or_else(|p| p.into_inner()).take() else { return 0 };
        let bytes = secret.expose().as_bytes();
        let target = buffer.as_slice_mut();
        if target.len() < bytes.len() {
            return 0;
        }
        target[..bytes.len()].copy_from_slice(bytes);
        u32::try_from(bytes.len()).unwrap_or(0)
    }

    /// Asks the work to stop; safe from any thread, at any time, more than once.
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}

/// The variables that crossed as JSON (empty: none).
fn crossed_variables(variables: &[u8]) -> crate::error::Result<std::collections::BTreeMap<String, String>> {
    if variables.is_empty() {
        return Ok(Default::default());
    }
    serde_json::from_slice(variables).map_err(|e| crate::error::ExoError::Internal(format!("the environment variables did not cross the boundary as JSON ({e})")))
}

/// The state file from `-StatePath` and the location variables.
fn state_path(explicit: Option<&str>, variables: &[u8]) -> crate::error::Result<std::path::PathBuf> {
    let parsed = crossed_variables(variables)?;
    crate::state::location::resolve(explicit, &|name: &str| parsed.get(name).cloned(), cfg!(windows))
}

/// `Invoke-ContactMirror`'s request and variables as an invocation: where the configuration
/// comes from, and where the state file is (the location variables cross in `variables` too).
fn mirror_invocation(request: &MirrorRequest, variables: &[u8]) -> crate::error::Result<mirror::apply::Invocation> {
    let parsed = crossed_variables(variables)?;
    let lookup = |name: &str| parsed.get(name).cloned();
    let state = crate::state::location::resolve(request.state_path.as_deref(), &lookup, cfg!(windows))?;
    let deletes = mirror::apply::Deletes::from_request(request.propagate_deletes, request.max_deletes, request.repair_duplicates, request.from_environment.then_some(&lookup))?;
    let full = mirror::incremental::full_from_request(request.full, request.from_environment.then_some(&lookup))?;
    let source = if request.from_environment {
        mirror::apply::ConfigSource::Environment(parsed.into_iter().map(|(k, v)| (k, zeroize::Zeroizing::new(v))).collect())
    } else {
        mirror::apply::ConfigSource::Parameters {
            shared_mailbox: request.shared_mailbox.clone().unwrap_or_default(),
            folder_name: request.folder_name.clone(),
            users: request.users.clone(),
        }
    };
    Ok(mirror::apply::Invocation { source, what_if: request.what_if, pass_thru: request.pass_thru, state: Some(state), deletes, full })
}

/// Empty bytes are "not given"; others must be UTF-8 (`what` names them in the error).
fn optional_secret(bytes: &[u8], what: &str) -> crate::error::Result<Option<Secret>> {
    (!bytes.is_empty()).then(|| Secret::from_utf8(bytes, what)).transpose()
}

/// Starts `work` on the connection behind `connection` (none when 0 or released): it never
/// sees another caller's connection or the Rust callers' process default.
fn started<F>(connection: u64, work: F) -> ffi::Result<Operation, BoundaryError>
where
    F: Future<Output = crate::error::Result<()>> + Send + 'static,
{
    unscoped(session::scoped(session::lookup(connection), work))
}

/// Starts work that needs no connection (connecting itself, the local state file).
fn unscoped<F>(work: F) -> ffi::Result<Operation, BoundaryError>
where
    F: Future<Output = crate::error::Result<()>> + Send + 'static,
{
    ffi::Ok(Operation { inner: ops::Operation::start(work), secret: std::sync::Mutex::new(None) })
}

/// `Disconnect-ExoKit`, and the module forgetting a connection nothing refers to any more:
/// drops the connection behind `handle` and its tokens. False when there was none.
#[ffi]
pub fn exokit_release_connection(handle: u64) -> bool {
    session::release(handle)
}

/// The library version (the C smoke test calls this).
#[ffi]
pub fn exokit_version() -> ffi::String {
    ffi::String::from_string(crate::VERSION.to_string())
}

/// Everything the bindings expose. The API guard hash covers all of it, so generated C# refuses
/// to run against a library built from another API.
pub fn ffi_inventory() -> RustInventory {
    RustInventory::new()
        .register(builtins_string!())
        .register(builtins_wire!())
        .register(builtins_vec!(ffi::String))
        .register(function!(exokit_version))
        .register(function!(exokit_release_connection))
        .register(guard!(ffi_inventory))
        .register(service!(Operation))
        .validate()
}
