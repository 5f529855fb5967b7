//! `-PropagateDeletes` and `-MaxDeletes` against the sandbox: the three cases of the issue, the
//! limit, and nothing deleted without the switch.

mod mirror_support;

use std::path::{Path, PathBuf};

use exokit::mirror::apply::{ConfigSource, Deletes, Invocation};
use exokit::ops::{Event, Operation, Record};
use exokit_sandbox::Sandbox;
use mirror_support::*;

fn state_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("exokit-mirror-deletes-{}-{name}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn run(state: &Path, deletes: Deletes) -> Vec<Event> {
    run_as(state, deletes, false)
}

fn run_as(state: &Path, deletes: Deletes, what_if: bool) -> Vec<Event> {
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if, pass_thru: true, state: Some(state.to_path_buf()), deletes, full: false })).wait()
}

fn clean(state: &Path, deletes: Deletes) -> Vec<Event> {
    let events = run(state, deletes);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    events
}

const ON: Deletes = Deletes { propagate: true, max: 10, repair: false };
const OFF: Deletes = Deletes { propagate: false, max: 10, repair: false };

/// Ann is user 0's (she collects first), Bo user 0's, Cy user 1's; user 2 holds Ann too.
fn synced(name: &str) -> (Sandbox, PathBuf) {
    let sandbox = start(seed(
        vec![
            vec![contact("Ann", "Lee", Some("ann@fabrikam.com")), contact("Bo", "Ray", Some("bo@fabrikam.com"))],
            vec![contact("Cy", "Moe", Some("cy@fabrikam.com"))],
            vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))],
        ],
        None,
    ));
    let state = state_file(name);
    clean(&state, OFF); // first sync
    clean(&state, OFF); // the state reads the tags the first sync wrote
    (sandbox, state)
}

/// Deletes the contact with this email from a mailbox's default folder (`folder: None`) or the hub.
fn remove(sandbox: &Sandbox, user: &str, hub_folder: bool, email: &str) {
    let mailbox = sandbox.state.tenants[0].mailboxes.of(user).unwrap();
    let mut mailbox = mailbox.lock().unwrap();
    let root = mailbox.root_id.clone();
    let folder = if hub_folder { mailbox.children(&root).into_iter().find(|f| f.display_name == "All Contacts").unwrap().id } else { root };
    let id = mailbox
        .contacts_in(&folder)
        .iter()
        .find(|c| c.properties["emailAddresses"][0]["address"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(email)))
        .map(|c| c.id.clone())
        .expect("the contact");
    assert!(mailbox.delete_contact(&id));
}

fn everyone(sandbox: &Sandbox) -> Vec<Vec<String>> {
    let mut all = vec![emails(&held(sandbox, HUB, Some("All Contacts")))];
    all.extend((0..3).map(|n| emails(&held(sandbox, &user_id(n), None))));
    all
}

fn deletes(events: &[Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Record(Record::MirrorAction(a)) if a.action == "Delete" => Some((a.mailbox.clone(), a.outcome.clone(), a.reason.clone().unwrap_or_default())),
            _ => None,
        })
        .collect()
}

fn deleted_requests(sandbox: &Sandbox) -> usize {
    sandbox.state.requests().iter().filter(|r| r.method == "DELETE").count()
}

#[test]
fn a_contact_its_creator_deleted_leaves_the_hub_and_every_user() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("creator");
    remove(&sandbox, &user_id(0), false, "bo@fabrikam.com");
    let events = clean(&state, ON);
    let without_bo = vec!["ann@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![without_bo; 4]);
    let listed = deletes(&events);
    assert_eq!(listed.len(), 3, "the hub, user 1 and user 2: {listed:?}");
    assert!(listed.iter().all(|(_, outcome, reason)| outcome == "Done" && reason == &format!("deleted by its creator {}", upn(0))), "{listed:?}");
    assert!(lines(&events).iter().any(|l| l.starts_with("Deleted: Bo Ray from ")), "{:?}", lines(&events));
    sandbox.state.clear_requests();
    clean(&state, ON);
    assert_eq!(deleted_requests(&sandbox), 0, "the next run has nothing left to delete");
    assert_eq!(writes(&sandbox), Vec::<String>::new());
}

#[test]
fn a_user_who_holds_the_contact_as_their_own_keeps_it_and_it_comes_back() {
    // User 2 had Ann before the mirror did (never tagged: her own contact, not a copy), so when
    // Ann's creator deletes her, user 2's Ann is not the mirror's to delete and is collected again.
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("own");
    remove(&sandbox, &user_id(0), false, "ann@fabrikam.com");
    let events = clean(&state, ON);
    let listed = deletes(&events);
    assert_eq!(listed.iter().map(|(mailbox, _, _)| mailbox.as_str()).collect::<Vec<_>>(), [HUB_UPN.to_string(), upn(1)], "{listed:?}");
    let all = vec!["ann@fabrikam.com".to_string(), "bo@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![all; 4]);
    let hub = held(&sandbox, HUB, Some("All Contacts"));
    let ann = hub.iter().find(|c| c["emailAddresses"][0]["address"] == "ann@fabrikam.com").unwrap();
    assert!(ann["personalNotes"].as_str().unwrap().contains(&format!("CreatedBy={}", upn(2))), "{ann}");
}

#[test]
fn a_contact_deleted_from_the_shared_folder_leaves_the_other_users_never_its_creators_original() {
    // Cy is user 1's own contact (tagged by the write-back, never a copy): untagged, not deleted.
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("hub");
    let original = held(&sandbox, &user_id(1), None).into_iter().find(|c| c["emailAddresses"][0]["address"] == "cy@fabrikam.com").unwrap();
    remove(&sandbox, HUB, true, "cy@fabrikam.com");
    sandbox.state.clear_requests();
    let events = clean(&state, ON);
    let listed = untags_and_deletes(&events);
    assert_eq!(
        listed,
        [
            ("Delete".to_string(), upn(0), "Done".to_string()),
            ("Untag".to_string(), upn(1), "Done".to_string()),
            ("Delete".to_string(), upn(2), "Done".to_string())
        ],
        "{:?}",
        lines(&events)
    );
    assert!(deletes(&events).iter().all(|(_, _, reason)| reason == "deleted from the shared folder"), "{:?}", deletes(&events));
    let deleted = sandbox.state.requests().into_iter().filter(|r| r.method == "DELETE").map(|r| r.path).collect::<Vec<_>>();
    assert!(!deleted.iter().any(|p| p.contains(original["id"].as_str().unwrap())), "the creator's original was deleted: {deleted:?}");
    let kept = held(&sandbox, &user_id(1), None).into_iter().find(|c| c["id"] == original["id"]).expect("user 1's own Cy is kept");
    // Untagged, then shared again by step 1 as user 1's own contact (a new SyncId, created by them).
    let notes = kept["personalNotes"].as_str().unwrap_or("");
    assert!(notes.contains(&format!("CreatedBy={}", upn(1))), "{notes}");
    assert_ne!(sync_id(notes), sync_id(original["personalNotes"].as_str().unwrap()), "the old tag went");
    assert!(lines(&events).iter().any(|l| l.starts_with("Untagged: Cy Moe in ") && l.contains("the user's own contact is kept")), "{:?}", lines(&events));
    // Untagged, it is a user's contact like any other: step 1 shares it again.
    let all = vec!["ann@fabrikam.com".to_string(), "bo@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![all; 4]);
}

fn sync_id(notes: &str) -> String {
    notes.split("SyncId=").nth(1).unwrap_or("").chars().take(36).collect()
}

/// Deletes and untags in the order listed: (action, mailbox, outcome).
fn untags_and_deletes(events: &[Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Record(Record::MirrorAction(a)) if a.action == "Delete" || a.action == "Untag" => Some((a.action.to_string(), a.mailbox.clone(), a.outcome.clone())),
            _ => None,
        })
        .collect()
}

/// Edits a contact of a user's default folder found by display name (the `edit` helper finds by email).
fn edit_named(sandbox: &Sandbox, user: &str, name: &str, patch: serde_json::Value) {
    let mailbox = sandbox.state.tenants[0].mailboxes.of(user).unwrap();
    let mut mailbox = mailbox.lock().unwrap();
    let root = mailbox.root_id.clone();
    let id = mailbox.contacts_in(&root).iter().find(|c| c.properties["displayName"] == name).map(|c| c.id.clone()).expect("the contact");
    sandbox.state.advance_clock(std::time::Duration::from_secs(3600));
    mailbox.update_contact(&id, &patch, sandbox.state.now()).unwrap();
    drop(mailbox);
    sandbox.state.advance_clock(std::time::Duration::from_secs(3600));
}

fn remove_named(sandbox: &Sandbox, user: &str, name: &str) {
    let mailbox = sandbox.state.tenants[0].mailboxes.of(user).unwrap();
    let mut mailbox = mailbox.lock().unwrap();
    let root = mailbox.root_id.clone();
    let id = mailbox.contacts_in(&root).iter().find(|c| c.properties["displayName"] == name).map(|c| c.id.clone()).expect("the contact");
    assert!(mailbox.delete_contact(&id));
}

#[test]
fn a_users_own_contact_matched_by_email_or_name_and_tagged_is_untagged_never_deleted() {
    // Issue 21: alice (user 0) owns Bob Partner and Pat Noemail; carol (user 2) owns her own Bob
    // Partner (same address) and her own Pat Noemail (no address: matched by name), made before any
    // run. Two runs, an edit of alice's, a third run (which updates carol's and tags them), then
    // alice deletes hers.
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let with_note = |mut c: serde_json::Value, note: &str| {
        c["personalNotes"] = serde_json::json!(note);
        c
    };
    let sandbox = start(seed(
        vec![
            vec![with_note(contact("Bob", "Partner", Some("bob@partner.com")), "alice's Bob"), with_note(contact("Pat", "Noemail", None), "alice's Pat")],
            vec![contact("Eve", "Vendor", Some("eve@vendor.com"))],
            vec![with_note(contact("Bob", "Partner", Some("bob@partner.com")), "carol's own Bob"), with_note(contact("Pat", "Noemail", None), "carol's own Pat")],
        ],
        None,
    ));
    let state = state_file("own-tagged");
    clean(&state, ON);
    clean(&state, ON);
    edit(&sandbox, &user_id(0), "bob@partner.com", serde_json::json!({"jobTitle": "Partner manager"}));
    edit_named(&sandbox, &user_id(0), "Pat Noemail", serde_json::json!({"jobTitle": "Buyer"}));
    clean(&state, ON);
    let carols = || held(&sandbox, &user_id(2), None).into_iter().filter(|c| c["surname"] == "Partner" || c["surname"] == "Noemail").collect::<Vec<_>>();
    let before = carols();
    assert_eq!(before.len(), 2);
    assert!(before.iter().all(|c| c["personalNotes"].as_str().unwrap().contains("SyncId=")), "the setup: carol's own contacts were tagged by an update: {before:#?}");
    remove(&sandbox, &user_id(0), false, "bob@partner.com");
    remove_named(&sandbox, &user_id(0), "Pat Noemail");
    sandbox.state.clear_requests();
    let events = clean(&state, ON);
    let deleted = sandbox.state.requests().into_iter().filter(|r| r.method == "DELETE").map(|r| r.path).collect::<Vec<_>>();
    for own in &before {
        let id = own["id"].as_str().unwrap();
        assert!(!deleted.iter().any(|p| p.contains(id)), "carol's own {} was deleted: {deleted:?}", own["displayName"]);
        let now = held(&sandbox, &user_id(2), None).into_iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("carol's own {} is gone", own["displayName"]));
        // Untagged (alice's tag removed, her text kept), then shared again by step 1 as carol's.
        let notes = now["personalNotes"].as_str().unwrap_or("");
        let (text, tag) = notes.split_once("\r\n").unwrap_or((notes, ""));
        assert!(text == "carol's own Bob" || text == "carol's own Pat", "her text kept as it was: {notes:?}");
        assert!(tag.contains(&format!("CreatedBy={}", upn(2))) && !tag.contains(&upn(0)), "alice's tag is gone: {notes:?}");
        assert_ne!(sync_id(notes), sync_id(own["personalNotes"].as_str().unwrap()));
    }
    let listed = untags_and_deletes(&events);
    let carol: Vec<_> = listed.iter().filter(|(_, mailbox, _)| mailbox == &upn(2)).collect();
    assert_eq!(carol.len(), 2, "{listed:?}");
    assert!(carol.iter().all(|(action, _, outcome)| action == "Untag" && outcome == "Done"), "{listed:?}");
    assert!(listed.iter().filter(|(_, mailbox, _)| mailbox == &upn(1) || mailbox == HUB_UPN).all(|(action, _, _)| action == "Delete"), "the copies the mirror made: {listed:?}");
    assert!(lines(&events).iter().any(|l| l.starts_with(&format!("Untagged: Bob Partner in {}", upn(2))) && l.contains(&format!("deleted by its creator {}", upn(0)))), "{:?}", lines(&events));
}

#[test]
fn a_copy_another_user_deleted_is_restored() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("restore");
    remove(&sandbox, &user_id(1), false, "bo@fabrikam.com");
    let events = clean(&state, ON);
    let all = vec!["ann@fabrikam.com".to_string(), "bo@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![all; 4], "the hub is the truth");
    assert!(deletes(&events).is_empty(), "{:?}", deletes(&events));
}

#[test]
fn without_the_switch_nothing_is_deleted_and_the_creators_delete_is_undone() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("off");
    remove(&sandbox, &user_id(0), false, "ann@fabrikam.com");
    remove(&sandbox, HUB, true, "cy@fabrikam.com");
    sandbox.state.clear_requests();
    let events = clean(&state, OFF);
    assert_eq!(deleted_requests(&sandbox), 0);
    assert!(deletes(&events).is_empty());
    let all = vec!["ann@fabrikam.com".to_string(), "bo@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![all; 4]);
    // The tombstones were dealt with (by restoring): turning the switch on later deletes nothing.
    sandbox.state.clear_requests();
    clean(&state, ON);
    assert_eq!(deleted_requests(&sandbox), 0);
}

#[test]
fn more_deletes_than_the_limit_deletes_nothing_writes_nothing_and_fails_the_run() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("limit");
    remove(&sandbox, &user_id(0), false, "bo@fabrikam.com"); // the hub, users 1 and 2
    remove(&sandbox, &user_id(1), false, "cy@fabrikam.com"); // the hub, users 0 and 2
    let before = everyone(&sandbox);
    sandbox.state.clear_requests();
    let events = run(&state, Deletes { propagate: true, max: 5, repair: false });
    let errors = errors(&events);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0].to_string();
    assert!(message.contains("would delete 6 contacts") && message.contains("nothing was deleted") && message.contains("-MaxDeletes"), "{message}");
    assert_eq!(deleted_requests(&sandbox), 0);
    assert_eq!(writes(&sandbox), Vec::<String>::new(), "nor anything else: the steps would undo the deletes");
    assert_eq!(everyone(&sandbox), before);
    assert_eq!(deletes(&events).len(), 6, "every delete is still listed");
    assert!(deletes(&events).iter().all(|(_, outcome, _)| outcome == "NotDeleted"));
    // With a high enough limit the same deletes go through; the refused run was not a crash.
    let events = clean(&state, Deletes { propagate: true, max: 6, repair: false });
    assert!(!lines(&events).iter().any(|l| l.starts_with("Resuming")), "{:?}", lines(&events));
    assert_eq!(everyone(&sandbox), vec![vec!["ann@fabrikam.com".to_string()]; 4]);
}


#[test]
fn what_if_lists_the_deletes_changes_nothing_and_forgets_nothing() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("whatif");
    remove(&sandbox, &user_id(0), false, "bo@fabrikam.com");
    let before = everyone(&sandbox);
    sandbox.state.clear_requests();
    for mode in [OFF, ON] {
        let events = run_as(&state, mode, true);
        assert!(errors(&events).is_empty(), "{:?}", errors(&events));
        let listed = deletes(&events);
        assert_eq!(listed.len(), if mode.propagate { 3 } else { 0 }, "{listed:?}");
        assert!(listed.iter().all(|(_, outcome, _)| outcome == "WhatIf"));
    }
    assert_eq!(writes(&sandbox), Vec::<String>::new());
    assert_eq!(everyone(&sandbox), before);
    clean(&state, ON);
    let without_bo = vec!["ann@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![without_bo; 4], "the real run still knows what Bo's creator did");
}

#[test]
fn a_creators_delete_is_still_seen_when_the_delta_link_is_refused() {
    // 410 SyncStateNotFound: the creator's folder is read whole again, and the contact that left it
    // since the last run must still become a tombstone, or step 2 would silently restore it.
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (sandbox, state) = synced("gone-410");
    remove(&sandbox, &user_id(0), false, "bo@fabrikam.com");
    for tenant in &sandbox.state.tenants {
        tenant.mailboxes.evict_all_delta_states();
    }
    sandbox.state.clear_requests();
    let events = clean(&state, ON);
    assert!(sandbox.state.requests().iter().any(|r| r.status == 410), "the links were refused");
    let without_bo = vec!["ann@fabrikam.com".to_string(), "cy@fabrikam.com".to_string()];
    assert_eq!(everyone(&sandbox), vec![without_bo; 4], "{:?}", lines(&events));
    assert_eq!(deletes(&events).len(), 3, "{:?}", deletes(&events));
}

fn warnings(events: &[Event]) -> Vec<&str> {
    events.iter().filter_map(|e| if let Event::Warning(w) = e { Some(w.as_str()) } else { None }).collect()
}

#[test]
fn duplicates_left_from_before_are_reported_and_repaired_only_on_request_never_a_users_own() {
    // The original script left Ann twice in the shared folder (one SyncId); user 1 holds two
    // contacts of their own with another SyncId (never the mirror's: reported, not deleted).
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    const ANN: &str = "SyncId=1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d;CreatedBy=user0@contoso.onmicrosoft.com;LastUpdatedAt=2026-01-01T00:00:00.0000000Z;LastUpdatedBy=user0@contoso.onmicrosoft.com";
    const BO: &str = "SyncId=2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d;CreatedBy=user0@contoso.onmicrosoft.com;LastUpdatedAt=2026-01-01T00:00:00.0000000Z;LastUpdatedBy=user0@contoso.onmicrosoft.com";
    let tagged = |given: &str, surname: &str, email: &str, tag: &str| {
        let mut c = contact(given, surname, Some(email));
        c["personalNotes"] = serde_json::json!(tag);
        c
    };
    let ann = tagged("Ann", "Lee", "ann@fabrikam.com", ANN);
    let sandbox = start(seed(
        vec![vec![ann.clone()], vec![tagged("Bo", "Ray", "bo@fabrikam.com", BO), tagged("Bo", "Ray", "bo.ray@fabrikam.com", BO)]],
        Some(vec![ann.clone(), ann]),
    ));
    let state = state_file("duplicates");
    let events = clean(&state, OFF);
    let found = warnings(&events);
    let hub_warning = found.iter().find(|w| w.contains("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d") && w.contains(HUB_UPN)).unwrap_or_else(|| panic!("{found:?}"));
    let hub_ids: Vec<String> = held(&sandbox, HUB, Some("All Contacts")).iter().filter(|c| c["surname"] == "Lee").map(|c| c["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(hub_ids.len(), 2, "nothing repaired without the switch");
    assert!(hub_ids.iter().all(|id| hub_warning.contains(id.as_str())), "the warning names both: {hub_warning}");
    sandbox.state.clear_requests();
    let events = clean(&state, Deletes { repair: true, ..OFF });
    // Users' folders are searched for duplicates when they are all in memory (-RepairDuplicates).
    let found = warnings(&events);
    assert!(found.iter().any(|w| w.contains("2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d") && w.contains(&upn(1))), "{found:?}");
    let left: Vec<String> = held(&sandbox, HUB, Some("All Contacts")).iter().filter(|c| c["surname"] == "Lee").map(|c| c["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(left, hub_ids[..1], "the later copy went, the older stayed: {:?}", lines(&events));
    assert!(lines(&events).iter().any(|l| l.starts_with("Deleted the duplicate: Ann Lee from")), "{:?}", lines(&events));
    let bos = held(&sandbox, &user_id(1), None).into_iter().filter(|c| c["surname"] == "Ray").count();
    assert!(bos >= 2, "user 1's own contacts are never deleted as duplicates");
    let deleted = sandbox.state.requests().into_iter().filter(|r| r.method == "DELETE").count();
    assert_eq!(deleted, 1);
}
