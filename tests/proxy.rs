//! All traffic goes through the proxy the variables name, and `NO_PROXY` bypasses it: a small
//! forwarding proxy on loopback (absolute-form HTTP and CONNECT tunnels) records what it carried.

mod mirror_support;

use std::sync::{Arc, Mutex};

use exokit::mirror::apply::ConfigSource;
use mirror_support::*;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A proxy on its own thread; `seen` holds "METHOD /path" per forwarded request and
/// "CONNECT host:port" per tunnel.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).unwrap();
                while let Ok((client, _)) = listener.accept().await {
                    tokio::spawn(carry(client, log.clone()));
                }
            });
        });
        Proxy { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// One client connection: a tunnel, or requests forwarded as they are (an origin server must
/// accept absolute-form targets), noting each request line on the way.
async fn carry(client: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let mut client = BufReader::new(client);
    let mut first = String::new();
    if client.read_line(&mut first).await.unwrap_or(0) == 0 {
        return;
    }
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let authority = if method == "CONNECT" { target.clone() } else { target.trim_start_matches("http://").split('/').next().unwrap_or("").to_string() };
    let Ok(mut upstream) = TcpStream::connect(&authority).await else { return };
    if method == "CONNECT" {
        log.lock().unwrap().push(format!("CONNECT {authority}"));
        let mut line = String::new();
        while client.read_line(&mut line).await.unwrap_or(0) > 2 {
            line.clear();
        }
        client.get_mut().write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n").await.unwrap();
        let _ = tokio::io::copy_bidirectional(client.get_mut(), &mut upstream).await;
        return;
    }
    let note = |line: &str, log: &Arc<Mutex<Vec<String>>>| {
        let mut parts = line.split_whitespace();
        if let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
            && version.starts_with("HTTP/1.")
            && let Some(rest) = target.strip_prefix("http://")
        {
            let path = rest.find('/').map_or("/", |i| &rest[i..]);
            log.lock().unwrap().push(format!("{method} {}", path.split('?').next().unwrap_or(path)));
        }
        if let Some(value) = line.strip_prefix("proxy-authorization: ").or_else(|| line.strip_prefix("Proxy-Authorization: ")) {
            log.lock().unwrap().push(format!("AUTH {}", value.trim()));
        }
    };
    note(&first, &log);
    upstream.write_all(first.as_bytes()).await.unwrap();
    let buffered = client.buffer().to_vec();
    let (mut client_in, mut client_out) = client.into_inner().into_split();
    let (mut from_upstream, mut to_upstream) = upstream.into_split();
    let back = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_upstream, &mut client_out).await;
    });
    // Client → upstream as it comes, noting request lines in each chunk (bodies are JSON or
    // forms: their lines never look like a request line).
    let mut chunk = buffered;
    loop {
        for line in String::from_utf8_lossy(&chunk).split("\r\n") {
            note(line, &log);
        }
        if to_upstream.write_all(&chunk).await.is_err() {
            break;
        }
        chunk.resize(64 * 1024, 0);
        match client_in.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => chunk.truncate(n),
        }
    }
    drop(to_upstream);
    let _ = back.await;
}

fn variables(sandbox: &exokit_sandbox::Sandbox, extra: &[(&str, &str)]) -> ConfigSource {
    let mut pairs = vec![
        ("AUTOMATION_SYNCCONTACTS_TENANT_ID".to_string(), TENANT.to_string()),
        ("AUTOMATION_SYNCCONTACTS_CLIENT_ID".into(), APP.into()),
        ("AUTOMATION_SYNCCONTACTS_CLIENT_SECRET".into(), SECRET.into()),
        ("AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID".into(), HUB_UPN.into()),
        ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT".into(), sandbox.url().into()),
        ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST".into(), sandbox.url().into()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ConfigSource::Environment(pairs.into_iter().map(|(k, v)| (k, zeroize::Zeroizing::new(v))).collect())
}

fn tenant() -> exokit_sandbox::Sandbox {
    exokit_sandbox::Sandbox::start(exokit_sandbox::Options::new(seed(
        vec![vec![contact("Ann", "Lee", Some("ann@fabrikam.com"))], vec![contact("Bo", "Ray", Some("bo@fabrikam.com"))]],
        Some(vec![]),
    )))
    .unwrap()
}

#[test]
fn every_request_goes_through_the_proxy_the_variables_name() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = tenant();
    let proxy = Proxy::start();
    let events = mirror_with(variables(&sandbox, &[("HTTP_PROXY", &proxy.url)]), false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert!(!proxy.seen().iter().any(|s| s.starts_with("AUTH")), "no credential was configured");
    let direct: Vec<String> = sandbox.state.requests().iter().filter(|r| !r.batch_item).map(|r| format!("{} {}", r.method, r.path)).collect();
    let mut proxied: Vec<String> = proxy.seen().into_iter().filter(|s| !s.starts_with("AUTH")).collect();
    let mut expected = direct.clone();
    proxied.sort();
    expected.sort();
    assert!(direct.len() > 8, "{direct:?}");
    assert_eq!(proxied, expected, "the proxy carried exactly what the tenant received");
}

#[test]
fn https_goes_through_a_connect_tunnel() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = tenant();
    let proxy = Proxy::start();
    let ca = std::env::temp_dir().join(format!("exokit-proxy-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, sandbox.ca_pem()).unwrap();
    let https = sandbox.https_url().to_string();
    let ca_text = ca.display().to_string();
    let source = variables(
        &sandbox,
        &[
            ("HTTPS_PROXY", &proxy.url),
            ("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", &https),
            ("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", &https),
            ("AUTOMATION_SYNCCONTACTS_CA_FILE", &ca_text),
        ],
    );
    let events = mirror_with(source, false);
    let _ = std::fs::remove_file(&ca);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    let authority = https.trim_start_matches("https://");
    assert!(proxy.seen().iter().all(|s| *s == format!("CONNECT {authority}")), "{:?}", proxy.seen());
    assert!(!proxy.seen().is_empty());
}

#[test]
fn no_proxy_bypasses_it() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = tenant();
    let proxy = Proxy::start();
    let events = mirror_with(variables(&sandbox, &[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "localhost,127.0.0.1")]), false);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(proxy.seen(), Vec::<String>::new());
    assert!(!sandbox.state.requests().is_empty());
}

#[test]
fn a_proxy_credential_goes_as_basic_authentication_to_the_proxy_only() {
    let _turn = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let sandbox = tenant();
    let proxy = Proxy::start();
    let url = sandbox.url().to_string();
    let mut network = exokit::http::Network::default();
    network.proxy = Some(exokit::http::ProxySetting {
        url: proxy.url.clone(),
        credential: Some(("proxyuser".into(), exokit::auth::Secret::new("proxy-pass-1".into()))),
        source: "Proxy".into(),
        no_proxy: None,
    });
    let options = exokit::session::ConnectOptions {
        tenant_id: DOMAIN.into(),
        client_id: APP.into(),
        environment: None,
        graph_endpoint: Some(url.clone()),
        authority_host: Some(url),
        exchange_endpoint: None,
        credential: exokit::auth::Credential::ClientSecret(exokit::auth::Secret::new(SECRET.into())),
        network,
    };
    let events = exokit::ops::Operation::start(async move { exokit::session::connect(options).await.map(|_| ()) }).wait();
    assert!(errors(&events).is_empty(), "{events:?}");
    // "proxyuser:proxy-pass-1" in Base64.
    assert!(proxy.seen().contains(&"AUTH Basic cHJveHl1c2VyOnByb3h5LXBhc3MtMQ==".to_string()), "{:?}", proxy.seen());
    let verbose: Vec<String> = events.iter().filter_map(|e| if let exokit::ops::Event::Verbose(v) = e { Some(v.clone()) } else { None }).collect();
    assert!(verbose.iter().any(|v| v.contains(&proxy.url)), "{verbose:?}");
    assert!(!verbose.iter().any(|v| v.contains("proxy-pass-1")));
    exokit::session::disconnect();
}
