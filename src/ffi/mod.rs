//! The C ABI: the only place with `#[ffi]`. It converts between wire types and the crate's own
//! types and forwards to [`crate::ops`]; it decides nothing.
//!
//! Every cmdlet is the same three steps: a constructor of [`Operation`] starts the work and
//! returns at once, the caller pulls events with [`Operation::next_event`] until `Done`, and
//! [`Operation::cancel`] may be called from any thread. No panic crosses: constructors and
//! methods run inside `panic_to_result`, work runs inside [`crate::ops::Operation`].

mod records;

pub use records::*;

use std::time::Duration;

use interoptopus::inventory::RustInventory;
use interoptopus::pattern::result::panic_to_result;
use interoptopus::wire::Wire;
use interoptopus::{builtins_string, builtins_vec, builtins_wire, ffi, function, guard, service};

use crate::auth::{Credential, Secret};
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
}

#[ffi]
impl Operation {
    /// `Connect-ExoKit` with a client secret, and the proxy's password when `-ProxyCredential`
    /// is given (empty otherwise): UTF-8 bytes the caller zeroes after the call.
    pub fn connect(request: Wire<ConnectRequest>, client_secret: ffi::Slice<u8>, proxy_password: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let secret = Secret::from_utf8(client_secret.as_slice(), "ClientSecret");
            let proxy_password = (!proxy_password.as_slice().is_empty()).then(|| Secret::from_utf8(proxy_password.as_slice(), "ProxyCredential"));
            started(async move {
                let pass_thru = request.pass_thru;
                let proxy_password = proxy_password.transpose()?;
                let info = session::connect(request.into_options(Credential::ClientSecret(secret?), proxy_password)).await?;
                if pass_thru {
                    ops::record(ops::Record::Context(info));
                }
                Ok(())
            })
        })
    }

    /// `Get-ExoKitContext`.
    pub fn get_context() -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            started(async {
                let current = session::current()?;
                ops::record(ops::Record::Context(session::describe(&current).await));
                Ok(())
            })
        })
    }

    /// `Disconnect-ExoKit`.
    pub fn disconnect() -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            started(async {
                if !session::disconnect() {
                    ops::warning("ExoKit was not connected.");
                }
                Ok(())
            })
        })
    }

    /// `Get-ExchangeAppRoleDefinition`.
    pub fn get_role_definitions(query: Wire<RoleDefinitionQuery>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut query = query;
            let Ok(query) = query.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            started(access::get_role_definitions(query.filter))
        })
    }

    /// `Invoke-ContactMirror`. `variables` is a JSON object of variables (UTF-8 bytes the caller
    /// zeroes after the call): the state location ones always, and with `-FromEnvironment` every
    /// `AUTOMATION_SYNCCONTACTS_*` and network one.
    pub fn invoke_contact_mirror(request: Wire<MirrorRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let prepared = mirror_invocation(&request, variables.as_slice());
            started(async move { mirror::apply::invoke(prepared?).await })
        })
    }

    /// `Get-ContactMirrorState`. `variables`: the state location variables as JSON (as for
    /// `invoke_contact_mirror`).
    pub fn get_contact_mirror_state(request: Wire<StateRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let path = state_path(request.state_path.as_deref(), variables.as_slice());
            started(async move { mirror::state_view::get(path?).await })
        })
    }

    /// `Reset-ContactMirrorState` (the cmdlet asks ShouldProcess first).
    pub fn reset_contact_mirror_state(request: Wire<StateRequest>, variables: ffi::Slice<u8>) -> ffi::Result<Self, BoundaryError> {
        panic_to_result(|| {
            let mut request = request;
            let Ok(request) = request.try_unwire() else { return ffi::Err(BoundaryError::BadRequest) };
            let path = state_path(request.state_path.as_deref(), variables.as_slice());
            started(async move { mirror::state_view::reset(path?).await })
        })
    }

    /// The next event, waiting at most `timeout_ms`; `Event::Idle` when none came.
    pub fn next_event(&self, timeout_ms: u32) -> ffi::Result<Wire<Event>, BoundaryError> {
        panic_to_result(|| {
            let event = self.inner.next_event(Duration::from_millis(timeout_ms.into()));
            ffi::Ok(Wire::from(event.map(Event::from).unwrap_or(Event::Idle)))
        })
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
    let deletes = mirror::apply::Deletes::from_request(request.propagate_deletes, request.max_deletes, request.from_environment.then_some(&lookup))?;
    let source = if request.from_environment {
        mirror::apply::ConfigSource::Environment(parsed.into_iter().map(|(k, v)| (k, zeroize::Zeroizing::new(v))).collect())
    } else {
        mirror::apply::ConfigSource::Parameters {
            shared_mailbox: request.shared_mailbox.clone().unwrap_or_default(),
            folder_name: request.folder_name.clone(),
            users: request.users.clone(),
        }
    };
    Ok(mirror::apply::Invocation { source, what_if: request.what_if, pass_thru: request.pass_thru, state: Some(state), deletes })
}

fn started<F>(work: F) -> ffi::Result<Operation, BoundaryError>
where
    F: Future<Output = crate::error::Result<()>> + Send + 'static,
{
    ffi::Ok(Operation { inner: ops::Operation::start(work) })
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
        .register(guard!(ffi_inventory))
        .register(service!(Operation))
        .validate()
}
