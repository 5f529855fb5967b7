//! The Exchange admin API client (`src/exo`) against the sandbox's `InvokeCommand`: the
//! regional redirect, paging, Exchange's errors in another language, and a refused token.

use std::sync::{Arc, Mutex};

use exokit::auth::{Credential, Secret};
use exokit::error::ExoError;
use exokit::exo::{self, ExoClient};
use exokit::ops::{Event, Operation};
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::{Options, Sandbox, Seed};
use serde_json::{Value, json};

/// The connection is process-wide, so these tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

const TENANT: &str = "contoso.onmicrosoft.com";
const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";

/// The demo tenant, homed on a regional backend when `region` is given.
fn sandbox(region: Option<&str>) -> Sandbox {
    let mut seed: Value = serde_json::from_str(include_str!("sandbox/seeds/demo.json")).unwrap();
    if let Some(region) = region {
        seed["tenants"][0]["exchange"]["region"] = json!(region);
    }
    Sandbox::start(Options::new(Seed::from_json(&seed.to_string()).unwrap())).unwrap()
}

/// Connects with the sandbox as Graph, login and Exchange endpoint; returns the Exchange client.
fn connect(sandbox: &Sandbox) -> ExoClient {
    let url = sandbox.url().to_string();
    let options = ConnectOptions {
        tenant_id: TENANT.into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.clone()),
        authority_host: Some(url.clone()),
        exchange_endpoint: Some(format!("{url}/outlook.office365.com/")),
        credential: Credential::ClientSecret(Secret::new(SECRET.into())),
        network: Default::default(),
    };
    let events = Operation::start(async move { session::connect(options).await.map(|_| ()) }).wait();
    assert!(!events.iter().any(|e| matches!(e, Event::Error { .. })), "{events:?}");
    session::current().unwrap().exo.clone()
}

/// Runs one cmdlet inside an operation; its result and the events it wrote.
fn invoke(client: &ExoClient, cmdlet: &str, parameters: Value) -> (Result<Vec<Value>, ExoError>, Vec<Event>) {
    let client = client.clone();
    let cmdlet = cmdlet.to_string();
    let Value::Object(parameters): Value = parameters else { panic!("parameters must be an object") };
    let slot = Arc::new(Mutex::new(None));
    let out = slot.clone();
    let events = Operation::start(async move {
        let result = client.invoke(&cmdlet, parameters).await;
        *out.lock().unwrap() = Some(result);
        Ok(())
    })
    .wait();
    let result = slot.lock().unwrap().take().expect("the operation ran");
    (result, events)
}

fn exchange_paths(sandbox: &Sandbox) -> Vec<(String, u16)> {
    sandbox.state.requests().into_iter().filter(|r| r.path.contains("/adminapi/")).map(|r| (r.path, r.status)).collect()
}

#[test]
fn the_regional_redirect_is_followed_with_the_token_and_remembered() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = sandbox(Some("EURPR05A002"));
    let client = connect(&sandbox);
    let (rows, _) = invoke(&client, "Get-SharingPolicy", json!({}));
    let rows = rows.unwrap();
    assert_eq!(rows[0]["Name"], "Default Sharing Policy", "{rows:?}");
    let (again, _) = invoke(&client, "Get-ApplicationAccessPolicy", json!({}));
    assert_eq!(again.unwrap().len(), 1);

    let front = format!("/outlook.office365.com/adminapi/beta/{TENANT}/InvokeCommand");
    let regional = format!("/eurpr05a002.outlook.office365.com/adminapi/beta/{}/InvokeCommand", "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91");
    let seen = exchange_paths(&sandbox);
    assert_eq!(seen[0], (front, 302), "{seen:?}");
    assert_eq!(seen[1].1, 200, "{seen:?}");
    assert!(seen[1].0.starts_with("/eurpr05a002.outlook.office365.com/"), "{seen:?} vs {regional}");
    assert_eq!(seen.len(), 3, "the second cmdlet goes straight to the region: {seen:?}");
    assert!(seen[2].0.starts_with("/eurpr05a002."), "{seen:?}");
    session::disconnect();
}

#[test]
fn every_page_is_read_by_posting_the_body_again() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = sandbox(None);
    let client = connect(&sandbox);
    let (all, _) = invoke(&client, "Get-Group", json!({}));
    let all = all.unwrap();
    assert!(all.len() >= 2, "{all:?}");
    sandbox.state.clear_requests();
    let (paged, _) = invoke(&client.clone().with_page_size(1), "Get-Group", json!({}));
    assert_eq!(paged.unwrap(), all);
    let posts = exchange_paths(&sandbox);
    assert_eq!(posts.len(), all.len(), "one POST a row: {posts:?}");
    session::disconnect();
}

#[test]
fn an_error_in_german_is_still_classified_by_its_exception_class() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = sandbox(None);
    let client = connect(&sandbox).with_language("de-DE");
    let (result, _) = invoke(&client, "Remove-ApplicationAccessPolicy", json!({"Identity": "no-such-policy", "Confirm": false}));
    let error = result.unwrap_err();
    assert!(exo::is(&error, exo::NOT_FOUND), "{error:?}");
    assert_eq!(error.error_id(), "ExoKit.Service.ManagementObjectNotFoundException");
    let text = error.to_string();
    assert!(text.contains("Remove-ApplicationAccessPolicy: Der Vorgang kann nicht ausgeführt werden"), "{text}");
    assert!(text.contains("no-such-policy"), "{text}");

    let (english, _) = invoke(&client.clone().with_language("en-US"), "Remove-ApplicationAccessPolicy", json!({"Identity": "no-such-policy", "Confirm": false}));
    let english = english.unwrap_err();
    assert!(exo::is(&english, exo::NOT_FOUND) && english.to_string().contains("couldn't be found"), "{english}");
    session::disconnect();
}

#[test]
fn an_app_without_manage_as_app_gets_the_gateway_reason() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let mut seed: Value = serde_json::from_str(include_str!("sandbox/seeds/demo.json")).unwrap();
    let roles = seed["tenants"][0]["apps"][0]["roles"].as_array_mut().unwrap();
    roles.retain(|r| r != "Exchange.ManageAsApp");
    let sandbox = Sandbox::start(Options::new(Seed::from_json(&seed.to_string()).unwrap())).unwrap();
    let client = connect(&sandbox);
    let (result, _) = invoke(&client, "Get-SharingPolicy", json!({}));
    let error = result.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("401") && text.contains("Exchange.ManageAsApp"), "{text}");
    assert!(!text.contains("Bearer"), "{text}");
    session::disconnect();
}

#[test]
fn warnings_reach_the_warning_stream() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = sandbox(None);
    let client = connect(&sandbox);
    let (rows, _) = invoke(&client, "Get-ApplicationAccessPolicy", json!({}));
    let identity = rows.unwrap()[0]["Identity"].as_str().unwrap().to_string();
    let description = "Reader Without Roles may reach only the members of Contacts Sync Scope";
    let (result, events) = invoke(&client, "Set-ApplicationAccessPolicy", json!({"Identity": identity, "Description": description}));
    result.unwrap();
    let warnings: Vec<&String> = events.iter().filter_map(|e| if let Event::Warning(w) = e { Some(w) } else { None }).collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    assert!(warnings[0].starts_with("Set-ApplicationAccessPolicy: ") && warnings[0].contains("no settings"), "{warnings:?}");
    session::disconnect();
}
