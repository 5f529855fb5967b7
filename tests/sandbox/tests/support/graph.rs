//! A small Graph client for the mailbox, batch, delta and malformed-request tests: start a
//! sandbox from a seed, get a token for an app, and send requests that return status, headers
//! and JSON.

use exokit_sandbox::{Options, Sandbox, Seed};
use serde_json::{Value, json};

pub use super::Answer;

pub const TENANT: &str = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
pub const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
pub const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";
pub const ALICE: &str = "a1a1a1a1-0000-4000-8000-000000000001";
pub const BOB: &str = "b2b2b2b2-0000-4000-8000-000000000002";
pub const SHARED: &str = "c3c3c3c3-0000-4000-8000-000000000003";
pub const NOBOX: &str = "d4d4d4d4-0000-4000-8000-000000000004";

/// A tenant with Alice (25 contacts, one with notes starting with a line break), Bob (none,
/// unlicensed), a shared mailbox with an "All Contacts" folder, and a user without a mailbox.
pub fn seed() -> Seed {
    let mut alice_contacts: Vec<Value> = (0..24)
        .map(|i| json!({"givenName": format!("Person{i:02}"), "surname": "Test", "emailAddresses": [{"address": format!("p{i}@fabrikam.com")}]}))
        .collect();
    let long_notes = format!("\nfirst line\r\nsecond line\n{}", "x".repeat(400));
    alice_contacts.push(json!({"displayName": "Noted", "personalNotes": long_notes}));
    Seed::from_json(
        &json!({"tenants": [{
            "id": TENANT, "domain": "contoso.onmicrosoft.com",
            "apps": [
                {"appId": APP, "displayName": "ExoKit Automation", "secrets": [SECRET],
                 "roles": ["User.Read.All", "Contacts.ReadWrite"]},
                {"appId": "8c2e4f6a-1b3d-4c5e-8f7a-9b0c1d2e3f4a", "displayName": "No roles", "secrets": ["other-secret"], "roles": ["User.Read.All"]}
            ],
            "users": [
                {"id": ALICE, "userPrincipalName": "alice@contoso.onmicrosoft.com", "licenses": ["sku-e3"], "contacts": alice_contacts},
                {"id": BOB, "userPrincipalName": "bob@contoso.onmicrosoft.com"},
                {"id": SHARED, "userPrincipalName": "allcontacts@contoso.onmicrosoft.com", "mailbox": "shared",
                 "contactFolders": [{"displayName": "All Contacts", "contacts": [{"givenName": "Hub"}]}]},
                {"id": NOBOX, "userPrincipalName": "nobox@contoso.onmicrosoft.com", "licenses": ["sku-e3"], "mailbox": "none"}
            ]
        }]})
        .to_string(),
    )
    .expect("test seed")
}

pub struct Graph {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub token: String,
}

impl Graph {
    pub async fn start() -> Graph {
        Graph::start_with(seed(), APP, SECRET).await
    }

    pub async fn start_with(seed: Seed, app: &str, secret: &str) -> Graph {
        let sandbox = Sandbox::start(Options::new(seed)).expect("sandbox starts");
        let http = reqwest::Client::new();
        let token_url = format!("{}/{TENANT}/oauth2/v2.0/token", sandbox.url());
        let token = super::client_token(
            &http,
            &token_url,
            app,
            secret,
            "https://graph.microsoft.com/.default",
        )
        .await;
        Graph {
            sandbox,
            http,
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        super::url(self.sandbox.url(), path)
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        super::send(
            &self.http,
            &self.token,
            method,
            self.url(path),
            body,
            headers,
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send("PATCH", path, Some(body), &[]).await
    }

    /// Every page of a list, following `@odata.nextLink`.
    pub async fn all_pages(&self, path: &str, headers: &[(&str, &str)]) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(url) = next {
            let page = self.send("GET", &url, None, headers).await;
            assert_eq!(page.status, 200, "{url}: {}", page.body);
            items.extend(page.body["value"].as_array().unwrap().iter().cloned());
            next = page.body["@odata.nextLink"].as_str().map(str::to_string);
        }
        items
    }
}
