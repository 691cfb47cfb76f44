//! The customer-form gateway: holds the provider secrets, checks scoped tokens, validates
//! requests with the widget's own contract crate, and forwards them to the providers.

pub mod adapters;
pub mod allocator;
pub mod authority;
pub mod body;
pub mod claims;
pub mod client_ip;
pub mod config;
pub mod connections_per_ip;
pub mod cors;
pub mod edge;
pub mod fast_map;
pub mod forward;
pub mod health;
pub mod limits;
mod lock;
pub mod log;
pub mod minting;
pub mod rate_limit;
pub mod reference;
pub mod replies;
pub mod reply_identity;
pub mod routes;
pub mod scope;
pub mod secret;
pub mod server;
pub mod store;
pub mod tokens;
pub mod verified;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use providers::ProviderId;
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::adapters::{Adapter, CountTokenStore};
use crate::config::Config;
use crate::rate_limit::RateLimiter;
use crate::secret::Secret;
use crate::store::embedded::EmbeddedStore;
use crate::store::postgres::PostgresStore;
use crate::store::Store;
use crate::tokens::TokenKeys;
use crate::verified::TokenCache;

/// The shortest admin key accepted: it guards minting and a new Count connection.
pub const MIN_ADMIN_KEY_CHARS: usize = 32;
/// How often expired store entries are removed.
const CLEAN_UP_EVERY: Duration = Duration::from_secs(60);

pub struct AppState {
    pub config: Config,
    pub keys: TokenKeys,
    pub adapters: BTreeMap<ProviderId, Box<dyn Adapter>>,
    pub client: reqwest::Client,
    pub ip_limiter: RateLimiter,
    pub admin_key: Option<Secret>,
    pub trusted_proxies: client_ip::TrustedProxies,
    /// Bindings, grants, renames, Count's tokens and OAuth states, per-user limits.
    pub store: Arc<dyn Store>,
    pub token_cache: TokenCache,
    /// The last `/healthz` answer, kept a second (`health.rs`).
    pub health: health::HealthCheck,
}

impl AppState {
    /// Builds the gateway from its config. No connection to a PostgreSQL store is made yet:
    /// `serve` prepares it (or call `store.prepare()`).
    pub fn new(config: Config) -> Result<AppState, String> {
        let keys = TokenKeys::from_config(&config.tokens)?;
        let admin_key = config.admin.as_ref().map(|a| a.key.load()).transpose()?;
        if admin_key
            .as_ref()
            .is_some_and(|key| key.expose().chars().count() < MIN_ADMIN_KEY_CHARS)
        {
            return Err(format!(
                "[admin] key must be at least {MIN_ADMIN_KEY_CHARS} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        let store = open_store(&config)?;
        let upstream = adapters::Upstream::new(Duration::from_secs(config.upstream_timeout_secs))?;
        let adapters = adapters::build_with(&config.providers, Arc::clone(&store), upstream)?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.upstream_timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            // reqwest's default policy clones every request to retry HTTP/2 refusals, which this
            // HTTP/1.1 client never gets; and a write must never be sent twice on our own.
            .retry(reqwest::retry::never())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(AppState {
            ip_limiter: RateLimiter::new(config.limits.per_ip_per_minute),
            trusted_proxies: client_ip::TrustedProxies {
                networks: config.limits.trusted_networks()?,
                header: config.limits.proxy_header,
            },
            config,
            keys,
            adapters,
            client,
            admin_key,
            store,
            token_cache: TokenCache::default(),
            health: health::HealthCheck::default(),
        })
    }
}

/// PostgreSQL when `[store]` says so; otherwise this process, with Count's tokens in their
/// SQLite file.
fn open_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    if let Some(store) = &config.store {
        // A connection within twice `connect_timeout_secs` (the pool's wait, then a new
        // connection's), two statements within PostgreSQL's `statement_timeout` each (a binding,
        // an OAuth state), and a second to spare: 21 s with the defaults.
        let limit = std::time::Duration::from_millis(
            store
                .connect_timeout_secs
                .saturating_mul(2000)
                .saturating_add(store::postgres_setup::STATEMENT_TIMEOUT_MS.saturating_mul(2))
                .saturating_add(1000),
        );
        let postgres: Arc<dyn Store> = Arc::new(PostgresStore::new(store)?);
        return Ok(Arc::new(store::timed::Timed::new(postgres, limit)));
    }
    let count_file = match config.providers.get("count") {
        Some(count) => {
            adapters::check_count_config(count)?;
            let file = CountTokenStore::open(adapters::count_token_store_path(count))?;
            let pair = file.load()?;
            log::event(
                "count_token_store",
                &[
                    ("path", json!(file.path())),
                    ("connected", json!(pair.is_some())),
                    (
                        "workspace",
                        json!(pair.as_ref().and_then(|p| p.workspace_name.clone())),
                    ),
                ],
            );
            Some(file)
        }
        None => None,
    };
    Ok(Arc::new(EmbeddedStore::new(count_file)))
}

/// The gateway as an axum `Router` (for embedding it, and for tests).
pub fn app(state: Arc<AppState>) -> Router {
    Router::new().fallback_service(service(state))
}

/// The gateway's routes behind the layers every request goes through, as the server calls it:
/// directly, not through an outer `Router` (a route lookup and a boxed call per request for
/// nothing).
pub fn service(state: Arc<AppState>) -> impl server::App + Sync {
    let max_body = state.config.max_body_bytes;
    let request_timeout = Duration::from_secs(state.config.request_timeout_secs);
    let mut router = Router::new()
        .route("/healthz", get(health))
        .route("/tokens", post(minting::admin_tokens))
        .route("/demo/token", post(minting::demo_token))
        .route("/{provider}/{*rest}", any(forward::forward));
    // The router's fixed paths, which win over forwarding (`routes.rs`).
    let mut own: HashSet<&'static str> = ["/healthz", "/tokens", "/demo/token"].into();
    // Routes an adapter serves itself (Count's OAuth start and callback). Their fixed paths win
    // over the forwarding route's `/{provider}/…`.
    let context = adapters::RouteContext {
        client: state.client.clone(),
        admin_key: state.admin_key.clone(),
    };
    for adapter in state.adapters.values() {
        for (path, handler) in adapter.routes(&context) {
            own.insert(path);
            router = router.route_service(path, handler);
        }
    }
    // The layers wrap the whole router once, outermost first, rather than each route through
    // `Router::layer`: that boxes every route again per layer, and each request then cloned and
    // called seven boxed services on its way in (measured: the layers were 25k of the 147k
    // instructions of a forwarded read under callgrind, a sixth of them; see the commit for the
    // bench figures). Unmatched paths go through them too, as before.
    let layers = tower::ServiceBuilder::new()
        .map_response(|response: axum::http::Response<_>| response.into_response())
        .layer(edge::no_store())
        .layer(edge::no_sniff())
        .layer(cors::CorsLayer::new(edge::cors(
            &state.config.allowed_origins,
        )))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(edge::GuardLayer::new(Arc::clone(&state)))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(DefaultBodyLimit::disable());
    let router = router.with_state(Arc::clone(&state));
    layers.service(routes::Routes::new(router, state, own))
}

/// `ok` while the gateway can serve; a 503 saying why when its store is unreachable (a load
/// balancer then sends requests to another replica).
async fn health(State(state): State<Arc<AppState>>) -> Response {
    let check = async {
        match state.store.health().await {
            Ok(()) => health::Health::Ok,
            Err(error) => {
                log::store_failed(&error);
                health::Health::Unreachable
            }
        }
    };
    let why = match state.health.get(Instant::now(), check).await {
        health::Health::Ok => return "ok".into_response(),
        health::Health::Unreachable => "is unreachable",
        health::Health::NoAnswer => "did not answer",
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("store unavailable: {} {why}", state.store.kind()),
    )
        .into_response()
}

/// Serves on `config.listen` (port 0 picks one) and prints `gateway listening on <url>`; stops
/// on SIGTERM or Ctrl-C after the requests in flight.
pub async fn serve(state: AppState) -> Result<(), String> {
    let state = Arc::new(state);
    state
        .store
        .prepare()
        .await
        .map_err(|e| format!("the store is not ready: {e}"))?;
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
    if let Some(warning) = state.trusted_proxies.warning() {
        log::event("warning", &[("message", warning.into())]);
    }
    log::event(
        "listening",
        &[
            ("address", json!(address.to_string())),
            ("store", json!(state.store.kind())),
        ],
    );
    println!("gateway listening on http://{address}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    spawn_clean_up(Arc::clone(&state.store));
    let limits = server::EdgeLimits::from_config(&state.config);
    let per_ip = per_ip_of(&state);
    server::serve_on(listener, service(state), limits, per_ip, shutdown_signal()).await;
    log::flush();
    Ok(())
}

/// Serves `state` on `listener` the way `serve` does, until `shutdown` (for tests and embedding).
pub async fn serve_listener(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) {
    spawn_clean_up(Arc::clone(&state.store));
    let limits = server::EdgeLimits::from_config(&state.config);
    let per_ip = per_ip_of(&state);
    server::serve_on(listener, service(state), limits, per_ip, shutdown).await;
}

/// The cap on one address's connections (`max_connections_per_ip`), the trusted proxies aside.
fn per_ip_of(state: &AppState) -> connections_per_ip::ConnectionsPerIp {
    connections_per_ip::ConnectionsPerIp::new(
        state.config.max_connections_per_ip,
        state.trusted_proxies.clone(),
    )
}

/// The store's periodic clean-up, and the request log written out every `log::FLUSH_EVERY`.
fn spawn_clean_up(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(log::FLUSH_EVERY);
        loop {
            every.tick().await;
            log::flush();
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CLEAN_UP_EVERY);
        loop {
            every.tick().await;
            if let Err(error) = store.clean_up(tokens::now_secs()).await {
                log::store_failed(&error);
            }
        }
    });
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
