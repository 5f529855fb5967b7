//! The typed client for Exchange Online's admin REST endpoint, `InvokeCommand` — the transport
//! the ExchangeOnlineManagement module itself uses (exo-rest.md §1), over the crate's one
//! transport and retry policy.
//!
//! `invoke("Get-ApplicationAccessPolicy", params)` sends
//! `{"CmdletInput":{"CmdletName","Parameters"}}` with an app-only token for the cloud's Exchange
//! endpoint, follows the regional 302 (re-attaching the token by hand), pages on
//! `@odata.nextLink` by POSTing the same body again, and turns Exchange's error body into an
//! [`ExoError::Service`] whose `code` is the exception class (see [`error`]).

pub mod error;
mod route;

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use url::Url;

use crate::auth::TokenProvider;
use crate::cloud::Cloud;
use crate::error::{ExoError, Result};
use crate::http::{Method, Request, Response, Transport};
use crate::ops;

pub use error::{ALREADY_EXISTS, ALREADY_MEMBER, NOT_A_MEMBER, NOT_FOUND, is};

/// Exchange's system mailbox that org-level cmdlets are anchored on (exo-rest.md §1.2).
const SYSTEM_MAILBOX: &str = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
/// Redirects followed for one request at most; a front door that keeps sending the client on is
/// broken, and looping would hang the cmdlet.
const MAX_REDIRECTS: u32 = 3;

/// Where Exchange routes a cmdlet (`X-AnchorMailbox`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor<'a> {
    /// Organisation-level cmdlets: the tenant's system mailbox.
    Organization,
    /// Mailbox and folder cmdlets: the target mailbox (UPN or SMTP address).
    Mailbox(&'a str),
}

/// A cmdlet's output: its rows (annotations such as `Foo@odata.type` removed) and the warnings
/// it wrote (`@adminapi.warnings`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub rows: Vec<Value>,
    pub warnings: Vec<String>,
}

/// The client for one connection. Cheap to clone.
#[derive(Clone)]
pub struct ExoClient {
    cloud: Cloud,
    tenant: String,
    transport: Transport,
    tokens: Arc<TokenProvider>,
    language: String,
    /// Rows per page (`Prefer: odata.maxpagesize`); 1000, the service's maximum.
    page_size: u32,
    /// The regional `InvokeCommand` URL the front door sent us to, reused for later calls.
    regional: Arc<Mutex<Option<Url>>>,
}

impl ExoClient {
    /// `tenant` is the tenant id or initial domain, as Connect-ExoKit got it.
    pub fn new(cloud: Cloud, tenant: String, transport: Transport, tokens: Arc<TokenProvider>) -> Self {
        ExoClient { cloud, tenant, transport, tokens, language: "en-US".into(), page_size: 1000, regional: Arc::new(Mutex::new(None)) }
    }

    /// Asks for messages in another culture (`Accept-Language`; `en-US` by default). Errors are
    /// classified on their exception class, so any language works.
    pub fn with_language(mut self, language: &str) -> Self {
        self.language = language.to_string();
        self
    }

    /// Smaller pages (tests use it to cross page boundaries with few objects).
    pub fn with_page_size(mut self, rows: u32) -> Self {
        self.page_size = rows.clamp(1, 1000);
        self
    }

    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Runs an organisation-level cmdlet and returns its rows; its warnings go to the warning
    /// stream.
    pub async fn invoke(&self, cmdlet: &str, parameters: Map<String, Value>) -> Result<Vec<Value>> {
        let output = self.run(cmdlet, parameters, Anchor::Organization).await?;
        for warning in output.warnings {
            ops::warning(format!("{cmdlet}: {warning}"));
        }
        Ok(output.rows)
    }

    /// Runs a cmdlet anchored as given, every page, returning rows and warnings.
    pub async fn run(&self, cmdlet: &str, parameters: Map<String, Value>, anchor: Anchor<'_>) -> Result<Output> {
        self.cloud.require_exchange()?;
        let body = json!({"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}});
        let mut url = self.entry_url();
        let mut output = Output::default();
        let mut pages = 0u32;
        loop {
            let request = self.request(url.clone(), cmdlet, anchor, &body);
            let (answered_at, response) = self.send(cmdlet, request).await?;
            let page = read_page(cmdlet, &answered_at, &response)?;
            output.rows.extend(page.rows);
            output.warnings.extend(page.warnings);
            pages += 1;
            match page.next_link {
                None => return Ok(output),
                Some(next) => {
                    let next = route::follow(&self.cloud.exchange_endpoint, &answered_at, &next)
                        .map_err(|why| protocol(&answered_at, format!("{cmdlet}: @odata.nextLink is not followed: {why}")))?;
                    if next == answered_at || pages > 10_000 {
                        return Err(protocol(&answered_at, format!("{cmdlet}: @odata.nextLink does not advance")));
                    }
                    ops::verbose(format!("{cmdlet}: page {} ({} rows so far)", pages + 1, output.rows.len()));
                    url = next;
                }
            }
        }
    }

    /// The front door, or the regional backend it sent us to before.
    fn entry_url(&self) -> Url {
        let regional = self.regional.lock().unwrap_or_else(|p| p.into_inner()).clone();
        regional.unwrap_or_else(|| self.cloud.invoke_command_url(&self.tenant))
    }

    fn request(&self, url: Url, cmdlet: &str, anchor: Anchor<'_>, body: &Value) -> Request {
        Request::new(Method::Post, url)
            .header("accept", "application/json")
            .header("x-responseformat", "json")
            .header("prefer", format!("odata.maxpagesize={}", self.page_size))
            .header("x-cmdletname", cmdlet)
            .header("x-anchormailbox", self.anchor(anchor))
            .header("accept-language", self.language.clone())
            .header("client-request-id", uuid::Uuid::new_v4().to_string())
            .json(body)
    }

    fn anchor(&self, anchor: Anchor<'_>) -> String {
        match anchor {
            Anchor::Mailbox(address) => format!("SMTP:{address}"),
            // A tenant given by domain is anchored by UPN, by id as an APP: address.
            Anchor::Organization if self.tenant.contains('.') => format!("UPN:{SYSTEM_MAILBOX}@{}", self.tenant),
            Anchor::Organization => format!("APP:{SYSTEM_MAILBOX}@{}", self.tenant),
        }
    }

    /// Sends one page's request with a bearer token: the transport retries throttling; here a
    /// 401 gets one fresh token, a redirect is followed by hand, and Exchange's transient 400s
    /// wait as the one retry policy says. Returns the URL that answered and its success answer.
    async fn send(&self, cmdlet: &str, mut request: Request) -> Result<(Url, Response)> {
        let scope = self.cloud.exchange_scope();
        let (mut redirects, mut attempt) = (0, 1);
        loop {
            let response = self.tokens.send_authorised(&self.transport, &scope, &request).await?;
            if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                redirects += 1;
                request.url = self.redirected(cmdlet, &request.url, &response, redirects)?;
                continue;
            }
            if response.is_success() {
                return Ok((request.url, response));
            }
            let failure = error::parse(&response);
            let wait = failure.is_transient().then(|| self.transport.retry_policy().after_items(attempt, false, &[response.header("retry-after")])).flatten();
            match wait {
                Some(delay) => {
                    ops::verbose(format!("{cmdlet}: {} ({}); retry {attempt} in {} ms", failure.class, failure.message, delay.as_millis()));
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                None => return Err(failure.into_error(cmdlet, display(&request.url), response.status)),
            }
        }
    }

    /// Where a redirect leads, checked; the regional URL is remembered for later cmdlets.
    fn redirected(&self, cmdlet: &str, from: &Url, response: &Response, count: u32) -> Result<Url> {
        let Some(location) = response.header("location") else {
            return Err(protocol(from, format!("{cmdlet}: a {} redirect without a Location", response.status)));
        };
        if count > MAX_REDIRECTS {
            return Err(protocol(from, format!("{cmdlet}: more than {MAX_REDIRECTS} redirects (the last to {location})")));
        }
        let target = route::follow(&self.cloud.exchange_endpoint, from, location)
            .map_err(|why| protocol(from, format!("{cmdlet}: the redirect is not followed: {why}")))?;
        ops::verbose(format!("{cmdlet}: the admin API sent this tenant to {}", display(&target)));
        let mut remembered = target.clone();
        remembered.set_query(None);
        *self.regional.lock().unwrap_or_else(|p| p.into_inner()) = Some(remembered);
        Ok(target)
    }
}

/// One answered page.
struct Page {
    rows: Vec<Value>,
    warnings: Vec<String>,
    next_link: Option<String>,
}

fn read_page(cmdlet: &str, url: &Url, response: &Response) -> Result<Page> {
    if response.body.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Ok(Page { rows: Vec::new(), warnings: Vec::new(), next_link: None });
    }
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|e| protocol(url, format!("{cmdlet}: the answer is not JSON ({e})")))?;
    if let Some(failure) = body.get("@adminapi.errors").and_then(error::from_adminapi_errors) {
        return Err(failure.into_error(cmdlet, display(url), response.status));
    }
    let rows = match body.get("value") {
        Some(Value::Array(rows)) => rows.iter().map(without_annotations).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(protocol(url, format!("{cmdlet}: 'value' is not an array"))),
    };
    let warnings = body
        .get("@adminapi.warnings")
        .and_then(Value::as_array)
        .map(|w| w.iter().map(|w| w.as_str().map_or_else(|| w.to_string(), str::to_string)).collect())
        .unwrap_or_default();
    let next_link = body.get("@odata.nextLink").and_then(Value::as_str).map(str::to_string);
    Ok(Page { rows, warnings, next_link })
}

/// A row without its OData annotations (`Identity@odata.type`): they are not properties.
fn without_annotations(row: &Value) -> Value {
    match row {
        Value::Object(map) => Value::Object(map.iter().filter(|(k, _)| !k.contains('@')).map(|(k, v)| (k.clone(), v.clone())).collect()),
        other => other.clone(),
    }
}

fn display(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

fn protocol(url: &Url, message: String) -> ExoError {
    ExoError::Protocol { url: display(url), message }
}

/// Builds a `Parameters` object: `None` values are left out (an unset parameter), as are
/// `false` switches.
pub fn parameters<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<Value>)>) -> Map<String, Value> {
    pairs.into_iter().filter_map(|(name, value)| Some((name.to_string(), value?))).collect()
}

/// A switch parameter: present (`true`) or absent.
pub fn switch(set: bool) -> Option<Value> {
    set.then_some(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_dropped_and_empty_answers_are_no_rows() {
        let url = Url::parse("https://outlook.office365.com/adminapi/beta/t/InvokeCommand").unwrap();
        let body = r##"{"value":[{"Identity":"x","Identity@odata.type":"#Exchange.Id"}],"@adminapi.warnings":["no settings modified"]}"##;
        let response = Response { status: 200, headers: Default::default(), body: body.as_bytes().to_vec() };
        let page = read_page("Set-X", &url, &response).unwrap();
        assert_eq!(page.rows, vec![json!({"Identity": "x"})]);
        assert_eq!(page.warnings, vec!["no settings modified"]);
        let empty = Response { status: 200, headers: Default::default(), body: Vec::new() };
        assert!(read_page("Set-X", &url, &empty).unwrap().rows.is_empty());
    }

    #[test]
    fn parameters_leave_out_unset_values_and_false_switches() {
        let map = parameters([("Identity", Some(json!("a"))), ("Description", None), ("ResetUrl", switch(false)), ("Force", switch(true))]);
        assert_eq!(Value::Object(map), json!({"Identity": "a", "Force": true}));
    }
}
