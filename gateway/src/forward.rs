//! `/{provider}/{path}`: verify the token, check its scope, validate the body with the same
//! contract the widget uses, attach the provider credential, forward, and return the provider's
//! reply unchanged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::Response;
use providers::contract::{check_body, english_field_errors, interpret_reply};
use providers::{
    gateway_rules_for, ErrorKind, GatewayRules, HttpReply, Json, Operation, ProviderId, Route,
};
use serde_json::json;

use crate::adapters::{Adapter, Outgoing, UpstreamError};
use crate::claims::Claims;
use crate::replies::{plain, refusal, with_retry_after};
use crate::scope::{check_fields, check_operation, ScopeError};
use crate::tokens::{now_secs, TokenError};
use crate::{log, AppState};

/// Request headers the widget may send on to the provider.
const PASSED_ON: [&str; 3] = ["content-type", "accept", "idempotency-key"];
/// Reply headers the provider's reply keeps on its way back.
const PASSED_BACK: [&str; 6] = [
    "content-type",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-interval",
    "idempotent-replayed",
];

struct Outcome {
    response: Response,
    sub: Option<String>,
    op: Option<&'static str>,
    upstream_status: Option<u16>,
    refused: Option<String>,
}

impl Outcome {
    fn refused(response: Response, code: &str) -> Outcome {
        Outcome {
            response,
            sub: None,
            op: None,
            upstream_status: None,
            refused: Some(code.to_string()),
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn forward(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((provider, rest)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let outcome = handle(
        &state, peer, &provider, &rest, &method, &uri, &headers, body,
    )
    .await;
    log::event(
        "forward",
        &[
            ("method", json!(method.as_str())),
            ("provider", json!(provider)),
            ("path", json!(format!("/{rest}"))),
            ("op", json!(outcome.op)),
            ("status", json!(outcome.response.status().as_u16())),
            ("upstream_status", json!(outcome.upstream_status)),
            ("refused", json!(outcome.refused)),
            ("sub", json!(outcome.sub)),
            ("ip", json!(peer.ip().to_string())),
            ("ms", json!(started.elapsed().as_millis() as u64)),
        ],
    );
    outcome.response
}

#[allow(clippy::too_many_arguments)]
async fn handle(
    state: &AppState,
    peer: SocketAddr,
    provider_name: &str,
    rest: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Outcome {
    let now = now_secs();
    let (Some(provider), Some(rules)) = (
        ProviderId::parse(provider_name),
        ProviderId::parse(provider_name).and_then(gateway_rules_for),
    ) else {
        return Outcome::refused(
            plain(StatusCode::NOT_FOUND, "not_found", "No such provider."),
            "provider",
        );
    };
    let Some(adapter) = state.adapters.get(&provider) else {
        let message = format!(
            "This gateway is not configured for {}.",
            provider.display_name()
        );
        return Outcome::refused(
            refusal(
                rules,
                StatusCode::NOT_FOUND,
                ErrorKind::NotFound,
                "provider_not_configured",
                &message,
                &[],
            ),
            "provider_not_configured",
        );
    };

    if let Err(wait) = state.ip_limiter.check(&peer.ip().to_string(), now) {
        let response = refusal(
            rules,
            StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::RateLimited,
            "rate_ip",
            "Too many requests from this address.",
            &[],
        );
        return Outcome::refused(with_retry_after(response, wait), "rate_ip");
    }

    let token = bearer(headers);
    let claims = match state
        .keys
        .verify(token.unwrap_or(""), provider.as_str(), now)
    {
        Ok(claims) => claims,
        Err(error) => {
            let error = if token.is_none() {
                TokenError::Missing
            } else {
                error
            };
            let response = refusal(
                rules,
                StatusCode::UNAUTHORIZED,
                ErrorKind::Authentication,
                error.code(),
                error.message(),
                &[],
            );
            return Outcome::refused(response, error.code());
        }
    };
    let token_id = token_id(&claims, token.unwrap_or(""));
    let mut outcome = Outcome {
        response: plain(StatusCode::INTERNAL_SERVER_ERROR, "internal", ""),
        sub: Some(claims.sub.clone()),
        op: None,
        upstream_status: None,
        refused: None,
    };
    let refuse = |mut outcome: Outcome, response: Response, code: &str| {
        outcome.response = response;
        outcome.refused = Some(code.to_string());
        outcome
    };

    if let Err(wait) = state
        .token_limiter
        .check(&format!("{}|{}", claims.sub, token_id), now)
    {
        let response = refusal(
            rules,
            StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::RateLimited,
            "rate_token",
            "Too many requests for this user.",
            &[],
        );
        return refuse(outcome, with_retry_after(response, wait), "rate_token");
    }

    let route_method = match *method {
        Method::GET => Some(providers::Method::Get),
        Method::POST => Some(providers::Method::Post),
        Method::PUT => Some(providers::Method::Put),
        Method::PATCH => Some(providers::Method::Patch),
        _ => None,
    };
    // Count's duplicate check carries the email in the query string.
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    };
    let Some(route) = route_method.and_then(|m| rules.route(m, &path_and_query)) else {
        let response = refusal(
            rules,
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound,
            "route",
            "The gateway only forwards the customer API.",
            &[],
        );
        return refuse(outcome, response, "route");
    };
    outcome.op = Some(route.op());
    if let Err(scope) = check_operation(&claims, &route) {
        return refuse(outcome, scope_refusal(rules, &scope), scope.code());
    }

    if let Some(op) = match route {
        Route::Create => Some(Operation::Create),
        Route::Update { .. } => Some(Operation::Update),
        Route::Read { .. } | Route::FindByEmail { .. } => None,
    } {
        let parsed = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| Json::parse(text).ok());
        let Some(parsed) = parsed else {
            let response = refusal(
                rules,
                StatusCode::BAD_REQUEST,
                ErrorKind::BadRequest,
                "body_json",
                "The body is not valid JSON.",
                &[],
            );
            return refuse(outcome, response, "body_json");
        };
        let written = match rules.read_body(op, &parsed) {
            Ok(written) => written,
            Err(reason) => {
                let message = format!("The body is not one the form sends: {reason}.");
                let response = refusal(
                    rules,
                    StatusCode::BAD_REQUEST,
                    ErrorKind::BadRequest,
                    "body_shape",
                    &message,
                    &[],
                );
                return refuse(outcome, response, "body_shape");
            }
        };
        if let Err(scope) = check_fields(&claims, &written) {
            return refuse(outcome, scope_refusal(rules, &scope), scope.code());
        }
        if let Ok(invalid) = check_body(rules, op, &parsed) {
            if !invalid.is_empty() {
                let errors = english_field_errors(&invalid);
                let response = refusal(
                    rules,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorKind::Validation,
                    "validation",
                    "The request data is invalid.",
                    &errors,
                );
                return refuse(outcome, response, "validation");
            }
        }
    }

    if let Some(customer) = route.customer() {
        match customer_allowed(state, rules, adapter.as_ref(), &claims, &token_id, customer).await {
            Ok(true) => {}
            Ok(false) => {
                return refuse(
                    outcome,
                    scope_refusal(rules, &ScopeError::Customer),
                    "scope_customer",
                )
            }
            Err(error) => return refuse(outcome, upstream_failure(rules, error), "upstream"),
        }
    }

    let outgoing = Outgoing {
        method: method.clone(),
        path: format!("/{rest}"),
        query: uri.query().map(str::to_string),
        headers: PASSED_ON
            .iter()
            .filter_map(|name| {
                let value = headers.get(*name)?.to_str().ok()?;
                Some((name.to_string(), value.to_string()))
            })
            .collect(),
        body,
    };
    let reply = match adapter.send(&state.client, outgoing).await {
        Ok(reply) => reply,
        Err(error) => return refuse(outcome, upstream_failure(rules, error), "upstream"),
    };
    outcome.upstream_status = Some(reply.status);

    if matches!(route, Route::Create | Route::Update { .. }) && (200..300).contains(&reply.status) {
        remember_touched(state, rules, &token_id, &reply.body);
    }

    let body = match redacted(rules, &route, reply.status, &reply.body) {
        Some(smaller) => Bytes::from(smaller),
        None => reply.body,
    };
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for name in PASSED_BACK {
        if let Some(value) = reply.headers.get(name) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value.clone());
        }
    }
    outcome.response = response;
    outcome
}

/// The part of a successful reply this route may show (see `GatewayRules::redact`).
fn redacted(rules: &dyn GatewayRules, route: &Route, status: u16, body: &Bytes) -> Option<String> {
    if !(200..300).contains(&status) {
        return None;
    }
    let parsed = Json::parse(std::str::from_utf8(body).ok()?).ok()?;
    rules
        .redact(route, &parsed)
        .map(|json| json.to_json_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Identifies one token for the per-token caches: its `jti`, else a hash of it (never the token).
fn token_id(claims: &Claims, token: &str) -> String {
    use sha2::{Digest, Sha256};
    match &claims.jti {
        Some(jti) => format!("jti:{jti}"),
        None => {
            let digest = Sha256::digest(token.as_bytes());
            digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
        }
    }
}

fn scope_refusal(rules: &dyn GatewayRules, scope: &ScopeError) -> Response {
    refusal(
        rules,
        StatusCode::FORBIDDEN,
        ErrorKind::Permission,
        scope.code(),
        &scope.message(),
        &[],
    )
}

fn upstream_failure(rules: &dyn GatewayRules, error: UpstreamError) -> Response {
    let (status, kind, message) = match error {
        UpstreamError::Timeout => (
            StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::Timeout,
            "The provider did not answer in time.",
        ),
        UpstreamError::Unreachable => (
            StatusCode::BAD_GATEWAY,
            ErrorKind::Server,
            "The provider could not be reached.",
        ),
    };
    refusal(rules, status, kind, "upstream", message, &[])
}

/// A read or update may touch the token's `customer` (under any of the record's ids), or a
/// record this same token created.
async fn customer_allowed(
    state: &AppState,
    rules: &dyn GatewayRules,
    adapter: &dyn Adapter,
    claims: &Claims,
    token_id: &str,
    customer: &str,
) -> Result<bool, UpstreamError> {
    if claims.customer.as_deref() == Some(customer) {
        return Ok(true);
    }
    if state.touched(token_id, customer) {
        return Ok(true);
    }
    let Some(allowed) = &claims.customer else {
        return Ok(false);
    };
    let cache_key = format!("{token_id}|{customer}");
    if let Some(known) = state.resolved(&cache_key) {
        return Ok(known);
    }
    // The path names the record by another id: ask the provider which record that is.
    let read = rules.read_request("", customer);
    let (path, query) = match read.url.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (read.url.clone(), None),
    };
    let outgoing = Outgoing {
        method: Method::GET,
        path,
        query,
        headers: read
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect(),
        body: Bytes::new(),
    };
    let reply = adapter.send(&state.client, outgoing).await?;
    let reply = HttpReply {
        status: reply.status,
        headers: Vec::new(),
        body: String::from_utf8_lossy(&reply.body).into_owned(),
    };
    let same = interpret_reply(rules, &reply)
        .map(|record| rules.aliases(&record).iter().any(|id| id == allowed))
        .unwrap_or(false);
    state.remember_resolved(cache_key, same);
    Ok(same)
}

/// The ids of a record this token created or changed: it may keep editing it under any of them
/// (a Partnero update may rename the key the token was scoped to).
fn remember_touched(state: &AppState, rules: &dyn GatewayRules, token_id: &str, body: &Bytes) {
    let reply = HttpReply {
        status: 201,
        headers: Vec::new(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    if let Ok(record) = interpret_reply(rules, &reply) {
        state.remember_touched(token_id, rules.aliases(&record));
    }
}
