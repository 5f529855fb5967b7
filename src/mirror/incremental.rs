//! What a run must plan when the state's last run settled (issue 19), pure.
//!
//! A settled run planned every pair and nothing failed, so afterwards every user's contact and
//! its counterpart in the hub (and every hub contact and its copy in each user's folder) are in
//! step: planned again, an unchanged pair gives only skips. So a run plans:
//!
//! - step 1 only for the users whose folder changed since (their whole folder against the hub);
//!   when the hub lost contacts (or was read whole) every user, since a lost contact is made again;
//! - step 2 in full for the users whose folder changed; for every other user only the hub
//!   contacts and the user's contacts [`connected`] to a hub contact that changed in this run
//!   (read by the hub's delta round or written by step 1) through shared keys: a source matches,
//!   claims or creates only by its keys, so outside that set the plan is the settled run's
//!   (skips), and inside it the planner sees every contact that can change its decisions. The
//!   user's keys come from the state's compact index; only the bodies of connected contacts
//!   are loaded.
//!
//! The full plan stays the reference: `tests/mirror_incremental_model.rs` drives random edits,
//! creates, deletes and killed runs through both and asserts the same writes.

use std::collections::{HashMap, HashSet};

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

/// A contact's match keys, without case (what the planner's index finds it by), and whether
/// its listed notes may hide a SyncId (the planner then reads it whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexKeys {
    pub sync_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub hides_sync_id: bool,
}

impl IndexKeys {
    pub fn of(contact: &Contact) -> IndexKeys {
        let keys = MatchKeys::of(contact);
        IndexKeys {
            sync_id: keys.sync_id.map(|s| s.to_lowercase()),
            email: keys.email,
            name: keys.display_name.map(|n| n.to_lowercase()),
            hides_sync_id: contact.may_hide_sync_id(),
        }
    }

    fn each(&self) -> impl Iterator<Item = (u8, &str)> {
        [(0, &self.sync_id), (1, &self.email), (2, &self.name)].into_iter().filter_map(|(kind, key)| key.as_deref().map(|k| (kind, k)))
    }
}

/// The hub's contacts by key, built once per run for every user's step 2.
pub struct HubKeys {
    keys: Vec<IndexKeys>,
    by_key: HashMap<(u8, String), Vec<usize>>,
}

impl HubKeys {
    pub fn new(hub: &[Contact]) -> HubKeys {
        let keys: Vec<IndexKeys> = hub.iter().map(IndexKeys::of).collect();
        let mut by_key: HashMap<(u8, String), Vec<usize>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            for (kind, key) in k.each() {
                by_key.entry((kind, key.to_string())).or_default().push(i);
            }
        }
        HubKeys { keys, by_key }
    }
}

/// What step 2 plans for a user whose folder did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partial {
    /// Nothing changed that reaches this user.
    Nothing,
    /// These hub contacts against these targets (positions, in order).
    Some { sources: Vec<usize>, targets: Vec<usize> },
    /// A target's listed notes may hide its SyncId: every hub contact against the whole folder.
    Whole,
}

/// The hub contacts and targets connected to a changed hub contact (`changed`: hub positions)
/// by shared keys, through contacts of either side. Only these can decide differently from the
/// last settled run: a source matches (and claims) only a target sharing a key with it, and a
/// contact it creates is found only by its keys.
pub fn connected(hub: &HubKeys, changed: &[usize], targets: &[IndexKeys]) -> Partial {
    if changed.is_empty() {
        return Partial::Nothing;
    }
    if targets.iter().any(|t| t.hides_sync_id) {
        return Partial::Whole;
    }
    let mut target_by_key: HashMap<(u8, &str), Vec<usize>> = HashMap::new();
    for (i, t) in targets.iter().enumerate() {
        for key in t.each() {
            target_by_key.entry(key).or_default().push(i);
        }
    }
    let (mut hub_seen, mut target_seen) = (vec![false; hub.keys.len()], vec![false; targets.len()]);
    let mut queue: Vec<(bool, usize)> = Vec::new();
    for &i in changed {
        if !hub_seen[i] {
            hub_seen[i] = true;
            queue.push((true, i));
        }
    }
    while let Some((on_hub, i)) = queue.pop() {
        let keys = if on_hub { &hub.keys[i] } else { &targets[i] };
        for (kind, key) in keys.each() {
            for &h in hub.by_key.get(&(kind, key.to_string())).into_iter().flatten() {
                if !std::mem::replace(&mut hub_seen[h], true) {
                    queue.push((true, h));
                }
            }
            for &t in target_by_key.get(&(kind, key)).into_iter().flatten() {
                if !std::mem::replace(&mut target_seen[t], true) {
                    queue.push((false, t));
                }
            }
        }
    }
    let pick = |seen: Vec<bool>| seen.into_iter().enumerate().filter_map(|(i, s)| s.then_some(i)).collect();
    Partial::Some { sources: pick(hub_seen), targets: pick(target_seen) }
}

/// The positions in `hub` of the contacts whose id is in `changed`.
pub fn positions(hub: &[Contact], changed: &HashSet<String>) -> Vec<usize> {
    (0..hub.len()).filter(|&i| changed.contains(&hub[i].id)).collect()
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
    fn step_2_plans_what_shares_a_key_with_a_change_through_either_side() {
        let hub = vec![
            tagged("h1", "Ann", Some("ann@x.com"), A),
            tagged("h2", "Bob", Some("bob@x.com"), B),
            contact("h3", "Carl", Some("carl@x.com")),
            contact("h4", "Dan", None),
        ];
        // t1 is h1's copy, but its address was changed to Carl's: it links h1 and h3.
        let targets = vec![
            IndexKeys::of(&tagged("t1", "Ann", Some("carl@x.com"), A)),
            IndexKeys::of(&tagged("t2", "Bob", Some("bob@x.com"), B)),
            IndexKeys::of(&contact("t3", "dan", None)),
        ];
        let keys = HubKeys::new(&hub);
        assert_eq!(connected(&keys, &[2], &targets), Partial::Some { sources: vec![0, 2], targets: vec![0] });
        assert_eq!(connected(&keys, &[3], &targets), Partial::Some { sources: vec![3], targets: vec![2] }, "names without case");
        assert_eq!(connected(&keys, &[], &targets), Partial::Nothing);
        let mut hiding = tagged("t4", "Eve", None, A);
        hiding.personal_notes = Some("x".repeat(300));
        assert_eq!(connected(&keys, &[1], &[IndexKeys::of(&hiding)]), Partial::Whole);
        let changed: HashSet<String> = ["h4".to_string()].into();
        assert_eq!(positions(&hub, &changed), [3]);
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
