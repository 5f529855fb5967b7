//! The typed Microsoft Graph client: authentication, paging and Graph's error JSON, over the
//! shared transport.

mod batch;
mod error;
mod gate;

pub use batch::{BatchRequest, MAX_BATCH};
pub use gate::MailboxGate;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::TokenProvider;
use crate::cloud::Cloud;
use crate::error::{ExoError, Result};
use crate::http::{Method, Request, Response, Transport};

/// Graph's API versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    Beta,
}

impl Version {
    pub fn segment(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// A Graph client for one connection.
#[derive(Clone)]
pub struct GraphClient {
    cloud: Cloud,
    transport: Transport,
    tokens: Arc<TokenProvider>,
    gate: Arc<MailboxGate>,
}

/// One page of a Graph collection.
#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl GraphClient {
    pub fn new(cloud: Cloud, transport: Transport, tokens: Arc<TokenProvider>) -> Self {
        GraphClient { cloud, transport, tokens, gate: Arc::new(MailboxGate::default()) }
    }

    /// The transport's counters (round trips, retries, throttled answers).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Outlook's per-mailbox concurrency, shared by every caller of this client.
    pub fn gate(&self) -> &MailboxGate {
        &self.gate
    }

    /// The absolute URL of `path` (relative to the version) with `query`.
    pub fn url(&self, version: Version, path: &str, query: &[(&str, &str)]) -> url::Url {
        let mut url = self.cloud.graph_url(version.segment(), path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Every item of a collection, following `@odata.nextLink` to the end.
    pub async fn list<T: DeserializeOwned>(&self, version: Version, path: &str, query: &[(&str, &str)]) -> Result<Vec<T>> {
        self.list_with_headers(version, path, query, &[]).await
    }

    /// The same with request headers sent on every page (`ConsistencyLevel: eventual` must go
    /// on the nextLinks of an advanced query too).
    pub async fn list_with_headers<T: DeserializeOwned>(
        &self,
        version: Version,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&'static str, &str)],
    ) -> Result<Vec<T>> {
        let mut url = self.url(version, path, query);
        let mut items = Vec::new();
        loop {
            let mut request = Request::new(Method::Get, url.clone());
            for (name, value) in headers {
                request = request.header(name, *value);
            }
            let response = self.call(&request).await?;
            let page: Page<T> = parse(&request, &response)?;
            items.extend(page.value);
            match page.next_link {
                Some(next) => url = self.next_link(&request, &next)?,
                None => return Ok(items),
            }
        }
    }

    /// One page of a collection at `url` (a first page or a nextLink/deltaLink), as JSON.
    pub async fn page(&self, url: url::Url, headers: &[(&'static str, &str)]) -> Result<Value> {
        let mut request = Request::new(Method::Get, url);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let response = self.call(&request).await?;
        parse(&request, &response)
    }

    /// Checks that a link Graph returned points back at this cloud's Graph, and parses it.
    pub fn follow(&self, from: &url::Url, link: &str) -> Result<url::Url> {
        self.next_link(&Request::new(Method::Get, from.clone()), link)
    }

    /// One request with an optional JSON body; the answer's JSON (`Null` for 204).
    pub async fn send(&self, method: Method, url: url::Url, body: Option<&Value>) -> Result<Value> {
        let mut request = Request::new(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.call(&request).await?;
        if response.body.is_empty() {
            return Ok(Value::Null);
        }
        parse(&request, &response)
    }

    /// A nextLink must point back at this cloud's Graph: the bearer token goes with it.
    fn next_link(&self, request: &Request, next: &str) -> Result<url::Url> {
        let url = url::Url::parse(next).map_err(|e| ExoError::Protocol {
            url: request.display_url(),
            message: format!("@odata.nextLink is not a URL ({e})"),
        })?;
        if url.origin() != self.cloud.graph_endpoint.origin() {
            return Err(ExoError::Protocol {
                url: request.display_url(),
                message: format!("@odata.nextLink points to another host ({})", url.origin().ascii_serialization()),
            });
        }
        Ok(url)
    }

    /// Sends a request with a bearer token. A 401 gets one fresh token and one more try; any
    /// other error status becomes [`ExoError::Service`].
    async fn call(&self, request: &Request) -> Result<Response> {
        let response = self.tokens.send_authorised(&self.transport, &self.cloud.graph_scope(), request).await?;
        if response.is_success() {
            return Ok(response);
        }
        Err(error::from_response(request, &response))
    }
}

/// One path segment from a user-given value (a UPN, an id): `#` (guest UPNs hold `#EXT#`), `?`,
/// `/` and `%` would change the URL's meaning, so they are percent-encoded.
pub fn segment(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'#').add(b'?').add(b'/').add(b'%').add(b' ');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

fn parse<T: DeserializeOwned>(request: &Request, response: &Response) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| ExoError::Protocol {
        url: request.display_url(),
        message: format!("the response is not the expected JSON ({e})"),
    })
}
