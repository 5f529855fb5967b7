use serde_json::json;

use super::*;
use crate::mirror::contact::NotesRead;

const S1: &str = "11111111-1111-4111-8111-111111111111";
const S2: &str = "22222222-2222-4222-8222-222222222222";

fn tagged(id: &str, sync_id: &str, created_by: &str) -> Contact {
    let notes = format!("SyncId={sync_id};CreatedBy={created_by};LastUpdatedAt=2026-01-01T00:00:00Z;LastUpdatedBy={created_by}");
    Contact::from_graph(&json!({"id": id, "displayName": id, "personalNotes": notes}), NotesRead::Full, "test").unwrap()
}

fn plain(id: &str) -> Contact {
    Contact::from_graph(&json!({"id": id, "displayName": id}), NotesRead::Full, "test").unwrap()
}

fn stone(mailbox: &str, hub: bool, sync_id: &str) -> Tombstone {
    Tombstone { mailbox: mailbox.into(), hub, sync_id: sync_id.into() }
}

fn ids(planned: &[PlannedDelete]) -> Vec<(String, String, String)> {
    planned.iter().map(|d| (d.mailbox.clone(), d.contact_id.clone(), d.reason.text())).collect()
}

struct World {
    hub: Vec<Contact>,
    ann: Vec<Contact>,
    bo: Vec<Contact>,
}

fn world() -> World {
    World {
        hub: vec![tagged("h1", S1, "ann@contoso.com"), tagged("h2", S2, "bo@contoso.com")],
        // Ann deleted her S1 (the creator's copy); she still holds Bo's S2.
        ann: vec![tagged("a2", S2, "bo@contoso.com"), plain("a-own")],
        bo: vec![tagged("b1", S1, "ann@contoso.com"), tagged("b2", S2, "bo@contoso.com")],
    }
}

fn run(world: &World, tombstones: &[Tombstone]) -> Vec<PlannedDelete> {
    let hub = Holder { id: "hub", name: "allcontacts@contoso.com", contacts: &world.hub };
    let users = [
        Holder { id: "ann-id", name: "ann@contoso.com", contacts: &world.ann },
        Holder { id: "bo-id", name: "bo@contoso.com", contacts: &world.bo },
    ];
    // The mirror created the hub's copies and each user's copy of the other's contact; b2 is Bo's
    // own original (tagged by the write-back), a-own Ann's own contact.
    let owns = |mailbox: &str, id: &str| matches!((mailbox, id), ("hub", _) | ("ann-id", "a2") | ("bo-id", "b1"));
    plan(tombstones, &hub, &users, &owns)
}

#[test]
fn a_contact_its_creator_deleted_leaves_the_hub_then_every_user() {
    let planned = run(&world(), &[stone("ann-id", false, S1)]);
    let reason = "deleted by its creator ann@contoso.com".to_string();
    assert_eq!(ids(&planned), [("hub".into(), "h1".into(), reason.clone()), ("bo-id".into(), "b1".into(), reason)]);
    assert!(planned[0].hub && !planned[1].hub);
    assert!(planned.iter().all(|d| !d.untag), "both are copies the mirror created");
}

#[test]
fn a_contact_deleted_from_the_hub_leaves_every_user() {
    let mut world = world();
    world.hub.retain(|c| c.id != "h2");
    let planned = run(&world, &[stone("hub", true, S2)]);
    let reason = "deleted from the shared folder".to_string();
    assert_eq!(ids(&planned), [("ann-id".into(), "a2".into(), reason.clone()), ("bo-id".into(), "b2".into(), reason)]);
    assert!(!planned[0].untag, "Ann's copy is the mirror's: deleted");
    assert!(planned[1].untag, "Bo's original is his own: untagged, never deleted");
    assert_eq!(deletions(&planned), 1);
}

#[test]
fn a_users_own_contact_tagged_by_a_match_is_untagged_when_its_creator_deletes() {
    // Bo held S1 before the mirror ran (matched by email or name, then tagged): not a copy.
    let world = world();
    let hub = Holder { id: "hub", name: "allcontacts@contoso.com", contacts: &world.hub };
    let users = [
        Holder { id: "ann-id", name: "ann@contoso.com", contacts: &world.ann },
        Holder { id: "bo-id", name: "bo@contoso.com", contacts: &world.bo },
    ];
    let owns = |mailbox: &str, _: &str| mailbox == "hub";
    let planned = plan(&[stone("ann-id", false, S1)], &hub, &users, &owns);
    assert_eq!(planned.iter().map(|d| (d.contact_id.as_str(), d.untag)).collect::<Vec<_>>(), [("h1", false), ("b1", true)]);
}

#[test]
fn a_copy_another_user_deleted_is_not_deleted_anywhere() {
    // Ann deleted Bo's S2: the hub keeps it and step 2 gives it back to her.
    let mut world = world();
    world.ann.retain(|c| c.id != "a2");
    assert_eq!(run(&world, &[stone("ann-id", false, S2)]), Vec::new());
}

#[test]
fn a_tombstone_whose_contact_is_gone_everywhere_plans_nothing_and_each_contact_once() {
    let planned = run(&world(), &[stone("ann-id", false, S1), stone("ann-id", false, S1), stone("hub", true, "33333333-3333-4333-8333-333333333333")]);
    assert_eq!(planned.len(), 2, "{planned:?}");
}

#[test]
fn the_switch_and_the_limit_come_from_parameters_then_variables() {
    let vars = |name: &str| match name {
        PROPAGATE_DELETES => Some("yes".to_string()),
        MAX_DELETES => Some(" 25 ".to_string()),
        _ => None,
    };
    assert_eq!(Deletes::from_request(false, -1, false, None).unwrap(), Deletes { propagate: false, max: DEFAULT_MAX_DELETES, repair: false });
    assert_eq!(Deletes::from_request(false, -1, false, Some(&vars)).unwrap(), Deletes { propagate: true, max: 25, repair: false });
    assert_eq!(Deletes::from_request(true, 3, true, Some(&vars)).unwrap(), Deletes { propagate: true, max: 3, repair: true });
    let repair = |name: &str| (name == REPAIR_DUPLICATES).then(|| "on".to_string());
    assert!(Deletes::from_request(false, -1, false, Some(&repair)).unwrap().repair);
    let bad = |name: &str| (name == REPAIR_DUPLICATES).then(|| "sometimes".to_string());
    assert!(Deletes::from_request(false, -1, false, Some(&bad)).unwrap_err().to_string().contains(REPAIR_DUPLICATES));
    let bad = |name: &str| (name == PROPAGATE_DELETES).then(|| "maybe".to_string());
    let error = Deletes::from_request(false, -1, false, Some(&bad)).unwrap_err().to_string();
    assert!(error.contains(PROPAGATE_DELETES) && error.contains("maybe"), "{error}");
    let bad = |name: &str| (name == MAX_DELETES).then(|| "ten".to_string());
    assert!(Deletes::from_request(false, -1, false, Some(&bad)).unwrap_err().to_string().contains(MAX_DELETES));
}
