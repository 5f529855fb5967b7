//! Malformed requests to every Graph route the sandbox serves get a 4xx answer in Graph's error
//! shape — never a 5xx, a panic or a hang — and the sandbox keeps serving.

mod support;

use std::time::Duration;

use exokit_sandbox::routes::catalog;
use serde_json::Value;
use support::graph::*;

/// Fills a Graph template's `{x-id}` keys with `key`.
fn concrete(template: &str, key: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { key.to_string() } else { s.replace("()", "") })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn malformed_requests_to_every_route_get_graph_4xx_answers() {
    let graph = Graph::start().await;
    let keys = ["not-a-real-id", "%27%22%3B--", &"x".repeat(3000), "AAMk%00", ALICE];
    let queries = ["", "?$top=-1", "?$top=abc", "?$select=", "?$filter=%28%28%28", "?$skiptoken=zz", "?$deltatoken=%ff", "?$bogus=1"];
    let bodies: [Option<&str>; 4] = [None, Some("{"), Some("[1,2]"), Some(r#"{"displayName": {"nested": [null]}}"#)];
    let mut sent = 0;
    for route in catalog::all() {
        for key in keys {
            for query in queries {
                for body in bodies {
                    let url = graph.url(&format!("/{}{}{query}", route.version, concrete(route.template, key)));
                    let mut request = graph.http.request(route.method.parse().unwrap(), &url).bearer_auth(&graph.token).timeout(Duration::from_secs(10));
                    if let Some(body) = body {
                        request = request.header("content-type", "application/json").body(body.to_string());
                    }
                    let response = request.send().await.unwrap_or_else(|e| panic!("{} {url}: no answer ({e})", route.method));
                    let status = response.status().as_u16();
                    let text = response.text().await.unwrap();
                    sent += 1;
                    assert!(status < 500, "{} {url} with {body:?}: {status} {text}", route.method);
                    if status >= 400 {
                        let json: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{} {url}: not JSON: {text}", route.method));
                        assert!(json["error"]["code"].is_string(), "{} {url}: not Graph's error shape: {text}", route.method);
                    }
                }
            }
        }
    }
    assert!(sent > 1000, "{sent}");
    assert_eq!(graph.get(&format!("/v1.0/users/{ALICE}")).await.status, 200, "still serving");
}
