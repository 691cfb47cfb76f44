//! Response builders shared by the emulations.

use axum::{
    body::Body,
    http::{header, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Value};

pub const JSON: &str = "application/json";
/// Express (Count) sends this exact header value.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
pub const JSON_API: &str = "application/vnd.api+json";

/// A JSON response with an explicit `Content-Type`.
pub fn json(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    raw(status, content_type, body.to_string())
}

/// A response with the given status, content type and exact body text.
pub fn raw(status: StatusCode, content_type: &str, body: String) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// Sets a header whose value is known to be valid ASCII; silently skips anything else.
pub fn set_header(response: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
}

/// For paths outside every provider prefix and control route.
pub async fn plain_not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        JSON,
        &json!({"error": "no such sandbox route; providers live under /prolifi, /partnero, /count, /commercelayer"}),
    )
}

pub fn payload_too_large() -> Response {
    json(
        StatusCode::PAYLOAD_TOO_LARGE,
        JSON,
        &json!({"error": "request body larger than the sandbox accepts (8 MiB)"}),
    )
}
