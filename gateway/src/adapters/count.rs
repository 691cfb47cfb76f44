//! Count: two layers of credentials on every request (contracts.md §3.1).
//!
//! - Partner authentication: the HMAC headers of `count_signing`.
//! - A workspace's OAuth access token as Bearer, which the gateway gets through its own
//!   `/count/oauth/start` → Count login → `/count/oauth/callback` routes (`count_oauth`), keeps
//!   in the store (the SQLite file of `count_tokens`, or PostgreSQL), and refreshes when it
//!   expires. Count rotates the refresh token on every refresh, so a refresh is single-flight
//!   (in this process, and across every gateway on the store: it runs under the store's lock on
//!   the pair), runs to completion in its own task and is committed before it is used.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::routing::{get, MethodRouter};
use providers::ProviderId;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::count_failure::TokenFailure;
use super::count_oauth::{CALLBACK_PATH, START_PATH};
use super::count_signing::partner_headers;
use super::count_tokens::{preferred_pair, CountTokenPair};
use super::{
    http_url, only_keys, receive, required, Adapter, Outgoing, RouteContext, Upstream,
    UpstreamError, UpstreamFuture, UpstreamReply,
};
use crate::config::ProviderConfig;
use crate::log;
use crate::secret::Secret;
use crate::store::{Store, StoreError};
use crate::tokens::now_secs;

/// Relative to the gateway's working directory when `token_store` is not configured.
const DEFAULT_TOKEN_STORE: &str = "count-tokens.sqlite";
/// An access token this close to its expiry is refreshed before use, so it does not expire
/// between here and Count (or on a clock a little ahead of ours).
const REFRESH_MARGIN_SECS: u64 = 30;
/// How long a grant or refresh call may take (customer requests have the gateway's
/// `upstream_timeout_secs`).
pub(super) const TOKEN_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The SQLite file of the embedded store.
pub fn token_store_path(config: &ProviderConfig) -> &str {
    config
        .token_store
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_TOKEN_STORE)
}

pub struct CountAdapter {
    integration: Arc<CountIntegration>,
}

/// The partner app's credentials and the workspace connection made with them.
pub(super) struct CountIntegration {
    pub(super) base: String,
    pub(super) auth_base: String,
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    pub(super) redirect_uri: String,
    pub(super) store: Arc<dyn Store>,
    /// The pair in use. Held across a refresh: that makes refreshing single-flight here.
    pub(super) current: Mutex<Option<CountTokenPair>>,
    /// Set while the pair in use could not be committed; the store then holds an older pair that
    /// must not replace it.
    unsaved: AtomicBool,
    /// When the store's pair was last read outside a refresh: it is read again after
    /// `STORE_RECHECK`, so a workspace connected again through another replica is taken up.
    read_at: std::sync::Mutex<Option<Instant>>,
    /// Set while the store's pair is being read again (one read at a time: a store that hangs
    /// holds one of its connections, not one more every `STORE_RECHECK`).
    rereading: AtomicBool,
    /// How many times the pair in use was set (`replace`): a read of the store that began
    /// before the last change is older than what it would replace.
    changes: AtomicU64,
    upstream: Upstream,
}

/// How long a replica uses its pair before looking at the store's again.
const STORE_RECHECK: Duration = Duration::from_secs(2);

impl CountAdapter {
    pub fn from_config(
        config: &ProviderConfig,
        store: Arc<dyn Store>,
        upstream: Upstream,
    ) -> Result<CountAdapter, String> {
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
        Ok(CountAdapter {
            integration: Arc::new(CountIntegration {
                base,
                auth_base,
                client_id,
                client_secret,
                redirect_uri,
                store,
                current: Mutex::new(None),
                unsaved: AtomicBool::new(false),
                read_at: std::sync::Mutex::new(None),
                rereading: AtomicBool::new(false),
                changes: AtomicU64::new(0),
                upstream,
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
                move |headers: HeaderMap,
                      axum::extract::Query(query): axum::extract::Query<
                    std::collections::HashMap<String, String>,
                >| async move { integration.start(&context, &headers, &query).await },
            )
        };
        let callback = {
            let integration = Arc::clone(&self.integration);
            let client = context.client.clone();
            get(
                move |headers: HeaderMap,
                      axum::extract::Query(query): axum::extract::Query<
                    std::collections::HashMap<String, String>,
                >| async move { integration.callback(&client, &headers, &query).await },
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
        let reply = self.send_data(outgoing.clone(), &pair).await?;
        if !access_token_refused(&reply) {
            return Ok(reply);
        }
        // Once: if the refreshed token is refused too, that answer goes back as it is.
        let pair = match self.refreshed(client, Some(pair.access_token)).await {
            Ok(pair) => pair,
            Err(failure) => return failure.into_result(),
        };
        self.send_data(outgoing, &pair).await
    }

    /// The pair to send with, refreshed first when its access token has (nearly) expired.
    async fn usable_pair(
        self: &Arc<Self>,
        client: &reqwest::Client,
    ) -> Result<CountTokenPair, TokenFailure> {
        {
            let mut current = self.current.lock().await;
            if current.is_none() {
                // Connected through another gateway since we last looked?
                let stored = self.store.count_pair().await.map_err(TokenFailure::Store)?;
                let pair = self.preferred(None, stored, false);
                self.replace(&mut current, pair);
                self.recheck_due();
            } else if self.recheck_due() && !self.rereading.swap(true, Ordering::SeqCst) {
                // Connected again or rotated through another gateway? Read in a task of its
                // own: the pair in use serves this request and the others meanwhile, so a slow
                // or failing store holds none of them up.
                let integration = Arc::clone(self);
                tokio::spawn(async move { integration.reread().await });
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

    /// Under both locks (this process's, then the store's on the pair): takes the pair the store
    /// holds — another gateway may have rotated it — unless ours failed to commit, and refreshes
    /// it only if it is still the one that needs it.
    async fn refresh_unless_done(
        &self,
        client: &reqwest::Client,
        rejected: Option<Secret>,
    ) -> Result<CountTokenPair, TokenFailure> {
        let mut current = self.current.lock().await;
        let lock = self
            .store
            .lock_count_pair()
            .await
            .map_err(TokenFailure::Store)?;
        let pair = self.preferred(current.clone(), lock.pair().cloned(), true);
        let Some(pair) = pair else {
            return Err(TokenFailure::NotConnected);
        };
        let still_needed = match &rejected {
            Some(rejected) => pair.access_token == *rejected,
            None => pair.access_expired(now_secs(), REFRESH_MARGIN_SECS),
        };
        if !still_needed {
            if self.unsaved.load(Ordering::SeqCst) {
                self.commit_under(lock, &pair).await;
            }
            self.replace(&mut current, Some(pair.clone()));
            return Ok(pair);
        }
        let fresh = self.refresh(client, &pair).await?;
        self.commit_under(lock, &fresh).await;
        self.replace(&mut current, Some(fresh.clone()));
        Ok(fresh)
    }

    /// Sets the pair in use (`current`, held locked by the caller).
    pub(super) fn replace(
        &self,
        current: &mut Option<CountTokenPair>,
        pair: Option<CountTokenPair>,
    ) {
        *current = pair;
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// Reads the store's pair and takes it up (`preferred`), unless the pair in use was set
    /// while it was read (a refresh or a connection here, which the store has too, or a commit
    /// that changed which of the two wins).
    async fn reread(&self) {
        let seen = self.changes.load(Ordering::SeqCst);
        let stored = self.store.count_pair().await;
        self.rereading.store(false, Ordering::SeqCst);
        match stored {
            Ok(stored) => {
                let mut current = self.current.lock().await;
                if self.changes.load(Ordering::SeqCst) == seen {
                    let pair = self.preferred(current.take(), stored, false);
                    self.replace(&mut current, pair);
                }
            }
            // The pair in use still works: the store is read again next time.
            Err(error) => log::store_failed(&error),
        }
    }

    /// Whether the store's pair is due to be read again (and, if so, notes it read now).
    fn recheck_due(&self) -> bool {
        let Ok(mut read_at) = self.read_at.lock() else {
            return true;
        };
        let now = Instant::now();
        if read_at.is_some_and(|at| now.duration_since(at) < STORE_RECHECK) {
            return false;
        }
        *read_at = Some(now);
        true
    }

    /// Which pair to use (`preferred_pair`), noting whether the one in use is still unsaved.
    fn preferred(
        &self,
        ours: Option<CountTokenPair>,
        stored: Option<CountTokenPair>,
        keep_without_store: bool,
    ) -> Option<CountTokenPair> {
        let unsaved = self.unsaved.load(Ordering::SeqCst);
        let (pair, unsaved) = preferred_pair(ours, stored, unsaved, keep_without_store);
        self.unsaved.store(unsaved, Ordering::SeqCst);
        pair
    }

    /// Commits the pair and releases the store's lock; on failure the pair stays in use (it is
    /// the only valid one) and the commit is tried again before the next refresh.
    async fn commit_under(
        &self,
        lock: Box<dyn crate::store::CountPairLock>,
        pair: &CountTokenPair,
    ) {
        match lock.commit(pair).await {
            Ok(()) => self.unsaved.store(false, Ordering::SeqCst),
            Err(error) => self.commit_failed(&error),
        }
    }

    /// Commits a pair outside a refresh (a new connection).
    pub(super) async fn commit(&self, pair: &CountTokenPair) -> bool {
        match self.store.save_count_pair(pair).await {
            Ok(()) => {
                self.unsaved.store(false, Ordering::SeqCst);
                true
            }
            Err(error) => {
                self.commit_failed(&error);
                false
            }
        }
    }

    fn commit_failed(&self, error: &StoreError) {
        self.unsaved.store(true, Ordering::SeqCst);
        log::event(
            "count_token_store_failed",
            &[
                ("message", json!(error.0)),
                (
                    "consequence",
                    json!("the new Count tokens are only in memory: a restart now loses the connection"),
                ),
            ],
        );
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

    /// Whether a workspace is connected (here, or through another gateway on the store).
    pub(super) async fn is_connected(&self) -> Result<bool, StoreError> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            let stored = self.store.count_pair().await?;
            self.replace(&mut current, stored);
        }
        Ok(current.is_some())
    }

    /// A customer API request with both credentials.
    async fn send_data(
        &self,
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
        self.upstream.send(&self.base, outgoing, headers).await
    }

    /// A token endpoint request: HMAC-signed, no Bearer. It may wait longer than a customer
    /// request: giving up on a refresh Count is still answering would lose the rotated pair.
    pub(super) async fn post_signed(
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

pub(super) fn token_pair_of(reply: &UpstreamReply) -> Option<CountTokenPair> {
    if !(200..300).contains(&reply.status) {
        return None;
    }
    let body: Value = serde_json::from_slice(&reply.body).ok()?;
    CountTokenPair::from_reply(&body)
}

/// Count's machine-readable error code, for the log (never the body: it could echo a token).
pub(super) fn error_code(reply: &UpstreamReply) -> Option<String> {
    let body: Value = serde_json::from_slice(&reply.body).ok()?;
    ["code", "type", "error"].iter().find_map(|name| {
        body.get(*name)
            .and_then(Value::as_str)
            .map(|s| s.chars().take(64).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use reqwest::header::HeaderMap as ReplyHeaders;

    fn reply(status: u16, body: &str) -> UpstreamReply {
        UpstreamReply {
            status,
            headers: ReplyHeaders::new(),
            body: Bytes::from(body.to_string()),
        }
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
}
