//! Reading the configuration JSON the way PowerShell 7's `ConvertFrom-Json` and the original's
//! property access see it (spec §1.3), with errors that say what is wrong and where.
//!
//! - Property names ignore case (`tenantid` works); two keys that differ only by case are an error,
//!   as `ConvertFrom-Json` rejects them.
//! - `MicrosoftTenants` may be an array or a single tenant object; `TestUserList` and the values of
//!   `TestUserListByTenant` may be an array or a single string.
//! - Every error carries serde_json's line and column. Messages name the property and the JSON
//!   type found, never the value: a value may be a client secret.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::auth::Secret;

/// One tenant as written in the JSON, after the required-field check.
#[derive(Debug, Default)]
pub(super) struct RawTenant {
    pub label: String,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub shared_mailbox: Option<String>,
    /// `None` when absent; `Some` (maybe empty) when given.
    pub test_user_list: Option<Vec<String>>,
    pub primary_domain: Option<String>,
    pub tenant_domain: Option<String>,
    /// `Environment`, `GraphEndpoint`, `AuthorityHost` (issue 13), with their field names.
    pub endpoints: [Option<(String, String)>; 3],
    /// The other credential kinds (issue 9), each instead of `ClientSecret`.
    pub certificate_path: Option<String>,
    pub certificate_password: Option<Secret>,
    pub federated_token_file: Option<String>,
    /// The token itself: only from a variable (a GitLab `id_tokens` entry), never in the JSON.
    pub federated_token: Option<Secret>,
    pub use_managed_identity: bool,
    /// Why this tenant cannot run (a missing field, two credentials), naming it; the other
    /// tenants still run (issue 22).
    pub invalid: Option<String>,
}

impl RawTenant {
    /// The required fields (spec §1.3) that are missing or blank, by JSON name.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        // A system-assigned managed identity has no client id; any credential kind stands in
        // for the secret (named as the original named it, ClientSecret).
        let present = [
            ("TenantId", self.tenant_id.is_some()),
            ("ClientId", self.client_id.is_some() || self.use_managed_identity),
            ("ClientSecret", !self.credential_fields().is_empty()),
            ("GlobalAddressBookUserId", self.shared_mailbox.is_some()),
        ];
        present
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| name)
            .collect()
    }

    /// The credential fields given, by JSON name: more than one is an error.
    pub fn credential_fields(&self) -> Vec<&'static str> {
        let given = [
            ("ClientSecret", self.client_secret.is_some()),
            ("CertificatePath", self.certificate_path.is_some()),
            ("FederatedTokenFile", self.federated_token_file.is_some()),
            ("FederatedToken", self.federated_token.is_some()),
            ("UseManagedIdentity", self.use_managed_identity),
        ];
        given.into_iter().filter(|(_, ok)| *ok).map(|(name, _)| name).collect()
    }

    /// "`A` and `B` are both given" when the tenant names more than one credential.
    pub fn credential_conflict(&self) -> Option<String> {
        let given = self.credential_fields();
        (given.len() > 1).then(|| format!("{}: {} are all credentials; give one per tenant", self.describe(), given.join(", ")))
    }

    /// `MicrosoftTenants[1] (TenantId 'contoso.com')`, to name the tenant in errors.
    pub fn describe(&self) -> String {
        match &self.tenant_id {
            Some(id) => format!("{} (TenantId '{id}')", self.label),
            None => self.label.clone(),
        }
    }
}

/// `TestUserListByTenant`: tenant key → users, in JSON order; keys are unique ignoring case.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct TestUserMap(pub Vec<(String, Vec<String>)>);

impl TestUserMap {
    /// The users under `key`, looked up ignoring case (PowerShell's `PSObject.Properties[$key]`).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        let key = key.to_lowercase();
        self.0
            .iter()
            .find(|(k, _)| k.to_lowercase() == key)
            .map(|(_, users)| users.as_slice())
    }
}

/// A `DryRun` value after the original's `ConvertTo-Boolean` (spec §1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DryRunValue {
    pub value: bool,
    /// False for a value that is none of the known strings: it means `false`, but deserves a warning.
    pub recognised: bool,
    /// The value as text, for that warning.
    pub shown: String,
}

impl DryRunValue {
    /// `true`, `1`, `yes`, `y` → true; `false`, `0`, `no`, `n` → false; blank → false; anything else
    /// → false, unrecognised.
    pub fn from_text(text: &str) -> DryRunValue {
        let lowered = text.trim().to_lowercase();
        let (value, recognised) = match lowered.as_str() {
            "true" | "1" | "yes" | "y" => (true, true),
            "false" | "0" | "no" | "n" | "" => (false, true),
            _ => (false, false),
        };
        DryRunValue {
            value,
            recognised,
            shown: text.trim().chars().take(40).collect(),
        }
    }

    /// A JSON boolean is used as is, `null` is false, numbers go through their text (`1` is true,
    /// also `1.0`, which .NET prints as `1`), arrays and objects are false.
    pub fn from_json(value: &Value) -> DryRunValue {
        match value {
            Value::Null => DryRunValue::from_text(""),
            Value::Bool(b) => DryRunValue {
                value: *b,
                recognised: true,
                shown: b.to_string(),
            },
            Value::Number(n) => {
                let whole = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15);
                DryRunValue::from_text(&whole.map_or_else(|| n.to_string(), |f| f.to_string()))
            }
            Value::String(s) => DryRunValue::from_text(s),
            Value::Array(_) => DryRunValue {
                value: false,
                recognised: false,
                shown: "an array".into(),
            },
            Value::Object(_) => DryRunValue {
                value: false,
                recognised: false,
                shown: "an object".into(),
            },
        }
    }
}

/// The legacy v1 top-level tenant fields (spec §1.2 step 4).
#[derive(Debug, Default)]
pub(super) struct LegacyFields {
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub shared_mailbox: Option<String>,
}

impl LegacyFields {
    pub fn is_empty(&self) -> bool {
        self.tenant_id.is_none()
            && self.client_id.is_none()
            && self.client_secret.is_none()
            && self.shared_mailbox.is_none()
    }
}

/// `AUTOMATION_SYNCCONTACTS_CONFIG_JSON` as read.
#[derive(Debug, Default)]
pub(super) struct RawConfig {
    /// `None` when `MicrosoftTenants` is absent or `null`.
    pub tenants: Option<Vec<RawTenant>>,
    pub dry_run: Option<DryRunValue>,
    pub test_users: Option<TestUserMap>,
    pub legacy: LegacyFields,
}

/// Parses `text` with `seed`, rejecting trailing characters; the error keeps serde_json's position.
pub(super) fn parse<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Result<S::Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// An error that names a value and the JSON type found instead of the expected one.
fn wrong_type<E: de::Error>(what: &str, expected: &str, found: &str) -> E {
    E::custom(format!("{what} must be {expected}, not {found}"))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Implements the scalar `visit_*` methods as "wrong type" errors that never show the value.
/// The visitor provides `fn what(&self) -> String` and `const EXPECTED: &str`.
macro_rules! reject_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(wrong_type(&self.what(), Self::EXPECTED, "a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(wrong_type(&self.what(), Self::EXPECTED, "a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(wrong_type(&self.what(), Self::EXPECTED, "a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(wrong_type(&self.what(), Self::EXPECTED, "a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(wrong_type(&self.what(), Self::EXPECTED, "a string"))
        }
    };
}

/// Tracks the keys of one object: a repeat, ignoring case, is an error.
#[derive(Default)]
struct SeenKeys(HashSet<String>);

impl SeenKeys {
    fn check<E: de::Error>(&mut self, key: &str, object: &str) -> Result<String, E> {
        let folded = key.to_lowercase();
        if !self.0.insert(folded.clone()) {
            return Err(E::custom(format!(
                "{object} has the key '{key}' twice (keys that differ only by case are the same key)"
            )));
        }
        Ok(folded)
    }
}

/// A string that names something (an id, a domain): trimmed; blank or `null` is `None`.
fn text_value<E: de::Error>(value: Value, what: &str) -> Result<Option<String>, E> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        other => Err(wrong_type(what, "a string", json_kind(&other))),
    }
}

/// A client secret: kept exactly as written (not trimmed); empty or `null` is `None`.
fn secret_value<E: de::Error>(value: Value, what: &str) -> Result<Option<Secret>, E> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(Secret::new(s))),
        other => Err(wrong_type(what, "a string", json_kind(&other))),
    }
}

/// A switch: `true`/`false`, or the DryRun strings (`"yes"`, `1`…); `null` is false.
fn switch_value<E: de::Error>(value: Value, what: &str) -> Result<bool, E> {
    let parsed = DryRunValue::from_json(&value);
    if !parsed.recognised {
        return Err(wrong_type(what, "true or false", json_kind(&value)));
    }
    Ok(parsed.value)
}

/// A user list: an array of strings, or one string (spec §1.3). Blank entries and `null` entries are
/// dropped, as the original kept only truthy entries.
fn user_list<E: de::Error>(value: Value, what: &str) -> Result<Vec<String>, E> {
    let entries = match value {
        Value::Null => return Ok(Vec::new()),
        Value::String(s) => vec![Value::String(s)],
        Value::Array(entries) => entries,
        other => {
            return Err(wrong_type(
                what,
                "an array of user names",
                json_kind(&other),
            ));
        }
    };
    let mut users = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        if let Some(user) = text_value(entry, &format!("{what}[{i}]"))? {
            users.push(user);
        }
    }
    Ok(users)
}

/// The whole `AUTOMATION_SYNCCONTACTS_CONFIG_JSON` document.
pub(super) struct ConfigSeed;

impl<'de> DeserializeSeed<'de> for ConfigSeed {
    type Value = RawConfig;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawConfig, D::Error> {
        deserializer.deserialize_any(ConfigVisitor)
    }
}

struct ConfigVisitor;

impl ConfigVisitor {
    const EXPECTED: &'static str = "a JSON object";
    fn what(&self) -> String {
        "the configuration".into()
    }
}

impl<'de> Visitor<'de> for ConfigVisitor {
    type Value = RawConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::EXPECTED)
    }

    reject_scalars!();

    fn visit_unit<E: de::Error>(self) -> Result<RawConfig, E> {
        Err(wrong_type(&self.what(), Self::EXPECTED, "null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<RawConfig, A::Error> {
        Err(wrong_type(&self.what(), Self::EXPECTED, "an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawConfig, A::Error> {
        let mut config = RawConfig::default();
        let mut seen = SeenKeys::default();
        while let Some(key) = map.next_key::<String>()? {
            match seen.check::<A::Error>(&key, "the configuration")?.as_str() {
                "microsofttenants" => {
                    config.tenants = map.next_value_seed(TenantsSeed {
                        name: "MicrosoftTenants",
                    })?
                }
                "dryrun" => {
                    config.dry_run = Some(DryRunValue::from_json(&map.next_value::<Value>()?))
                }
                "testuserlistbytenant" => {
                    config.test_users = map.next_value_seed(UserMapSeed {
                        name: "TestUserListByTenant",
                    })?
                }
                "tenantid" => config.legacy.tenant_id = text_value(map.next_value()?, "TenantId")?,
                "clientid" => config.legacy.client_id = text_value(map.next_value()?, "ClientId")?,
                "clientsecret" => {
                    config.legacy.client_secret = secret_value(map.next_value()?, "ClientSecret")?
                }
                "globaladdressbookuserid" => {
                    config.legacy.shared_mailbox =
                        text_value(map.next_value()?, "GlobalAddressBookUserId")?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(config)
    }
}

/// `MicrosoftTenants` (or the whole `…_MICROSOFT_TENANTS_JSON`): an array of tenants, a single
/// tenant object, or `null` (→ `None`).
pub(super) struct TenantsSeed {
    pub name: &'static str,
}

impl<'de> DeserializeSeed<'de> for TenantsSeed {
    type Value = Option<Vec<RawTenant>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl TenantsSeed {
    const EXPECTED: &'static str = "an array of tenant objects or one tenant object";
    fn what(&self) -> String {
        self.name.to_string()
    }
}

impl<'de> Visitor<'de> for TenantsSeed {
    type Value = Option<Vec<RawTenant>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::EXPECTED)
    }

    reject_scalars!();

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tenants = Vec::new();
        while let Some(tenant) = seq.next_element_seed(TenantVisitor {
            label: format!("{}[{}]", self.name, tenants.len()),
        })? {
            tenants.push(tenant);
        }
        Ok(Some(tenants))
    }

    /// A single object where an array is expected: one tenant (pwsh 7's `.Count` is 1, spec §1.3).
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let tenant = TenantVisitor {
            label: format!("{}[0]", self.name),
        }
        .visit_map(map)?;
        Ok(Some(vec![tenant]))
    }
}

/// One tenant object; the required fields are checked at its end, so the error points at it.
struct TenantVisitor {
    label: String,
}

impl TenantVisitor {
    const EXPECTED: &'static str = "a tenant object";
    fn what(&self) -> String {
        self.label.clone()
    }
}

impl<'de> DeserializeSeed<'de> for TenantVisitor {
    type Value = RawTenant;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawTenant, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TenantVisitor {
    type Value = RawTenant;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::EXPECTED)
    }

    reject_scalars!();

    fn visit_unit<E: de::Error>(self) -> Result<RawTenant, E> {
        Err(wrong_type(&self.what(), Self::EXPECTED, "null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<RawTenant, A::Error> {
        Err(wrong_type(&self.what(), Self::EXPECTED, "an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTenant, A::Error> {
        let label = self.label;
        let mut tenant = RawTenant {
            label: label.clone(),
            ..RawTenant::default()
        };
        let mut seen = SeenKeys::default();
        let field = |name: &str| format!("{label}.{name}");
        while let Some(key) = map.next_key::<String>()? {
            match seen.check::<A::Error>(&key, &label)?.as_str() {
                "tenantid" => tenant.tenant_id = text_value(map.next_value()?, &field("TenantId"))?,
                "clientid" => tenant.client_id = text_value(map.next_value()?, &field("ClientId"))?,
                "clientsecret" => {
                    tenant.client_secret = secret_value(map.next_value()?, &field("ClientSecret"))?
                }
                "globaladdressbookuserid" => {
                    tenant.shared_mailbox =
                        text_value(map.next_value()?, &field("GlobalAddressBookUserId"))?
                }
                "testuserlist" => {
                    tenant.test_user_list =
                        Some(user_list(map.next_value()?, &field("TestUserList"))?)
                }
                "certificatepath" => tenant.certificate_path = text_value(map.next_value()?, &field("CertificatePath"))?,
                "certificatepassword" => {
                    tenant.certificate_password = secret_value(map.next_value()?, &field("CertificatePassword"))?
                }
                "federatedtokenfile" => tenant.federated_token_file = text_value(map.next_value()?, &field("FederatedTokenFile"))?,
                "usemanagedidentity" => tenant.use_managed_identity = switch_value(map.next_value()?, &field("UseManagedIdentity"))?,
                "primarydomain" => {
                    tenant.primary_domain = text_value(map.next_value()?, &field("PrimaryDomain"))?
                }
                "tenantdomain" => {
                    tenant.tenant_domain = text_value(map.next_value()?, &field("TenantDomain"))?
                }
                "environment" | "graphendpoint" | "authorityhost" => {
                    let (slot, name) = match key.to_ascii_lowercase().as_str() {
                        "environment" => (0, "Environment"),
                        "graphendpoint" => (1, "GraphEndpoint"),
                        _ => (2, "AuthorityHost"),
                    };
                    let name = field(name);
                    tenant.endpoints[slot] = text_value(map.next_value()?, &name)?.map(|value| (value, name));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Not a parse error: the rest of the JSON is still read, and the tenant is reported.
        let missing = tenant.missing_fields();
        if !missing.is_empty() {
            let verb = if missing.len() == 1 { "is" } else { "are" };
            tenant.invalid = Some(format!("{}: {} {verb} required", tenant.describe(), missing.join(", ")));
        } else if let Some(conflict) = tenant.credential_conflict() {
            tenant.invalid = Some(conflict);
        }
        Ok(tenant)
    }
}

/// `TestUserListByTenant` (or the whole `…_TEST_USER_LIST_BY_TENANT_JSON`): an object of user
/// lists, or `null` (→ `None`).
pub(super) struct UserMapSeed {
    pub name: &'static str,
}

impl UserMapSeed {
    const EXPECTED: &'static str = "an object mapping tenant keys to user lists";
    fn what(&self) -> String {
        self.name.to_string()
    }
}

impl<'de> DeserializeSeed<'de> for UserMapSeed {
    type Value = Option<TestUserMap>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UserMapSeed {
    type Value = Option<TestUserMap>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::EXPECTED)
    }

    reject_scalars!();

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(wrong_type(&self.what(), Self::EXPECTED, "an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        let mut seen = SeenKeys::default();
        while let Some(key) = map.next_key::<String>()? {
            seen.check::<A::Error>(&key, self.name)?;
            let users = user_list(map.next_value()?, &format!("{}['{key}']", self.name))?;
            entries.push((key, users));
        }
        Ok(Some(TestUserMap(entries)))
    }
}
