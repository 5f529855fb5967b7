//! A small Graph client for the sandbox's integration tests: start a sandbox from a seed, get
//! a token for an app, and send requests that return status, headers and JSON.
#![allow(dead_code)]

use exokit_sandbox::{Options, Sandbox, Seed};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

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

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Graph {
    pub async fn start() -> Graph {
        Graph::start_with(seed(), APP, SECRET).await
    }

    pub async fn start_with(seed: Seed, app: &str, secret: &str) -> Graph {
        let sandbox = Sandbox::start(Options::new(seed)).expect("sandbox starts");
        let http = reqwest::Client::new();
        let form = [("grant_type", "client_credentials"), ("client_id", app), ("client_secret", secret), ("scope", "https://graph.microsoft.com/.default")];
        let reply: Value = http
            .post(format!("{}/{TENANT}/oauth2/v2.0/token", sandbox.url()))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = reply["access_token"].as_str().expect("a token").to_string();
        Graph { sandbox, http, token }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.sandbox.url()) }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Answer {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path)).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
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

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}
