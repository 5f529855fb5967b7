//! `Invoke-ContactMirror`'s engine against the sandbox: what the mailboxes hold after a run,
//! and what was sent to get there.

mod mirror_support;

use mirror_support::*;
use serde_json::json;

#[test]
fn a_first_run_from_empty_gives_everyone_every_contact_and_a_second_run_writes_nothing() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(seed(
        vec![
            vec![contact("Ann", "Lee", Some("ann@fabrikam.com")), contact("Bo", "Ray", Some("bo@fabrikam.com"))],
            vec![contact("Ann", "Lee", Some("ANN@fabrikam.com")), contact("Cy", "Moe", Some("cy@fabrikam.com"))],
        ],
        None,
    ));
    let events = mirror(HUB_UPN, false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let hub = held(&sandbox, HUB, Some("All Contacts"));
    assert_eq!(emails(&hub), ["ann@fabrikam.com", "bo@fabrikam.com", "cy@fabrikam.com"], "one copy of Ann");
    for n in 0..2 {
        assert_eq!(emails(&held(&sandbox, &user_id(n), None)), ["ann@fabrikam.com", "bo@fabrikam.com", "cy@fabrikam.com"]);
    }
    let text = lines(&events).join("\n");
    assert!(text.contains("Step 1: Sync user contacts to shared mailbox All Contacts"), "{text}");
    assert!(text.contains(&format!("Syncing {} -> {HUB_UPN}", upn(0))), "{text}");

    sandbox.state.clear_requests();
    let again = mirror(HUB_UPN, false);
    assert!(errors(&again).is_empty(), "{:?}", errors(&again));
    assert_eq!(writes(&sandbox), Vec::<String>::new(), "a second run without changes writes nothing");
    let totals: Vec<_> = summaries(&again).iter().map(|s| (s.totals.created, s.totals.updated)).collect();
    assert_eq!(totals, [(0, 0), (0, 0)]);
    let _ = json!(null);
}
