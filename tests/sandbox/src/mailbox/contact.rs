//! One contact: Graph's writable properties as JSON, plus what the server maintains (id,
//! changeKey, timestamps in whole seconds).

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value, json};

/// The writable properties of `microsoft.graph.contact` (v1.0 CSDL, contact and outlookItem).
pub const WRITABLE: &[&str] = &[
    "assistantName", "birthday", "businessAddress", "businessHomePage", "businessPhones", "categories",
    "children", "companyName", "department", "displayName", "emailAddresses", "fileAs", "generation",
    "givenName", "homeAddress", "homePhones", "imAddresses", "initials", "jobTitle", "manager",
    "middleName", "mobilePhone", "nickName", "officeLocation", "otherAddress", "parentFolderId",
    "personalNotes", "primaryEmailAddress", "profession", "secondaryEmailAddress", "spouseName", "surname",
    "tertiaryEmailAddress", "title", "yomiCompanyName", "yomiGivenName", "yomiSurname",
];

/// Server-set properties a client may read (and `$select`) but not write.
pub const READ_ONLY: &[&str] = &["id", "changeKey", "createdDateTime", "lastModifiedDateTime"];

const COLLECTIONS: &[&str] = &["businessPhones", "categories", "children", "emailAddresses", "homePhones", "imAddresses"];

/// Outlook's fixed slots: more entries than this is a 400.
const MAX_ENTRIES: &[(&str, &str, usize)] = &[
    ("emailAddresses", "EmailAddresses", 3),
    ("businessPhones", "BusinessPhones", 2),
    ("homePhones", "HomePhones", 2),
    ("imAddresses", "ImAddresses", 3),
];

/// Why a contact body was refused, as Graph words it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactError {
    /// `RequestBodyRead`: unknown property, wrong type, null collection.
    BodyRead(String),
    /// `ErrorInvalidProperty`-like 400 for Outlook's multi-value limits.
    TooMany(String),
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: String,
    pub folder_id: String,
    pub properties: Map<String, Value>,
    pub change_key: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// The mailbox's change sequence number at the last change (for delta).
    pub sequence: u64,
}

impl Contact {
    /// Graph's JSON for this contact, every property or only `select`ed ones (`id` always).
    pub fn to_json(&self, select: Option<&[String]>) -> Value {
        let mut out = Map::new();
        out.insert("@odata.etag".into(), json!(format!("W/\"{}\"", self.change_key)));
        out.insert("id".into(), json!(self.id));
        let wanted = |name: &str| select.is_none_or(|s| s.iter().any(|p| p.eq_ignore_ascii_case(name)));
        let server = [
            ("createdDateTime", json!(timestamp(self.created))),
            ("lastModifiedDateTime", json!(timestamp(self.modified))),
            ("changeKey", json!(self.change_key)),
            ("parentFolderId", json!(self.folder_id)),
        ];
        for (name, value) in server {
            if wanted(name) {
                out.insert(name.into(), value);
            }
        }
        for name in WRITABLE.iter().filter(|n| **n != "parentFolderId" && wanted(n)) {
            let value = self.properties.get(*name).cloned().unwrap_or_else(|| default_of(name));
            out.insert((*name).into(), value);
        }
        Value::Object(out)
    }
}

/// What Graph shows for a property never set: `[]` for collections, `{}` for addresses, null
/// otherwise.
fn default_of(name: &str) -> Value {
    if COLLECTIONS.contains(&name) {
        json!([])
    } else if name.ends_with("Address") && !name.ends_with("EmailAddress") {
        json!({})
    } else {
        Value::Null
    }
}

/// Checks a POST or PATCH body and returns the properties to store.
pub fn validate(body: &Value) -> Result<Map<String, Value>, ContactError> {
    let object = body
        .as_object()
        .ok_or_else(|| ContactError::BodyRead("The request body must be a JSON object.".into()))?;
    validate_map(object.clone())
}

/// The same for a body already owned (a seed's contact): checked in place, no copy.
pub fn validate_map(mut object: Map<String, Value>) -> Result<Map<String, Value>, ContactError> {
    object.retain(|name, _| !name.starts_with("@odata."));
    for (name, value) in object.iter_mut() {
        if !WRITABLE.contains(&name.as_str()) {
            let message = if READ_ONLY.contains(&name.as_str()) {
                format!("The property '{name}' is read-only and cannot be set.")
            } else {
                format!("The property '{name}' does not exist on type 'Microsoft.OutlookServices.Contact'. Make sure to only use property names that are defined by the type or mark the type as open type.")
            };
            return Err(ContactError::BodyRead(message));
        }
        if let Some(normalised) = check_value(name, value)? {
            *value = normalised;
        }
    }
    Ok(object)
}

/// Checks one property; `Some` when the stored value differs from the one sent.
fn check_value(name: &str, value: &Value) -> Result<Option<Value>, ContactError> {
    if COLLECTIONS.contains(&name) {
        let items = match value {
            Value::Array(items) => items,
            Value::Null => {
                return Err(ContactError::BodyRead(format!("A null value was found for the property named '{name}', which has the expected type 'Collection(Edm.String)[Nullable=False]'. The expected type 'Collection(Edm.String)[Nullable=False]' cannot be null but it can have null values.")));
            }
            _ => return Err(ContactError::BodyRead(format!("An unexpected value was found for the collection property '{name}'."))),
        };
        if let Some((_, shown, max)) = MAX_ENTRIES.iter().find(|(n, _, _)| *n == name)
            && items.len() > *max
        {
            return Err(ContactError::TooMany(format!("The multi value property {shown} has {} entries, that exceeds the max allowed value of {max}", items.len())));
        }
        if name == "emailAddresses" {
            return Ok(Some(Value::Array(items.iter().map(email_address).collect::<Result<_, _>>()?)));
        }
        if items.iter().any(|i| !i.is_string()) {
            return Err(ContactError::BodyRead(format!("The property '{name}' holds a value that is not a string.")));
        }
        return Ok(None);
    }
    match value {
        Value::String(_) | Value::Null => Ok(None),
        Value::Object(_) if name.ends_with("Address") => Ok(None),
        _ => Err(ContactError::BodyRead(format!("Cannot convert the literal '{value}' to the expected type 'Edm.String' of property '{name}'."))),
    }
}

/// An `emailAddress`: `{address, name?}`; a missing name becomes the address, as Outlook does.
fn email_address(item: &Value) -> Result<Value, ContactError> {
    let object = item
        .as_object()
        .ok_or_else(|| ContactError::BodyRead("An emailAddresses entry must be an object.".into()))?;
    for key in object.keys() {
        if key != "address" && key != "name" {
            return Err(ContactError::BodyRead(format!("The property '{key}' does not exist on type 'Microsoft.OutlookServices.EmailAddress'. Make sure to only use property names that are defined by the type or mark the type as open type.")));
        }
    }
    let address = object.get("address").and_then(Value::as_str);
    let name = object.get("name").and_then(Value::as_str).or(address);
    Ok(json!({"name": name, "address": address}))
}

/// Graph's contact timestamps: UTC, whole seconds, `Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.trunc_subsecs(0).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fourth_email_address_is_refused_with_outlooks_words() {
        let body = json!({"emailAddresses": [{"address":"a@x"},{"address":"b@x"},{"address":"c@x"},{"address":"d@x"}]});
        let error = validate(&body).unwrap_err();
        assert_eq!(error, ContactError::TooMany("The multi value property EmailAddresses has 4 entries, that exceeds the max allowed value of 3".into()));
    }

    #[test]
    fn a_third_business_phone_is_refused() {
        let error = validate(&json!({"businessPhones": ["1", "2", "3"]})).unwrap_err();
        assert!(matches!(error, ContactError::TooMany(m) if m.contains("BusinessPhones has 3 entries")));
    }

    #[test]
    fn an_unknown_property_is_a_request_body_read_error() {
        let error = validate(&json!({"nickname": "x"})).unwrap_err();
        assert!(matches!(error, ContactError::BodyRead(m) if m.contains("'nickname' does not exist")));
    }

    #[test]
    fn a_null_collection_is_refused_and_an_empty_one_kept() {
        assert!(matches!(validate(&json!({"categories": null})), Err(ContactError::BodyRead(_))));
        assert_eq!(validate(&json!({"categories": []})).unwrap()["categories"], json!([]));
    }

    #[test]
    fn an_email_without_a_name_is_named_by_its_address() {
        let clean = validate(&json!({"emailAddresses": [{"address": "a@x.com"}]})).unwrap();
        assert_eq!(clean["emailAddresses"][0], json!({"name": "a@x.com", "address": "a@x.com"}));
    }

    #[test]
    fn timestamps_have_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z").unwrap().with_timezone(&Utc);
        assert_eq!(timestamp(at), "2026-01-02T03:04:05Z");
    }
}
