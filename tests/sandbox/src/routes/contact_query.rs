//! The query options of a contact list, as Outlook applies them: `$filter` (`eq`/`ne`
//! comparisons of a contact property), `$orderby` (one or more properties, `asc`/`desc`),
//! `$count` and `$select` checked against the contact's properties. What the sandbox does not
//! implement (`$expand`, `$search`, other filter forms) is a 400, never ignored: a client that
//! sends an option and gets everything back would believe the option worked.

use std::cmp::Ordering;

use axum::http::StatusCode;
use serde_json::Value;

use super::query::ListQuery;
use crate::graph_error::GraphError;
use crate::mailbox::contact::{READ_ONLY, WRITABLE};
use crate::mailbox::Contact;
use crate::odata::{self, Comparison};

const ENTITY: &str = "Microsoft.OutlookServices.Contact";

/// A list request's options, checked before any contact is read.
pub struct ContactQuery {
    filter: Vec<Comparison>,
    order: Vec<(String, bool)>,
}

impl ContactQuery {
    pub fn parse(query: &ListQuery) -> Result<ContactQuery, GraphError> {
        if let Some(name) = query.unsupported {
            return Err(GraphError::bad_request(format!("The query parameter '{name}' is not supported on the 'Contacts' resource.")));
        }
        query.check_select(&known(), ENTITY)?;
        let filter = query.comparisons()?;
        for comparison in &filter {
            check_property(&comparison.property)?;
        }
        let order = query.orderby.as_deref().map(parse_orderby).transpose()?.unwrap_or_default();
        Ok(ContactQuery { filter, order })
    }

    /// Whether the list can be paged straight from the folder's order.
    pub fn is_plain(&self) -> bool {
        self.filter.is_empty() && self.order.is_empty()
    }

    /// The folder's contacts that pass the filter, in the requested order.
    pub fn apply<'c>(&self, contacts: Vec<&'c Contact>) -> Vec<&'c Contact> {
        let mut kept: Vec<(&Contact, Value)> = contacts.into_iter().map(|c| (c, c.to_json(None))).filter(|(_, json)| odata::matches(json, &self.filter)).collect();
        kept.sort_by(|(_, a), (_, b)| self.compare(a, b));
        kept.into_iter().map(|(c, _)| c).collect()
    }

    fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for (property, descending) in &self.order {
            let ordering = sort_key(a, property).cmp(&sort_key(b, property));
            let ordering = if *descending { ordering.reverse() } else { ordering };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

/// Every property a contact request may name.
pub fn known() -> Vec<&'static str> {
    READ_ONLY.iter().chain(WRITABLE).copied().collect()
}

fn check_property(name: &str) -> Result<(), GraphError> {
    if known().iter().any(|k| k.eq_ignore_ascii_case(name)) {
        Ok(())
    } else {
        Err(GraphError::new(StatusCode::BAD_REQUEST, "RequestBroker--ParseUri", format!("Could not find a property named '{name}' on type '{ENTITY}'.")))
    }
}

/// `givenName desc, surname` → `[("givenName", true), ("surname", false)]`.
fn parse_orderby(text: &str) -> Result<Vec<(String, bool)>, GraphError> {
    text.split(',')
        .map(|clause| {
            let words: Vec<&str> = clause.split_whitespace().collect();
            let (property, descending) = match words[..] {
                [property] => (property, false),
                [property, direction] if direction.eq_ignore_ascii_case("asc") => (property, false),
                [property, direction] if direction.eq_ignore_ascii_case("desc") => (property, true),
                _ => return Err(GraphError::bad_request(format!("Invalid $orderby clause: '{}'", clause.trim()))),
            };
            check_property(property)?;
            Ok((property.to_string(), descending))
        })
        .collect()
}

/// A property as it sorts: strings case-insensitively, missing and null values first.
fn sort_key(item: &Value, property: &str) -> Option<String> {
    let value = item.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(property))?.1;
    match value {
        Value::String(text) => Some(text.to_lowercase()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(raw: &str) -> Result<ContactQuery, GraphError> {
        ContactQuery::parse(&ListQuery::parse(Some(raw)).unwrap())
    }

    #[test]
    fn unknown_names_and_unsupported_options_are_refused() {
        for bad in ["$select=id,nickname2", "$filter=colour eq 'red'", "$orderby=givenName sideways", "$orderby=colour", "$search=ann", "$expand=extensions", "$filter=startswith(givenName,'A')"] {
            assert_eq!(query(bad).err().map(|e| e.status.as_u16()), Some(400), "{bad}");
        }
        assert!(query("$select=GivenName,emailAddresses&$filter=surname eq 'x'&$orderby=givenName desc,surname").is_ok());
    }
}
