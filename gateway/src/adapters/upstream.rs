//! The client for forwarded requests: hyper's pooled HTTP/1.1 client with rustls, no more.
//!
//! Why not reqwest here (it still makes the token and OAuth calls): on this path every request
//! of every widget goes through it, and reqwest's layers — URL parsing, redirect and retry
//! policies, proxy matching, timeout wrappers — were about a tenth of the gateway's CPU under
//! `scripts/bench-gateway.sh` (perf), for features the gateway does not use (it follows no
//! redirect, retries nothing itself, uses no proxy).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::{Outgoing, UpstreamError, UpstreamReply, MAX_REPLY_BYTES};

/// How long an idle pooled connection is kept.
const IDLE: Duration = Duration::from_secs(60);
/// Idle connections kept per provider host.
const MAX_IDLE_PER_HOST: usize = 64;
/// The gateway's default `upstream_timeout_secs`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
type HyperClient = Client<Connector, Full<Bytes>>;

#[derive(Clone)]
pub struct Upstream {
    /// The pool for threads without one of their own.
    shared: HyperClient,
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
    static PER_THREAD: RefCell<Option<Vec<(u64, HyperClient)>>> = const { RefCell::new(None) };
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
            shared: pool(connector.clone()),
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

    fn client(&self) -> HyperClient {
        PER_THREAD.with(|pools| {
            let mut pools = pools.borrow_mut();
            let Some(pools) = pools.as_mut() else {
                return self.shared.clone();
            };
            if let Some((_, client)) = pools.iter().find(|(id, _)| *id == self.id) {
                return client.clone();
            }
            let client = pool(self.connector.clone());
            pools.push((self.id, client.clone()));
            client
        })
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
        let uri: hyper::Uri = url.parse().map_err(|_| UpstreamError::Unreachable)?;
        let mut request = hyper::Request::builder()
            .method(outgoing.method)
            .uri(uri)
            .body(Full::new(outgoing.body))
            .map_err(|_| UpstreamError::Unreachable)?;
        let headers = request.headers_mut();
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
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(UpstreamError::Timeout),
        }
    }

    async fn exchange(
        &self,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<UpstreamReply, UpstreamError> {
        let response = self
            .client()
            .request(request)
            .await
            .map_err(|_| UpstreamError::Unreachable)?;
        let (parts, mut body) = response.into_parts();
        if content_length(&parts.headers).is_some_and(|length| length > MAX_REPLY_BYTES as u64) {
            // Dropped unread: the connection is closed, not returned to the pool.
            return Err(UpstreamError::TooLarge);
        }
        let mut bytes = Vec::with_capacity(
            content_length(&parts.headers).map_or(8 * 1024, |length| length as usize),
        );
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| UpstreamError::Unreachable)?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_REPLY_BYTES {
                    return Err(UpstreamError::TooLarge);
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(UpstreamReply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Bytes::from(bytes),
        })
    }
}

fn pool(connector: Connector) -> HyperClient {
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(IDLE)
        .pool_max_idle_per_host(MAX_IDLE_PER_HOST)
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .build(connector)
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}
