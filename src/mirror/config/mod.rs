//! The mirror's configuration: from the original script's environment variables (spec §1, kept
//! exactly: names, precedence, JSON shapes, DryRun strings, test-user lookup) or from cmdlet
//! parameters.
//!
//! Errors are `ExoError::InvalidArgument` whose parameter is the variable (or cmdlet parameter)
//! at fault. A JSON error adds the line and column; a missing tenant field names the field and the
//! tenant. No error and no `Debug` output contains a client secret.
//!
//! Differences from the original, all in what it did with bad input:
//! - every tenant is checked when the configuration is read, before anything is written (the
//!   original checked tenant N only after tenants 1..N-1 had run, spec §2);
//! - a partial single-tenant setup (some of the four variables, or some of the four v1 JSON fields)
//!   names what is missing instead of failing with "MicrosoftTenants is required";
//! - values of the wrong JSON type are errors (the original coerced or silently ignored them);
//! - a `TestUserList` whose entries are all blank counts as absent (the original then synced every
//!   licensed user).

pub mod endpoints;
mod json;

pub use endpoints::Endpoints;

use zeroize::Zeroizing;

use crate::auth::Secret;
use crate::error::{ExoError, Result};
use crate::mirror::HUB_FOLDER_NAME;
use json::{ConfigSeed, DryRunValue, RawConfig, RawTenant, TenantsSeed, TestUserMap, UserMapSeed};

/// The whole configuration as one JSON document (spec §1.1).
pub const CONFIG_JSON: &str = "AUTOMATION_SYNCCONTACTS_CONFIG_JSON";
/// The tenant list alone, used when `CONFIG_JSON` is blank.
pub const MICROSOFT_TENANTS_JSON: &str = "AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON";
/// Tenant key → test users; always read, and it overrides the map inside `CONFIG_JSON`.
pub const TEST_USER_LIST_BY_TENANT_JSON: &str =
    "AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON";
/// The four single-tenant variables, used when both JSON variables are blank.
pub const TENANT_ID: &str = "AUTOMATION_SYNCCONTACTS_TENANT_ID";
pub const CLIENT_ID: &str = "AUTOMATION_SYNCCONTACTS_CLIENT_ID";
pub const CLIENT_SECRET: &str = "AUTOMATION_SYNCCONTACTS_CLIENT_SECRET";
pub const GLOBAL_ADDRESS_BOOK_USER_ID: &str = "AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID";
/// The other credential kinds of the single-tenant variables (issue 9), each instead of
/// `CLIENT_SECRET`.
pub const CERTIFICATE_PATH: &str = "AUTOMATION_SYNCCONTACTS_CERTIFICATE_PATH";
pub const CERTIFICATE_PASSWORD: &str = "AUTOMATION_SYNCCONTACTS_CERTIFICATE_PASSWORD";
pub const FEDERATED_TOKEN_FILE: &str = "AUTOMATION_SYNCCONTACTS_FEDERATED_TOKEN_FILE";
/// The token itself, e.g. a GitLab `id_tokens` entry named so.
pub const FEDERATED_TOKEN: &str = "AUTOMATION_SYNCCONTACTS_FEDERATED_TOKEN";
pub const USE_MANAGED_IDENTITY: &str = "AUTOMATION_SYNCCONTACTS_USE_MANAGED_IDENTITY";
/// DryRun when `CONFIG_JSON` is blank (ignored otherwise, as in the original).
pub const DRY_RUN: &str = "AUTOMATION_SYNCCONTACTS_DRY_RUN";

/// A validated configuration: one or more tenants and the run mode.
#[derive(Debug)]
pub struct MirrorConfig {
    pub tenants: Vec<TenantConfig>,
    /// The configured tenants that cannot run, each error naming its tenant and field. The
    /// valid tenants still run (an MSP's typo in one tenant must not stop the others); the run
    /// reports these as failed. Never every tenant: then [`MirrorConfig::from_env`] fails.
    pub invalid: Vec<ExoError>,
    pub dry_run: bool,
    /// The original's green "Loaded …" lines, in the order it printed them (spec §1.1).
    pub notices: Vec<String>,
    /// Things an admin should know that do not stop the run (ignored variables, an unknown DryRun
    /// value that means a live run).
    pub warnings: Vec<String>,
}

/// One tenant to mirror.
#[derive(Debug)]
pub struct TenantConfig {
    /// A tenant GUID or domain, as configured (used in the token URL and in log lines).
    pub tenant_id: String,
    /// The app's credentials; `None` when the run uses the `Connect-ExoKit` session.
    pub credentials: Option<ClientCredentials>,
    /// `GlobalAddressBookUserId`: the shared mailbox, as a UPN, address or object id.
    pub shared_mailbox: String,
    /// The shared mailbox's folder to mirror through: [`HUB_FOLDER_NAME`] from the variables.
    pub hub_folder: String,
    pub users: UserSelection,
    /// The tenant's cloud; empty: the connection's, or the global cloud.
    pub endpoints: Endpoints,
}

/// A tenant's own identity: the app (empty client id for a system-assigned managed identity)
/// and how it proves itself. `Debug` shows `<redacted>` for secrets.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub credential: TenantCredential,
}

/// The credential kinds a tenant may give. Files are read when the tenant connects.
#[derive(Debug, Clone)]
pub enum TenantCredential {
    ClientSecret(Secret),
    /// A PFX (with its password) or PEM file; `field` names where the path came from.
    Certificate { path: std::path::PathBuf, password: Option<Secret>, field: String },
    FederatedTokenFile { path: std::path::PathBuf, field: String },
    FederatedToken(Secret),
    ManagedIdentity(crate::auth::ManagedIdentity),
}

/// Which users a tenant's run covers (spec §1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserSelection {
    /// Only these users (as configured: UPNs or ids).
    TestUsers(Vec<String>),
    /// Every licensed user (Graph's `assignedLicenses` filter).
    AllLicensed,
}

/// What `Invoke-ContactMirror` passes when it runs on the `Connect-ExoKit` session.
#[derive(Debug, Clone, Default)]
pub struct MirrorParameters {
    /// The session's tenant.
    pub tenant_id: String,
    /// `-SharedMailbox`: UPN, address or object id.
    pub shared_mailbox: String,
    /// `-FolderName`; blank means [`HUB_FOLDER_NAME`].
    pub folder_name: String,
    /// `-User`: the users to mirror; empty means every licensed user.
    pub users: Vec<String>,
    /// `-WhatIf` (or `-DryRun`).
    pub dry_run: bool,
}

impl MirrorConfig {
    /// Reads the original's variables through `lookup` (a map in tests, the process environment in
    /// the drop-in script), with the original's precedence (spec §1.2).
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<MirrorConfig> {
        let mut loaded = Loaded::default();
        let env_map = match non_blank(lookup, TEST_USER_LIST_BY_TENANT_JSON) {
            Some(text) => {
                let map = json::parse(
                    &text,
                    UserMapSeed {
                        name: "TestUserListByTenant",
                    },
                )
                .map_err(|e| json_error(TEST_USER_LIST_BY_TENANT_JSON, &e))?;
                loaded.notices.push(format!(
                    "Loaded tenant test user map from env var {TEST_USER_LIST_BY_TENANT_JSON}"
                ));
                map
            }
            None => None,
        };
        let (raw, from_json) = match non_blank(lookup, CONFIG_JSON) {
            Some(text) => (read_config_json(lookup, &text, &mut loaded)?, true),
            None => (read_env_vars(lookup, &mut loaded)?, false),
        };
        // Spec §1.2 step 3: the variable's map replaces the one inside the JSON.
        let test_users = env_map.or(raw.test_users);
        let source = if from_json {
            CONFIG_JSON
        } else {
            MICROSOFT_TENANTS_JSON
        };
        let raw_tenants = tenant_list(raw.tenants, raw.legacy, source)?;
        let dry_run = raw
            .dry_run
            .map(|value| loaded.dry_run(value, source_of_dry_run(from_json)));
        let (mut tenants, mut invalid) = (Vec::new(), Vec::new());
        for tenant in raw_tenants {
            match checked_tenant(tenant, test_users.as_ref(), source, lookup) {
                Ok(tenant) => tenants.push(tenant),
                Err(error) => invalid.push(error),
            }
        }
        if tenants.is_empty() {
            return Err(all_invalid(invalid, source));
        }
        Ok(MirrorConfig {
            tenants,
            invalid,
            dry_run: dry_run.unwrap_or(false),
            notices: loaded.notices,
            warnings: loaded.warnings,
        })
    }

    /// A single-tenant configuration from cmdlet parameters; credentials come from the session.
    pub fn from_parameters(parameters: MirrorParameters) -> Result<MirrorConfig> {
        let tenant_id = required(&parameters.tenant_id, "TenantId")?;
        let shared_mailbox = required(&parameters.shared_mailbox, "SharedMailbox")?;
        let mut users = Vec::with_capacity(parameters.users.len());
        for (i, user) in parameters.users.iter().enumerate() {
            let user = user.trim();
            if user.is_empty() {
                return Err(ExoError::invalid_argument(
                    "User",
                    format!("entry {} is empty", i + 1),
                ));
            }
            users.push(user.to_string());
        }
        let users = if users.is_empty() {
            UserSelection::AllLicensed
        } else {
            UserSelection::TestUsers(users)
        };
        let hub_folder = match parameters.folder_name.trim() {
            "" => HUB_FOLDER_NAME.to_string(),
            name => name.to_string(),
        };
        let tenant = TenantConfig {
            tenant_id,
            credentials: None,
            shared_mailbox,
            hub_folder,
            users,
            endpoints: Endpoints::default(),
        };
        Ok(MirrorConfig {
            tenants: vec![tenant],
            invalid: vec![],
            dry_run: parameters.dry_run,
            notices: vec![],
            warnings: vec![],
        })
    }
}

fn required(value: &str, parameter: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ExoError::invalid_argument(parameter, "is required"));
    }
    Ok(value.to_string())
}

/// The notices and warnings gathered while reading.
#[derive(Default)]
struct Loaded {
    notices: Vec<String>,
    warnings: Vec<String>,
}

impl Loaded {
    fn dry_run(&mut self, value: DryRunValue, source: &str) -> bool {
        if !value.recognised {
            self.warnings.push(format!(
                "DryRun value '{}' from {source} is not one of true, 1, yes, y, false, 0, no, n; \
                 it is treated as false (a live run), as the original script did.",
                value.shown
            ));
        }
        value.value
    }

    fn ignored(&mut self, lookup: &dyn Fn(&str) -> Option<String>, names: &[&str]) {
        for name in names
            .iter()
            .filter(|name| lookup(name).is_some_and(|v| !v.trim().is_empty()))
        {
            self.warnings
                .push(format!("{name} is ignored because {CONFIG_JSON} is set."));
        }
    }
}

fn source_of_dry_run(from_json: bool) -> &'static str {
    if from_json {
        "AUTOMATION_SYNCCONTACTS_CONFIG_JSON (DryRun)"
    } else {
        DRY_RUN
    }
}

/// A variable's value when it is set and not blank (`.Trim().Length -gt 0`), kept in memory that
/// is zeroed on drop: the JSON variables hold client secrets.
fn non_blank(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<Zeroizing<String>> {
    lookup(name)
        .map(Zeroizing::new)
        .filter(|v| !v.trim().is_empty())
}

/// Spec §1.2 step 1: `CONFIG_JSON` is the configuration; the other variables are not read.
fn read_config_json(
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
    loaded: &mut Loaded,
) -> Result<RawConfig> {
    let raw = json::parse(text, ConfigSeed).map_err(|e| json_error(CONFIG_JSON, &e))?;
    loaded
        .notices
        .push(format!("Loaded configuration from env var {CONFIG_JSON}"));
    loaded.ignored(
        lookup,
        &[
            MICROSOFT_TENANTS_JSON,
            TENANT_ID,
            CLIENT_ID,
            CLIENT_SECRET,
            GLOBAL_ADDRESS_BOOK_USER_ID,
            DRY_RUN,
            CERTIFICATE_PATH,
            CERTIFICATE_PASSWORD,
            FEDERATED_TOKEN_FILE,
            FEDERATED_TOKEN,
            USE_MANAGED_IDENTITY,
        ],
    );
    Ok(raw)
}

/// Spec §1.2 step 2: the tenant list from `MICROSOFT_TENANTS_JSON`, else the four single-tenant
/// variables; DryRun from `DRY_RUN`.
fn read_env_vars(
    lookup: &dyn Fn(&str) -> Option<String>,
    loaded: &mut Loaded,
) -> Result<RawConfig> {
    let tenants = match non_blank(lookup, MICROSOFT_TENANTS_JSON) {
        Some(text) => json::parse(
            &text,
            TenantsSeed {
                name: "MicrosoftTenants",
            },
        )
        .map_err(|e| json_error(MICROSOFT_TENANTS_JSON, &e))?,
        None => single_tenant_vars(lookup)?.map(|tenant| vec![tenant]),
    };
    loaded
        .notices
        .push("Loaded configuration from individual environment variables".to_string());
    let dry_run = lookup(DRY_RUN).map(|text| DryRunValue::from_text(&text));
    Ok(RawConfig {
        tenants,
        dry_run,
        ..RawConfig::default()
    })
}

/// The four single-tenant variables: all set gives a tenant, none gives `None`, some is an error
/// naming the missing ones.
fn single_tenant_vars(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<RawTenant>> {
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let secret = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(Secret::new);
    let tenant = RawTenant {
        label: "the single-tenant variables".into(),
        tenant_id: get(TENANT_ID),
        client_id: get(CLIENT_ID),
        client_secret: secret(CLIENT_SECRET),
        shared_mailbox: get(GLOBAL_ADDRESS_BOOK_USER_ID),
        certificate_path: get(CERTIFICATE_PATH),
        certificate_password: secret(CERTIFICATE_PASSWORD),
        federated_token_file: get(FEDERATED_TOKEN_FILE),
        federated_token: secret(FEDERATED_TOKEN),
        use_managed_identity: lookup(USE_MANAGED_IDENTITY).is_some_and(|v| json::DryRunValue::from_text(&v).value),
        ..RawTenant::default()
    };
    let missing = tenant.missing_fields();
    if missing.len() == 4 {
        return Ok(None);
    }
    if let Some(conflict) = tenant.credential_conflict() {
        return Err(ExoError::invalid_argument(CLIENT_SECRET, conflict));
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|field| variable_for(field)).collect();
        return Err(ExoError::invalid_argument(
            names.join(", "),
            format!(
                "is not set; {TENANT_ID}, {CLIENT_ID}, {CLIENT_SECRET} (or {CERTIFICATE_PATH}, {FEDERATED_TOKEN_FILE}, {FEDERATED_TOKEN} or {USE_MANAGED_IDENTITY}) and {GLOBAL_ADDRESS_BOOK_USER_ID} go together"
            ),
        ));
    }
    Ok(Some(tenant))
}

fn variable_for(field: &str) -> &'static str {
    match field {
        "TenantId" => TENANT_ID,
        "ClientId" => CLIENT_ID,
        "ClientSecret" => CLIENT_SECRET,
        _ => GLOBAL_ADDRESS_BOOK_USER_ID,
    }
}

/// Spec §1.2 step 4: `MicrosoftTenants` when it has entries, else the v1 top-level fields, else the
/// original's "MicrosoftTenants is required" error.
fn tenant_list(
    tenants: Option<Vec<RawTenant>>,
    legacy: json::LegacyFields,
    source: &str,
) -> Result<Vec<RawTenant>> {
    if let Some(tenants) = tenants.filter(|t| !t.is_empty()) {
        return Ok(tenants);
    }
    if legacy.is_empty() {
        return Err(ExoError::invalid_argument(
            source,
            format!(
                "MicrosoftTenants is required. Provide {CONFIG_JSON} with MicrosoftTenants or {MICROSOFT_TENANTS_JSON}."
            ),
        ));
    }
    // The v1 shape: only these four fields; TestUserList and the domains are not carried over.
    let tenant = RawTenant {
        label: "the top-level (v1) tenant".into(),
        tenant_id: legacy.tenant_id,
        client_id: legacy.client_id,
        client_secret: legacy.client_secret,
        shared_mailbox: legacy.shared_mailbox,
        ..RawTenant::default()
    };
    let missing = tenant.missing_fields();
    if !missing.is_empty() {
        let verb = if missing.len() == 1 { "is" } else { "are" };
        return Err(ExoError::invalid_argument(
            source,
            format!(
                "{}: {} {verb} required (MicrosoftTenants is empty or missing)",
                tenant.describe(),
                missing.join(", ")
            ),
        ));
    }
    Ok(vec![tenant])
}

/// One tenant of the JSON or the variables, fully checked (fields, credential, endpoints); an
/// error names the tenant and its variable.
fn checked_tenant(tenant: RawTenant, test_users: Option<&TestUserMap>, source: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<TenantConfig> {
    if let Some(message) = &tenant.invalid {
        return Err(ExoError::invalid_argument(source, message.clone()));
    }
    let endpoints = endpoints::resolve(in_variable(&tenant.endpoints, source), lookup)?;
    Ok(TenantConfig { endpoints, ..tenant_config(tenant, test_users, source, lookup)? })
}

/// No tenant can run: one error, or one naming every tenant's.
fn all_invalid(mut invalid: Vec<ExoError>, source: &str) -> ExoError {
    if invalid.len() == 1 {
        return invalid.remove(0);
    }
    let messages: Vec<String> = invalid
        .iter()
        .map(|e| match e {
            ExoError::InvalidArgument { parameter, message } if parameter == source => message.clone(),
            other => other.to_string(),
        })
        .collect();
    ExoError::invalid_argument(source, format!("no tenant can run: {}", messages.join("; ")))
}

/// A checked raw tenant becomes a `TenantConfig`; its users follow spec §1.4.
fn tenant_config(tenant: RawTenant, test_users: Option<&TestUserMap>, source: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<TenantConfig> {
    let users = test_users_for(&tenant, test_users);
    let credential = tenant_credential(&tenant, source, lookup)?;
    let field = |value: Option<String>| value.unwrap_or_default();
    Ok(TenantConfig {
        credentials: Some(ClientCredentials { client_id: field(tenant.client_id), credential }),
        tenant_id: field(tenant.tenant_id),
        shared_mailbox: field(tenant.shared_mailbox),
        hub_folder: HUB_FOLDER_NAME.to_string(),
        users,
        endpoints: Endpoints::default(),
    })
}

/// The one credential a checked tenant gives. A managed identity's endpoint is decided now,
/// from the same variables (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`, the IMDS host).
fn tenant_credential(tenant: &RawTenant, source: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<TenantCredential> {
    use crate::auth::managed_identity::{IDENTITY_ENDPOINT, IDENTITY_HEADER, IMDS_HOST};
    let single = tenant.label == "the single-tenant variables";
    let named = |json: &str, variable: &str| if single { variable.to_string() } else { format!("{source}: {}.{json}", tenant.label) };
    if let Some(path) = &tenant.certificate_path {
        return Ok(TenantCredential::Certificate {
            path: path.into(),
            password: tenant.certificate_password.clone(),
            field: named("CertificatePath", CERTIFICATE_PATH),
        });
    }
    if let Some(path) = &tenant.federated_token_file {
        return Ok(TenantCredential::FederatedTokenFile { path: path.into(), field: named("FederatedTokenFile", FEDERATED_TOKEN_FILE) });
    }
    if let Some(token) = &tenant.federated_token {
        return Ok(TenantCredential::FederatedToken(token.clone()));
    }
    if tenant.use_managed_identity {
        let variables: std::collections::BTreeMap<String, String> =
            [IDENTITY_ENDPOINT, IMDS_HOST].iter().filter_map(|name| lookup(name).map(|v| (name.to_string(), v))).collect();
        let header = lookup(IDENTITY_HEADER).filter(|v| !v.is_empty()).map(Secret::new);
        return Ok(TenantCredential::ManagedIdentity(crate::auth::ManagedIdentity::from_variables(tenant.client_id.clone(), &variables, header)?));
    }
    Ok(TenantCredential::ClientSecret(tenant.client_secret.clone().unwrap_or_else(|| Secret::new(String::new()))))
}

/// A tenant's endpoint fields, named with the variable whose JSON holds them.
fn in_variable(fields: &[Option<(String, String)>; 3], variable: &str) -> [Option<(String, String)>; 3] {
    fields.clone().map(|f| f.map(|(value, name)| (value, format!("{variable}: {name}"))))
}

/// `Get-TenantTestUsers` (spec §1.4): the tenant's own `TestUserList`; else the map's entry under
/// the first of TenantId, PrimaryDomain, TenantDomain that has users (keys ignore case); else all
/// licensed users.
fn test_users_for(tenant: &RawTenant, map: Option<&TestUserMap>) -> UserSelection {
    if let Some(users) = tenant
        .test_user_list
        .as_ref()
        .filter(|users| !users.is_empty())
    {
        return UserSelection::TestUsers(users.clone());
    }
    let keys = [
        &tenant.tenant_id,
        &tenant.primary_domain,
        &tenant.tenant_domain,
    ];
    let found = map.and_then(|map| {
        keys.into_iter()
            .flatten()
            .find_map(|key| map.get(key).filter(|u| !u.is_empty()))
    });
    match found {
        Some(users) => UserSelection::TestUsers(users.to_vec()),
        None => UserSelection::AllLicensed,
    }
}

/// A JSON error as the variable's error, with its position: `… (line 3, column 17)`.
fn json_error(variable: &str, error: &serde_json::Error) -> ExoError {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let detail = text.strip_suffix(&position).unwrap_or(&text);
    let kind = match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "is not valid JSON: "
        }
        _ => "",
    };
    ExoError::invalid_argument(
        variable,
        format!(
            "{kind}{detail} (line {}, column {})",
            error.line(),
            error.column()
        ),
    )
}

#[cfg(test)]
mod tests;
