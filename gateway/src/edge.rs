//! What every request goes through, whatever route it is for: the per-address limit (first, in
//! memory), bodies where none belongs, CORS for the allowed dashboard origins only, and headers
//! that keep replies out of caches and content sniffing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::header::{
    ACCEPT, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER,
    TRANSFER_ENCODING, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use providers::ErrorKind;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::client_ip::client_ip;
use crate::replies::refusal_for_path;
use crate::tokens::now_secs;
use crate::AppState;

/// The client's address as the per-address limit saw it (behind a trusted proxy, the address
/// the proxy forwarded for), for the request log.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

/// The checks every request meets first, as a tower layer around the routes (a hand-written
/// service rather than `axum::middleware::from_fn`, which boxes the rest of the stack and
/// clones it into a `Next` on every request: see the README's "Gateway speed").
#[derive(Clone)]
pub struct GuardLayer {
    state: Arc<AppState>,
}

impl GuardLayer {
    pub fn new(state: Arc<AppState>) -> GuardLayer {
        GuardLayer { state }
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            state: Arc::clone(&self.state),
        }
    }
}

#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S, B> tower::Service<Request> for Guard<S>
where
    S: tower::Service<Request, Response = axum::http::Response<B>>,
    axum::http::Response<B>: IntoResponse,
{
    type Response = Response;
    type Error = S::Error;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<Response, S::Error>>,
        futures_util::future::MapOk<S::Future, fn(axum::http::Response<B>) -> Response>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match screen(&self.state, &mut request) {
            None => futures_util::future::Either::Right(futures_util::TryFutureExt::map_ok(
                self.inner.call(request),
                IntoResponse::into_response,
            )),
            Some(refused) => futures_util::future::Either::Left(std::future::ready(Ok(refused))),
        }
    }
}

/// The per-address limit and the GET-with-a-body refusal (`Some`: the request is refused with
/// this response); on the way through, the client's
/// address (`ClientIp`) for the request log.
fn screen(state: &AppState, request: &mut Request) -> Option<Response> {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        // The server always sets it; an app embedded without `into_make_service_with_connect_info`
        // cannot tell addresses apart, so it serves nothing.
        return Some(
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The gateway must be served with the client's address (ConnectInfo).",
            )
                .into_response(),
        );
    };
    let path = request.uri().path();
    // Health checks come from the load balancer, at its own pace.
    let ip = (path != "/healthz")
        .then(|| client_ip(peer.ip(), request.headers(), &state.trusted_proxies));
    if let Some(ip) = ip {
        if let Err(wait) = state.ip_limiter.check(ip, now_secs()) {
            return Some(
                refusal_for_path(
                    path,
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorKind::RateLimited,
                    "rate_ip",
                    "Too many requests from this address.",
                )
                .with_retry_after(wait)
                .into_response(),
            );
        }
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) && has_body(request.headers()) {
        // Whatever it carries would be forwarded with the provider's credential attached.
        return Some(
            refusal_for_path(
                path,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_not_allowed",
                "A GET or HEAD request may not have a body.",
            )
            .into_response(),
        );
    }
    if let Some(ip) = ip {
        request.extensions_mut().insert(ClientIp(ip));
    }
    None
}

fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// CORS for the configured origins only: a preflight from any other origin gets no CORS
/// headers, and the browser blocks the request.
pub fn cors(allowed_origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.trim()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::OPTIONS,
        ])
        .allow_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            ACCEPT,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            RETRY_AFTER,
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-ratelimit-interval"),
            HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(Duration::from_secs(600))
}

pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

pub fn no_sniff() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
}
