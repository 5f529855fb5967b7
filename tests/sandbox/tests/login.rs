//! The token endpoint with a client assertion: RS256 + `x5t` and PS256 + `x5t#S256` signed by a
//! registered certificate get a token with the app's roles; each thing the service checks is
//! refused with its AADSTS error; malformed requests get 400s; nothing secret is echoed.

mod support;

use exokit_sandbox::testcert::{self, Assertion};
use serde_json::{Value, json};
use support::transport::*;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

fn valid(base: &str) -> Assertion {
    Assertion::new(&registered().0, APP, &token_url(base))
}

async fn post_form(base: &str, form: &[(&str, &str)]) -> Answer {
    Answer::from(
        reqwest::Client::new()
            .post(token_url(base))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn with_assertion(base: &str, assertion: &str) -> Answer {
    post_form(
        base,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("scope", GRAPH_SCOPE),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ],
    )
    .await
}

/// A refusal with its status, OAuth error and AADSTS code, and nothing of the assertion in it.
fn assert_refused(answer: &Answer, status: u16, error: &str, code: u32, assertion: &str) {
    assert_eq!(
        (answer.status, answer.code()),
        (status, error),
        "{}",
        answer.body
    );
    assert!(
        answer.description().starts_with(&format!("AADSTS{code}: ")),
        "{}",
        answer.description()
    );
    assert_eq!(answer.body["error_codes"], json!([code]));
    let signature = assertion.rsplit('.').next().unwrap_or(assertion);
    assert!(
        signature.len() < 8 || !answer.body.to_string().contains(signature),
        "the assertion leaked: {}",
        answer.body
    );
}

#[tokio::test]
async fn rs256_with_x5t_gets_a_token_with_the_apps_roles() {
    let sandbox = start();
    let assertion = valid(sandbox.url()).sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &assertion).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 3599);
    let issued = sandbox
        .state
        .token(answer.body["access_token"].as_str().unwrap())
        .expect("a token the sandbox knows");
    assert_eq!(issued.roles, ROLES.map(String::from).to_vec());
    assert_eq!(issued.app_id, APP);
}

#[tokio::test]
async fn ps256_with_x5t_s256_gets_a_token() {
    let sandbox = start();
    let assertion = valid(sandbox.url())
        .ps256(&registered().0)
        .sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &assertion).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let client = Client {
        base: sandbox.url().into(),
        http: reqwest::Client::new(),
        token: answer.body["access_token"].as_str().unwrap().into(),
    };
    assert_eq!(client.get("/v1.0/users").await.status, 200);
}

#[tokio::test]
async fn the_audience_may_name_the_tenant_by_domain_and_use_https() {
    let sandbox = start();
    let https_endpoint = format!("{}/{DOMAIN}/oauth2/v2.0/token", sandbox.https_url());
    let assertion = Assertion::new(&registered().0, APP, &https_endpoint).sign(&registered().1);
    let ca = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("scope", GRAPH_SCOPE),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion.as_str()),
    ];
    let answer = Answer::from(http.post(&https_endpoint).form(&form).send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_certificate_the_app_does_not_have_is_not_found() {
    let sandbox = start();
    let (cert, key) = stranger();
    let assertion = Assertion::new(cert, APP, &token_url(sandbox.url())).sign(key);
    let answer = with_assertion(sandbox.url(), &assertion).await;
    assert_refused(&answer, 401, "invalid_client", 700027, &assertion);
    assert!(
        answer.description().contains("The key was not found."),
        "{}",
        answer.description()
    );
    assert!(answer.description().contains(&format!("app Id '{APP}'")));
}

#[tokio::test]
async fn a_wrong_key_for_a_registered_thumbprint_fails_the_signature() {
    let sandbox = start();
    let assertion = valid(sandbox.url()).sign(&stranger().1);
    let answer = with_assertion(sandbox.url(), &assertion).await;
    assert_refused(&answer, 401, "invalid_client", 700027, &assertion);
    assert!(
        answer
            .description()
            .contains("did not match the expected signature value"),
        "{}",
        answer.description()
    );
}

#[tokio::test]
async fn a_tampered_claim_fails_the_signature() {
    let sandbox = start();
    let signed = valid(sandbox.url()).sign(&registered().1);
    let parts: Vec<&str> = signed.split('.').collect();
    let mut other = valid(sandbox.url());
    other.claims["jti"] = json!("another");
    let other_claims = other
        .sign(&registered().1)
        .split('.')
        .nth(1)
        .unwrap()
        .to_string();
    let tampered = format!("{}.{other_claims}.{}", parts[0], parts[2]);
    assert_refused(
        &with_assertion(sandbox.url(), &tampered).await,
        401,
        "invalid_client",
        700027,
        &tampered,
    );
}

#[tokio::test]
async fn an_expired_assertion_is_out_of_its_time_range() {
    let sandbox = start();
    let mut assertion = valid(sandbox.url());
    let now = chrono::Utc::now().timestamp();
    assertion.claims["nbf"] = json!(now - 3600);
    assertion.claims["exp"] = json!(now - 1800);
    let signed = assertion.sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &signed).await;
    assert_refused(&answer, 401, "invalid_client", 700024, &signed);
    assert!(
        answer
            .description()
            .contains("Client assertion is not within its valid time range.")
    );
}

#[tokio::test]
async fn an_assertion_not_yet_valid_is_out_of_its_time_range() {
    let sandbox = start();
    let mut assertion = valid(sandbox.url());
    let now = chrono::Utc::now().timestamp();
    assertion.claims["nbf"] = json!(now + 3600);
    assertion.claims["exp"] = json!(now + 4000);
    let signed = assertion.sign(&registered().1);
    assert_refused(
        &with_assertion(sandbox.url(), &signed).await,
        401,
        "invalid_client",
        700024,
        &signed,
    );
}

#[tokio::test]
async fn the_audience_must_be_this_token_endpoint() {
    let sandbox = start();
    let production = format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token");
    let signed = Assertion::new(&registered().0, APP, &production).sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &signed).await;
    assert_refused(&answer, 401, "invalid_client", 700023, &signed);
    assert!(
        answer
            .description()
            .contains("audience claim does not match")
    );
}

#[tokio::test]
async fn issuer_and_subject_must_be_the_client_id() {
    let sandbox = start();
    let mut wrong_issuer = valid(sandbox.url());
    wrong_issuer.claims["iss"] = json!("00000000-0000-0000-0000-000000000001");
    let signed = wrong_issuer.sign(&registered().1);
    assert_refused(
        &with_assertion(sandbox.url(), &signed).await,
        401,
        "invalid_client",
        700021,
        &signed,
    );

    let mut wrong_subject = valid(sandbox.url());
    wrong_subject.claims["sub"] = json!("someone-else");
    let signed = wrong_subject.sign(&registered().1);
    assert_refused(
        &with_assertion(sandbox.url(), &signed).await,
        401,
        "invalid_client",
        50048,
        &signed,
    );
}

#[tokio::test]
async fn an_assertion_without_jti_or_exp_is_malformed() {
    let sandbox = start();
    for claim in ["jti", "exp"] {
        let mut assertion = valid(sandbox.url());
        assertion.claims.as_object_mut().unwrap().remove(claim);
        let signed = assertion.sign(&registered().1);
        assert_refused(
            &with_assertion(sandbox.url(), &signed).await,
            400,
            "invalid_request",
            50027,
            &signed,
        );
    }
}

#[tokio::test]
async fn a_header_without_a_thumbprint_is_refused() {
    let sandbox = start();
    let mut assertion = valid(sandbox.url());
    assertion.header = json!({"alg": "RS256", "typ": "JWT"});
    let signed = assertion.sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &signed).await;
    assert_refused(&answer, 401, "invalid_client", 50027, &signed);
    assert!(
        answer
            .description()
            .contains("No certificate thumbprint specified in token header.")
    );
}

#[tokio::test]
async fn malformed_assertions_get_400_not_a_panic() {
    let sandbox = start();
    let header = |h: Value| base64_url(&h.to_string());
    let claims = base64_url(&valid(sandbox.url()).claims.to_string());
    let cases = [
        ("not-a-jwt".to_string(), 50027),
        ("a.b".to_string(), 50027),
        ("!!!.???.***".to_string(), 50027),
        (format!("{}.{claims}.c2ln", base64_url("not json")), 50027),
        (
            format!("{}.{claims}.c2ln", header(json!(["an", "array"]))),
            50027,
        ),
        (
            format!(
                "{}.{claims}.",
                header(json!({"alg": "RS256", "x5t": testcert::x5t(&registered().0)}))
            ),
            50027,
        ),
        (
            format!(
                "{}.{claims}.c2ln",
                header(json!({"alg": "none", "x5t": testcert::x5t(&registered().0)}))
            ),
            5002730,
        ),
        (
            format!(
                "{}.{claims}.c2ln",
                header(json!({"alg": "HS256", "x5t": testcert::x5t(&registered().0)}))
            ),
            5002730,
        ),
        (
            format!(
                "{}.{claims}.c2ln",
                header(json!({"alg": "RS256", "x5t": "short"}))
            ),
            50027,
        ),
        (
            format!(
                "{}.{claims}.c2ln",
                header(json!({"alg": "RS256", "x5t": 42}))
            ),
            50027,
        ),
    ];
    for (assertion, code) in cases {
        let answer = with_assertion(sandbox.url(), &assertion).await;
        assert_refused(&answer, 400, "invalid_request", code, &assertion);
    }
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn the_assertion_type_is_checked() {
    let sandbox = start();
    let signed = valid(sandbox.url()).sign(&registered().1);
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("scope", GRAPH_SCOPE),
        ("client_assertion", signed.as_str()),
    ];
    let missing = post_form(sandbox.url(), &base).await;
    assert_refused(&missing, 400, "invalid_request", 900144, &signed);
    assert!(missing.description().contains("'client_assertion_type'"));
    let mut wrong = base.to_vec();
    wrong.push((
        "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
    ));
    assert_refused(
        &post_form(sandbox.url(), &wrong).await,
        400,
        "invalid_request",
        90011,
        &signed,
    );
}

#[tokio::test]
async fn one_credential_is_required_and_only_one() {
    let sandbox = start();
    let signed = valid(sandbox.url()).sign(&registered().1);
    let none = post_form(
        sandbox.url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("scope", GRAPH_SCOPE),
        ],
    )
    .await;
    assert_refused(&none, 401, "invalid_client", 7000218, "");
    let both = post_form(
        sandbox.url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("scope", GRAPH_SCOPE),
            ("client_secret", SECRET),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &signed),
        ],
    )
    .await;
    assert_refused(&both, 400, "invalid_request", 9002313, &signed);
    assert!(!both.body.to_string().contains(SECRET));
}

#[tokio::test]
async fn a_wrong_secret_is_refused_without_echoing_it() {
    let sandbox = start();
    let wrong = "wrong-secret-value-0123456789";
    let answer = post_form(
        sandbox.url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("scope", GRAPH_SCOPE),
            ("client_secret", wrong),
        ],
    )
    .await;
    assert_refused(&answer, 401, "invalid_client", 7000215, "");
    assert!(!answer.body.to_string().contains(wrong));
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_missing_its_parameters() {
    let sandbox = start();
    let response = reqwest::Client::new()
        .post(token_url(sandbox.url()))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let answer = Answer::from(response).await;
    assert_refused(&answer, 400, "invalid_request", 900144, "");
    assert!(answer.description().contains("'grant_type'"));
    let garbage = reqwest::Client::new()
        .post(token_url(sandbox.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'%', b'z'])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

#[tokio::test]
async fn get_on_the_token_endpoint_is_refused() {
    let sandbox = start();
    let answer = Answer::from(reqwest::get(token_url(sandbox.url())).await.unwrap()).await;
    assert_refused(&answer, 405, "invalid_request", 900561, "");
}

#[tokio::test]
async fn the_request_log_never_holds_the_credential() {
    let sandbox = start();
    let signed = valid(sandbox.url()).sign(&registered().1);
    assert_eq!(with_assertion(sandbox.url(), &signed).await.status, 200);
    // Even a client that puts its secret in the query string.
    let url = format!("{}?client_secret={SECRET}", token_url(sandbox.url()));
    reqwest::Client::new()
        .post(url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let log = serde_json::to_string(&sandbox.state.requests()).unwrap();
    assert!(
        !log.contains(SECRET) && !log.contains(signed.rsplit('.').next().unwrap()),
        "{log}"
    );
    assert!(log.contains("/oauth2/v2.0/token"));
}

#[tokio::test]
async fn tokens_expire_after_the_configured_lifetime() {
    let sandbox = start_with(|o| o.token_lifetime = std::time::Duration::ZERO);
    let signed = valid(sandbox.url()).sign(&registered().1);
    let answer = with_assertion(sandbox.url(), &signed).await;
    assert_eq!(answer.body["expires_in"], 0);
    let client = Client {
        base: sandbox.url().into(),
        http: reqwest::Client::new(),
        token: answer.body["access_token"].as_str().unwrap().into(),
    };
    let refused = client.get("/v1.0/users").await;
    assert_eq!(
        (refused.status, refused.code()),
        (401, "InvalidAuthenticationToken")
    );
}

#[tokio::test]
async fn the_demo_seeds_committed_certificate_logs_in() {
    let seed = exokit_sandbox::Seed::demo();
    let app = &seed.tenants[0].apps[0];
    let cert = app
        .certificates
        .first()
        .expect("the demo app has a certificate")
        .clone();
    let (tenant, app_id) = (seed.tenants[0].id.clone(), app.app_id.clone());
    let key = include_str!("../seeds/demo-app.sandbox-only.key.pem");
    let sandbox = exokit_sandbox::Sandbox::start(exokit_sandbox::Options::new(seed)).unwrap();
    let endpoint = format!("{}/{tenant}/oauth2/v2.0/token", sandbox.url());
    let signed = Assertion::new(&cert, &app_id, &endpoint)
        .ps256(&cert)
        .sign(key);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id.as_str()),
        ("scope", GRAPH_SCOPE),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", signed.as_str()),
    ];
    let answer = Answer::from(
        reqwest::Client::new()
            .post(endpoint)
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}
