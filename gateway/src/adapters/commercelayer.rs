//! Commerce Layer through an integration: the gateway trades the integration's client id and
//! secret for an access token (`client_credentials`), keeps it until shortly before it expires,
//! and sends it as a Bearer token. The widget's JSON:API `Accept` and `Content-Type` pass through
//! unchanged: Commerce Layer answers 406/415 to anything else, and that is the widget's to fix.
//!
//! A 401 whose `errors[]` has the code `INVALID_TOKEN` (what the official SDK treats as an expired
//! token) gets one new token and one retry. Only one token request is in flight at a time: the
//! token endpoint allows 30 requests a minute, shared by everything on the organization.

use std::time::{Duration, Instant};

use providers::ProviderId;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::{
    classify, http_url, json_reply, only_keys, read_capped, required, Adapter, Outgoing, Upstream,
    UpstreamError, UpstreamFuture, UpstreamReply,
};
use crate::config::ProviderConfig;
use crate::log;
use crate::secret::Secret;

/// The documented global token endpoint's host (the per-organization one is deprecated).
const DEFAULT_AUTH_BASE: &str = "https://auth.commercelayer.io";
const JSON_API: &str = "application/vnd.api+json";
/// A token is renewed this long before Commerce Layer says it expires (at most half its
/// lifetime), so it does not run out between being read here and being checked there.
const RENEW_BEFORE: Duration = Duration::from_secs(60);
/// Kept for when a token reply has no `expires_in`; if the token dies sooner, the 401 retry
/// recovers.
const ASSUMED_LIFETIME: Duration = Duration::from_secs(300);

pub struct CommerceLayerAdapter {
    base: String,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    /// The cached token. Held across a token request, which makes the renewal single-flight.
    token: Mutex<Option<CachedToken>>,
    upstream: Upstream,
}

struct CachedToken {
    value: Secret,
    renew_at: Instant,
}

/// Why no token could be had: the request failed, or Commerce Layer answered with something
/// that is already a reply for the widget.
enum TokenFailure {
    Upstream(UpstreamError),
    Reply(UpstreamReply),
}

impl CommerceLayerAdapter {
    pub fn from_config(
        config: &ProviderConfig,
        upstream: Upstream,
    ) -> Result<CommerceLayerAdapter, String> {
        const NAME: &str = "commercelayer";
        only_keys(
            NAME,
            config,
            &["auth_base", "client_id", "client_secret", "scope"],
        )?;
        let client_id = required(NAME, "client_id", &config.client_id)?.to_string();
        let client_secret = config
            .client_secret
            .as_ref()
            .ok_or(
                "[providers.commercelayer] needs client_secret: the gateway uses an integration \
                 (a sales channel is for the browser and needs no gateway)",
            )?
            .load()?;
        let auth_base = http_url(
            NAME,
            "auth_base",
            config.auth_base.as_deref().unwrap_or(DEFAULT_AUTH_BASE),
        )?;
        Ok(CommerceLayerAdapter {
            base: http_url(NAME, "base", &config.base)?,
            token_url: format!("{auth_base}/oauth/token"),
            client_id,
            client_secret,
            scope: config.scope.clone().filter(|s| !s.trim().is_empty()),
            token: Mutex::new(None),
            upstream,
        })
    }

    async fn send_with_token(
        &self,
        client: &reqwest::Client,
        outgoing: Outgoing,
    ) -> Result<UpstreamReply, UpstreamError> {
        let token = match self.token(client, None).await {
            Ok(token) => token,
            Err(TokenFailure::Upstream(error)) => return Err(error),
            Err(TokenFailure::Reply(reply)) => return Ok(reply),
        };
        let reply = self
            .upstream
            .send(&self.base, outgoing.clone(), bearer(&token))
            .await?;
        if !is_invalid_token(&reply) {
            return Ok(reply);
        }
        let token = match self.token(client, Some(&token)).await {
            Ok(token) => token,
            Err(TokenFailure::Upstream(error)) => return Err(error),
            Err(TokenFailure::Reply(reply)) => return Ok(reply),
        };
        self.upstream
            .send(&self.base, outgoing, bearer(&token))
            .await
    }

    /// The cached token, or a new one when there is none, it is about to expire, or it is the
    /// one Commerce Layer just refused (`rejected`). Callers that were waiting while another
    /// renewed it get the renewed token without asking again.
    async fn token(
        &self,
        client: &reqwest::Client,
        rejected: Option<&Secret>,
    ) -> Result<Secret, TokenFailure> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            let refused = rejected.is_some_and(|r| *r == token.value);
            if !refused && Instant::now() < token.renew_at {
                return Ok(token.value.clone());
            }
        }
        *cached = None;
        let fresh = self.request_token(client).await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    async fn request_token(&self, client: &reqwest::Client) -> Result<CachedToken, TokenFailure> {
        let mut body = json!({
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
        });
        if let Some(scope) = &self.scope {
            body["scope"] = json!(scope);
        }
        let asked_at = Instant::now();
        let response = client
            .post(&self.token_url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| TokenFailure::Upstream(classify(e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = read_capped(response)
            .await
            .map_err(TokenFailure::Upstream)?;
        let reply = UpstreamReply {
            status,
            headers,
            body: bytes,
        };
        match parse_token_reply(&reply) {
            Some((value, expires_in)) => {
                log::event(
                    "commercelayer_token",
                    &[("expires_in", json!(expires_in.map(|d| d.as_secs())))],
                );
                Ok(CachedToken {
                    value,
                    renew_at: asked_at + keep_for(expires_in.unwrap_or(ASSUMED_LIFETIME)),
                })
            }
            None => Err(TokenFailure::Reply(token_refused(reply))),
        }
    }
}

impl Adapter for CommerceLayerAdapter {
    fn provider(&self) -> ProviderId {
        ProviderId::CommerceLayer
    }

    fn send<'a>(&'a self, client: &'a reqwest::Client, outgoing: Outgoing) -> UpstreamFuture<'a> {
        Box::pin(self.send_with_token(client, outgoing))
    }
}

fn bearer(token: &Secret) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {}", token.expose()))]
}

/// How long a token with this lifetime is used before a new one is asked for.
fn keep_for(lifetime: Duration) -> Duration {
    lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 2))
}

/// `(access_token, expires_in)` from a 2xx token reply; `None` for anything else.
fn parse_token_reply(reply: &UpstreamReply) -> Option<(Secret, Option<Duration>)> {
    if !(200..300).contains(&reply.status) {
        return None;
    }
    let body: Value = serde_json::from_slice(&reply.body).ok()?;
    let token = body
        .get("access_token")?
        .as_str()
        .filter(|t| !t.is_empty())?;
    let expires_in = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .map(Duration::from_secs);
    Some((Secret::new(token), expires_in))
}

/// Commerce Layer's own word for "this token is no good (any more)".
fn is_invalid_token(reply: &UpstreamReply) -> bool {
    if reply.status != 401 {
        return false;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&reply.body) else {
        return false;
    };
    body.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e.get("code").and_then(Value::as_str) == Some("INVALID_TOKEN"))
        })
}

/// The widget's reply when the token endpoint said no. A rate limit is said as Commerce Layer
/// would, with its `Retry-After` (the widget backs off), and nothing else of that reply
/// (`token_endpoint_busy`); anything else means the integration's credentials are wrong, which
/// is the operator's to fix, so the widget gets a 503 and the log says why.
fn token_refused(reply: UpstreamReply) -> UpstreamReply {
    if reply.status == 429 {
        return super::token_endpoint_busy(&reply, JSON_API, |_| {
            json!({"errors": [{
                "title": "Too many requests",
                "detail": "Commerce Layer is limiting token requests; try again shortly.",
                "code": "TOO_MANY_REQUESTS",
                "status": "429",
            }]})
        });
    }
    let code = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|body| {
            body.pointer("/errors/0/code")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    log::event(
        "commercelayer_token_refused",
        &[("status", json!(reply.status)), ("code", json!(code))],
    );
    json_reply(
        503,
        JSON_API,
        &json!({"errors": [{
            "title": "Service unavailable",
            "detail": "The gateway could not get a Commerce Layer access token. Check its integration credentials.",
            "code": "GATEWAY_TOKEN_UNAVAILABLE",
            "status": "503",
        }]}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use reqwest::header::HeaderMap;

    fn reply(status: u16, body: &str) -> UpstreamReply {
        UpstreamReply {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn only_a_401_with_the_invalid_token_code_asks_for_a_new_token() {
        let invalid =
            r#"{"errors":[{"title":"Invalid token","code":"INVALID_TOKEN","status":"401"}]}"#;
        assert!(is_invalid_token(&reply(401, invalid)));
        let denied =
            r#"{"errors":[{"title":"Access denied","code":"UNAUTHORIZED","status":"401"}]}"#;
        assert!(!is_invalid_token(&reply(401, denied)));
        assert!(!is_invalid_token(&reply(422, invalid)));
        assert!(!is_invalid_token(&reply(401, "<html>")));
    }

    #[test]
    fn token_replies_are_read_without_trusting_them() {
        let (token, expires) =
            parse_token_reply(&reply(200, r#"{"access_token":"abc","expires_in":7200}"#)).unwrap();
        assert_eq!(token.expose(), "abc");
        assert_eq!(expires, Some(Duration::from_secs(7200)));
        assert!(parse_token_reply(&reply(200, r#"{"access_token":""}"#)).is_none());
        assert!(parse_token_reply(&reply(401, r#"{"access_token":"abc"}"#)).is_none());
        assert!(parse_token_reply(&reply(200, "not json")).is_none());
        let (_, expires) = parse_token_reply(&reply(200, r#"{"access_token":"x"}"#)).unwrap();
        assert_eq!(expires, None);
    }

    #[test]
    fn tokens_are_renewed_a_minute_early_or_at_half_life() {
        assert_eq!(
            keep_for(Duration::from_secs(7200)),
            Duration::from_secs(7140)
        );
        assert_eq!(keep_for(Duration::from_secs(60)), Duration::from_secs(30));
        assert_eq!(keep_for(Duration::ZERO), Duration::ZERO);
    }
}
