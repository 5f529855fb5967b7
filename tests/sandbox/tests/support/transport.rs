//! Shared by the transport tests (TLS, login, throttle, faults): a small seeded tenant with a
//! certificate on its app, and a client that logs in and sends requests.

use std::sync::OnceLock;

use exokit_sandbox::{Options, Sandbox, Seed, testcert};
use serde_json::{Value, json};

pub use super::Answer;

pub const TENANT: &str = "7a1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a92";
pub const DOMAIN: &str = "fabrikam.onmicrosoft.com";
pub const APP: &str = "1f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e60";
pub const SECRET: &str = "transport-test-secret-4kR9";
pub const ALICE: &str = "a1a1a1a1-0000-4000-8000-0000000000a1";
pub const BOB: &str = "b2b2b2b2-0000-4000-8000-0000000000b2";
pub const ROLES: [&str; 3] = [
    "Contacts.ReadWrite",
    "User.Read.All",
    "RoleManagement.Read.All",
];

/// The registered certificate (base64 DER) and its key, made once per test binary.
pub fn registered() -> &'static (String, String) {
    static CERT: OnceLock<(String, String)> = OnceLock::new();
    CERT.get_or_init(testcert::generate)
}

/// A certificate the app does not know.
pub fn stranger() -> &'static (String, String) {
    static CERT: OnceLock<(String, String)> = OnceLock::new();
    CERT.get_or_init(testcert::generate)
}

pub fn seed() -> Seed {
    let contacts: Vec<Value> = (0..3)
        .map(|i| json!({"givenName": format!("Person{i}"), "surname": "Test"}))
        .collect();
    Seed::from_json(
        &json!({"tenants": [{
            "id": TENANT, "domain": DOMAIN,
            "apps": [{"appId": APP, "displayName": "Transport tests", "secrets": [SECRET], "roles": ROLES,
                      "certificates": [registered().0]}],
            "users": [
                {"id": ALICE, "userPrincipalName": "alice@fabrikam.onmicrosoft.com", "licenses": ["sku-e3"], "contacts": contacts},
                {"id": BOB, "userPrincipalName": "bob@fabrikam.onmicrosoft.com", "licenses": ["sku-e3"],
                 "contactFolders": [{"displayName": "Partners", "contacts": [{"givenName": "Hub"}]}]}
            ]
        }]})
        .to_string(),
    )
    .expect("test seed")
}

pub fn start() -> Sandbox {
    start_with(|_| {})
}

pub fn start_with(adjust: impl FnOnce(&mut Options)) -> Sandbox {
    let mut options = Options::new(seed());
    adjust(&mut options);
    Sandbox::start(options).expect("sandbox starts")
}

pub fn token_url(base: &str) -> String {
    format!("{base}/{TENANT}/oauth2/v2.0/token")
}

/// A client of one sandbox, logged in with the client secret.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
}

impl Client {
    pub async fn login(base: &str) -> Client {
        let http = reqwest::Client::new();
        let token = token_with_secret(&http, base).await;
        Client {
            base: base.to_string(),
            http,
            token,
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await
    }

    pub async fn get(&self, path: &str) -> Answer {
        Answer::from(self.send("GET", path, None).await.expect("an answer")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        Answer::from(
            self.send("POST", path, Some(body))
                .await
                .expect("an answer"),
        )
        .await
    }
}

pub async fn token_with_secret(http: &reqwest::Client, base: &str) -> String {
    super::client_token(
        http,
        &token_url(base),
        APP,
        SECRET,
        "https://graph.microsoft.com/.default",
    )
    .await
}

/// `PUT /_sandbox/{what}` with a JSON body; returns the status and the text.
pub async fn control(base: &str, what: &str, body: Value) -> (u16, String) {
    let response = reqwest::Client::new()
        .put(format!("{base}/_sandbox/{what}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

pub async fn control_get(base: &str, what: &str) -> Value {
    reqwest::get(format!("{base}/_sandbox/{what}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
