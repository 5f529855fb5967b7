//! Test certificates and client assertions: what a test or a seed needs to log in with a
//! certificate. Keys made here are for the sandbox only.
//!
//! ```no_run
//! let (cert_der_b64, key_pem) = exokit_sandbox::testcert::generate();
//! // put cert_der_b64 in an app's "certificates" in the seed, then:
//! let assertion = exokit_sandbox::testcert::Assertion::new(&cert_der_b64, "client-id", "http://127.0.0.1:1234/tenant/oauth2/v2.0/token")
//!     .sign(&key_pem);
//! ```

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{Datelike, Utc};
use rcgen::{CertificateParams, DnType, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256};
use ring::{digest, rand, signature};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};

/// A fresh self-signed RSA 2048 certificate (base64 DER, as in an app registration's
/// keyCredentials) and its private key (PKCS#8 PEM).
pub fn generate() -> (String, String) {
    let year = Utc::now().year();
    generate_valid(year - 1, year + 5)
}

/// A certificate that expired on 1 January of last year (for the client's "expired" error).
pub fn generate_expired() -> (String, String) {
    let year = Utc::now().year();
    generate_valid(year - 3, year - 1)
}

/// Valid from 1 January `from_year` to 1 January `until_year`.
fn generate_valid(from_year: i32, until_year: i32) -> (String, String) {
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).expect("RSA key generation");
    let mut params = CertificateParams::default();
    params.distinguished_name.push(
        DnType::CommonName,
        "ExoKit sandbox test certificate (sandbox only)",
    );
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = rcgen::date_time_ymd(from_year, 1, 1);
    params.not_after = rcgen::date_time_ymd(until_year, 1, 1);
    let cert = params.self_signed(&key).expect("self-signed certificate");
    (STANDARD.encode(cert.der()), key.serialize_pem())
}

/// The base64url SHA-1 thumbprint (`x5t`) of a base64 DER certificate.
pub fn x5t(cert_der_b64: &str) -> String {
    thumbprint(cert_der_b64, &digest::SHA1_FOR_LEGACY_USE_ONLY)
}

/// The base64url SHA-256 thumbprint (`x5t#S256`) of a base64 DER certificate.
pub fn x5t_s256(cert_der_b64: &str) -> String {
    thumbprint(cert_der_b64, &digest::SHA256)
}

fn thumbprint(cert_der_b64: &str, algorithm: &'static digest::Algorithm) -> String {
    let der = STANDARD
        .decode(cert_der_b64)
        .expect("base64 DER certificate");
    URL_SAFE_NO_PAD.encode(digest::digest(algorithm, &der))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with the SHA-1 `x5t` (the older documented form).
    Rs256,
    /// RSASSA-PSS with the SHA-256 `x5t#S256` (the current documented form).
    Ps256,
}

/// A client assertion to sign; fields are public so tests can spoil one thing at a time.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub algorithm: Algorithm,
    pub header: Value,
    pub claims: Value,
}

impl Assertion {
    /// A valid assertion for `client_id` at `token_endpoint`, RS256 with `x5t`, valid for 10 minutes.
    pub fn new(cert_der_b64: &str, client_id: &str, token_endpoint: &str) -> Assertion {
        let now = Utc::now().timestamp();
        Assertion {
            algorithm: Algorithm::Rs256,
            header: json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(cert_der_b64)}),
            claims: json!({
                "aud": token_endpoint, "iss": client_id, "sub": client_id,
                "jti": uuid::Uuid::new_v4().to_string(), "nbf": now, "iat": now, "exp": now + 600,
            }),
        }
    }

    /// The same assertion signed PS256 and naming the certificate by `x5t#S256`.
    pub fn ps256(mut self, cert_der_b64: &str) -> Assertion {
        self.algorithm = Algorithm::Ps256;
        self.header = json!({"alg": "PS256", "typ": "JWT", "x5t#S256": x5t_s256(cert_der_b64)});
        self
    }

    /// The compact JWT, signed with `key_pem` (PKCS#8 PEM).
    pub fn sign(&self, key_pem: &str) -> String {
        let der = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).expect("a PKCS#8 PEM key");
        let key = signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("an RSA key");
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(self.header.to_string()),
            URL_SAFE_NO_PAD.encode(self.claims.to_string())
        );
        let padding: &dyn signature::RsaEncoding = match self.algorithm {
            Algorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
            Algorithm::Ps256 => &signature::RSA_PSS_SHA256,
        };
        let mut signed = vec![0; key.public().modulus_len()];
        key.sign(
            padding,
            &rand::SystemRandom::new(),
            input.as_bytes(),
            &mut signed,
        )
        .expect("signing");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signed))
    }
}
