//! `GET /{provider}/{list}`: the lists a form offers as choices (Commerce Layer's customer groups
//! and tags). Reference data, not customer data: any token of that provider that may create or
//! update customers reads them. The query is read against an allow-list and rebuilt; the reply
//! keeps only each item's id and name, so nothing else the provider holds on a group or tag (nor
//! the upstream host in its links) reaches the page.

use axum::body::{Body, Bytes};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use providers::reference::{slim, ReferenceList, ReferenceQuery};
use providers::{ErrorKind, GatewayRules, Json};

use crate::adapters::{Adapter, Outgoing};
use crate::forward::{pass_back, unreadable, upstream_failure};
use crate::replies::{refusal, Refusal};
use crate::verified::Verified;
use crate::AppState;

/// Serves `list` with the caller's `query` (the raw query string, if any).
pub async fn serve(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    verified: &Verified,
    method: &Method,
    list: ReferenceList,
    query: Option<&str>,
) -> Result<(Response, u16), Refusal> {
    if method != Method::GET {
        return Err(refusal(
            rules,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::BadRequest,
            "reference_read_only",
            "The gateway only reads this list.",
        ));
    }
    let claims = &verified.claims;
    if !(claims.allows_op("create") || claims.allows_op("update")) {
        return Err(refusal(
            rules,
            StatusCode::FORBIDDEN,
            ErrorKind::Permission,
            "scope_operation",
            "This token may not read this list: it may neither create nor update customers.",
        ));
    }
    let query = ReferenceQuery::parse(query.unwrap_or_default()).map_err(|reason| {
        refusal(
            rules,
            StatusCode::BAD_REQUEST,
            ErrorKind::BadRequest,
            "reference_query",
            &format!("The gateway refused this query: {reason}."),
        )
    })?;
    let media_type = rules.media_type().to_string();
    let outgoing = Outgoing {
        method: Method::GET,
        path: format!("/{}", list.path()),
        query: Some(query.to_query()),
        headers: vec![("accept".to_string(), media_type)],
        body: Bytes::new(),
    };
    let reply = adapter
        .send(&state.client, outgoing)
        .await
        .map_err(|error| upstream_failure(rules, error))?;
    let status = reply.status;
    if !(200..300).contains(&status) {
        return Err(refused_upstream(rules, status, reply.headers));
    }
    // A successful reply the gateway cannot slim is not passed on at all.
    let slimmed = std::str::from_utf8(&reply.body)
        .ok()
        .and_then(|text| Json::parse(text).ok())
        .and_then(|body| slim(list, &body))
        .ok_or_else(|| unreadable(rules))?;
    let mut response = Response::new(Body::from(slimmed.to_json_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    pass_back(reply.headers, response.headers_mut());
    Ok((response, status))
}

/// The provider refused the gateway's own request for a list (its credential, its query): the
/// page gets the gateway's error in the provider's envelope, not the provider's words, and a
/// 502 rather than a status it would take as about its own token. A rate limit stays one,
/// with its `Retry-After`, so the page waits.
fn refused_upstream(rules: &dyn GatewayRules, status: u16, headers: HeaderMap) -> Refusal {
    let limited = status == 429;
    let (status, kind) = match limited {
        true => (StatusCode::TOO_MANY_REQUESTS, ErrorKind::RateLimited),
        false => (StatusCode::BAD_GATEWAY, ErrorKind::Server),
    };
    let mut refused = refusal(
        rules,
        status,
        kind,
        "reference_upstream",
        "The provider did not give the gateway this list.",
    );
    if let Some(wait) = headers.get(RETRY_AFTER).filter(|_| limited) {
        refused
            .response
            .headers_mut()
            .insert(RETRY_AFTER, wait.clone());
    }
    refused
}
