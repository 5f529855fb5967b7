//! Users and what their mailboxes hold.

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSeed {
    /// The object id (a GUID).
    pub id: String,
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// SKU ids of assigned licences; a user without any is not returned by the licence filter.
    #[serde(default)]
    pub licenses: Vec<String>,
    #[serde(default)]
    pub mailbox: MailboxKind,
    /// Contacts of the default Contacts folder.
    #[serde(default)]
    pub contacts: Vec<ContactSeed>,
    /// Child folders of the default Contacts folder.
    #[serde(default)]
    pub contact_folders: Vec<FolderSeed>,
}

/// What Exchange holds for a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MailboxKind {
    #[default]
    User,
    Shared,
    Room,
    Equipment,
    /// No mailbox (or inactive / on-premises): mailbox routes answer `MailboxNotEnabledForRESTAPI`.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FolderSeed {
    pub display_name: String,
    #[serde(default)]
    pub contacts: Vec<ContactSeed>,
    #[serde(default)]
    pub child_folders: Vec<FolderSeed>,
}

/// A contact as Graph's JSON (writable properties only: `givenName`, `emailAddresses`, …). The
/// sandbox assigns `id`, `changeKey` and the timestamps unless `lastModifiedDateTime` is given.
pub type ContactSeed = Map<String, Value>;
