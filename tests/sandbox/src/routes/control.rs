//! `/_sandbox/…`: what tests and benchmarks use to steer the sandbox and read what it saw.
//!
//! - `GET /_sandbox/health` → `ok`
//! - `GET /_sandbox/requests` → the request log (method, path, query, status); `DELETE` clears it
//! - `PUT /_sandbox/latency` `{"ms": N}` → the latency added to every served request
//! - `PUT /_sandbox/token-lifetime` `{"seconds": N}` → the lifetime of tokens issued from now on

use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::Shared;
use crate::state::LogEntry;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/latency", put(set_latency))
        .route("/token-lifetime", put(set_token_lifetime))
}

async fn requests(State(state): State<Shared>) -> Json<Vec<LogEntry>> {
    Json(state.requests())
}

async fn clear_requests(State(state): State<Shared>) {
    state.clear_requests();
}

#[derive(Deserialize)]
struct Latency {
    ms: u64,
}

async fn set_latency(State(state): State<Shared>, Json(body): Json<Latency>) {
    state.set_latency(Duration::from_millis(body.ms));
}

#[derive(Deserialize)]
struct Lifetime {
    seconds: u64,
}

async fn set_token_lifetime(State(state): State<Shared>, Json(body): Json<Lifetime>) {
    state.set_token_lifetime(Duration::from_secs(body.seconds));
}
