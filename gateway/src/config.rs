//! The gateway's configuration file (TOML). Secrets are references to the environment or to
//! files, never values.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;

use crate::client_ip::ProxyHeader;
use crate::secret::SecretSource;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Exact dashboard origins allowed to call from a browser (`*` is refused).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    #[serde(default = "default_upstream_timeout")]
    pub upstream_timeout_secs: u64,
    /// A client must send a request's whole header within this time (from the connection's
    /// start, or from the first byte of a later request on it).
    #[serde(default = "default_header_read_timeout")]
    pub header_read_timeout_secs: u64,
    /// A kept-alive connection with no request in flight is closed after this long.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// A request (its body included) must be answered within this time, or it gets a 408.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
    /// Connections served at once; more wait in the listen queue until one closes.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Of those, how many one client address may hold (an IPv6 client: its /64); further
    /// connections from it are closed at once. `[limits] trusted_proxies` are not counted.
    #[serde(default = "default_max_connections_per_ip")]
    pub max_connections_per_ip: usize,
    pub tokens: TokenConfig,
    #[serde(default)]
    pub admin: Option<AdminConfig>,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub demo: DemoConfig,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Where bindings, grants, renames, OAuth states, Count's tokens and rate limits live when
    /// several gateways share them (PostgreSQL). Without it, they live in this process and
    /// Count's tokens in their SQLite file.
    #[serde(default)]
    pub store: Option<StoreConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://user:password@host:5432/db?sslmode=require`, from the environment or a file.
    pub url: SecretSource,
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
    /// Seconds to wait for a connection (a store that does not answer makes requests a 503).
    #[serde(default = "default_store_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// A CA certificate (PEM) to trust besides the public ones, for a private database.
    pub ca_file: Option<String>,
}
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The `aud` every token must carry.
    #[serde(default = "default_audience")]
    pub audience: String,
    /// Tokens whose `exp - iat` exceeds this are refused, however well signed.
    #[serde(default = "default_max_lifetime")]
    pub max_lifetime_secs: u64,
    #[serde(default = "default_leeway")]
    pub leeway_secs: u64,
    /// Shared key for HS256 (the gateway can then also mint tokens).
    pub hs256_key: Option<SecretSource>,
    /// Public key (PEM) of a host that signs with EdDSA; the gateway never sees the private key.
    pub eddsa_public_key_file: Option<String>,
    /// Further HS256 keys that verify tokens and never sign one: the next key before the host
    /// signs with it, or the last one while its tokens live (a rotation, replica by replica).
    #[serde(default)]
    pub hs256_accepted_keys: Vec<SecretSource>,
    /// Further EdDSA public keys (PEM files) that verify tokens, for the same rotation.
    #[serde(default)]
    pub eddsa_accepted_public_key_files: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Guards `POST /tokens` and a new Count connection; at least 32 characters.
    pub key: SecretSource,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_per_token")]
    pub per_token_per_minute: u32,
    /// Every token of one `sub` together (a fresh token does not start from zero).
    #[serde(default = "default_per_sub")]
    pub per_sub_per_minute: u32,
    /// Every request from one client address, checked first and in memory.
    #[serde(default = "default_per_ip")]
    pub per_ip_per_minute: u32,
    /// Proxies (CIDRs or addresses) whose `X-Forwarded-For` / `Forwarded` name the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// The header those proxies write, `"x-forwarded-for"` or `"forwarded"` (client_ip.rs says
    /// why it matters). Unset: a request carrying both is believed when they agree.
    #[serde(default)]
    pub proxy_header: Option<ProxyHeader>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            per_token_per_minute: default_per_token(),
            per_sub_per_minute: default_per_sub(),
            per_ip_per_minute: default_per_ip(),
            trusted_proxies: Vec::new(),
            proxy_header: None,
        }
    }
}

impl LimitsConfig {
    /// `trusted_proxies` as networks; a bare address is a network of one.
    pub fn trusted_networks(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("[limits] trusted_proxies: {entry:?} is not an address or a CIDR")
                    })
            })
            .collect()
    }
}

/// DEVELOPMENT ONLY: `POST /demo/token` mints scoped tokens for anyone who asks.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    #[serde(default)]
    pub token_endpoint: bool,
}

/// One `[providers.<name>]` table. Every provider has a `base`; which of the other keys it needs
/// depends on how the provider authenticates, and each adapter refuses the keys it does not use.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The provider's API base (or the sandbox's).
    pub base: String,
    /// The provider credential the gateway attaches (Prolifi `sk_` key, Partnero API key…).
    pub secret_key: Option<SecretSource>,
    /// Where the provider's authorization server lives, when it is not under `base` (Count's
    /// `authorize-intiate`, Commerce Layer's `/oauth/token`).
    pub auth_base: Option<String>,
    /// The OAuth client id (Count partner app, Commerce Layer integration). Not a secret.
    pub client_id: Option<String>,
    /// The OAuth client secret that goes with `client_id`.
    pub client_secret: Option<SecretSource>,
    /// Count: the gateway's own `/count/oauth/callback` URL, as registered with Count.
    pub redirect_uri: Option<String>,
    /// Count: the SQLite file that keeps the workspace's tokens across restarts.
    pub token_store: Option<String>,
    /// Commerce Layer: the scope to ask the integration token for (Commerce Layer's default when
    /// absent).
    pub scope: Option<String>,
}

impl ProviderConfig {
    /// The optional keys that are set, by their config names, so an adapter can refuse the ones
    /// it would silently ignore.
    pub fn keys_set(&self) -> Vec<&'static str> {
        let set = [
            ("secret_key", self.secret_key.is_some()),
            ("auth_base", self.auth_base.is_some()),
            ("client_id", self.client_id.is_some()),
            ("client_secret", self.client_secret.is_some()),
            ("redirect_uri", self.redirect_uri.is_some()),
            ("token_store", self.token_store.is_some()),
            ("scope", self.scope.is_some()),
        ];
        set.iter()
            .filter(|(_, is_set)| *is_set)
            .map(|(name, _)| *name)
            .collect()
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8788))
}
fn default_max_body() -> usize {
    64 * 1024
}
fn default_upstream_timeout() -> u64 {
    20
}
fn default_audience() -> String {
    "customer-form".into()
}
fn default_max_lifetime() -> u64 {
    900
}
fn default_leeway() -> u64 {
    30
}
fn default_per_token() -> u32 {
    120
}
fn default_per_ip() -> u32 {
    600
}
fn default_per_sub() -> u32 {
    600
}
fn default_header_read_timeout() -> u64 {
    10
}
fn default_idle_timeout() -> u64 {
    60
}
fn default_request_timeout() -> u64 {
    60
}
fn default_max_connections_per_ip() -> usize {
    128
}
fn default_max_connections() -> usize {
    512
}
fn default_pool_size() -> usize {
    16
}
fn default_store_connect_timeout() -> u64 {
    5
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if config.allowed_origins.iter().any(|o| o.trim() == "*") {
            return Err("allowed_origins may not contain \"*\": list the dashboard origins".into());
        }
        if config.tokens.hs256_key.is_none() && config.tokens.eddsa_public_key_file.is_none() {
            return Err("[tokens] needs hs256_key or eddsa_public_key_file".into());
        }
        for (name, value) in [
            ("header_read_timeout_secs", config.header_read_timeout_secs),
            ("idle_timeout_secs", config.idle_timeout_secs),
            ("request_timeout_secs", config.request_timeout_secs),
            ("max_connections", config.max_connections as u64),
            (
                "max_connections_per_ip",
                config.max_connections_per_ip as u64,
            ),
            (
                "[tokens] max_lifetime_secs",
                config.tokens.max_lifetime_secs,
            ),
        ] {
            if value == 0 {
                return Err(format!("{name} must be at least 1"));
            }
        }
        config.limits.trusted_networks()?;
        if let Some(store) = &config.store {
            if config
                .providers
                .get("count")
                .is_some_and(|count| count.token_store.is_some())
            {
                return Err(
                    "[providers.count] token_store cannot be used with [store]: \
                            the Count token pair lives in the store (move it there with \
                            `gateway migrate-count-tokens`)"
                        .into(),
                );
            }
            if store.pool_size == 0 {
                return Err("[store] pool_size must be at least 1".into());
            }
        }
        Ok(config)
    }

    pub fn load(path: &str) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Config::parse(&text).map_err(|e| format!("{path}: {e}"))
    }
}
