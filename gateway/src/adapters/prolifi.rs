//! Prolifi: the secret `sk_` key as a Bearer token; `Idempotency-Key` passes through.

use providers::ProviderId;

use super::{only_keys, Adapter, Outgoing, Upstream, UpstreamFuture};
use crate::config::ProviderConfig;
use crate::secret::Secret;

pub struct ProlifiAdapter {
    base: String,
    /// `Bearer <key>`, made once: formatting it for every request was ~0.5k instructions of a
    /// forwarded read (callgrind).
    authorization: Secret,
    upstream: Upstream,
}

impl ProlifiAdapter {
    pub fn from_config(
        config: &ProviderConfig,
        upstream: Upstream,
    ) -> Result<ProlifiAdapter, String> {
        only_keys("prolifi", config, &["secret_key"])?;
        let key = config
            .secret_key
            .as_ref()
            .ok_or("[providers.prolifi] needs secret_key")?
            .load()?;
        if !key.expose().starts_with("sk_") {
            return Err(
                "[providers.prolifi] secret_key must be a secret key (sk_test_… or sk_live_…)"
                    .into(),
            );
        }
        Ok(ProlifiAdapter {
            base: config.base.clone(),
            authorization: Secret::new(format!("Bearer {}", key.expose())),
            upstream,
        })
    }
}

impl Adapter for ProlifiAdapter {
    fn provider(&self) -> ProviderId {
        ProviderId::Prolifi
    }

    fn send<'a>(&'a self, _client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a> {
        let authorization = self.authorization.expose().to_owned();
        Box::pin(
            self.upstream
                .send(&self.base, outgoing, vec![("authorization", authorization)]),
        )
    }
}
