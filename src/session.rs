//! Connections: `Connect-ExoKit` makes one, and every other cmdlet runs on one. Tokens stay
//! here, in Rust memory; PowerShell only sees [`ContextInfo`].
//!
//! Which connection a cmdlet uses is the caller's choice, not a process-wide one: PowerShell
//! runspaces (`ForEach-Object -Parallel`, thread jobs) each hold their own. The module keeps a
//! registry of open connections by handle ([`register`], [`release`]); an operation started
//! with a handle runs with that connection as its task-local [`current`], so two runspaces'
//! cmdlets never see each other's. Rust callers (tests, benches) that start operations without
//! a handle use the process default that [`connect`] sets, which the module never sets.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};

use crate::auth::{Credential, TokenProvider};
use crate::cloud::Cloud;
use crate::error::{ExoError, Result};
use crate::exo::ExoClient;
use crate::graph::GraphClient;
use crate::http::{Network, Transport, TransportOptions};
use crate::ops;

/// What `Connect-ExoKit` was given.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub tenant_id: String,
    pub client_id: String,
    pub environment: Option<String>,
    pub graph_endpoint: Option<String>,
    pub authority_host: Option<String>,
    /// The Exchange admin API's root (`-ExchangeEndpoint`), e.g. a sandbox's
    /// `http://127.0.0.1:PORT/outlook.office365.com/`.
    pub exchange_endpoint: Option<String>,
    pub credential: Credential,
    /// Proxy and extra trusted CAs.
    pub network: Network,
}

/// One live connection.
pub struct Session {
    pub cloud: Cloud,
    pub tenant_id: String,
    pub client_id: String,
    pub tokens: Arc<TokenProvider>,
    pub graph: GraphClient,
    /// The Exchange admin API (`InvokeCommand`); its token is fetched on first use.
    pub exo: ExoClient,
    pub connected_at: DateTime<Utc>,
}

/// What an admin may see of a connection (`Get-ExoKitContext`): no token, no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    pub tenant_id: String,
    pub client_id: String,
    pub auth_type: String,
    pub environment: String,
    pub graph_endpoint: String,
    pub exchange_endpoint: String,
    pub authority_host: String,
    pub connected_at: DateTime<Utc>,
    pub token_expires_on: Option<DateTime<Utc>>,
    /// The module's handle for this connection (0 when it has none), so `-Connection` can
    /// name it.
    pub connection: u64,
}

/// The process default, for Rust callers only (see the module comment).
static CURRENT: RwLock<Option<Arc<Session>>> = RwLock::new(None);

/// Open connections by handle (the module's `Connect-ExoKit`); 0 is never a handle.
static REGISTRY: Mutex<Option<HashMap<u64, Arc<Session>>>> = Mutex::new(None);
static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

tokio::task_local! {
    /// The connection an operation was started with (`None`: started without one).
    static SCOPED: Option<Arc<Session>>;
}

/// The connection of the running operation, or [`ExoError::NotConnected`]. An operation started
/// with a handle sees only that connection (or none); never the process default.
pub fn current() -> Result<Arc<Session>> {
    if let Ok(scoped) = SCOPED.try_with(Clone::clone) {
        return scoped.ok_or(ExoError::NotConnected);
    }
    CURRENT.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or(ExoError::NotConnected)
}

/// Runs `work` with `session` as its [`current`] connection (`None`: not connected).
pub fn scoped<F: std::future::Future>(session: Option<Arc<Session>>, work: F) -> impl std::future::Future<Output = F::Output> {
    SCOPED.scope(session, work)
}

/// The running operation's scoped connection, to hand to a task it spawns: `Err` when it was
/// started without one (the task then falls back as its parent does).
pub fn scope_of_running() -> std::result::Result<Option<Arc<Session>>, ()> {
    SCOPED.try_with(Clone::clone).map_err(|_| ())
}

/// Keeps an open connection under a new handle.
pub fn register(session: Arc<Session>) -> u64 {
    let handle = NEXT_HANDLE.fetch_add(1, Ordering::Relaxed);
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(HashMap::new).insert(handle, session);
    handle
}

/// The connection behind a handle; `None` for 0, or one released (disconnected).
pub fn lookup(handle: u64) -> Option<Arc<Session>> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner()).as_ref()?.get(&handle).cloned()
}

/// Forgets a handle's connection and its tokens (operations still running on it finish).
pub fn release(handle: u64) -> bool {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner()).as_mut().is_some_and(|r| r.remove(&handle).is_some())
}

/// Forgets the current connection (its cached tokens go with it).
pub fn disconnect() -> bool {
    CURRENT.write().unwrap_or_else(|p| p.into_inner()).take().is_some()
}

/// Validates the options, proves the credential by getting a Graph token, and makes the
/// connection current. A failure leaves any previous connection in place.
pub async fn connect(options: ConnectOptions) -> Result<ContextInfo> {
    let session = open(options).await?;
    let info = describe(&session).await;
    *CURRENT.write().unwrap_or_else(|p| p.into_inner()) = Some(session);
    ops::verbose(format!("Connected to tenant {} as app {}", info.tenant_id, info.client_id));
    Ok(info)
}

/// Opens a connection and keeps it under a new handle, for the module: nothing process-wide
/// changes, so no other runspace sees it.
pub async fn connect_handle(options: ConnectOptions) -> Result<(u64, ContextInfo)> {
    let session = open(options).await?;
    let info = describe(&session).await;
    ops::verbose(format!("Connected to tenant {} as app {}", info.tenant_id, info.client_id));
    Ok((register(session), info))
}

/// A connection that is not made current: a pipeline run's own per-tenant credentials
/// (`Invoke-ContactMirror -FromEnvironment`) must not replace the admin's connection.
pub async fn open(options: ConnectOptions) -> Result<Arc<Session>> {
    let tenant_id = required("TenantId", &options.tenant_id)?;
    let client_id = client_id_of(&options)?;
    let cloud = resolve_cloud(&options)?;
    ops::verbose(format!(
        "Connecting to tenant {tenant_id} in the {} cloud (Graph {}, login {})",
        cloud.name, cloud.graph_endpoint, cloud.authority_host
    ));
    if let Some(route) = options.network.describe() {
        ops::verbose(format!("Network: {route}"));
    }
    let network = match &options.credential {
        Credential::ManagedIdentity(identity) => options.network.clone().bypassing(&identity.host()),
        _ => options.network.clone(),
    };
    let transport = Transport::new(TransportOptions { network, ..TransportOptions::default() })?;
    let tokens = Arc::new(TokenProvider::new(
        cloud.clone(),
        tenant_id.clone(),
        client_id.clone(),
        options.credential,
        transport.clone(),
    ));
    tokens.token(&cloud.graph_scope()).await?;
    Ok(Arc::new(Session {
        graph: GraphClient::new(cloud.clone(), transport.clone(), tokens.clone()),
        exo: ExoClient::new(cloud.clone(), tenant_id.clone(), transport, tokens.clone()),
        cloud,
        tenant_id,
        client_id,
        tokens,
        connected_at: Utc::now(),
    }))
}

/// The admin-visible view of a connection.
pub async fn describe(session: &Session) -> ContextInfo {
    ContextInfo {
        tenant_id: session.tenant_id.clone(),
        client_id: session.client_id.clone(),
        auth_type: session.tokens.credential_kind().into(),
        environment: session.cloud.name.clone(),
        graph_endpoint: session.cloud.graph_endpoint.to_string(),
        exchange_endpoint: session.cloud.exchange_display(),
        authority_host: session.cloud.authority_host.to_string(),
        connected_at: session.connected_at,
        token_expires_on: session.tokens.cached_expiry(&session.cloud.graph_scope()).await,
        connection: 0,
    }
}

fn resolve_cloud(options: &ConnectOptions) -> Result<Cloud> {
    let base = Cloud::named(options.environment.as_deref().unwrap_or("Global"))?;
    if options.graph_endpoint.is_none() && options.authority_host.is_none() && options.exchange_endpoint.is_none() {
        return Ok(base);
    }
    Cloud::custom(
        &base,
        options.graph_endpoint.as_deref(),
        options.authority_host.as_deref(),
        options.exchange_endpoint.as_deref(),
    )
}

/// The app id: given, or for a system-assigned identity empty, or read from a held token.
fn client_id_of(options: &ConnectOptions) -> Result<String> {
    match &options.credential {
        Credential::AccessToken(given) if options.client_id.trim().is_empty() => Ok(given.client_id.clone().unwrap_or_default()),
        credential if !credential.needs_client_id() => Ok(options.client_id.trim().to_string()),
        _ => required("ClientId", &options.client_id),
    }
}

fn required(parameter: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ExoError::invalid_argument(parameter, "is empty"));
    }
    Ok(value.to_string())
}
