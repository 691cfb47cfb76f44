//! Errors in Commerce Layer's JSON:API shape, and its rate-limit headers.

use axum::{
    http::{Method, StatusCode},
    response::Response,
};
use serde_json::{json, Value};

use crate::{
    rate_limit::{Verdict, WINDOW},
    reply::{self, set_header, JSON_API},
};

/// A JSON:API error document: `{"errors": [{title, detail, code, status, source?, meta?}]}`.
pub struct ClError {
    status: StatusCode,
    items: Vec<Value>,
}

impl ClError {
    pub(super) fn new(status: StatusCode, title: &str, detail: &str, code: &str) -> ClError {
        ClError {
            status,
            items: vec![
                json!({"title": title, "detail": detail, "code": code, "status": status.as_str()}),
            ],
        }
    }

    pub(super) fn with_pointer(mut self, pointer: &str) -> ClError {
        if let Some(Value::Object(item)) = self.items.first_mut() {
            item.insert("source".into(), json!({"pointer": pointer}));
        }
        self
    }

    pub(super) fn invalid_token() -> ClError {
        ClError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token",
            "The access token you provided is invalid.",
            "INVALID_TOKEN",
        )
    }

    pub(super) fn unauthorized() -> ClError {
        ClError::new(
            StatusCode::UNAUTHORIZED,
            "Access denied",
            "You are not authorized to perform this action on the requested resource.",
            "UNAUTHORIZED",
        )
    }

    pub(super) fn not_found(id: &str) -> ClError {
        ClError::new(
            StatusCode::NOT_FOUND,
            "Record not found",
            &format!("The record identified by {id} could not be found."),
            "RECORD_NOT_FOUND",
        )
    }

    pub(super) fn bad_request(title: &str, detail: &str, code: &str) -> ClError {
        ClError::new(StatusCode::BAD_REQUEST, title, detail, code)
    }

    pub(super) fn param_not_allowed(name: &str, pointer: &str, detail: &str) -> ClError {
        ClError::bad_request("Param not allowed", detail, "PARAM_NOT_ALLOWED")
            .with_pointer(&format!("{pointer}/{name}"))
    }

    pub(super) fn render(self) -> Response {
        self.render_as(JSON_API)
    }

    pub(super) fn render_as(self, content_type: &'static str) -> Response {
        reply::json(self.status, content_type, &json!({"errors": self.items}))
    }
}

/// 422 validation errors, collected: title `can't be blank`, detail `email - can't be blank`.
#[derive(Default)]
pub(super) struct Invalid(pub(super) Vec<Value>);

impl Invalid {
    pub(super) fn add(&mut self, pointer: &str, title: &str, error: &str, value: &Value) {
        let name = pointer.rsplit('/').next().unwrap_or(pointer);
        self.0.push(json!({
            "title": title,
            "detail": format!("{name} - {title}"),
            "code": "VALIDATION_ERROR",
            "source": {"pointer": pointer},
            "status": "422",
            "meta": {"error": error, "value": value},
        }));
    }

    pub(super) fn into_result(self) -> Result<(), ClError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ClError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                items: self.0,
            })
        }
    }
}

/// 429 without `Retry-After` (Commerce Layer sends none; the `rate_limit` fault may add one).
pub fn rate_limited(retry_after_secs: Option<u64>) -> Response {
    let mut response = ClError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests",
        "You have exceeded the allowed number of requests. Please slow down.",
        "TOO_MANY_REQUESTS",
    )
    .render();
    if let Some(secs) = retry_after_secs {
        set_header(&mut response, "retry-after", secs);
    }
    response
}

/// The headers the official SDK reads; documented: there is no reset header.
pub(super) fn set_rate_headers(response: &mut Response, verdict: &Verdict) {
    set_header(response, "x-ratelimit-limit", verdict.limit);
    set_header(response, "x-ratelimit-interval", WINDOW.as_secs());
    set_header(response, "x-ratelimit-remaining", verdict.remaining);
}

pub(super) async fn unknown_route() -> Response {
    ClError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        "The requested resource was not found.",
        "NOT_FOUND",
    )
    .render()
}

pub(super) async fn method_not_allowed(method: Method) -> Response {
    ClError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        &format!("The {method} method is not allowed on this resource."),
        "METHOD_NOT_ALLOWED",
    )
    .render()
}
