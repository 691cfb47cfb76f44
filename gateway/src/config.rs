//! The gateway's configuration file (TOML). Secrets are references to the environment or to
//! files, never values.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;

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
    pub tokens: TokenConfig,
    #[serde(default)]
    pub admin: Option<AdminConfig>,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub demo: DemoConfig,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
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
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Guards `POST /tokens`.
    pub key: SecretSource,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_per_token")]
    pub per_token_per_minute: u32,
    #[serde(default = "default_per_ip")]
    pub per_ip_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            per_token_per_minute: default_per_token(),
            per_ip_per_minute: default_per_ip(),
        }
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

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if config.allowed_origins.iter().any(|o| o.trim() == "*") {
            return Err("allowed_origins may not contain \"*\": list the dashboard origins".into());
        }
        if config.tokens.hs256_key.is_none() && config.tokens.eddsa_public_key_file.is_none() {
            return Err("[tokens] needs hs256_key or eddsa_public_key_file".into());
        }
        Ok(config)
    }

    pub fn load(path: &str) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Config::parse(&text).map_err(|e| format!("{path}: {e}"))
    }
}
