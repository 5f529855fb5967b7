//! Graph's error envelope: `{"error":{"code","message","innerError":{"request-id"}}}`.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ExoError;
use crate::http::{Request, Response};

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    // The docs spell it `innerError` in examples and `innererror` in the schema.
    #[serde(alias = "innererror", rename = "innerError")]
    inner: Option<Value>,
}

/// The error for a non-success response, using Graph's code and message when the body has them.
pub(super) fn from_response(request: &Request, response: &Response) -> ExoError {
    from_parts(request.method.as_str(), request.display_url(), response.status, &response.body, response.header("request-id"))
}

/// The same for any answer, whole or a `$batch` item's.
pub(super) fn from_parts(method: &str, url: String, status: u16, body: &[u8], request_id_header: Option<&str>) -> ExoError {
    let (code, message, request_id) = match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { error }) => {
            let request_id = error
                .inner
                .as_ref()
                .and_then(|inner| inner.get("request-id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            (error.code, error.message, request_id)
        }
        Err(_) => (format!("Http{status}"), snippet(body), None),
    };
    let request_id = request_id.or_else(|| request_id_header.map(str::to_string));
    ExoError::Service { method: method.into(), url, status, code, message, request_id }
}

/// The start of a body that is not Graph's JSON (a proxy's HTML page, say), on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 { format!("{}…", line.chars().take(200).collect::<String>()) } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    fn response(status: u16, body: &str) -> Response {
        Response { status, headers: Default::default(), body: body.as_bytes().to_vec() }
    }

    #[test]
    fn graph_errors_keep_code_message_and_request_id() {
        let req = Request::new(Method::Get, "https://graph.microsoft.com/v1.0/users/x?$select=id".parse().unwrap());
        let body = r#"{"error":{"code":"ErrorAccessDenied","message":"Access is denied.","innererror":{"request-id":"abc"}}}"#;
        match from_response(&req, &response(403, body)) {
            ExoError::Service { status, code, message, request_id, url, .. } => {
                assert_eq!((status, code.as_str(), message.as_str()), (403, "ErrorAccessDenied", "Access is denied."));
                assert_eq!(request_id.as_deref(), Some("abc"));
                assert_eq!(url, "https://graph.microsoft.com/v1.0/users/x");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_json_bodies_still_give_a_readable_error() {
        let req = Request::new(Method::Get, "https://graph.microsoft.com/v1.0/x".parse().unwrap());
        let err = from_response(&req, &response(502, "<html>\n<b>Bad gateway</b></html>"));
        assert!(err.to_string().contains("502 Http502: <html> <b>Bad gateway</b></html>"), "{err}");
    }
}
