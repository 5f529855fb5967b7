//! The client assertion (RFC 7523 `jwt-bearer`) a certificate credential sends instead of a
//! secret: RS256, naming the certificate by `x5t` and `x5t#S256`, valid for ten minutes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::Secret;
use crate::auth::certificate::ClientCertificate;
use crate::error::Result;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: long enough for clock skew, short enough to be useless
/// if it ever leaked.
const LIFETIME_SECONDS: i64 = 600;

/// A signed assertion for `client_id` at `token_url`.
pub fn sign(certificate: &ClientCertificate, client_id: &str, token_url: &str, now: DateTime<Utc>) -> Result<Secret> {
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": certificate.x5t(), "x5t#S256": certificate.x5t_s256()});
    let now = now.timestamp();
    let claims = json!({
        "aud": token_url, "iss": client_id, "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(), "nbf": now, "iat": now, "exp": now + LIFETIME_SECONDS,
    });
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = certificate.sign_rs256(input.as_bytes())?;
    Ok(Secret::new(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))))
}

/// The claims of a JWT, read without checking its signature: ExoKit only reads its own tokens'
/// `exp` and `aud` to tell an admin what is wrong, never to trust them.
pub fn unverified_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}
