//! The one transport: every Graph, Exchange and token request goes through [`Transport::send`],
//! which owns the HTTP client, the retry policy and the counters.

mod network;
mod retry;

pub use network::{Network, ProxySetting, without_credentials};
pub use retry::RetryPolicy;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::error::{ExoError, Result, chain};
use crate::ops;

/// An HTTP method this crate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// A request that can be sent again as it is (a retry needs the same body).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: url::Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Body>,
    /// Not safe to send twice (a create, or a `$batch` holding one): retried only when the answer
    /// says it was not applied (see [`RetryPolicy::after_status_at_most_once`]); any other failure
    /// is returned, for the caller to find out what happened before sending it again.
    pub at_most_once: bool,
}

/// A request body. Form bodies may hold secrets, so every body is zeroed when dropped.
#[derive(Clone)]
pub struct Body {
    pub content_type: &'static str,
    pub bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Body({}, {} bytes)", self.content_type, self.bytes.len())
    }
}

impl Request {
    pub fn new(method: Method, url: url::Url) -> Self {
        Request { method, url, headers: Vec::new(), body: None, at_most_once: false }
    }
    /// Marks the request as not safe to send twice ([`Request::at_most_once`]).
    pub fn at_most_once(mut self, yes: bool) -> Self {
        self.at_most_once = yes;
        self
    }
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn json(mut self, value: &serde_json::Value) -> Self {
        let bytes = serde_json::to_vec(value).expect("a JSON value always serialises");
        self.body = Some(Body { content_type: "application/json", bytes: Zeroizing::new(bytes) });
        self
    }
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let text = Zeroizing::new(serde_urlencoded::to_string(pairs).expect("string pairs always encode"));
        self.body = Some(Body {
            content_type: "application/x-www-form-urlencoded",
            bytes: Zeroizing::new(text.as_bytes().to_vec()),
        });
        self
    }
    /// The URL without its query string, for messages (queries may carry filters, never secrets,
    /// but they make error lines long).
    pub fn display_url(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.to_string()
    }
}

/// A complete response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// How the transport is set up.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    pub retry: RetryPolicy,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    pub network: Network,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(100),
            connect_timeout: Duration::from_secs(10),
            network: Network::default(),
        }
    }
}

/// Counts what crossed the wire; read by tests and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {
    pub round_trips: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// The HTTP client with its retry policy. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    retry: RetryPolicy,
    counters: Arc<Counters>,
}

impl Transport {
    pub fn new(options: TransportOptions) -> Result<Transport> {
        let builder = options.network.apply(reqwest::Client::builder())?;
        let client = builder
            .user_agent(concat!("ExoKit/", env!("CARGO_PKG_VERSION")))
            .timeout(options.request_timeout)
            .connect_timeout(options.connect_timeout)
            // Graph's nextLinks and Exchange's regional redirects are followed by the callers,
            // which must re-attach credentials deliberately.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ExoError::Internal(format!("cannot build the HTTP client: {}", chain(&e))))?;
        Ok(Transport { client, retry: options.retry, counters: Arc::new(Counters::default()) })
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sends `request`, retrying throttling (429), 503/504 and connection failures as the policy
    /// allows. A response with any other status is returned as it is, for the caller to judge.
    pub async fn send(&self, request: &Request) -> Result<Response> {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let outcome = self.send_once(request).await;
            let elapsed = started.elapsed().as_millis();
            let decision = match &outcome {
                Ok(resp) => {
                    ops::verbose(format!("{} {} -> {} ({elapsed} ms)", request.method.as_str(), request.display_url(), resp.status));
                    if request.at_most_once {
                        self.retry.after_status_at_most_once(attempt, resp.status, resp.header("retry-after"))
                    } else {
                        self.retry.after_status(attempt, resp.status, resp.header("retry-after"))
                    }
                }
                // A connection never made sent nothing; one that failed later may have delivered it.
                Err(failure) if !request.at_most_once || failure.before_sending => self.retry.after_connect_failure(attempt),
                Err(_) => None,
            };
            let outcome = outcome.map_err(|failure| failure.error);
            let Some(delay) = decision else { return outcome };
            if matches!(&outcome, Ok(r) if r.status == 429) {
                self.counters.throttled.fetch_add(1, Ordering::Relaxed);
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            let what = match &outcome {
                Ok(resp) => format!("answered {}", resp.status),
                Err(err) => err.to_string(),
            };
            ops::verbose(format!(
                "{} {} {what}; retry {attempt} of {} in {} ms",
                request.method.as_str(),
                request.display_url(),
                self.retry.max_retries,
                delay.as_millis()
            ));
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn send_once(&self, request: &Request) -> std::result::Result<Response, Failure> {
        self.counters.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut builder = self.client.request(request.method.to_reqwest(), request.url.clone());
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| Failure {
                error: ExoError::Internal(format!("header {name} has a value HTTP cannot carry")),
                before_sending: true,
            })?;
            headers.insert(HeaderName::from_static(name), value);
        }
        if let Some(body) = &request.body {
            headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(body.content_type));
            builder = builder.body(body.bytes.to_vec());
        }
        let unreachable = |e: reqwest::Error| Failure {
            before_sending: e.is_connect(),
            error: ExoError::Unreachable { url: request.display_url(), cause: describe(&e) },
        };
        let resp = builder.headers(headers).send().await.map_err(unreachable)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        // The answer's status came: the request was received, whatever happens to its body.
        let body = resp.bytes().await.map_err(|e| Failure { before_sending: false, ..unreachable(e) })?.to_vec();
        Ok(Response { status, headers, body })
    }
}

/// A request that got no answer, and whether it certainly never left (the connection was not made).
struct Failure {
    error: ExoError,
    before_sending: bool,
}

/// A short cause for a failed request: reqwest's own text is generic ("error sending request").
fn describe(err: &reqwest::Error) -> String {
    let text = chain(err);
    if err.is_timeout() {
        format!("timed out ({text})")
    } else if text.contains("certificate") || text.contains("UnknownIssuer") {
        // The usual cause behind a TLS-inspecting proxy or a test tenant: say what fixes it.
        format!(
            "the server's TLS certificate is not trusted ({text}); if a proxy or a private CA signs it, pass that CA's PEM file with -CertificateAuthorityFile, AUTOMATION_SYNCCONTACTS_CA_FILE or SSL_CERT_FILE"
        )
    } else if err.is_connect() {
        format!("connection failed ({text})")
    } else {
        text
    }
}
