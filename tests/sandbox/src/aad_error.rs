//! The identity platform's OAuth2 error answer: `error`, an `AADSTS…` description with trace
//! and correlation ids, and `error_codes`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Where the identity platform points for certificate-credential problems.
pub const CERTIFICATE_DOCS: &str =
    "https://learn.microsoft.com/entra/identity-platform/certificate-credentials";

#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    /// The text after `AADSTS{code}: ` (never a secret or an assertion).
    pub description: String,
}

impl AadError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        description: impl Into<String>,
    ) -> Self {
        AadError {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    /// 400 `invalid_request` AADSTS900144.
    pub fn missing(parameter: &str) -> Self {
        AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// 401 `invalid_client`: the credential was refused.
    pub fn invalid_client(code: u32, description: impl Into<String>) -> Self {
        AadError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            code,
            description,
        )
    }

    /// 400 `invalid_request` AADSTS50027, for an assertion that is not a well-formed JWT.
    pub fn malformed_jwt() -> Self {
        AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    }

    /// A transient failure of the service (an injected 5xx on the token route).
    pub fn transient(status: StatusCode) -> Self {
        AadError::new(
            status,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        )
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let trace = uuid::Uuid::new_v4();
        let now = chrono::Utc::now();
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {}Z",
            self.code,
            self.description,
            now.format("%Y-%m-%d %H:%M:%S%.3f")
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace.to_string(),
            "correlation_id": trace.to_string(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        (self.status, Json(body)).into_response()
    }
}
