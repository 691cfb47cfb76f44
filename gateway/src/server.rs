//! The accept loop. `axum::serve` has no header-read or idle timeout and no cap on
//! connections, so a client that sends half a header, half a body or nothing could hold a
//! connection (and its memory) forever; this loop, on hyper-util, adds them:
//!
//! - at most `max_connections` connections are served; more wait in the listen queue;
//! - a request's header must arrive within `header_read_timeout_secs` (from the connection's
//!   start, or from the first byte of a later request);
//! - a connection with no request in flight is closed after `idle_timeout_secs`;
//! - the whole request, body included, has `request_timeout_secs` (a 408, from the router's
//!   timeout layer).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tower::ServiceExt;

use crate::config::Config;

/// Headers larger than this are refused (431) rather than buffered.
const MAX_HEADER_BUFFER: usize = 64 * 1024;

#[derive(Clone, Copy, Debug)]
pub struct EdgeLimits {
    pub header_read: Duration,
    pub idle: Duration,
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub drain: Duration,
}

impl EdgeLimits {
    pub fn from_config(config: &Config) -> EdgeLimits {
        EdgeLimits {
            header_read: Duration::from_secs(config.header_read_timeout_secs),
            idle: Duration::from_secs(config.idle_timeout_secs),
            max_connections: config.max_connections,
            drain: Duration::from_secs(config.request_timeout_secs + 5),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve_on(
    listener: TcpListener,
    router: Router,
    limits: EdgeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                crate::log::event(
                    "accept_failed",
                    &[("message", serde_json::json!(error.to_string()))],
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let router = router.clone();
        tokio::spawn(async move {
            connection(stream, peer, router, limits, watcher).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.drain, graceful.shutdown()).await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: EdgeLimits,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let in_service = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::begin(Arc::clone(&in_service));
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await;
            drop(busy);
            response
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .max_buf_size(MAX_HEADER_BUFFER)
        .serve_connection(io, service);
    let connection = watcher.watch(connection);
    tokio::select! {
        _ = connection => {}
        () = activity.expired(limits) => {
            // Dropping the connection closes the socket.
        }
    }
}

/// Where a connection is in its life, for its timeouts.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Waiting for a request's header, since this instant (the connection's start, or the
    /// first byte of a later request).
    Head(Instant),
    /// Requests in flight: no timeout here (the router's request timeout covers them).
    Busy(usize),
    /// Nothing in flight since this instant.
    Idle(Instant),
}

struct Activity {
    phase: Mutex<Phase>,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            phase: Mutex::new(Phase::Head(Instant::now())),
        }
    }

    fn phase(&self) -> MutexGuard<'_, Phase> {
        match self.phase.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn bytes_read(&self) {
        let mut phase = self.phase();
        if let Phase::Idle(_) = *phase {
            *phase = Phase::Head(Instant::now());
        }
    }

    /// Resolves when the connection has outstayed its phase's timeout.
    async fn expired(&self, limits: EdgeLimits) {
        loop {
            let deadline = match *self.phase() {
                Phase::Head(since) => since + limits.header_read,
                Phase::Idle(since) => since + limits.idle,
                // Looked at again later; the phase after it is at least this late.
                Phase::Busy(_) => Instant::now() + limits.idle,
            };
            if Instant::now() >= deadline {
                let still = match *self.phase() {
                    Phase::Head(since) => since + limits.header_read <= Instant::now(),
                    Phase::Idle(since) => since + limits.idle <= Instant::now(),
                    Phase::Busy(_) => false,
                };
                if still {
                    return;
                }
                continue;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// Marks a request in flight on its connection until dropped (also when the request is
/// abandoned).
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Busy {
        {
            let mut phase = activity.phase();
            *phase = match *phase {
                Phase::Busy(n) => Phase::Busy(n + 1),
                _ => Phase::Busy(1),
            };
        }
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut phase = self.0.phase();
        *phase = match *phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        };
    }
}

/// The socket, telling its connection's `Activity` when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.bytes_read();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
