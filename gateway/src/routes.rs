//! Which handler a request goes to. A forwarded request (`/{provider}/{rest}`, nearly all the
//! gateway's traffic) goes straight to `forward::forward_request`; everything else, and any
//! forwarded path this does not take as plainly well-formed, goes to the axum `Router`, whose
//! `/{provider}/{*rest}` route calls the same function.
//!
//! Why not the router for everything: its route lookup, extractors and boxed handler were about
//! a tenth of a forwarded read's instructions under callgrind (README, "Gateway speed").

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use axum::Router;

use crate::edge::ClientIp;
use crate::{forward, AppState};

#[derive(Clone)]
pub struct Routes {
    router: Router,
    state: Arc<AppState>,
    /// Paths an adapter serves itself (Count's OAuth start and callback): they win over
    /// forwarding, as in the router.
    own: Arc<HashSet<&'static str>>,
}

impl Routes {
    pub fn new(router: Router, state: Arc<AppState>, own: HashSet<&'static str>) -> Routes {
        Routes {
            router,
            state,
            own: Arc::new(own),
        }
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Any request body, as the router takes (the body-limit layer wraps it).
impl<B> tower::Service<axum::http::Request<B>> for Routes
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> BoxFuture {
        let request: Request = request.map(axum::body::Body::new);
        let path = request.uri().path();
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| *peer);
        match (forwarded(path, &self.own), peer) {
            (Some((provider, rest)), Some(peer)) => {
                let (provider, rest) = (provider.to_owned(), rest.to_owned());
                let client_ip = request.extensions().get::<ClientIp>().copied();
                let state = Arc::clone(&self.state);
                Box::pin(async move {
                    Ok(
                        forward::forward_request(state, peer, client_ip, provider, rest, request)
                            .await,
                    )
                })
            }
            _ => {
                let router = self.router.clone();
                Box::pin(tower::ServiceExt::oneshot(router, request))
            }
        }
    }
}

/// `(provider, rest)` of a path the router's `/{provider}/{*rest}` route would match with the
/// same values: one non-empty first segment, a non-empty rest, and no percent-escape (the
/// router decodes those; such paths go to it).
fn forwarded<'p>(path: &'p str, own: &HashSet<&'static str>) -> Option<(&'p str, &'p str)> {
    let (provider, rest) = path.strip_prefix('/')?.split_once('/')?;
    if provider.is_empty() || rest.is_empty() || path.contains('%') || own.contains(path) {
        return None;
    }
    Some((provider, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_forwarded_paths_skip_the_router() {
        let own: HashSet<&'static str> = ["/count/oauth/start"].into_iter().collect();
        assert_eq!(
            forwarded("/prolifi/customers/cus_1", &own),
            Some(("prolifi", "customers/cus_1"))
        );
        assert_eq!(
            forwarded("/count/api/v1/customers/x/y", &own),
            Some(("count", "api/v1/customers/x/y"))
        );
        for path in [
            "/count/oauth/start",
            "/healthz",
            "/tokens",
            "/prolifi/",
            "//customers",
            "/",
            "",
            "/prolifi/customers/cus%2F1",
            "/prol%69fi/customers/1",
        ] {
            assert_eq!(forwarded(path, &own), None, "{path}");
        }
    }
}
