//! A secret held in memory: zeroed on drop, never printed.

use std::fmt;
use zeroize::Zeroizing;

use crate::error::{ExoError, Result};

/// A client secret or an access token. `Debug` and `Display` print `<redacted>`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes UTF-8 bytes (as they cross the C ABI); `what` names the value in errors.
    pub fn from_utf8(bytes: &[u8], what: &str) -> Result<Secret> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| ExoError::invalid_argument(what, "is not valid UTF-8"))?;
        if text.is_empty() {
            return Err(ExoError::invalid_argument(what, "is empty"));
        }
        Ok(Secret(Zeroizing::new(text.to_string())))
    }

    pub fn new(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::from_utf8(b"hunter2", "ClientSecret").unwrap();
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn bad_secrets_name_the_parameter() {
        let err = Secret::from_utf8(&[0xff, 0xfe], "ClientSecret").unwrap_err().to_string();
        assert!(err.contains("ClientSecret") && err.contains("UTF-8"), "{err}");
        assert!(Secret::from_utf8(b"", "ClientSecret").is_err());
    }
}
