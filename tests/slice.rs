//! The first vertical slice through the engine, against the sandbox: connect, context, role
//! definitions, and the errors an admin meets first. (The same slice through PowerShell is in
//! tests/ExoKit.Tests.)

use std::sync::Mutex;

use exokit::auth::{Credential, Secret};
use exokit::error::ExoError;
use exokit::ops::{Event, Operation, Record};
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::{Options, Sandbox, Seed};

/// The connection is process-wide, so these tests take turns.
static SERIAL: Mutex<()> = Mutex::new(());

const TENANT: &str = "contoso.onmicrosoft.com";
const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";

fn options(url: &str, secret: &str) -> ConnectOptions {
    ConnectOptions {
        tenant_id: TENANT.into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.into()),
        authority_host: Some(url.into()),
        exchange_endpoint: None,
        credential: Credential::ClientSecret(Secret::new(secret.into())),
        network: Default::default(),
    }
}

fn run(work: impl Future<Output = exokit::error::Result<()>> + Send + 'static) -> Vec<Event> {
    Operation::start(work).wait()
}

fn terminating_error(events: &[Event]) -> Option<&ExoError> {
    events.iter().find_map(|e| match e {
        Event::Error { error, terminating: true } => Some(error),
        _ => None,
    })
}

#[test]
fn connect_then_list_role_definitions_with_a_filter() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = Sandbox::start(Options::new(Seed::demo())).unwrap();
    let url = sandbox.url().to_string();
    let events = run(async move { session::connect(options(&url, SECRET)).await.map(|_| ()) });
    assert!(terminating_error(&events).is_none(), "{events:?}");

    let events = run(exokit::access::get_role_definitions(Some("displayName eq 'Application Calendars.Read'".into())));
    let found: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Record(Record::RoleDefinition(d)) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{events:?}");
    assert_eq!(found[0].id, "a3123d4e-4256-4ad0-bef0-205a00807fae");
    assert_eq!(found[0].permissions, vec!["Calendars.Read"]);

    let all = run(exokit::access::get_role_definitions(None));
    let count = all.iter().filter(|e| matches!(e, Event::Record(Record::RoleDefinition(_)))).count();
    assert_eq!(count, 14, "twelve application roles and two management roles");

    let logged = sandbox.state.requests();
    assert!(logged.iter().any(|r| r.query.as_deref().is_some_and(|q| q.contains("%24filter="))), "{logged:?}");
    session::disconnect();
}

#[test]
fn a_wrong_secret_names_the_tenant_and_the_aadsts_reason() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = Sandbox::start(Options::new(Seed::demo())).unwrap();
    let url = sandbox.url().to_string();
    let events = run(async move { session::connect(options(&url, "not-the-secret")).await.map(|_| ()) });
    let error = terminating_error(&events).expect("a terminating error");
    assert_eq!(error.error_id(), "ExoKit.AuthenticationFailed");
    let text = error.to_string();
    assert!(text.contains(TENANT) && text.contains("AADSTS7000215"), "{text}");
    assert!(!text.contains("Trace ID"), "only the reason line is kept: {text}");
    assert!(session::current().is_err(), "a failed connect leaves no connection");
}

#[test]
fn an_absent_endpoint_names_the_url() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // Bind and drop: a port on which nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/");
    let events = run(async move { session::connect(options(&url, SECRET)).await.map(|_| ()) });
    let error = terminating_error(&events).expect("a terminating error");
    assert_eq!(error.error_id(), "ExoKit.EndpointUnreachable");
    assert!(error.to_string().contains(&format!("http://127.0.0.1:{port}/{TENANT}/oauth2/v2.0/token")), "{error}");
}

#[test]
fn commands_before_connect_say_so() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    session::disconnect();
    let events = run(exokit::access::get_role_definitions(None));
    assert!(matches!(terminating_error(&events), Some(ExoError::NotConnected)), "{events:?}");
}
