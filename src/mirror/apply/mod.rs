//! The contact mirror's effects: read the configuration, then for each tenant resolve the
//! mailboxes, read them once, carry out the pure plan's actions in `$batch`es (at most four
//! requests in flight per mailbox, many mailboxes at once) and report. Everything that touches
//! the network for `Invoke-ContactMirror` is here; every decision is in the pure modules.

mod pair;
mod reads;
mod records;
mod tenant;
mod write;

pub use records::{ActionRecord, StepSummary};

use std::collections::BTreeMap;

use chrono::Utc;
use zeroize::Zeroizing;

use crate::auth::Credential;
use crate::error::{ExoError, Result};
use crate::mirror::config::{MirrorConfig, MirrorParameters, TenantConfig};
use crate::ops;
use crate::session::{self, ConnectOptions};

/// Where the configuration comes from.
pub enum ConfigSource {
    /// `Invoke-ContactMirror -SharedMailbox … [-User …]` on the `Connect-ExoKit` session.
    Parameters { shared_mailbox: String, folder_name: Option<String>, users: Vec<String> },
    /// `-FromEnvironment`: the original script's variables, and ExoKit's endpoint overrides
    /// (`EXOKIT_ENVIRONMENT`, `EXOKIT_GRAPH_ENDPOINT`, `EXOKIT_AUTHORITY_HOST`).
    Environment(BTreeMap<String, Zeroizing<String>>),
}

/// One `Invoke-ContactMirror`.
pub struct Invocation {
    pub source: ConfigSource,
    /// `-WhatIf`: plan only, whatever the configuration says.
    pub what_if: bool,
    pub pass_thru: bool,
}

/// Runs every configured tenant. A tenant that fails is reported and the next one runs (the
/// original stopped at the first); a configuration error stops before any request.
pub async fn invoke(invocation: Invocation) -> Result<()> {
    let what_if = invocation.what_if;
    let (config, endpoints) = configuration(invocation.source, what_if)?;
    for notice in &config.notices {
        ops::information(notice.clone());
    }
    for warning in &config.warnings {
        ops::warning(warning.clone());
    }
    let settings = tenant::Settings { started_at: Utc::now(), dry_run: config.dry_run || what_if, actions: invocation.pass_thru || config.dry_run || what_if };
    for tenant_config in &config.tenants {
        let outcome = match connection(tenant_config, &endpoints).await {
            Ok(graph) => tenant::run(&graph, tenant_config, &settings).await.map(|_| ()),
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            ops::error(for_tenant(error, &tenant_config.tenant_id));
        }
    }
    Ok(())
}

/// Custom endpoints for per-tenant connections (a sovereign cloud, or the sandbox).
#[derive(Default)]
struct Endpoints {
    environment: Option<String>,
    graph_endpoint: Option<String>,
    authority_host: Option<String>,
}

fn configuration(source: ConfigSource, what_if: bool) -> Result<(MirrorConfig, Endpoints)> {
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
            Ok((MirrorConfig::from_parameters(parameters)?, Endpoints::default()))
        }
        ConfigSource::Environment(variables) => {
            let lookup = |name: &str| variables.get(name).map(|v| v.to_string());
            let config = MirrorConfig::from_env(&lookup)?;
            let endpoints = Endpoints {
                environment: lookup("EXOKIT_ENVIRONMENT").filter(|v| !v.trim().is_empty()),
                graph_endpoint: lookup("EXOKIT_GRAPH_ENDPOINT").filter(|v| !v.trim().is_empty()),
                authority_host: lookup("EXOKIT_AUTHORITY_HOST").filter(|v| !v.trim().is_empty()),
            };
            Ok((config, endpoints))
        }
    }
}

/// The tenant's own app (from the variables), or the `Connect-ExoKit` session.
async fn connection(tenant: &TenantConfig, endpoints: &Endpoints) -> Result<crate::graph::GraphClient> {
    match &tenant.credentials {
        None => Ok(session::current()?.graph.clone()),
        Some(credentials) => {
            let options = ConnectOptions {
                tenant_id: tenant.tenant_id.clone(),
                client_id: credentials.client_id.clone(),
                environment: endpoints.environment.clone(),
                graph_endpoint: endpoints.graph_endpoint.clone(),
                authority_host: endpoints.authority_host.clone(),
                credential: Credential::ClientSecret(credentials.client_secret.clone()),
            };
            Ok(session::open(options).await?.graph.clone())
        }
    }
}

/// Errors that do not name their tenant get it as their target.
fn for_tenant(error: ExoError, tenant: &str) -> ExoError {
    match error {
        ExoError::Internal(message) => ExoError::Internal(format!("tenant {tenant}: {message}")),
        other => other,
    }
}
