//! The contact mirror's effects: read the configuration, then for each tenant resolve the
//! mailboxes, read them once, carry out the pure plan's actions in `$batch`es (at most four
//! requests in flight per mailbox, many mailboxes at once) and report. Everything that touches
//! the network for `Invoke-ContactMirror` is here; every decision is in the pure modules.

mod deletes;
mod delta;
mod journal;
mod outcome;
mod pair;
mod reads;
mod records;
mod resume;
mod tenant;
mod write;

pub use records::{ActionRecord, StepSummary};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use crate::auth::Credential;
use crate::error::{ExoError, Result};
use crate::http::Network;
use crate::mirror::config::{MirrorConfig, MirrorParameters, TenantConfig, TenantCredential, endpoints};
use crate::ops;
use crate::session::{self, ConnectOptions};
use crate::state::StateStore;

pub use crate::mirror::deletes::Deletes;

/// Where the configuration comes from.
pub enum ConfigSource {
    /// `Invoke-ContactMirror -SharedMailbox … [-User …]` on the `Connect-ExoKit` session.
    Parameters { shared_mailbox: String, folder_name: Option<String>, users: Vec<String> },
    /// `-FromEnvironment`: the original script's variables (with issue 13's cloud and CA ones)
    /// and the proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, `SSL_CERT_FILE`).
    Environment(BTreeMap<String, Zeroizing<String>>),
}

/// One `Invoke-ContactMirror`.
pub struct Invocation {
    pub source: ConfigSource,
    /// `-WhatIf`: plan only, whatever the configuration says.
    pub what_if: bool,
    pub pass_thru: bool,
    /// The state file (delta links, snapshots); `None` reads every folder whole with lists and
    /// keeps nothing (the engine tests' default).
    pub state: Option<PathBuf>,
    /// `-PropagateDeletes`, `-MaxDeletes` (deletes need the state: without one, none happen).
    pub deletes: Deletes,
    /// `-Full` (or `AUTOMATION_SYNCCONTACTS_FULL=true`): plan every pair, as the first run does,
    /// even when the state would let the run plan only what changed.
    pub full: bool,
}

/// Runs every configured tenant. A tenant that fails is reported and the next one runs (the
/// original stopped at the first); so is a tenant whose configuration is invalid, reported
/// before any request. A configuration error that leaves no tenant stops the run.
pub async fn invoke(invocation: Invocation) -> Result<()> {
    let what_if = invocation.what_if;
    let (config, network) = configuration(invocation.source, what_if)?;
    for notice in &config.notices {
        ops::information(notice.clone());
    }
    for warning in &config.warnings {
        ops::warning(warning.clone());
    }
    // Tenants the configuration rules out are failed now, before the first request; the
    // others run (issue 22).
    for error in &config.invalid {
        ops::error(error.clone());
    }
    let dry_run = config.dry_run || what_if;
    // Opened (and locked) once for every tenant, before the first request. A dry run works on a
    // scratch copy (removed when the run ends), so it leaves no trace; none when there is no file.
    let mut scratch = None;
    let state = match &invocation.state {
        Some(path) if dry_run => dry_run_state(path, &mut scratch)?,
        Some(path) => Some(Arc::new(StateStore::open(path)?)),
        None => None,
    };
    let _scratch = scratch;
    let settings = tenant::Settings {
        started_at: Utc::now(),
        dry_run,
        actions: invocation.pass_thru || config.dry_run || what_if,
        state,
        deletes: invocation.deletes,
        full: invocation.full,
    };
    run_tenants(config.tenants, network, settings).await;
    Ok(())
}

/// Tenants mirrored at once (each has its own mailboxes and throttling budgets; the state file
/// is shared, one statement at a time).
const PARALLEL_TENANTS: usize = 4;

/// Runs the tenants, several at once; each tenant's lines are told together, in the
/// configuration's order, as soon as it and those before it are done.
async fn run_tenants(tenants: Vec<TenantConfig>, network: Network, settings: tenant::Settings) {
    if tenants.len() == 1 {
        // One tenant (the common case, and one CI job per tenant): its lines as they happen.
        let tenant = tenants.into_iter().next().expect("one");
        return run_one(tenant, network, settings).await;
    }
    let slots = Arc::new(Semaphore::new(PARALLEL_TENANTS));
    let mut tasks = JoinSet::new();
    for (index, tenant) in tenants.into_iter().enumerate() {
        let (network, settings, slots) = (network.clone(), settings.clone(), slots.clone());
        ops::spawn_into(&mut tasks, async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            let ((), events) = ops::buffered(run_one(tenant, network, settings)).await;
            (index, events)
        });
    }
    let mut done = BTreeMap::new();
    let mut next = 0;
    while let Some(joined) = tasks.join_next().await {
        let Ok((index, events)) = joined else { continue };
        done.insert(index, events);
        while let Some(events) = done.remove(&next) {
            ops::replay(events);
            next += 1;
        }
    }
}

async fn run_one(tenant: TenantConfig, network: Network, settings: tenant::Settings) {
    let outcome = match connection(&tenant, &network).await {
        Ok(graph) => tenant::run(&graph, &tenant, &settings).await.map(|_| ()),
        Err(error) => Err(error),
    };
    if let Err(error) = outcome {
        ops::error(for_tenant(error, &tenant.tenant_id));
    }
}

/// A dry run's state: a scratch copy of the file (checked and lock-tested first), or none when
/// there is no file yet (a dry run never creates one).
fn dry_run_state(path: &std::path::Path, scratch: &mut Option<ScratchFile>) -> Result<Option<Arc<StateStore>>> {
    if !path.exists() {
        return Ok(None);
    }
    let copy = ScratchFile(std::env::temp_dir().join(format!("exokit-dryrun-{}.sqlite", uuid::Uuid::new_v4())));
    StateStore::open(path)?.copy_to(&copy.0)?;
    let store = StateStore::open(&copy.0)?;
    *scratch = Some(copy);
    Ok(Some(Arc::new(store)))
}

/// A file removed when dropped.
struct ScratchFile(PathBuf);

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("sqlite-journal"));
    }
}

fn configuration(source: ConfigSource, what_if: bool) -> Result<(MirrorConfig, Network)> {
    match source {
        ConfigSource::Parameters { shared_mailbox, folder_name, users } => {
            let current = session::current()?;
            let parameters = MirrorParameters {
                tenant_id: current.tenant_id.clone(),
                shared_mailbox,
                folder_name: folder_name.unwrap_or_default(),
                users,
                dry_run: what_if,
            };
            Ok((MirrorConfig::from_parameters(parameters)?, Network::default()))
        }
        ConfigSource::Environment(variables) => {
            let lookup = |name: &str| variables.get(name).map(|v| v.to_string());
            let mut config = MirrorConfig::from_env(&lookup)?;
            config.tenants = crate::mirror::tenants::select(config.tenants, lookup(crate::mirror::tenants::TENANT).as_deref())?;
            let plain: BTreeMap<String, String> = variables.iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
            Ok((config, Network::from_variables(&plain, Some(endpoints::CA_FILE))))
        }
    }
}

/// The tenant's own app (from the variables), or the `Connect-ExoKit` session.
async fn connection(tenant: &TenantConfig, network: &Network) -> Result<crate::graph::GraphClient> {
    match &tenant.credentials {
        None => Ok(session::current()?.graph.clone()),
        Some(credentials) => {
            let options = ConnectOptions {
                tenant_id: tenant.tenant_id.clone(),
                client_id: credentials.client_id.clone(),
                environment: tenant.endpoints.environment.clone(),
                graph_endpoint: tenant.endpoints.graph_endpoint.clone(),
                authority_host: tenant.endpoints.authority_host.clone(),
                exchange_endpoint: None,
                credential: credential_of(&credentials.credential)?,
                network: network.clone(),
            };
            Ok(session::open(options).await?.graph.clone())
        }
    }
}

/// The tenant's credential; a certificate file is read (and checked) here, as it connects.
fn credential_of(credential: &TenantCredential) -> Result<Credential> {
    Ok(match credential {
        TenantCredential::ClientSecret(secret) => Credential::ClientSecret(secret.clone()),
        TenantCredential::Certificate { path, password, field } => Credential::Certificate(std::sync::Arc::new(
            crate::auth::ClientCertificate::load(path, None, password.as_ref(), field, chrono::Utc::now())?,
        )),
        TenantCredential::FederatedTokenFile { path, field } => {
            Credential::Federated(crate::auth::FederatedToken::File { path: path.clone(), parameter: field.clone() })
        }
        TenantCredential::FederatedToken(token) => Credential::Federated(crate::auth::FederatedToken::Value(token.clone())),
        TenantCredential::ManagedIdentity(identity) => Credential::ManagedIdentity(identity.clone()),
    })
}

/// Errors that do not name their tenant get it as their target.
fn for_tenant(error: ExoError, tenant: &str) -> ExoError {
    match error {
        ExoError::Internal(message) => ExoError::Internal(format!("tenant {tenant}: {message}")),
        other => other,
    }
}
