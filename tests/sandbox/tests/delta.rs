//! Delta rounds on a contact folder: nextLinks then a deltaLink, `@removed`, and `410` when the
//! state is gone.

mod support;

use serde_json::{Value, json};
use support::graph::*;

/// Runs one whole round from `start`, returning the entries and the deltaLink.
async fn round(graph: &Graph, start: &str, page: usize) -> (Vec<Value>, String, usize) {
    let prefer = format!("odata.maxpagesize={page}");
    let mut entries = Vec::new();
    let mut pages = 0;
    let mut next = start.to_string();
    loop {
        let answer = graph.send("GET", &next, None, &[("Prefer", &prefer)]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        pages += 1;
        entries.extend(answer.body["value"].as_array().unwrap().iter().cloned());
        if let Some(link) = answer.body["@odata.nextLink"].as_str() {
            assert!(link.contains("$skiptoken="));
            next = link.to_string();
        } else {
            let delta = answer.body["@odata.deltaLink"].as_str().expect("a round ends with a deltaLink");
            assert!(delta.contains("$deltatoken="));
            return (entries, delta.to_string(), pages);
        }
    }
}

const DELTA: &str = "/v1.0/users/alice@contoso.onmicrosoft.com/contactFolders/contacts/contacts/delta";

#[tokio::test]
async fn an_initial_round_pages_through_every_contact_then_gives_a_delta_link() {
    let graph = Graph::start().await;
    let (entries, _, pages) = round(&graph, &format!("{DELTA}?$select=givenName,emailAddresses"), 10).await;
    assert_eq!(entries.len(), 25);
    assert_eq!(pages, 3);
    assert!(entries.iter().all(|e| e.get("surname").is_none()), "$select is carried in the tokens");
}

#[tokio::test]
async fn the_next_round_holds_changes_and_removed_entries_only() {
    let graph = Graph::start().await;
    let (entries, delta_link, _) = round(&graph, DELTA, 200).await;
    let victim = entries[0]["id"].as_str().unwrap().to_string();
    let changed = entries[1]["id"].as_str().unwrap().to_string();
    let contacts = "/v1.0/users/alice@contoso.onmicrosoft.com/contacts";
    assert_eq!(graph.send("DELETE", &format!("{contacts}/{victim}"), None, &[]).await.status, 204);
    assert_eq!(graph.patch(&format!("{contacts}/{changed}"), json!({"jobTitle": "Boss"})).await.status, 200);
    let created = graph.post(contacts, json!({"givenName": "New"})).await.body["id"].as_str().unwrap().to_string();
    let (changes, next_link, _) = round(&graph, &delta_link, 200).await;
    let removed: Vec<&Value> = changes.iter().filter(|e| e.get("@removed").is_some()).collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["id"], victim.as_str());
    assert_eq!(removed[0]["@removed"]["reason"], "deleted");
    let present: Vec<&str> = changes.iter().filter(|e| e.get("@removed").is_none()).map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(present, [changed.as_str(), created.as_str()]);
    let (quiet, _, _) = round(&graph, &next_link, 200).await;
    assert!(quiet.is_empty(), "no change, no entry: {quiet:?}");
}

#[tokio::test]
async fn an_evicted_state_answers_410_sync_state_not_found_with_a_fresh_link() {
    let graph = Graph::start().await;
    let (_, delta_link, _) = round(&graph, DELTA, 200).await;
    let expire = graph.http.post(graph.url("/_sandbox/delta/expire")).send().await.unwrap();
    assert_eq!(expire.status(), 204);
    let gone = graph.get(&delta_link).await;
    assert_eq!((gone.status, gone.code()), (410, "SyncStateNotFound"));
    let fresh = gone.headers["location"].to_str().unwrap().to_string();
    assert!(fresh.ends_with("/contacts/delta?$deltatoken="), "a fresh delta URL with an empty $deltatoken: {fresh}");
    let (entries, _, _) = round(&graph, &fresh, 200).await;
    assert_eq!(entries.len(), 25, "a fresh round lists everything again");
}

#[tokio::test]
async fn a_garbled_token_is_a_400_not_a_panic() {
    let graph = Graph::start().await;
    let bad = graph.get(&format!("{DELTA}?$deltatoken=zzzz")).await;
    assert_eq!(bad.status, 400);
    let other_folder = graph.get(&format!("/v1.0/users/{SHARED}/contactFolders/contacts/contacts/delta")).await;
    let token = other_folder.body["@odata.deltaLink"].as_str().unwrap().split("$deltatoken=").nth(1).unwrap().to_string();
    assert_eq!(graph.get(&format!("{DELTA}?$deltatoken={token}")).await.status, 400, "a token is bound to its folder");
}
