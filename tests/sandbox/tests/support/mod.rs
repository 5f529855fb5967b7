//! Shared by the sandbox's integration tests: what a request answers, getting a token with the
//! client-credentials grant, and sending a request. The three tenants the tests use, each with
//! its own small client, are `graph` (contacts and mailboxes), `admin` (directory, Exchange and
//! access) and `transport` (TLS, login, throttle, faults).
#![allow(dead_code)]

pub mod admin;
pub mod graph;
pub mod transport;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// A status, the headers and the body (JSON when it parses, `null` when empty, else a string).
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn from(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a whole body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Graph's `error.code`, or the identity platform's `error`.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .or_else(|| self.body["error"].as_str())
            .unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    /// `error.details[0].message` of an `InvokeCommand` failure.
    pub fn detail(&self) -> &str {
        self.body["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or("")
    }

    /// The identity platform's `error_description`.
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or("")
    }

    pub fn rows(&self) -> Vec<Value> {
        self.body["value"].as_array().cloned().unwrap_or_default()
    }
}

/// A token from `token_url` (`…/{tenant}/oauth2/v2.0/token`) with the client-credentials grant
/// for `app` and the resource of `scope`.
pub async fn client_token(
    http: &reqwest::Client,
    token_url: &str,
    app: &str,
    secret: &str,
    scope: &str,
) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app),
        ("client_secret", secret),
        ("scope", scope),
    ];
    let reply: Value = http
        .post(token_url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {reply}"))
        .to_string()
}

/// Sends a request with `token` as bearer (none when empty), `headers` and a JSON `body`.
pub async fn send(
    http: &reqwest::Client,
    token: &str,
    method: &str,
    url: String,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = http.request(method.parse().unwrap(), url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    Answer::from(request.send().await.expect("the sandbox answers")).await
}

/// A path on the sandbox at `base`, or `path` itself when it is already a whole URL.
pub fn url(base: &str, path: &str) -> String {
    if path.starts_with("http") {
        path.to_string()
    } else {
        format!("{base}{path}")
    }
}
