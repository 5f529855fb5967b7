//! Issue 19: one CI job per tenant (`AUTOMATION_SYNCCONTACTS_TENANT`), and several tenants of one
//! configuration run at once in one process, each told together in the configuration's order.

mod mirror_support;

use exokit::mirror::apply::ConfigSource;
use exokit::ops::Event;
use exokit_sandbox::Sandbox;
use mirror_support::*;
use serde_json::json;

const SECOND: &str = "7a2c4d3f-63b5-4e9f-8c2b-1d8f6e3e5b02";

/// Two tenants, each with two users holding one contact.
fn two_tenants() -> Sandbox {
    let mut tenants = seed(vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![contact("Bo", "Ray", Some("bo@fabrikam.com"))]], Some(vec![]));
    let mut second = tenants.tenants[0].clone();
    second.id = SECOND.into();
    second.domain = "fabrikam.onmicrosoft.com".into();
    tenants.tenants.push(second);
    let mut options = exokit_sandbox::Options::new(tenants);
    options.latency = std::time::Duration::from_millis(10);
    Sandbox::start(options).unwrap()
}

fn run(sandbox: &Sandbox, selector: Option<&str>) -> Vec<Event> {
    let config = json!({"MicrosoftTenants": [
        {"TenantId": TENANT, "ClientId": APP, "ClientSecret": SECRET, "GlobalAddressBookUserId": HUB_UPN},
        {"TenantId": SECOND, "ClientId": APP, "ClientSecret": SECRET, "GlobalAddressBookUserId": HUB}
    ]});
    let mut variables = vec![
        ("AUTOMATION_SYNCCONTACTS_CONFIG_JSON".to_string(), config.to_string()),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT".to_string(), sandbox.url().to_string()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST".to_string(), sandbox.url().to_string()),
    ];
    if let Some(selector) = selector {
        variables.push(("AUTOMATION_SYNCCONTACTS_TENANT".to_string(), selector.to_string()));
    }
    mirror_with(ConfigSource::Environment(variables.into_iter().map(|(k, v)| (k, zeroize::Zeroizing::new(v))).collect()), false)
}

fn hub_of(sandbox: &Sandbox, tenant: usize) -> Vec<String> {
    let mailbox = sandbox.state.tenants[tenant].mailboxes.of(HUB).unwrap();
    let mailbox = mailbox.lock().unwrap();
    match mailbox.children(&mailbox.root_id).into_iter().find(|f| f.display_name == "All Contacts") {
        Some(folder) => mailbox.contacts_in(&folder.id).iter().map(|c| c.properties["displayName"].as_str().unwrap().to_string()).collect(),
        None => Vec::new(),
    }
}

#[test]
fn the_tenant_variable_runs_one_tenant_by_position_or_id() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = two_tenants();
    let events = run(&sandbox, Some("2"));
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!((hub_of(&sandbox, 0).len(), hub_of(&sandbox, 1).len()), (0, 2), "only the second tenant ran");
    let events = run(&sandbox, Some(&TENANT.to_uppercase()));
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(hub_of(&sandbox, 0).len(), 2, "the first, by its TenantId without case");
}

#[test]
fn a_tenant_the_configuration_lacks_stops_before_any_request() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = two_tenants();
    sandbox.state.clear_requests();
    let events = run(&sandbox, Some("northwind.onmicrosoft.com"));
    let errors = errors(&events);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    assert!(text.contains("AUTOMATION_SYNCCONTACTS_TENANT") && text.contains("northwind") && text.contains(SECOND), "{text}");
    assert!(sandbox.state.requests().is_empty(), "{:?}", sandbox.state.requests());
}

#[test]
fn tenants_run_at_once_and_are_told_one_after_the_other() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = two_tenants();
    sandbox.state.clear_requests();
    let events = run(&sandbox, None);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!((hub_of(&sandbox, 0).len(), hub_of(&sandbox, 1).len()), (2, 2));
    // At once: the second tenant signed in before the first had sent a quarter of the requests
    // (one after the other, the first tenant's run is half of the log).
    let log = sandbox.state.requests();
    let second_token = log.iter().position(|r| r.path.contains(SECOND) && r.path.ends_with("/token")).expect("the second tenant's token");
    assert!(second_token < log.len() / 4, "one after the other: the second tenant started at request {second_token} of {}", log.len());
    // Told together: every line of the first tenant before the second tenant's header.
    let lines = lines(&events);
    let header = |tenant: &str| lines.iter().position(|l| *l == format!("Running synccontacts for tenant {tenant}")).unwrap_or_else(|| panic!("{tenant}: {lines:#?}"));
    let (first, second) = (header(TENANT), header(SECOND));
    assert!(first < second, "{lines:#?}");
    let done_first = lines.iter().position(|l| l.starts_with("Done for tenant") && l.contains(TENANT)).expect("the first tenant's closing line");
    assert!(done_first < second, "the first tenant's lines are not cut by the second's: {lines:#?}");
}
