//! A tenant for the mirror's engine tests: the sandbox in-process with users and contacts, a
//! connection to it, and readers of what the mailboxes hold afterwards.
#![allow(dead_code)]

use std::sync::Mutex;

use exokit::auth::{Credential, Secret};
use exokit::error::ExoError;
use exokit::mirror::apply::{ConfigSource, Invocation};
use exokit::ops::{Event, Operation, Record};
use exokit::session::{self, ConnectOptions};
use exokit_sandbox::{Options, Sandbox, Seed};
use serde_json::{Value, json};

/// The connection is process-wide, so these tests take turns.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub const TENANT: &str = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
pub const DOMAIN: &str = "contoso.onmicrosoft.com";
pub const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
pub const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";
pub const HUB: &str = "c0c0c0c0-0000-4000-8000-0000000000cc";
pub const HUB_UPN: &str = "allcontacts@contoso.onmicrosoft.com";

/// The id of the n-th test user.
pub fn user_id(n: usize) -> String {
    format!("a0a0a0a0-0000-4000-8000-{n:012}")
}

pub fn upn(n: usize) -> String {
    format!("user{n}@{DOMAIN}")
}

/// A contact as a seed holds it.
pub fn contact(given: &str, surname: &str, email: Option<&str>) -> Value {
    let mut c = json!({"givenName": given, "surname": surname, "displayName": format!("{given} {surname}")});
    if let Some(email) = email {
        c["emailAddresses"] = json!([{"address": email, "name": format!("{given} {surname}")}]);
    }
    c
}

/// A tenant whose users hold `contacts[i]` and whose shared mailbox holds `hub` (in an "All
/// Contacts" folder when `Some`, no such folder when `None`).
pub fn seed(contacts: Vec<Vec<Value>>, hub: Option<Vec<Value>>) -> Seed {
    let mut users: Vec<Value> = contacts
        .into_iter()
        .enumerate()
        .map(|(n, list)| json!({"id": user_id(n), "userPrincipalName": upn(n), "licenses": ["sku-e3"], "contacts": list}))
        .collect();
    let folders = hub.map(|list| json!([{"displayName": "All Contacts", "contacts": list}])).unwrap_or(json!([]));
    users.push(json!({"id": HUB, "userPrincipalName": HUB_UPN, "mailbox": "shared", "contactFolders": folders}));
    Seed::from_json(
        &json!({"tenants": [{"id": TENANT, "domain": DOMAIN,
            "apps": [{"appId": APP, "displayName": "ExoKit Automation", "secrets": [SECRET], "roles": ["User.Read.All", "Contacts.ReadWrite", "RoleManagement.Read.Exchange"]}],
            "users": users}]})
        .to_string(),
    )
    .unwrap()
}

pub fn connect(sandbox: &Sandbox) {
    let url = sandbox.url().to_string();
    let options = ConnectOptions {
        tenant_id: DOMAIN.into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.clone()),
        authority_host: Some(url),
        exchange_endpoint: None,
        credential: Credential::ClientSecret(Secret::new(SECRET.into())),
        network: Default::default(),
    };
    let events = Operation::start(async move { session::connect(options).await.map(|_| ()) }).wait();
    assert!(errors(&events).is_empty(), "{events:?}");
}

pub fn start(seed: Seed) -> Sandbox {
    let sandbox = Sandbox::start(Options::new(seed)).unwrap();
    connect(&sandbox);
    sandbox
}

/// `Invoke-ContactMirror -SharedMailbox … [-WhatIf]` on the session, for every licensed user.
pub fn mirror(shared_mailbox: &str, what_if: bool) -> Vec<Event> {
    mirror_with(ConfigSource::Parameters { shared_mailbox: shared_mailbox.into(), folder_name: None, users: Vec::new() }, what_if)
}

pub fn mirror_with(source: ConfigSource, what_if: bool) -> Vec<Event> {
    Operation::start(exokit::mirror::apply::invoke(Invocation { source, what_if, pass_thru: true, state: None, deletes: Default::default(), full: false })).wait()
}

pub fn errors(events: &[Event]) -> Vec<&ExoError> {
    events.iter().filter_map(|e| if let Event::Error { error, .. } = e { Some(error) } else { None }).collect()
}

pub fn lines(events: &[Event]) -> Vec<&str> {
    events.iter().filter_map(|e| if let Event::Information(l) = e { Some(l.as_str()) } else { None }).collect()
}

/// The summaries of the run: (step, created, updated, skipped, failed, requests).
pub fn summaries(events: &[Event]) -> Vec<exokit::mirror::apply::StepSummary> {
    events.iter().filter_map(|e| if let Event::Record(Record::MirrorSummary(s)) = e { Some(s.clone()) } else { None }).collect()
}

/// Requests that changed something, from the sandbox's log.
pub fn writes(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .state
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && !r.path.ends_with("/$batch") && !r.path.ends_with("/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// What a mailbox's folder holds now: the default folder, or the child folder named `folder`.
pub fn held(sandbox: &Sandbox, user: &str, folder: Option<&str>) -> Vec<Value> {
    let tenant = &sandbox.state.tenants[0];
    let mailbox = tenant.mailboxes.of(user).expect("a mailbox");
    let mailbox = mailbox.lock().unwrap();
    let folder_id = match folder {
        None => mailbox.root_id.clone(),
        Some(name) => match mailbox.children(&mailbox.root_id.clone()).into_iter().find(|f| f.display_name == name) {
            Some(f) => f.id,
            None => return Vec::new(),
        },
    };
    mailbox.contacts_in(&folder_id).into_iter().map(|c| c.to_json(None)).collect()
}

pub fn emails(contacts: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = contacts
        .iter()
        .filter_map(|c| c["emailAddresses"][0]["address"].as_str().map(str::to_lowercase))
        .collect();
    out.sort();
    out
}

/// A person edits a contact in `user`'s default folder an hour after the run, so the edit is
/// newer than anything the run wrote; the clock moves on another hour after it.
pub fn edit(sandbox: &Sandbox, user: &str, email: &str, patch: Value) {
    let mailbox = sandbox.state.tenants[0].mailboxes.of(user).unwrap();
    let mut mailbox = mailbox.lock().unwrap();
    let root = mailbox.root_id.clone();
    let id = mailbox
        .contacts_in(&root)
        .iter()
        .find(|c| c.properties["emailAddresses"][0]["address"].as_str().is_some_and(|a| a.eq_ignore_ascii_case(email)))
        .map(|c| c.id.clone())
        .expect("the contact");
    sandbox.state.advance_clock(std::time::Duration::from_secs(3600));
    mailbox.update_contact(&id, &patch, sandbox.state.now()).unwrap();
    drop(mailbox);
    sandbox.state.advance_clock(std::time::Duration::from_secs(3600));
}
