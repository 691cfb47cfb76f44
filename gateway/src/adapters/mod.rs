//! The seam between the gateway and each provider: how a checked request is given the
//! provider's credential and sent. One file per provider.

mod prolifi;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use axum::body::Bytes;
use providers::ProviderId;
use reqwest::header::HeaderMap;

use crate::config::ProviderConfig;

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
}

pub type UpstreamFuture<'a> =
    Pin<Box<dyn Future<Output = Result<UpstreamReply, UpstreamError>> + Send + 'a>>;

pub trait Adapter: Send + Sync {
    fn provider(&self) -> ProviderId;
    fn send<'a>(&'a self, client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a>;
}

/// The adapters for the providers the config names.
pub fn build(
    configs: &BTreeMap<String, ProviderConfig>,
) -> Result<BTreeMap<ProviderId, Box<dyn Adapter>>, String> {
    let mut adapters: BTreeMap<ProviderId, Box<dyn Adapter>> = BTreeMap::new();
    for (name, config) in configs {
        let provider = ProviderId::parse(name)
            .ok_or_else(|| format!("unknown provider [providers.{name}]"))?;
        let adapter: Box<dyn Adapter> = match provider {
            ProviderId::Prolifi => Box::new(prolifi::ProlifiAdapter::from_config(config)?),
            other => {
                return Err(format!(
                    "[providers.{name}]: the {} adapter is not available yet",
                    other.display_name()
                ))
            }
        };
        adapters.insert(provider, adapter);
    }
    Ok(adapters)
}

/// Sends with the given extra headers (the credential) to `base` + path + query, without
/// following redirects (a redirect must never carry a secret to another host).
pub async fn send_plain(
    client: &reqwest::Client,
    base: &str,
    outgoing: Outgoing,
    credential_headers: Vec<(&'static str, String)>,
) -> Result<UpstreamReply, UpstreamError> {
    let mut url = format!("{}{}", base.trim_end_matches('/'), outgoing.path);
    if let Some(query) = &outgoing.query {
        url.push('?');
        url.push_str(query);
    }
    let mut request = client.request(outgoing.method, url);
    for (name, value) in &outgoing.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    for (name, value) in credential_headers {
        request = request.header(name, value);
    }
    if !outgoing.body.is_empty() {
        request = request.body(outgoing.body);
    }
    let response = request.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(classify)?;
    Ok(UpstreamReply {
        status,
        headers,
        body,
    })
}

fn classify(error: reqwest::Error) -> UpstreamError {
    if error.is_timeout() {
        UpstreamError::Timeout
    } else {
        UpstreamError::Unreachable
    }
}
