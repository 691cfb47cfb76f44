//! Partnero: the program's API key as a Bearer token, and `Accept: application/json` (Partnero is
//! a Laravel API: without it, errors come back as HTML redirects instead of JSON).

use providers::ProviderId;

use super::{http_url, only_keys, Adapter, Outgoing, Upstream, UpstreamFuture};
use crate::config::ProviderConfig;
use crate::secret::Secret;

pub struct PartneroAdapter {
    base: String,
    /// `Bearer <key>`, made once: formatting it for every request was ~0.5k instructions of a
    /// forwarded read (callgrind).
    authorization: Secret,
    upstream: Upstream,
}

impl PartneroAdapter {
    pub fn from_config(
        config: &ProviderConfig,
        upstream: Upstream,
    ) -> Result<PartneroAdapter, String> {
        only_keys("partnero", config, &["secret_key"])?;
        let key = config
            .secret_key
            .as_ref()
            .ok_or("[providers.partnero] needs secret_key (the program's API key)")?
            .load()?;
        Ok(PartneroAdapter {
            base: http_url("partnero", "base", &config.base)?,
            authorization: Secret::new(format!("Bearer {}", key.expose())),
            upstream,
        })
    }
}

impl Adapter for PartneroAdapter {
    fn provider(&self) -> ProviderId {
        ProviderId::Partnero
    }

    fn send<'a>(&'a self, _client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a> {
        let authorization = self.authorization.expose().to_owned();
        Box::pin(self.upstream.send(
            &self.base,
            outgoing,
            vec![
                ("authorization", authorization),
                ("accept", "application/json".to_string()),
            ],
        ))
    }
}
