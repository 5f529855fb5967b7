//! App registrations (`application`), their service principals, and client secrets, as Graph
//! shows them. Objects created through the API stay invisible for the replication lag in force
//! when they were created, as Entra's eventual consistency makes them (graph-api.md §2).

use std::time::Instant;

use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// Graph's timestamp format for directory objects (whole seconds, `Z`).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Clone)]
pub struct Application {
    /// The object id (what `/applications/{id}` takes).
    pub id: String,
    /// The client id.
    pub app_id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub sign_in_audience: String,
    pub created: DateTime<Utc>,
    pub visible_at: Instant,
    pub passwords: Vec<PasswordCredential>,
    /// Certificates registered with `keyCredentials`; their private keys may sign assertions.
    pub certificates: Vec<KeyCredential>,
}

/// A certificate credential: the public certificate (DER, base64) as the app registration holds it.
#[derive(Debug, Clone)]
pub struct KeyCredential {
    pub key_id: String,
    pub display_name: Option<String>,
    pub der_base64: String,
    /// SHA-1 of the DER: what Graph shows as `customKeyIdentifier` (base64).
    pub thumbprint: Vec<u8>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl KeyCredential {
    pub fn to_json(&self) -> Value {
        use base64::Engine;
        json!({
            "customKeyIdentifier": base64::engine::general_purpose::STANDARD.encode(&self.thumbprint),
            "displayName": self.display_name,
            "endDateTime": timestamp(self.end),
            "key": null,
            "keyId": self.key_id,
            "startDateTime": timestamp(self.start),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
        })
    }
}

/// A client secret. The text is kept so that a token endpoint could check it, but it is only
/// ever shown once, in the `addPassword` answer, and never in `Debug` output.
#[derive(Clone)]
pub struct PasswordCredential {
    pub key_id: String,
    pub display_name: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub secret_text: String,
}

#[derive(Debug, Clone)]
pub struct ServicePrincipal {
    /// The object id: what Exchange RBAC calls the service principal's ObjectId and what
    /// `/ServicePrincipals/{id}` in a role assignment names.
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub created: DateTime<Utc>,
    pub visible_at: Instant,
}

impl Application {
    pub fn new(display_name: String, visible_at: Instant) -> Application {
        Application {
            id: Uuid::new_v4().to_string(),
            app_id: Uuid::new_v4().to_string(),
            display_name,
            description: None,
            sign_in_audience: "AzureADMyOrg".into(),
            created: Utc::now(),
            visible_at,
            passwords: Vec::new(),
            certificates: Vec::new(),
        }
    }

    /// The registration behind a seeded app, with ids derived from its client id so that
    /// seeds and tests can name them (see [`derived_id`]).
    pub fn seeded(app_id: &str, display_name: &str, secrets: &[String]) -> Application {
        let created = Utc::now();
        let passwords = secrets
            .iter()
            .enumerate()
            .map(|(i, secret)| PasswordCredential {
                key_id: derived_id(app_id, 0x5ec0 + i as u128),
                display_name: Some(format!("seed secret {}", i + 1)),
                start: created,
                end: created + Days::days(730),
                secret_text: secret.clone(),
            })
            .collect();
        Application {
            id: derived_id(app_id, APPLICATION_SALT),
            app_id: app_id.to_string(),
            display_name: display_name.to_string(),
            description: None,
            sign_in_audience: "AzureADMyOrg".into(),
            created,
            visible_at: Instant::now(),
            passwords,
            certificates: Vec::new(),
        }
    }

    pub fn visible(&self, now: Instant) -> bool {
        now >= self.visible_at
    }

    pub fn to_json(&self, domain: &str) -> Value {
        let passwords: Vec<Value> = self.passwords.iter().map(|p| p.to_json(false)).collect();
        json!({
            "id": self.id,
            "deletedDateTime": null,
            "appId": self.app_id,
            "createdDateTime": timestamp(self.created),
            "description": self.description,
            "displayName": self.display_name,
            "publisherDomain": domain,
            "signInAudience": self.sign_in_audience,
            "identifierUris": [],
            "tags": [],
            "keyCredentials": self.certificates.iter().map(KeyCredential::to_json).collect::<Vec<_>>(),
            "passwordCredentials": passwords,
            "requiredResourceAccess": [],
        })
    }
}

impl PasswordCredential {
    /// A new secret: 40 characters like Entra's, valid from now until `end` (two years when
    /// not given, as `addPassword` documents).
    pub fn generate(
        display_name: Option<String>,
        end: Option<DateTime<Utc>>,
    ) -> PasswordCredential {
        let start = Utc::now();
        PasswordCredential {
            key_id: Uuid::new_v4().to_string(),
            display_name,
            start,
            end: end.unwrap_or(start + Days::days(730)),
            secret_text: secret_text(),
        }
    }

    /// `secretText` appears only in the `addPassword` answer; `hint` is its first 3 characters.
    pub fn to_json(&self, with_secret: bool) -> Value {
        json!({
            "customKeyIdentifier": null,
            "displayName": self.display_name,
            "endDateTime": timestamp(self.end),
            "hint": self.secret_text.chars().take(3).collect::<String>(),
            "keyId": self.key_id,
            "secretText": if with_secret { Value::String(self.secret_text.clone()) } else { Value::Null },
            "startDateTime": timestamp(self.start),
        })
    }
}

impl std::fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("key_id", &self.key_id)
            .field("display_name", &self.display_name)
            .field("end", &self.end)
            .field("secret_text", &"<redacted>")
            .finish()
    }
}

impl ServicePrincipal {
    pub fn new(app: &Application, visible_at: Instant) -> ServicePrincipal {
        ServicePrincipal {
            id: Uuid::new_v4().to_string(),
            app_id: app.app_id.clone(),
            display_name: app.display_name.clone(),
            created: Utc::now(),
            visible_at,
        }
    }

    pub fn seeded(app_id: &str, display_name: &str) -> ServicePrincipal {
        ServicePrincipal {
            id: derived_id(app_id, SERVICE_PRINCIPAL_SALT),
            app_id: app_id.to_string(),
            display_name: display_name.to_string(),
            created: Utc::now(),
            visible_at: Instant::now(),
        }
    }

    pub fn visible(&self, now: Instant) -> bool {
        now >= self.visible_at
    }

    pub fn to_json(&self, tenant_id: &str) -> Value {
        json!({
            "id": self.id,
            "deletedDateTime": null,
            "accountEnabled": true,
            "appId": self.app_id,
            "appDisplayName": self.display_name,
            "appOwnerOrganizationId": tenant_id,
            "createdDateTime": timestamp(self.created),
            "displayName": self.display_name,
            "servicePrincipalNames": [self.app_id],
            "servicePrincipalType": "Application",
            "signInAudience": "AzureADMyOrg",
            "tags": [],
            "appRoles": [],
            "keyCredentials": [],
            "passwordCredentials": [],
        })
    }
}

const APPLICATION_SALT: u128 = 0xa9;
const SERVICE_PRINCIPAL_SALT: u128 = 0x5b;

/// A stable object id for something belonging to a seeded app: the client id with its last
/// byte mixed with `salt`. Seeded apps' registrations and service principals get their ids
/// this way (the app's service principal is `derived_id(appId, 0x5b)`); use
/// [`seeded_service_principal_id`] rather than recomputing it.
fn derived_id(app_id: &str, salt: u128) -> String {
    let base = Uuid::parse_str(app_id)
        .map(|u| u.as_u128())
        .unwrap_or_else(|_| {
            // Seeds may use non-GUID client ids; hash them into a stable number instead.
            app_id.bytes().fold(0xcbf29ce484222325u128, |h, b| {
                (h ^ b as u128).wrapping_mul(0x100000001b3)
            })
        });
    Uuid::from_u128(base ^ (salt << 4) ^ (salt << 100)).to_string()
}

/// The object id of a seeded app's service principal.
pub fn seeded_service_principal_id(app_id: &str) -> String {
    derived_id(app_id, SERVICE_PRINCIPAL_SALT)
}

/// 40 characters from Entra's secret alphabet, drawn from two random UUIDs.
fn secret_text() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
    let bytes: Vec<u8> = (0..3).flat_map(|_| *Uuid::new_v4().as_bytes()).collect();
    bytes
        .iter()
        .take(40)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_are_stable_and_distinct() {
        let app = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
        assert_eq!(
            seeded_service_principal_id(app),
            seeded_service_principal_id(app)
        );
        assert_ne!(
            seeded_service_principal_id(app),
            Application::seeded(app, "x", &[]).id
        );
        assert_ne!(seeded_service_principal_id(app), app);
    }

    #[test]
    fn secrets_are_shown_once_with_a_hint() {
        let secret = PasswordCredential::generate(None, None);
        assert_eq!(secret.secret_text.len(), 40);
        assert!(secret.to_json(false)["secretText"].is_null());
        assert_eq!(
            secret.to_json(true)["secretText"],
            secret.secret_text.as_str()
        );
        assert_eq!(secret.to_json(false)["hint"].as_str().unwrap().len(), 3);
        assert!(!format!("{secret:?}").contains(&secret.secret_text));
    }
}
