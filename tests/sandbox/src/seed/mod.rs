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
