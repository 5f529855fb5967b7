//! What a run must plan when the state's last run settled (issue 19), pure.
//!
//! A settled run planned every pair and nothing failed, so afterwards every user's contact and
//! its counterpart in the hub (and every hub contact and its copy in each user's folder) are in
//! step: planned again, an unchanged pair gives only skips. So a run plans:
//!
//! - step 1 only for the users whose folder changed since (their whole folder against the hub);
//!   when the hub lost contacts (or was read whole) every user, since a lost contact is made again;
//! - step 2 in full for the users whose folder changed; for every other user only the hub
//!   contacts that changed in this run (read by the hub's delta round or written by step 1), with
//!   the unchanged ones that share a key with them ([`distribute_sources`]): an unchanged hub
//!   contact matches its copy by SyncId, and a changed one can only reach that copy through a
//!   key the two share, so planning both keeps the full plan's claims and its decisions;
//! - those sources against only the targets holding their SyncIds ([`targets_by_sync_id`]),
//!   when each has one; else against the whole folder.
//!
//! The full plan stays the reference: `tests/mirror_incremental.rs` drives random edits,
//! creates, deletes and killed runs through both and asserts the same writes.

use std::collections::HashSet;

use crate::error::{ExoError, Result};
use crate::mirror::contact::Contact;
use crate::mirror::matching::MatchKeys;

/// Why a run plans every pair; `None` (no reason) lets it plan only what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullPlan {
    /// `-Full` or `AUTOMATION_SYNCCONTACTS_FULL=true`.
    Asked,
    /// No state file: every folder is read whole anyway.
    NoState,
    /// The last run was killed, failed, was a dry run, or there was none.
    NotSettled,
    /// `-WhatIf`, DryRun or `-PassThru`: every contact's action is reported.
    EveryAction,
    /// Deletions to propagate: they are planned against every folder.
    Deletes,
}

impl FullPlan {
    /// Why this run plans in full, in the order checked.
    pub fn reason(asked: bool, has_state: bool, settled: bool, every_action: bool, deletes: bool) -> Option<FullPlan> {
        [(asked, FullPlan::Asked), (!has_state, FullPlan::NoState), (!settled, FullPlan::NotSettled), (every_action, FullPlan::EveryAction), (deletes, FullPlan::Deletes)]
            .into_iter()
            .find_map(|(applies, reason)| applies.then_some(reason))
    }

    pub fn text(self) -> &'static str {
        match self {
            FullPlan::Asked => "asked for (-Full)",
            FullPlan::NoState => "no state file",
            FullPlan::NotSettled => "the last run did not end cleanly (or there was none)",
            FullPlan::EveryAction => "every action is reported (-WhatIf, DryRun or -PassThru)",
            FullPlan::Deletes => "deletions to propagate",
        }
    }
}

/// `AUTOMATION_SYNCCONTACTS_FULL`: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`.
pub const FULL: &str = "AUTOMATION_SYNCCONTACTS_FULL";

/// `-Full`, else the variable (`-FromEnvironment` only), else off.
pub fn full_from_request(switch: bool, variables: Option<&dyn Fn(&str) -> Option<String>>) -> Result<bool> {
    let Some(text) = variables.and_then(|v| v(FULL)).filter(|v| !v.trim().is_empty()) else { return Ok(switch) };
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(switch),
        other => Err(ExoError::invalid_argument(FULL, format!("'{other}' is neither true nor false"))),
    }
}

/// Step 1 plans a user's folder when it changed, or when the hub lost contacts.
pub fn collects(user_changed: bool, hub_lost: bool) -> bool {
    user_changed || hub_lost
}

/// Step 2's sources for a user whose folder did not change: the positions in `hub` of the
/// contacts whose id is in `changed`, and of the other contacts sharing a key with one of
/// them (SyncId, primary email or display name, without case), in hub order.
pub fn distribute_sources(hub: &[Contact], changed: &HashSet<String>) -> Vec<usize> {
    let mut keys = HashSet::new();
    for contact in hub.iter().filter(|c| changed.contains(&c.id)) {
        keys.extend(key_set(contact));
    }
    (0..hub.len()).filter(|&i| changed.contains(&hub[i].id) || key_set(&hub[i]).iter().any(|k| keys.contains(k))).collect()
}

fn key_set(contact: &Contact) -> Vec<(u8, String)> {
    let keys = MatchKeys::of(contact);
    let mut set = Vec::with_capacity(3);
    if let Some(id) = keys.sync_id {
        set.push((0, id.to_lowercase()));
    }
    if let Some(email) = keys.email {
        set.push((1, email));
    }
    if let Some(name) = keys.display_name {
        set.push((2, name.to_lowercase()));
    }
    set
}

/// The positions in `targets` (id and SyncId, in folder order) of every target holding one of
/// the sources' SyncIds; `None` when a source shows no SyncId or no target holds it (the plan may
/// then match by email or name, or create: it needs the whole folder).
pub fn targets_by_sync_id(sources: &[Contact], targets: &[(String, Option<String>)]) -> Option<Vec<usize>> {
    let mut wanted = HashSet::new();
    for source in sources {
        if source.may_hide_sync_id() {
            return None;
        }
        wanted.insert(source.tags().sync_id?.to_lowercase());
    }
    let found: Vec<usize> = (0..targets.len()).filter(|&i| targets[i].1.as_ref().is_some_and(|s| wanted.contains(&s.to_lowercase()))).collect();
    let held: HashSet<String> = found.iter().filter_map(|&i| targets[i].1.as_ref().map(|s| s.to_lowercase())).collect();
    (held.len() == wanted.len()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::contact::tests::contact;

    const A: &str = "0b3f0e2c-4a1d-4f6b-9c8e-7d5a3b2c1e0a";
    const B: &str = "0b3f0e2c-4a1d-4f6b-9c8e-7d5a3b2c1e0b";

    fn tagged(id: &str, name: &str, email: Option<&str>, sync_id: &str) -> Contact {
        let mut c = contact(id, name, email);
        c.personal_notes = Some(format!("SyncId={sync_id};CreatedBy=alice"));
        c
    }

    #[test]
    fn step_2_plans_the_changed_contacts_and_those_sharing_a_key() {
        let hub = vec![
            tagged("h1", "Ann", Some("ann@x.com"), A),
            tagged("h2", "Bob", Some("bob@x.com"), B),
            contact("h3", "Carl", Some("ANN@x.com")),
            contact("h4", "bob", None),
        ];
        let changed: HashSet<String> = ["h3".to_string()].into();
        assert_eq!(distribute_sources(&hub, &changed), [0, 2], "h1 shares h3's address");
        let changed: HashSet<String> = ["h2".to_string()].into();
        assert_eq!(distribute_sources(&hub, &changed), [1, 3], "h4 shares h2's name, without case");
        assert!(distribute_sources(&hub, &HashSet::new()).is_empty());
    }

    #[test]
    fn targets_are_found_by_sync_id_or_the_whole_folder_is_needed() {
        let targets = vec![("t1".to_string(), Some(B.to_uppercase())), ("t2".to_string(), None), ("t3".to_string(), Some(A.into())), ("t4".to_string(), Some(B.into()))];
        let sources = vec![tagged("h1", "Ann", None, A), tagged("h2", "Bob", None, B)];
        assert_eq!(targets_by_sync_id(&sources, &targets), Some(vec![0, 2, 3]), "every holder, in folder order, without case");
        assert_eq!(targets_by_sync_id(&[contact("h", "New", None)], &targets), None, "no SyncId: may match by name");
        let unknown = tagged("h9", "Zed", None, "0b3f0e2c-4a1d-4f6b-9c8e-7d5a3b2c1eff");
        assert_eq!(targets_by_sync_id(&[sources[0].clone(), unknown], &targets), None, "a SyncId nobody holds: a create, or an email match");
    }

    #[test]
    fn the_first_reason_for_a_full_plan_wins() {
        assert_eq!(FullPlan::reason(false, true, true, false, false), None);
        assert_eq!(FullPlan::reason(true, false, false, true, true), Some(FullPlan::Asked));
        assert_eq!(FullPlan::reason(false, true, false, false, false), Some(FullPlan::NotSettled));
        assert_eq!(FullPlan::reason(false, true, true, true, false), Some(FullPlan::EveryAction));
        assert_eq!(FullPlan::reason(false, true, true, false, true), Some(FullPlan::Deletes));
        assert!(collects(false, true) && collects(true, false) && !collects(false, false));
    }

    #[test]
    fn the_full_variable_is_read_and_checked() {
        let set = |value: &'static str| move |name: &str| (name == FULL).then(|| value.to_string());
        assert!(full_from_request(false, Some(&set("TRUE"))).unwrap());
        assert!(!full_from_request(false, Some(&set("off"))).unwrap());
        assert!(full_from_request(true, Some(&set(""))).unwrap(), "the switch wins over an empty variable");
        assert!(!full_from_request(false, None).unwrap());
        let error = full_from_request(false, Some(&set("maybe"))).unwrap_err().to_string();
        assert!(error.contains(FULL) && error.contains("maybe"), "{error}");
    }
}
