//! Workload identity federation: the sandbox plays the external issuer (GitLab, GitHub, a
//! Kubernetes cluster) and the identity platform's check of its tokens.
//!
//! The issuer signs RS256 with one key made on first use; its tokens name the key by `kid` (the
//! certificate's `x5t`). The token endpoint accepts such a token as a client assertion when the
//! app has a federated credential with the token's `iss`, `sub` and one of its `aud`, the
//! signature verifies against the issuer's key and the token is within its lifetime (the same
//! five minutes of skew as certificate assertions). AADSTS codes as the service answers them:
//! 70021 no matching federated identity record, 50013 signature, 700024 lifetime.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use rustls_pki_types::CertificateDer;
use serde_json::{Map, Value, json};

use crate::aad_error::AadError;
use crate::seed::AppSeed;
use crate::testcert;

/// The issuer's certificate (base64 DER) and private key (PKCS#8 PEM).
fn issuer_key() -> &'static (String, String) {
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    KEY.get_or_init(testcert::generate)
}

/// A token as the external issuer would mint it (a GitLab `id_tokens` entry, an AKS projected
/// service-account token). `lifetime_seconds` may be negative for an expired one.
pub fn mint(issuer: &str, subject: &str, audience: &str, lifetime_seconds: i64) -> String {
    let (cert, key) = issuer_key();
    let now = Utc::now().timestamp();
    let mut assertion = testcert::Assertion::new(cert, subject, audience);
    assertion.header = json!({"alg": "RS256", "typ": "JWT", "kid": testcert::x5t(cert)});
    assertion.claims = json!({
        "iss": issuer, "sub": subject, "aud": audience,
        "iat": now.min(now + lifetime_seconds), "nbf": now.min(now + lifetime_seconds), "exp": now + lifetime_seconds,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    assertion.sign(key)
}

/// Whether an assertion is another issuer's token rather than the app's own: it names no
/// certificate (`x5t`, `x5t#S256`) and its `iss` is not the client id. A certificate assertion
/// with a wrong `iss` stays a certificate assertion (and gets AADSTS700021).
pub fn is_federated(assertion: &str, client_id: &str) -> bool {
    let names_certificate = part(assertion, 0).is_some_and(|h| h.contains_key("x5t") || h.contains_key("x5t#S256"));
    let issuer = claims_of(assertion).and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_string));
    !names_certificate && issuer.is_some_and(|iss| !iss.eq_ignore_ascii_case(client_id))
}

/// Checks a federated token against the app's federated credentials and the issuer's key.
pub fn verify(assertion: &str, app: &AppSeed) -> Result<(), AadError> {
    let claims = claims_of(assertion).ok_or_else(AadError::malformed_jwt)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let (issuer, subject) = (text("iss"), text("sub"));
    let audiences: Vec<String> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(list)) => list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let matched = app.federated_credentials.iter().any(|fc| {
        fc.issuer == issuer && fc.subject == subject && fc.audiences.iter().any(|a| audiences.contains(a))
    });
    if !matched {
        return Err(AadError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_request",
            70021,
            format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{}'.",
                audiences.join(",")
            ),
        ));
    }
    check_signature(assertion)?;
    crate::client_assertion::check_lifetime(&claims, Utc::now())
}

fn check_signature(assertion: &str) -> Result<(), AadError> {
    let (cert, _) = issuer_key();
    let (input, signature) = assertion.rsplit_once('.').ok_or_else(AadError::malformed_jwt)?;
    let signature = URL_SAFE_NO_PAD.decode(signature.trim_end_matches('=')).map_err(|_| AadError::malformed_jwt())?;
    let der = STANDARD.decode(cert).expect("the issuer's own certificate");
    let der = CertificateDer::from(der);
    let verified = webpki::EndEntityCert::try_from(&der)
        .map(|c| c.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &signature).is_ok())
        .unwrap_or(false);
    if verified {
        return Ok(());
    }
    Err(AadError::new(axum::http::StatusCode::BAD_REQUEST, "invalid_request", 50013, "Assertion failed signature validation. [Reason - The key was not found.]"))
}

fn claims_of(assertion: &str) -> Option<Map<String, Value>> {
    part(assertion, 1)
}

/// The JWT's header (0) or claims (1), decoded without any check.
fn part(assertion: &str, index: usize) -> Option<Map<String, Value>> {
    let payload = assertion.trim().split('.').nth(index)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}
