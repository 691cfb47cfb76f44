//! The gateway's own replies. Refusals on a provider's routes use that provider's error envelope
//! (plus a `gateway` member), so the widget shows them like the provider's own errors.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use providers::{gateway_rules_for, ErrorKind, FieldError, GatewayRules, Json, ProviderId};

pub fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A reply the gateway made instead of forwarding, with its reason for the log. (Boxed: it is
/// the error of most steps, and a `Result` is as large as its error.)
#[derive(Debug)]
pub struct Refusal {
    pub response: Box<Response>,
    /// `scope_customer`, `rate_ip`, `store_unavailable`…
    pub code: String,
}

impl Refusal {
    pub fn new(response: Response, code: &str) -> Refusal {
        Refusal {
            response: Box::new(response),
            code: code.to_string(),
        }
    }

    /// A refusal outside any provider's routes.
    pub fn plain(status: StatusCode, code: &str, message: &str) -> Refusal {
        Refusal::new(plain(status, code, message), code)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Refusal {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            self.response.headers_mut().insert(RETRY_AFTER, value);
        }
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.response
    }
}

/// A refusal in the provider's envelope; `code` names the gateway's reason (`scope_customer`…).
pub fn refusal(
    rules: &dyn GatewayRules,
    status: StatusCode,
    kind: ErrorKind,
    code: &str,
    message: &str,
) -> Refusal {
    refusal_with_errors(rules, status, kind, code, message, &[])
}

pub fn refusal_with_errors(
    rules: &dyn GatewayRules,
    status: StatusCode,
    kind: ErrorKind,
    code: &str,
    message: &str,
    field_errors: &[FieldError],
) -> Refusal {
    let mut body = rules.error_body(kind, message, field_errors);
    body.insert("gateway", Json::object([("code", Json::str(code))]));
    Refusal::new(json(status, body.to_json_string()), code)
}

/// The store (PostgreSQL) did not answer: nothing that depends on it can be decided.
pub fn store_unavailable(rules: Option<&dyn GatewayRules>) -> Refusal {
    const MESSAGE: &str = "The gateway cannot reach its store right now; try again shortly.";
    let refused = match rules {
        Some(rules) => refusal(
            rules,
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Server,
            "store_unavailable",
            MESSAGE,
        ),
        None => Refusal::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            MESSAGE,
        ),
    };
    refused.with_retry_after(5)
}

/// The provider whose routes `path` is under (`/prolifi/customers/…` → Prolifi's rules).
pub fn rules_for_path(path: &str) -> Option<&'static dyn GatewayRules> {
    let first = path.trim_start_matches('/').split('/').next()?;
    ProviderId::parse(first).and_then(gateway_rules_for)
}

/// A refusal in the envelope of the provider whose route `path` is, or a plain one elsewhere.
pub fn refusal_for_path(
    path: &str,
    status: StatusCode,
    kind: ErrorKind,
    code: &str,
    message: &str,
) -> Refusal {
    match rules_for_path(path) {
        Some(rules) => refusal(rules, status, kind, code, message),
        None => Refusal::plain(status, code, message),
    }
}

/// A refusal outside any provider's routes.
pub fn plain(status: StatusCode, code: &str, message: &str) -> Response {
    let body = Json::object([(
        "error",
        Json::object([("type", Json::str(code)), ("message", Json::str(message))]),
    )]);
    json(status, body.to_json_string())
}
