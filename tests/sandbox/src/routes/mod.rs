//! The HTTP surface: login, Graph, and the control routes tests use.

pub mod catalog;
pub mod control;
pub mod graph;
pub mod token;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::{LogEntry, State};

pub type Shared = Arc<State>;

/// All routes, with the latency and request-log layer around everything but `/_sandbox/`.
pub fn router(state: Shared) -> Router {
    let served = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::issue))
        .route("/{version}/roleManagement/exchange/roleDefinitions", get(graph::role_definitions))
        .route("/{version}/{*rest}", get(graph::unknown_segment).post(graph::unknown_segment))
        .layer(middleware::from_fn_with_state(state.clone(), observe));
    Router::new().nest("/_sandbox", control::router()).merge(served).with_state(state)
}

/// Waits the injected latency, then logs what was asked and answered.
async fn observe(AxumState(state): AxumState<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let latency = state.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = next.run(request).await;
    state.record(LogEntry { method, path, query, status: response.status().as_u16() });
    response
}
