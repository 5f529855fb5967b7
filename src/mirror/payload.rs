//! What to send: the POST body for a new contact and the PATCH body for a changed one, and the
//! comparison that decides whether a contact changed (spec §4.6, §4.7).
//!
//! Fixes D2 and D3: comparison is exact (a case-only edit is a change), and a field the source
//! cleared is cleared on the target: `null` for a string, `[]` for a collection (Graph rejects
//! `null` on collections, graph-contact-semantics §1).

use serde_json::{Map, Value, json};

use crate::mirror::contact::{ContactFields, EmailAddress};

/// The synced fields by their Graph names (spec §4.6), plus `personalNotes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyncedField {
    BusinessPhones,
    Categories,
    CompanyName,
    Department,
    DisplayName,
    EmailAddresses,
    GivenName,
    HomePhones,
    ImAddresses,
    JobTitle,
    MobilePhone,
    PersonalNotes,
    Surname,
}

impl SyncedField {
    /// The data fields in the original's candidate order (spec §4.6). `personalNotes` is not among
    /// them: it is the tag, handled apart.
    pub const DATA: [SyncedField; 12] = [
        SyncedField::DisplayName,
        SyncedField::GivenName,
        SyncedField::Surname,
        SyncedField::CompanyName,
        SyncedField::JobTitle,
        SyncedField::Department,
        SyncedField::BusinessPhones,
        SyncedField::MobilePhone,
        SyncedField::HomePhones,
        SyncedField::EmailAddresses,
        SyncedField::ImAddresses,
        SyncedField::Categories,
    ];

    /// The Graph property name. The enum's `Ord` is the alphabetical order of these names, the
    /// order of the original's `Changed:` list (spec §4.7 step 1).
    pub fn graph_name(self) -> &'static str {
        match self {
            SyncedField::BusinessPhones => "businessPhones",
            SyncedField::Categories => "categories",
            SyncedField::CompanyName => "companyName",
            SyncedField::Department => "department",
            SyncedField::DisplayName => "displayName",
            SyncedField::EmailAddresses => "emailAddresses",
            SyncedField::GivenName => "givenName",
            SyncedField::HomePhones => "homePhones",
            SyncedField::ImAddresses => "imAddresses",
            SyncedField::JobTitle => "jobTitle",
            SyncedField::MobilePhone => "mobilePhone",
            SyncedField::PersonalNotes => "personalNotes",
            SyncedField::Surname => "surname",
        }
    }
}

/// One field's value, typed, for comparing and rendering.
enum FieldValue<'a> {
    Text(Option<&'a str>),
    List(&'a [String]),
    Emails(&'a [EmailAddress]),
}

fn value_of(fields: &ContactFields, field: SyncedField) -> FieldValue<'_> {
    use FieldValue::{Emails, List, Text};
    match field {
        SyncedField::DisplayName => Text(fields.display_name.as_deref()),
        SyncedField::GivenName => Text(fields.given_name.as_deref()),
        SyncedField::Surname => Text(fields.surname.as_deref()),
        SyncedField::CompanyName => Text(fields.company_name.as_deref()),
        SyncedField::JobTitle => Text(fields.job_title.as_deref()),
        SyncedField::Department => Text(fields.department.as_deref()),
        SyncedField::MobilePhone => Text(fields.mobile_phone.as_deref()),
        SyncedField::BusinessPhones => List(&fields.business_phones),
        SyncedField::HomePhones => List(&fields.home_phones),
        SyncedField::ImAddresses => List(&fields.im_addresses),
        SyncedField::Categories => List(&fields.categories),
        SyncedField::EmailAddresses => Emails(&fields.email_addresses),
        SyncedField::PersonalNotes => Text(None),
    }
}

impl FieldValue<'_> {
    /// Strings and lists compare exactly (order matters, as in the original). Email entries compare
    /// whole, address and `name`, as the original's `-ne` on the JSON does: ignoring case (Graph
    /// may change an address's case, graph-contact-semantics §2), and with a missing or blank
    /// `name` taken as the address, which is what Graph stores for it (else every run would
    /// rewrite such a contact).
    fn same_as(&self, other: &FieldValue<'_>) -> bool {
        match (self, other) {
            (FieldValue::Text(a), FieldValue::Text(b)) => a == b,
            (FieldValue::List(a), FieldValue::List(b)) => a == b,
            (FieldValue::Emails(a), FieldValue::Emails(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| {
                        same_address(&x.address, &y.address) && same_address(stored_name(x), stored_name(y))
                    })
            }
            _ => false,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            FieldValue::Text(v) => v.is_none(),
            FieldValue::List(v) => v.is_empty(),
            FieldValue::Emails(v) => v.is_empty(),
        }
    }

    /// The JSON to send; an empty value clears: `null` for a string, `[]` for a collection.
    fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(v) => v.map_or(Value::Null, |s| Value::String(s.to_string())),
            FieldValue::List(v) => json!(v),
            FieldValue::Emails(v) => Value::Array(v.iter().map(email_json).collect()),
        }
    }
}

fn same_address(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The `name` Graph keeps for an entry: the address when none (or a blank one) was given.
fn stored_name(email: &EmailAddress) -> &str {
    email.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&email.address)
}

fn email_json(email: &EmailAddress) -> Value {
    match &email.name {
        Some(name) => json!({ "name": name, "address": email.address }),
        None => json!({ "address": email.address }),
    }
}

/// The data fields whose values differ between `source` and `target`, sorted as the original
/// listed them. Empty means "no change" (notes are not compared: spec §4.7 step 1).
pub fn changed_fields(source: &ContactFields, target: &ContactFields) -> Vec<SyncedField> {
    let mut changed: Vec<SyncedField> = SyncedField::DATA
        .into_iter()
        .filter(|field| !value_of(source, *field).same_as(&value_of(target, *field)))
        .collect();
    changed.sort();
    changed
}

/// A JSON object to POST or PATCH (its keys iterate in alphabetical order).
#[derive(Debug, Clone, PartialEq)]
pub struct ContactBody(Map<String, Value>);

impl ContactBody {
    /// The body as JSON, to send as it is.
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// One property of the body, for tests and logs.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The property names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// The POST body for a new contact: every non-empty field, then `personalNotes` (spec §4.8: the
/// tag line alone, since there is no target text to keep).
pub fn create_body(source: &ContactFields, notes: &str) -> ContactBody {
    let mut body = Map::new();
    for field in SyncedField::DATA {
        let value = value_of(source, field);
        if !value.is_empty() {
            body.insert(field.graph_name().to_string(), value.to_json());
        }
    }
    body.insert(
        SyncedField::PersonalNotes.graph_name().to_string(),
        Value::String(notes.to_string()),
    );
    ContactBody(body)
}

/// The PATCH body for a changed contact: the changed fields (cleared ones as `null` or `[]`) and the
/// new notes. Only changed properties are sent (graph-contact-semantics §1 advises against echoing
/// the whole object). When a name part changes, `displayName` is sent too, because Graph may
/// regenerate it from the parts otherwise (graph-contact-semantics §1).
pub fn patch_body(source: &ContactFields, changed: &[SyncedField], notes: &str) -> ContactBody {
    let mut fields: Vec<SyncedField> = changed.to_vec();
    let name_part_changed = changed
        .iter()
        .any(|f| matches!(f, SyncedField::GivenName | SyncedField::Surname));
    if name_part_changed
        && source.display_name.is_some()
        && !fields.contains(&SyncedField::DisplayName)
    {
        fields.push(SyncedField::DisplayName);
    }
    let mut body = Map::new();
    for field in SyncedField::DATA.into_iter().filter(|f| fields.contains(f)) {
        body.insert(
            field.graph_name().to_string(),
            value_of(source, field).to_json(),
        );
    }
    body.insert(
        SyncedField::PersonalNotes.graph_name().to_string(),
        Value::String(notes.to_string()),
    );
    ContactBody(body)
}

/// One name change for the `| Delta:` suffix of an update line (spec §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameChange {
    pub field: SyncedField,
    /// The target's value before the update.
    pub old: Option<String>,
    /// The source's value (`None` when the source cleared it).
    pub new: Option<String>,
}

/// The changes to displayName, givenName and surname, in that order (spec §5.1 `{deltaSuffix}`).
pub fn name_changes(
    source: &ContactFields,
    target: &ContactFields,
    changed: &[SyncedField],
) -> Vec<NameChange> {
    let parts = [
        (
            SyncedField::DisplayName,
            &source.display_name,
            &target.display_name,
        ),
        (
            SyncedField::GivenName,
            &source.given_name,
            &target.given_name,
        ),
        (SyncedField::Surname, &source.surname, &target.surname),
    ];
    parts
        .into_iter()
        .filter(|(field, _, _)| changed.contains(field))
        .map(|(field, new, old)| NameChange {
            field,
            old: old.clone(),
            new: new.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ContactFields {
        ContactFields {
            display_name: Some("Ann Lee".into()),
            given_name: Some("Ann".into()),
            surname: Some("Lee".into()),
            job_title: Some("CTO".into()),
            business_phones: vec!["+41 1".into()],
            email_addresses: vec![EmailAddress {
                name: Some("Ann".into()),
                address: "ann@x.com".into(),
            }],
            categories: vec!["VIP".into()],
            ..ContactFields::default()
        }
    }

    #[test]
    fn identical_fields_have_no_change() {
        assert!(changed_fields(&fields(), &fields()).is_empty());
    }

    #[test]
    fn d2_a_case_only_edit_is_a_change() {
        let mut source = fields();
        source.display_name = Some("Ann LEE".into());
        assert_eq!(
            changed_fields(&source, &fields()),
            vec![SyncedField::DisplayName]
        );
        let patch = patch_body(&source, &[SyncedField::DisplayName], "tag");
        assert_eq!(patch.get("displayName"), Some(&json!("Ann LEE")));
    }

    #[test]
    fn d3_a_cleared_field_is_cleared_with_null_or_an_empty_array() {
        let mut source = fields();
        source.job_title = None;
        source.categories.clear();
        let changed = changed_fields(&source, &fields());
        assert_eq!(
            changed,
            vec![SyncedField::Categories, SyncedField::JobTitle]
        );
        let patch = patch_body(&source, &changed, "tag");
        assert_eq!(patch.get("jobTitle"), Some(&Value::Null));
        assert_eq!(patch.get("categories"), Some(&json!([])));
        assert_eq!(
            patch.keys().collect::<Vec<_>>(),
            ["categories", "jobTitle", "personalNotes"]
        );
    }

    #[test]
    fn address_case_and_a_name_graph_fills_in_are_not_changes() {
        let mut source = fields();
        source.email_addresses[0].address = "ANN@x.com".into();
        assert!(changed_fields(&source, &fields()).is_empty());
        let unnamed = |address: &str, name: Option<&str>| EmailAddress { name: name.map(str::to_string), address: address.into() };
        source.email_addresses = vec![unnamed("ann@x.com", None)];
        let mut target = fields();
        target.email_addresses = vec![unnamed("ann@x.com", Some("ann@x.com"))];
        assert!(changed_fields(&source, &target).is_empty(), "Graph stores the address as the missing name");
        source.email_addresses.push(unnamed("b@x.com", None));
        assert_eq!(changed_fields(&source, &target), vec![SyncedField::EmailAddresses]);
    }

    #[test]
    fn an_email_name_that_differs_is_a_change_as_in_the_original() {
        let mut source = fields();
        source.email_addresses[0].name = Some("Ann Lee (Sales)".into());
        assert_eq!(changed_fields(&source, &fields()), vec![SyncedField::EmailAddresses]);
        source.email_addresses[0].name = Some("ANN".into());
        assert!(changed_fields(&source, &fields()).is_empty(), "the original's -ne ignores case");
    }

    #[test]
    fn list_order_matters_like_the_original() {
        let mut source = fields();
        source.business_phones = vec!["2".into(), "1".into()];
        let mut target = fields();
        target.business_phones = vec!["1".into(), "2".into()];
        assert_eq!(
            changed_fields(&source, &target),
            vec![SyncedField::BusinessPhones]
        );
    }

    #[test]
    fn changed_keys_sort_like_the_original_log() {
        let source = ContactFields {
            surname: Some("x".into()),
            business_phones: vec!["1".into()],
            ..fields()
        };
        let target = ContactFields {
            surname: None,
            business_phones: vec![],
            mobile_phone: Some("m".into()),
            ..fields()
        };
        let names: Vec<_> = changed_fields(&source, &target)
            .into_iter()
            .map(SyncedField::graph_name)
            .collect();
        assert_eq!(names, ["businessPhones", "mobilePhone", "surname"]);
    }

    #[test]
    fn create_body_has_only_values_and_the_notes() {
        let body = create_body(&fields(), "SyncId=x");
        let keys: Vec<_> = body.keys().collect();
        assert_eq!(
            keys,
            [
                "businessPhones",
                "categories",
                "displayName",
                "emailAddresses",
                "givenName",
                "jobTitle",
                "personalNotes",
                "surname"
            ]
        );
        assert_eq!(
            body.get("emailAddresses"),
            Some(&json!([{ "name": "Ann", "address": "ann@x.com" }]))
        );
    }

    #[test]
    fn a_changed_name_part_resends_the_display_name() {
        let source = ContactFields {
            given_name: Some("Anne".into()),
            ..fields()
        };
        let changed = changed_fields(&source, &fields());
        assert_eq!(changed, vec![SyncedField::GivenName]);
        let patch = patch_body(&source, &changed, "n");
        assert_eq!(
            patch.keys().collect::<Vec<_>>(),
            ["displayName", "givenName", "personalNotes"]
        );
        let delta = name_changes(&source, &fields(), &changed);
        assert_eq!(
            delta,
            vec![NameChange {
                field: SyncedField::GivenName,
                old: Some("Ann".into()),
                new: Some("Anne".into())
            }]
        );
    }
}
