//! Managed identity (IMDS and the App Service endpoint) and workload identity federation: who
//! gets a token, and each refusal with the answer the real services give.

mod support;

use exokit_sandbox::{Options, Sandbox, Seed};
use serde_json::{Value, json};
use support::Answer;

const TENANT: &str = "3c0ffee0-52a4-4d8e-9b1a-0c7e5f2d4a92";
const SYSTEM: &str = "5e5e5e5e-0000-4000-8000-00000000005e";
const USER_ASSIGNED: &str = "7a7a7a7a-0000-4000-8000-00000000007a";
const FEDERATED: &str = "fedfedfe-0000-4000-8000-0000000000fe";
const ISSUER: &str = "https://gitlab.example.com";
const SUBJECT: &str = "project_path:infra/contacts:ref_type:branch:ref:main";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn start() -> Sandbox {
    let seed = Seed::from_json(
        &json!({"tenants": [{"id": TENANT, "domain": "identity.onmicrosoft.com", "apps": [
            {"appId": SYSTEM, "displayName": "vm-runner", "roles": ["User.Read.All"], "managedIdentity": "system"},
            {"appId": USER_ASSIGNED, "displayName": "id-contacts", "roles": ["Contacts.ReadWrite"], "managedIdentity": "user"},
            {"appId": FEDERATED, "displayName": "gitlab-sync", "roles": ["User.Read.All"],
             "federatedCredentials": [{"issuer": ISSUER, "subject": SUBJECT}]}
        ]}]})
        .to_string(),
    )
    .unwrap();
    Sandbox::start(Options::new(seed)).unwrap()
}

async fn get(url: String, headers: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Answer::from(request.send().await.unwrap()).await
}

fn imds(base: &str, resource: &str, client_id: Option<&str>) -> String {
    let mut url = format!("{base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={resource}");
    if let Some(id) = client_id {
        url.push_str(&format!("&client_id={id}"));
    }
    url
}

#[tokio::test]
async fn imds_gives_the_system_identity_a_token_for_graph_and_exchange() {
    let sandbox = start();
    for (resource, audience) in [("https://graph.microsoft.com", "https://graph.microsoft.com"), ("https://outlook.office365.com", "https://outlook.office365.com")] {
        let answer = get(imds(sandbox.url(), resource, None), &[("Metadata", "true")]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["expires_in"], "3599", "IMDS sends numbers as strings");
        let issued = sandbox.state.token(answer.body["access_token"].as_str().unwrap()).unwrap();
        assert_eq!((issued.app_id.as_str(), issued.audience.as_str()), (SYSTEM, audience));
    }
}

#[tokio::test]
async fn imds_needs_the_metadata_header_and_a_known_identity() {
    let sandbox = start();
    let answer = get(imds(sandbox.url(), "https://graph.microsoft.com", None), &[]).await;
    assert_eq!((answer.status, answer.code()), (400, "invalid_request"));
    assert_eq!(answer.body["error_description"], "Required metadata header not specified");
    let answer = get(imds(sandbox.url(), "https://graph.microsoft.com", Some(FEDERATED)), &[("Metadata", "true")]).await;
    assert_eq!((answer.status, answer.body["error_description"].as_str()), (400, Some("Identity not found")), "an app that is no managed identity");
    let answer = get(imds(sandbox.url(), "https://graph.microsoft.com", Some(USER_ASSIGNED)), &[("Metadata", "true")]).await;
    let issued = sandbox.state.token(answer.body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(issued.app_id, USER_ASSIGNED);
}

#[tokio::test]
async fn app_service_endpoint_checks_the_identity_header() {
    let sandbox = start();
    let url = format!("{}/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com&client_id={USER_ASSIGNED}", sandbox.url());
    let answer = get(url.clone(), &[("X-IDENTITY-HEADER", "wrong")]).await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    let described = get(format!("{}/_sandbox/managed-identity", sandbox.url()), &[]).await;
    let header = described.body["identityHeader"].as_str().unwrap().to_string();
    let answer = get(url, &[("X-IDENTITY-HEADER", &header)]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(sandbox.state.token(answer.body["access_token"].as_str().unwrap()).unwrap().app_id, USER_ASSIGNED);
}

async fn mint(base: &str, body: Value) -> String {
    let answer = Answer::from(reqwest::Client::new().post(format!("{base}/_sandbox/federated-token")).json(&body).send().await.unwrap()).await;
    answer.body["token"].as_str().unwrap().to_string()
}

async fn exchange(base: &str, assertion: &str) -> Answer {
    let form = [
        ("grant_type", "client_credentials"), ("client_id", FEDERATED), ("scope", GRAPH_SCOPE),
        ("client_assertion_type", JWT_BEARER), ("client_assertion", assertion),
    ];
    Answer::from(reqwest::Client::new().post(format!("{base}/{TENANT}/oauth2/v2.0/token")).form(&form).send().await.unwrap()).await
}

fn aadsts(answer: &Answer) -> u64 {
    answer.body["error_codes"][0].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn a_federated_token_from_the_configured_issuer_logs_in_as_the_app() {
    let sandbox = start();
    let token = mint(sandbox.url(), json!({"issuer": ISSUER, "subject": SUBJECT})).await;
    let answer = exchange(sandbox.url(), &token).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(sandbox.state.token(answer.body["access_token"].as_str().unwrap()).unwrap().app_id, FEDERATED);
}

#[tokio::test]
async fn federated_tokens_are_refused_for_subject_audience_lifetime_and_signature() {
    let sandbox = start();
    let base = sandbox.url();
    let other_subject = mint(base, json!({"issuer": ISSUER, "subject": "project_path:infra/contacts:ref_type:branch:ref:feature"})).await;
    let answer = exchange(base, &other_subject).await;
    assert_eq!((answer.status, aadsts(&answer)), (400, 70021), "{}", answer.body);
    assert!(answer.body["error_description"].as_str().unwrap().contains("ref:feature"));
    let other_audience = mint(base, json!({"issuer": ISSUER, "subject": SUBJECT, "audience": "https://gitlab.example.com"})).await;
    assert_eq!(aadsts(&exchange(base, &other_audience).await), 70021);
    let expired = mint(base, json!({"issuer": ISSUER, "subject": SUBJECT, "lifetimeSeconds": -900})).await;
    let answer = exchange(base, &expired).await;
    assert_eq!((answer.status, aadsts(&answer)), (401, 700024), "{}", answer.body);
    // The right claims, signed by someone else's key.
    let (cert, key) = exokit_sandbox::testcert::generate();
    let mut forged = exokit_sandbox::testcert::Assertion::new(&cert, SUBJECT, "api://AzureADTokenExchange");
    let now = chrono::Utc::now().timestamp();
    forged.header = json!({"alg": "RS256", "typ": "JWT", "kid": "forged"});
    forged.claims = json!({"iss": ISSUER, "sub": SUBJECT, "aud": "api://AzureADTokenExchange", "iat": now, "exp": now + 600});
    let answer = exchange(base, &forged.sign(&key)).await;
    assert_eq!((answer.status, aadsts(&answer)), (400, 50013), "{}", answer.body);
}

#[tokio::test]
async fn expiring_all_tokens_makes_graph_refuse_the_ones_held() {
    let sandbox = start();
    let answer = get(imds(sandbox.url(), "https://graph.microsoft.com", None), &[("Metadata", "true")]).await;
    let token = answer.body["access_token"].as_str().unwrap().to_string();
    let users = format!("{}/v1.0/users", sandbox.url());
    assert_ne!(get(users.clone(), &[("Authorization", &format!("Bearer {token}"))]).await.status, 401);
    let expired = reqwest::Client::new().post(format!("{}/_sandbox/tokens/expire", sandbox.url())).send().await.unwrap();
    assert_eq!(expired.status(), 200);
    assert_eq!(get(users, &[("Authorization", &format!("Bearer {token}"))]).await.status, 401);
}
