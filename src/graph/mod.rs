//! The typed Microsoft Graph client: authentication, paging and Graph's error JSON, over the
//! shared transport.

mod error;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Deserialize;

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
    fn segment(self) -> &'static str {
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
        GraphClient { cloud, transport, tokens }
    }

    /// Every item of a collection, following `@odata.nextLink` to the end.
    pub async fn list<T: DeserializeOwned>(&self, version: Version, path: &str, query: &[(&str, &str)]) -> Result<Vec<T>> {
        let mut url = self.cloud.graph_url(version.segment(), path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut items = Vec::new();
        loop {
            let request = Request::new(Method::Get, url.clone());
            let response = self.call(&request).await?;
            let page: Page<T> = parse(&request, &response)?;
            items.extend(page.value);
            match page.next_link {
                Some(next) => url = self.next_link(&request, &next)?,
                None => return Ok(items),
            }
        }
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
        let scope = self.cloud.graph_scope();
        let mut refreshed = false;
        loop {
            let token = self.tokens.token(&scope).await?;
            let authorised = request.clone().header("authorization", format!("Bearer {}", token.value.expose()));
            let response = self.transport.send(&authorised).await?;
            if response.status == 401 && !refreshed {
                self.tokens.invalidate(&scope).await;
                refreshed = true;
                continue;
            }
            if response.is_success() {
                return Ok(response);
            }
            return Err(error::from_response(request, &response));
        }
    }
}

fn parse<T: DeserializeOwned>(request: &Request, response: &Response) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| ExoError::Protocol {
        url: request.display_url(),
        message: format!("the response is not the expected JSON ({e})"),
    })
}
