//! One mailbox's copy of a person, as a seed contact (Graph's contact JSON). Copies of a shared
//! person drift apart the way real ones do: an address typed in another case, a newer job
//! title, a dropped phone, notes with or without the mirror's tag line.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::people::{Person, phone};
use super::rng::Rng;
use super::words::{JOB_TITLES, NOTE_LINES};

/// Contacts were last touched within the year before this instant (2026-01-01T00:00:00Z), so a
/// seed gives the same timestamps whenever it is generated.
const EPOCH_END: i64 = 1_767_225_600;
const YEAR: i64 = 365 * 24 * 3600;

/// How a copy is made.
pub struct Copy<'a> {
    /// Let fields drift from the person's canonical values (copies of shared people).
    pub drift: bool,
    /// Chance that this copy's notes carry the person's prior SyncId.
    pub tag_chance: f64,
    /// Who a tag may name as `LastUpdatedBy`.
    pub updaters: &'a [String],
}

pub fn contact(person: &Person, rng: &mut Rng, copy: &Copy) -> Map<String, Value> {
    let drift = |rng: &mut Rng, p: f64| copy.drift && rng.chance(p);
    let mut out = Map::new();
    out.insert("givenName".into(), Value::from(person.given));
    out.insert("surname".into(), Value::from(person.surname));
    let display = if drift(rng, 0.08) {
        format!("{}, {}", person.surname, person.given)
    } else {
        person.display_name()
    };
    out.insert("displayName".into(), Value::String(display));
    if !drift(rng, 0.05) {
        out.insert("companyName".into(), Value::from(person.company));
    }
    let title = if drift(rng, 0.08) {
        Some(*rng.pick(JOB_TITLES))
    } else {
        person.job_title
    };
    insert_some(&mut out, "jobTitle", title.map(Value::from));
    insert_some(&mut out, "department", person.department.map(Value::from));
    if !person.business_phones.is_empty() {
        out.insert(
            "businessPhones".into(),
            Value::from(person.business_phones.clone()),
        );
    }
    let mobile = if drift(rng, 0.05) {
        Some(phone(rng))
    } else if drift(rng, 0.05) {
        None
    } else {
        person.mobile.clone()
    };
    insert_some(&mut out, "mobilePhone", mobile.map(Value::String));
    if !person.emails.is_empty() {
        out.insert(
            "emailAddresses".into(),
            Value::Array(addresses(person, rng, copy.drift)),
        );
    }
    if !person.categories.is_empty() {
        out.insert("categories".into(), Value::from(person.categories.clone()));
    }
    let tag = person
        .prior_sync
        .as_ref()
        .filter(|_| rng.chance(copy.tag_chance))
        .map(|sync| {
            let by = rng.pick(copy.updaters).clone();
            tag_line(rng, &sync.id, &sync.created_by, &by)
        });
    insert_some(
        &mut out,
        "personalNotes",
        notes(rng, tag).map(Value::String),
    );
    out.insert("lastModifiedDateTime".into(), Value::String(timestamp(rng)));
    out
}

fn insert_some(out: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    if let Some(value) = value {
        out.insert(name.into(), value);
    }
}

/// The person's addresses as `{name, address}`; a drifting copy may spell the primary address
/// in mixed case, name it differently or lack the extra addresses.
fn addresses(person: &Person, rng: &mut Rng, drift: bool) -> Vec<Value> {
    let drift = |rng: &mut Rng, p: f64| drift && rng.chance(p);
    let keep = if drift(rng, 0.1) {
        1
    } else {
        person.emails.len()
    };
    let mut name = person.display_name();
    if drift(rng, 0.1) {
        name = format!("{name} ({})", person.company);
    }
    person.emails[..keep]
        .iter()
        .enumerate()
        .map(|(index, address)| {
            let address = if index == 0 && drift(rng, 0.12) {
                title_case(address)
            } else {
                address.clone()
            };
            let mut entry = Map::new();
            entry.insert("name".into(), Value::String(name.clone()));
            entry.insert("address".into(), Value::String(address));
            Value::Object(entry)
        })
        .collect()
}

/// `anna.berg@fabrikam.example` → `Anna.Berg@Fabrikam.example`: what a hand-typed copy looks like.
fn title_case(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut start = true;
    for c in address.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = matches!(c, '.' | '@');
    }
    out
}

/// The mirror script's tag line (original-script-spec §4.4–4.5), or now and then the shorter v1
/// form `SyncId=…;CreatedBy=…`.
fn tag_line(rng: &mut Rng, sync_id: &str, created_by: &str, updated_by: &str) -> String {
    if rng.chance(0.2) {
        return format!("SyncId={sync_id};CreatedBy={created_by}");
    }
    let at = timestamp(rng);
    let at = format!("{}.{:07}Z", &at[..at.len() - 1], rng.below(10_000_000));
    format!("SyncId={sync_id};CreatedBy={created_by};LastUpdatedAt={at};LastUpdatedBy={updated_by}")
}

/// Free text of one to three lines (CRLF as Outlook writes, sometimes bare LF), sometimes with a
/// leading line break or a blank line, then the tag line (usually last) when there is one.
fn notes(rng: &mut Rng, tag: Option<String>) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    if rng.chance(0.35) {
        let count = 1 + rng.below(3);
        lines.extend((0..count).map(|_| rng.pick(NOTE_LINES).to_string()));
        if count > 1 && rng.chance(0.2) {
            lines.insert(1, String::new());
        }
        if rng.chance(0.2) {
            lines.insert(0, String::new());
        }
    }
    match tag {
        Some(tag) if rng.chance(0.1) && !lines.is_empty() => {
            lines.insert(usize::from(lines[0].is_empty()), tag)
        }
        Some(tag) => lines.push(tag),
        None => {}
    }
    if lines.is_empty() {
        return None;
    }
    let separator = if rng.chance(0.85) { "\r\n" } else { "\n" };
    Some(lines.join(separator))
}

/// A whole-second UTC time within the year before [`EPOCH_END`].
fn timestamp(rng: &mut Rng) -> String {
    let seconds = EPOCH_END - 1 - rng.below(YEAR as usize) as i64;
    let at: DateTime<Utc> = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_capitalises_each_part() {
        assert_eq!(
            title_case("anna.berg2@fabrikam.example"),
            "Anna.Berg2@Fabrikam.Example"
        );
    }

    #[test]
    fn a_tag_line_has_the_scripts_shape() {
        let mut rng = Rng::new(5);
        let tags: Vec<String> = (0..50)
            .map(|_| tag_line(&mut rng, "id", "a@x", "b@x"))
            .collect();
        let full = tags
            .iter()
            .find(|t| t.contains("LastUpdatedAt"))
            .expect("some full tags");
        let at = full
            .split("LastUpdatedAt=")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        assert_eq!(at.len(), "2026-01-20T13:45:12.1234567Z".len(), "{at}");
        assert!(
            full.starts_with("SyncId=id;CreatedBy=a@x;") && full.ends_with(";LastUpdatedBy=b@x")
        );
        assert!(
            tags.iter().any(|t| t == "SyncId=id;CreatedBy=a@x"),
            "some v1 tags"
        );
    }

    #[test]
    fn notes_sometimes_start_with_a_line_break_and_span_lines() {
        let mut rng = Rng::new(9);
        let all: Vec<String> = (0..400).filter_map(|_| notes(&mut rng, None)).collect();
        assert!(
            all.iter()
                .any(|n| n.starts_with("\r\n") || n.starts_with('\n'))
        );
        assert!(all.iter().any(|n| n.trim().contains('\n')));
    }
}
