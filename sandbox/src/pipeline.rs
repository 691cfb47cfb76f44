//! The middleware around every request: CORS, the request log, fault injection, and
//! `Connection: close` (see `pipeline`).
//!
//! Provider routes (`/prolifi`, `/partnero`, `/count`, `/commercelayer`) are logged, including
//! preflights and requests the provider rejects, with the exact body received and the final
//! status. Control routes (`/_…`) get CORS headers but are never logged or faulted.

use std::time::Duration;

use axum::{
    body::{to_bytes, Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use http_body_util::channel::Channel;

use crate::{
    cors,
    faults::{canned_response, FaultAction},
    incoming::MAX_BODY_BYTES,
    provider::Provider,
    reply,
    request_log::{body_for_log, headers_for_log, LogEntry},
    state::AppState,
};

pub async fn pipeline(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let keep_alive = app.world().knobs.keep_alive;
    let mut response = log_and_fault(app, request, next).await;
    if keep_alive {
        return response;
    }
    // No keep-alive. Chromium silently resends a request once when a *reused* connection closes
    // without a response (it takes that for a stale socket), so a `drop` fault on a reused
    // connection would turn into an invisible retry, and `drop_after_commit` would commit twice.
    // With every connection closed after one response, each request arrives on a fresh socket
    // and a dropped one really fails in the browser. Loopback makes the extra handshakes free.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn log_and_fault(app: AppState, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let Some(provider) = Provider::from_path(request.uri().path()) else {
        return handle_normally(request, next, origin).await;
    };

    // Buffer the body so the log gets the exact bytes and the handler still gets them too.
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await;
    let mut entry = LogEntry {
        seq: 0,
        provider: provider.name(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: headers_for_log(&parts.headers),
        body: bytes.as_ref().ok().and_then(|b| body_for_log(b)),
        status: None,
        replayed: false,
        fault: None,
    };
    let Ok(bytes) = bytes else {
        let mut response = reply::payload_too_large();
        cors::decorate(&mut response, origin.as_ref());
        return finish(&app, entry, response);
    };
    let request = Request::from_parts(parts, Body::from(bytes));

    let fault = app
        .world()
        .faults
        .take(provider, request.method().as_str(), &entry.path);
    entry.fault = fault.as_ref().map(FaultAction::kind);
    match fault {
        None => {}
        Some(FaultAction::Delay { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(FaultAction::Drop {}) => {
            app.world().log.record(entry);
            return connection_dropped();
        }
        Some(FaultAction::DropAfterCommit {}) => {
            let committed = handle_normally(request, next, origin).await;
            entry.status = Some(committed.status().as_u16());
            app.world().log.record(entry);
            return connection_dropped();
        }
        Some(action) => {
            let knobs = app.world().knobs.clone();
            if let Some(mut response) = canned_response(&action, provider, &knobs) {
                cors::decorate(&mut response, origin.as_ref());
                return finish(&app, entry, response);
            }
        }
    }
    let response = handle_normally(request, next, origin).await;
    finish(&app, entry, response)
}

/// What happens without a fault: preflights are answered here, everything else by the router;
/// either way with CORS headers.
async fn handle_normally(request: Request, next: Next, origin: Option<HeaderValue>) -> Response {
    if request.method() == Method::OPTIONS {
        return cors::preflight(origin.as_ref());
    }
    let mut response = next.run(request).await;
    cors::decorate(&mut response, origin.as_ref());
    response
}

/// Logs the request with the status it got, then returns the response.
fn finish(app: &AppState, mut entry: LogEntry, response: Response) -> Response {
    entry.status = Some(response.status().as_u16());
    entry.replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    app.world().log.record(entry);
    response
}

/// A response whose body fails before its first byte. hyper then closes the connection without
/// writing anything (the head is still in its buffer when the body errors), so the client sees
/// an empty reply: a browser `fetch` rejects with a network error, curl reports "Empty reply".
fn connection_dropped() -> Response {
    let (sender, body) = Channel::<Bytes, std::io::Error>::new(1);
    sender.abort(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "sandbox fault: connection dropped",
    ));
    Response::new(Body::new(body))
}
