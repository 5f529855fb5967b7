//! What the sandbox refuses, as Graph refuses it, so that a client cannot pass against the
//! sandbox and fail against a tenant: checks in Graph's order (token, user, mailbox, body),
//! ids unique in the tenant, query options implemented or refused (never ignored), JSON bodies
//! only, and delta on folders only.

mod support;

use exokit_sandbox::Seed;
use serde_json::{Value, json};
use support::graph::*;

const CONTACTS: &str = "/v1.0/users/alice@contoso.onmicrosoft.com/contacts";

/// A request with a raw body and content type, with or without the token.
async fn raw(graph: &Graph, token: bool, method: &str, path: &str, body: &str, content_type: Option<&str>) -> Answer {
    let mut request = graph.http.request(method.parse().unwrap(), graph.url(path)).body(body.to_string());
    if token {
        request = request.bearer_auth(&graph.token);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    Answer::from(request.send().await.unwrap()).await
}

#[tokio::test]
async fn the_token_is_checked_before_the_body() {
    let graph = Graph::start().await;
    for (method, path) in [("POST", CONTACTS.to_string()), ("POST", "/v1.0/users/alice@contoso.onmicrosoft.com/contactFolders".into()), ("PATCH", format!("{CONTACTS}/AAMkAGnotthere0000AAA="))] {
        let answer = raw(&graph, false, method, &path, "", None).await;
        assert_eq!(answer.status, 401, "{method} {path} without a token and a body: {}", answer.body);
    }
}

#[tokio::test]
async fn the_user_and_mailbox_are_checked_before_the_body() {
    let graph = Graph::start().await;
    let nobox = raw(&graph, true, "POST", &format!("/v1.0/users/{NOBOX}/contacts"), "", None).await;
    assert_eq!((nobox.status, nobox.code()), (404, "MailboxNotEnabledForRESTAPI"), "{}", nobox.body);
    let nobody = raw(&graph, true, "POST", "/v1.0/users/nobody@contoso.onmicrosoft.com/contacts", "", None).await;
    assert_eq!((nobody.status, nobody.code()), (404, "ErrorInvalidUser"), "{}", nobody.body);
    let empty = raw(&graph, true, "POST", CONTACTS, "", Some("application/json")).await;
    assert_eq!(empty.status, 400, "with a valid token and mailbox the body is read last: {}", empty.body);
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_refused() {
    let graph = Graph::start().await;
    let body = json!({"givenName": "Plain"}).to_string();
    let plain = raw(&graph, true, "POST", CONTACTS, &body, Some("text/plain")).await;
    assert_eq!((plain.status, plain.code()), (400, "RequestBodyRead"), "{}", plain.body);
    let with_charset = raw(&graph, true, "POST", CONTACTS, &body, Some("application/json; charset=utf-8")).await;
    assert_eq!(with_charset.status, 201, "{}", with_charset.body);
}

/// The demo seed: every user's id starts with the same 12 hex digits.
async fn demo() -> Graph {
    Graph::start_with(Seed::demo(), APP, SECRET).await
}

#[tokio::test]
async fn ids_are_unique_in_the_tenant_and_another_mailboxs_id_is_not_found() {
    let graph = demo().await;
    let alice = graph.get("/v1.0/users/alice@contoso.onmicrosoft.com/contacts").await.rows();
    let bob = graph.get("/v1.0/users/bob@contoso.onmicrosoft.com/contacts").await.rows();
    let folder = graph.post("/v1.0/users/allcontacts@contoso.onmicrosoft.com/contactFolders", json!({"displayName": "All Contacts"})).await;
    assert_eq!(folder.status, 201, "{}", folder.body);
    let mut ids: Vec<&str> = alice.iter().chain(&bob).map(|c| c["id"].as_str().unwrap()).collect();
    ids.push(folder.body["id"].as_str().unwrap());
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "every id once in the tenant: {ids:?}");
    let alices = alice[0]["id"].as_str().unwrap();
    let wrong = graph.get(&format!("/v1.0/users/bob@contoso.onmicrosoft.com/contacts/{alices}")).await;
    assert_eq!((wrong.status, wrong.code()), (404, "ErrorItemNotFound"), "{}", wrong.body);
    let patch = graph.patch(&format!("/v1.0/users/bob@contoso.onmicrosoft.com/contacts/{alices}"), json!({"jobTitle": "x"})).await;
    assert_eq!((patch.status, patch.code()), (404, "ErrorItemNotFound"));
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|c| c["givenName"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn contact_lists_filter_order_and_count() {
    let graph = Graph::start().await;
    let filtered = graph.get(&format!("{CONTACTS}?$filter=givenName eq 'Person03'")).await;
    assert_eq!(filtered.status, 200, "{}", filtered.body);
    assert_eq!(names(&filtered.rows()), ["Person03"]);
    let ordered = graph.get(&format!("{CONTACTS}?$orderby=givenName desc&$top=3&$filter=surname eq 'Test'")).await;
    assert_eq!(names(&ordered.rows()), ["Person23", "Person22", "Person21"]);
    let next = ordered.body["@odata.nextLink"].as_str().expect("more pages");
    assert_eq!(names(&graph.get(next).await.rows()), ["Person20", "Person19", "Person18"], "the nextLink keeps the filter and the order");
    let counted = graph.get(&format!("{CONTACTS}?$count=true&$top=1")).await;
    assert_eq!(counted.body["@odata.count"], 25);
    assert_eq!(counted.rows().len(), 1);
}

#[tokio::test]
async fn unknown_names_and_unimplemented_options_are_400s_not_ignored() {
    let graph = Graph::start().await;
    for query in ["$select=givenName,colour", "$filter=colour eq 'red'", "$filter=startswith(givenName,'P')", "$orderby=colour", "$search=\"ann\"", "$expand=extensions"] {
        let answer = graph.get(&format!("{CONTACTS}?{query}")).await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
    }
    let folders = "/v1.0/users/allcontacts@contoso.onmicrosoft.com/contactFolders";
    assert_eq!(graph.get(&format!("{folders}?$orderby=displayName")).await.status, 400);
    assert_eq!(graph.get(&format!("{folders}?$count=true")).await.body["@odata.count"], 1);
    let one = graph.get(CONTACTS).await.rows()[0]["id"].as_str().unwrap().to_string();
    let select = graph.get(&format!("{CONTACTS}/{one}?$select=nothing")).await;
    assert_eq!((select.status, select.code()), (400, "RequestBroker--ParseUri"), "{}", select.body);
}

#[tokio::test]
async fn a_ne_user_filter_needs_the_advanced_query_parameters() {
    let graph = Graph::start().await;
    let plain = graph.get("/v1.0/users?$filter=displayName ne 'x'").await;
    assert_eq!((plain.status, plain.code()), (400, "Request_UnsupportedQuery"), "{}", plain.body);
    let advanced = graph.send("GET", "/v1.0/users?$filter=displayName ne 'x'&$count=true", None, &[("ConsistencyLevel", "eventual")]).await;
    assert_eq!(advanced.status, 200, "{}", advanced.body);
    assert_eq!(graph.get("/v1.0/users?$filter=userPrincipalName eq 'bob@contoso.onmicrosoft.com'").await.rows().len(), 1, "eq is a basic query");
}

#[tokio::test]
async fn delta_is_per_folder_and_takes_select_only() {
    let graph = Graph::start().await;
    let root = graph.get(&format!("{CONTACTS}/delta")).await;
    assert_eq!(root.status, 400, "the undocumented /contacts/delta: {}", root.body);
    assert!(root.message().contains("contactFolders"), "{}", root.message());
    let folder = "/v1.0/users/alice@contoso.onmicrosoft.com/contactFolders/contacts/contacts/delta";
    assert_eq!(graph.get(folder).await.status, 200);
    for query in ["$filter=givenName eq 'x'", "$orderby=givenName", "$top=5", "$select=colour"] {
        assert_eq!(graph.get(&format!("{folder}?{query}")).await.status, 400, "{query}");
    }
}
