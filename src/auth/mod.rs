//! Tokens: acquired with the OAuth2 client-credentials flow on the shared transport, cached per
//! scope, refreshed before they expire.

mod secret;

pub use secret::Secret;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::cloud::Cloud;
use crate::error::{ExoError, Result};
use crate::http::{Method, Request, Transport};

/// Refresh a cached token when less than this is left of its life (or a quarter of its
/// lifetime, for short-lived tokens: a margin longer than the lifetime would refresh every call).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How the app proves who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    ClientSecret(Secret),
}

impl Credential {
    /// The name `Get-ExoKitContext` shows as AuthType.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "ClientSecret",
        }
    }
}

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

    /// A token for `scope`, from the cache while it has more than five minutes left.
    pub async fn token(&self, scope: &str) -> Result<Token> {
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
        self.cache.lock().await.get(scope).map(|t| t.expires_on)
    }

    /// Forgets the cached token for `scope` (after a 401 that says it is no longer valid).
    pub async fn invalidate(&self, scope: &str) {
        self.cache.lock().await.remove(scope);
    }

    async fn acquire(&self, scope: &str) -> Result<Token> {
        let Credential::ClientSecret(secret) = &self.credential;
        let url = self.cloud.token_url(&self.tenant);
        let request = Request::new(Method::Post, url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &self.client_id),
            ("scope", scope),
            ("client_secret", secret.expose()),
        ]);
        crate::ops::verbose(format!("Requesting a token for {scope} from {}", request.display_url()));
        let response = self.transport.send(&request).await?;
        if !response.is_success() {
            return Err(self.refusal(&request, response.status, &response.body));
        }
        let answer: TokenAnswer = serde_json::from_slice(&response.body).map_err(|e| ExoError::Protocol {
            url: request.display_url(),
            message: format!("the token response is not the expected JSON ({e})"),
        })?;
        let lifetime = Duration::from_secs(answer.expires_in.max(0).unsigned_abs());
        Ok(Token {
            value: Secret::new(answer.access_token),
            expires_on: Utc::now() + chrono::Duration::seconds(answer.expires_in.max(0)),
            lifetime,
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

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default = "default_lifetime")]
    expires_in: i64,
}

fn default_lifetime() -> i64 {
    3599
}

#[derive(Deserialize)]
struct TokenRefusal {
    error: String,
    error_description: Option<String>,
}
