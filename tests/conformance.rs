//! Every request ExoKit's client builds exists in real Microsoft Graph, with real property
//! names: paths, methods and `$select` from a whole mirror run (the sandbox logs each request,
//! `$batch` items one by one), and the bodies the client writes, against Graph's published
//! metadata (vendored in tests/sandbox/metadata).

mod mirror_support;

use exokit::mirror::contact::{ContactFields, EmailAddress};
use exokit::mirror::payload::{self, SyncedField};
use exokit_sandbox::conformance::Metadata;
use mirror_support::*;
use serde_json::json;

#[test]
fn every_request_of_a_mirror_run_and_a_role_listing_is_a_real_graph_request() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut noted = contact("Ann", "Lee", Some("ann@fabrikam.com"));
    noted["personalNotes"] = json!("Met at Ignite");
    let sandbox = start(seed(vec![vec![noted, contact("Bo", "Ray", None)], vec![contact("Cy", "Moe", Some("cy@fabrikam.com"))]], None));
    let events = mirror(HUB_UPN, false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let roles = exokit::ops::Operation::start(exokit::access::get_role_definitions(Some("displayName eq 'Application Mail.Read'".into()))).wait();
    assert!(errors(&roles).is_empty(), "{roles:?}");

    let graph = Metadata::get();
    let log = sandbox.state.requests();
    let mut checked = 0;
    for request in log.iter().filter(|r| r.path.starts_with("/v1.0/") || r.path.starts_with("/beta/")) {
        let (version, path) = request.path[1..].split_once('/').unwrap();
        let target = match &request.query {
            Some(query) => format!("/{path}?{}", percent_decode(query)),
            None => format!("/{path}"),
        };
        graph.check_request(version, &request.method, &target, None).unwrap_or_else(|e| panic!("{} {target}: {e}", request.method));
        checked += 1;
    }
    let kinds: std::collections::BTreeSet<String> = log.iter().map(|r| format!("{} {}", r.method, shape(&r.path))).collect();
    assert!(checked > 10 && kinds.len() >= 8, "the run covered the client's requests: {kinds:#?}");
}

/// Seed 003's flow: `New-ExchangeApp` with a role on an administrative unit, the assignments
/// read back, `Test-ExchangeAppAccess -Probe` as the new app, and the assignment removed.
#[test]
fn every_request_of_the_rbac_for_applications_flow_is_a_real_graph_request() {
    use exokit::access::{self, AccessQuery, NewApp, ScopeRequest};
    use exokit::ops::{Event, Operation};
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let seed = exokit_sandbox::Seed::from_json(
        &json!({"tenants": [{"id": TENANT, "domain": DOMAIN,
            "apps": [{"appId": APP, "displayName": "ExoKit Automation", "secrets": [SECRET],
                      "roles": ["Application.ReadWrite.All", "RoleManagement.ReadWrite.Exchange", "Directory.Read.All", "User.Read.All"]}],
            "users": [{"id": user_id(0), "userPrincipalName": upn(0), "licenses": ["sku"]}],
            "administrativeUnits": [{"id": "ad000000-0000-4000-8000-0000000000de", "displayName": "Developers", "members": [user_id(0)]}]}]})
        .to_string(),
    )
    .unwrap();
    let sandbox = start(seed);
    let request = NewApp {
        display_name: "CalendarsReader".into(),
        roles: vec!["Application Calendars.Read".into()],
        scope: ScopeRequest::AdministrativeUnit("Developers".into()),
        secret_lifetime: std::time::Duration::from_secs(86400),
        certificate: None,
        force: false,
        replication_budget: std::time::Duration::from_secs(10),
    };
    let made = Operation::start(access::new_app(request)).wait();
    assert!(errors(&made).is_empty(), "{made:?}");
    let secret = made.iter().find_map(|e| if let Event::Secret(s) = e { Some(s.clone()) } else { None }).expect("a secret");
    let probe = AccessQuery { app: "CalendarsReader".into(), mailboxes: vec![upn(0)], permissions: vec!["Calendars.Read".into(), "Mail.ReadBasic".into(), "Contacts.Read".into(), "MailboxSettings.Read".into()], probe_secret: Some(secret) };
    let probed = Operation::start(access::test_access(probe)).wait();
    assert!(errors(&probed).is_empty(), "{probed:?}");
    let listed = Operation::start(access::get_assignments(Default::default())).wait();
    let id = listed.iter().find_map(|e| if let Event::Record(exokit::ops::Record::RoleAssignment(a)) = e { Some(a.id.clone()) } else { None }).expect("one assignment");
    let removed = Operation::start(access::remove_assignment(id)).wait();
    assert!(errors(&removed).is_empty(), "{removed:?}");

    let graph = Metadata::get();
    let log = sandbox.state.requests();
    let mut kinds = std::collections::BTreeSet::new();
    for request in log.iter().filter(|r| r.path.starts_with("/v1.0/") || r.path.starts_with("/beta/")) {
        let (version, path) = request.path[1..].split_once('/').unwrap();
        let target = match &request.query {
            Some(query) => format!("/{path}?{}", percent_decode(query)),
            None => format!("/{path}"),
        };
        graph.check_request(version, &request.method, &target, None).unwrap_or_else(|e| panic!("{} {target}: {e}", request.method));
        kinds.insert(format!("{} {}", request.method, shape(&request.path)));
    }
    assert!(kinds.len() >= 12, "the flow covered the client's requests: {kinds:#?}");
}

#[test]
fn the_bodies_the_client_writes_name_only_contact_properties() {
    let graph = Metadata::get();
    let full = ContactFields {
        display_name: Some("Ann Lee".into()),
        given_name: Some("Ann".into()),
        surname: Some("Lee".into()),
        company_name: Some("Fabrikam".into()),
        job_title: Some("CTO".into()),
        department: Some("IT".into()),
        business_phones: vec!["+41 1".into()],
        mobile_phone: Some("+41 2".into()),
        home_phones: vec!["+41 3".into()],
        email_addresses: vec![EmailAddress { name: Some("Ann".into()), address: "ann@fabrikam.com".into() }],
        im_addresses: vec!["sip:ann@fabrikam.com".into()],
        categories: vec!["Partners".into()],
    };
    let created = payload::create_body(&full, "SyncId=x").to_json();
    assert!(created.as_object().unwrap().len() >= 12, "{created}");
    graph.check_body("v1.0", "contact", &created).unwrap();
    let cleared = payload::patch_body(&ContactFields::default(), &SyncedField::DATA, "SyncId=x").to_json();
    graph.check_body("v1.0", "contact", &cleared).unwrap();
    graph.check_request("v1.0", "POST", "/users/u/contactFolders", Some(&json!({"displayName": "All Contacts"}))).unwrap();
    assert!(graph.check_body("v1.0", "contact", &json!({"emailAddress": []})).is_err(), "the check can fail");
}

/// `/v1.0/users/{id}/contacts/{id}` → `/users/*/contacts/*`, to count kinds of requests.
fn shape(path: &str) -> String {
    path.split('/').map(|s| if s.len() > 20 || s.contains('@') { "*" } else { s }).collect::<Vec<_>>().join("/")
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}
