//! The seed: a JSON description of one or more tenants. The same files drive tests, benchmarks
//! and the demo.

mod directory;
mod mailbox;

pub use directory::{AdministrativeUnitSeed, ExchangeSeed, GroupSeed};
pub use mailbox::{ContactSeed, FolderSeed, MailboxKind, UserSeed};

use serde::Deserialize;

use crate::roles::RoleDefinition;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub tenants: Vec<TenantSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantSeed {
    /// The tenant id (a GUID).
    pub id: String,
    /// The initial domain, e.g. `contoso.onmicrosoft.com`; the token endpoint accepts either.
    pub domain: String,
    #[serde(default)]
    pub apps: Vec<AppSeed>,
    /// Users, with their licences and mailboxes (folders and contacts).
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub groups: Vec<GroupSeed>,
    #[serde(default)]
    pub administrative_units: Vec<AdministrativeUnitSeed>,
    /// Exchange-side configuration: access policies, calendar settings, sharing policies…
    #[serde(default)]
    pub exchange: ExchangeSeed,
    /// Exchange role definitions; when absent, the built-in application roles and a few
    /// management roles (see [`crate::roles`]).
    pub exchange_role_definitions: Option<Vec<RoleDefinition>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSeed {
    pub app_id: String,
    pub display_name: String,
    /// Client secrets that the token endpoint accepts.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Application permissions granted to the app (they become the token's `roles`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Certificates (base64 DER, as in an app registration's keyCredentials) whose private key
    /// may sign a client assertion.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// Federated identity credentials: a token from `issuer` for `subject` and one of
    /// `audiences`, signed by that issuer's key, logs in as this app (workload identity federation).
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredentialSeed>,
    /// Set when this app is the service principal of a managed identity: the identity endpoints
    /// (IMDS, App Service) issue tokens for it.
    #[serde(default)]
    pub managed_identity: Option<ManagedIdentityKind>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FederatedCredentialSeed {
    /// e.g. `https://gitlab.example.com`; must be an issuer the sandbox plays (any URL: it signs
    /// for whatever issuer a test asks it to).
    pub issuer: String,
    /// e.g. `project_path:group/project:ref_type:branch:ref:main`.
    pub subject: String,
    #[serde(default = "default_federated_audiences")]
    pub audiences: Vec<String>,
}

fn default_federated_audiences() -> Vec<String> {
    vec!["api://AzureADTokenExchange".to_string()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagedIdentityKind {
    /// The machine's own identity: IMDS answers for it when no client id is asked for.
    System,
    /// Attached identities, asked for by client id.
    User,
}

impl Seed {
    /// Reads a seed file, naming the file and the JSON position in any error.
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Seed> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot read seed {}: {e}", path.display())))?;
        Seed::from_json(&text).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("seed {}: {e}", path.display()))
        })
    }

    pub fn from_json(text: &str) -> Result<Seed, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The demo seed committed with the sandbox (`seeds/demo.json`).
    pub fn demo() -> Seed {
        Seed::from_json(include_str!("../../seeds/demo.json")).expect("the committed demo seed is valid")
    }
}
