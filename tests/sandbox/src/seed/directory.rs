//! Directory objects beyond users, and Exchange-side configuration.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSeed {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    /// `true` for a mail-enabled security group (usable as an access-policy or scope target).
    #[serde(default)]
    pub mail_enabled: bool,
    #[serde(default)]
    pub security_enabled: bool,
    /// Member object ids or user principal names.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdministrativeUnitSeed {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// Exchange-side state as `Get-*` cmdlets would list it; each list holds the cmdlet's output
/// objects (property names as Exchange gives them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangeSeed {
    #[serde(default)]
    pub application_access_policies: Vec<Value>,
    #[serde(default)]
    pub sharing_policies: Vec<Value>,
    #[serde(default)]
    pub calendar_folders: Vec<Value>,
    #[serde(default)]
    pub calendar_processing: Vec<Value>,
}
