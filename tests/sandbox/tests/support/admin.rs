//! A tenant for the directory, Exchange and access tests, and a small client for Graph and
//! `InvokeCommand`: tokens per app and audience, requests that return status, headers and JSON.

use exokit_sandbox::{Options, Sandbox, Seed};
use serde_json::{Value, json};

pub use super::Answer;

pub const TENANT: &str = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
pub const DOMAIN: &str = "contoso.onmicrosoft.com";

/// Directory and Exchange administration: every admin permission and `Exchange.ManageAsApp`.
pub const ADMIN: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
/// An app with the Entra `Contacts.ReadWrite` permission (tenant-wide).
pub const CONTACTS_APP: &str = "11111111-2222-4333-8444-555555555555";
/// An app with no mailbox permission in Entra; RBAC for Applications may grant it some.
pub const RBAC_APP: &str = "22222222-3333-4444-8555-666666666666";
/// An app with only `User.Read.All`.
pub const READER: &str = "8c2e4f6a-1b3d-4c5e-8f7a-9b0c1d2e3f4a";
pub const SECRET: &str = "test-secret";

pub const ALICE: &str = "a1a1a1a1-0000-4000-8000-000000000001";
pub const BOB: &str = "b2b2b2b2-0000-4000-8000-000000000002";
pub const CAROL: &str = "c3c3c3c3-0000-4000-8000-000000000003";
pub const ROOM: &str = "d4d4d4d4-0000-4000-8000-000000000004";
pub const SHARED: &str = "e5e5e5e5-0000-4000-8000-000000000005";
pub const HANS: &str = "f6f6f6f6-0000-4000-8000-000000000006";

/// Mail-enabled security group with Alice.
pub const SCOPED: &str = "aaaa0000-0000-4000-8000-00000000000a";
/// Mail-enabled security group whose only member is the Scoped group (nesting).
pub const OUTER: &str = "bbbb0000-0000-4000-8000-00000000000b";
/// Distribution group with Bob.
pub const STAFF: &str = "cccc0000-0000-4000-8000-00000000000c";
/// Entra-only security group with Carol.
pub const PLAIN: &str = "dddd0000-0000-4000-8000-00000000000d";
/// Administrative unit with Carol.
pub const EUROPE: &str = "eeee0000-0000-4000-8000-00000000000e";

pub const SCOPED_DN: &str = "CN=scoped,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";

pub fn upn(name: &str) -> String {
    format!("{name}@{DOMAIN}")
}

/// The tenant, with `exchange` as its Exchange seed part.
pub fn seed_with(exchange: Value) -> Seed {
    let admin_roles = [
        "Application.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "Group.ReadWrite.All",
        "AdministrativeUnit.ReadWrite.All",
        "RoleManagement.ReadWrite.Exchange",
        "User.Read.All",
        "Exchange.ManageAsApp",
    ];
    let seed = json!({"tenants": [{
        "id": TENANT, "domain": DOMAIN,
        "apps": [
            {"appId": ADMIN, "displayName": "Admin", "secrets": [SECRET], "roles": admin_roles},
            {"appId": CONTACTS_APP, "displayName": "Contacts Sync", "secrets": [SECRET], "roles": ["Contacts.ReadWrite", "User.Read.All"]},
            {"appId": RBAC_APP, "displayName": "Scoped Sync", "secrets": [SECRET], "roles": ["User.Read.All"]},
            {"appId": READER, "displayName": "Reader", "secrets": [SECRET], "roles": ["User.Read.All"]}
        ],
        "users": [
            {"id": ALICE, "userPrincipalName": upn("alice"), "displayName": "Alice", "licenses": ["sku"], "contacts": [{"givenName": "A"}]},
            {"id": BOB, "userPrincipalName": upn("bob"), "displayName": "Bob", "licenses": ["sku"]},
            {"id": CAROL, "userPrincipalName": upn("carol"), "displayName": "Carol", "licenses": ["sku"]},
            {"id": ROOM, "userPrincipalName": upn("room1"), "displayName": "Room 1", "mailbox": "room"},
            {"id": SHARED, "userPrincipalName": upn("shared"), "displayName": "Shared", "mailbox": "shared"},
            {"id": HANS, "userPrincipalName": upn("hans"), "displayName": "Hans", "licenses": ["sku"]}
        ],
        "groups": [
            {"id": SCOPED, "displayName": "Scoped", "mail": upn("scoped"), "mailEnabled": true, "securityEnabled": true, "members": [upn("alice")]},
            {"id": OUTER, "displayName": "Outer", "mail": upn("outer"), "mailEnabled": true, "securityEnabled": true, "members": [SCOPED]},
            {"id": STAFF, "displayName": "Staff", "mail": upn("staff"), "mailEnabled": true, "members": [BOB]},
            {"id": PLAIN, "displayName": "Plain", "securityEnabled": true, "members": [CAROL]}
        ],
        "administrativeUnits": [{"id": EUROPE, "displayName": "Europe", "members": [CAROL]}],
        "exchange": exchange
    }]});
    Seed::from_json(&seed.to_string()).expect("test seed")
}

pub fn seed() -> Seed {
    seed_with(json!({}))
}

pub struct Client {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

impl Client {
    pub async fn start() -> Client {
        Client::start_with(seed()).await
    }

    pub async fn start_with(seed: Seed) -> Client {
        let sandbox = Sandbox::start(Options::new(seed)).expect("sandbox starts");
        Client {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        super::url(self.sandbox.url(), path)
    }

    /// A token for `app` and the resource of `scope` (`https://graph.microsoft.com/.default`,
    /// `https://outlook.office365.com/.default`).
    pub async fn token(&self, app: &str, scope: &str) -> String {
        self.token_with(app, SECRET, scope).await
    }

    /// A token for `app` with another secret than the test tenant's (the demo seed's).
    pub async fn token_with(&self, app: &str, secret: &str, scope: &str) -> String {
        let token_url = self.url(&format!("/{TENANT}/oauth2/v2.0/token"));
        super::client_token(&self.http, &token_url, app, secret, scope).await
    }

    pub async fn graph_token(&self, app: &str) -> String {
        self.token(app, "https://graph.microsoft.com/.default")
            .await
    }

    pub async fn exchange_token(&self, app: &str) -> String {
        self.token(app, "https://outlook.office365.com/.default")
            .await
    }

    pub async fn send(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        super::send(&self.http, token, method, self.url(path), body, headers).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.send(token, "GET", path, None, &[]).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(token, "POST", path, Some(body), &[]).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Answer {
        self.send(token, "PATCH", path, Some(body), &[]).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Answer {
        self.send(token, "DELETE", path, None, &[]).await
    }

    /// Sends a raw body (for malformed-request tests).
    pub async fn send_raw(&self, token: &str, method: &str, path: &str, body: &str) -> Answer {
        let request = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string());
        Answer::from(request.send().await.expect("the sandbox answers")).await
    }

    /// Runs a cmdlet through `InvokeCommand` with the admin app's Exchange token.
    pub async fn invoke(&self, token: &str, cmdlet: &str, parameters: Value) -> Answer {
        let body = json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}});
        self.send(
            token,
            "POST",
            &format!("/adminapi/beta/{TENANT}/InvokeCommand"),
            Some(body),
            &[("X-ResponseFormat", "json")],
        )
        .await
    }

    pub async fn set_replication_lag(&self, ms: u64) {
        let response = self
            .http
            .put(self.url("/_sandbox/directory/replication-lag"))
            .json(&json!({"ms": ms}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);
    }
}
