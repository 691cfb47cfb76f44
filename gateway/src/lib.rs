//! The customer-form gateway: holds the provider secrets, checks scoped tokens, validates
//! requests with the widget's own contract crate, and forwards them to the providers.

pub mod adapters;
pub mod claims;
pub mod config;
pub mod edge;
pub mod forward;
pub mod log;
pub mod minting;
pub mod rate_limit;
pub mod replies;
pub mod scope;
pub mod secret;
pub mod tokens;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::Router;
use providers::ProviderId;

use crate::adapters::Adapter;
use crate::config::Config;
use crate::rate_limit::RateLimiter;
use crate::secret::Secret;
use crate::tokens::TokenKeys;

pub struct AppState {
    pub config: Config,
    pub keys: TokenKeys,
    pub adapters: BTreeMap<ProviderId, Box<dyn Adapter>>,
    pub client: reqwest::Client,
    pub ip_limiter: RateLimiter,
    pub token_limiter: RateLimiter,
    pub admin_key: Option<Secret>,
    /// Records each token created or changed (their ids), which that token may then read and update.
    touched: Mutex<HashMap<String, HashSet<String>>>,
    /// Whether a path id names a token's customer, as the provider answered.
    resolved: Mutex<HashMap<String, bool>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl AppState {
    pub fn new(config: Config) -> Result<AppState, String> {
        let keys = TokenKeys::from_config(&config.tokens)?;
        let adapters = adapters::build(&config.providers)?;
        let admin_key = config.admin.as_ref().map(|a| a.key.load()).transpose()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.upstream_timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(AppState {
            ip_limiter: RateLimiter::new(config.limits.per_ip_per_minute),
            token_limiter: RateLimiter::new(config.limits.per_token_per_minute),
            config,
            keys,
            adapters,
            client,
            admin_key,
            touched: Mutex::new(HashMap::new()),
            resolved: Mutex::new(HashMap::new()),
        })
    }

    /// Whether this token created or changed the record with this id.
    pub fn touched(&self, token_id: &str, id: &str) -> bool {
        lock(&self.touched)
            .get(token_id)
            .is_some_and(|ids| ids.contains(id))
    }

    pub fn remember_touched(&self, token_id: &str, ids: Vec<String>) {
        let mut touched = lock(&self.touched);
        if touched.len() > 100_000 {
            touched.clear();
        }
        touched.entry(token_id.to_string()).or_default().extend(ids);
    }

    pub fn resolved(&self, key: &str) -> Option<bool> {
        lock(&self.resolved).get(key).copied()
    }

    pub fn remember_resolved(&self, key: String, same: bool) {
        let mut resolved = lock(&self.resolved);
        if resolved.len() > 100_000 {
            resolved.clear();
        }
        resolved.insert(key, same);
    }
}

pub fn app(state: Arc<AppState>) -> Router {
    let max_body = state.config.max_body_bytes;
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/tokens", post(minting::admin_tokens))
        .route("/demo/token", post(minting::demo_token))
        .route("/{provider}/{*rest}", any(forward::forward));
    // Routes an adapter serves itself (Count's OAuth start and callback). Their fixed paths win
    // over the forwarding route's `/{provider}/…`.
    let context = adapters::RouteContext {
        client: state.client.clone(),
        admin_key: state.admin_key.clone(),
    };
    for adapter in state.adapters.values() {
        for (path, handler) in adapter.routes(&context) {
            router = router.route_service(path, handler);
        }
    }
    router
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            edge::edge,
        ))
        .with_state(state)
}

/// Serves on `config.listen` (port 0 picks one) and prints `gateway listening on <url>`.
pub async fn serve(state: AppState) -> Result<(), String> {
    let state = Arc::new(state);
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", state.config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    if state.config.demo.token_endpoint {
        log::event(
            "warning",
            &[(
                "message",
                "the demo token endpoint is ON: anyone can mint tokens (development only)".into(),
            )],
        );
    }
    println!("gateway listening on http://{address}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// SIGTERM or Ctrl-C: stop taking requests and let those in flight finish, so a Count refresh
/// already under way gets to store the rotated refresh token.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    log::event("shutdown", &[]);
}
