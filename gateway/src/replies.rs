//! The gateway's own replies. Refusals on a provider's routes use that provider's error envelope
//! (plus a `gateway` member), so the widget shows them like the provider's own errors.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use providers::{ErrorKind, FieldError, GatewayRules, Json};

pub fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A refusal in the provider's envelope; `code` names the gateway's reason (`scope_customer`…).
pub fn refusal(
    rules: &dyn GatewayRules,
    status: StatusCode,
    kind: ErrorKind,
    code: &str,
    message: &str,
    field_errors: &[FieldError],
) -> Response {
    let mut body = rules.error_body(kind, message, field_errors);
    body.insert("gateway", Json::object([("code", Json::str(code))]));
    json(status, body.to_json_string())
}

/// A refusal outside any provider's routes.
pub fn plain(status: StatusCode, code: &str, message: &str) -> Response {
    let body = Json::object([(
        "error",
        Json::object([("type", Json::str(code)), ("message", Json::str(message))]),
    )]);
    json(status, body.to_json_string())
}

pub fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}
