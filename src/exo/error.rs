//! Exchange's error answers (exo-rest.md §1.6), and how to tell them apart without reading
//! their text: messages follow the caller's culture, so the exception class decides.
//!
//! `error.message` is always "Error executing cmdlet"; the reason is `error.details[0].message`,
//! either `"<ErrorId>|<ExceptionClass>|<Message>"` or a JSON string with `ClassName`/`Message`,
//! then `innererror.internalexception.message`. A refused token gets an empty body and its
//! reason in `x-ms-diagnostics`.

use serde_json::Value;

use crate::error::ExoError;
use crate::http::Response;

/// The exception classes callers act on, by their short name (the part after the last `.`).
pub const NOT_FOUND: &str = "ManagementObjectNotFoundException";
pub const ALREADY_MEMBER: &str = "MemberAlreadyExistsException";
pub const NOT_A_MEMBER: &str = "MemberNotFoundException";
pub const ALREADY_EXISTS: &str = "ADObjectAlreadyExistsException";

/// 400s that are the backend's trouble, not the request's, and go again (exo-rest.md §1.6).
const TRANSIENT: &[&str] =
    &["CmdletProxyNotAvailableFailure", "ServerBusyException", "TransientException", "BackendCommunicationException"];

/// What a failed answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The short exception class (`ManagementObjectNotFoundException`), or the OData code
    /// (`BadRequest`, `Unauthorized`) when the body names none.
    pub class: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl Failure {
    /// Whether sending the same request later can succeed.
    pub fn is_transient(&self) -> bool {
        TRANSIENT.iter().any(|t| self.class.contains(t))
            || self.message.contains("maximum number of concurrent requests")
    }

    /// The crate's error: `cmdlet` is named first, because the URL is the same for every cmdlet.
    pub fn into_error(self, cmdlet: &str, url: String, status: u16) -> ExoError {
        ExoError::Service {
            method: "POST".into(),
            url,
            status,
            code: self.class,
            message: format!("{cmdlet}: {}", self.message),
            request_id: self.request_id,
        }
    }
}

/// Reads a non-success answer.
pub fn parse(response: &Response) -> Failure {
    let request_id = response.header("request-id").map(str::to_string);
    let body: Option<Value> = serde_json::from_slice(trim_nul(&response.body)).ok();
    match body.as_ref().and_then(|b| b.get("error")) {
        Some(error) => {
            let (class, message) = from_error_object(error);
            let class = class.or_else(|| response.header("x-exceptiontype").map(short)).unwrap_or_else(|| text(error, "code").unwrap_or("BadRequest").to_string());
            Failure { class, message, request_id }
        }
        None => without_body(response, request_id),
    }
}

/// `@adminapi.errors` in a 200: the cmdlet failed for some input though the call succeeded.
pub fn from_adminapi_errors(errors: &Value) -> Option<Failure> {
    let first = errors.as_array()?.first()?;
    let message = match first {
        Value::String(s) => s.clone(),
        other => text(other, "message").or_else(|| text(other, "Message")).unwrap_or("the cmdlet reported an error").to_string(),
    };
    let (class, message) = split_detail(&message);
    Some(Failure { class: class.unwrap_or_else(|| "AdminApiError".into()), message, request_id: None })
}

fn from_error_object(error: &Value) -> (Option<String>, String) {
    let detail = error.get("details").and_then(Value::as_array).and_then(|d| d.first()).and_then(|d| text(d, "message"));
    if let Some(detail) = detail.filter(|d| !d.trim().is_empty()) {
        return split_detail(detail);
    }
    let inner = error
        .get("innererror")
        .and_then(|i| i.get("internalexception").or_else(|| i.get("internalException")))
        .and_then(|i| text(i, "message"));
    let message = inner.or_else(|| text(error, "message")).unwrap_or("the service gave no reason");
    (None, message.to_string())
}

/// `"<ErrorId>|<ExceptionClass>|<Message>"`, a JSON string with `ClassName` and `Message`, or
/// plain text.
fn split_detail(detail: &str) -> (Option<String>, String) {
    let parts: Vec<&str> = detail.splitn(3, '|').collect();
    if let [_, class, message] = parts.as_slice()
        && (class.contains('.') || class.ends_with("Exception"))
    {
        return (Some(short(class)), message.trim().to_string());
    }
    if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(detail) {
        let class = object.get("ClassName").and_then(Value::as_str).map(short);
        if let Some(message) = object.get("Message").and_then(Value::as_str) {
            return (class, message.to_string());
        }
    }
    (None, detail.trim().to_string())
}

/// A 401/403 with nothing (or NULs) in the body: the reason is in `x-ms-diagnostics`.
fn without_body(response: &Response, request_id: Option<String>) -> Failure {
    let diagnostics = response.header("x-ms-diagnostics").and_then(diagnostic_reason);
    let (class, default) = match response.status {
        401 => ("Unauthorized", "the token was refused"),
        403 => ("Forbidden", "access denied; the app needs Exchange.ManageAsApp and an Exchange role such as Exchange Administrator"),
        _ => ("Http", "the answer has no error body"),
    };
    let body = String::from_utf8_lossy(trim_nul(&response.body)).split_whitespace().collect::<Vec<_>>().join(" ");
    let message = diagnostics.or_else(|| (!body.is_empty()).then(|| body.chars().take(200).collect())).unwrap_or_else(|| default.to_string());
    let class = if class == "Http" { format!("Http{}", response.status) } else { class.to_string() };
    Failure { class, message, request_id }
}

/// `2000003;reason="The audience claim value is invalid…";error_category="invalid_resource"`.
fn diagnostic_reason(header: &str) -> Option<String> {
    let start = header.find("reason=\"")? + "reason=\"".len();
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_string())
}

fn trim_nul(body: &[u8]) -> &[u8] {
    let end = body.iter().rposition(|b| *b != 0 && !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &body[..end]
}

fn short(class: &str) -> String {
    class.trim().rsplit('.').next().unwrap_or(class).to_string()
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// Whether `error` is Exchange's exception `class` (one of the constants above).
pub fn is(error: &ExoError, class: &str) -> bool {
    matches!(error, ExoError::Service { code, .. } if code == class)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Response { status, headers: map, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn the_pipe_format_gives_class_and_message_in_any_language() {
        let body = r#"{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Context","target":"","message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|Der Vorgang kann nicht ausgeführt werden, da das Objekt \"x\" nicht gefunden wurde."}]}}"#;
        let failure = parse(&response(404, &[("request-id", "r1")], body));
        assert_eq!(failure.class, NOT_FOUND);
        assert!(failure.message.starts_with("Der Vorgang"), "{}", failure.message);
        assert_eq!(failure.request_id.as_deref(), Some("r1"));
        assert!(!failure.is_transient());
    }

    #[test]
    fn the_json_format_and_the_fallbacks() {
        let body = r#"{"error":{"code":"InternalServerError","message":"Error executing cmdlet","details":[{"message":"{\"ClassName\":\"Microsoft.Exchange.Configuration.CmdletProxyException\",\"Message\":\"proxy failed\"}"}]}}"#;
        let failure = parse(&response(500, &[], body));
        assert_eq!((failure.class.as_str(), failure.message.as_str()), ("CmdletProxyException", "proxy failed"));
        let body = r#"{"error":{"code":"BadRequest","message":"Error executing cmdlet","innererror":{"internalexception":{"message":"inner reason"}}}}"#;
        let failure = parse(&response(400, &[("x-exceptiontype", "ServerBusyException")], body));
        assert_eq!((failure.class.as_str(), failure.message.as_str()), ("ServerBusyException", "inner reason"));
        assert!(failure.is_transient());
    }

    #[test]
    fn an_empty_refusal_reads_x_ms_diagnostics() {
        let headers = [("x-ms-diagnostics", "2000003;reason=\"The audience claim value is invalid for this resource.\";error_category=\"invalid_resource\"")];
        let failure = parse(&response(401, &headers, "\0\0\0"));
        assert_eq!(failure.class, "Unauthorized");
        assert_eq!(failure.message, "The audience claim value is invalid for this resource.");
        let failure = parse(&response(403, &[], ""));
        assert!(failure.message.contains("Exchange.ManageAsApp"), "{}", failure.message);
    }

    #[test]
    fn adminapi_errors_in_a_200_are_failures() {
        let errors = serde_json::json!(["|Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException|schon Mitglied"]);
        let failure = from_adminapi_errors(&errors).unwrap();
        assert_eq!(failure.class, ALREADY_MEMBER);
        assert!(from_adminapi_errors(&serde_json::json!([])).is_none());
    }
}
