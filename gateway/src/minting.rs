//! Minting scoped tokens: `POST /tokens` for host backends (guarded by the admin key), the
//! `mint` subcommand, and `POST /demo/token`, a development convenience that is off by default.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use providers::ProviderId;
use serde::Deserialize;
use serde_json::json;

use crate::claims::{Audience, Claims};
use crate::replies::{json, plain};
use crate::tokens::{bearer, now_secs, TokenKeys};
use crate::{log, AppState};

/// What a host asks a token for.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub sub: String,
    pub provider: String,
    pub ops: Vec<String>,
    #[serde(default)]
    pub customer: Option<String>,
    /// `null` is refused, not read as "every field" (`claims.rs`).
    #[serde(default, deserialize_with = "crate::claims::a_list")]
    pub fields: Option<Vec<String>>,
    #[serde(default)]
    pub ttl_secs: Option<u64>,
}

static MINTED: AtomicU64 = AtomicU64::new(0);

/// Claims for a request, checked: a known provider, known ops, a lifetime within the maximum.
pub fn claims_for(keys: &TokenKeys, request: &TokenRequest, now: u64) -> Result<Claims, String> {
    let Some(provider) = ProviderId::parse(&request.provider) else {
        return Err(format!("unknown provider {:?}", request.provider));
    };
    if request.ops.is_empty()
        || request
            .ops
            .iter()
            .any(|op| !matches!(op.as_str(), "read" | "create" | "update"))
    {
        return Err("ops must be a non-empty list of read, create, update".into());
    }
    if request.sub.trim().is_empty() {
        return Err("sub (the dashboard user) is required".into());
    }
    let ttl = request
        .ttl_secs
        .unwrap_or(300)
        .clamp(1, keys.max_lifetime_secs());
    Ok(Claims {
        aud: Audience::One(keys.audience().to_string()),
        exp: now + ttl,
        iat: now,
        nbf: None,
        sub: request.sub.clone(),
        provider: provider.as_str().to_string(),
        ops: request.ops.clone(),
        customer: request.customer.clone().filter(|c| !c.is_empty()),
        fields: request.fields.clone(),
        jti: Some(format!(
            "{now:x}-{:x}",
            MINTED.fetch_add(1, Ordering::Relaxed)
        )),
    })
}

fn mint_reply(state: &AppState, body: &Bytes, route: &str) -> Response {
    let request: TokenRequest = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return plain(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("Invalid token request: {e}"),
            )
        }
    };
    let claims = match claims_for(&state.keys, &request, now_secs()) {
        Ok(claims) => claims,
        Err(message) => return plain(StatusCode::BAD_REQUEST, "invalid_request", &message),
    };
    match state.keys.mint(&claims) {
        Ok(token) => {
            log::event(
                route,
                &[
                    ("sub", json!(claims.sub)),
                    ("provider", json!(claims.provider)),
                    ("ops", json!(claims.ops)),
                ],
            );
            json(
                StatusCode::OK,
                json!({ "token": token, "expires_at": claims.exp }).to_string(),
            )
        }
        Err(message) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "minting_unavailable",
            &message,
        ),
    }
}

pub async fn admin_tokens(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(admin_key) = &state.admin_key else {
        return plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "Token minting over HTTP is not enabled.",
        );
    };
    if !bearer(&headers).is_some_and(|given| admin_key.matches(given)) {
        return plain(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The admin key is missing or wrong.",
        );
    }
    mint_reply(&state, &body, "mint_admin")
}

pub async fn demo_token(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    if !state.config.demo.token_endpoint {
        return plain(
            StatusCode::NOT_FOUND,
            "not_found",
            "The demo token endpoint is off.",
        );
    }
    let mut response = mint_reply(&state, &body, "mint_demo");
    response.headers_mut().insert(
        "x-customer-form-demo",
        HeaderValue::from_static("development only: anyone can mint tokens here"),
    );
    response
}
