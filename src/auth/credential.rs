//! How the app (or identity) proves who it is, and an access token an admin already holds.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::auth::assertion::unverified_claims;
use crate::auth::{ClientCertificate, FederatedToken, ManagedIdentity, Secret, Token};
use crate::error::{ExoError, Result};

#[derive(Debug, Clone)]
pub enum Credential {
    ClientSecret(Secret),
    /// A certificate whose key signs a client assertion (PFX or PEM, loaded and checked).
    Certificate(Arc<ClientCertificate>),
    ManagedIdentity(ManagedIdentity),
    /// Workload identity federation: another issuer's token as the client assertion.
    Federated(FederatedToken),
    /// `-AccessToken`: used as it is, never refreshed.
    AccessToken(GivenToken),
}

impl Credential {
    /// The name `Get-ExoKitContext` shows as AuthType.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "ClientSecret",
            Credential::Certificate(_) => "Certificate",
            Credential::ManagedIdentity(_) => "ManagedIdentity",
            Credential::Federated(_) => "FederatedToken",
            Credential::AccessToken(_) => "AccessToken",
        }
    }

    /// Whether a client id must be given (a system-assigned identity and a held token have
    /// their own).
    pub fn needs_client_id(&self) -> bool {
        !matches!(self, Credential::ManagedIdentity(_) | Credential::AccessToken(_))
    }
}

/// An access token given by the admin. When it is a JWT (Entra's are), its audience and expiry
/// are read so a wrong or expired token gets a clear error instead of a 401 from Graph.
#[derive(Debug, Clone)]
pub struct GivenToken {
    value: Secret,
    /// `aud`, e.g. `https://graph.microsoft.com`.
    pub audience: Option<String>,
    pub expires_on: Option<DateTime<Utc>>,
    /// `appid` or `azp`: the app the token was issued to.
    pub client_id: Option<String>,
}

impl GivenToken {
    pub fn new(value: Secret) -> GivenToken {
        let claims = unverified_claims(value.expose());
        let text = |name: &str| claims.as_ref().and_then(|c| c.get(name)?.as_str().map(str::to_string));
        let expires_on = claims
            .as_ref()
            .and_then(|c| c.get("exp")?.as_i64())
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
        GivenToken { audience: text("aud"), expires_on, client_id: text("appid").or_else(|| text("azp")), value }
    }

    /// The token, if it is for `scope`'s resource and has not expired.
    pub fn for_scope(&self, scope: &str, tenant: &str, now: DateTime<Utc>) -> Result<Token> {
        let resource = scope.strip_suffix("/.default").unwrap_or(scope).trim_end_matches('/');
        if let Some(audience) = &self.audience
            && !audience.trim_end_matches('/').eq_ignore_ascii_case(resource)
        {
            return Err(ExoError::Authentication {
                tenant: tenant.to_string(),
                reason: format!(
                    "the -AccessToken is for '{audience}', but this call needs a token for '{resource}' (e.g. Get-AzAccessToken -ResourceUrl {resource}); connect with a credential to reach both Graph and Exchange"
                ),
            });
        }
        if let Some(expires_on) = self.expires_on.filter(|at| *at <= now) {
            return Err(ExoError::Authentication {
                tenant: tenant.to_string(),
                reason: format!("the -AccessToken expired at {}; get a new one and run Connect-ExoKit again", expires_on.format("%Y-%m-%d %H:%M:%S UTC")),
            });
        }
        let expires_on = self.expires_on.unwrap_or(now + chrono::Duration::hours(1));
        Ok(Token { value: self.value.clone(), expires_on, lifetime: (expires_on - now).to_std().unwrap_or_default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(claims: serde_json::Value) -> Secret {
        Secret::new(format!("eyJhbGciOiJub25lIn0.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string())))
    }

    #[test]
    fn a_token_for_another_resource_names_both() {
        let given = GivenToken::new(jwt(serde_json::json!({"aud": "https://graph.microsoft.com", "exp": 4102444800i64, "appid": "app-1"})));
        assert_eq!(given.client_id.as_deref(), Some("app-1"));
        let now = Utc::now();
        assert!(given.for_scope("https://graph.microsoft.com/.default", "t", now).is_ok());
        let err = given.for_scope("https://outlook.office365.com/.default", "t", now).unwrap_err().to_string();
        assert!(err.contains("https://graph.microsoft.com") && err.contains("https://outlook.office365.com"), "{err}");
        assert!(!err.contains("sig"), "{err}");
    }

    #[test]
    fn an_expired_token_says_so() {
        let given = GivenToken::new(jwt(serde_json::json!({"aud": "https://graph.microsoft.com", "exp": 1_000_000_000i64})));
        let err = given.for_scope("https://graph.microsoft.com/.default", "t", Utc::now()).unwrap_err().to_string();
        assert!(err.contains("expired at 2001-09-09"), "{err}");
    }

    #[test]
    fn opaque_tokens_are_used_as_given() {
        let given = GivenToken::new(Secret::new("opaque-token".into()));
        let token = given.for_scope("https://outlook.office365.com/.default", "t", Utc::now()).unwrap();
        assert_eq!(token.value.expose(), "opaque-token");
        assert!(given.expires_on.is_none());
    }
}
