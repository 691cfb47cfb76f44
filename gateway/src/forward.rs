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
use providers::contract::{check_body, english_field_errors, interpret_reply, WrittenField};
use providers::validate::normalize;
use providers::{
    gateway_rules_for, ApiError, ErrorKind, GatewayRules, HttpReply, Json, Operation, ProviderId,
    Record, Route,
};
use serde_json::json;

use crate::adapters::{Adapter, Outgoing, UpstreamError};
use crate::claims::Claims;
use crate::replies::{plain, refusal, with_retry_after};
use crate::scope::{check_fields, check_operation, ScopeError};
use crate::tokens::{now_secs, TokenError};
use crate::{log, AppState};

/// Prolifi's limit for `Idempotency-Key`; anything longer or unprintable is not passed on.
const MAX_IDEMPOTENCY_KEY: usize = 255;
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
    let token_id = token_id(token.unwrap_or(""));
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
            // A provider may need unchanged fields in every update (Count's `customer` and
            // `email`, whole addresses): a field sent with its current value is not a change.
            let changed = match &route {
                Route::Update { customer }
                    if customer_allowed(
                        state,
                        rules,
                        adapter.as_ref(),
                        &claims,
                        &token_id,
                        customer,
                    )
                    .await
                    .unwrap_or(false) =>
                {
                    without_unchanged(state, rules, adapter.as_ref(), customer, &written).await
                }
                _ => None,
            };
            let still_refused = match changed {
                Some(remaining) => check_fields(&claims, &remaining).err(),
                None => Some(scope),
            };
            if let Some(scope) = still_refused {
                return refuse(outcome, scope_refusal(rules, &scope), scope.code());
            }
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

    // The request line is rebuilt from the parsed route, the media type comes from the contract:
    // nothing of the caller's path, query or content type reaches the provider as written.
    let (path, query) = rules.upstream(&route);
    let mut passed_on = vec![("accept".to_string(), rules.media_type().to_string())];
    if !body.is_empty() {
        passed_on.push(("content-type".to_string(), rules.media_type().to_string()));
    }
    if let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| {
            !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY
                && k.bytes().all(|b| b.is_ascii_graphic())
        })
    {
        passed_on.push(("idempotency-key".to_string(), key.to_string()));
    }
    let outgoing = Outgoing {
        method: method.clone(),
        path,
        query,
        headers: passed_on,
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

/// Identifies one token for the per-token caches: a hash of the whole token (never the token,
/// and not its `jti`, which a host might reuse across tokens).
fn token_id(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
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
    let same = read_customer(state, rules, adapter, customer)
        .await?
        .map(|record| rules.aliases(&record).iter().any(|id| id == allowed))
        .unwrap_or(false);
    state.remember_resolved(cache_key, same);
    Ok(same)
}

/// The provider's current record `customer`, read with the gateway's own credential: the outer
/// error is the provider being unreachable, the inner one its reply.
async fn read_customer(
    state: &AppState,
    rules: &dyn GatewayRules,
    adapter: &dyn Adapter,
    customer: &str,
) -> Result<Result<Record, ApiError>, UpstreamError> {
    let (path, query) = rules.upstream(&Route::Read {
        customer: customer.to_string(),
    });
    let outgoing = Outgoing {
        method: Method::GET,
        path,
        query,
        headers: vec![("accept".into(), rules.media_type().into())],
        body: Bytes::new(),
    };
    let reply = adapter.send(&state.client, outgoing).await?;
    let reply = HttpReply {
        status: reply.status,
        headers: Vec::new(),
        body: String::from_utf8_lossy(&reply.body).into_owned(),
    };
    Ok(interpret_reply(rules, &reply))
}

/// `written` without the fields whose value equals the record's current one; `None` when the
/// record cannot be read.
async fn without_unchanged(
    state: &AppState,
    rules: &dyn GatewayRules,
    adapter: &dyn Adapter,
    customer: &str,
    written: &[WrittenField],
) -> Option<Vec<WrittenField>> {
    let current = read_customer(state, rules, adapter, customer)
        .await
        .ok()?
        .ok()?
        .values;
    let fields = rules.fields(Operation::Update);
    Some(
        written
            .iter()
            .filter(|(name, value)| {
                let kind = fields.iter().find(|f| f.name == *name).map(|f| f.kind);
                kind.is_none_or(|kind| {
                    normalize(kind, value.as_deref().unwrap_or_default())
                        != normalize(kind, current.get(name))
                })
            })
            .cloned()
            .collect(),
    )
}

/// The id of a record this token created or changed, as the provider names it (a Partnero update
/// may rename the key the token was scoped to). Only that id: aliases the caller chose (a
/// Prolifi `external_id`) could name someone else's record.
fn remember_touched(state: &AppState, rules: &dyn GatewayRules, token_id: &str, body: &Bytes) {
    let reply = HttpReply {
        status: 201,
        headers: Vec::new(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    if let Ok(record) = interpret_reply(rules, &reply) {
        state.remember_touched(token_id, vec![record.id]);
    }
}
