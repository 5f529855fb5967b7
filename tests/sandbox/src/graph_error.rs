//! Graph's error JSON: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::throttle::Throttled;

/// A Graph error answer.
#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Extra response headers (`Retry-After`, `Location`).
    pub headers: Vec<(&'static str, String)>,
    /// Outlook's throttling answers carry no `innerError`; everything else does.
    pub inner_error: bool,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        GraphError { status, code: code.into(), message: message.into(), headers: Vec::new(), inner_error: true }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// Outlook's 429: `ApplicationThrottled` with the limit in the message and `Retry-After`.
    pub fn throttled(throttled: Throttled) -> Self {
        let mut error = GraphError::new(StatusCode::TOO_MANY_REQUESTS, "ApplicationThrottled", throttled.message);
        error.inner_error = false;
        error.with_header("Retry-After", retry_after_text(throttled.retry_after_seconds))
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The JSON body, also used for `$batch` items.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if self.inner_error {
            error["innerError"] = json!({
                "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": request_id,
                "client-request-id": request_id,
            });
        }
        json!({ "error": error })
    }
}

/// Whole seconds when whole, else decimals as seen in batches (`0.249`).
fn retry_after_text(seconds: f64) -> String {
    if seconds.fract() == 0.0 { format!("{seconds:.0}") } else { format!("{seconds:.3}") }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let body = self.body(&request_id);
        let mut response = (self.status, [("request-id", request_id)], Json(body)).into_response();
        for (name, value) in self.headers {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}
