//! Workload identity federation: another issuer's token (GitLab's `id_tokens`, GitHub's OIDC
//! token, AKS's projected service-account token) is sent as the client assertion. A file is read
//! again for every token request, because Kubernetes rotates the projected file under a pod.

use std::path::PathBuf;

use crate::auth::Secret;
use crate::auth::certificate::io_reason;
use crate::error::{ExoError, Result};

/// Where the federated token comes from.
#[derive(Debug, Clone)]
pub enum FederatedToken {
    /// A file such as `AZURE_FEDERATED_TOKEN_FILE`; `parameter` names where the path came from.
    File { path: PathBuf, parameter: String },
    /// The token itself (`-FederatedToken`, or a CI variable such as a GitLab `id_tokens` entry).
    Value(Secret),
}

impl FederatedToken {
    /// The current token, trimmed (files often end with a newline).
    pub fn read(&self) -> Result<Secret> {
        match self {
            FederatedToken::Value(token) => Ok(token.clone()),
            FederatedToken::File { path, parameter } => {
                let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                    ExoError::invalid_argument(parameter.as_str(), format!("cannot read the federated token file '{}': {}", path.display(), io_reason(&e)))
                })?);
                let token = text.trim();
                if token.is_empty() {
                    return Err(ExoError::invalid_argument(parameter.as_str(), format!("the federated token file '{}' is empty", path.display())));
                }
                Ok(Secret::new(token.to_string()))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            FederatedToken::File { path, .. } => format!("a federated token from {}", path.display()),
            FederatedToken::Value(_) => "a federated token given directly".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_names_the_parameter_and_path() {
        let source = FederatedToken::File { path: "/nonexistent/exokit/token".into(), parameter: "FederatedTokenFile".into() };
        let err = source.read().unwrap_err().to_string();
        assert!(err.contains("FederatedTokenFile") && err.contains("/nonexistent/exokit/token") && err.contains("No such file"), "{err}");
    }

    #[test]
    fn file_tokens_are_trimmed_and_empty_files_refused() {
        let dir = std::env::temp_dir().join(format!("exokit-fed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "eyJ.abc.def\n").unwrap();
        let source = FederatedToken::File { path: path.clone(), parameter: "FederatedTokenFile".into() };
        assert_eq!(source.read().unwrap().expose(), "eyJ.abc.def");
        std::fs::write(&path, "  \n").unwrap();
        assert!(source.read().unwrap_err().to_string().contains("is empty"));
    }
}
