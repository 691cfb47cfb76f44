//! tower-http's CORS layer (`edge::cors`), with a short way for the requests that are not CORS
//! requests at all: no `Origin` header and not a preflight (every request of a server-side
//! caller, a health check, the bench). To those tower-http's layer adds the same headers every
//! time (`Vary` and `Access-Control-Expose-Headers`), but builds them anew for each request: a
//! header map, the `Vary` value joined from its parts, then both moved into the reply; about
//! 2k instructions per forwarded read under callgrind (README, "Gateway speed"). Here they are
//! learned once, from tower-http's own layer answering such a request, and added the way it adds
//! them (`Vary` appended, the others replacing any of the same name). Any request with an
//! `Origin`, and every `OPTIONS`, goes through tower-http's layer as before.
//!
//! That holds while `edge::cors` configures only fixed values (the list of origins, methods,
//! allowed and exposed headers, max age): with no `Origin` none of them reads the request. The
//! tests compare both ways over requests that differ in everything else.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use axum::http::header::{HeaderName, HeaderValue, ORIGIN, VARY};
use axum::http::{Method, Request, Response};
use tower::{Layer, Service};

/// What tower-http's layer adds to a reply to a request without `Origin`: each header, and
/// whether it is appended (`Vary`, or a further value of the same name) or replaces.
type Plain = Arc<[(HeaderName, HeaderValue, bool)]>;

#[derive(Clone)]
pub struct CorsLayer {
    cors: tower_http::cors::CorsLayer,
    /// `None` when it could not be learned: every request then goes through tower-http's layer.
    plain: Option<Plain>,
}

impl CorsLayer {
    pub fn new(cors: tower_http::cors::CorsLayer) -> CorsLayer {
        let plain = learn(&cors);
        CorsLayer { cors, plain }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner: self.cors.layer(inner),
            plain: self.plain.clone(),
        }
    }
}

/// The headers tower-http's layer adds to the reply to a plain GET without `Origin`.
fn learn(cors: &tower_http::cors::CorsLayer) -> Option<Plain> {
    let mut service = cors.layer(tower::service_fn(|_: Request<Body>| {
        std::future::ready(Ok::<_, Infallible>(Response::new(Body::empty())))
    }));
    let future = std::pin::pin!(service.call(Request::new(Body::empty())));
    let Poll::Ready(Ok(response)) = future.poll(&mut Context::from_waker(Waker::noop())) else {
        return None;
    };
    let mut plain: Vec<(HeaderName, HeaderValue, bool)> = Vec::new();
    for (name, value) in response.headers() {
        let append = name == VARY || plain.last().is_some_and(|(last, _, _)| last == name);
        plain.push((name.clone(), value.clone(), append));
    }
    Some(plain.into())
}

#[derive(Clone)]
pub struct Cors<S> {
    inner: tower_http::cors::Cors<S>,
    plain: Option<Plain>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = futures_util::future::Either<
        PlainFuture<S::Future>,
        tower_http::cors::ResponseFuture<S::Future>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match &self.plain {
            Some(plain)
                if request.method() != Method::OPTIONS
                    && !request.headers().contains_key(ORIGIN) =>
            {
                futures_util::future::Either::Left(PlainFuture {
                    inner: self.inner.get_mut().call(request),
                    plain: Arc::clone(plain),
                })
            }
            _ => futures_util::future::Either::Right(self.inner.call(request)),
        }
    }
}

pin_project_lite::pin_project! {
    /// The reply to a request without `Origin`, given the learned headers.
    pub struct PlainFuture<F> {
        #[pin]
        inner: F,
        plain: Plain,
    }
}

impl<F, B, E> Future for PlainFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        let headers = response.headers_mut();
        for (name, value, append) in this.plain.iter() {
            if *append {
                headers.append(name.clone(), value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
            }
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    /// A reply with headers of its own (a `Vary` and an exposed header already set), as the
    /// routes may give.
    fn inner() -> impl Service<
        Request<Body>,
        Response = Response<Body>,
        Error = Infallible,
        Future = impl Future<Output = Result<Response<Body>, Infallible>>,
    > + Clone {
        tower::service_fn(|_: Request<Body>| {
            let mut response = Response::new(Body::empty());
            let headers = response.headers_mut();
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
            headers.insert(
                "access-control-expose-headers",
                HeaderValue::from_static("x-own"),
            );
            headers.insert("content-type", HeaderValue::from_static("application/json"));
            std::future::ready(Ok::<_, Infallible>(response))
        })
    }

    fn headers_of<S>(service: &mut S, request: Request<Body>) -> HeaderMap
    where
        S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
    {
        let future = std::pin::pin!(service.call(request));
        match future.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(response)) => response.headers().clone(),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => panic!("the test's service is always ready"),
        }
    }

    #[test]
    fn a_request_without_origin_gets_what_tower_http_gives_it() {
        for origins in [
            vec![],
            vec!["https://dash.example".to_string()],
            vec!["https://a.example".into(), "https://b.example".into()],
        ] {
            let layer = CorsLayer::new(crate::edge::cors(&origins));
            assert!(layer.plain.is_some());
            let mut ours = layer.layer(inner());
            let mut theirs = crate::edge::cors(&origins).layer(inner());
            let requests = || {
                let mut requests = Vec::new();
                for method in ["GET", "POST", "PATCH", "PUT", "HEAD", "DELETE", "OPTIONS"] {
                    for (name, value) in [
                        ("x-none", ""),
                        ("origin", "https://dash.example"),
                        ("origin", "https://evil.example"),
                        ("origin", "null"),
                        ("access-control-request-method", "PATCH"),
                        ("access-control-request-headers", "authorization"),
                        ("access-control-request-private-network", "true"),
                        ("authorization", "Bearer x"),
                    ] {
                        let request = Request::builder()
                            .method(method)
                            .uri("/prolifi/customers/x")
                            .header(name, value)
                            .body(Body::empty())
                            .unwrap();
                        requests.push(request);
                    }
                }
                requests
            };
            for (mine, reference) in requests().into_iter().zip(requests()) {
                let what = format!("{} {:?}", mine.method(), mine.headers());
                assert_eq!(
                    headers_of(&mut ours, mine),
                    headers_of(&mut theirs, reference),
                    "{what}"
                );
            }
        }
    }
}
