//! Every credential kind against the sandbox: a token for Graph and for Exchange and one real
//! call with each; the errors an admin meets (expired certificate, wrong password, unreadable
//! files, a wrong key, an unknown cloud); a run crossing token expiry; one refresh on a 401,
//! never a loop. Connections here are opened with `session::open`, never made current, so these
//! tests may run in parallel.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use exokit::auth::{Credential, CredentialSpec, Secret};
use exokit::error::ExoError;
use exokit::ops::{Event, Operation};
use exokit::session::{self, ConnectOptions, Session};
use exokit_sandbox::seed::{FederatedCredentialSeed, ManagedIdentityKind};
use exokit_sandbox::{Options, Sandbox, Seed, testcert};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;

const TENANT: &str = "contoso.onmicrosoft.com";
const APP: &str = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
const SYSTEM_MI: &str = "5e5e5e5e-0000-4000-8000-00000000005e";
const USER_MI: &str = "7a7a7a7a-0000-4000-8000-00000000007a";
const ISSUER: &str = "https://gitlab.example.com";
const SUBJECT: &str = "project_path:infra/contacts:ref_type:branch:ref:main";
const PFX_PASSWORD: &str = "pfx-Pa55word-7Q";

/// The app's certificate (base64 DER, PKCS#8 PEM key), made once per test binary.
fn certificate() -> &'static (String, String) {
    static CERT: OnceLock<(String, String)> = OnceLock::new();
    CERT.get_or_init(testcert::generate)
}

/// The demo tenant, its automation app also holding a certificate and a federated credential,
/// and two managed identities with the same roles.
fn start() -> Sandbox {
    let mut seed = Seed::demo();
    let tenant = &mut seed.tenants[0];
    let app = &mut tenant.apps[0];
    app.certificates.push(certificate().0.clone());
    app.federated_credentials.push(FederatedCredentialSeed { issuer: ISSUER.into(), subject: SUBJECT.into(), audiences: vec!["api://AzureADTokenExchange".into()] });
    let mut system = app.clone();
    (system.app_id, system.managed_identity, system.secrets, system.certificates) = (SYSTEM_MI.into(), Some(ManagedIdentityKind::System), vec![], vec![]);
    let mut user = system.clone();
    (user.app_id, user.managed_identity) = (USER_MI.into(), Some(ManagedIdentityKind::User));
    tenant.apps.extend([system, user]);
    Sandbox::start(Options::new(seed)).unwrap()
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exokit-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn cert_pem(der_b64: &str) -> String {
    let body: Vec<String> = der_b64.as_bytes().chunks(64).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", body.join("\n"))
}

fn pfx(cert: &(String, String), password: &str) -> Vec<u8> {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD.decode(&cert.0).unwrap();
    let key = PrivatePkcs8KeyDer::from_pem_slice(cert.1.as_bytes()).unwrap();
    let chain = p12_keystore::PrivateKeyChain::new(
        b"exokit-test".to_vec(),
        p12_keystore::PrivateKey::from_der(key.secret_pkcs8_der()).unwrap(),
        [p12_keystore::Certificate::from_der(&der).unwrap()],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("exokit", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().unwrap()
}

fn spec(kind: &str) -> CredentialSpec {
    CredentialSpec { kind: kind.into(), ..Default::default() }
}

fn options(url: &str, client_id: &str, credential: Credential) -> ConnectOptions {
    ConnectOptions {
        tenant_id: TENANT.into(),
        client_id: client_id.into(),
        environment: None,
        graph_endpoint: Some(url.into()),
        authority_host: Some(url.into()),
        // The sandbox serves the admin API under this path too, so the Exchange scope is
        // `{url}/outlook.office365.com/.default` and maps to Exchange's audience.
        exchange_endpoint: (!url.is_empty()).then(|| format!("{url}/outlook.office365.com/")),
        credential,
        network: Default::default(),
    }
}

/// Runs `work` as an operation, returning its result and every event (verbose lines included).
fn run<T: Send + 'static>(work: impl Future<Output = exokit::error::Result<T>> + Send + 'static) -> (Option<T>, Vec<Event>) {
    let slot = Arc::new(std::sync::Mutex::new(None));
    let put = slot.clone();
    let events = Operation::start(async move {
        let value = work.await?;
        *put.lock().unwrap() = Some(value);
        Ok(())
    })
    .wait();
    let value = slot.lock().unwrap().take();
    (value, events)
}

fn error_of(events: &[Event]) -> Option<&ExoError> {
    events.iter().find_map(|e| match e {
        Event::Error { error, .. } => Some(error),
        _ => None,
    })
}

/// Connects with `spec`, then reads a user over Graph and runs an Exchange cmdlet with the
/// Exchange token. Returns the events so callers can check what was said.
fn connect_and_call(sandbox: &Sandbox, client_id: &str, spec: CredentialSpec) -> Vec<Event> {
    let (url, client_id) = (sandbox.url().to_string(), client_id.to_string());
    let (session, mut events) = run(async move { session::open(options(&url, &client_id, spec.load()?)).await });
    let session = session.unwrap_or_else(|| panic!("connected: {events:?}"));
    let (called, more) = run(async move { calls(&session).await });
    assert!(called.is_some(), "{more:?}");
    events.extend(more);
    events
}

async fn calls(session: &Session) -> exokit::error::Result<()> {
    let alice = exokit::users::resolve(&session.graph, "alice@contoso.onmicrosoft.com").await?;
    assert_eq!(alice.user_principal_name, "alice@contoso.onmicrosoft.com");
    let policies = session.exo.invoke("Get-SharingPolicy", serde_json::Map::new()).await?;
    assert!(!policies.is_empty(), "the tenant has a default sharing policy");
    Ok(())
}

#[test]
fn a_pfx_with_its_password_reaches_graph_and_exchange() {
    let sandbox = start();
    let path = write("app.pfx", &pfx(certificate(), PFX_PASSWORD));
    let spec = CredentialSpec { certificate_path: Some(path), secret: Some(Secret::new(PFX_PASSWORD.into())), ..spec("CertificatePath") };
    let events = connect_and_call(&sandbox, APP, spec);
    let tokens = sandbox.state.requests().iter().filter(|r| r.path.ends_with("/oauth2/v2.0/token") && r.status == 200).count();
    assert_eq!(tokens, 2, "one token for Graph, one for Exchange");
    assert!(events.iter().any(|e| matches!(e, Event::Verbose(l) if l.contains("thumbprint"))), "{events:?}");
}

#[test]
fn a_pem_with_key_and_certificate_and_a_pem_key_apart_both_work() {
    let sandbox = start();
    let both = write("both.pem", format!("{}{}", certificate().1, cert_pem(&certificate().0)).as_bytes());
    connect_and_call(&sandbox, APP, CredentialSpec { certificate_path: Some(both), ..spec("CertificatePath") });
    let cert = write("cert.pem", cert_pem(&certificate().0).as_bytes());
    let key = write("key.pem", certificate().1.as_bytes());
    connect_and_call(&sandbox, APP, CredentialSpec { certificate_path: Some(cert), certificate_key_path: Some(key), ..spec("CertificatePath") });
}

fn load_error(spec: CredentialSpec) -> String {
    let (_, events) = run(async move { spec.load().map(|_| ()) });
    error_of(&events).expect("an error").to_string()
}

#[test]
fn certificate_errors_name_the_cause_and_never_the_password() {
    let pfx_path = write("wrong-password.pfx", &pfx(certificate(), PFX_PASSWORD));
    let err = load_error(CredentialSpec { certificate_path: Some(pfx_path.clone()), secret: Some(Secret::new("not-the-Pa55".into())), ..spec("CertificatePath") });
    assert!(err.contains("CertificatePath") && err.contains("wrong-password.pfx") && err.contains("password"), "{err}");
    assert!(!err.contains("not-the-Pa55"), "{err}");

    let expired = testcert::generate_expired();
    let path = write("expired.pfx", &pfx(&expired, PFX_PASSWORD));
    let err = load_error(CredentialSpec { certificate_path: Some(path), secret: Some(Secret::new(PFX_PASSWORD.into())), ..spec("CertificatePath") });
    assert!(err.contains("expired on") && err.contains("expired.pfx"), "{err}");
    assert!(!err.contains(PFX_PASSWORD), "{err}");

    let err = load_error(CredentialSpec { certificate_path: Some(dir().join("missing.pfx")), ..spec("CertificatePath") });
    assert!(err.contains("cannot read") && err.contains("missing.pfx") && err.contains("No such file"), "{err}");

    let garbage = write("garbage.pfx", b"\x30\x03\x02\x01\x05 not a pfx");
    let err = load_error(CredentialSpec { certificate_path: Some(garbage), ..spec("CertificatePath") });
    assert!(err.contains("garbage.pfx") && err.contains("PFX"), "{err}");

    let other = testcert::generate();
    let mismatched = write("mismatched.pem", format!("{}{}", other.1, cert_pem(&certificate().0)).as_bytes());
    let err = load_error(CredentialSpec { certificate_path: Some(mismatched), ..spec("CertificatePath") });
    assert!(err.contains("does not belong"), "{err}");

    let only_cert = write("only-cert.pem", cert_pem(&certificate().0).as_bytes());
    let err = load_error(CredentialSpec { certificate_path: Some(only_cert), ..spec("CertificatePath") });
    assert!(err.contains("no PRIVATE KEY"), "{err}");

    let err = load_error(CredentialSpec { certificate_thumbprint: Some("AB12".into()), ..spec("CertificateThumbprint") });
    assert!(err.contains("CertificateThumbprint") && err.contains("-CertificatePath"), "{err}");
}

#[test]
fn a_certificate_the_app_does_not_know_is_refused_with_the_aadsts_reason() {
    let sandbox = start();
    let stranger = testcert::generate();
    let path = write("stranger.pem", format!("{}{}", stranger.1, cert_pem(&stranger.0)).as_bytes());
    let url = sandbox.url().to_string();
    let spec = CredentialSpec { certificate_path: Some(path), ..spec("CertificatePath") };
    let (_, events) = run(async move { session::open(options(&url, APP, spec.load()?)).await.map(|_| ()) });
    let err = error_of(&events).expect("refused");
    assert_eq!(err.error_id(), "ExoKit.AuthenticationFailed");
    assert!(err.to_string().contains("AADSTS700027"), "{err}");
}

#[test]
fn managed_identities_through_imds_and_the_app_service_endpoint() {
    let sandbox = start();
    let imds = |client_id: Option<&str>| CredentialSpec {
        client_id: client_id.map(String::from),
        variables: [("AZURE_POD_IDENTITY_AUTHORITY_HOST".to_string(), sandbox.url().to_string())].into(),
        ..spec("ManagedIdentity")
    };
    connect_and_call(&sandbox, "", imds(None));
    connect_and_call(&sandbox, USER_MI, imds(Some(USER_MI)));
    let imds_calls = sandbox.state.requests().iter().filter(|r| r.path == "/metadata/identity/oauth2/token" && r.status == 200).count();
    assert_eq!(imds_calls, 4, "Graph and Exchange for each identity");

    let header = sandbox.state.identity_header.clone();
    let app_service = CredentialSpec {
        client_id: Some(USER_MI.into()),
        variables: [("IDENTITY_ENDPOINT".to_string(), format!("{}/msi/token", sandbox.url()))].into(),
        secret: Some(Secret::new(header)),
        ..spec("ManagedIdentity")
    };
    connect_and_call(&sandbox, USER_MI, app_service);
    assert_eq!(sandbox.state.requests().iter().filter(|r| r.path == "/msi/token" && r.status == 200).count(), 2);
}

#[test]
fn an_unknown_managed_identity_is_refused_by_name() {
    let sandbox = start();
    let url = sandbox.url().to_string();
    let spec = CredentialSpec {
        client_id: Some("99999999-0000-4000-8000-000000000099".into()),
        variables: [("AZURE_POD_IDENTITY_AUTHORITY_HOST".to_string(), url.clone())].into(),
        ..spec("ManagedIdentity")
    };
    let (_, events) = run(async move { session::open(options(&url, "", spec.load()?)).await.map(|_| ()) });
    let err = error_of(&events).expect("refused").to_string();
    assert!(err.contains("Identity not found"), "{err}");
}

/// A token from the sandbox's external issuer, as a GitLab job's `id_tokens` would hold.
fn federated_token(subject: &str) -> String {
    exokit_sandbox::federated::mint(ISSUER, subject, "api://AzureADTokenExchange", 3600)
}

#[test]
fn a_federated_token_from_a_file_or_a_variable_reaches_graph_and_exchange() {
    let sandbox = start();
    let token = federated_token(SUBJECT);
    let file = write("federated-token", format!("{token}\n").as_bytes());
    connect_and_call(&sandbox, APP, CredentialSpec { federated_token_file: Some(file), ..spec("FederatedTokenFile") });
    connect_and_call(&sandbox, APP, CredentialSpec { secret: Some(Secret::new(token)), ..spec("FederatedToken") });
}

#[test]
fn federated_token_errors_name_the_file_or_the_reason() {
    let err = load_error(CredentialSpec { federated_token_file: Some(dir().join("no-such-token")), ..spec("FederatedTokenFile") });
    assert!(err.contains("FederatedTokenFile") && err.contains("no-such-token"), "{err}");

    let sandbox = start();
    let token = federated_token("project_path:infra/contacts:ref_type:branch:ref:feature");
    let url = sandbox.url().to_string();
    let spec = CredentialSpec { secret: Some(Secret::new(token.clone())), ..spec("FederatedToken") };
    let (_, events) = run(async move { session::open(options(&url, APP, spec.load()?)).await.map(|_| ()) });
    let err = error_of(&events).expect("refused").to_string();
    assert!(err.contains("AADSTS70021") && err.contains("ref:feature"), "{err}");
    assert!(!err.contains(&token), "{err}");
}

#[test]
fn an_access_token_is_used_as_given() {
    let sandbox = start();
    // A token an admin got elsewhere (here: from the sandbox with the app's secret).
    let url = sandbox.url().to_string();
    let (session, _) = run(async move { session::open(options(&url, APP, Credential::ClientSecret(Secret::new("sandbox-demo-secret-Zq8~vX2pL7wN4kR9".into())))).await });
    let session = session.expect("secret login");
    let scope = session.cloud.graph_scope();
    let (held, _) = run(async move { session.tokens.token(&scope).await });
    let held = held.unwrap();
    let url = sandbox.url().to_string();
    let spec = CredentialSpec { secret: Some(held.value.clone()), ..spec("AccessToken") };
    let (connected, events) = run(async move {
        let session = session::open(options(&url, "", spec.load()?)).await?;
        exokit::users::resolve(&session.graph, "alice@contoso.onmicrosoft.com").await
    });
    assert!(connected.is_some(), "{events:?}");
}

#[test]
fn an_unknown_cloud_names_the_parameter_and_the_choices() {
    let mut options = options("", APP, Credential::ClientSecret(Secret::new("x".into())));
    (options.graph_endpoint, options.authority_host, options.environment) = (None, None, Some("AzureMars".into()));
    let (_, events) = run(async move { session::open(options).await.map(|_| ()) });
    let err = error_of(&events).expect("refused").to_string();
    assert!(err.contains("Environment") && err.contains("AzureMars") && err.contains("USGovDoD") && err.contains("China"), "{err}");
}

fn token_requests(sandbox: &Sandbox) -> usize {
    sandbox.state.requests().iter().filter(|r| r.path.ends_with("/oauth2/v2.0/token")).count()
}

#[test]
fn a_401_after_expiry_gets_exactly_one_refresh_and_retry() {
    let sandbox = start();
    let url = sandbox.url().to_string();
    let path = write("refresh.pfx", &pfx(certificate(), PFX_PASSWORD));
    let spec = CredentialSpec { certificate_path: Some(path), secret: Some(Secret::new(PFX_PASSWORD.into())), ..spec("CertificatePath") };
    let (session, events) = run(async move { session::open(options(&url, APP, spec.load()?)).await });
    let session = session.unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(token_requests(&sandbox), 1);

    // The client holds a token it thinks fresh; the service has let it expire.
    sandbox.state.expire_tokens();
    let graph_session = session.clone();
    let (found, events) = run(async move { exokit::users::resolve(&graph_session.graph, "bob@contoso.onmicrosoft.com").await });
    assert!(found.is_some(), "{events:?}");
    assert_eq!(token_requests(&sandbox), 2, "one refresh");
    let refused = sandbox.state.requests().iter().filter(|r| r.status == 401).count();
    assert_eq!(refused, 1, "one 401, then the retry succeeded");

    // Tokens that are expired as soon as they are issued: one refresh, then the error. No loop.
    sandbox.state.set_token_lifetime(std::time::Duration::ZERO);
    sandbox.state.expire_tokens();
    let before = (token_requests(&sandbox), sandbox.state.requests().iter().filter(|r| r.status == 401).count());
    let (found, events) = run(async move { exokit::users::resolve(&session.graph, "bob@contoso.onmicrosoft.com").await });
    assert!(found.is_none());
    let err = error_of(&events).expect("the second 401 is an error");
    assert!(err.to_string().contains("401"), "{err}");
    let after = (token_requests(&sandbox), sandbox.state.requests().iter().filter(|r| r.status == 401).count());
    assert!(after.0 - before.0 <= 2, "at most one refresh per call (a zero-lifetime token is not cached): {before:?} -> {after:?}");
    assert_eq!(after.1 - before.1, 2, "the request and its one retry: {before:?} -> {after:?}");
}

#[test]
fn a_run_crossing_token_expiry_renews_before_expiry() {
    let sandbox = start();
    sandbox.state.set_token_lifetime(std::time::Duration::from_secs(2));
    let url = sandbox.url().to_string();
    let header = sandbox.state.identity_header.clone();
    let spec = CredentialSpec {
        variables: [("IDENTITY_ENDPOINT".to_string(), format!("{url}/msi/token"))].into(),
        secret: Some(Secret::new(header)),
        ..spec("ManagedIdentity")
    };
    let (session, events) = run(async move { session::open(options(&url, "", spec.load()?)).await });
    let session = session.unwrap_or_else(|| panic!("{events:?}"));
    let (done, events) = run(async move {
        for _ in 0..8 {
            exokit::users::resolve(&session.graph, "alice@contoso.onmicrosoft.com").await?;
            tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        }
        Ok(())
    });
    assert!(done.is_some(), "{events:?}");
    let renewed = sandbox.state.requests().iter().filter(|r| r.path == "/msi/token").count();
    assert!(renewed >= 3, "renewed as the 2 s tokens neared expiry ({renewed} token requests)");
    assert_eq!(sandbox.state.requests().iter().filter(|r| r.status == 401).count(), 0, "renewed before, not after, expiry");
}


/// The drop-in configuration's variables as the cmdlet passes them.
fn mirror_dry_run(variables: Vec<(&str, String)>) -> Vec<Event> {
    let source = exokit::mirror::apply::ConfigSource::Environment(variables.into_iter().map(|(k, v)| (k.to_string(), zeroize::Zeroizing::new(v))).collect());
    let invocation = exokit::mirror::apply::Invocation { source, what_if: true, pass_thru: false, state: None, deletes: Default::default(), full: false };
    run(exokit::mirror::apply::invoke(invocation)).1
}

fn errors(events: &[Event]) -> Vec<String> {
    events.iter().filter_map(|e| match e {
        Event::Error { error, .. } => Some(error.to_string()),
        _ => None,
    }).collect()
}

#[test]
fn the_drop_in_configuration_takes_each_new_credential_kind_per_tenant() {
    let sandbox = start();
    let url = sandbox.url().to_string();
    let pfx_path = write("dropin.pfx", &pfx(certificate(), PFX_PASSWORD));
    let token_file = write("dropin-token", federated_token(SUBJECT).as_bytes());
    let tenant = |extra: serde_json::Value| {
        let mut t = serde_json::json!({"TenantId": TENANT, "GlobalAddressBookUserId": "allcontacts@contoso.onmicrosoft.com", "TestUserList": ["alice@contoso.onmicrosoft.com"]});
        t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        t
    };
    let config = serde_json::json!({"MicrosoftTenants": [
        tenant(serde_json::json!({"ClientId": APP, "CertificatePath": pfx_path, "CertificatePassword": PFX_PASSWORD})),
        tenant(serde_json::json!({"ClientId": APP, "FederatedTokenFile": token_file})),
        tenant(serde_json::json!({"UseManagedIdentity": true})),
        tenant(serde_json::json!({"ClientId": APP, "ClientSecret": "sandbox-demo-secret-Zq8~vX2pL7wN4kR9"})),
    ]});
    let events = mirror_dry_run(vec![
        ("AUTOMATION_SYNCCONTACTS_CONFIG_JSON", config.to_string()),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", url.clone()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", url.clone()),
        ("AZURE_POD_IDENTITY_AUTHORITY_HOST", url.clone()),
    ]);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let logged = sandbox.state.requests();
    assert_eq!(logged.iter().filter(|r| r.path.ends_with("/oauth2/v2.0/token") && r.status == 200).count(), 3, "certificate, federated, secret");
    assert_eq!(logged.iter().filter(|r| r.path == "/metadata/identity/oauth2/token" && r.status == 200).count(), 1, "the managed identity");

    // The single-tenant variables, with the token of a GitLab id_tokens entry named for them.
    let events = mirror_dry_run(vec![
        ("AUTOMATION_SYNCCONTACTS_TENANT_ID", TENANT.into()),
        ("AUTOMATION_SYNCCONTACTS_CLIENT_ID", APP.into()),
        ("AUTOMATION_SYNCCONTACTS_FEDERATED_TOKEN", federated_token(SUBJECT)),
        ("AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID", "allcontacts@contoso.onmicrosoft.com".into()),
        ("AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON", format!("{{\"{TENANT}\": [\"alice@contoso.onmicrosoft.com\"]}}")),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", url.clone()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", url.clone()),
    ]);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
}

#[test]
fn drop_in_credential_errors_name_the_field_and_tenant() {
    let sandbox = start();
    let url = sandbox.url().to_string();
    let pfx_path = write("dropin-wrong.pfx", &pfx(certificate(), PFX_PASSWORD));
    let config = serde_json::json!({"MicrosoftTenants": [
        {"TenantId": TENANT, "ClientId": APP, "CertificatePath": pfx_path, "CertificatePassword": "Wr0ng-Pa55", "GlobalAddressBookUserId": "allcontacts@contoso.onmicrosoft.com"},
    ]});
    let events = mirror_dry_run(vec![
        ("AUTOMATION_SYNCCONTACTS_CONFIG_JSON", config.to_string()),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", url.clone()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", url.clone()),
    ]);
    let found = errors(&events).join("\n");
    assert!(found.contains("MicrosoftTenants[0].CertificatePath") && found.contains("password"), "{found}");
    assert!(!found.contains("Wr0ng-Pa55"), "{found}");

    let both = serde_json::json!({"MicrosoftTenants": [
        {"TenantId": TENANT, "ClientId": APP, "ClientSecret": "x", "UseManagedIdentity": true, "GlobalAddressBookUserId": "hub"},
    ]});
    let found = errors(&mirror_dry_run(vec![("AUTOMATION_SYNCCONTACTS_CONFIG_JSON", both.to_string())])).join("\n");
    assert!(found.contains("ClientSecret, UseManagedIdentity") && found.contains("one per tenant"), "{found}");
    assert!(!found.contains("\"x\""), "{found}");
}

#[test]
fn a_managed_identity_endpoint_is_reached_without_the_proxy() {
    let sandbox = start();
    let url = sandbox.url().to_string();
    // A proxy that answers nothing: the identity endpoint must not go through it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let network = exokit::http::Network::from_variables(&[("HTTPS_PROXY".to_string(), proxy.clone()), ("HTTP_PROXY".to_string(), proxy)].into(), None);
    let spec = CredentialSpec { variables: [("AZURE_POD_IDENTITY_AUTHORITY_HOST".to_string(), url.clone())].into(), ..spec("ManagedIdentity") };
    let (session, events) = run(async move {
        let mut options = options(&url, "", spec.load()?);
        options.network = network;
        session::open(options).await
    });
    assert!(session.is_some(), "{events:?}");
    assert_eq!(sandbox.state.requests().iter().filter(|r| r.path == "/metadata/identity/oauth2/token").count(), 1);
}

#[test]
fn each_national_cloud_has_its_login_graph_and_exchange_hosts() {
    let expected = [
        ("Global", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "https://graph.microsoft.com/.default", "https://outlook.office365.com/.default"),
        ("USGov", "https://login.microsoftonline.us/t/oauth2/v2.0/token", "https://graph.microsoft.us/.default", "https://outlook.office365.us/.default"),
        ("USGovDoD", "https://login.microsoftonline.us/t/oauth2/v2.0/token", "https://dod-graph.microsoft.us/.default", "https://outlook-dod.office365.us/.default"),
        ("China", "https://login.chinacloudapi.cn/t/oauth2/v2.0/token", "https://microsoftgraph.chinacloudapi.cn/.default", "https://partner.outlook.cn/.default"),
    ];
    for (name, token, graph, exchange) in expected {
        let cloud = exokit::cloud::Cloud::named(name).unwrap();
        assert_eq!((cloud.token_url("t").as_str(), cloud.graph_scope().as_str(), cloud.exchange_scope().as_str()), (token, graph, exchange), "{name}");
    }
}
