//! Graph's contact and user behaviour as the sandbox serves it; each test names the rule (from
//! graph-contact-semantics.md and graph-api.md) it pins down.

mod support;

use serde_json::{Value, json};
use support::graph::*;

const ALICE_CONTACTS: &str = "/v1.0/users/alice@contoso.onmicrosoft.com/contacts";

#[tokio::test]
async fn contact_lists_default_to_pages_of_10_with_skip_next_links() {
    let graph = Graph::start().await;
    let first = graph.get(ALICE_CONTACTS).await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 10);
    let next = first.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("%24skip=10"), "{next}");
    assert_eq!(graph.all_pages(ALICE_CONTACTS, &[]).await.len(), 25);
}

#[tokio::test]
async fn top_is_capped_at_1000() {
    let graph = Graph::start().await;
    assert_eq!(graph.get(&format!("{ALICE_CONTACTS}?$top=1000")).await.body["value"].as_array().unwrap().len(), 25);
    let refused = graph.get(&format!("{ALICE_CONTACTS}?$top=1001")).await;
    assert_eq!(refused.status, 400);
}

#[tokio::test]
async fn select_limits_properties_but_id_is_always_there() {
    let graph = Graph::start().await;
    let page = graph.get(&format!("{ALICE_CONTACTS}?$top=1&$select=givenName")).await;
    let contact = page.body["value"][0].as_object().unwrap();
    assert!(contact.contains_key("id") && contact.contains_key("givenName"));
    assert!(!contact.contains_key("surname") && !contact.contains_key("emailAddresses"));
}

#[tokio::test]
async fn contacts_is_the_default_folders_well_known_id() {
    let graph = Graph::start().await;
    let folder = graph.get(&format!("/v1.0/users/{ALICE}/contactFolders/contacts")).await;
    assert_eq!(folder.status, 200);
    let id = folder.body["id"].as_str().unwrap();
    assert_ne!(id, "contacts");
    let via_alias = graph.all_pages(&format!("/v1.0/users/{ALICE}/contactFolders/contacts/contacts?$top=100"), &[]).await;
    let via_id = graph.all_pages(&format!("/v1.0/users/{ALICE}/contactFolders/{id}/contacts?$top=100"), &[]).await;
    assert_eq!(via_alias.len(), 25);
    assert_eq!(via_alias, via_id);
}

#[tokio::test]
async fn contact_folders_lists_children_of_the_default_folder_and_filters_by_name() {
    let graph = Graph::start().await;
    let folders = graph.get(&format!("/v1.0/users/{SHARED}/contactFolders?$filter=displayName eq 'All Contacts'")).await;
    let value = folders.body["value"].as_array().unwrap();
    assert_eq!(value.len(), 1);
    assert_eq!(value[0]["displayName"], "All Contacts");
    let again = graph.post(&format!("/v1.0/users/{SHARED}/contactFolders"), json!({"displayName": "All Contacts"})).await;
    assert_eq!((again.status, again.code()), (409, "ErrorFolderExists"));
}

#[tokio::test]
async fn more_than_3_email_addresses_or_2_business_phones_is_a_400() {
    let graph = Graph::start().await;
    let emails: Vec<Value> = (0..4).map(|i| json!({"address": format!("e{i}@x.com")})).collect();
    let four = graph.post(ALICE_CONTACTS, json!({"givenName": "Four", "emailAddresses": emails})).await;
    assert_eq!(four.status, 400);
    assert!(four.body["error"]["message"].as_str().unwrap().contains("EmailAddresses has 4 entries"));
    let three = graph.post(ALICE_CONTACTS, json!({"givenName": "Three", "businessPhones": ["1", "2", "3"]})).await;
    assert!(three.body["error"]["message"].as_str().unwrap().contains("BusinessPhones has 3 entries"));
}

#[tokio::test]
async fn a_patch_maintains_change_key_and_whole_second_timestamps() {
    let graph = Graph::start().await;
    let created = graph.post(ALICE_CONTACTS, json!({"givenName": "Neo", "jobTitle": "One"})).await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap();
    let stamp = created.body["lastModifiedDateTime"].as_str().unwrap();
    assert_eq!(stamp.len(), 20, "whole seconds with Z: {stamp}");
    assert!(stamp.ends_with('Z'));
    let patched = graph.patch(&format!("{ALICE_CONTACTS}/{id}"), json!({"jobTitle": null})).await;
    assert_eq!(patched.status, 200);
    assert_ne!(patched.body["changeKey"], created.body["changeKey"]);
    assert_eq!(patched.body["@odata.etag"], json!(format!("W/\"{}\"", patched.body["changeKey"].as_str().unwrap())));
    assert_eq!(patched.body["jobTitle"], Value::Null);
    assert_eq!(graph.send("DELETE", &format!("{ALICE_CONTACTS}/{id}"), None, &[]).await.status, 204);
    assert_eq!(graph.get(&format!("{ALICE_CONTACTS}/{id}")).await.code(), "ErrorItemNotFound");
}

#[tokio::test]
async fn lists_cut_notes_that_start_with_a_line_break_but_a_get_by_id_does_not() {
    let graph = Graph::start().await;
    let all = graph.all_pages(&format!("{ALICE_CONTACTS}?$top=100"), &[]).await;
    let noted = all.iter().find(|c| c["displayName"] == "Noted").unwrap();
    let listed = noted["personalNotes"].as_str().unwrap();
    assert_eq!(listed.chars().count(), 256);
    assert!(!listed.contains('\n') && !listed.contains('\r'));
    let whole = graph.get(&format!("{ALICE_CONTACTS}/{}", noted["id"].as_str().unwrap())).await;
    let notes = whole.body["personalNotes"].as_str().unwrap();
    assert!(notes.starts_with("\nfirst line\r\n") && notes.len() > 400);
}

#[tokio::test]
async fn unknown_properties_and_bad_json_get_graph_400s() {
    let graph = Graph::start().await;
    let unknown = graph.post(ALICE_CONTACTS, json!({"givenName": "A", "favouriteColour": "red"})).await;
    assert_eq!((unknown.status, unknown.code()), (400, "RequestBodyRead"));
    let raw = graph.http.post(graph.url(ALICE_CONTACTS)).bearer_auth(&graph.token).body("{not json").send().await.unwrap();
    assert_eq!(raw.status(), 400);
    let empty = graph.http.post(graph.url(ALICE_CONTACTS)).bearer_auth(&graph.token).send().await.unwrap();
    assert_eq!(empty.status(), 400);
    let malformed = graph.get(&format!("{ALICE_CONTACTS}/not*an*id")).await;
    assert_eq!(malformed.code(), "ErrorInvalidIdMalformed");
}

#[tokio::test]
async fn a_user_without_a_mailbox_gets_mailbox_not_enabled_and_an_unknown_one_invalid_user() {
    let graph = Graph::start().await;
    let nobox = graph.get(&format!("/v1.0/users/{NOBOX}/contacts")).await;
    assert_eq!((nobox.status, nobox.code()), (404, "MailboxNotEnabledForRESTAPI"));
    let unknown = graph.get("/v1.0/users/ghost@contoso.onmicrosoft.com/contacts").await;
    assert_eq!((unknown.status, unknown.code()), (404, "ErrorInvalidUser"));
}

#[tokio::test]
async fn an_app_without_contacts_permission_is_denied() {
    let graph = Graph::start_with(seed(), "8c2e4f6a-1b3d-4c5e-8f7a-9b0c1d2e3f4a", "other-secret").await;
    let denied = graph.get(ALICE_CONTACTS).await;
    assert_eq!(denied.status, 403);
}

#[tokio::test]
async fn the_licence_filter_needs_eventual_consistency_and_count_for_its_next_page() {
    let graph = Graph::start().await;
    let filter = "/v1.0/users?$select=id,userPrincipalName&$filter=assignedLicenses/any(x:x/skuId ne null)&$top=1";
    let first = graph.get(filter).await;
    assert_eq!(first.status, 200, "the first page works without the advanced parameters");
    let second = graph.get(first.body["@odata.nextLink"].as_str().unwrap()).await;
    assert_eq!(second.status, 400, "{}", second.body);
    let advanced = graph.all_pages(&format!("{filter}&$count=true"), &[("ConsistencyLevel", "eventual")]).await;
    let names: Vec<&str> = advanced.iter().map(|u| u["userPrincipalName"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice@contoso.onmicrosoft.com", "nobox@contoso.onmicrosoft.com"]);
}

#[tokio::test]
async fn users_resolve_by_id_or_upn_and_top_is_capped_at_999() {
    let graph = Graph::start().await;
    assert_eq!(graph.get("/v1.0/users/ALICE@contoso.onmicrosoft.com").await.body["id"], ALICE);
    assert_eq!(graph.get(&format!("/v1.0/users/{ALICE}")).await.body["userPrincipalName"], "alice@contoso.onmicrosoft.com");
    assert_eq!(graph.get("/v1.0/users?$top=1000").await.status, 400);
    assert_eq!(graph.get("/v1.0/users/ghost@contoso.onmicrosoft.com").await.code(), "Request_ResourceNotFound");
}
