//! `POST /{version}/$batch`: at most 20 requests, each dispatched through the same routes as a
//! direct call (so each counts against throttling and shows in the request log), at most four
//! at a time as Graph dispatches them to Outlook, `dependsOn` ordering with 424 for dependents
//! of a failed request, and answers in completion order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::Shared;
use super::contacts::json_body;
use crate::graph_error::GraphError;

const MAX_REQUESTS: usize = 20;
/// Graph sends Outlook at most four requests of a batch at once.
const PARALLEL: usize = 4;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    requests: Vec<Item>,
}

pub async fn batch(State(state): State<Shared>, Path(version): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, GraphError> {
    let envelope: Envelope = serde_json::from_value(json_body(&body)?)
        .map_err(|e| GraphError::bad_request(format!("Invalid batch payload format: {e}.")))?;
    validate(&envelope.requests)?;
    let router = state.dispatcher().ok_or_else(|| GraphError::bad_request("The sandbox is stopping."))?;
    let context = Arc::new(Outer { router, version, headers });
    Ok(Json(json!({ "responses": run(context, envelope.requests).await })))
}

/// What every item inherits from the batch request.
struct Outer {
    router: axum::Router,
    version: String,
    headers: HeaderMap,
}

fn validate(items: &[Item]) -> Result<(), GraphError> {
    if items.is_empty() {
        return Err(GraphError::bad_request("Invalid batch payload format: the requests array is empty."));
    }
    if items.len() > MAX_REQUESTS {
        return Err(GraphError::bad_request(format!("Invalid batch payload format: {} requests; a batch holds at most {MAX_REQUESTS}.", items.len())));
    }
    let mut ids = HashSet::new();
    for item in items {
        if !ids.insert(item.id.as_str()) {
            return Err(GraphError::bad_request(format!("Invalid batch payload format: the request id '{}' is not unique.", item.id)));
        }
        if item.body.is_some() && !item.headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
            return Err(GraphError::bad_request(format!("Invalid batch payload format: request '{}' has a body but no Content-Type header.", item.id)));
        }
        if item.method.parse::<Method>().is_err() {
            return Err(GraphError::bad_request(format!("Invalid batch payload format: request '{}' has an invalid method.", item.id)));
        }
    }
    // Dependencies must name earlier requests, which also rules out cycles.
    let mut seen = HashSet::new();
    for item in items {
        if let Some(missing) = item.depends_on.iter().find(|d| !seen.contains(d.as_str())) {
            return Err(GraphError::bad_request(format!("Invalid batch payload format: request '{}' depends on '{missing}', which is not an earlier request of the batch.", item.id)));
        }
        seen.insert(item.id.as_str());
    }
    Ok(())
}

/// Runs the items in dependency waves, four at a time; returns answers in completion order.
async fn run(outer: Arc<Outer>, items: Vec<Item>) -> Vec<Value> {
    let mut statuses: HashMap<String, u16> = HashMap::new();
    let mut answers = Vec::with_capacity(items.len());
    let mut pending = items;
    let slots = Arc::new(Semaphore::new(PARALLEL));
    while !pending.is_empty() {
        let (ready, waiting): (Vec<Item>, Vec<Item>) = pending.into_iter().partition(|i| i.depends_on.iter().all(|d| statuses.contains_key(d)));
        pending = waiting;
        let mut running = JoinSet::new();
        for item in ready {
            if item.depends_on.iter().any(|d| statuses[d] >= 400) {
                statuses.insert(item.id.clone(), 424);
                answers.push(failed_dependency(&item.id));
                continue;
            }
            let (outer, slots) = (outer.clone(), slots.clone());
            running.spawn(async move {
                let _slot = slots.acquire_owned().await.expect("never closed");
                dispatch(&outer, item).await
            });
        }
        while let Some(done) = running.join_next().await {
            let (id, status, answer) = done.unwrap_or_else(|e| (String::new(), 500, json!({"status": 500, "body": {"error": {"code": "InternalServerError", "message": e.to_string()}}})));
            statuses.insert(id, status);
            answers.push(answer);
        }
    }
    answers
}

/// Sends one item through the router as if it had come on its own.
async fn dispatch(outer: &Outer, item: Item) -> (String, u16, Value) {
    let request = match build_request(outer, &item) {
        Ok(request) => request,
        Err(error) => return (item.id.clone(), 400, answer(&item.id, 400, Map::new(), Some(error.body("batch")))),
    };
    let response = outer.router.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for name in ["retry-after", "location", "content-type"] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.insert(canonical(name).into(), json!(value));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
    let body = serde_json::from_slice::<Value>(&bytes).ok();
    (item.id.clone(), status, answer(&item.id, status, headers, body))
}

fn build_request(outer: &Outer, item: &Item) -> Result<Request<Body>, GraphError> {
    let path = if item.url.starts_with('/') { item.url.clone() } else { format!("/{}", item.url) };
    if path.starts_with("/v1.0/") || path.starts_with("/beta/") || path.contains("://") {
        return Err(GraphError::bad_request("The URL of a batch request must be relative to the version, e.g. /users/{id}."));
    }
    let mut request = Request::builder().method(item.method.as_str()).uri(format!("/{}{path}", outer.version));
    for name in ["authorization", "host", crate::listen::SCHEME_HEADER] {
        if let Some(value) = outer.headers.get(name) {
            request = request.header(name, value);
        }
    }
    for (name, value) in &item.headers {
        let value = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value)) else {
            return Err(GraphError::bad_request(format!("Request '{}' has an invalid header.", item.id)));
        };
        request = request.header(name, value);
    }
    let body = item.body.as_ref().map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    request.body(body).map_err(|_| GraphError::bad_request(format!("Request '{}' has an invalid URL.", item.id)))
}

fn answer(id: &str, status: u16, headers: Map<String, Value>, body: Option<Value>) -> Value {
    let mut out = json!({"id": id, "status": status, "headers": headers});
    if let Some(body) = body {
        out["body"] = body;
    }
    out
}

fn failed_dependency(id: &str) -> Value {
    let error = GraphError::new(axum::http::StatusCode::FAILED_DEPENDENCY, "FailedDependency", "A dependent request failed.");
    answer(id, 424, Map::new(), Some(error.body("batch")))
}

fn canonical(name: &str) -> &'static str {
    match name {
        "retry-after" => "Retry-After",
        "location" => "Location",
        _ => "Content-Type",
    }
}
