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
}

/// Runs a mirror that must succeed without errors.
fn clean_run(shared: &str) -> Vec<exokit::ops::Event> {
    let events = mirror(shared, false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    events
}


fn find<'a>(contacts: &'a [serde_json::Value], email: &str) -> &'a serde_json::Value {
    contacts.iter().find(|c| c["emailAddresses"][0]["address"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(email))).expect("present")
}

#[test]
fn a_users_free_text_notes_survive_and_only_the_tag_line_is_added() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut noted = contact("Ann", "Lee", Some("ann@fabrikam.com"));
    noted["personalNotes"] = json!("Met at Ignite\nPrefers email. CreatedBy=nobody in particular");
    let sandbox = start(seed(vec![vec![noted], vec![]], Some(vec![])));
    clean_run(HUB_UPN);
    let source = &held(&sandbox, &user_id(0), None)[0];
    let notes = source["personalNotes"].as_str().unwrap();
    assert!(notes.starts_with("Met at Ignite\r\nPrefers email. CreatedBy=nobody in particular\r\n"), "{notes:?}");
    let tag = notes.lines().last().unwrap();
    assert!(tag.starts_with("SyncId=") && tag.contains(&format!(";CreatedBy={};", upn(0))), "{tag}");
    let hub = &held(&sandbox, HUB, Some("All Contacts"))[0];
    assert!(hub["personalNotes"].as_str().unwrap().contains(tag.split(';').next().unwrap()), "the hub copy carries the same SyncId");
}

#[test]
fn a_newer_source_updates_an_older_target_and_an_older_source_does_not() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![]], Some(vec![])));
    clean_run(HUB_UPN);
    edit(&sandbox, &user_id(0), "ann@fabrikam.com", json!({"jobTitle": "CTO"}));
    let events = clean_run(HUB_UPN);
    assert_eq!(find(&held(&sandbox, HUB, Some("All Contacts")), "ann@fabrikam.com")["jobTitle"], "CTO");
    assert_eq!(find(&held(&sandbox, &user_id(1), None), "ann@fabrikam.com")["jobTitle"], "CTO", "and on to the other user");
    assert!(lines(&events).iter().any(|l| l.starts_with("Updated: NotesId=") && l.contains("Changed: jobTitle")), "{:?}", lines(&events));

    // User 1 edits their copy later than anything else: it is newer than the hub's, so step 1
    // (which reads user 1 as a source) carries it to the hub; nothing older overwrites it.
    edit(&sandbox, &user_id(1), "ann@fabrikam.com", json!({"jobTitle": "CEO"}));
    clean_run(HUB_UPN);
    assert_eq!(find(&held(&sandbox, HUB, Some("All Contacts")), "ann@fabrikam.com")["jobTitle"], "CEO");
    assert_eq!(find(&held(&sandbox, &user_id(0), None), "ann@fabrikam.com")["jobTitle"], "CEO");

    // An edit stamped before the hub's copy is older: it does not overwrite the hub, and the
    // hub's newer value comes back to it.
    backdate(&sandbox, &user_id(0), "ann@fabrikam.com", json!({"jobTitle": "CFO"}));
    let events = clean_run(HUB_UPN);
    assert_eq!(find(&held(&sandbox, HUB, Some("All Contacts")), "ann@fabrikam.com")["jobTitle"], "CEO");
    assert_eq!(find(&held(&sandbox, &user_id(0), None), "ann@fabrikam.com")["jobTitle"], "CEO");
    assert_eq!(summaries(&events)[0].totals.updated, 0, "{:?}", lines(&events));
}

fn backdate(sandbox: &exokit_sandbox::Sandbox, user: &str, email: &str, patch: serde_json::Value) {
    let mailbox = sandbox.state.tenants[0].mailboxes.of(user).unwrap();
    let mut mailbox = mailbox.lock().unwrap();
    let root = mailbox.root_id.clone();
    let id = mailbox.contacts_in(&root).iter().find(|c| c.properties["emailAddresses"][0]["address"] == email).unwrap().id.clone();
    mailbox.update_contact(&id, &patch, chrono::Utc::now() - chrono::Duration::days(30)).unwrap();
}

#[test]
fn a_case_only_edit_and_a_cleared_field_propagate() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut ann = contact("Ann", "Lee", Some("ann@fabrikam.com"));
    ann["companyName"] = json!("Fabrikam");
    let sandbox = start(seed(vec![vec![ann], vec![]], Some(vec![])));
    clean_run(HUB_UPN);
    edit(&sandbox, &user_id(0), "ann@fabrikam.com", json!({"surname": "LEE", "displayName": "Ann LEE", "companyName": null}));
    clean_run(HUB_UPN);
    for (mailbox, folder) in [(HUB.to_string(), Some("All Contacts")), (user_id(1), None)] {
        let copy = find(&held(&sandbox, &mailbox, folder), "ann@fabrikam.com").clone();
        assert_eq!(copy["surname"], "LEE", "{mailbox}");
        assert_eq!(copy["companyName"], serde_json::Value::Null, "{mailbox}: a cleared field is cleared");
    }
}

#[test]
fn duplicate_emails_in_one_list_make_one_hub_contact() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(seed(
        vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com")), contact("Annie", "Lee", Some("Ann@Fabrikam.com"))]],
        Some(vec![]),
    ));
    clean_run(HUB_UPN);
    assert_eq!(held(&sandbox, HUB, Some("All Contacts")).len(), 1);
}

#[test]
fn the_shared_mailbox_is_left_out_by_id_whether_given_as_id_or_upn() {
    for given in [HUB.to_string(), HUB_UPN.to_uppercase()] {
        let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let mut tenant = seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))]], Some(vec![]));
        // A licensed shared mailbox is in the licensed-user list: it must not be mirrored into itself.
        let hub = tenant.tenants[0].users.last_mut().unwrap();
        hub.licenses.push("sku-e3".into());
        hub.contacts.push(serde_json::from_value(contact("Own", "Contact", Some("own@hub.com"))).unwrap());
        let sandbox = start(tenant);
        let events = clean_run(&given);
        assert!(!lines(&events).iter().any(|l| l.contains(&format!("-> {HUB_UPN}")) && l.starts_with(&format!("Syncing {HUB_UPN}"))));
        assert_eq!(emails(&held(&sandbox, HUB, Some("All Contacts"))), ["ann@fabrikam.com"], "given as {given}");
        assert_eq!(held(&sandbox, HUB, None).len(), 1, "the hub's own default folder is untouched");
    }
}

#[test]
fn what_if_writes_nothing_not_even_the_folder_and_counts_what_it_would_do() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(seed(
        vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![contact("Bo", "Ray", Some("bo@fabrikam.com"))]],
        None,
    ));
    sandbox.state.clear_requests();
    let events = mirror(HUB_UPN, true);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let log = sandbox.state.requests();
    assert!(log.iter().all(|r| r.method == "GET" || r.path.ends_with("/token")), "{log:?}");
    let would: Vec<_> = summaries(&events).iter().map(|s| (s.totals.would_create, s.totals.created)).collect();
    assert_eq!(would, [(2, 0), (2, 0)], "two into the hub, one into each user");
    let text = lines(&events).join("\n");
    assert!(text.contains("Would create: NotesId=dryrun-000001 | Ann Lee (ann@fabrikam.com)"), "{text}");
    let again = lines(&mirror(HUB_UPN, true)).join("\n");
    assert_eq!(text, again, "a dry run prints the same plan twice");
}


#[test]
fn a_throttling_storm_and_expiring_tokens_still_converge() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let people: Vec<Vec<serde_json::Value>> = (0..3)
        .map(|u| (0..12).map(|i| contact(&format!("P{u}x{i}"), "Storm", Some(&format!("p{u}x{i}@fabrikam.com")))).collect())
        .collect();
    let sandbox = start(seed(people, Some(vec![])));
    // Three requests per mailbox at once (the client sends four), one in five answers a 503,
    // tokens live two seconds and every answer takes 20 ms.
    let mut limits = sandbox.state.throttle.limits();
    limits.concurrency = 3;
    sandbox.state.throttle.set_limits(limits);
    sandbox.state.faults.set(exokit_sandbox::faults::Plan::parse("contacts:503=200ms@0.2,users:503=200ms@0.2").unwrap(), Some(7));
    sandbox.state.set_token_lifetime(std::time::Duration::from_secs(2));
    sandbox.state.set_latency(std::time::Duration::from_millis(20));
    connect(&sandbox);
    let events = clean_run(HUB_UPN);
    let throttled = sandbox.state.requests().iter().filter(|r| r.status == 429 || r.status == 503).count();
    assert!(throttled > 0, "the storm happened");
    assert_eq!(held(&sandbox, HUB, Some("All Contacts")).len(), 36);
    for n in 0..3 {
        assert_eq!(held(&sandbox, &user_id(n), None).len(), 36, "user {n}");
    }
    let tokens = sandbox.state.requests().iter().filter(|r| r.path.ends_with("/token")).count();
    assert!(tokens >= 2, "the token was renewed during the run ({tokens} token requests)");
    assert!(summaries(&events).iter().all(|s| s.totals.failed == 0));
}

#[test]
fn tenants_from_the_variables_each_run_with_their_own_app_and_test_users() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut tenants = seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![contact("Bo", "Ray", Some("bo@fabrikam.com"))]], Some(vec![]));
    let mut second = tenants.tenants[0].clone();
    second.id = "7a2c4d3f-63b5-4e9f-8c2b-1d8f6e3e5b02".into();
    second.domain = "fabrikam.onmicrosoft.com".into();
    tenants.tenants.push(second);
    let sandbox = exokit_sandbox::Sandbox::start(exokit_sandbox::Options::new(tenants)).unwrap();
    let config = json!({
        "MicrosoftTenants": [
            {"TenantId": TENANT, "ClientId": APP, "ClientSecret": SECRET, "GlobalAddressBookUserId": HUB_UPN, "PrimaryDomain": DOMAIN},
            {"TenantId": "7a2c4d3f-63b5-4e9f-8c2b-1d8f6e3e5b02", "ClientId": APP, "ClientSecret": SECRET, "GlobalAddressBookUserId": HUB,
             "TenantDomain": "fabrikam.onmicrosoft.com"}
        ],
        "TestUserListByTenant": {"contoso.onmicrosoft.com": [upn(0)], "FABRIKAM.onmicrosoft.com": [user_id(1)]}
    });
    let variables = [
        ("AUTOMATION_SYNCCONTACTS_CONFIG_JSON", config.to_string()),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", sandbox.url().to_string()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", sandbox.url().to_string()),
    ];
    let source = exokit::mirror::apply::ConfigSource::Environment(variables.into_iter().map(|(k, v)| (k.to_string(), zeroize::Zeroizing::new(v))).collect());
    let events = mirror_with(source, false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let text = lines(&events).join("\n");
    assert!(text.contains("Loaded configuration from env var AUTOMATION_SYNCCONTACTS_CONFIG_JSON"), "{text}");
    assert_eq!(text.matches("Using tenant test user list with 1 users.").count(), 2, "{text}");
    let hub_of = |tenant: usize| {
        let mailbox = sandbox.state.tenants[tenant].mailboxes.of(HUB).unwrap();
        let mailbox = mailbox.lock().unwrap();
        let folder = mailbox.children(&mailbox.root_id).into_iter().find(|f| f.display_name == "All Contacts").unwrap();
        mailbox.contacts_in(&folder.id).iter().map(|c| c.properties["displayName"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(hub_of(0), ["Ann Lee"], "contoso's map entry (by PrimaryDomain) names user 0 only");
    assert_eq!(hub_of(1), ["Bo Ray"], "fabrikam's entry (by TenantDomain, any case) names user 1 only");
}

#[test]
fn a_licensed_user_without_a_mailbox_is_a_warning_not_a_failure() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut tenant = seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))]], Some(vec![]));
    let nobox: exokit_sandbox::seed::UserSeed = serde_json::from_value(json!({
        "id": "e0e0e0e0-0000-4000-8000-0000000000ee", "userPrincipalName": "powerbi.only@contoso.onmicrosoft.com",
        "licenses": ["sku-powerbi"], "mailbox": "none"
    }))
    .unwrap();
    tenant.tenants[0].users.insert(0, nobox);
    let sandbox = start(tenant);
    let events = clean_run(HUB_UPN);
    assert!(events.iter().any(|e| matches!(e, exokit::ops::Event::Warning(w) if w.contains("powerbi.only@contoso.onmicrosoft.com"))));
    assert!(summaries(&events).iter().all(|s| s.totals.failed == 0));
    assert_eq!(emails(&held(&sandbox, HUB, Some("All Contacts"))), ["ann@fabrikam.com"]);
}

#[test]
fn what_if_counts_the_updates_a_real_run_would_pass_on() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = start(seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![]], Some(vec![])));
    clean_run(HUB_UPN);
    edit(&sandbox, &user_id(0), "ann@fabrikam.com", json!({"jobTitle": "CTO"}));
    let events = mirror(HUB_UPN, true);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let would: Vec<_> = summaries(&events).iter().map(|s| s.totals.would_update).collect();
    assert_eq!(would, [1, 1], "the hub, then user 1's copy: {:?}", lines(&events));
    let real = clean_run(HUB_UPN);
    let updated: Vec<_> = summaries(&real).iter().map(|s| s.totals.updated).collect();
    assert_eq!(updated, would, "the real run does what the dry run said");
}
