//! Count's OAuth 2.0 authorization-code flow, emulated end to end:
//!
//! 1. `GET /count/auth2/authorize-intiate?clientId=&redirectUri=&state=` (no HMAC; the path really
//!    is spelled "intiate") -> the login URL, which here is the sandbox's own `/count/_login`.
//! 2. `GET /count/_login?...` (not Count's API: stands in for Count's login and workspace picker)
//!    approves at once and 302-redirects to `redirectUri?code=<one-time code>&state=<state>`.
//! 3. `POST /count/partners/grant-access-token` (HMAC, no Bearer) trades the code for tokens.
//! 4. `POST /count/partners/refresh-user-access-token` (HMAC, no Bearer) rotates the refresh token.

use std::collections::HashMap;

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Map, Value};

use super::{json_object, serve_signed, Answer, CountError};
use crate::{
    clock::{iso_millis, now_ms},
    ids::random_hex,
    incoming::{percent_encode, Incoming},
    jwt,
    knobs::CountKnobs,
    reply::{self, JSON_UTF8},
    state::AppState,
};

/// The one workspace every sandbox login picks.
const WORKSPACE_ID: &str = "7f3c1b2a-9d4e-4c5b-8a6f-0e1d2c3b4a59";
const WORKSPACE_NAME: &str = "Sandbox Workspace";
/// Authorization codes are short-lived and single-use.
const CODE_TTL_MS: i64 = 10 * 60 * 1000;

/// Seconds from a knob to milliseconds, saturating: a silly TTL must not overflow.
fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000)
}

#[derive(Default)]
pub struct Tokens {
    codes: HashMap<String, Code>,
    /// Access token -> expiry (ms).
    access: HashMap<String, i64>,
    /// Refresh token -> expiry (ms). Rotation removes the old one.
    refresh: HashMap<String, i64>,
}

struct Code {
    client_id: String,
    expires_ms: i64,
}

impl Tokens {
    /// A fresh access/refresh pair, as the `result` object of the token responses.
    pub fn issue(&mut self, client_id: &str, knobs: &CountKnobs) -> Value {
        let now = now_ms();
        let access_expires = now.saturating_add(secs_to_ms(knobs.access_token_ttl_secs));
        let refresh_expires = now.saturating_add(secs_to_ms(knobs.refresh_token_ttl_secs));
        let access_token = jwt::encode(&json!({
            "sub": WORKSPACE_ID,
            "workspaceId": WORKSPACE_ID,
            "clientId": client_id,
            "type": "access",
            "iat": now / 1000,
            "exp": access_expires / 1000,
            "jti": random_hex(8),
        }));
        let refresh_token = random_hex(32);
        self.access.insert(access_token.clone(), access_expires);
        self.refresh.insert(refresh_token.clone(), refresh_expires);
        json!({
            "accessToken": access_token,
            "refreshToken": refresh_token,
            "accessTokenExpiresAt": iso_millis(access_expires),
            "refreshTokenExpiresAt": iso_millis(refresh_expires),
            "workspaceId": WORKSPACE_ID,
            "workspaceName": WORKSPACE_NAME,
        })
    }

    /// The user Bearer token the customer endpoints need on top of the HMAC headers.
    pub fn check_access(&self, request: &Incoming) -> Result<(), CountError> {
        let Some(token) = request.bearer_token() else {
            return Err(CountError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Access token is required (Authorization: Bearer <accessToken>)",
            ));
        };
        match self.access.get(token) {
            None => Err(CountError::new(
                StatusCode::UNAUTHORIZED,
                "INVALID_TOKEN",
                "Invalid access token",
            )
            .with("error", "invalid_token")
            .with("error_description", "The access token is invalid")),
            // The CLI refreshes when it sees `error: invalid_token` or this exact description.
            Some(expires) if now_ms() >= *expires => Err(CountError::new(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "The access token expired",
            )
            .with("error", "invalid_token")
            .with("error_description", "The access token expired")),
            Some(_) => Ok(()),
        }
    }
}

/// Step 1. No HMAC (documented: every request except this one needs it).
pub async fn authorize_initiate(State(app): State<AppState>, request: Incoming) -> Response {
    let shape = app.world().knobs.count.error_shape;
    let client_id = app.credentials().count_client_id.clone();
    match login_url(&request, &client_id) {
        Ok(url) => reply::json(
            StatusCode::OK,
            JSON_UTF8,
            &json!({
                "status": "success",
                "message": "Authorization initiated. Redirect the user to redirectUri to log in.",
                "redirectUri": url,
                "data": {"redirectUri": url},
            }),
        ),
        Err(error) => error.render(shape),
    }
}

/// The query of steps 1 and 2, validated.
struct AuthorizeQuery {
    redirect_uri: String,
    state: Option<String>,
}

fn authorize_query(request: &Incoming, client_id: &str) -> Result<AuthorizeQuery, CountError> {
    let given_client = request.query_param("clientId").filter(|v| !v.is_empty());
    let redirect_uri = request.query_param("redirectUri").filter(|v| !v.is_empty());
    let mut errors = Vec::new();
    if given_client.is_none() {
        errors.push(("clientId".to_owned(), "\"clientId\" is required".to_owned()));
    }
    match &redirect_uri {
        None => errors.push(("redirectUri".into(), "\"redirectUri\" is required".into())),
        Some(uri) if !(uri.starts_with("http://") || uri.starts_with("https://")) => errors.push((
            "redirectUri".into(),
            "\"redirectUri\" must be a valid uri".into(),
        )),
        // Documented: the redirect URI must not contain query parameters.
        Some(uri) if uri.contains('?') => errors.push((
            "redirectUri".into(),
            "\"redirectUri\" must not contain query parameters".into(),
        )),
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Err(CountError::validation(errors));
    }
    if given_client.as_deref() != Some(client_id) {
        return Err(CountError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_CLIENT",
            "Invalid client credentials",
        ));
    }
    Ok(AuthorizeQuery {
        redirect_uri: redirect_uri.unwrap_or_default(),
        state: request.query_param("state"),
    })
}

fn login_url(request: &Incoming, client_id: &str) -> Result<String, CountError> {
    let query = authorize_query(request, client_id)?;
    let mut url = format!(
        "http://{}/count/_login?clientId={}&redirectUri={}",
        request.host(),
        percent_encode(client_id),
        percent_encode(&query.redirect_uri)
    );
    if let Some(state) = &query.state {
        url.push_str(&format!("&state={}", percent_encode(state)));
    }
    Ok(url)
}

/// Step 2: the stand-in login page. It approves at once and redirects with a one-time code.
pub async fn login(State(app): State<AppState>, request: Incoming) -> Response {
    let client_id = app.credentials().count_client_id.clone();
    let query = match authorize_query(&request, &client_id) {
        Ok(query) => query,
        Err(error) => {
            let page = format!(
                "<!doctype html><title>Count sandbox login</title><p>Cannot log in: {}</p>",
                html_escape(&error.message)
            );
            return reply::raw(StatusCode::BAD_REQUEST, "text/html; charset=utf-8", page);
        }
    };
    let code = random_hex(16);
    app.world().count.tokens.codes.insert(
        code.clone(),
        Code {
            client_id,
            expires_ms: now_ms() + CODE_TTL_MS,
        },
    );
    let mut location = format!("{}?code={}", query.redirect_uri, percent_encode(&code));
    if let Some(state) = &query.state {
        location.push_str(&format!("&state={}", percent_encode(state)));
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Reads the first of several spellings of a body field (documented snake_case or CLI camelCase).
fn either<'a>(body: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| body.get(*name))
}

/// When the body names the client (documented form), it must be this client.
fn check_body_client(
    body: &Map<String, Value>,
    client_id: &str,
    secret: &str,
) -> Result<(), CountError> {
    let invalid = || {
        CountError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_CLIENT",
            "Invalid client credentials",
        )
    };
    if let Some(given) = either(body, &["client_id", "clientId"]) {
        if given.as_str() != Some(client_id) {
            return Err(invalid());
        }
    }
    if let Some(given) = either(body, &["client_secret", "clientSecret"]) {
        if given.as_str() != Some(secret) {
            return Err(invalid());
        }
    }
    Ok(())
}

fn require_grant_type(body: &Map<String, Value>, expected: &str) -> Result<(), CountError> {
    match either(body, &["grant_type", "grantType"]) {
        None => Err(CountError::validation(vec![(
            "grant_type".into(),
            "\"grant_type\" is required".into(),
        )])),
        Some(Value::String(given)) if given == expected => Ok(()),
        Some(_) => Err(CountError::new(
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED_GRANT_TYPE",
            &format!("grant_type must be \"{expected}\""),
        )),
    }
}

/// Step 3: `{grantType|grant_type: "authorization_code", code, client_id?, client_secret?, state?}`.
pub async fn grant_access_token(State(app): State<AppState>, request: Incoming) -> Response {
    let credentials = app.credentials().clone();
    serve_signed(&app, &request, false, move |store, request, knobs| {
        let body = json_object(request)?;
        require_grant_type(&body, "authorization_code")?;
        check_body_client(
            &body,
            &credentials.count_client_id,
            &credentials.count_client_secret,
        )?;
        let Some(Value::String(code)) = body.get("code") else {
            return Err(CountError::validation(vec![(
                "code".into(),
                "\"code\" is required".into(),
            )]));
        };
        // Single use: the code is gone whatever happens next.
        let grant = store.tokens.codes.remove(code);
        let valid = grant
            .is_some_and(|g| g.client_id == credentials.count_client_id && now_ms() < g.expires_ms);
        if !valid {
            return Err(CountError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_GRANT",
                "Invalid, expired or already used authorization code",
            ));
        }
        let result = store.tokens.issue(&credentials.count_client_id, knobs);
        Ok(Answer::new(
            StatusCode::OK,
            "Access token generated successfully",
            json!({"result": result}),
        ))
    })
}

/// Step 4: `{grant_type: "refresh_token", refresh_token}` or `{grantType, refreshToken}`.
/// The refresh token rotates: the one used is invalid from now on.
pub async fn refresh_access_token(State(app): State<AppState>, request: Incoming) -> Response {
    let credentials = app.credentials().clone();
    serve_signed(&app, &request, false, move |store, request, knobs| {
        let body = json_object(request)?;
        require_grant_type(&body, "refresh_token")?;
        check_body_client(
            &body,
            &credentials.count_client_id,
            &credentials.count_client_secret,
        )?;
        let Some(Value::String(refresh_token)) = either(&body, &["refresh_token", "refreshToken"])
        else {
            return Err(CountError::validation(vec![(
                "refresh_token".into(),
                "\"refresh_token\" is required".into(),
            )]));
        };
        let expires = store.tokens.refresh.remove(refresh_token);
        if expires.is_none_or(|e| now_ms() >= e) {
            return Err(CountError::new(
                StatusCode::UNAUTHORIZED,
                "INVALID_REFRESH_TOKEN",
                "Invalid or expired refresh token",
            )
            .with("error", "invalid_grant"));
        }
        let result = store.tokens.issue(&credentials.count_client_id, knobs);
        Ok(Answer::new(
            StatusCode::OK,
            "Access token refreshed successfully",
            json!({"result": result}),
        ))
    })
}
