//! CORS as a real API would send it (findings from a real Chromium in toolchain.md §6): the
//! request's `Origin` echoed with `Vary: Origin`, explicit method and header lists (`*` does not
//! cover `Authorization` per the Fetch standard), no credentials mode.

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str =
    "authorization, content-type, accept, idempotency-key, x-client-id, x-timestamp, x-signature";
const EXPOSE_HEADERS: &str = "x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-interval, retry-after, idempotent-replayed";
const MAX_AGE: &str = "600";

/// The 204 answer to a preflight. Every `OPTIONS` is treated as one: no emulated API routes
/// `OPTIONS` itself.
pub fn preflight(origin: Option<&HeaderValue>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    add_allow_origin(headers, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE),
    );
    response
}

/// Adds the headers an actual (non-preflight) response needs to be readable cross-origin.
pub fn decorate(response: &mut Response, origin: Option<&HeaderValue>) {
    let headers = response.headers_mut();
    add_allow_origin(headers, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

fn add_allow_origin(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    // Without an Origin there is no browser to satisfy; Vary is still sent so caches stay right.
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}
