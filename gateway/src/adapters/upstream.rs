//! The client for forwarded requests: hyper's HTTP/1.1 connections with rustls, kept in a pool
//! per worker thread (`Pool`), no more.
//!
//! Why not reqwest here (it still makes the token and OAuth calls): on this path every request
//! of every widget goes through it, and reqwest's layers — URL parsing, redirect and retry
//! policies, proxy matching, timeout wrappers — were about a tenth of the gateway's CPU under
//! `scripts/bench-gateway.sh` (perf), for features the gateway does not use (it follows no
//! redirect, retries nothing itself, uses no proxy).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, HOST};
use hyper::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use tower::ServiceExt;

use super::{Outgoing, UpstreamError, UpstreamReply, MAX_REPLY_BYTES};

/// How long an idle pooled connection is kept.
const IDLE: Duration = Duration::from_secs(60);
/// Idle connections kept per provider host (per worker thread).
const MAX_IDLE_PER_HOST: usize = 64;
/// The gateway's default `upstream_timeout_secs`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
type Sender = SendRequest<Full<Bytes>>;

#[derive(Clone)]
pub struct Upstream {
    /// The pool for threads without one of their own.
    shared: Arc<Mutex<Pool>>,
    connector: Connector,
    /// Tells this client's per-thread pools from another `Upstream`'s.
    id: u64,
    /// The whole exchange, from connecting to the last byte of the reply.
    timeout: Duration,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// On the server's worker threads (`server.rs`), each `Upstream`'s pool of this thread: a
    /// pooled connection's task then runs on the runtime of the requests that use it, and a
    /// request and its provider call never wake each other across threads. `None` elsewhere:
    /// the shared pool.
    static PER_THREAD: RefCell<Option<Vec<(u64, Pool)>>> = const { RefCell::new(None) };
}

/// Idle keep-alive connections, by provider host: hyper's own HTTP/1.1 connections
/// (`hyper::client::conn::http1`), kept here rather than in hyper-util's legacy `Client`.
/// Written by hand because that client's pool (a shared map behind a lock, keyed by a hashed
/// scheme and authority, a task spawned per request to put the connection back once it is
/// ready, the race between a checkout and a new connection) is for any number of hosts and
/// threads, where a worker here talks to one or two hosts from one thread. Callgrind, per
/// forwarded read (`scripts/callgrind-gateway.sh`): 80.5k instructions with that client, 74.5k
/// with this pool.
///
/// A connection goes back only after its reply was read to the end (`exchange`): one whose
/// reply was refused or cut short is dropped, which closes it, so the next request can never
/// read the rest of an earlier reply.
#[derive(Default)]
struct Pool {
    hosts: Vec<Host>,
}

struct Host {
    scheme: String,
    authority: String,
    /// When each went idle, oldest first; the most recently used is taken first.
    idle: VecDeque<(Sender, Instant)>,
}

impl Pool {
    /// The most recently used idle connection to this host that is still open; expired and
    /// closed ones met on the way are dropped.
    fn checkout(&mut self, scheme: &str, authority: &str) -> Option<Sender> {
        let host = self
            .hosts
            .iter_mut()
            .find(|host| host.authority == authority && host.scheme == scheme)?;
        while let Some((sender, since)) = host.idle.pop_back() {
            if !sender.is_closed() && since.elapsed() < IDLE {
                return Some(sender);
            }
        }
        None
    }

    fn checkin(&mut self, scheme: &str, authority: &str, sender: Sender) {
        if sender.is_closed() {
            return;
        }
        let index = match self
            .hosts
            .iter()
            .position(|host| host.authority == authority && host.scheme == scheme)
        {
            Some(index) => index,
            None => {
                self.hosts.push(Host {
                    scheme: scheme.to_string(),
                    authority: authority.to_string(),
                    idle: VecDeque::new(),
                });
                self.hosts.len() - 1
            }
        };
        let idle = &mut self.hosts[index].idle;
        let now = Instant::now();
        // Those idle for too long are closed (hyper-util's pool had a timer for it; here it
        // happens whenever the host is used, and the provider's own keep-alive timeout closes
        // the connections of a host no longer used), and the least recently used one when
        // there are too many.
        while idle
            .front()
            .is_some_and(|(sender, since)| sender.is_closed() || now.duration_since(*since) >= IDLE)
            || idle.len() >= MAX_IDLE_PER_HOST
        {
            idle.pop_front();
        }
        idle.push_back((sender, now));
    }
}

/// Where a request goes: its URI for connecting, and what names its pool.
struct Target {
    uri: Uri,
}

impl Target {
    fn scheme(&self) -> &str {
        self.uri.scheme_str().unwrap_or("http")
    }

    fn authority(&self) -> &str {
        self.uri.authority().map_or("", |a| a.as_str())
    }
}

impl Upstream {
    pub fn new(timeout: Duration) -> Result<Upstream, String> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(timeout));
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Upstream {
            shared: Arc::default(),
            connector,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            timeout,
        })
    }

    /// Gives every `Upstream` a pool of its own on this thread, for the life of the thread.
    /// For threads that each run their own current-thread runtime (the server's workers): a
    /// pool's connections live on the runtime that opened them.
    pub fn pool_per_thread() {
        PER_THREAD.with(|pools| *pools.borrow_mut() = Some(Vec::new()));
    }

    /// Runs `f` on this thread's pool (or the shared one); never across an `await`.
    fn with_pool<R>(&self, f: impl FnOnce(&mut Pool) -> R) -> R {
        PER_THREAD.with(|pools| {
            let mut pools = pools.borrow_mut();
            let Some(pools) = pools.as_mut() else {
                let mut shared = crate::lock::lock(&self.shared);
                return f(&mut shared);
            };
            match pools.iter_mut().find(|(id, _)| *id == self.id) {
                Some((_, pool)) => f(pool),
                None => {
                    pools.push((self.id, Pool::default()));
                    let last = pools.len() - 1;
                    f(&mut pools[last].1)
                }
            }
        })
    }

    /// A new connection to the target, its task spawned on this thread's runtime.
    async fn connect(&self, target: &Target) -> Result<Sender, UpstreamError> {
        let io = self
            .connector
            .clone()
            .oneshot(target.uri.clone())
            .await
            .map_err(|_| UpstreamError::Unreachable)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|_| UpstreamError::Unreachable)?;
        // Ends when the connection closes: the provider closed it, or every `Sender` for it
        // was dropped (a reply not read to the end, an expired idle connection).
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(sender)
    }

    /// Sends to `base` + path + query with the credential headers (which replace any the widget
    /// sent under the same name), never following a redirect, and reads the reply up to
    /// `MAX_REPLY_BYTES`.
    pub async fn send(
        &self,
        base: &str,
        outgoing: Outgoing,
        credential_headers: Vec<(&'static str, String)>,
    ) -> Result<UpstreamReply, UpstreamError> {
        let mut url = String::with_capacity(base.len() + outgoing.path.len() + 32);
        url.push_str(base.trim_end_matches('/'));
        url.push_str(&outgoing.path);
        if let Some(query) = &outgoing.query {
            url.push('?');
            url.push_str(query);
        }
        let uri: Uri = url.parse().map_err(|_| UpstreamError::Unreachable)?;
        let host = host_header(&uri).ok_or(UpstreamError::Unreachable)?;
        // The request line names the path only (origin form), as hyper-util's client sent it.
        let path = match uri.path_and_query() {
            Some(path) => Uri::from(path.clone()),
            None => Uri::from_static("/"),
        };
        let target = Target { uri };
        let mut request = hyper::Request::builder()
            .method(outgoing.method)
            .uri(path)
            .body(Full::new(outgoing.body))
            .map_err(|_| UpstreamError::Unreachable)?;
        let headers = request.headers_mut();
        headers.insert(HOST, host);
        for (name, value) in &outgoing.headers {
            if credential_headers
                .iter()
                .any(|(set, _)| set.eq_ignore_ascii_case(name))
            {
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        for (name, value) in credential_headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        match tokio::time::timeout(self.timeout, self.exchange(&target, request)).await {
            Ok(result) => result,
            Err(_) => Err(UpstreamError::Timeout),
        }
    }

    /// Sends on an idle connection to the target, or a new one. A request that a reused
    /// connection gives back unsent (it was found closed before any byte of the request was
    /// written: the provider closed it while it sat idle) goes on the next idle connection or a
    /// new one, as hyper-util's client retried it; one that fails on a new connection, or after
    /// it was written, is not sent again.
    async fn send_on_a_connection(
        &self,
        target: &Target,
        mut request: hyper::Request<Full<Bytes>>,
    ) -> Result<(hyper::Response<hyper::body::Incoming>, Sender), UpstreamError> {
        loop {
            let idle = self.with_pool(|pool| pool.checkout(target.scheme(), target.authority()));
            let (mut sender, reused) = match idle {
                Some(sender) => (sender, true),
                // Boxed: connecting (TCP, TLS, the handshake) is a large future that a request
                // on a pooled connection never runs; inline, its size was part of every
                // request's future and was copied each time that future moved (callgrind: see
                // the README's "Gateway speed").
                None => (Box::pin(self.connect(target)).await?, false),
            };
            if sender.ready().await.is_err() {
                if reused {
                    continue;
                }
                return Err(UpstreamError::Unreachable);
            }
            match sender.try_send_request(request).await {
                Ok(response) => return Ok((response, sender)),
                Err(mut error) => match error.take_message() {
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(UpstreamError::Unreachable),
                },
            }
        }
    }

    async fn exchange(
        &self,
        target: &Target,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<UpstreamReply, UpstreamError> {
        let (response, sender) = self.send_on_a_connection(target, request).await?;
        let (parts, mut body) = response.into_parts();
        if content_length(&parts.headers).is_some_and(|length| length > MAX_REPLY_BYTES as u64) {
            // Dropped unread, with its connection: closed, never back in the pool.
            return Err(UpstreamError::TooLarge);
        }
        let mut bytes = Vec::with_capacity(
            content_length(&parts.headers).map_or(8 * 1024, |length| length as usize),
        );
        // On any early return below the connection is dropped with the rest of the reply
        // unread, which closes it.
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| UpstreamError::Unreachable)?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_REPLY_BYTES {
                    return Err(UpstreamError::TooLarge);
                }
                bytes.extend_from_slice(&data);
            }
        }
        // Read to the end: the connection may carry the next request.
        self.with_pool(|pool| pool.checkin(target.scheme(), target.authority(), sender));
        Ok(UpstreamReply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Bytes::from(bytes),
        })
    }
}

/// The `Host` header hyper-util's client set: the host, and the port unless it is the scheme's
/// default.
fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let default = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    match (uri.port_u16(), uri.authority()) {
        // `host:port` is the authority as written when it names no user and spells its port
        // the usual way: taken as it is rather than formatted again (~0.8k instructions per
        // forwarded request under callgrind). `:08080` or `:+8080` parse as 8080 and are
        // formatted, so the header is what hyper-util sent.
        (Some(port), Some(authority))
            if port != default
                && !authority.as_str().contains('@')
                && uri.port().is_some_and(|p| usual_port(p.as_str())) =>
        {
            HeaderValue::from_str(authority.as_str()).ok()
        }
        (Some(port), _) if port != default => HeaderValue::from_str(&format!("{host}:{port}")).ok(),
        _ => HeaderValue::from_str(host).ok(),
    }
}

/// Digits without a leading zero or sign: the port as a number would print it.
fn usual_port(port: &str) -> bool {
    port.bytes().all(|b| b.is_ascii_digit()) && !port.starts_with('0') && !port.is_empty()
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header is what hyper-util's client sent: `host`, or `host:port` for a port that is
    /// not the scheme's own, whatever else the URL holds.
    #[test]
    fn the_host_header_names_the_host_and_any_other_port() {
        for (url, host) in [
            ("http://127.0.0.1:8080/a", "127.0.0.1:8080"),
            ("http://127.0.0.1:80/a", "127.0.0.1"),
            ("http://example.com/a?b=c", "example.com"),
            ("https://example.com:443/a", "example.com"),
            ("https://example.com:8443/a", "example.com:8443"),
            ("http://example.com:443/a", "example.com:443"),
            ("https://example.com:80/a", "example.com:80"),
            ("http://user:pw@example.com:8080/a", "example.com:8080"),
            ("http://user@example.com/a", "example.com"),
            ("http://[::1]:8080/a", "[::1]:8080"),
            ("http://[::1]/a", "[::1]"),
            ("http://Example.COM:8080/a", "Example.COM:8080"),
            // A port spelled unusually is formatted, as hyper-util did (review of round 4).
            ("http://example.com:08080/a", "example.com:8080"),
            ("http://example.com:+8080/a", "example.com:8080"),
            ("https://example.com:0000443/a", "example.com"),
            ("http://[::ffff:1.2.3.4]:08080/a", "[::ffff:1.2.3.4]:8080"),
        ] {
            let uri: Uri = url.parse().unwrap();
            assert_eq!(host_header(&uri).unwrap(), host, "{url}");
            assert_eq!(host_header(&uri), formatted(&uri), "{url}");
        }
    }

    /// The header as it was made before (always formatted), to compare with.
    fn formatted(uri: &Uri) -> Option<HeaderValue> {
        let host = uri.host()?;
        let default = match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        };
        match uri.port_u16() {
            Some(port) if port != default => HeaderValue::from_str(&format!("{host}:{port}")).ok(),
            _ => HeaderValue::from_str(host).ok(),
        }
    }
}
