//! One error type for the crate. Each kind has a stable id and a PowerShell error category, so
//! the cmdlet layer turns it into an `ErrorRecord` without deciding anything.

use std::fmt;

pub type Result<T, E = ExoError> = std::result::Result<T, E>;

/// Everything that can go wrong, with what an admin needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExoError {
    /// A parameter, variable or configuration value is wrong.
    #[error("Invalid value for {parameter}: {message}")]
    InvalidArgument { parameter: String, message: String },

    /// No `Connect-ExoKit` yet (or `Disconnect-ExoKit` since).
    #[error("Not connected. Run Connect-ExoKit first.")]
    NotConnected,

    /// The identity platform refused to issue a token.
    #[error("Authentication to tenant '{tenant}' failed: {reason}")]
    Authentication { tenant: String, reason: String },

    /// Nothing answered at an endpoint (refused, DNS, TLS, timeout).
    #[error("Cannot reach {url}: {cause}")]
    Unreachable { url: String, cause: String },

    /// Graph (or Exchange) answered with an error.
    #[error("{method} {url} failed with {status} {code}: {message}{}", request_id_suffix(.request_id))]
    Service { method: String, url: String, status: u16, code: String, message: String, request_id: Option<String> },

    /// A server answer that cannot be understood.
    #[error("Unexpected answer from {url}: {message}")]
    Protocol { url: String, message: String },

    /// The contact mirror's state file cannot be used: in use by another run (`busy`), corrupt,
    /// another application's, or from a newer ExoKit. The message says how to reset it.
    #[error("The contact mirror state file '{path}' {message}.")]
    State { path: String, message: String, busy: bool },

    /// The caller cancelled (Ctrl+C, `PowerShell.Stop()`).
    #[error("The operation was cancelled.")]
    Cancelled,

    /// A bug: a panic caught at the boundary, or an invariant broken.
    #[error("Internal error in ExoKit: {0}")]
    Internal(String),

    /// An identity the caller gave matches nothing (as `Get-Mailbox -Identity` reports it).
    #[error("No {what} matches '{identity}'.")]
    NotFound { what: String, identity: String },

    /// One item of a cmdlet's input failed (a mailbox, an id): the error as it is, with the item
    /// as its `TargetObject`. A service's answer reads as its own message, without the request
    /// line (`POST …/InvokeCommand failed with 404 …`), which `-Verbose` shows.
    #[error("{}", item_message(.error))]
    Item { target: String, error: Box<ExoError> },
}

fn item_message(error: &ExoError) -> String {
    match error {
        ExoError::Service { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" (request-id {id})")).unwrap_or_default()
}

impl ExoError {
    pub fn invalid_argument(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        ExoError::InvalidArgument { parameter: parameter.into(), message: message.into() }
    }

    /// The same error with its service or protocol message rewritten (to say what was being
    /// done, or what follows from it); other kinds are returned as they are.
    pub fn reworded(self, reword: impl FnOnce(&str) -> String) -> Self {
        match self {
            ExoError::Service { method, url, status, code, message, request_id } => {
                ExoError::Service { method, url, status, code, message: reword(&message), request_id }
            }
            ExoError::Protocol { url, message } => ExoError::Protocol { url, message: reword(&message) },
            other => other,
        }
    }

    /// This error as the failure of one input item (`target`: the mailbox, id… as given).
    pub fn for_item(self, target: impl Into<String>) -> Self {
        match self {
            ExoError::Item { error, .. } => ExoError::Item { target: target.into(), error },
            other => ExoError::Item { target: target.into(), error: Box::new(other) },
        }
    }

    /// Whether nothing can go on after this error (no connection, sign-in refused, cancelled,
    /// a bug, no Exchange endpoint, a permission the app lacks): then the cmdlet stops; any
    /// other failure of one item is reported for that item and the rest is processed.
    pub fn stops_everything(&self) -> bool {
        match self {
            ExoError::NotConnected | ExoError::Authentication { .. } | ExoError::Cancelled | ExoError::Internal(_) => true,
            ExoError::Unreachable { .. } => true,
            ExoError::InvalidArgument { parameter, .. } => parameter == "ExchangeEndpoint",
            ExoError::Service { status, .. } => matches!(status, 401 | 403),
            ExoError::Item { error, .. } => error.stops_everything(),
            _ => false,
        }
    }

    /// The stable id that becomes the `FullyQualifiedErrorId`.
    pub fn error_id(&self) -> String {
        let id = match self {
            ExoError::Item { error, .. } => return error.error_id(),
            ExoError::NotFound { .. } => "NotFound",
            ExoError::InvalidArgument { .. } => "InvalidArgument",
            ExoError::NotConnected => "NotConnected",
            ExoError::Authentication { .. } => "AuthenticationFailed",
            ExoError::Unreachable { .. } => "EndpointUnreachable",
            ExoError::Service { code, .. } => return format!("ExoKit.Service.{}", sanitize(code)),
            ExoError::Protocol { .. } => "UnexpectedResponse",
            ExoError::State { busy: true, .. } => "StateInUse",
            ExoError::State { busy: false, .. } => "StateUnusable",
            ExoError::Cancelled => "Cancelled",
            ExoError::Internal(_) => "InternalError",
        };
        format!("ExoKit.{id}")
    }

    /// The name of the `System.Management.Automation.ErrorCategory` member.
    pub fn category(&self) -> &'static str {
        match self {
            ExoError::Item { error, .. } => error.category(),
            ExoError::NotFound { .. } => "ObjectNotFound",
            ExoError::InvalidArgument { .. } => "InvalidArgument",
            ExoError::NotConnected => "ConnectionError",
            ExoError::Authentication { .. } => "AuthenticationError",
            ExoError::Unreachable { .. } => "ConnectionError",
            ExoError::Service { status, .. } => match status {
                400 => "InvalidArgument",
                401 => "AuthenticationError",
                403 => "PermissionDenied",
                404 => "ObjectNotFound",
                409 => "ResourceExists",
                429 => "LimitsExceeded",
                _ => "ConnectionError",
            },
            ExoError::Protocol { .. } => "InvalidResult",
            ExoError::State { busy: true, .. } => "ResourceBusy",
            ExoError::State { busy: false, .. } => "InvalidData",
            ExoError::Cancelled => "OperationStopped",
            ExoError::Internal(_) => "NotSpecified",
        }
    }

    /// What the error is about (a tenant, a URL, a parameter), for `ErrorRecord.TargetObject`.
    pub fn target(&self) -> Option<String> {
        match self {
            ExoError::Item { target, .. } => Some(target.clone()),
            ExoError::NotFound { identity, .. } => Some(identity.clone()),
            ExoError::InvalidArgument { parameter, .. } => Some(parameter.clone()),
            ExoError::State { path, .. } => Some(path.clone()),
            ExoError::Authentication { tenant, .. } => Some(tenant.clone()),
            ExoError::Unreachable { url, .. } | ExoError::Protocol { url, .. } | ExoError::Service { url, .. } => {
                Some(url.clone())
            }
            _ => None,
        }
    }
}

/// Keeps an error id to letters, digits and dots, whatever a server put in its code.
fn sanitize(code: &str) -> String {
    let clean: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
    if clean.is_empty() { "Unknown".into() } else { clean }
}

/// Formats a causal chain (`reqwest` hides the useful part, e.g. "Connection refused", in sources).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let part = inner.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = inner.source();
    }
    text
}

/// Redacts a value in `Debug` output; for secrets held in structs.
pub struct Redacted;
impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reworded_changes_a_service_message_and_keeps_the_rest() {
        let error = ExoError::Service {
            method: "GET".into(),
            url: "u".into(),
            status: 403,
            code: "ErrorAccessDenied".into(),
            message: "Access is denied.".into(),
            request_id: None,
        };
        let reworded = error.reworded(|m| format!("{m} (skipped)"));
        assert!(matches!(&reworded, ExoError::Service { status: 403, message, .. } if message == "Access is denied. (skipped)"));
        assert_eq!(ExoError::Cancelled.reworded(|_| "x".into()), ExoError::Cancelled);
    }

    use super::*;

    #[test]
    fn service_errors_get_ids_and_categories_from_the_status_and_code() {
        let e = ExoError::Service {
            method: "GET".into(),
            url: "https://graph/x".into(),
            status: 403,
            code: "ErrorAccessDenied".into(),
            message: "Access is denied.".into(),
            request_id: Some("r-1".into()),
        };
        assert_eq!(e.error_id(), "ExoKit.Service.ErrorAccessDenied");
        assert_eq!(e.category(), "PermissionDenied");
        assert!(e.to_string().ends_with("(request-id r-1)"), "{e}");
    }

    #[test]
    fn hostile_codes_cannot_shape_the_error_id() {
        assert_eq!(sanitize("a b/c;\n"), "abc");
        assert_eq!(sanitize(""), "Unknown");
    }
}
