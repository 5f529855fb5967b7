//! JSON batching: up to 20 requests in one round trip. Items are answered one by one; the ones
//! Graph throttled (429, or 503/504) go again in a later batch after their longest
//! `Retry-After`, within the retry policy's bounds, so one busy mailbox never fails a run.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{GraphClient, Version, error, parse};
use crate::error::{ExoError, Result};
use crate::http::{Method, Request};
use crate::ops;

/// Graph's limit of requests per batch.
pub const MAX_BATCH: usize = 20;

/// One request of a batch; `url` is relative to the version (`/users/{id}/contacts`).
#[derive(Debug, Clone)]
pub struct BatchRequest {
    pub method: Method,
    pub url: String,
    pub body: Option<Value>,
}

impl BatchRequest {
    pub fn new(method: Method, url: impl Into<String>, body: Option<Value>) -> Self {
        BatchRequest { method, url: url.into(), body }
    }

    fn to_json(&self, id: usize) -> Value {
        let mut item = json!({"id": id.to_string(), "method": self.method.as_str(), "url": self.url});
        if let Some(body) = &self.body {
            item["body"] = body.clone();
            item["headers"] = json!({"Content-Type": "application/json"});
        }
        item
    }
}

#[derive(Deserialize)]
struct Envelope {
    responses: Vec<ItemAnswer>,
}

#[derive(Deserialize)]
struct ItemAnswer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Value,
}

impl ItemAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
    }

    fn transient(&self) -> bool {
        matches!(self.status, 429 | 503 | 504)
    }
}

impl GraphClient {
    /// Sends `requests` (at most [`MAX_BATCH`]) as one `$batch` and returns each one's outcome,
    /// in order: its JSON answer, or the error Graph gave it. `Err` only when the batch itself
    /// failed (unreachable, refused as a whole).
    pub async fn batch(&self, version: Version, requests: &[BatchRequest]) -> Result<Vec<Result<Value>>> {
        assert!(requests.len() <= MAX_BATCH, "callers split batches at {MAX_BATCH}");
        let mut outcomes: Vec<Option<Result<Value>>> = (0..requests.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..requests.len()).collect();
        let mut attempt = 1;
        while !pending.is_empty() {
            let answers = self.send_batch(version, requests, &pending).await?;
            let mut retry = Vec::new();
            let mut waits = Vec::new();
            let mut throttled = false;
            for index in pending {
                let answer = answers.get(&index);
                match answer {
                    Some(a) if a.transient() => {
                        throttled |= a.status == 429;
                        retry.push(index);
                        waits.push(a.header("retry-after").map(str::to_string));
                    }
                    Some(a) => outcomes[index] = Some(outcome(version, &requests[index], a, self)),
                    None => outcomes[index] = Some(Err(missing(&requests[index]))),
                }
            }
            let wait_texts: Vec<Option<&str>> = waits.iter().map(Option::as_deref).collect();
            let delay = if retry.is_empty() { None } else { self.transport().retry_policy().after_items(attempt, throttled, &wait_texts) };
            match delay {
                Some(delay) => {
                    ops::verbose(format!("$batch: {} of its requests were throttled; retry {attempt} in {} ms", retry.len(), delay.as_millis()));
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    pending = retry;
                }
                None => {
                    for index in retry {
                        let answer = &answers[&index];
                        outcomes[index] = Some(outcome(version, &requests[index], answer, self));
                    }
                    pending = Vec::new();
                }
            }
        }
        Ok(outcomes.into_iter().map(|o| o.expect("every request has an outcome")).collect())
    }

    async fn send_batch(&self, version: Version, requests: &[BatchRequest], pending: &[usize]) -> Result<HashMap<usize, ItemAnswer>> {
        let items: Vec<Value> = pending.iter().map(|i| requests[*i].to_json(*i)).collect();
        // A batch that creates is not safe to send twice: an envelope whose answer is lost is
        // returned as an error, and the caller looks the creates up before sending any again.
        let creates = pending.iter().any(|i| requests[*i].method == Method::Post);
        let request = Request::new(Method::Post, self.url(version, "/$batch", &[])).json(&json!({"requests": items})).at_most_once(creates);
        let response = self.call(&request).await?;
        let envelope: Envelope = parse(&request, &response)?;
        let mut answers = HashMap::new();
        for answer in envelope.responses {
            let index = answer.id.parse::<usize>().ok().filter(|i| pending.contains(i)).ok_or_else(|| ExoError::Protocol {
                url: request.display_url(),
                message: format!("the batch answered an id it was not sent ('{}')", answer.id),
            })?;
            answers.insert(index, answer);
        }
        Ok(answers)
    }
}

fn outcome(version: Version, request: &BatchRequest, answer: &ItemAnswer, client: &GraphClient) -> Result<Value> {
    if (200..300).contains(&answer.status) {
        return Ok(answer.body.clone());
    }
    let url = client.url(version, &request.url, &[]);
    let mut display = url.clone();
    display.set_query(None);
    let body = serde_json::to_vec(&answer.body).unwrap_or_default();
    Err(error::from_parts(request.method.as_str(), display.to_string(), answer.status, &body, answer.header("request-id")))
}

fn missing(request: &BatchRequest) -> ExoError {
    ExoError::Protocol { url: request.url.clone(), message: "the batch gave no answer for this request".into() }
}
