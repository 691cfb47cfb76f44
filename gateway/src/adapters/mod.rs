//! The seam between the gateway and each provider: how a checked request is given the
//! provider's credential and sent. One file per provider (Count's token store has its own);
//! what they share is here.

mod commercelayer;
mod count;
pub mod count_connect_ticket;
mod count_failure;
mod count_oauth;
mod count_signing;
mod count_tokens;
mod partnero;
mod prolifi;
mod upstream;

// Public so tests (and operators' tooling) can sign a Count request or seed and inspect the
// token store the way the adapter does.
pub use count::token_store_path as count_token_store_path;
pub use count_signing::{partner_headers, signature_base, signature_for};
pub use count_tokens::{CountTokenPair, CountTokenStore};
pub use upstream::Upstream;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Bytes;
use axum::routing::MethodRouter;
use providers::ProviderId;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use crate::config::ProviderConfig;
use crate::secret::Secret;
use crate::store::embedded::EmbeddedStore;
use crate::store::Store;

/// The largest reply the gateway reads from a provider (the widget keeps no more than that
/// anyway); a larger one is refused without being read.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// A request that passed every check, relative to the provider's API base.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub method: reqwest::Method,
    /// Starts with `/`, e.g. `/customers/cus_1001`.
    pub path: String,
    pub query: Option<String>,
    /// Headers passed through from the widget (content type, accept, idempotency key).
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

#[derive(Debug)]
pub struct UpstreamReply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpstreamError {
    Timeout,
    Unreachable,
    /// The reply was over `MAX_REPLY_BYTES`.
    TooLarge,
    /// The gateway's own store did not answer (Count's token pair lives there).
    StoreUnavailable,
}

pub type UpstreamFuture<'a> =
    Pin<Box<dyn Future<Output = Result<UpstreamReply, UpstreamError>> + Send + 'a>>;

pub trait Adapter: Send + Sync {
    fn provider(&self) -> ProviderId;
    fn send<'a>(&'a self, client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a>;

    /// Routes of the gateway's own that this provider needs (Count's OAuth start and callback),
    /// as (path, handler) pairs the app mounts next to the forwarding route.
    fn routes(&self, _context: &RouteContext) -> Vec<(&'static str, MethodRouter)> {
        Vec::new()
    }
}

/// What an adapter's own routes may use from the gateway.
#[derive(Clone)]
pub struct RouteContext {
    pub client: reqwest::Client,
    /// The `[admin]` key, when one is configured.
    pub admin_key: Option<Secret>,
}

/// The adapters for the providers the config names, with the embedded store (Count's tokens in
/// its `token_store` SQLite file), as one gateway on its own runs them.
pub fn build(
    configs: &BTreeMap<String, ProviderConfig>,
) -> Result<BTreeMap<ProviderId, Box<dyn Adapter>>, String> {
    let count_file = match configs.get("count") {
        Some(count) => {
            check_count_config(count)?;
            Some(CountTokenStore::open(count::token_store_path(count))?)
        }
        None => None,
    };
    build_with(
        configs,
        Arc::new(EmbeddedStore::new(count_file)),
        Upstream::new(upstream::DEFAULT_TIMEOUT)?,
    )
}

/// Refuses a `[providers.count]` table with a missing or malformed key before anything (its
/// token file) is created for it.
pub fn check_count_config(config: &ProviderConfig) -> Result<(), String> {
    let upstream = Upstream::new(upstream::DEFAULT_TIMEOUT)?;
    count::CountAdapter::from_config(config, Arc::new(EmbeddedStore::new(None)), upstream).map(drop)
}

/// The adapters, keeping what must be shared (Count's token pair and OAuth states) in `store`,
/// forwarding through `upstream`.
pub fn build_with(
    configs: &BTreeMap<String, ProviderConfig>,
    store: Arc<dyn Store>,
    upstream: Upstream,
) -> Result<BTreeMap<ProviderId, Box<dyn Adapter>>, String> {
    let mut adapters: BTreeMap<ProviderId, Box<dyn Adapter>> = BTreeMap::new();
    for (name, config) in configs {
        let provider = ProviderId::parse(name)
            .ok_or_else(|| format!("unknown provider [providers.{name}]"))?;
        let adapter: Box<dyn Adapter> = match provider {
            ProviderId::Prolifi => Box::new(prolifi::ProlifiAdapter::from_config(
                config,
                upstream.clone(),
            )?),
            ProviderId::Partnero => Box::new(partnero::PartneroAdapter::from_config(
                config,
                upstream.clone(),
            )?),
            ProviderId::Count => Box::new(count::CountAdapter::from_config(
                config,
                Arc::clone(&store),
                upstream.clone(),
            )?),
            ProviderId::CommerceLayer => Box::new(
                commercelayer::CommerceLayerAdapter::from_config(config, upstream.clone())?,
            ),
        };
        adapters.insert(provider, adapter);
    }
    Ok(adapters)
}

/// Refuses the optional keys of `[providers.<provider>]` that this adapter does not read, so a
/// misplaced setting is an error rather than silently ignored.
fn only_keys(provider: &str, config: &ProviderConfig, allowed: &[&str]) -> Result<(), String> {
    match config
        .keys_set()
        .into_iter()
        .find(|key| !allowed.contains(key))
    {
        Some(key) => Err(format!(
            "[providers.{provider}] does not use `{key}` (it takes: base, {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// A required plain (non-secret) string setting.
fn required<'a>(provider: &str, key: &str, value: &'a Option<String>) -> Result<&'a str, String> {
    match value.as_deref().map(str::trim) {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("[providers.{provider}] needs {key}")),
    }
}

/// An http(s) URL setting, without its trailing slash.
fn http_url(provider: &str, key: &str, value: &str) -> Result<String, String> {
    let url = value.trim().trim_end_matches('/');
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.to_string())
    } else {
        Err(format!(
            "[providers.{provider}] {key} must be an http(s) URL, not {value:?}"
        ))
    }
}

/// The gateway's own reply in place of a token endpoint's refusal that the widget may wait out
/// (a 429, kept with its `Retry-After`) or try again later (anything else, as a 503). That
/// request carried a provider secret (Commerce Layer's client secret, Count's refresh token),
/// so nothing else of what the endpoint wrote back (its body, its other headers) reaches the
/// page. `body` makes the provider-shaped error for the status.
fn token_endpoint_busy(
    reply: &UpstreamReply,
    content_type: &'static str,
    body: impl FnOnce(u16) -> serde_json::Value,
) -> UpstreamReply {
    let status = if reply.status == 429 { 429 } else { 503 };
    let mut own = json_reply(status, content_type, &body(status));
    if let Some(wait) = reply.headers.get(RETRY_AFTER).filter(|_| status == 429) {
        own.headers.insert(RETRY_AFTER, wait.clone());
    }
    own
}

/// A reply the gateway makes itself in place of the provider's (e.g. "not connected yet").
fn json_reply(status: u16, content_type: &'static str, body: &serde_json::Value) -> UpstreamReply {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    UpstreamReply {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    }
}

/// Sends a built request and reads the whole reply, up to `MAX_REPLY_BYTES`.
pub async fn receive(request: reqwest::RequestBuilder) -> Result<UpstreamReply, UpstreamError> {
    let response = request.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = read_capped(response).await?;
    Ok(UpstreamReply {
        status,
        headers,
        body,
    })
}

/// The body of a reply, read as it streams in and abandoned (the connection closed) as soon as
/// it is known to be over `MAX_REPLY_BYTES`: a huge reply never sits in memory.
pub async fn read_capped(mut response: reqwest::Response) -> Result<Bytes, UpstreamError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_REPLY_BYTES as u64)
    {
        return Err(UpstreamError::TooLarge);
    }
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(8 * 1024, |length| length as usize),
    );
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(UpstreamError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

fn classify(error: reqwest::Error) -> UpstreamError {
    if error.is_timeout() {
        UpstreamError::Timeout
    } else {
        UpstreamError::Unreachable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn built(providers: &str) -> Result<Vec<ProviderId>, String> {
        std::env::set_var(
            "ADAPTERS_UNIT_HS256",
            "adapters-unit-test-hs256-key-0123456789",
        );
        std::env::set_var("ADAPTERS_UNIT_SECRET", "sk_test_unit");
        let config = Config::parse(&format!(
            "[tokens]\nhs256_key = {{ env = \"ADAPTERS_UNIT_HS256\" }}\n{providers}"
        ))?;
        build(&config.providers).map(|adapters| adapters.into_keys().collect())
    }

    #[test]
    fn each_provider_is_built_from_its_own_keys() {
        let providers = built(
            r#"
            [providers.prolifi]
            base = "https://api.prolifi.co/api/v1/public"
            secret_key = { env = "ADAPTERS_UNIT_SECRET" }
            [providers.partnero]
            base = "https://api.partnero.com/v1"
            secret_key = { env = "ADAPTERS_UNIT_SECRET" }
            [providers.commercelayer]
            base = "https://example.commercelayer.io/api"
            client_id = "integration"
            client_secret = { env = "ADAPTERS_UNIT_SECRET" }
            "#,
        );
        assert_eq!(
            providers,
            Ok(vec![
                ProviderId::Partnero,
                ProviderId::Prolifi,
                ProviderId::CommerceLayer
            ])
        );
    }

    /// The example with its commented settings switched on; `without` drops the lines that
    /// contain it (the example shows both ways to keep Count's tokens, which exclude each other).
    fn uncommented_example(without: &str) -> String {
        include_str!("../../gateway.example.toml")
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => line,
            })
            .filter(|line| !line.contains(without))
            .map(|line| format!("{line}\n"))
            .collect()
    }

    #[test]
    fn the_example_config_parses_with_every_provider_uncommented() {
        let config = Config::parse(&uncommented_example("token_store")).unwrap();
        let names: Vec<&str> = config.providers.keys().map(String::as_str).collect();
        assert_eq!(names, ["commercelayer", "count", "partnero", "prolifi"]);
        let count = &config.providers["count"];
        assert_eq!(count.client_id.as_deref(), Some("your-count-client-id"));
        let store = config.store.as_ref().unwrap();
        assert_eq!(store.pool_size, 16);
        assert_eq!(
            config.limits.trusted_networks().unwrap(),
            ["127.0.0.1/32".parse::<ipnet::IpNet>().unwrap()]
        );
        // Without the store, Count's tokens go to their file.
        let single = uncommented_example("[store]")
            .lines()
            .filter(|l| {
                !l.starts_with("url =")
                    && !l.starts_with("pool_size")
                    && !l.starts_with("connect_timeout")
                    && !l.starts_with("ca_file")
            })
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let config = Config::parse(&single).unwrap();
        assert_eq!(
            config.providers["count"].token_store.as_deref(),
            Some("/var/lib/customer-form/count.sqlite")
        );
        // Both at once is refused.
        let both = Config::parse(&uncommented_example("no line contains this")).unwrap_err();
        assert!(
            both.contains("token_store cannot be used with [store]"),
            "{both}"
        );
    }

    #[test]
    fn misconfigured_providers_are_refused_with_a_reason() {
        let refused = |providers: &str| built(providers).err().unwrap_or_default();
        assert!(refused("[providers.shopify]\nbase = \"https://x.test\"")
            .contains("unknown provider [providers.shopify]"));
        assert!(refused("[providers.partnero]\nbase = \"https://x.test\"")
            .contains("[providers.partnero] needs secret_key"));
        assert!(refused(
            "[providers.prolifi]\nbase = \"https://x.test\"\nsecret_key = { env = \"ADAPTERS_UNIT_SECRET\" }\nclient_id = \"x\""
        )
        .contains("[providers.prolifi] does not use `client_id`"));
        assert!(refused(
            "[providers.commercelayer]\nbase = \"https://x.test/api\"\nclient_id = \"sales\""
        )
        .contains("needs client_secret"));
        assert!(refused(
            "[providers.partnero]\nbase = \"api.partnero.com\"\nsecret_key = { env = \"ADAPTERS_UNIT_SECRET\" }"
        )
        .contains("base must be an http(s) URL"));
        let count = "[providers.count]\nbase = \"https://api.getcount.com/partners\"\nclient_id = \"c\"\nclient_secret = { env = \"ADAPTERS_UNIT_SECRET\" }";
        assert!(refused(count).contains("[providers.count] needs redirect_uri"));
        assert!(refused(&format!(
            "{count}\nredirect_uri = \"https://gw.test/count/oauth/callback?x=1\""
        ))
        .contains("must not have a query"));
    }
}
