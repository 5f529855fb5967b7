//! Load generation: a token for the demo app, then keep-alive clients sending back-to-back
//! requests for a measured window.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::http;

const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SECRET: &str = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";

/// A Graph token from the sandbox's token endpoint (client credentials, the demo app).
pub async fn token(address: &str, tenant: &str) -> Result<String, String> {
    let mut connection = http::Connection::open(address)
        .await
        .map_err(|e| e.to_string())?;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let answer = connection
        .send(&http::post_form(
            &format!("/{tenant}/oauth2/v2.0/token"),
            &form,
        ))
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| format!("the token answer is not JSON: {e}"))?;
    body["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token (HTTP {}): {body}", answer.status))
}

pub struct Stats {
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failures: usize,
}

/// `clients` connections send back-to-back requests for a short warm-up, then for `window`;
/// only the window counts.
pub async fn hammer(
    address: &str,
    requests: &[Vec<u8>],
    clients: usize,
    window: Duration,
) -> Result<Stats, String> {
    let warm_up = Duration::from_millis(300);
    let start = Instant::now() + warm_up;
    let end = start + window;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let mut connection = http::Connection::open(address)
            .await
            .map_err(|e| e.to_string())?;
        let requests: Vec<Vec<u8>> = requests
            .iter()
            .skip(client)
            .chain(requests.iter().take(client))
            .cloned()
            .collect();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            for request in requests.iter().cycle() {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let answer = connection.send(request).await?;
                if sent >= start {
                    latencies.push(sent.elapsed());
                    failures += usize::from(!(200..300).contains(&answer.status));
                }
            }
            Ok::<_, std::io::Error>((latencies, failures))
        }));
    }
    let (mut latencies, mut failures) = (Vec::new(), 0);
    for task in tasks {
        let (mine, failed) = task
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("a client failed: {e}"))?;
        latencies.extend(mine);
        failures += failed;
    }
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Ok(Stats {
        rate: latencies.len() as f64 / window.as_secs_f64(),
        p50_ms: percentile(0.5),
        p99_ms: percentile(0.99),
        failures,
    })
}
