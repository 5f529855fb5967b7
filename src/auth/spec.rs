//! What `Connect-ExoKit` (or a tenant of the drop-in configuration) says about the credential,
//! turned into a [`Credential`]: which kind, and the one secret value that kind takes (a client
//! secret, a certificate password, a federated token, an access token or `IDENTITY_HEADER`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use crate::auth::{ClientCertificate, Credential, FederatedToken, GivenToken, ManagedIdentity, Secret};
use crate::error::{ExoError, Result};

/// The kinds, by the names of `Connect-ExoKit`'s parameter sets.
pub const KINDS: &[&str] = &["ClientSecret", "CertificatePath", "CertificateThumbprint", "ManagedIdentity", "FederatedTokenFile", "FederatedToken", "AccessToken"];

#[derive(Debug, Default)]
pub struct CredentialSpec {
    pub kind: String,
    pub certificate_path: Option<PathBuf>,
    pub certificate_key_path: Option<PathBuf>,
    pub certificate_thumbprint: Option<String>,
    pub federated_token_file: Option<PathBuf>,
    /// A managed identity's client id (user-assigned); `None` for system-assigned.
    pub client_id: Option<String>,
    /// `IDENTITY_ENDPOINT`, `AZURE_POD_IDENTITY_AUTHORITY_HOST` as the caller sees them.
    pub variables: BTreeMap<String, String>,
    pub secret: Option<Secret>,
}

impl CredentialSpec {
    /// What the kind's one secret value is called, for errors about it.
    pub fn secret_name(kind: &str) -> &str {
        match kind {
            "CertificatePath" => "CertificatePassword",
            "ManagedIdentity" => "IDENTITY_HEADER",
            other => other,
        }
    }

    /// Builds the credential; a certificate is read and checked now, so a bad one fails before
    /// any request.
    pub fn load(self) -> Result<Credential> {
        let secret = |what: &str| self.secret.clone().ok_or_else(|| ExoError::invalid_argument(what, "is empty"));
        match self.kind.as_str() {
            "ClientSecret" => Ok(Credential::ClientSecret(secret("ClientSecret")?)),
            "CertificatePath" => {
                let path = self.certificate_path.as_deref().ok_or_else(|| ExoError::invalid_argument("CertificatePath", "is empty"))?;
                let certificate = ClientCertificate::load(path, self.certificate_key_path.as_deref(), self.secret.as_ref(), "CertificatePath", Utc::now())?;
                crate::ops::verbose(format!("Certificate '{}' (thumbprint {}), valid until {}", certificate.subject, certificate.thumbprint_hex(), certificate.not_after.format("%Y-%m-%d")));
                Ok(Credential::Certificate(Arc::new(certificate)))
            }
            "CertificateThumbprint" => Err(ExoError::invalid_argument("CertificateThumbprint", thumbprint_unsupported())),
            "ManagedIdentity" => Ok(Credential::ManagedIdentity(ManagedIdentity::from_variables(self.client_id.clone(), &self.variables, self.secret.clone())?)),
            "FederatedTokenFile" => {
                let path = self.federated_token_file.clone().ok_or_else(|| ExoError::invalid_argument("FederatedTokenFile", "is empty"))?;
                let source = FederatedToken::File { path, parameter: "FederatedTokenFile".into() };
                source.read()?; // an unreadable file fails at connect time, not at the first refresh
                Ok(Credential::Federated(source))
            }
            "FederatedToken" => Ok(Credential::Federated(FederatedToken::Value(secret("FederatedToken")?))),
            "AccessToken" => Ok(Credential::AccessToken(GivenToken::new(secret("AccessToken")?))),
            other => Err(ExoError::Internal(format!("unknown credential kind '{other}'; expected one of {}", KINDS.join(", ")))),
        }
    }
}

fn thumbprint_unsupported() -> String {
    if cfg!(windows) {
        "reading the Windows certificate store is not in this build yet; export the certificate with its key (Export-PfxCertificate) and use -CertificatePath with -CertificatePassword".into()
    } else {
        "the certificate store is a Windows feature; on Linux and macOS use -CertificatePath with a PFX (and -CertificatePassword) or a PEM file".into()
    }
}
