//! Count: two layers of credentials on every request (contracts.md §3.1).
//!
//! - Partner authentication: `x-client-id`, `x-timestamp` (Unix seconds) and `x-signature`, an
//!   HMAC-SHA256 under the client secret of `METHOD:path:timestamp:bodyHash`, where `path` is the
//!   path under the API base (so without `/partners`) and without the query, and `bodyHash` the
//!   hex SHA-256 of the exact body bytes sent (POST/PUT/PATCH) or empty (GET).
//! - A workspace's OAuth access token as Bearer, which the gateway gets through its own
//!   `/count/oauth/start` → Count login → `/count/oauth/callback` routes, keeps in a SQLite file
//!   (`count_tokens`), and refreshes when it expires. Count rotates the refresh token on every
//!   refresh, so a refresh is single-flight, runs to completion in its own task and is committed
//!   before it is used.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::Query;
use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use hmac::{Hmac, Mac};
use providers::ProviderId;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::count_tokens::{CountTokenPair, CountTokenStore};
use super::{
    http_url, json_reply, only_keys, receive, required, send_plain, Adapter, Outgoing,
    RouteContext, UpstreamError, UpstreamFuture, UpstreamReply,
};
use crate::config::ProviderConfig;
use crate::log;
use crate::replies::{json as json_response, plain};
use crate::secret::Secret;
use crate::tokens::now_secs;

pub const START_PATH: &str = "/count/oauth/start";
pub const CALLBACK_PATH: &str = "/count/oauth/callback";
/// Relative to the gateway's working directory when `token_store` is not configured.
const DEFAULT_TOKEN_STORE: &str = "count-tokens.sqlite";
/// An access token this close to its expiry is refreshed before use, so it does not expire
/// between here and Count (or on a clock a little ahead of ours).
const REFRESH_MARGIN_SECS: u64 = 30;
/// How long a started authorization may take (Count's codes live 10 minutes).
const START_LIFETIME: Duration = Duration::from_secs(600);
/// How long a grant or refresh call may take (customer requests have the gateway's
/// `upstream_timeout_secs`).
const TOKEN_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Started authorizations remembered at once; the oldest gives way.
const MAX_PENDING_STARTS: usize = 32;

pub struct CountAdapter {
    integration: Arc<CountIntegration>,
}

/// The partner app's credentials and the workspace connection made with them.
struct CountIntegration {
    base: String,
    auth_base: String,
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    store: Arc<CountTokenStore>,
    /// The pair in use. Held across a refresh: that is what makes refreshing single-flight.
    current: Mutex<Option<CountTokenPair>>,
    /// Set while the pair in use could not be committed; the store then holds an older pair that
    /// must not replace it.
    unsaved: AtomicBool,
    /// OAuth `state`s handed out by `/count/oauth/start`, awaiting the callback.
    pending: StdMutex<HashMap<String, PendingStart>>,
}

struct PendingStart {
    started: Instant,
    /// Started with the admin key: may replace a connection that already exists.
    by_admin: bool,
}

/// Why no usable access token could be had.
enum TokenFailure {
    /// No workspace has been connected yet.
    NotConnected,
    /// Count refused the refresh token: the connection must be made again.
    Lost,
    Upstream(UpstreamError),
    /// Count's own answer to the refresh (a rate limit, a server error), passed on as it is.
    Reply(UpstreamReply),
}

impl TokenFailure {
    fn into_result(self) -> Result<UpstreamReply, UpstreamError> {
        match self {
            TokenFailure::NotConnected => Ok(unavailable(
                "COUNT_NOT_CONNECTED",
                &format!(
                    "Count is not connected to this gateway yet: an operator must open \
                     {START_PATH} on the gateway to connect a Count workspace."
                ),
            )),
            TokenFailure::Lost => Ok(unavailable(
                "COUNT_RECONNECT_REQUIRED",
                &format!(
                    "Count no longer accepts this gateway's refresh token: an operator must open \
                     {START_PATH} on the gateway to connect the Count workspace again."
                ),
            )),
            TokenFailure::Upstream(error) => Err(error),
            TokenFailure::Reply(reply) => Ok(reply),
        }
    }
}

/// A 503 in Count's documented error envelope (plus the gateway's own code, as the gateway's
/// other refusals carry).
fn unavailable(code: &str, message: &str) -> UpstreamReply {
    json_reply(
        503,
        "application/json",
        &json!({
            "status": "error",
            "message": message,
            "code": code,
            "gateway": {"code": code.to_ascii_lowercase()},
        }),
    )
}

impl CountAdapter {
    pub fn from_config(config: &ProviderConfig) -> Result<CountAdapter, String> {
        const NAME: &str = "count";
        only_keys(
            NAME,
            config,
            &[
                "auth_base",
                "client_id",
                "client_secret",
                "redirect_uri",
                "token_store",
            ],
        )?;
        let base = http_url(NAME, "base", &config.base)?;
        let auth_base = match &config.auth_base {
            Some(auth_base) => http_url(NAME, "auth_base", auth_base)?,
            // `https://api.getcount.com/partners` → `https://api.getcount.com`.
            None => base
                .strip_suffix("/partners")
                .map(str::to_string)
                .ok_or("[providers.count] needs auth_base (e.g. https://api.getcount.com)")?,
        };
        let client_id = required(NAME, "client_id", &config.client_id)?.to_string();
        let client_secret = config
            .client_secret
            .as_ref()
            .ok_or("[providers.count] needs client_secret (it signs every request)")?
            .load()?;
        let redirect_uri = http_url(
            NAME,
            "redirect_uri",
            required(NAME, "redirect_uri", &config.redirect_uri)?,
        )?;
        if redirect_uri.contains('?') || redirect_uri.contains('#') {
            return Err(
                "[providers.count] redirect_uri must not have a query (Count refuses it)".into(),
            );
        }
        let path = config
            .token_store
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or(DEFAULT_TOKEN_STORE);
        let store = CountTokenStore::open(path)?;
        let current = store.load()?;
        log::event(
            "count_token_store",
            &[
                ("path", json!(store.path())),
                ("connected", json!(current.is_some())),
                (
                    "workspace",
                    json!(current.as_ref().and_then(|p| p.workspace_name.clone())),
                ),
            ],
        );
        Ok(CountAdapter {
            integration: Arc::new(CountIntegration {
                base,
                auth_base,
                client_id,
                client_secret,
                redirect_uri,
                store: Arc::new(store),
                current: Mutex::new(current),
                unsaved: AtomicBool::new(false),
                pending: StdMutex::new(HashMap::new()),
            }),
        })
    }
}

impl Adapter for CountAdapter {
    fn provider(&self) -> ProviderId {
        ProviderId::Count
    }

    fn send<'a>(&'a self, client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a> {
        Box::pin(self.integration.send(client, outgoing))
    }

    fn routes(&self, context: &RouteContext) -> Vec<(&'static str, MethodRouter)> {
        let start = {
            let integration = Arc::clone(&self.integration);
            let context = context.clone();
            get(
                move |headers: HeaderMap| async move { integration.start(&context, &headers).await },
            )
        };
        let callback = {
            let integration = Arc::clone(&self.integration);
            let client = context.client.clone();
            get(
                move |Query(query): Query<HashMap<String, String>>| async move {
                    integration.callback(&client, &query).await
                },
            )
        };
        vec![(START_PATH, start), (CALLBACK_PATH, callback)]
    }
}

impl CountIntegration {
    async fn send(
        self: &Arc<Self>,
        client: &reqwest::Client,
        outgoing: Outgoing,
    ) -> Result<UpstreamReply, UpstreamError> {
        let outgoing = query_out_of_path(outgoing);
        let pair = match self.usable_pair(client).await {
            Ok(pair) => pair,
            Err(failure) => return failure.into_result(),
        };
        let reply = self.send_data(client, outgoing.clone(), &pair).await?;
        if !access_token_refused(&reply) {
            return Ok(reply);
        }
        // Once: if the refreshed token is refused too, that answer goes back as it is.
        let pair = match self.refreshed(client, Some(pair.access_token)).await {
            Ok(pair) => pair,
            Err(failure) => return failure.into_result(),
        };
        self.send_data(client, outgoing, &pair).await
    }

    /// The pair to send with, refreshed first when its access token has (nearly) expired.
    async fn usable_pair(
        self: &Arc<Self>,
        client: &reqwest::Client,
    ) -> Result<CountTokenPair, TokenFailure> {
        {
            let mut current = self.current.lock().await;
            if current.is_none() {
                // Connected through another gateway instance on the same store since we started?
                *current = self.stored();
            }
            match current.as_ref() {
                None => return Err(TokenFailure::NotConnected),
                Some(pair) if !pair.access_expired(now_secs(), REFRESH_MARGIN_SECS) => {
                    return Ok(pair.clone())
                }
                Some(_) => {}
            }
        }
        self.refreshed(client, None).await
    }

    /// A pair whose access token is neither `rejected` nor expired, refreshing if no one else
    /// already has. The refresh runs in its own task: once Count has the request it may rotate the
    /// refresh token, so the answer must be read and committed even if the request that asked for
    /// it is abandoned (its client went away, the gateway's own timeout fired).
    async fn refreshed(
        self: &Arc<Self>,
        client: &reqwest::Client,
        rejected: Option<Secret>,
    ) -> Result<CountTokenPair, TokenFailure> {
        let integration = Arc::clone(self);
        let client = client.clone();
        let task =
            tokio::spawn(async move { integration.refresh_unless_done(&client, rejected).await });
        match task.await {
            Ok(outcome) => outcome,
            Err(_) => Err(TokenFailure::Upstream(UpstreamError::Unreachable)),
        }
    }

    async fn refresh_unless_done(
        &self,
        client: &reqwest::Client,
        rejected: Option<Secret>,
    ) -> Result<CountTokenPair, TokenFailure> {
        let mut current = self.current.lock().await;
        self.catch_up_with_store(&mut current).await;
        let Some(pair) = current.clone() else {
            return Err(TokenFailure::NotConnected);
        };
        let still_needed = match &rejected {
            Some(rejected) => pair.access_token == *rejected,
            None => pair.access_expired(now_secs(), REFRESH_MARGIN_SECS),
        };
        if !still_needed {
            return Ok(pair);
        }
        let fresh = self.refresh(client, &pair).await?;
        self.commit(&fresh).await;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// Before refreshing: commit a pair that failed to commit earlier, or else take a newer pair
    /// another gateway instance stored (its refresh rotated ours away).
    async fn catch_up_with_store(&self, current: &mut Option<CountTokenPair>) {
        if self.unsaved.load(Ordering::SeqCst) {
            if let Some(pair) = current.as_ref() {
                self.commit(pair).await;
            }
            return;
        }
        if let Some(stored) = self.stored() {
            if current.as_ref() != Some(&stored) {
                *current = Some(stored);
            }
        }
    }

    /// `POST /refresh-user-access-token`, HMAC-signed, no Bearer.
    async fn refresh(
        &self,
        client: &reqwest::Client,
        pair: &CountTokenPair,
    ) -> Result<CountTokenPair, TokenFailure> {
        // The body the official CLI sends. The docs show the snake_case form
        // `{"grant_type":"refresh_token","refresh_token":…,"client_id":…,"client_secret":…}`;
        // the signature already proves the client, so the secret stays out of the body.
        let body = json!({
            "grantType": "refresh_token",
            "refreshToken": pair.refresh_token.expose(),
        });
        let reply = self
            .post_signed(client, "/refresh-user-access-token", &body)
            .await
            .map_err(TokenFailure::Upstream)?;
        if let Some(fresh) = token_pair_of(&reply) {
            log::event(
                "count_tokens_refreshed",
                &[("workspace", json!(fresh.workspace_name))],
            );
            return Ok(fresh);
        }
        log::event(
            "count_refresh_refused",
            &[
                ("status", json!(reply.status)),
                ("code", json!(error_code(&reply))),
            ],
        );
        if reply.status == 429 || reply.status >= 500 {
            Err(TokenFailure::Reply(reply))
        } else {
            Err(TokenFailure::Lost)
        }
    }

    /// Commits the pair; on failure the pair stays in use (it is the only valid one) and the
    /// commit is tried again before the next refresh.
    async fn commit(&self, pair: &CountTokenPair) -> bool {
        let store = Arc::clone(&self.store);
        let pair = pair.clone();
        let outcome = tokio::task::spawn_blocking(move || store.save(&pair)).await;
        let error = match outcome {
            Ok(Ok(())) => {
                self.unsaved.store(false, Ordering::SeqCst);
                return true;
            }
            Ok(Err(message)) => message,
            Err(_) => "the commit task failed".to_string(),
        };
        self.unsaved.store(true, Ordering::SeqCst);
        log::event(
            "count_token_store_failed",
            &[
                ("message", json!(error)),
                (
                    "consequence",
                    json!("the new Count tokens are only in memory: a restart now loses the connection"),
                ),
            ],
        );
        false
    }

    /// The stored pair; a store that cannot be read counts as empty (and says so in the log).
    fn stored(&self) -> Option<CountTokenPair> {
        match self.store.load() {
            Ok(pair) => pair,
            Err(message) => {
                log::event("count_token_store_failed", &[("message", json!(message))]);
                None
            }
        }
    }

    async fn is_connected(&self) -> bool {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.stored();
        }
        current.is_some()
    }

    /// A customer API request with both credentials.
    async fn send_data(
        &self,
        client: &reqwest::Client,
        outgoing: Outgoing,
        pair: &CountTokenPair,
    ) -> Result<UpstreamReply, UpstreamError> {
        let mut headers = partner_headers(
            &self.client_id,
            self.client_secret.expose(),
            &outgoing.method,
            &outgoing.path,
            &outgoing.body,
            now_secs(),
        );
        headers.push((
            "authorization",
            format!("Bearer {}", pair.access_token.expose()),
        ));
        // Count's parser reads only `application/json`; the gateway already checked the body is JSON.
        headers.push(("content-type", "application/json".to_string()));
        send_plain(client, &self.base, outgoing, headers).await
    }

    /// A token endpoint request: HMAC-signed, no Bearer. It may wait longer than a customer
    /// request: giving up on a refresh Count is still answering would lose the rotated pair.
    async fn post_signed(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: &Value,
    ) -> Result<UpstreamReply, UpstreamError> {
        let body = body.to_string();
        let mut request = client
            .post(format!("{}{path}", self.base))
            .timeout(TOKEN_CALL_TIMEOUT)
            .header("content-type", "application/json")
            .header("accept", "application/json");
        for (name, value) in partner_headers(
            &self.client_id,
            self.client_secret.expose(),
            &Method::POST,
            path,
            body.as_bytes(),
            now_secs(),
        ) {
            request = request.header(name, value);
        }
        receive(request.body(body)).await
    }

    /// `GET /count/oauth/start`: asks Count for its login URL with a fresh `state`, remembers the
    /// state, and sends the browser there.
    ///
    /// Open while no workspace is connected, so the first connection needs nothing but a browser.
    /// Once one is, only a request with the admin key as Bearer may start a new connection (the
    /// admin takes the `Location` from the answer and opens it in a browser); without an admin
    /// key configured, reconnecting means removing the token store first.
    async fn start(self: &Arc<Self>, context: &RouteContext, headers: &HeaderMap) -> Response {
        let by_admin = context
            .admin_key
            .as_ref()
            .is_some_and(|key| bearer_is(headers, key));
        if !by_admin && self.is_connected().await {
            return match context.admin_key {
                Some(_) => plain(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Count is already connected. To connect it again, send this request with the \
                     admin key as Bearer and open the Location of the answer in a browser.",
                ),
                None => plain(
                    StatusCode::FORBIDDEN,
                    "count_already_connected",
                    "Count is already connected. To connect it again, configure an [admin] key and \
                     send it as Bearer, or stop the gateway and remove its Count token store.",
                ),
            };
        }
        let Some(state) = random_state() else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "No randomness available for the OAuth state.",
            );
        };
        let url = reqwest::Url::parse_with_params(
            &format!("{}/auth2/authorize-intiate", self.auth_base),
            &[
                ("clientId", self.client_id.as_str()),
                ("redirectUri", self.redirect_uri.as_str()),
                ("state", state.as_str()),
            ],
        );
        let Ok(url) = url else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The configured Count auth_base is not a valid URL.",
            );
        };
        let reply = context
            .client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await;
        let (status, body) = match reply {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.bytes().await.unwrap_or_default())
            }
            Err(_) => {
                return plain(
                    StatusCode::BAD_GATEWAY,
                    "count_unreachable",
                    "Count could not be reached to start the authorization.",
                )
            }
        };
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let login = (200..300)
            .contains(&status)
            .then(|| login_url(&body))
            .flatten();
        let Some(login) = login else {
            log::event(
                "count_oauth_start_refused",
                &[
                    ("status", json!(status)),
                    ("code", json!(body.get("code").and_then(Value::as_str))),
                ],
            );
            return plain(
                StatusCode::BAD_GATEWAY,
                "count_authorize_failed",
                &format!(
                    "Count did not start the authorization (status {status}); see the gateway log."
                ),
            );
        };
        let Ok(location) = HeaderValue::from_str(&login) else {
            return plain(
                StatusCode::BAD_GATEWAY,
                "count_authorize_failed",
                "Count answered with a login URL that cannot be redirected to.",
            );
        };
        self.remember(state, by_admin);
        log::event("count_oauth_started", &[("by_admin", json!(by_admin))]);
        let mut response = StatusCode::FOUND.into_response();
        response.headers_mut().insert(LOCATION, location);
        response
    }

    /// `GET /count/oauth/callback?code=&state=`: checks the state, trades the code for the
    /// workspace's tokens and commits them.
    async fn callback(
        self: &Arc<Self>,
        client: &reqwest::Client,
        query: &HashMap<String, String>,
    ) -> Response {
        if let Some(error) = query.get("error") {
            let error: String = error.chars().take(100).collect();
            return plain(
                StatusCode::BAD_REQUEST,
                "count_authorization_denied",
                &format!("Count did not authorize the gateway: {error}."),
            );
        }
        let pending = query
            .get("state")
            .and_then(|state| self.take_pending(state));
        let (Some(state), Some(pending)) = (query.get("state"), pending) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "invalid_state",
                &format!("Unknown or expired authorization: start again at {START_PATH}."),
            );
        };
        let Some(code) = query.get("code").filter(|c| !c.is_empty()) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "missing_code",
                "Count's redirect carried no authorization code.",
            );
        };
        // Two flows started while nothing was connected: the first to finish wins, and only
        // the admin may replace it.
        if !pending.by_admin && self.is_connected().await {
            return plain(
                StatusCode::CONFLICT,
                "count_already_connected",
                "Count was connected in the meantime; this authorization was not used.",
            );
        }
        // Its own task, like a refresh: a browser that gives up must not lose a granted pair.
        let integration = Arc::clone(self);
        let client = client.clone();
        let (code, state) = (code.clone(), state.clone());
        let task = tokio::spawn(async move { integration.exchange(&client, &code, &state).await });
        match task.await {
            Ok(response) => response,
            Err(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The token exchange failed.",
            ),
        }
    }

    /// `POST /grant-access-token`, HMAC-signed, no Bearer; then commit.
    async fn exchange(&self, client: &reqwest::Client, code: &str, state: &str) -> Response {
        // The CLI's body; the docs show `grantType, code, client_id, client_secret` (the
        // signature already proves the client).
        let body = json!({"grantType": "authorization_code", "code": code, "state": state});
        let reply = match self.post_signed(client, "/grant-access-token", &body).await {
            Ok(reply) => reply,
            Err(_) => {
                return plain(
                    StatusCode::BAD_GATEWAY,
                    "count_unreachable",
                    "Count could not be reached to exchange the authorization code.",
                )
            }
        };
        let Some(pair) = token_pair_of(&reply) else {
            let code = error_code(&reply);
            log::event(
                "count_grant_refused",
                &[("status", json!(reply.status)), ("code", json!(code))],
            );
            return plain(
                StatusCode::BAD_GATEWAY,
                "count_grant_failed",
                &format!(
                    "Count refused the authorization code (status {}, {}): start again at {START_PATH}.",
                    reply.status,
                    code.as_deref().unwrap_or("no code")
                ),
            );
        };
        let mut current = self.current.lock().await;
        let saved = self.commit(&pair).await;
        *current = Some(pair.clone());
        drop(current);
        log::event(
            "count_connected",
            &[
                ("workspace", json!(pair.workspace_name)),
                ("saved", json!(saved)),
            ],
        );
        if !saved {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "count_token_store_failed",
                "Count is connected, but its tokens could not be saved (see the gateway log): \
                 they will be lost when the gateway restarts.",
            );
        }
        json_response(
            StatusCode::OK,
            json!({
                "status": "connected",
                "provider": "count",
                "workspaceId": pair.workspace_id,
                "workspaceName": pair.workspace_name,
            })
            .to_string(),
        )
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<String, PendingStart>> {
        match self.pending.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn remember(&self, state: String, by_admin: bool) {
        let mut pending = self.pending();
        pending.retain(|_, p| p.started.elapsed() < START_LIFETIME);
        while pending.len() >= MAX_PENDING_STARTS {
            let oldest = pending
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(s, _)| s.clone());
            match oldest {
                Some(oldest) => pending.remove(&oldest),
                None => break,
            };
        }
        pending.insert(
            state,
            PendingStart {
                started: Instant::now(),
                by_admin,
            },
        );
    }

    /// The start this state belongs to, used up (a state is good for one callback).
    fn take_pending(&self, state: &str) -> Option<PendingStart> {
        self.pending()
            .remove(state)
            .filter(|p| p.started.elapsed() < START_LIFETIME)
    }
}

/// The string Count signs: `METHOD:path:timestamp:bodyHash`. `path` is relative to the API base
/// (no `/partners`) and has no query; the body hash is over the exact bytes sent, for POST, PUT
/// and PATCH only, so a GET's string ends with `:`.
pub fn signature_base(method: &Method, path: &str, timestamp: u64, body: &[u8]) -> String {
    let body_hash = if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        hex(&Sha256::digest(body))
    } else {
        String::new()
    };
    format!("{}:{path}:{timestamp}:{body_hash}", method.as_str())
}

/// Lower-case hex HMAC-SHA256 of `base` under the client secret.
pub fn signature_for(secret: &str, base: &str) -> String {
    // HMAC takes keys of any length: this never fails, but no `expect` all the same.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The three partner-authentication headers for one request.
pub fn partner_headers(
    client_id: &str,
    secret: &str,
    method: &Method,
    path: &str,
    body: &[u8],
    timestamp: u64,
) -> Vec<(&'static str, String)> {
    let signature = signature_for(secret, &signature_base(method, path, timestamp, body));
    vec![
        ("x-client-id", client_id.to_string()),
        ("x-timestamp", timestamp.to_string()),
        ("x-signature", signature),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A path that arrives with its query (`/customers/find-by-email?email=…`) is split, so the
/// query is sent but not signed.
fn query_out_of_path(mut outgoing: Outgoing) -> Outgoing {
    if let Some((path, query)) = outgoing.path.split_once('?') {
        let query = match outgoing.query.take().filter(|q| !q.is_empty()) {
            Some(more) if !query.is_empty() => format!("{query}&{more}"),
            Some(more) => more,
            None => query.to_string(),
        };
        outgoing.query = (!query.is_empty()).then_some(query);
        outgoing.path = path.to_string();
    }
    outgoing
}

/// Whether Count refused the access token (expired or unknown), in either error shape: the
/// documented `code`, the CLI's `type`, or the OAuth-style `error` / `error_description`.
fn access_token_refused(reply: &UpstreamReply) -> bool {
    if reply.status != 401 {
        return false;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&reply.body) else {
        return false;
    };
    let says = |name: &str| {
        body.get(name).and_then(Value::as_str).is_some_and(|v| {
            v.eq_ignore_ascii_case("token_expired") || v.eq_ignore_ascii_case("invalid_token")
        })
    };
    says("error")
        || says("code")
        || says("type")
        || body.get("error_description").and_then(Value::as_str) == Some("The access token expired")
}

fn token_pair_of(reply: &UpstreamReply) -> Option<CountTokenPair> {
    if !(200..300).contains(&reply.status) {
        return None;
    }
    let body: Value = serde_json::from_slice(&reply.body).ok()?;
    CountTokenPair::from_reply(&body)
}

/// Count's machine-readable error code, for the log (never the body: it could echo a token).
fn error_code(reply: &UpstreamReply) -> Option<String> {
    let body: Value = serde_json::from_slice(&reply.body).ok()?;
    ["code", "type", "error"].iter().find_map(|name| {
        body.get(*name)
            .and_then(Value::as_str)
            .map(|s| s.chars().take(64).collect())
    })
}

/// The login URL from `authorize-intiate`: `redirectUri` at the top (docs) or under `data`
/// (what the CLI reads), and only an http(s) one.
fn login_url(body: &Value) -> Option<String> {
    body.get("redirectUri")
        .or_else(|| body.pointer("/data/redirectUri"))
        .and_then(Value::as_str)
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .map(str::to_string)
}

fn random_state() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(hex(&bytes))
}

fn bearer_is(headers: &HeaderMap, key: &Secret) -> bool {
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or("");
    constant_time_eq(given.as_bytes(), key.expose().as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use reqwest::header::HeaderMap as ReplyHeaders;

    const SECRET: &str = "count_sandbox_secret";

    fn reply(status: u16, body: &str) -> UpstreamReply {
        UpstreamReply {
            status,
            headers: ReplyHeaders::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn a_get_is_signed_over_a_string_ending_in_a_colon() {
        let base = signature_base(&Method::GET, "/customers/abc", 1_700_000_000, b"ignored");
        assert_eq!(base, "GET:/customers/abc:1700000000:");
        // The sandbox README's worked example:
        // printf 'GET:/customers/abc:1700000000:' | openssl dgst -sha256 -hmac count_sandbox_secret
        assert_eq!(
            signature_for(SECRET, &base),
            "55a3c709266fc64ab57751c52686efa2562d7e23f503e992360795ea2d789a02"
        );
    }

    #[test]
    fn a_put_is_signed_over_the_hash_of_its_exact_bytes() {
        let body = br#"{"customer":"Acme Ltd","email":"ap@acme.test"}"#;
        let path = "/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
        // printf '%s' '{"customer":"Acme Ltd","email":"ap@acme.test"}' | sha256sum
        let body_hash = "7d22fe2cc83602b8f287534501218deaae492f0c6a1bc0db3bbb7470e2a1e709";
        let base = signature_base(&Method::PUT, path, 1_700_000_000, body);
        assert_eq!(base, format!("PUT:{path}:1700000000:{body_hash}"));
        // printf '%s' 'PUT:/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d:1700000000:7d22fe2c…e709'
        //   | openssl dgst -sha256 -hmac count_sandbox_secret
        assert_eq!(
            signature_for(SECRET, &base),
            "d2c6e0f68b2d2393c0bdaf6267ddd87ca40d6b9b70906ff0516986fc9d9d254c"
        );
        // One byte more (a space JSON would not care about) is another signature.
        let spaced = br#"{"customer": "Acme Ltd","email":"ap@acme.test"}"#;
        assert_ne!(
            signature_for(
                SECRET,
                &signature_base(&Method::PUT, path, 1_700_000_000, spaced)
            ),
            signature_for(SECRET, &base)
        );
    }

    #[test]
    fn an_empty_post_hashes_the_empty_string() {
        // printf '' | sha256sum
        assert_eq!(
            signature_base(&Method::POST, "/customers", 1, b""),
            "POST:/customers:1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn partner_headers_carry_seconds_and_the_signature() {
        let headers = partner_headers(
            "count_sandbox_client",
            SECRET,
            &Method::GET,
            "/customers/abc",
            b"",
            1_700_000_000,
        );
        assert_eq!(
            headers,
            vec![
                ("x-client-id", "count_sandbox_client".to_string()),
                ("x-timestamp", "1700000000".to_string()),
                (
                    "x-signature",
                    "55a3c709266fc64ab57751c52686efa2562d7e23f503e992360795ea2d789a02".to_string()
                ),
            ]
        );
    }

    #[test]
    fn expired_and_unknown_tokens_are_recognised_in_both_error_shapes() {
        let documented = r#"{"status":"error","message":"The access token expired","code":"token_expired","error":"invalid_token","error_description":"The access token expired"}"#;
        assert!(access_token_refused(&reply(401, documented)));
        let unknown =
            r#"{"status":"error","message":"Invalid access token","code":"INVALID_TOKEN"}"#;
        assert!(access_token_refused(&reply(401, unknown)));
        let cli =
            r#"{"message":"expired","status":"Error","statusCode":401,"type":"token_expired"}"#;
        assert!(access_token_refused(&reply(401, cli)));
        let description = r#"{"error_description":"The access token expired"}"#;
        assert!(access_token_refused(&reply(401, description)));
        let signature =
            r#"{"status":"error","message":"Invalid signature","code":"INVALID_SIGNATURE"}"#;
        assert!(!access_token_refused(&reply(401, signature)));
        assert!(!access_token_refused(&reply(400, documented)));
        assert!(!access_token_refused(&reply(401, "not json")));
    }

    #[test]
    fn a_query_left_in_the_path_is_sent_but_not_signed() {
        let outgoing = Outgoing {
            method: Method::GET,
            path: "/customers/find-by-email?email=a%40b.test".into(),
            query: None,
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let split = query_out_of_path(outgoing.clone());
        assert_eq!(split.path, "/customers/find-by-email");
        assert_eq!(split.query.as_deref(), Some("email=a%40b.test"));
        let both = query_out_of_path(Outgoing {
            query: Some("x=1".into()),
            ..outgoing
        });
        assert_eq!(both.query.as_deref(), Some("email=a%40b.test&x=1"));
    }

    #[test]
    fn the_login_url_is_read_from_either_place_and_must_be_http() {
        let top = json!({"status": "success", "redirectUri": "https://app.getcount.com/login?x=1"});
        assert_eq!(
            login_url(&top).as_deref(),
            Some("https://app.getcount.com/login?x=1")
        );
        let nested = json!({"data": {"redirectUri": "http://127.0.0.1:1/count/_login"}});
        assert_eq!(
            login_url(&nested).as_deref(),
            Some("http://127.0.0.1:1/count/_login")
        );
        assert_eq!(
            login_url(&json!({"redirectUri": "javascript:alert(1)"})),
            None
        );
        assert_eq!(login_url(&json!({"status": "error"})), None);
    }

    #[test]
    fn the_admin_key_is_compared_whole() {
        let key = Secret::new("admin-key");
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer admin-key"));
        assert!(bearer_is(&headers, &key));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer admin-ke"));
        assert!(!bearer_is(&headers, &key));
        assert!(!bearer_is(&HeaderMap::new(), &key));
    }
}
