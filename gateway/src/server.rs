//! The accept loop. `axum::serve` has no header-read or idle timeout and no cap on
//! connections, so a client that sends half a header, half a body or nothing could hold a
//! connection (and its memory) forever; this loop, on hyper-util, adds them:
//!
//! - at most `max_connections` connections are served; more wait in the listen queue;
//! - at most `max_connections_per_ip` of them from one address (`connections_per_ip.rs`); more
//!   are closed at once;
//! - a request's header must arrive within `header_read_timeout_secs` (from the connection's
//!   start, or from the first byte of a later request);
//! - a connection with no request in flight is closed after `idle_timeout_secs`;
//! - the whole request, body included, has `request_timeout_secs` (a 408, from the router's
//!   timeout layer).
//!
//! Connections are accepted here and served on worker threads, one per core, each running its
//! own current-thread tokio runtime (and its own pool of provider connections: `Upstream`). A
//! request, its call to the provider and the reply then run on one thread, with no hand-over
//! between threads: on tokio's multi-thread runtime the server's task and the client's
//! connection task woke each other across threads and were stolen between them (see the README's
//! "Gateway speed" for the measured figures). nginx is built the same way (a worker per core).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::config::Config;
use crate::connections_per_ip::{ConnectionsPerIp, Full, Slot};

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

/// What the server serves: the gateway's routes behind the layers every request goes through
/// (`crate::service`).
pub trait App:
    tower::Service<Request, Response = Response, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static
{
}

impl<S> App for S where
    S: tower::Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve_on(
    listener: TcpListener,
    app: impl App,
    limits: EdgeLimits,
    per_ip: ConnectionsPerIp,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut workers = Workers::start(&app, limits);
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
        let slot = match per_ip.take(peer.ip()) {
            Ok(slot) => slot,
            Err(Full { first }) => {
                if first {
                    crate::log::event(
                        "connections_per_ip_reached",
                        &[("ip", serde_json::json!(peer.ip().to_string()))],
                    );
                }
                // Dropped with its permit: the connection is closed, its slot free.
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let job = Job {
            stream,
            peer,
            permit: (permit, slot),
            watcher: graceful.watcher(),
        };
        if let Some(job) = workers.hand(job) {
            // No worker thread (none could be started): served on this runtime.
            tokio::spawn(job.run(app.clone(), limits));
        }
    }
    drop(listener);
    // The workers finish the connections they have, then stop.
    workers.close();
    let _ = tokio::time::timeout(limits.drain, graceful.shutdown()).await;
}

/// An accepted connection, on its way to a worker.
struct Job {
    stream: TcpStream,
    peer: SocketAddr,
    /// Held while the connection is served (the connection caps).
    permit: Permit,
    watcher: hyper_util::server::graceful::Watcher,
}

impl Job {
    async fn run(self, app: impl App, limits: EdgeLimits) {
        connection(self.stream, self.peer, app, limits, self.watcher).await;
        drop(self.permit);
    }
}

/// A moved connection: the socket leaves the accepting runtime's reactor and joins the
/// worker's.
struct Moved {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    permit: Permit,
    watcher: hyper_util::server::graceful::Watcher,
}

/// A place under the connection cap, and one in the address's count.
type Permit = (OwnedSemaphorePermit, Slot);

impl Moved {
    /// Registers the socket with the current runtime's reactor (`None`: it could not be, and is
    /// closed).
    fn into_job(self) -> Option<Job> {
        Some(Job {
            stream: TcpStream::from_std(self.stream).ok()?,
            peer: self.peer,
            permit: self.permit,
            watcher: self.watcher,
        })
    }
}

/// The worker threads, handed connections in turn.
struct Workers {
    senders: Vec<mpsc::UnboundedSender<Moved>>,
    next: usize,
}

impl Workers {
    /// One worker per core. Where none can be started, `hand` gives the connections back.
    fn start(app: &impl App, limits: EdgeLimits) -> Workers {
        let count = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut senders = Vec::with_capacity(count);
        for index in 0..count {
            match spawn_worker(index, app.clone(), limits) {
                Ok(sender) => senders.push(sender),
                Err(error) => {
                    crate::log::event(
                        "worker_not_started",
                        &[("message", serde_json::json!(error))],
                    );
                    break;
                }
            }
        }
        Workers { senders, next: 0 }
    }

    /// Gives the connection to the next worker; returns it when there is none to give it to.
    fn hand(&mut self, job: Job) -> Option<Job> {
        if self.senders.is_empty() {
            return Some(job);
        }
        self.next = (self.next + 1) % self.senders.len();
        // A socket that cannot leave this reactor is dropped, which closes it.
        let stream = job.stream.into_std().ok()?;
        let moved = Moved {
            stream,
            peer: job.peer,
            permit: job.permit,
            watcher: job.watcher,
        };
        match self.senders[self.next].send(moved) {
            Ok(()) => None,
            Err(mpsc::error::SendError(moved)) => {
                // That worker is gone (its thread ended): the others take its share.
                self.senders.remove(self.next);
                let job = moved.into_job()?;
                self.hand(job)
            }
        }
    }

    fn close(&mut self) {
        self.senders.clear();
    }
}

/// A thread with its own current-thread runtime serving the connections it is handed, until
/// the sender is dropped and its connections have ended.
fn spawn_worker(
    index: usize,
    app: impl App,
    limits: EdgeLimits,
) -> Result<mpsc::UnboundedSender<Moved>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a worker runtime: {e}"))?;
    let (sender, mut receiver) = mpsc::unbounded_channel::<Moved>();
    std::thread::Builder::new()
        .name(format!("gateway-worker-{index}"))
        .spawn(move || {
            crate::adapters::Upstream::pool_per_thread();
            runtime.block_on(async move {
                let mut connections = tokio::task::JoinSet::new();
                loop {
                    tokio::select! {
                        moved = receiver.recv() => match moved {
                            Some(moved) => {
                                if let Some(job) = moved.into_job() {
                                    connections.spawn(job.run(app.clone(), limits));
                                }
                            }
                            None => break,
                        },
                        Some(_) = connections.join_next(), if !connections.is_empty() => {}
                    }
                }
                while connections.join_next().await.is_some() {}
            });
        })
        .map_err(|e| format!("cannot start a worker thread: {e}"))?;
    Ok(sender)
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: impl App,
    limits: EdgeLimits,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let in_service = Arc::clone(&activity);
    // One instance of the app per connection, called for each of its requests, rather than a
    // clone per request (the layers' clones and drops were ~2k instructions a request under
    // callgrind). HTTP/1 serves one request at a time, so the lock is never contended.
    let app = Mutex::new(app);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::begin(Arc::clone(&in_service));
        let response = call(&app, request);
        async move {
            let response = response.await;
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

/// Calls the connection's app when it is ready now (the gateway's always is); otherwise a
/// clone of it, once ready, as `oneshot` does.
fn call<A: App>(
    app: &Mutex<A>,
    request: Request,
) -> futures_util::future::Either<A::Future, tower::util::Oneshot<A, Request>> {
    let mut app = crate::lock::lock(app);
    let mut context = Context::from_waker(std::task::Waker::noop());
    match app.poll_ready(&mut context) {
        Poll::Ready(Ok(())) => futures_util::future::Either::Left(app.call(request)),
        _ => futures_util::future::Either::Right(app.clone().oneshot(request)),
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
        crate::lock::lock(&self.phase)
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
