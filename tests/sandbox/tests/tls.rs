//! HTTPS: a client that is told to trust the sandbox's CA gets through; one that is not, is
//! refused at the handshake; every start makes a new CA.

mod support;

use support::transport::*;

fn trusting(ca_pem: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("the CA PEM parses");
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .tls_built_in_root_certs(false)
        .build()
        .unwrap()
}

/// The whole error chain as text, to find the TLS reason under reqwest's summary.
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(" / ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn a_client_that_trusts_the_ca_gets_through_https() {
    let sandbox = start();
    assert!(
        sandbox.https_url().starts_with("https://127.0.0.1:"),
        "{}",
        sandbox.https_url()
    );
    assert!(sandbox.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let http = trusting(sandbox.ca_pem());
    let health = http
        .get(format!("{}/_sandbox/health", sandbox.https_url()))
        .send()
        .await
        .expect("the handshake succeeds");
    assert_eq!(health.text().await.unwrap(), "ok");
    let token = token_with_secret(&http, sandbox.https_url()).await;
    let client = Client {
        base: sandbox.https_url().to_string(),
        http,
        token,
    };
    let users = client.get("/v1.0/users").await;
    assert_eq!(users.status, 200, "{}", users.body);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused() {
    let sandbox = start();
    let error = reqwest::Client::new()
        .get(format!("{}/_sandbox/health", sandbox.https_url()))
        .send()
        .await
        .expect_err("an untrusted CA");
    let reason = chain(&error);
    assert!(
        reason.contains("UnknownIssuer") || reason.to_lowercase().contains("certificate"),
        "{reason}"
    );
    assert!(
        sandbox.state.requests().is_empty(),
        "nothing reached the routes"
    );
}

#[tokio::test]
async fn each_start_makes_a_new_ca() {
    let (first, second) = (start(), start());
    assert_ne!(first.ca_pem(), second.ca_pem());
    let error = trusting(first.ca_pem())
        .get(format!("{}/_sandbox/health", second.https_url()))
        .send()
        .await;
    assert!(
        error.is_err(),
        "the first sandbox's CA must not vouch for the second"
    );
}

#[tokio::test]
async fn the_certificate_names_localhost_too() {
    let sandbox = start();
    let port = sandbox.https_url().rsplit(':').next().unwrap().to_string();
    let health = trusting(sandbox.ca_pem())
        .get(format!("https://localhost:{port}/_sandbox/health"))
        .send()
        .await;
    assert_eq!(
        health.expect("localhost is in the certificate").status(),
        200
    );
}

#[tokio::test]
async fn plain_http_serves_the_same_routes() {
    let sandbox = start();
    assert!(sandbox.url().starts_with("http://127.0.0.1:"));
    assert_ne!(
        sandbox.url().rsplit(':').next(),
        sandbox.https_url().rsplit(':').next()
    );
    let client = Client::login(sandbox.url()).await;
    assert_eq!(client.get("/v1.0/users").await.status, 200);
}

#[tokio::test]
async fn plain_http_to_the_https_port_does_not_hang() {
    let sandbox = start();
    let plain = sandbox.https_url().replace("https://", "http://");
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap();
    let error = client
        .get(format!("{plain}/_sandbox/health"))
        .send()
        .await
        .expect_err("not TLS");
    assert!(
        !error.is_timeout(),
        "the sandbox should drop a non-TLS client, not leave it waiting: {}",
        chain(&error)
    );
}
