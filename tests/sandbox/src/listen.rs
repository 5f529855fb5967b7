//! The accept loops: plain HTTP and HTTPS on 127.0.0.1, one task per connection.
//!
//! We drive hyper ourselves (rather than `axum::serve`) to serve TLS and to let the fault layer
//! reach the connection under a request: every request carries a [`Connection`] extension whose
//! [`Connection::reset`] drops the connection with a TCP reset (RST, not FIN), which is what a
//! client sees when a load balancer or the service kills a connection.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// The header that tells the routes whether the request came over TLS (see [`drive`]).
pub const SCHEME_HEADER: &str = "x-forwarded-proto";

/// A client that connects to the HTTPS port and never finishes the handshake is dropped after this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The connection a request came on. `$batch` items, dispatched in process, have none.
#[derive(Clone, Debug)]
pub struct Connection {
    reset: Arc<AtomicBool>,
    abort: Arc<Notify>,
    pub tls: bool,
}

impl Connection {
    fn new(tls: bool) -> Connection {
        Connection {
            reset: Arc::new(AtomicBool::new(false)),
            abort: Arc::new(Notify::new()),
            tls,
        }
    }

    /// Drops the connection with a TCP reset. The request future that calls this should then
    /// never finish: the connection task drops it with the connection.
    pub fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.abort.notify_one();
    }
}

/// Serves `app` on `listener` until the task is dropped; with `tls`, as HTTPS.
pub async fn serve(listener: TcpListener, app: Router, tls: Option<TlsAcceptor>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        tokio::spawn(serve_connection(stream, app.clone(), tls.clone()));
    }
}

async fn serve_connection(stream: TcpStream, app: Router, tls: Option<TlsAcceptor>) {
    let _ = stream.set_nodelay(true);
    let connection = Connection::new(tls.is_some());
    let stream = Resettable {
        inner: stream,
        reset: connection.reset.clone(),
    };
    match tls {
        None => drive(TokioIo::new(stream), app, connection).await,
        Some(acceptor) => {
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                drive(TokioIo::new(stream), app, connection).await;
            }
        }
    }
}

async fn drive<I>(io: I, app: Router, connection: Connection)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let abort = connection.abort.clone();
    let tagged = connection.clone();
    let service = app.map_request(move |mut request: Request<hyper::body::Incoming>| {
        // The scheme the client used, for the absolute links the routes return. Set here, as a
        // TLS-terminating front end would, so a client cannot choose it.
        let scheme = if tagged.tls { "https" } else { "http" };
        request.headers_mut().insert(SCHEME_HEADER, axum::http::HeaderValue::from_static(scheme));
        request.extensions_mut().insert(tagged.clone());
        request
    });
    let served = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, TowerToHyperService::new(service));
    tokio::select! {
        _ = served => {}
        // Dropping `served` drops the stream, whose `Drop` sends the reset.
        _ = abort.notified() => {}
    }
}

/// A TCP stream that closes with RST instead of FIN when its connection was reset.
struct Resettable {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for Resettable {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // SO_LINGER 0: close() discards unsent data and sends RST.
            let _ = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for Resettable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Resettable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
