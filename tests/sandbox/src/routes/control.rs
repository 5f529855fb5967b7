//! `/_sandbox/…`: what tests and benchmarks use to steer the sandbox and read what it saw.
//! None of these routes has latency, faults or throttling, and none is logged or counted.
//!
//! - `GET /_sandbox/health` → `ok`
//! - `GET /_sandbox/requests` → the request log (method, path, query, status; status 0 = the
//!   connection was reset); `DELETE` clears it
//! - `GET /_sandbox/metrics` → counters per route template, mailbox, status and fault; `DELETE`
//!   resets them
//! - `GET /_sandbox/state` → tenants, apps (no secrets), users, folders and contact counts
//! - `PUT /_sandbox/latency` `{"ms": N}` (fixed), `{"minMs": A, "maxMs": B}` (jitter) or
//!   `{"spec": "20ms..60ms"}`; `GET` → `{"minMs", "maxMs"}`
//! - `PUT /_sandbox/faults` `{"spec": "contacts:503@0.1", "seed": 42}` (seed optional; an empty
//!   spec clears); `GET` → `{"spec", "seed"}`; `DELETE` clears. A bad spec → 400 with the reason.
//! - `PUT /_sandbox/throttle` `{"concurrency": 4, "requests": 10000, "windowSeconds": 600,
//!   "timeScale": 1}` (each optional) → the limits per app and mailbox; `GET` → the limits in
//!   force (after the time scale); `DELETE` forgets all windows
//! - `PUT /_sandbox/token-lifetime` `{"seconds": N}` → the lifetime of tokens issued from now on
//! - `POST /_sandbox/tokens/expire` → every token issued so far expires now
//! - `POST /_sandbox/federated-token` `{"issuer", "subject", "audience"?, "lifetimeSeconds"?}` →
//!   `{"token"}`: a token the sandbox's external issuer signed (see [`crate::federated`])
//! - `GET /_sandbox/managed-identity` → `{"imdsPath", "appServicePath", "identityHeader"}`: what an
//!   Azure host would put in `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` (paths relative to the base URL)
//! - `PUT /_sandbox/freeze` `{"after": N}` → after N more requests every request waits; `GET` →
//!   `{"after", "admitted", "waiting"}`; `DELETE` releases, refusing the waiting ones unrun (crash
//!   tests kill their client at such a point)

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use crate::faults::Plan;
use crate::latency::Latency;
use crate::metrics::Snapshot;
use crate::state::LogEntry;
use crate::throttle::Limits;

type Refused = (StatusCode, String);

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/metrics", get(metrics).delete(reset_metrics))
        .route("/state", get(dump))
        .route("/latency", put(set_latency).get(latency))
        .route("/faults", put(set_faults).get(faults).delete(clear_faults))
        .route(
            "/throttle",
            put(set_throttle).get(throttle).delete(reset_throttle),
        )
        .route("/token-lifetime", put(set_token_lifetime))
        .route("/tokens/expire", axum::routing::post(expire_tokens))
        .route("/federated-token", axum::routing::post(federated_token))
        .route("/managed-identity", get(managed_identity))
        .route("/freeze", put(set_freeze).get(freeze).delete(release_freeze))
}

#[derive(serde::Deserialize)]
struct FreezeBody {
    after: u64,
}

async fn set_freeze(State(state): State<Shared>, Json(body): Json<FreezeBody>) -> Json<crate::freeze::FreezeStatus> {
    state.freeze.set(Some(body.after));
    Json(state.freeze.status())
}

async fn freeze(State(state): State<Shared>) -> Json<crate::freeze::FreezeStatus> {
    Json(state.freeze.status())
}

async fn release_freeze(State(state): State<Shared>) -> Json<crate::freeze::FreezeStatus> {
    state.freeze.set(None);
    Json(state.freeze.status())
}

async fn requests(State(state): State<Shared>) -> Json<Vec<LogEntry>> {
    Json(state.requests())
}

async fn clear_requests(State(state): State<Shared>) {
    state.clear_requests();
}

async fn metrics(State(state): State<Shared>) -> Json<Snapshot> {
    Json(state.metrics.snapshot())
}

async fn reset_metrics(State(state): State<Shared>) {
    state.metrics.reset();
}

async fn dump(State(state): State<Shared>) -> Json<Value> {
    Json(crate::dump::state(&state))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LatencyBody {
    ms: Option<u64>,
    min_ms: Option<u64>,
    max_ms: Option<u64>,
    spec: Option<String>,
}

async fn set_latency(
    State(state): State<Shared>,
    Json(body): Json<LatencyBody>,
) -> Result<(), Refused> {
    let ms = Duration::from_millis;
    let latency = match body {
        LatencyBody {
            ms: Some(fixed),
            min_ms: None,
            max_ms: None,
            spec: None,
        } => Latency::fixed(ms(fixed)),
        LatencyBody {
            ms: None,
            min_ms: Some(min),
            max_ms,
            spec: None,
        } => Latency::between(ms(min), ms(max_ms.unwrap_or(min))),
        LatencyBody {
            ms: None,
            min_ms: None,
            max_ms: None,
            spec: Some(spec),
        } => Latency::parse(&spec).map_err(bad_request)?,
        _ => return Err(bad_request(
            "give one of {\"ms\": N}, {\"minMs\": A, \"maxMs\": B} or {\"spec\": \"20ms..60ms\"}"
                .into(),
        )),
    };
    state.set_latency_range(latency);
    Ok(())
}

async fn latency(State(state): State<Shared>) -> Json<Value> {
    let range = state.latency_range();
    Json(json!({"minMs": range.min.as_millis() as u64, "maxMs": range.max.as_millis() as u64}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    spec: String,
    seed: Option<u64>,
}

async fn set_faults(
    State(state): State<Shared>,
    Json(body): Json<FaultsBody>,
) -> Result<(), Refused> {
    let plan = Plan::parse(&body.spec).map_err(bad_request)?;
    state.faults.set(plan, body.seed);
    Ok(())
}

async fn faults(State(state): State<Shared>) -> Json<Value> {
    let (plan, seed) = state.faults.plan();
    Json(json!({"spec": plan.to_string(), "seed": seed}))
}

async fn clear_faults(State(state): State<Shared>) {
    state.faults.set(Plan::none(), None);
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ThrottleBody {
    concurrency: Option<usize>,
    requests: Option<u64>,
    window_seconds: Option<f64>,
    time_scale: Option<f64>,
}

/// Unscaled values start from Outlook's; the time scale applies to what is given.
async fn set_throttle(
    State(state): State<Shared>,
    Json(body): Json<ThrottleBody>,
) -> Result<(), Refused> {
    let window = body
        .window_seconds
        .map(Duration::try_from_secs_f64)
        .transpose()
        .map_err(|e| bad_request(format!("windowSeconds: {e}")))?;
    let limits = Limits {
        concurrency: body.concurrency.unwrap_or(Limits::OUTLOOK.concurrency),
        requests: body.requests.unwrap_or(Limits::OUTLOOK.requests),
        window: window.unwrap_or(Limits::OUTLOOK.window),
    };
    if limits.concurrency == 0 || limits.requests == 0 || limits.window.is_zero() {
        return Err(bad_request(
            "concurrency, requests and windowSeconds must be above 0".into(),
        ));
    }
    state
        .throttle
        .set_limits(limits.scaled(body.time_scale.unwrap_or(1.0)));
    Ok(())
}

async fn throttle(State(state): State<Shared>) -> Json<Value> {
    let limits = state.throttle.limits();
    Json(
        json!({"concurrency": limits.concurrency, "requests": limits.requests, "windowSeconds": limits.window.as_secs_f64()}),
    )
}

async fn reset_throttle(State(state): State<Shared>) {
    state.throttle.reset();
}

#[derive(Deserialize)]
struct Lifetime {
    seconds: u64,
}

async fn set_token_lifetime(State(state): State<Shared>, Json(body): Json<Lifetime>) {
    state.set_token_lifetime(Duration::from_secs(body.seconds));
}

fn bad_request(reason: String) -> Refused {
    (StatusCode::BAD_REQUEST, reason)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FederatedTokenAsk {
    issuer: String,
    subject: String,
    audience: Option<String>,
    lifetime_seconds: Option<i64>,
}

async fn federated_token(Json(ask): Json<FederatedTokenAsk>) -> Json<Value> {
    let audience = ask.audience.as_deref().unwrap_or("api://AzureADTokenExchange");
    let token = crate::federated::mint(&ask.issuer, &ask.subject, audience, ask.lifetime_seconds.unwrap_or(3600));
    Json(json!({"token": token}))
}

async fn managed_identity(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"imdsPath": "/metadata/identity/oauth2/token", "appServicePath": "/msi/token", "identityHeader": state.identity_header}))
}

async fn expire_tokens(State(state): State<Shared>) {
    state.expire_tokens();
}
