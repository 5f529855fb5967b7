//! Issue 19 against the sandbox: with a settled state, a run plans only what changed. A quiet run
//! plans no pair and reports what a full run reports; runs with edits, new contacts and
//! deletions leave every mailbox as full plans (`-Full`) leave it.

mod mirror_support;

use std::path::PathBuf;

use exokit::mirror::apply::{ConfigSource, Invocation};
use exokit::ops::{Event, Operation};
use exokit_sandbox::Sandbox;
use mirror_support::*;
use serde_json::{Value, json};

fn state_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("exokit-mirror-incremental-{}-{name}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A run as the drop-in makes it (no -PassThru), in full or not.
fn run(state: &PathBuf, full: bool) -> Vec<Event> {
    let source = ConfigSource::Parameters { shared_mailbox: HUB_UPN.into(), folder_name: None, users: Vec::new() };
    let events = Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if: false, pass_thru: false, state: Some(state.clone()), deletes: Default::default(), full })).wait();
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    events
}

fn verbose(events: &[Event]) -> Vec<&str> {
    events.iter().filter_map(|e| if let Event::Verbose(l) = e { Some(l.as_str()) } else { None }).filter(|l| l.starts_with("Step") || l.starts_with("Planning")).collect()
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

/// Every folder's contacts, without ids and tags (SyncIds are random).
fn picture(sandbox: &Sandbox) -> Vec<Vec<String>> {
    let describe = |contacts: Vec<Value>| {
        let mut out: Vec<String> = contacts
            .iter()
            .map(|c| format!("{} | {} | {} | {}", c["displayName"], c["emailAddresses"][0]["address"], c["businessPhones"], c["companyName"]))
            .collect();
        out.sort();
        out
    };
    let mut all = vec![describe(held(sandbox, HUB, Some("All Contacts")))];
    all.extend((0..3).map(|n| describe(held(sandbox, &user_id(n), None))));
    all
}

#[test]
fn a_quiet_run_plans_no_pair_and_reports_what_a_full_run_reports() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(three_users());
    let state = state_file("quiet");
    let first = run(&state, false);
    assert!(verbose(&first).iter().any(|l| l.starts_with("Planning every pair: the last run did not end cleanly")), "{:?}", verbose(&first));
    run(&state, false); // reads back its own writes
    sandbox.state.clear_requests();
    let quiet = run(&state, false);
    assert_eq!(verbose(&quiet), ["Step 1 planned 0 of 3 users' folders.", "Step 2 planned for 0 of 3 users."]);
    assert!(writes(&sandbox).is_empty(), "{:?}", writes(&sandbox));
    let full = run(&state, true);
    assert_eq!(verbose(&full)[0], "Planning every pair: asked for (-Full).");
    assert_eq!(lines(&quiet), lines(&full), "the same log lines, Skipped counts included");
    let totals = |events: &[Event]| summaries(events).iter().map(|s| s.totals).collect::<Vec<_>>();
    assert_eq!(totals(&quiet), totals(&full));
}

#[test]
fn changes_planned_incrementally_leave_the_mailboxes_as_full_plans_do() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut pictures = Vec::new();
    let mut planned = Vec::new();
    for full in [true, false] {
        let sandbox = start(three_users());
        let state = state_file(if full { "changes-full" } else { "changes-partial" });
        run(&state, full);
        run(&state, full);
        // A phone edited by cy's owner, a new contact for di, a copy deleted by bo's holder.
        edit(&sandbox, &user_id(1), "cy@fabrikam.com", json!({"businessPhones": ["+1 555 0100"]}));
        {
            let mailbox = sandbox.state.tenants[0].mailboxes.of(&user_id(2)).unwrap();
            let mut mailbox = mailbox.lock().unwrap();
            let root = mailbox.root_id.clone();
            mailbox.create_contact(&root, &contact("Eve", "Vendor", Some("eve@fabrikam.com")), sandbox.state.now()).unwrap();
        }
        {
            let mailbox = sandbox.state.tenants[0].mailboxes.of(&user_id(1)).unwrap();
            let mut mailbox = mailbox.lock().unwrap();
            let root = mailbox.root_id.clone();
            let bo = mailbox.contacts_in(&root).into_iter().find(|c| c.properties["emailAddresses"][0]["address"] == "bo@fabrikam.com").map(|c| c.id.clone()).unwrap();
            assert!(mailbox.delete_contact(&bo));
        }
        sandbox.state.advance_clock(std::time::Duration::from_secs(3600));
        let changed = run(&state, full);
        planned.push(verbose(&changed).iter().map(|l| l.to_string()).collect::<Vec<_>>());
        run(&state, full);
        let quiet = run(&state, false);
        assert_eq!(verbose(&quiet), ["Step 1 planned 0 of 3 users' folders.", "Step 2 planned for 0 of 3 users."], "full = {full}");
        pictures.push(picture(&sandbox));
    }
    assert!(pictures[0][1].iter().any(|c| c.contains("+1 555 0100")) && pictures[0][1].iter().any(|c| c.contains("eve@")), "{:?}", pictures[0]);
    assert_eq!(pictures[0], pictures[1]);
    assert_eq!(planned[1], ["Step 1 planned 2 of 3 users' folders.", "Step 2 planned for 3 of 3 users."], "user 0 did not change in step 1");
}
