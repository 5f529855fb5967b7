//! The layer around every served route (not `/_sandbox/`): injected latency, then the fault the
//! dice pick for the route, then the request log and the counters.

use std::io;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Shared;
use crate::aad_error::AadError;
use crate::faults::{Fault, Route};
use crate::graph_error::GraphError;
use crate::listen::Connection;
use crate::metrics::{self, Sample};
use crate::state::LogEntry;

/// How long a truncated answer pauses after its first half, so the half reaches the client
/// before the connection closes.
const TRUNCATE_PAUSE: Duration = Duration::from_millis(50);

/// What one request came to.
enum Outcome {
    Answer(Response),
    /// The connection is to be reset instead of answered.
    Reset,
}

pub async fn observe(state: Shared, request: Request, next: Next) -> Response {
    // A crash test's freeze point: past it a request waits, and is refused unrun on release.
    if !state.freeze.admit().await {
        return GraphError::new(StatusCode::SERVICE_UNAVAILABLE, "UnknownError", "refused at the sandbox's freeze point").into_response();
    }
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let connection = request.extensions().get::<Connection>().cloned();
    // `$batch` dispatches its items through the router without a connection.
    let batch_item = connection.is_none();
    let route = Route::of_path(&path);
    // A token request's query is never logged: a careless client may put a secret there.
    let query = if route == Route::Token {
        None
    } else {
        request.uri().query().map(str::to_string)
    };
    let latency = state.sample_latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = state.faults.pick(route, connection.is_some());
    let outcome = run(fault, route, request, next).await;
    let status = match &outcome {
        Outcome::Answer(response) => response.status().as_u16(),
        Outcome::Reset => 0,
    };
    let mailbox = metrics::mailbox_of(&path);
    let elapsed = started.elapsed();
    let sample = Sample {
        method: &method,
        route: &template,
        mailbox: mailbox.as_deref(),
        status,
        fault: fault.map(|f| f.label()),
        elapsed,
    };
    state.metrics.record(sample);
    state.record(LogEntry {
        method,
        path,
        query,
        status,
        batch_item,
    });
    match (outcome, connection) {
        (Outcome::Answer(response), _) => response,
        (Outcome::Reset, Some(connection)) => {
            connection.reset();
            // The connection task drops this future with the connection.
            std::future::pending().await
        }
        // Unreachable: resets are only picked for requests on a connection.
        (Outcome::Reset, None) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn run(fault: Option<Fault>, route: Route, request: Request, next: Next) -> Outcome {
    match fault {
        None => Outcome::Answer(next.run(request).await),
        Some(Fault::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            Outcome::Answer(next.run(request).await)
        }
        Some(Fault::Status {
            code,
            after,
            retry_after,
        }) => {
            if after {
                drop(next.run(request).await);
            }
            Outcome::Answer(error_answer(route, code, retry_after))
        }
        Some(Fault::Reset { after }) => {
            if after {
                drop(next.run(request).await);
            }
            Outcome::Reset
        }
        Some(Fault::Truncate) => Outcome::Answer(truncate(next.run(request).await).await),
    }
}

/// An injected 500/503/504 in the shape of the route's service. The Graph codes are the ones
/// seen from Outlook (`generalException`; `UnknownError` with an empty message for 503/504).
fn error_answer(route: Route, code: u16, retry_after: Duration) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if route == Route::Token {
        AadError::transient(status).into_response()
    } else if code == 500 {
        GraphError::new(
            status,
            "generalException",
            "General exception while processing.",
        )
        .into_response()
    } else {
        GraphError::new(status, "UnknownError", "").into_response()
    };
    // No Retry-After on a 500, nor on an error after the write ran (unless one was asked for).
    if code != 500 && !retry_after.is_zero() {
        let seconds = retry_after.as_secs_f64().ceil() as u64;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The answer's headers with its full `Content-Length`, half the body, then a broken stream:
/// hyper closes the connection and the client reads a short body.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let declared = bytes.len().max(1);
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    let stream = futures_util::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, io::Error>(half), 1)),
                1 => {
                    tokio::time::sleep(TRUNCATE_PAUSE).await;
                    Some((
                        Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "answer truncated by the sandbox",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
