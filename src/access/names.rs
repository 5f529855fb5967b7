//! Turning what an admin types (a display name, an appId, an object id) into exactly one
//! directory object. Pure: the lookups hand in their candidates, this decides.

use crate::error::{ExoError, Result};

/// A directory object an admin may name: its id and the name shown to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub display_name: String,
}

impl Named {
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Named {
        Named { id: id.into(), display_name: display_name.into() }
    }

    fn describe(&self) -> String {
        format!("'{}' ({})", self.display_name, self.id)
    }
}

/// Whether `text` has the shape of a directory object id (a GUID), so it is looked up as an id
/// before it is tried as a name.
pub fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text.trim()).is_ok()
}

/// Exactly one candidate, or an error that names the parameter and lists what was found: no
/// match says what kind of object was looked for; several list each with its id, so the admin
/// can rerun with the id.
pub fn single(parameter: &str, kind: &str, given: &str, candidates: Vec<Named>) -> Result<Named> {
    let mut candidates = candidates;
    candidates.dedup_by(|a, b| a.id.eq_ignore_ascii_case(&b.id));
    match candidates.len() {
        0 => Err(ExoError::invalid_argument(parameter, format!("no {kind} is named or has the id '{given}'"))),
        1 => Ok(candidates.remove(0)),
        n => {
            let listed: Vec<String> = candidates.iter().map(Named::describe).collect();
            Err(ExoError::invalid_argument(
                parameter,
                format!("'{given}' matches {n} {kind}s: {}; give the id of the one you mean", listed.join(", ")),
            ))
        }
    }
}

/// An OData string literal: single quotes doubled, so a name cannot end the literal early.
pub fn odata_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sales(id: &str) -> Named {
        Named::new(id, "Sales")
    }

    #[test]
    fn one_candidate_is_the_answer() {
        assert_eq!(single("Group", "group", "Sales", vec![sales("g1")]).unwrap(), sales("g1"));
    }

    #[test]
    fn none_names_the_parameter_and_the_kind() {
        let error = single("Group", "group", "Sales", vec![]).unwrap_err().to_string();
        assert_eq!(error, "Invalid value for Group: no group is named or has the id 'Sales'");
    }

    #[test]
    fn several_are_listed_with_their_ids() {
        let error = single("Group", "group", "Sales", vec![sales("g1"), sales("g2")]).unwrap_err().to_string();
        assert!(error.contains("matches 2 groups: 'Sales' (g1), 'Sales' (g2)"), "{error}");
    }

    #[test]
    fn the_same_object_found_twice_is_one() {
        assert_eq!(single("App", "app", "x", vec![sales("G1"), sales("g1")]).unwrap().id, "G1");
    }

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(odata_literal("O'Brien's"), "'O''Brien''s'");
    }

    #[test]
    fn guids_are_recognised() {
        assert!(is_guid("a3123d4e-4256-4ad0-bef0-205a00807fae"));
        assert!(!is_guid("Application Calendars.Read"));
    }
}
