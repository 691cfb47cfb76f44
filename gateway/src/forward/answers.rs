//! What the widget gets back: the provider's reply (less, where the route may see less), or the
//! gateway's refusal when the call could not be made or its reply not read.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use providers::{ErrorKind, GatewayRules, Json, Route};

use crate::adapters::{UpstreamError, UpstreamReply};
use crate::replies::{refusal, store_unavailable, Refusal};
use crate::scope::ScopeError;

use super::pass_back;

/// The provider's reply as the widget gets it: status, body (less, where the route may see less)
/// and the headers it needs.
pub(super) fn respond(rules: &dyn GatewayRules, route: &Route, reply: UpstreamReply) -> Response {
    let body = match redacted(rules, route, reply.status, &reply.body) {
        Some(smaller) => Bytes::from(smaller),
        // A reply this route may see only part of, which could not be cut down: not passed on
        // whole.
        None if must_redact(rules, route, reply.status) => {
            return unreadable(rules).into_response()
        }
        None => reply.body,
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    pass_back(reply.headers, response.headers_mut());
    response
}

/// The part of a successful reply this route may show (see `GatewayRules::redact`); `None`: the
/// reply as it is.
pub(super) fn redacted(
    rules: &dyn GatewayRules,
    route: &Route,
    status: u16,
    body: &Bytes,
) -> Option<String> {
    if !must_redact(rules, route, status) {
        return None;
    }
    let parsed = Json::parse(std::str::from_utf8(body).ok()?).ok()?;
    rules
        .redact(route, &parsed)
        .map(|json| json.to_json_string())
}

/// Whether the route may see only part of this reply (a successful lookup by email, any
/// successful Commerce Layer reply): then a reply that cannot be cut down is not passed on.
fn must_redact(rules: &dyn GatewayRules, route: &Route, status: u16) -> bool {
    (200..300).contains(&status) && rules.redacts(route)
}

/// A successful reply without a record in it: nothing to check a token against.
pub(crate) fn unreadable(rules: &dyn GatewayRules) -> Refusal {
    refusal(
        rules,
        StatusCode::BAD_GATEWAY,
        ErrorKind::Server,
        "upstream_unreadable",
        "The provider's reply could not be read.",
    )
}

pub(super) fn scope_refusal(rules: &dyn GatewayRules, scope: &ScopeError) -> Refusal {
    refusal(
        rules,
        StatusCode::FORBIDDEN,
        ErrorKind::Permission,
        scope.code(),
        &scope.message(),
    )
}

pub(crate) fn upstream_failure(rules: &'static dyn GatewayRules, error: UpstreamError) -> Refusal {
    let (status, code, message) = match error {
        UpstreamError::Timeout => (
            StatusCode::GATEWAY_TIMEOUT,
            "upstream",
            "The provider did not answer in time.",
        ),
        UpstreamError::Unreachable => (
            StatusCode::BAD_GATEWAY,
            "upstream",
            "The provider could not be reached.",
        ),
        UpstreamError::TooLarge => (
            StatusCode::BAD_GATEWAY,
            "upstream_too_large",
            "The provider's reply was larger than the gateway accepts (1 MiB).",
        ),
        UpstreamError::StoreUnavailable => return store_unavailable(Some(rules)),
    };
    let kind = if status == StatusCode::GATEWAY_TIMEOUT {
        ErrorKind::Timeout
    } else {
        ErrorKind::Server
    };
    refusal(rules, status, kind, code, message)
}
