//! A fake Microsoft 365 tenant for ExoKit's tests, benchmarks and demo: the identity platform's
//! token endpoint and Microsoft Graph, served on 127.0.0.1 with the shapes, errors and limits of
//! the real services.
//!
//! Start it in-process with [`Sandbox::start`] or as the `exokit-sandbox` binary. Tests steer it
//! and read what it saw through the control routes under `/_sandbox/` (see [`routes::control`]).

pub mod access;
pub mod conformance;
pub mod directory;
pub mod exchange;
pub mod generate;
pub mod graph_error;
pub mod mailbox;
pub mod odata;
pub mod roles;
pub mod routes;
pub mod seed;
pub mod state;
pub mod throttle;

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
    /// Added before every Graph and login answer (not the control routes).
    pub latency: Duration,
    /// `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// Lifetime of issued access tokens.
    pub token_lifetime: Duration,
}

impl Options {
    pub fn new(seed: Seed) -> Self {
        Options {
            seed,
            latency: Duration::ZERO,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token_lifetime: Duration::from_secs(3599),
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    pub base_url: String,
    pub state: Arc<state::State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts serving on its own runtime thread and returns once the port is bound.
    pub fn start(options: Options) -> std::io::Result<Sandbox> {
        let state = Arc::new(state::State::new(&options)?);
        let std_listener = std::net::TcpListener::bind(options.bind)?;
        std_listener.set_nonblocking(true)?;
        let base_url = format!("http://{}", std_listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::router(state.clone());
        let thread = std::thread::Builder::new().name("exokit-sandbox".into()).spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("sandbox runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                // Stop at once when asked: a test that drops the sandbox while a slow request is
                // in flight must not wait for it.
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
        })?;
        Ok(Sandbox { base_url, state, stop: Some(stop), thread: Some(thread) })
    }

    /// The base URL a client uses as its Graph endpoint and authority host.
    pub fn url(&self) -> &str {
        &self.base_url
    }
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
