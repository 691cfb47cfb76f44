//! Commerce Layer's token endpoint (`https://auth.commercelayer.io/oauth/token`, here
//! `/commercelayer/oauth/token`) and the record of issued tokens.
//!
//! Grants (contracts.md §4.1): sales-channel `client_credentials` (guest), sales-channel
//! `password` (customer, with a refresh token), `refresh_token` (client id only), integration
//! `client_credentials` (client id + secret). Tokens are JWT-shaped so clients can read
//! `application.kind`; validity is decided by this record, not by the signature.

use std::collections::HashMap;

use axum::{extract::State, http::StatusCode, response::Response};
use serde_json::{json, Map, Value};

use super::{
    rate_limited, set_rate_headers, ClError, Customer, MARKET_CODE, MARKET_ID, ORGANIZATION_ID,
};
use crate::{
    clock::{now_ms, now_secs},
    ids::random_hex,
    incoming::{parse_query, Incoming, JsonBody},
    jwt,
    reply::{self, JSON},
    state::AppState,
};

pub const SALES_CHANNEL_CLIENT_ID: &str = "cl_sandbox_sales_channel";
pub const INTEGRATION_CLIENT_ID: &str = "cl_sandbox_integration";
pub const INTEGRATION_CLIENT_SECRET: &str = "cl_sandbox_integration_secret";

/// Documented lifetimes: sales channel 4 h, integration 2 h, refresh tokens 2 weeks (fixed).
const SALES_CHANNEL_TTL_SECS: u64 = 14_400;
const INTEGRATION_TTL_SECS: u64 = 7_200;
const REFRESH_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// Who a token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Sales channel `client_credentials`: may only create customers.
    Guest,
    /// Sales channel `password`: may read and update only this customer.
    Customer(String),
    /// Integration: may do everything.
    Integration,
}

impl Caller {
    pub fn is_sales_channel(&self) -> bool {
        !matches!(self, Caller::Integration)
    }
}

struct Issued {
    caller: Caller,
    expires_ms: i64,
}

struct RefreshGrant {
    customer_id: String,
    scope: String,
    expires_ms: i64,
}

#[derive(Default)]
pub struct Tokens {
    access: HashMap<String, Issued>,
    refresh: HashMap<String, RefreshGrant>,
}

impl Tokens {
    /// The caller behind `Authorization: Bearer`, or 401 `INVALID_TOKEN` (unknown or expired).
    pub fn authenticate(&self, request: &Incoming) -> Result<Caller, ClError> {
        let issued = request
            .bearer_token()
            .and_then(|token| self.access.get(token));
        match issued {
            Some(issued) if now_ms() < issued.expires_ms => Ok(issued.caller.clone()),
            _ => Err(ClError::invalid_token()),
        }
    }

    fn issue(&mut self, caller: Caller, scope: &str, ttl_secs: u64) -> (String, u64) {
        let now = now_secs();
        let (kind, public, client_id) = match caller {
            Caller::Integration => ("integration", false, INTEGRATION_CLIENT_ID),
            _ => ("sales_channel", true, SALES_CHANNEL_CLIENT_ID),
        };
        let mut claims = json!({
            "organization": {"id": ORGANIZATION_ID, "slug": "sandbox", "enterprise": false, "region": "eu-west-1"},
            "application": {"id": "sandboxApp", "client_id": client_id, "kind": kind, "public": public},
            "scope": scope,
            "exp": now.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX)),
            "test": true,
            "iat": now,
            "iss": "https://auth.commercelayer.io",
            "jti": random_hex(8),
        });
        if scope.starts_with("market:") && scope != "market:all" {
            claims["market"] = json!({"id": [MARKET_ID], "code": MARKET_CODE, "stock_location_ids": [], "geocoder_id": null, "allows_external_prices": false});
        }
        if let Caller::Customer(id) = &caller {
            claims["owner"] = json!({"id": id, "type": "Customer"});
        }
        let token = jwt::encode(&claims);
        self.access.insert(
            token.clone(),
            Issued {
                caller,
                expires_ms: now_ms().saturating_add(
                    i64::try_from(ttl_secs)
                        .unwrap_or(i64::MAX)
                        .saturating_mul(1000),
                ),
            },
        );
        (token, ttl_secs)
    }
}

/// A sales channel must name the market: `market:code:europe` or `market:id:<id>`. Anything
/// else (unknown markets, the retired `market:1234` form) is `invalid_scope`.
fn market_scope(scope: Option<&str>, required: bool) -> Result<String, ClError> {
    match scope.map(str::trim).filter(|s| !s.is_empty()) {
        None if required => Err(invalid_scope(
            "Sales channels require a market in scope (market:code:<code> or market:id:<id>).",
        )),
        None => Ok("market:all".into()),
        Some(scope)
            if scope == format!("market:code:{MARKET_CODE}")
                || scope == format!("market:id:{MARKET_ID}") =>
        {
            Ok(scope.to_owned())
        }
        Some("market:all") if !required => Ok("market:all".into()),
        Some(scope) => Err(invalid_scope(&format!(
            "The requested scope {scope:?} is invalid, unknown, or malformed."
        ))),
    }
}

fn invalid_scope(detail: &str) -> ClError {
    ClError::new(
        StatusCode::BAD_REQUEST,
        "Invalid scope",
        detail,
        "INVALID_SCOPE",
    )
}

fn invalid_client() -> ClError {
    ClError::new(
        StatusCode::UNAUTHORIZED,
        "Invalid client",
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        "INVALID_CLIENT",
    )
}

fn invalid_grant() -> ClError {
    ClError::new(
        StatusCode::BAD_REQUEST,
        "Invalid grant",
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        "INVALID_GRANT",
    )
}

/// The token body: JSON (documented), or a form body (what OAuth clients often send).
fn token_params(request: &Incoming) -> Result<Map<String, Value>, ClError> {
    let bad = |detail: &str| {
        ClError::new(
            StatusCode::BAD_REQUEST,
            "Bad request",
            detail,
            "BAD_REQUEST",
        )
    };
    if request.content_type_essence().as_deref() == Some("application/x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(&request.body);
        return Ok(parse_query(&text)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect());
    }
    match request.json_body() {
        JsonBody::Object(map) => Ok(map),
        JsonBody::Empty => Err(bad("The request body is missing.")),
        JsonBody::NotAnObject => Err(bad("The request body must be a JSON object.")),
        JsonBody::Invalid => Err(bad("The request body is not valid JSON.")),
    }
}

pub async fn token(State(app): State<AppState>, request: Incoming) -> Response {
    let mut guard = app.world();
    let world = &mut *guard;
    let knobs = world.knobs.commercelayer.clone();
    // Documented: /oauth/token allows 30 requests per minute.
    let verdict = world
        .limits
        .hit("commercelayer:oauth", knobs.token_rate_limit_per_minute);
    let mut response = if verdict.retry_after_secs.is_some() {
        rate_limited(None)
    } else {
        let outcome = token_params(&request).and_then(|params| {
            grant(
                &mut world.commercelayer.tokens,
                &world.commercelayer.customers,
                &params,
                knobs.access_token_ttl_secs,
            )
        });
        match outcome {
            Ok(body) => reply::json(StatusCode::OK, JSON, &body),
            Err(error) => error.render_as(JSON),
        }
    };
    set_rate_headers(&mut response, &verdict);
    response
}

fn grant(
    tokens: &mut Tokens,
    customers: &[Customer],
    params: &Map<String, Value>,
    ttl_override: Option<u64>,
) -> Result<Value, ClError> {
    let text = |name: &str| params.get(name).and_then(Value::as_str);
    let client_id = text("client_id");
    let created_at = now_secs();
    let sales_ttl = ttl_override.unwrap_or(SALES_CHANNEL_TTL_SECS);
    match text("grant_type") {
        Some("client_credentials") => match client_id {
            Some(SALES_CHANNEL_CLIENT_ID) => {
                let scope = market_scope(text("scope"), true)?;
                let (token, expires_in) = tokens.issue(Caller::Guest, &scope, sales_ttl);
                Ok(
                    json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in, "scope": scope, "created_at": created_at}),
                )
            }
            Some(INTEGRATION_CLIENT_ID) => {
                if text("client_secret") != Some(INTEGRATION_CLIENT_SECRET) {
                    return Err(invalid_client());
                }
                let scope = market_scope(text("scope"), false)?;
                let ttl = ttl_override.unwrap_or(INTEGRATION_TTL_SECS);
                let (token, expires_in) = tokens.issue(Caller::Integration, &scope, ttl);
                Ok(
                    json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in, "scope": scope, "created_at": created_at}),
                )
            }
            _ => Err(invalid_client()),
        },
        Some("password") => {
            match client_id {
                Some(SALES_CHANNEL_CLIENT_ID) => {}
                Some(INTEGRATION_CLIENT_ID) => {
                    return Err(ClError::new(
                        StatusCode::BAD_REQUEST,
                        "Unauthorized client",
                        "The client is not authorized to perform this request using this method.",
                        "UNAUTHORIZED_CLIENT",
                    ))
                }
                _ => return Err(invalid_client()),
            }
            let scope = market_scope(text("scope"), true)?;
            let (Some(username), Some(password)) = (text("username"), text("password")) else {
                return Err(invalid_grant());
            };
            let customer = customers
                .iter()
                .find(|c| {
                    c.email.eq_ignore_ascii_case(username.trim())
                        && c.password.as_deref() == Some(password)
                })
                .ok_or_else(invalid_grant)?;
            let (token, expires_in) =
                tokens.issue(Caller::Customer(customer.id.clone()), &scope, sales_ttl);
            let refresh_token = random_hex(24);
            tokens.refresh.insert(
                refresh_token.clone(),
                RefreshGrant {
                    customer_id: customer.id.clone(),
                    scope: scope.clone(),
                    expires_ms: now_ms() + REFRESH_TTL_MS,
                },
            );
            Ok(customer_token_body(
                &token,
                expires_in,
                &refresh_token,
                &scope,
                &customer.id,
                created_at,
            ))
        }
        // Public clients refresh with the client id alone. Refresh tokens do not rotate and keep
        // their fixed two-week lifetime.
        Some("refresh_token") => {
            if client_id != Some(SALES_CHANNEL_CLIENT_ID) {
                return Err(invalid_client());
            }
            let refresh_token = text("refresh_token").unwrap_or_default().to_owned();
            let grant = tokens
                .refresh
                .get(&refresh_token)
                .filter(|g| now_ms() < g.expires_ms)
                .map(|g| (g.customer_id.clone(), g.scope.clone()))
                .ok_or_else(invalid_grant)?;
            let (customer_id, scope) = grant;
            let (token, expires_in) =
                tokens.issue(Caller::Customer(customer_id.clone()), &scope, sales_ttl);
            Ok(customer_token_body(
                &token,
                expires_in,
                &refresh_token,
                &scope,
                &customer_id,
                created_at,
            ))
        }
        Some(_) => Err(ClError::new(
            StatusCode::BAD_REQUEST,
            "Unsupported grant type",
            "The authorization grant type is not supported by the authorization server.",
            "UNSUPPORTED_GRANT_TYPE",
        )),
        None => Err(ClError::new(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request is missing a required parameter: grant_type.",
            "INVALID_REQUEST",
        )),
    }
}

fn customer_token_body(
    token: &str,
    expires_in: u64,
    refresh_token: &str,
    scope: &str,
    owner_id: &str,
    created_at: i64,
) -> Value {
    json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "refresh_token": refresh_token,
        "scope": scope,
        "created_at": created_at,
        "owner_id": owner_id,
        "owner_type": "customer",
    })
}
