//! What the fake tenant holds and what it has seen: tenants, issued tokens, the request log.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::Options;
use crate::roles::{self, RoleDefinition};
use crate::seed::{AppSeed, TenantSeed};

/// One tenant as served.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub domain: String,
    pub apps: Vec<AppSeed>,
    pub role_definitions: Vec<RoleDefinition>,
}

impl From<TenantSeed> for Tenant {
    fn from(seed: TenantSeed) -> Self {
        Tenant {
            id: seed.id,
            domain: seed.domain,
            apps: seed.apps,
            role_definitions: seed.exchange_role_definitions.unwrap_or_else(roles::builtin),
        }
    }
}

/// An access token the sandbox issued.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub tenant_id: String,
    pub app_id: String,
    pub roles: Vec<String>,
    pub audience: String,
    pub expires_at: Instant,
}

/// One request as the sandbox saw it (no bodies, no headers: nothing secret is ever kept).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
}

pub struct State {
    pub tenants: Vec<Tenant>,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    log: Mutex<Vec<LogEntry>>,
    latency_ms: AtomicU64,
    token_lifetime_ms: AtomicU64,
}

impl State {
    pub fn new(options: &Options) -> std::io::Result<State> {
        let tenants: Vec<Tenant> = options.seed.tenants.iter().cloned().map(Tenant::from).collect();
        if tenants.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the seed has no tenant"));
        }
        Ok(State {
            tenants,
            tokens: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            latency_ms: AtomicU64::new(options.latency.as_millis() as u64),
            token_lifetime_ms: AtomicU64::new(options.token_lifetime.as_millis() as u64),
        })
    }

    /// A tenant by id or domain, as the token endpoint's path names it.
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        self.tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(id_or_domain) || t.domain.eq_ignore_ascii_case(id_or_domain))
    }

    pub fn tenant_by_id(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    pub fn issue(&self, token: IssuedToken) -> String {
        let value = format!("sbx.{}.{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.tokens.lock().unwrap().insert(value.clone(), token);
        value
    }

    pub fn token(&self, value: &str) -> Option<IssuedToken> {
        self.tokens.lock().unwrap().get(value).cloned()
    }

    pub fn record(&self, entry: LogEntry) {
        self.log.lock().unwrap().push(entry);
    }

    pub fn requests(&self) -> Vec<LogEntry> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.log.lock().unwrap().clear();
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.token_lifetime_ms.load(Ordering::Relaxed))
    }

    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.token_lifetime_ms.store(lifetime.as_millis() as u64, Ordering::Relaxed);
    }
}
