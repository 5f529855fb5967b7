//! The state file itself: round trips, the lock, and files that are not ours.

use serde_json::json;

use super::*;

fn temp(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!("exokit-state-{}-{}", std::process::id(), name));
    let _ = std::fs::remove_dir_all(&directory);
    directory.join("nested").join("state.sqlite")
}

fn key(mailbox: &str) -> FolderKey {
    FolderKey { tenant: "contoso".into(), mailbox: mailbox.into(), folder: String::new() }
}

#[test]
fn a_saved_round_reads_back_in_order_and_only_for_its_endpoint() {
    let path = temp("roundtrip");
    let store = StateStore::open(&path).unwrap();
    let mut snapshot = FolderSnapshot::default();
    let changes = snapshot.apply(vec![json!({"id": "b", "givenName": "B"}), json!({"id": "a", "givenName": "A"})]);
    store.save_folder(&key("u1"), "http://graph", "link-1", &snapshot, &changes, true).unwrap();
    let changes = snapshot.apply(vec![json!({"id": "b", "@removed": {}}), json!({"id": "c", "givenName": "C"}), json!({"id": "a", "givenName": "A2"})]);
    store.save_folder(&key("u1"), "http://graph", "link-2", &snapshot, &changes, false).unwrap();
    drop(store);
    let store = StateStore::open(&path).unwrap();
    let saved = store.folder(&key("u1"), "http://graph").unwrap().expect("saved");
    assert_eq!(saved.delta_link, "link-2");
    assert_eq!(saved.snapshot, snapshot, "the file holds what the snapshot holds, in its order");
    assert_eq!(store.folder(&key("u1"), "http://other").unwrap(), None);
    assert_eq!(store.folder(&key("u2"), "http://graph").unwrap(), None);
    let summary = store.summary().unwrap();
    assert_eq!((summary.len(), summary[0].contacts), (1, 2));
    assert_eq!(summary[0].upn, None, "no run named the mailbox: the summary falls back to its id");
    store.set_mailbox_names("contoso", &[("u1".into(), "u1@contoso.com".into())]).unwrap();
    assert_eq!(store.summary().unwrap()[0].upn.as_deref(), Some("u1@contoso.com"));
    assert_eq!(store.tombstones("contoso").unwrap(), Vec::<(String, String, String)>::new(), "b had no SyncId: no tombstone");
    store.forget_folder(&key("u1")).unwrap();
    assert_eq!(store.folder(&key("u1"), "http://graph").unwrap(), None);
}

#[test]
fn a_synced_contact_that_leaves_a_folder_leaves_a_tombstone_until_cleared() {
    let store = StateStore::open(&temp("tombstones")).unwrap();
    let sync = "0b3f0e2c-4a1d-4f6b-9c8e-7d5a3b2c1e0f";
    let mut snapshot = FolderSnapshot::default();
    let changes = snapshot.apply(vec![json!({"id": "a", "personalNotes": format!("SyncId={sync}")}), json!({"id": "b"})]);
    store.save_folder(&key("u1"), "e", "l1", &snapshot, &changes, true).unwrap();
    let changes = snapshot.apply(vec![json!({"id": "a", "@removed": {}}), json!({"id": "b", "@removed": {}})]);
    store.save_folder(&key("u1"), "e", "l2", &snapshot, &changes, false).unwrap();
    assert_eq!(store.tombstones("contoso").unwrap(), [("u1".to_string(), String::new(), sync.to_string())]);
    store.clear_tombstones("contoso").unwrap();
    assert!(store.tombstones("contoso").unwrap().is_empty());
}

#[test]
fn the_hub_folder_id_is_remembered_by_name_without_case() {
    let store = StateStore::open(&temp("hub")).unwrap();
    store.set_hub_folder("contoso", "hub-id", "All Contacts", Some("folder-1")).unwrap();
    assert_eq!(store.hub_folder("contoso", "hub-id", "all contacts").unwrap().as_deref(), Some("folder-1"));
    store.set_hub_folder("contoso", "hub-id", "All Contacts", None).unwrap();
    assert_eq!(store.hub_folder("contoso", "hub-id", "All Contacts").unwrap(), None);
}

#[test]
fn a_second_open_of_the_same_file_is_refused_while_the_first_lives() {
    let path = temp("lock");
    let first = StateStore::open(&path).unwrap();
    let error = StateStore::open(&path).unwrap_err();
    assert!(matches!(error, ExoError::State { busy: true, .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()) && message.contains("in use by another"), "{message}");
    drop(first);
    StateStore::open(&path).expect("free again once the first run ends");
}

#[test]
fn a_corrupt_file_names_itself_and_the_way_out_and_is_left_alone() {
    let path = temp("corrupt");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage = "this is not a database, it is a text file that happens to be long enough to have a header".repeat(20);
    std::fs::write(&path, &garbage).unwrap();
    let message = StateStore::open(&path).unwrap_err().to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("Reset-ContactMirrorState") && message.contains("delete the file"), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), garbage, "never overwritten");
    assert!(reset(&path).unwrap(), "Reset deletes it");
    assert!(!path.exists());
    StateStore::open(&path).expect("a fresh file after the reset");
}

#[test]
fn another_applications_database_is_refused() {
    let path = temp("foreign");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    rusqlite::Connection::open(&path).unwrap().execute_batch("CREATE TABLE photos (name TEXT)").unwrap();
    let message = StateStore::open(&path).unwrap_err().to_string();
    assert!(message.contains("not an ExoKit state file") && message.contains(&path.display().to_string()), "{message}");
}

#[test]
fn reset_refuses_a_file_in_use_and_reports_a_missing_one() {
    let path = temp("reset");
    assert!(!reset(&path).unwrap());
    let store = StateStore::open(&path).unwrap();
    assert!(matches!(reset(&path), Err(ExoError::State { busy: true, .. })));
    drop(store);
    assert!(reset(&path).unwrap());
}

#[cfg(unix)]
#[test]
fn the_store_creates_a_private_folder_and_file_and_keeps_its_journal_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let path = temp("private");
    let store = StateStore::open(&path).unwrap();
    let mut snapshot = FolderSnapshot::default();
    let changes = snapshot.apply(vec![json!({"id": "a", "givenName": "A"})]);
    store.save_folder(&key("u1"), "http://graph", "link-1", &snapshot, &changes, true).unwrap();
    assert_eq!(mode(path.parent().unwrap()), 0o700, "the folder ExoKit created");
    let present: Vec<_> = privacy::files(&path).into_iter().filter(|f| f.exists()).collect();
    assert!(!present.is_empty());
    for file in &present {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    drop(store);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _store = StateStore::open(&path).unwrap();
    assert_eq!(mode(&path), 0o600, "an existing file readable by others is tightened");
}
