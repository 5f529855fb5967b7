//! A contact as the mirror sees it: the synced fields of spec §4.6 as a typed struct, parsed from
//! Graph's JSON and normalised so that "empty" has one meaning.
//!
//! Normalisation is what lets a cleared field propagate (D3) without writing on every run: a
//! missing, `null`, blank or whitespace-only string is `None`, and an empty or all-blank collection
//! is empty, on both sides. Values are otherwise kept exactly as Graph returned them, so a case-only
//! edit is a change (D2).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ExoError, Result};
use crate::mirror::tags::{self, ParsedTags};

/// The `$select` for contact lists and reads (spec §3.2 `{SEL}`, without the unused `createdDateTime`).
pub const CONTACT_SELECT: &str = "id,displayName,givenName,surname,companyName,jobTitle,department,businessPhones,\
mobilePhone,homePhones,emailAddresses,imAddresses,personalNotes,categories,lastModifiedDateTime";

/// How `personalNotes` was read. Graph's list endpoint strips the line breaks of notes that start
/// with one and truncates them to 256 characters (graph-contact-semantics §4); a GET by id does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesRead {
    /// From a list (`/contacts`, `/contactFolders/{id}/contacts`): may be mangled.
    Listed,
    /// From `GET …/contacts/{id}`, or the contact a POST or PATCH answered with: complete.
    Full,
}

/// One entry of `emailAddresses`. `name` is kept for writing but never compared: Graph fills it in
/// or replaces it with a directory display name (graph-contact-semantics §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress {
    pub name: Option<String>,
    pub address: String,
}

/// The synced fields (spec §4.6), in the original's candidate order. Strings are `None` when
/// empty; collections drop blank entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub business_phones: Vec<String>,
    pub mobile_phone: Option<String>,
    pub home_phones: Vec<String>,
    pub email_addresses: Vec<EmailAddress>,
    pub im_addresses: Vec<String>,
    pub categories: Vec<String>,
}

impl ContactFields {
    /// The primary email (spec §4.2 `Get-PrimaryEmail`): the first address, trimmed and lower-cased.
    pub fn primary_email(&self) -> Option<String> {
        self.email_addresses
            .first()
            .map(|email| email.address.trim().to_lowercase())
    }
}

/// A contact in a mailbox folder: its Graph id, synced fields, notes and timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub fields: ContactFields,
    pub personal_notes: Option<String>,
    /// `lastModifiedDateTime`; `None` when missing or not a valid RFC 3339 time.
    pub last_modified: Option<DateTime<Utc>>,
    pub notes_read: NotesRead,
}

/// Graph's `contact` JSON, as loosely typed as Graph may send it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphContact {
    id: Option<String>,
    display_name: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    company_name: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    business_phones: Option<Vec<Option<String>>>,
    mobile_phone: Option<String>,
    home_phones: Option<Vec<Option<String>>>,
    email_addresses: Option<Vec<Option<GraphEmail>>>,
    im_addresses: Option<Vec<Option<String>>>,
    categories: Option<Vec<Option<String>>>,
    personal_notes: Option<String>,
    last_modified_date_time: Option<String>,
}

#[derive(Deserialize)]
struct GraphEmail {
    name: Option<String>,
    address: Option<String>,
}

impl Contact {
    /// Parses one contact object of a Graph answer. `origin` (the request URL) names the answer in
    /// the error when the JSON is not a contact.
    pub fn from_graph(value: &Value, read: NotesRead, origin: &str) -> Result<Contact> {
        let protocol = |message: String| ExoError::Protocol {
            url: origin.to_string(),
            message,
        };
        let graph = GraphContact::deserialize(value)
            .map_err(|e| protocol(format!("not a contact: {e}")))?;
        let id = text(graph.id).ok_or_else(|| protocol("a contact has no id".into()))?;
        Ok(Contact {
            id,
            fields: ContactFields {
                display_name: text(graph.display_name),
                given_name: text(graph.given_name),
                surname: text(graph.surname),
                company_name: text(graph.company_name),
                job_title: text(graph.job_title),
                department: text(graph.department),
                business_phones: texts(graph.business_phones),
                mobile_phone: text(graph.mobile_phone),
                home_phones: texts(graph.home_phones),
                email_addresses: emails(graph.email_addresses),
                im_addresses: texts(graph.im_addresses),
                categories: texts(graph.categories),
            },
            personal_notes: graph.personal_notes.filter(|notes| !notes.is_empty()),
            last_modified: graph
                .last_modified_date_time
                .as_deref()
                .and_then(parse_time),
            notes_read: read,
        })
    }

    /// The sync tag in this contact's notes.
    pub fn tags(&self) -> ParsedTags {
        tags::parse_tags(self.personal_notes.as_deref())
    }

    /// True when these notes came from a list and may have lost their line breaks or been cut at
    /// 256 characters, so no notes may be written from them (graph-contact-semantics §4). The bug
    /// strips every line break, so notes that still have one are intact; notes that are only a tag
    /// line hold no user text to lose.
    pub fn notes_may_be_mangled(&self) -> bool {
        let intact = |notes: &str| {
            notes.contains(['\r', '\n'])
                || (tags::is_tag_only(notes) && utf16_len(notes) < TRUNCATED_AT)
        };
        self.notes_read == NotesRead::Listed
            && self
                .personal_notes
                .as_deref()
                .is_some_and(|notes| !intact(notes))
    }

    /// True when the notes may have been cut before the tag, so the list shows no SyncId although
    /// the contact has one: mangled notes without a visible SyncId that reach the truncation length.
    pub fn may_hide_sync_id(&self) -> bool {
        self.notes_may_be_mangled()
            && self.tags().sync_id.is_none()
            && self
                .personal_notes
                .as_deref()
                .is_some_and(|notes| utf16_len(notes) >= TRUNCATED_AT - 6)
    }
}

/// Graph's list truncation length, in .NET characters (UTF-16 units).
const TRUNCATED_AT: usize = 256;

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `Add-IfValue`'s rule for strings (spec §4.6): null and whitespace-only mean "no value".
fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn texts(values: Option<Vec<Option<String>>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .filter_map(text)
        .collect()
}

fn emails(values: Option<Vec<Option<GraphEmail>>>) -> Vec<EmailAddress> {
    let entries = values.unwrap_or_default().into_iter().flatten();
    entries
        .filter_map(|e| {
            Some(EmailAddress {
                address: text(e.address)?,
                name: text(e.name),
            })
        })
        .collect()
}

/// `lastModifiedDateTime` is RFC 3339 (`2018-06-11T20:26:23Z`); anything else counts as missing,
/// as the original's failed cast did (spec §4.7 step 3).
pub fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A listed contact with a display name and one address, for tests across the module.
    pub(crate) fn contact(id: &str, name: &str, email: Option<&str>) -> Contact {
        let mut value = json!({ "id": id, "displayName": name, "lastModifiedDateTime": "2026-01-01T00:00:00Z" });
        if let Some(email) = email {
            value["emailAddresses"] = json!([{ "name": name, "address": email }]);
        }
        Contact::from_graph(&value, NotesRead::Listed, "test").unwrap()
    }

    #[test]
    fn graph_json_becomes_typed_fields() {
        let value = json!({
            "id": "c1", "displayName": "Ann Lee", "givenName": "Ann", "surname": "  ",
            "businessPhones": ["+41 1", "", null], "emailAddresses": [{"address": ""}, {"name": "A", "address": " Ann@X.com "}],
            "categories": [], "personalNotes": "", "lastModifiedDateTime": "2026-01-02T03:04:05Z", "@odata.etag": "W/\"x\""
        });
        let c = Contact::from_graph(&value, NotesRead::Listed, "u").unwrap();
        assert_eq!(c.fields.display_name.as_deref(), Some("Ann Lee"));
        assert_eq!(c.fields.surname, None);
        assert_eq!(c.fields.business_phones, vec!["+41 1"]);
        assert_eq!(c.fields.primary_email().as_deref(), Some("ann@x.com"));
        assert_eq!(c.personal_notes, None);
        assert_eq!(
            c.last_modified.unwrap().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
    }

    #[test]
    fn bad_contact_json_is_an_error_naming_the_origin() {
        let err = Contact::from_graph(
            &json!({"displayName": "x"}),
            NotesRead::Listed,
            "https://g/u/contacts",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("https://g/u/contacts") && err.to_string().contains("no id"),
            "{err}"
        );
        let err = Contact::from_graph(
            &json!({"id": "c", "businessPhones": "x"}),
            NotesRead::Listed,
            "o",
        )
        .unwrap_err();
        assert!(matches!(err, ExoError::Protocol { .. }), "{err}");
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn list_reads_of_single_line_notes_may_be_mangled() {
        let mut c = contact("c", "n", None);
        c.personal_notes = Some("Golf buddy".into());
        assert!(c.notes_may_be_mangled());
        c.personal_notes = Some("Golf buddy\r\nSyncId=0f8fad5b-d9cb-469f-a165-70867728950e".into());
        assert!(!c.notes_may_be_mangled());
        c.personal_notes = Some("SyncId=0f8fad5b-d9cb-469f-a165-70867728950e;CreatedBy=a".into());
        assert!(
            !c.notes_may_be_mangled(),
            "a lone tag line holds no user text"
        );
        c.personal_notes = Some("Golf buddy".into());
        c.notes_read = NotesRead::Full;
        assert!(!c.notes_may_be_mangled());
    }

    #[test]
    fn only_long_mangled_notes_may_hide_a_sync_id() {
        let mut c = contact("c", "n", None);
        c.personal_notes = Some("x".repeat(256));
        assert!(c.may_hide_sync_id());
        c.personal_notes = Some("x".repeat(100));
        assert!(!c.may_hide_sync_id());
    }
}
