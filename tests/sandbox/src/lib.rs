//! A fake Microsoft 365 tenant for ExoKit's tests, benchmarks and demo: the identity platform's
//! token endpoint and Microsoft Graph, served on 127.0.0.1 with the shapes, errors and limits of
//! the real services.
//!
//! Start it in-process with [`Sandbox::start`] or as the `exokit-sandbox` binary. Tests steer it
//! and read what it saw through the control routes under `/_sandbox/` (see [`routes::control`]).

pub mod aad_error;
pub mod access;
pub mod client_assertion;
pub mod conformance;
pub mod dice;
pub mod directory;
pub mod dump;
pub mod exchange;
pub mod faults;
pub mod federated;
pub mod freeze;
pub mod generate;
pub mod graph_error;
pub mod latency;
pub mod listen;
pub mod mailbox;
pub mod metrics;
pub mod odata;
pub mod roles;
pub mod routes;
pub mod seed;
pub mod state;
pub mod testcert;
pub mod throttle;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use seed::Seed;
pub use state::Tenant;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: Seed,
    /// Added before every Graph and login answer (not the control routes); with
    /// `latency_max`, the lower bound of a uniform jitter.
    pub latency: Duration,
    /// The upper bound of jittered latency; `None` for a fixed `latency`.
    pub latency_max: Option<Duration>,
    /// Plain HTTP; `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// HTTPS, with a CA made at start (see [`Sandbox::ca_pem`]); `127.0.0.1:0` picks a free port.
    pub https_bind: SocketAddr,
    /// Lifetime of issued access tokens.
    pub token_lifetime: Duration,
    /// Outlook's limits per app and mailbox, before the time scale.
    pub throttle: throttle::Limits,
    /// Runs the throttle's clock this many times faster (window and count shrink together; see
    /// [`throttle`]). 1 is real time.
    pub time_scale: f64,
    /// Faults to inject from the start (see [`faults`] for the syntax).
    pub faults: faults::Plan,
    /// Makes fault and jitter draws repeat from run to run.
    pub fault_seed: Option<u64>,
}

impl Options {
    pub fn new(seed: Seed) -> Self {
        Options {
            seed,
            latency: Duration::ZERO,
            latency_max: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            https_bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token_lifetime: Duration::from_secs(3599),
            throttle: throttle::Limits::OUTLOOK,
            time_scale: 1.0,
            faults: faults::Plan::none(),
            fault_seed: None,
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `https://127.0.0.1:PORT`, serving the same routes with a certificate from [`Self::ca_pem`].
    pub https_url: String,
    pub state: Arc<state::State>,
    ca_pem: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts serving on its own runtime thread and returns once both ports are bound.
    pub fn start(mut options: Options) -> std::io::Result<Sandbox> {
        let seed = std::mem::replace(&mut options.seed, Seed { tenants: Vec::new() });
        let state = Arc::new(state::State::new(seed, &options)?);
        let tls = tls::generate().map_err(std::io::Error::other)?;
        let plain = bind(options.bind)?;
        let secure = bind(options.https_bind)?;
        let base_url = format!("http://{}", plain.local_addr()?);
        let https_url = format!("https://{}", secure.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::router(state.clone());
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config.clone());
        let thread = std::thread::Builder::new().name("exokit-sandbox".into()).spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("sandbox runtime");
            rt.block_on(async move {
                let plain = TcpListener::from_std(plain).expect("listener");
                let secure = TcpListener::from_std(secure).expect("listener");
                // Stop at once when asked: a test that drops the sandbox while a slow request is
                // in flight must not wait for it.
                tokio::select! {
                    _ = listen::serve(plain, app.clone(), None) => {}
                    _ = listen::serve(secure, app, Some(acceptor)) => {}
                    _ = stopped => {}
                }
            });
        })?;
        Ok(Sandbox { base_url, https_url, state, ca_pem: tls.ca_pem, stop: Some(stop), thread: Some(thread) })
    }

    /// The base URL a client uses as its Graph endpoint and authority host.
    pub fn url(&self) -> &str {
        &self.base_url
    }

    /// The HTTPS base URL; clients must trust [`Self::ca_pem`] to reach it.
    pub fn https_url(&self) -> &str {
        &self.https_url
    }

    /// The PEM of the CA that signed the HTTPS certificate, made fresh at start.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

fn bind(address: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(address)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.state.set_dispatcher(None);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
