//! HTTPS for the sandbox: a certificate authority made fresh at every start and a server
//! certificate it signs for `127.0.0.1`, `::1` and `localhost`. Nothing trusts the CA unless a
//! client is told to (its PEM is [`crate::Sandbox::ca_pem`], and the binary writes it to a file),
//! so a client that skips the step fails the handshake, as it would against a real service with
//! a certificate it does not trust.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What the HTTPS listener serves and what clients must trust.
pub struct TlsMaterial {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    pub server_config: Arc<ServerConfig>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial").finish_non_exhaustive()
    }
}

pub fn generate() -> Result<TlsMaterial, String> {
    let ca_key = KeyPair::generate().map_err(|e| format!("CA key: {e}"))?;
    let ca_params = ca_params();
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| format!("CA certificate: {e}"))?;
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().map_err(|e| format!("server key: {e}"))?;
    let leaf = leaf_params()?
        .signed_by(&leaf_key, &issuer)
        .map_err(|e| format!("server certificate: {e}"))?;
    let chain = vec![leaf.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(server_config(chain, key)?),
    })
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "ExoKit Sandbox CA (test only)");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "ExoKit sandbox");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn leaf_params() -> Result<CertificateParams, String> {
    let names = vec![
        "127.0.0.1".to_string(),
        "::1".to_string(),
        "localhost".to_string(),
    ];
    let mut params = CertificateParams::new(names).map_err(|e| format!("server names: {e}"))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// HTTP/1.1 only (the router speaks HTTP/1), ring as the provider: the workspace may also link
/// aws-lc, so the process-wide default provider is not to be relied on.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
