//! Property names of the vendored Graph types, with inherited ones, and the check that a JSON
//! body names only properties its type has.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct TypeFile {
    base: Option<String>,
    /// Name → v1.0 type (`Edm.String`, `emailAddress`, `Collection(emailAddress)`); `null` for a
    /// beta-only property.
    properties: BTreeMap<String, Option<String>>,
    navigation: Vec<String>,
}

/// One type with everything it inherits.
pub struct TypeInfo {
    /// Structural property names, own and inherited, sorted.
    pub properties: Vec<String>,
    /// Navigation property names, own and inherited, sorted.
    pub navigation: Vec<String>,
    types: HashMap<String, Option<String>>,
}

pub struct Types {
    map: HashMap<String, TypeInfo>,
}

impl Types {
    /// Reads `types-<version>.json`, resolving base types (which must be in the file too).
    pub fn parse(text: &str, file: &str) -> Result<Types, String> {
        let raw: BTreeMap<String, TypeFile> =
            serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        let mut map = HashMap::with_capacity(raw.len());
        for name in raw.keys() {
            map.insert(
                name.clone(),
                flatten(&raw, name).map_err(|e| format!("{file}: {e}"))?,
            );
        }
        Ok(Types { map })
    }

    pub fn get(&self, name: &str) -> Option<&TypeInfo> {
        self.map.get(name)
    }

    /// Every name in `body` that `type_name` (or the complex type of a nested value) lacks, as
    /// `where: message` lines.
    pub fn check(&self, type_name: &str, body: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(object) = body.as_object() else {
            problems.push(format!(
                "{}: a {type_name} must be a JSON object, not {body}",
                shown(at)
            ));
            return;
        };
        let type_name = derived_type(object)
            .filter(|t| self.map.contains_key(*t))
            .unwrap_or(type_name);
        let Some(info) = self.map.get(type_name) else {
            problems.push(format!("{}: the properties of {type_name} are not vendored (add it to ROOTS in xtask/src/metadata.rs)", shown(at)));
            return;
        };
        for (key, value) in object {
            let here = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            match key.split_once('@') {
                // `@odata.type`, `@odata.etag`… describe the object itself.
                Some(("", _)) => {}
                // `members@odata.bind`: the part before `@` must be a property.
                Some((name, _)) if info.has(name) => {}
                Some((name, _)) => {
                    problems.push(format!("{here}: {type_name} has no property '{name}'"))
                }
                None if info.navigation.binary_search(key).is_ok() => {}
                None => match info.types.get(key) {
                    Some(ty) => self.check_nested(ty.as_deref(), value, &here, problems),
                    None => problems.push(format!(
                        "{here}: {type_name} has no property '{key}'{}",
                        hint(info, key)
                    )),
                },
            }
        }
    }

    /// Objects in a complex-typed property are checked against that type (when vendored).
    fn check_nested(&self, ty: Option<&str>, value: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(ty) = ty.filter(|t| !t.starts_with("Edm.") && !t.starts_with("Collection(Edm."))
        else {
            return;
        };
        let element = ty
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
            .unwrap_or(ty);
        if !self.map.contains_key(element) {
            return; // an enum, or a complex type nobody asked to vendor
        }
        match value {
            Value::Object(_) => self.check(element, value, at, problems),
            Value::Array(items) => {
                for (index, item) in items
                    .iter()
                    .enumerate()
                    .filter(|(_, item)| item.is_object())
                {
                    self.check(element, item, &format!("{at}[{index}]"), problems);
                }
            }
            _ => {}
        }
    }
}

impl TypeInfo {
    /// The v1.0 type of a structural property (`physicalAddress`, `Collection(Edm.String)`).
    pub fn property_type(&self, name: &str) -> Option<&str> {
        self.types.get(name)?.as_deref()
    }

    pub fn has(&self, name: &str) -> bool {
        self.types.contains_key(name)
            || self
                .navigation
                .binary_search_by(|n| n.as_str().cmp(name))
                .is_ok()
    }
}

fn flatten(raw: &BTreeMap<String, TypeFile>, name: &str) -> Result<TypeInfo, String> {
    let (mut types, mut navigation, mut seen) = (HashMap::new(), BTreeSet::new(), BTreeSet::new());
    let mut current = Some(name.to_string());
    while let Some(type_name) = current {
        if !seen.insert(type_name.clone()) {
            return Err(format!(
                "type {name} inherits from itself through {type_name}"
            ));
        }
        let def = raw.get(&type_name).ok_or_else(|| {
            format!("type {name} derives from {type_name}, which is not in the file")
        })?;
        for (property, ty) in &def.properties {
            types.entry(property.clone()).or_insert_with(|| ty.clone());
        }
        navigation.extend(def.navigation.iter().cloned());
        current = def.base.clone();
    }
    let mut properties: Vec<String> = types.keys().cloned().collect();
    properties.sort();
    Ok(TypeInfo {
        properties,
        navigation: navigation.into_iter().collect(),
        types,
    })
}

/// `"@odata.type": "#microsoft.graph.user"` names a derived type.
fn derived_type(object: &serde_json::Map<String, Value>) -> Option<&str> {
    let name = object.get("@odata.type")?.as_str()?;
    Some(
        name.trim_start_matches('#')
            .trim_start_matches("microsoft.graph."),
    )
}

fn hint(info: &TypeInfo, key: &str) -> String {
    info.properties
        .iter()
        .find(|p| p.eq_ignore_ascii_case(key))
        .map(|p| format!(" (did you mean '{p}'?)"))
        .unwrap_or_default()
}

fn shown(at: &str) -> &str {
    if at.is_empty() { "the body" } else { at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn types() -> Types {
        let text = json!({
            "entity": {"base": null, "properties": {"id": "Edm.String"}, "navigation": []},
            "item": {"base": "entity", "properties": {"categories": "Collection(Edm.String)"}, "navigation": []},
            "contact": {"base": "item", "properties": {"emailAddresses": "Collection(emailAddress)", "givenName": "Edm.String"}, "navigation": ["photo"]},
            "emailAddress": {"base": null, "properties": {"address": "Edm.String", "name": "Edm.String"}, "navigation": []}
        });
        Types::parse(&text.to_string(), "t.json").unwrap()
    }

    #[test]
    fn inherited_properties_are_included() {
        assert_eq!(
            types().get("contact").unwrap().properties,
            ["categories", "emailAddresses", "givenName", "id"]
        );
    }

    #[test]
    fn unknown_names_are_found_at_any_depth_and_annotations_pass() {
        let body = json!({"givenname": "A", "categories": [], "@odata.etag": "x", "photo@odata.bind": "y",
                          "emailAddresses": [{"address": "a@x"}, {"adress": "b@x"}]});
        let mut problems = Vec::new();
        types().check("contact", &body, "", &mut problems);
        assert_eq!(
            problems,
            [
                "emailAddresses[1].adress: emailAddress has no property 'adress'",
                "givenname: contact has no property 'givenname' (did you mean 'givenName'?)",
            ]
        );
    }

    #[test]
    fn a_missing_base_type_is_a_load_error() {
        let text =
            json!({"contact": {"base": "item", "properties": {}, "navigation": []}}).to_string();
        let error = Types::parse(&text, "t.json").err().unwrap();
        assert!(
            error.contains("t.json: type contact derives from item, which is not in the file"),
            "{error}"
        );
    }
}
