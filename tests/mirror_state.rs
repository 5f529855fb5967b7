//! The contact mirror with a state file: delta reads, their cost, the fallbacks to a full read,
//! and a result identical to a run without state.

mod mirror_support;

use std::path::PathBuf;

use exokit::mirror::apply::{ConfigSource, Invocation};
use exokit::ops::{Event, Operation};
use exokit_sandbox::Sandbox;
use mirror_support::*;
use serde_json::{Value, json};

fn state_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("exokit-mirror-state-{}-{name}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn run_with(state: Option<&PathBuf>) -> Vec<Event> {
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    let events = Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if: false, pass_thru: true, state: state.cloned(), deletes: Default::default(), full: false })).wait();
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    events
}

/// Graph requests since the log was last cleared, batch items counted one each (as Graph's
/// throttling counts them); token requests are not Graph's.
fn graph_requests(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .state
        .requests()
        .into_iter()
        .filter(|r| (r.batch_item || !r.path.ends_with("/$batch")) && !r.path.ends_with("/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn three_users() -> exokit_sandbox::Seed {
    seed(
        vec![
            vec![contact("Ann", "Lee", Some("ann@fabrikam.com")), contact("Bo", "Ray", Some("bo@fabrikam.com"))],
            vec![contact("Cy", "Moe", Some("cy@fabrikam.com"))],
            vec![contact("Di", "Fox", Some("di@fabrikam.com")), contact("Ann", "Lee", Some("ann@fabrikam.com"))],
        ],
        None,
    )
}

/// What every mailbox holds, without ids and the run's own tags (random SyncIds, timestamps).
fn picture(sandbox: &Sandbox, users: usize) -> Vec<Vec<String>> {
    let describe = |contacts: Vec<Value>| {
        let mut out: Vec<String> = contacts
            .iter()
            .map(|c| format!("{} | {} | {}", c["displayName"], c["emailAddresses"][0]["address"], c["businessPhones"]))
            .collect();
        out.sort();
        out
    };
    let mut all = vec![describe(held(sandbox, HUB, Some("All Contacts")))];
    all.extend((0..users).map(|n| describe(held(sandbox, &user_id(n), None))));
    all
}


#[test]
fn the_steady_state_with_state_costs_at_most_one_request_per_mailbox_plus_three() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(three_users());
    let state = state_file("steady");
    run_with(Some(&state)); // first sync
    run_with(Some(&state)); // reads back the first run's own writes
    sandbox.state.clear_requests();
    let events = run_with(Some(&state));
    let requests = graph_requests(&sandbox);
    let users = 3;
    assert!(requests.len() <= users + 3, "{} requests for {users} users: {requests:#?}", requests.len());
    // The shared mailbox resolved, the licensed users listed, one delta round per folder.
    assert_eq!(requests.iter().filter(|r| !r.ends_with("/contacts/delta")).count(), 2, "{requests:#?}");
    assert_eq!(requests.iter().filter(|r| r.ends_with("/contacts/delta")).count(), users + 1, "{requests:#?}");
    assert!(writes(&sandbox).is_empty(), "{:?}", writes(&sandbox));
    let totals: Vec<_> = summaries(&events).iter().map(|s| (s.totals.created, s.totals.updated)).collect();
    assert_eq!(totals, [(0, 0), (0, 0)]);
}

#[test]
fn a_run_with_state_leaves_the_mailboxes_exactly_as_a_run_without() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let state = state_file("same");
    let mut pictures = Vec::new();
    for with_state in [false, true] {
        let sandbox = start(three_users());
        run_with(with_state.then_some(&state));
        run_with(with_state.then_some(&state));
        edit(&sandbox, &user_id(1), "cy@fabrikam.com", json!({"businessPhones": ["+1 555 0100"]}));
        run_with(with_state.then_some(&state));
        pictures.push(picture(&sandbox, 3));
    }
    assert!(pictures[0][0].iter().any(|c| c.contains("+1 555 0100")), "the edit reached the hub: {:?}", pictures[0]);
    assert_eq!(pictures[0], pictures[1]);
}

#[test]
fn an_expired_delta_state_falls_back_to_a_full_read_and_reseeds() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(three_users());
    let state = state_file("expired");
    run_with(Some(&state));
    run_with(Some(&state));
    for tenant in &sandbox.state.tenants {
        tenant.mailboxes.evict_all_delta_states();
    }
    edit(&sandbox, &user_id(0), "bo@fabrikam.com", json!({"businessPhones": ["+1 555 0199"]}));
    sandbox.state.clear_requests();
    run_with(Some(&state));
    let gone = sandbox.state.requests().into_iter().filter(|r| r.status == 410).count();
    assert_eq!(gone, 4, "each of the four folders was told its state is gone");
    for n in 0..3 {
        let phones: Vec<Value> = held(&sandbox, &user_id(n), None).into_iter().map(|c| c["businessPhones"].clone()).collect();
        assert!(phones.contains(&json!(["+1 555 0199"])), "user {n} got the edit: {phones:?}");
    }
    run_with(Some(&state));
    sandbox.state.clear_requests();
    run_with(Some(&state));
    assert!(graph_requests(&sandbox).len() <= 3 + 3, "{:#?}", graph_requests(&sandbox));
}

#[test]
fn a_state_file_in_use_stops_the_run_before_any_request() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(three_users());
    let state = state_file("busy");
    let holder = exokit::state::StateStore::open(&state).unwrap();
    sandbox.state.clear_requests();
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    let events = Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if: false, pass_thru: true, state: Some(state.clone()), deletes: Default::default(), full: false })).wait();
    let errors = errors(&events);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].error_id(), "ExoKit.StateInUse");
    assert!(errors[0].to_string().contains(&state.display().to_string()), "{}", errors[0]);
    assert!(graph_requests(&sandbox).is_empty(), "{:?}", graph_requests(&sandbox));
    drop(holder);
}

#[test]
fn get_lists_each_folder_the_state_holds_and_reset_deletes_the_file() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let _sandbox = start(three_users());
    let state = state_file("view");
    run_with(Some(&state));
    run_with(Some(&state));
    let events = Operation::start(exokit::mirror::state_view::get(state.clone())).wait();
    let entries: Vec<_> = events
        .iter()
        .filter_map(|e| if let Event::Record(exokit::ops::Record::MirrorState(s)) = e { Some(s.clone()) } else { None })
        .collect();
    assert_eq!(entries.len(), 4, "the hub folder and three users: {entries:?}");
    let hub = entries.iter().find(|e| e.mailbox_id == HUB).expect("the hub's folder");
    assert_eq!(hub.mailbox, HUB_UPN, "shown by UPN");
    assert_eq!((hub.folder.as_str(), hub.contacts, hub.synced_contacts), ("Shared folder", 4, 4));
    assert!(entries.iter().all(|e| e.tenant == DOMAIN && e.last_run_finished.is_some() && e.path == state.display().to_string()), "{entries:?}");
    let events = Operation::start(exokit::mirror::state_view::reset(state.clone())).wait();
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert!(!state.exists());
    let events = Operation::start(exokit::mirror::state_view::get(state.clone())).wait();
    assert!(events.iter().all(|e| !matches!(e, Event::Record(_))), "nothing once reset");
    assert!(!state.exists(), "Get does not create the file");
}

#[test]
fn a_remembered_hub_folder_that_is_gone_is_found_again_by_name() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(three_users());
    let state = state_file("hub-gone");
    run_with(Some(&state));
    let real = {
        let store = exokit::state::StateStore::open(&state).unwrap();
        let real = store.hub_folder(DOMAIN, HUB, "All Contacts").unwrap().expect("remembered");
        // As if the folder had been deleted and made again: the remembered id answers 404.
        store.set_hub_folder(DOMAIN, HUB, "All Contacts", Some("AAMkAGc0c0c0c0000000000000999AAA=")).unwrap();
        real
    };
    sandbox.state.clear_requests();
    run_with(Some(&state));
    let gone = sandbox.state.requests().into_iter().filter(|r| r.status == 404).count();
    assert!(gone >= 1, "the remembered id was tried");
    assert_eq!(emails(&held(&sandbox, HUB, Some("All Contacts"))), ["ann@fabrikam.com", "bo@fabrikam.com", "cy@fabrikam.com", "di@fabrikam.com"]);
    let store = exokit::state::StateStore::open(&state).unwrap();
    assert_eq!(store.hub_folder(DOMAIN, HUB, "All Contacts").unwrap(), Some(real), "found by name and remembered again");
}
