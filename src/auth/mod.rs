//! Tokens: acquired on the shared transport with the OAuth2 client-credentials flow (a client
//! secret, a certificate-signed assertion or a federated token as the assertion) or from a
//! managed identity endpoint, cached per scope (Graph and Exchange apart), refreshed before they
//! expire. An access token an admin already holds is used as it is.
//!
//! Why not `azure_identity`: see the README's design notes (its certificate credential needs
//! OpenSSL, it refuses http:// authority hosts such as the sandbox, and it would bring a second
//! HTTP stack and retry policy next to `src/http`).

mod assertion;
pub mod certificate;
mod credential;
pub mod federated;
pub mod managed_identity;
mod secret;
mod spec;

pub use certificate::ClientCertificate;
pub use credential::{Credential, GivenToken};
pub use federated::FederatedToken;
pub use managed_identity::ManagedIdentity;
pub use secret::Secret;
pub use spec::CredentialSpec;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::cloud::Cloud;
use crate::error::{ExoError, Result};
use crate::http::{Method, Request, Response, Transport};

/// Refresh a cached token when less than this is left of its life (or a quarter of its
/// lifetime, for short-lived tokens: a margin longer than the lifetime would refresh every call).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// An access token and when it stops working.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    pub expires_on: DateTime<Utc>,
    /// How long it was issued for.
    pub lifetime: Duration,
}

impl Token {
    fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        let margin = REFRESH_MARGIN.min(self.lifetime / 4);
        self.expires_on - now > chrono::Duration::from_std(margin).expect("small duration")
    }
}

/// The app identity of one connection, handing out tokens per scope.
pub struct TokenProvider {
    cloud: Cloud,
    tenant: String,
    client_id: String,
    credential: Credential,
    transport: Transport,
    cache: Mutex<HashMap<String, Token>>,
}

impl TokenProvider {
    pub fn new(cloud: Cloud, tenant: String, client_id: String, credential: Credential, transport: Transport) -> Self {
        TokenProvider { cloud, tenant, client_id, credential, transport, cache: Mutex::new(HashMap::new()) }
    }

    pub fn credential_kind(&self) -> &'static str {
        self.credential.kind()
    }

    /// A token for `scope`, from the cache while it is fresh (see [`REFRESH_MARGIN`]).
    pub async fn token(&self, scope: &str) -> Result<Token> {
        if let Credential::AccessToken(given) = &self.credential {
            // Nothing to cache or refresh: the admin's token is used until it expires.
            return given.for_scope(scope, &self.tenant, Utc::now());
        }
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.get(scope).filter(|t| t.fresh_at(Utc::now())) {
            return Ok(token.clone());
        }
        let token = self.acquire(scope).await?;
        cache.insert(scope.to_string(), token.clone());
        Ok(token)
    }

    /// When the cached token for `scope` expires, if there is one.
    pub async fn cached_expiry(&self, scope: &str) -> Option<DateTime<Utc>> {
        if let Credential::AccessToken(given) = &self.credential {
            return given.expires_on;
        }
        self.cache.lock().await.get(scope).map(|t| t.expires_on)
    }

    /// Forgets the cached token for `scope` (after a 401 that says it is no longer valid).
    pub async fn invalidate(&self, scope: &str) {
        self.cache.lock().await.remove(scope);
    }

    /// Sends `request` on `transport` with a bearer token for `scope`. A 401 (a token revoked or
    /// expired early) gets one fresh token and one more try, never a loop; any other answer is
    /// returned as it is for the caller to read. The one place a bearer header is attached.
    pub async fn send_authorised(&self, transport: &Transport, scope: &str, request: &Request) -> Result<Response> {
        let first = self.send_with_token(transport, scope, request).await?;
        if first.status != 401 {
            return Ok(first);
        }
        self.invalidate(scope).await;
        self.send_with_token(transport, scope, request).await
    }

    async fn send_with_token(&self, transport: &Transport, scope: &str, request: &Request) -> Result<Response> {
        let token = self.token(scope).await?;
        transport.send(&request.clone().header("authorization", format!("Bearer {}", token.value.expose()))).await
    }

    async fn acquire(&self, scope: &str) -> Result<Token> {
        match &self.credential {
            Credential::ClientSecret(secret) => self.client_credentials(scope, &[("client_secret", secret.expose())]).await,
            Credential::Certificate(certificate) => {
                let url = self.cloud.token_url(&self.tenant);
                let signed = assertion::sign(certificate, &self.client_id, url.as_str(), Utc::now())?;
                self.client_credentials(scope, &[("client_assertion_type", assertion::JWT_BEARER), ("client_assertion", signed.expose())]).await
            }
            Credential::Federated(source) => {
                let token = source.read()?;
                self.client_credentials(scope, &[("client_assertion_type", assertion::JWT_BEARER), ("client_assertion", token.expose())]).await
            }
            Credential::ManagedIdentity(identity) => self.managed_identity_token(identity, scope).await,
            Credential::AccessToken(given) => given.for_scope(scope, &self.tenant, Utc::now()),
        }
    }

    /// The client-credentials grant at the tenant's token endpoint; `proof` is the secret or
    /// the assertion.
    async fn client_credentials(&self, scope: &str, proof: &[(&str, &str)]) -> Result<Token> {
        let url = self.cloud.token_url(&self.tenant);
        let mut form = vec![("grant_type", "client_credentials"), ("client_id", self.client_id.as_str()), ("scope", scope)];
        form.extend_from_slice(proof);
        let request = Request::new(Method::Post, url).form(&form);
        crate::ops::verbose(format!("Requesting a token for {scope} from {} ({})", request.display_url(), self.credential.kind()));
        let response = self.transport.send(&request).await?;
        self.token_from(&request, &response)
    }

    async fn managed_identity_token(&self, identity: &ManagedIdentity, scope: &str) -> Result<Token> {
        let request = identity.request(scope);
        crate::ops::verbose(format!("Requesting a token for {scope} from the {}", identity.describe()));
        let response = self.transport.send(&request).await.map_err(|e| match e {
            ExoError::Unreachable { cause, .. } => ExoError::Authentication {
                tenant: self.tenant.clone(),
                reason: format!("no managed identity endpoint answered for the {} ({cause}); -ManagedIdentity works on Azure hosts with an identity assigned", identity.describe()),
            },
            other => other,
        })?;
        self.token_from(&request, &response)
    }

    fn token_from(&self, request: &Request, response: &Response) -> Result<Token> {
        if !response.is_success() {
            return Err(self.refusal(request, response.status, &response.body));
        }
        let answer: TokenAnswer = serde_json::from_slice(&response.body).map_err(|e| ExoError::Protocol {
            url: request.display_url(),
            message: format!("the token response is not the expected JSON ({e})"),
        })?;
        let seconds = answer.lifetime_seconds(Utc::now().timestamp());
        Ok(Token {
            value: Secret::new(answer.access_token),
            expires_on: Utc::now() + chrono::Duration::seconds(seconds),
            lifetime: Duration::from_secs(seconds.unsigned_abs()),
        })
    }

    /// Turns a refused token request into an error naming the tenant and the AADSTS reason.
    fn refusal(&self, request: &Request, status: u16, body: &[u8]) -> ExoError {
        match serde_json::from_slice::<TokenRefusal>(body) {
            Ok(refusal) => {
                // Entra appends "Trace ID: … Correlation ID: … Timestamp: …" lines; the first
                // line is the reason.
                let description = refusal.error_description.unwrap_or_default();
                let first_line = description.lines().next().unwrap_or("").trim();
                let reason = if first_line.is_empty() { refusal.error } else { format!("{} ({})", first_line, refusal.error) };
                ExoError::Authentication { tenant: self.tenant.clone(), reason }
            }
            Err(_) => ExoError::Protocol {
                url: request.display_url(),
                message: format!("the token endpoint answered {status} without an OAuth2 error body"),
            },
        }
    }
}

/// The token endpoint's answer, and the managed identity endpoints' (which send `expires_in`
/// and `expires_on` as strings, and sometimes only `expires_on`).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
}

impl TokenAnswer {
    fn lifetime_seconds(&self, now: i64) -> i64 {
        let number = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        number(&self.expires_in)
            .or_else(|| number(&self.expires_on).map(|at| at - now))
            .unwrap_or(DEFAULT_LIFETIME_SECONDS)
            .max(0)
    }
}

const DEFAULT_LIFETIME_SECONDS: i64 = 3599;

#[derive(Deserialize)]
struct TokenRefusal {
    error: String,
    error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_on: DateTime<Utc>, lifetime: Duration) -> Token {
        Token { value: Secret::new("t".into()), expires_on, lifetime }
    }

    #[test]
    fn a_token_is_refreshed_inside_its_margin_not_before() {
        let now = Utc::now();
        let hour = token(now + chrono::Duration::seconds(3600), Duration::from_secs(3600));
        assert!(hour.fresh_at(now), "an hour left");
        // 300 s margin: 301 s before expiry it is fresh, 299 s before it is not.
        assert!(hour.fresh_at(hour.expires_on - chrono::Duration::seconds(301)));
        assert!(!hour.fresh_at(hour.expires_on - chrono::Duration::seconds(299)), "inside the margin");
        // A short-lived token's margin is a quarter of its life (10 s of 40 s), not 300 s.
        let short = token(now + chrono::Duration::seconds(40), Duration::from_secs(40));
        assert!(short.fresh_at(now + chrono::Duration::seconds(29)));
        assert!(!short.fresh_at(now + chrono::Duration::seconds(31)), "inside a quarter of its life");
    }
}
