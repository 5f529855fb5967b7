//! Certificate credentials: a PFX (PKCS#12, with its password) or a PEM certificate and key,
//! loaded once at connect time and checked there (expired, wrong password, key not matching the
//! certificate), so a bad certificate fails before the first request.
//!
//! Everything here is pure Rust (p12-keystore, x509-parser, ring): the module ships native
//! libraries for Windows, macOS and Linux, and none may need a system OpenSSL.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ring::{digest, rand, signature};
use rustls_pki_types::pem::{PemObject, SectionKind};
use zeroize::Zeroizing;

use crate::auth::Secret;
use crate::error::{ExoError, Result};

/// A certificate whose private key signs client assertions. `Debug` shows the thumbprint only.
pub struct ClientCertificate {
    key: signature::RsaKeyPair,
    der: Vec<u8>,
    pub subject: String,
    pub not_after: DateTime<Utc>,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClientCertificate({}, {})", self.subject, self.thumbprint_hex())
    }
}

impl ClientCertificate {
    /// Loads `path`: a PFX (with `password`, possibly empty) or a PEM file holding the certificate
    /// and, unless `key_path` names another PEM file, the private key. `parameter` names the
    /// source in errors (`CertificatePath`, or a configuration field).
    pub fn load(path: &Path, key_path: Option<&Path>, password: Option<&Secret>, parameter: &str, now: DateTime<Utc>) -> Result<ClientCertificate> {
        let bytes = Zeroizing::new(read(path, parameter)?);
        let certificate = if looks_like_pem(&bytes) {
            let key_bytes = match key_path {
                Some(key_path) => Zeroizing::new(read(key_path, parameter)?),
                None => bytes.clone(),
            };
            from_pem(&bytes, &key_bytes, path, parameter)?
        } else {
            from_pfx(&bytes, password, path, parameter)?
        };
        certificate.check_validity(path, parameter, now)?;
        Ok(certificate)
    }

    /// Builds one from DER parts, checking that the key belongs to the certificate.
    fn from_parts(cert_der: Vec<u8>, key_der: &[u8], pkcs8: bool, path: &Path, parameter: &str) -> Result<ClientCertificate> {
        let key = if pkcs8 { signature::RsaKeyPair::from_pkcs8(key_der) } else { signature::RsaKeyPair::from_der(key_der) }
            .map_err(|e| bad(parameter, path, format!("holds a private key that is not a usable RSA key ({e}); Entra ID accepts RSA certificates")))?;
        let (_, parsed) = x509_parser::parse_x509_certificate(&cert_der)
            .map_err(|e| bad(parameter, path, format!("holds a certificate that cannot be parsed ({e})")))?;
        if parsed.public_key().subject_public_key.data.as_ref() != key.public().as_ref() {
            return Err(bad(parameter, path, "holds a private key that does not belong to its certificate"));
        }
        let not_after = DateTime::<Utc>::from_timestamp(parsed.validity().not_after.timestamp(), 0).unwrap_or_default();
        let subject = parsed.subject().to_string();
        Ok(ClientCertificate { key, der: cert_der, subject, not_after })
    }

    fn check_validity(&self, path: &Path, parameter: &str, now: DateTime<Utc>) -> Result<()> {
        let (_, parsed) = x509_parser::parse_x509_certificate(&self.der).expect("parsed once already");
        let not_before = DateTime::<Utc>::from_timestamp(parsed.validity().not_before.timestamp(), 0).unwrap_or_default();
        if now > self.not_after {
            return Err(bad(parameter, path, format!("holds certificate '{}' (thumbprint {}), which expired on {}; upload a new certificate to the app and use it", self.subject, self.thumbprint_hex(), self.not_after.format("%Y-%m-%d %H:%M:%S UTC"))));
        }
        if now < not_before {
            return Err(bad(parameter, path, format!("holds certificate '{}', which is not valid before {}", self.subject, not_before.format("%Y-%m-%d %H:%M:%S UTC"))));
        }
        Ok(())
    }

    /// The SHA-1 thumbprint in hex, as the Azure portal and the Windows certificate store show it.
    pub fn thumbprint_hex(&self) -> String {
        digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der).as_ref().iter().map(|b| format!("{b:02X}")).collect()
    }

    /// `x5t`: base64url SHA-1 of the DER certificate.
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der))
    }

    /// `x5t#S256`: base64url SHA-256 of the DER certificate.
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &self.der))
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 (RS256) over `input`.
    pub fn sign_rs256(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut signed = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&signature::RSA_PKCS1_SHA256, &rand::SystemRandom::new(), input, &mut signed)
            .map_err(|_| ExoError::Internal("signing the client assertion failed".into()))?;
        Ok(signed)
    }
}

fn read(path: &Path, parameter: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| ExoError::invalid_argument(parameter, format!("cannot read '{}': {}", path.display(), io_reason(&e))))
}

/// The OS reason without its "(os error N)" tail.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

fn bad(parameter: &str, path: &Path, what: impl std::fmt::Display) -> ExoError {
    ExoError::invalid_argument(parameter, format!("'{}' {what}", path.display()))
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    bytes[start..].starts_with(b"-----BEGIN")
}

fn from_pfx(bytes: &[u8], password: Option<&Secret>, path: &Path, parameter: &str) -> Result<ClientCertificate> {
    let password = password.map(Secret::expose).unwrap_or("");
    let store = p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Strict).map_err(|e| match e {
        // The MAC check is the first thing a wrong password fails.
        p12_keystore::error::Error::MacError(_) => bad(parameter, path, "cannot be opened with the password given (a wrong CertificatePassword?)"),
        other => bad(parameter, path, format!("is neither a PEM file nor a PFX (PKCS#12) file that can be read ({other})")),
    })?;
    let (_, chain) = store.private_key_chain().ok_or_else(|| bad(parameter, path, "holds no private key with its certificate"))?;
    let leaf = chain.certs().first().ok_or_else(|| bad(parameter, path, "holds a private key without its certificate"))?;
    ClientCertificate::from_parts(leaf.as_der().to_vec(), chain.key().as_der(), true, path, parameter)
}

fn from_pem(cert_pem: &[u8], key_pem: &[u8], path: &Path, parameter: &str) -> Result<ClientCertificate> {
    let mut certificate = None;
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(cert_pem) {
        let (kind, der) = section.map_err(|e| bad(parameter, path, format!("is not a readable PEM file ({e})")))?;
        if kind == SectionKind::Certificate && certificate.is_none() {
            certificate = Some(der);
        }
    }
    let certificate = certificate.ok_or_else(|| bad(parameter, path, "holds no CERTIFICATE section"))?;
    let mut key = None;
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(key_pem) {
        let Ok((kind, der)) = section else { continue };
        match kind {
            SectionKind::PrivateKey => key = Some((Zeroizing::new(der), true)),
            SectionKind::RsaPrivateKey => key = Some((Zeroizing::new(der), false)),
            _ => {}
        }
    }
    let Some((key, pkcs8)) = key else {
        let encrypted = String::from_utf8_lossy(key_pem).contains("ENCRYPTED PRIVATE KEY");
        let why = if encrypted {
            "holds an encrypted private key; use a PFX with -CertificatePassword, or an unencrypted PEM key in a protected file"
        } else {
            "holds no PRIVATE KEY or RSA PRIVATE KEY section (put the key in the same PEM file, or name it with -CertificateKeyPath)"
        };
        return Err(bad(parameter, path, why));
    };
    ClientCertificate::from_parts(certificate, &key, pkcs8, path, parameter)
}
