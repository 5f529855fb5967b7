//! What the fake tenant holds and what it has seen: tenants, issued tokens, the request log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::Options;
use crate::directory::Directory;
use crate::exchange::Exchange;
use crate::mailbox::{Mailboxes, User};
use crate::roles::{self, RoleDefinition};
use crate::seed::{AppSeed, TenantSeed};
use crate::throttle::Throttle;
use crate::{dice::Dice, faults::Faults, latency::Latency, metrics::Metrics};

/// One tenant as served. The seed-fixed parts are plain fields; what requests change lives in
/// the stores, each with its own locks.
#[derive(Debug)]
pub struct Tenant {
    pub id: String,
    pub domain: String,
    pub apps: Vec<AppSeed>,
    pub role_definitions: Vec<RoleDefinition>,
    pub users: Vec<User>,
    /// Mailbox contents: contact folders and contacts, with their change history for delta.
    pub mailboxes: Mailboxes,
    /// Applications, service principals, groups, administrative units, role assignments.
    pub directory: Directory,
    /// Exchange-side objects reached through `InvokeCommand`.
    pub exchange: Exchange,
}

impl Tenant {
    pub fn from_seed(seed: TenantSeed) -> Result<Tenant, String> {
        let users: Vec<User> = seed.users.iter().map(User::from_seed).collect();
        let directory = Directory::from_seed(&seed).map_err(|e| format!("tenant {}: {e}", seed.domain))?;
        let exchange = Exchange::from_seed(&seed).map_err(|e| format!("tenant {}: {e}", seed.domain))?;
        let mut seed = seed;
        let mailboxes = Mailboxes::from_seed(std::mem::take(&mut seed.users)).map_err(|e| format!("tenant {}: {e}", seed.domain))?;
        Ok(Tenant {
            id: seed.id,
            domain: seed.domain,
            apps: seed.apps,
            role_definitions: seed.exchange_role_definitions.unwrap_or_else(roles::builtin),
            users,
            mailboxes,
            directory,
            exchange,
        })
    }

    /// A user by object id or user principal name (case-insensitive), as Graph resolves
    /// `/users/{id | userPrincipalName}`.
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(id_or_upn) || u.user_principal_name.eq_ignore_ascii_case(id_or_upn))
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
    /// Dispatched from inside a `$batch` (no connection of its own).
    pub batch_item: bool,
}

pub struct State {
    pub tenants: Vec<Arc<Tenant>>,
    /// What the App Service identity endpoint expects as `X-IDENTITY-HEADER` (the platform's
    /// `IDENTITY_HEADER`), made per sandbox.
    pub identity_header: String,
    /// Outlook's per app and mailbox limits.
    pub throttle: Throttle,
    /// Injected faults per route (see [`crate::faults`]).
    pub faults: Faults,
    /// Request counters per route, mailbox and status.
    pub metrics: Metrics,
    /// The crash tests' freeze point (see [`crate::freeze`]).
    pub freeze: crate::freeze::Freeze,
    /// The router, for `$batch` to dispatch its items through; cleared when the sandbox stops
    /// (it holds this state, so keeping it would leak both).
    dispatcher: Mutex<Option<axum::Router>>,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    log: Mutex<Vec<LogEntry>>,
    latency_ms: AtomicU64,
    token_lifetime_ms: AtomicU64,
    /// How far the mailbox clock runs ahead of the real one (see [`State::advance_clock`]).
    clock_ahead_ms: AtomicU64,
    /// The upper bound of jittered latency; at or below `latency_ms`, the latency is fixed.
    latency_max_ms: AtomicU64,
    jitter: Dice,
}

impl State {
    /// The state of a sandbox serving `seed` (taken, not copied: a large seed holds hundreds of
    /// thousands of contacts) with the rest of `options`.
    pub fn new(seed: crate::Seed, options: &Options) -> std::io::Result<State> {
        let invalid = |message: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, message);
        let tenants = seed
            .tenants
            .into_iter()
            .map(|seed| Tenant::from_seed(seed).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        if tenants.is_empty() {
            return Err(invalid("the seed has no tenant".into()));
        }
        Ok(State {
            tenants,
            identity_header: uuid::Uuid::new_v4().simple().to_string(),
            throttle: Throttle::with_limits(options.throttle.scaled(options.time_scale)),
            faults: Faults::new(options.faults.clone(), options.fault_seed),
            metrics: Metrics::new(),
            freeze: Default::default(),
            latency_max_ms: AtomicU64::new(options.latency_max.unwrap_or(options.latency).as_millis() as u64),
            // Its own stream, so jitter draws do not shift the fault dice.
            jitter: options.fault_seed.map(|s| Dice::seeded(!s)).unwrap_or_else(Dice::unseeded),
            dispatcher: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            latency_ms: AtomicU64::new(options.latency.as_millis() as u64),
            token_lifetime_ms: AtomicU64::new(options.token_lifetime.as_millis() as u64),
            clock_ahead_ms: AtomicU64::new(0),
        })
    }

    /// A tenant by id or domain, as the token endpoint's path names it.
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Arc<Tenant>> {
        self.tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(id_or_domain) || t.domain.eq_ignore_ascii_case(id_or_domain))
    }

    pub fn tenant_by_id(&self, id: &str) -> Option<&Arc<Tenant>> {
        self.tenants.iter().find(|t| t.id == id)
    }

    pub fn set_dispatcher(&self, router: Option<axum::Router>) {
        *self.dispatcher.lock().unwrap() = router;
    }

    pub fn dispatcher(&self) -> Option<axum::Router> {
        self.dispatcher.lock().unwrap().clone()
    }

    pub fn issue(&self, token: IssuedToken) -> String {
        let value = format!("sbx.{}.{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.tokens.lock().unwrap().insert(value.clone(), token);
        value
    }

    /// Makes every token issued so far expired (a test's way to cross expiry at once: the
    /// client still holds them as fresh, so its next call meets a 401).
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for token in self.tokens.lock().unwrap().values_mut() {
            token.expires_at = now;
        }
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

    /// A fixed latency (no jitter).
    pub fn set_latency(&self, latency: Duration) {
        self.set_latency_range(Latency::fixed(latency));
    }

    pub fn latency_range(&self) -> Latency {
        let ms = |a: &AtomicU64| Duration::from_millis(a.load(Ordering::Relaxed));
        Latency::between(ms(&self.latency_ms), ms(&self.latency_max_ms))
    }

    pub fn set_latency_range(&self, latency: Latency) {
        self.latency_ms.store(latency.min.as_millis() as u64, Ordering::Relaxed);
        self.latency_max_ms.store(latency.max.as_millis() as u64, Ordering::Relaxed);
    }

    /// The delay for one request: fixed, or drawn from the jitter range.
    pub fn sample_latency(&self) -> Duration {
        self.latency_range().sample(&self.jitter)
    }

    /// The time mailbox writes are stamped with: the real clock plus any advance.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.clock_ahead_ms.load(Ordering::Relaxed) as i64)
    }

    /// Moves the mailbox clock forward, so tests can let "an hour pass" between two runs
    /// (whole-second timestamps make runs within one second look simultaneous).
    pub fn advance_clock(&self, by: Duration) {
        self.clock_ahead_ms.fetch_add(by.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.token_lifetime_ms.load(Ordering::Relaxed))
    }

    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.token_lifetime_ms.store(lifetime.as_millis() as u64, Ordering::Relaxed);
    }
}
