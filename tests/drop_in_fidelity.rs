//! Where the drop-in must do what the original script does, or what Graph documents (issue 22):
//! delta reads only on the documented per-folder endpoint, and an address's display name is
//! part of what decides that a contact changed.

mod mirror_support;

use exokit::mirror::apply::{ConfigSource, Invocation};
use exokit::ops::{Event, Operation};
use mirror_support::*;
use serde_json::json;

fn state_file(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("exokit-fidelity-{}-{name}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn run(state: Option<&std::path::PathBuf>) -> Vec<Event> {
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    let events = Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if: false, pass_thru: true, state: state.cloned(), deletes: Default::default(), full: false })).wait();
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    events
}

fn two_users() -> exokit_sandbox::Seed {
    seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![contact("Bo", "Ray", Some("bo@fabrikam.com"))]], None)
}

#[test]
fn every_delta_read_names_its_folder_and_the_default_one_by_its_well_known_name() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(two_users());
    let state = state_file("delta-form");
    run(Some(&state));
    run(Some(&state));
    let deltas: Vec<String> = sandbox.state.requests().into_iter().map(|r| r.path).filter(|p| p.contains("/delta")).collect();
    assert!(!deltas.is_empty());
    for path in &deltas {
        let parts: Vec<&str> = path.split('?').next().unwrap().split('/').collect();
        // ["", "v1.0", "users", "{u}", "contactFolders", "{f}", "contacts", "delta"]
        assert_eq!((parts.len(), parts[4], parts[6], parts[7]), (8, "contactFolders", "contacts", "delta"), "{path}");
    }
    assert!(deltas.iter().any(|p| p.contains("/contactFolders/contacts/contacts/delta")), "the default folder by name: {deltas:#?}");
}

#[test]
fn an_address_whose_name_changed_is_updated_and_tagged_like_the_original_does() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(two_users());
    run(None);
    edit(&sandbox, &user_id(0), "ann@fabrikam.com", json!({"emailAddresses": [{"address": "ann@fabrikam.com", "name": "Ann Lee (Sales)"}]}));
    let events = run(None);
    let collect = &summaries(&events)[0];
    assert_eq!(collect.totals.updated, 1, "{:?}", lines(&events));
    let hub = held(&sandbox, HUB, Some("All Contacts"));
    let ann = hub.iter().find(|c| c["emailAddresses"][0]["address"] == "ann@fabrikam.com").unwrap();
    assert_eq!(ann["emailAddresses"][0]["name"], "Ann Lee (Sales)");
    let bo = held(&sandbox, &user_id(1), None);
    let copy = bo.iter().find(|c| c["emailAddresses"][0]["address"] == "ann@fabrikam.com").unwrap();
    assert_eq!(copy["emailAddresses"][0]["name"], "Ann Lee (Sales)", "step 2 carries it on");
    assert!(copy["personalNotes"].as_str().unwrap().contains("LastUpdatedBy="), "tagged: {}", copy["personalNotes"]);
    let quiet = run(None);
    assert_eq!(summaries(&quiet).iter().map(|s| s.totals.updated).sum::<usize>(), 0, "no rewrite on the next run");
}
