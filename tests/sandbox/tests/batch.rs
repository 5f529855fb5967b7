//! `$batch`: size limit, per-item answers matched by id, `dependsOn` with 424.

mod support;

use serde_json::{Value, json};
use support::graph::*;

fn item(id: &str, method: &str, url: &str, body: Option<Value>) -> Value {
    let mut out = json!({"id": id, "method": method, "url": url});
    if let Some(body) = body {
        out["body"] = body;
        out["headers"] = json!({"Content-Type": "application/json"});
    }
    out
}

fn by_id<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["responses"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no answer for {id}"))
}

#[tokio::test]
async fn items_answer_individually_and_the_envelope_is_200() {
    let graph = Graph::start().await;
    let requests = vec![
        item("1", "POST", &format!("/users/{ALICE}/contacts"), Some(json!({"givenName": "Batched"}))),
        item("2", "GET", "/users/ghost@contoso.onmicrosoft.com/contacts", None),
        item("3", "GET", &format!("/users/{ALICE}/contacts?$top=1"), None),
    ];
    let answer = graph.post("/v1.0/$batch", json!({"requests": requests})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(by_id(&answer.body, "1")["status"], 201);
    assert_eq!(by_id(&answer.body, "1")["body"]["givenName"], "Batched");
    assert_eq!(by_id(&answer.body, "2")["status"], 404);
    assert_eq!(by_id(&answer.body, "2")["body"]["error"]["code"], "ErrorInvalidUser");
    assert_eq!(by_id(&answer.body, "3")["body"]["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_dependent_of_a_failed_item_gets_424_and_is_not_run() {
    let graph = Graph::start().await;
    let mut second = item("b", "POST", &format!("/users/{ALICE}/contacts"), Some(json!({"givenName": "NeverMade"})));
    second["dependsOn"] = json!(["a"]);
    let requests = vec![item("a", "POST", &format!("/users/{ALICE}/contacts"), Some(json!({"bogus": 1}))), second];
    let answer = graph.post("/v1.0/$batch", json!({"requests": requests})).await;
    assert_eq!(by_id(&answer.body, "a")["status"], 400);
    assert_eq!(by_id(&answer.body, "b")["status"], 424);
    let all = graph.all_pages(&format!("/v1.0/users/{ALICE}/contacts?$top=1000"), &[]).await;
    assert!(all.iter().all(|c| c["givenName"] != "NeverMade"));
}

#[tokio::test]
async fn more_than_20_items_or_a_duplicate_id_fails_the_whole_batch() {
    let graph = Graph::start().await;
    let many: Vec<Value> = (0..21).map(|i| item(&i.to_string(), "GET", &format!("/users/{ALICE}"), None)).collect();
    assert_eq!(graph.post("/v1.0/$batch", json!({"requests": many})).await.status, 400);
    let twice = vec![item("1", "GET", "/users", None), item("1", "GET", "/users", None)];
    assert_eq!(graph.post("/v1.0/$batch", json!({"requests": twice})).await.status, 400);
    let no_type = json!({"requests": [{"id": "1", "method": "POST", "url": "/users/x/contacts", "body": {}}]});
    assert_eq!(graph.post("/v1.0/$batch", no_type).await.status, 400);
    assert_eq!(graph.post("/v1.0/$batch", json!({"nope": []})).await.status, 400);
}

#[tokio::test]
async fn batch_items_show_in_the_request_log_one_each() {
    let graph = Graph::start().await;
    graph.sandbox.state.clear_requests();
    let requests: Vec<Value> = (0..5).map(|i| item(&i.to_string(), "POST", &format!("/users/{ALICE}/contacts"), Some(json!({"givenName": format!("B{i}")})))).collect();
    graph.post("/v1.0/$batch", json!({"requests": requests})).await;
    let log = graph.sandbox.state.requests();
    let posts = log.iter().filter(|e| e.method == "POST" && e.path.ends_with("/contacts")).count();
    assert_eq!(posts, 5);
}
