//! Checks a client assertion (RFC 7523 `jwt-bearer`) as the identity platform does: a JWT signed
//! RS256 or PS256 by the private key of a certificate registered on the app, named in the header
//! by `x5t` (base64url SHA-1 thumbprint) or `x5t#S256` (SHA-256); `iss` = `sub` = the client id,
//! `aud` = the token endpoint the request was sent to, `exp`/`nbf` around now, and a `jti`.
//!
//! The AADSTS codes and wording follow what the service answers (seen in public issue threads).
//! Assumptions: 5 minutes of clock skew either way; a missing `jti` is refused as a malformed
//! JWT; a replayed `jti` is accepted (the service is not known to refuse replays, and client
//! libraries may reuse an assertion while it is valid).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ring::digest;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use serde_json::{Map, Value};

use crate::aad_error::{AadError, CERTIFICATE_DOCS};
use crate::seed::AppSeed;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const CLOCK_SKEW_SECONDS: i64 = 300;

/// What the assertion must match besides the app's certificates.
pub struct Expected<'a> {
    pub client_id: &'a str,
    /// Token endpoint URLs the request could have been addressed as (scheme, host, tenant id or
    /// domain); `aud` must be one of them.
    pub audiences: Vec<String>,
    pub now: DateTime<Utc>,
}

/// A decoded but not yet trusted JWT.
struct Jwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

/// The thumbprint the header names, and how it was computed.
struct Thumbprint {
    bytes: Vec<u8>,
    sha256: bool,
}

pub fn verify(assertion: &str, app: &AppSeed, expected: &Expected<'_>) -> Result<(), AadError> {
    let jwt = decode(assertion)?;
    let algorithm = algorithm(&jwt.header)?;
    let thumbprint = thumbprint(&jwt.header)?;
    let certificate = find_certificate(app, &thumbprint)
        .ok_or_else(|| key_not_found(&thumbprint, &app.app_id))?;
    check_signature(&certificate, algorithm, &jwt, &thumbprint)?;
    check_claims(&jwt.claims, expected)
}

fn decode(assertion: &str) -> Result<Jwt, AadError> {
    let parts: Vec<&str> = assertion.trim().split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(AadError::malformed_jwt());
    };
    let object = |part: &str| -> Result<Map<String, Value>, AadError> {
        let bytes = base64url(part).ok_or_else(AadError::malformed_jwt)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(AadError::malformed_jwt()),
        }
    };
    Ok(Jwt {
        header: object(header)?,
        claims: object(claims)?,
        signing_input: format!("{header}.{claims}"),
        signature: base64url(signature)
            .filter(|s| !s.is_empty())
            .ok_or_else(AadError::malformed_jwt)?,
    })
}

/// Base64url without padding, tolerating padding some encoders add.
fn base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

fn algorithm(
    header: &Map<String, Value>,
) -> Result<&'static dyn SignatureVerificationAlgorithm, AadError> {
    match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => Ok(webpki::ring::RSA_PKCS1_2048_8192_SHA256),
        Some("PS256") => Ok(webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY),
        Some(_) => Err(AadError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_request",
            5002730,
            "Invalid JWT token. Unsupported key for the signing algorithm.",
        )),
        None => Err(AadError::malformed_jwt()),
    }
}

/// `x5t#S256` wins over `x5t` when both are sent, as the current documentation prefers it.
fn thumbprint(header: &Map<String, Value>) -> Result<Thumbprint, AadError> {
    let named = |key: &str, sha256: bool, length: usize| -> Option<Result<Thumbprint, AadError>> {
        let text = header.get(key)?.as_str();
        Some(
            match text.and_then(base64url).filter(|b| b.len() == length) {
                Some(bytes) => Ok(Thumbprint { bytes, sha256 }),
                None => Err(AadError::malformed_jwt()),
            },
        )
    };
    named("x5t#S256", true, 32)
        .or_else(|| named("x5t", false, 20))
        .unwrap_or_else(|| {
            Err(AadError::invalid_client(
                50027,
                "Invalid JWT token. No certificate thumbprint specified in token header.",
            ))
        })
}

/// The registered certificate (DER) whose thumbprint the header names.
fn find_certificate(app: &AppSeed, thumbprint: &Thumbprint) -> Option<Vec<u8>> {
    let algorithm = if thumbprint.sha256 {
        &digest::SHA256
    } else {
        &digest::SHA1_FOR_LEGACY_USE_ONLY
    };
    app.certificates
        .iter()
        .filter_map(|b64| {
            STANDARD
                .decode(b64.split_whitespace().collect::<String>())
                .ok()
        })
        .find(|der| digest::digest(algorithm, der).as_ref() == thumbprint.bytes.as_slice())
}

fn check_signature(
    certificate: &[u8],
    algorithm: &dyn SignatureVerificationAlgorithm,
    jwt: &Jwt,
    thumbprint: &Thumbprint,
) -> Result<(), AadError> {
    let der = CertificateDer::from(certificate);
    let verified = webpki::EndEntityCert::try_from(&der)
        .map(|cert| {
            cert.verify_signature(algorithm, jwt.signing_input.as_bytes(), &jwt.signature)
                .is_ok()
        })
        .unwrap_or(false);
    if verified {
        return Ok(());
    }
    Err(AadError::invalid_client(
        700027,
        format!(
            "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{}']",
            hex(&thumbprint.bytes)
        ),
    ))
}

fn key_not_found(thumbprint: &Thumbprint, app_id: &str) -> AadError {
    AadError::invalid_client(
        700027,
        format!(
            "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{app_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{app_id}']",
            hex(&thumbprint.bytes)
        ),
    )
}

fn check_claims(claims: &Map<String, Value>, expected: &Expected<'_>) -> Result<(), AadError> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let issuer = text("iss").ok_or_else(AadError::malformed_jwt)?;
    if !issuer.eq_ignore_ascii_case(expected.client_id) {
        return Err(AadError::invalid_client(
            700021,
            format!(
                "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at {CERTIFICATE_DOCS} ."
            ),
        ));
    }
    if text("sub") != Some(issuer) {
        return Err(AadError::invalid_client(
            50048,
            "Subject must match the issuer claim in the client assertion.",
        ));
    }
    // An array `aud` is refused as malformed, as the service does.
    let audience = text("aud").ok_or_else(AadError::malformed_jwt)?;
    if !expected
        .audiences
        .iter()
        .any(|a| a.eq_ignore_ascii_case(audience))
    {
        return Err(AadError::invalid_client(
            700023,
            format!(
                "Client assertion audience claim does not match Realm issuer. Review the documentation at {CERTIFICATE_DOCS} ."
            ),
        ));
    }
    check_lifetime(claims, expected.now)?;
    text("jti").ok_or_else(AadError::malformed_jwt)?;
    Ok(())
}

pub(crate) fn check_lifetime(claims: &Map<String, Value>, now: DateTime<Utc>) -> Result<(), AadError> {
    let seconds = |name: &str| claims.get(name).and_then(Value::as_f64).map(|s| s as i64);
    let expires = seconds("exp").ok_or_else(AadError::malformed_jwt)?;
    let not_before = seconds("nbf").unwrap_or(0);
    let now_seconds = now.timestamp();
    if expires + CLOCK_SKEW_SECONDS >= now_seconds && not_before - CLOCK_SKEW_SECONDS <= now_seconds
    {
        return Ok(());
    }
    let at = |s: i64| seven_digits(DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default());
    Err(AadError::invalid_client(
        700024,
        format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at {CERTIFICATE_DOCS} .",
            seven_digits(now),
            at(not_before),
            at(expires)
        ),
    ))
}

/// The service's timestamps: seven fractional digits (chrono has no `%.7f`).
fn seven_digits(at: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        at.format("%Y-%m-%dT%H:%M:%S"),
        at.timestamp_subsec_nanos() / 100
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
