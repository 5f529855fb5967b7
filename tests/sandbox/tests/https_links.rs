//! Over HTTPS every absolute link the sandbox returns keeps the request's scheme, so a client
//! on the TLS port can follow each one: contact and folder pages, user pages, `$batch` items,
//! delta rounds and the 410's Location (a fresh delta URL with an empty `$deltatoken`).

mod support;

use serde_json::Value;
use support::Answer;
use support::transport::*;

/// A client on the HTTPS port that trusts only the sandbox's CA.
async fn https_client(sandbox: &exokit_sandbox::Sandbox) -> Client {
    let ca = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).unwrap();
    let http = reqwest::Client::builder().add_root_certificate(ca).tls_built_in_root_certs(false).build().unwrap();
    let token = token_with_secret(&http, sandbox.https_url()).await;
    Client { base: sandbox.https_url().to_string(), http, token }
}

async fn get(client: &Client, url: &str, prefer: Option<&str>) -> Answer {
    let mut request = client.http.get(url).bearer_auth(&client.token);
    if let Some(prefer) = prefer {
        request = request.header("prefer", prefer);
    }
    Answer::from(request.send().await.expect("an HTTPS link can be followed")).await
}

/// Follows every nextLink from `path`, checking each is on the HTTPS port; returns the items.
async fn every_page(client: &Client, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = format!("{}{path}", client.base);
    loop {
        let page = get(client, &url, None).await;
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        items.extend(page.rows());
        match page.body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&client.base), "{next} is not on {}", client.base);
                url = next.to_string();
            }
            None => return items,
        }
    }
}

/// One delta round from `url` with one entry a page; returns the entries and the deltaLink.
async fn delta_round(client: &Client, mut url: String) -> (Vec<Value>, String) {
    let mut entries = Vec::new();
    loop {
        let page = get(client, &url, Some("odata.maxpagesize=1")).await;
        assert_eq!(page.status, 200, "{url}: {}", page.body);
        entries.extend(page.rows());
        let link = page.body["@odata.nextLink"].as_str().or(page.body["@odata.deltaLink"].as_str()).expect("a link").to_string();
        assert!(link.starts_with(&client.base), "{link} is not on {}", client.base);
        if page.body["@odata.deltaLink"].is_string() {
            return (entries, link);
        }
        url = link;
    }
}

#[tokio::test]
async fn lists_page_over_https() {
    let sandbox = start();
    let client = https_client(&sandbox).await;
    assert_eq!(every_page(&client, "/v1.0/users/alice@fabrikam.onmicrosoft.com/contacts?$top=1").await.len(), 3);
    assert_eq!(every_page(&client, "/v1.0/users?$top=1").await.len(), 2);
    let plain = Client::login(sandbox.url()).await;
    assert_eq!(every_page(&plain, "/v1.0/users?$top=1").await.len(), 2, "plain HTTP links stay on the plain port");
}

#[tokio::test]
async fn delta_rounds_and_the_410_location_stay_on_https() {
    let sandbox = start();
    let client = https_client(&sandbox).await;
    let start_url = format!("{}/v1.0/users/alice@fabrikam.onmicrosoft.com/contactFolders/contacts/contacts/delta", client.base);
    let (first, delta_link) = delta_round(&client, start_url).await;
    assert_eq!(first.len(), 3);
    let (quiet, delta_link) = delta_round(&client, delta_link).await;
    assert!(quiet.is_empty());
    let expired = reqwest::Client::new().post(format!("{}/_sandbox/delta/expire", sandbox.url())).send().await.unwrap();
    assert_eq!(expired.status(), 204);
    let gone = get(&client, &delta_link, None).await;
    assert_eq!((gone.status, gone.code()), (410, "SyncStateNotFound"));
    let location = gone.header("location").expect("a Location").to_string();
    assert!(location.starts_with(&client.base), "{location}");
    assert!(location.ends_with("/contacts/delta?$deltatoken="), "a fresh delta URL with an empty $deltatoken: {location}");
    let (again, _) = delta_round(&client, location).await;
    assert_eq!(again.len(), 3, "the Location starts a new round");
}

#[tokio::test]
async fn a_user_by_id_has_its_odata_context() {
    let sandbox = start();
    let client = https_client(&sandbox).await;
    let user = client.get(&format!("/v1.0/users/{ALICE}")).await;
    assert_eq!(user.body["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#users/$entity");
    let selected = client.get(&format!("/v1.0/users/{ALICE}?$select=id,displayName")).await;
    assert_eq!(selected.body["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName)/$entity");
}
