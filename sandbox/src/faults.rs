//! Injected failures for reliability tests (`POST /_faults`, `GET /_faults`, `DELETE /_faults`).
//!
//! A rule matches on provider, method and a path substring; the first matching rule with
//! `times` left is used and decremented. Faults act like a broken network or gateway in front of
//! the provider, so they apply before authentication and validation. Preflights (`OPTIONS`) are
//! only faulted by a rule that names `"method": "OPTIONS"`, so a rule meant for a browser PATCH
//! is not used up by its preflight.

use std::collections::BTreeMap;

use axum::{
    body::Body,
    http::{HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{knobs::Knobs, provider::Provider, reply};

/// Longest `delay` accepted (ten minutes).
const MAX_DELAY_MS: u64 = 600_000;
/// Largest body the `huge_body` fault will build.
const MAX_HUGE_BODY: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: Option<String>,
    #[serde(default = "one")]
    pub times: u32,
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Any status with any body, content type and headers.
    Status {
        status: u16,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        content_type: Option<String>,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
    /// 502 with an HTML page, as a load balancer in front of the API would send.
    Html502 {},
    /// Wait, then handle the request normally.
    Delay { ms: u64 },
    /// Close the connection without sending anything; the handler does not run.
    Drop {},
    /// Run the handler (the change is committed), then close the connection without a response.
    DropAfterCommit {},
    /// 200 with a truncated JSON body.
    MalformedJson {},
    /// 200 with a valid JSON body of exactly `bytes` bytes (padding), for size-limit tests.
    /// `chunked`: streamed without a `Content-Length`, so only reading it tells its size.
    /// `hold_ms` (chunked only): the stream is then held open that long before it ends, as a
    /// sender that stops without closing would; a client that reads to the end waits it out.
    HugeBody {
        bytes: usize,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        chunked: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        hold_ms: u64,
    },
    /// 429 in the provider's own shape, with `Retry-After` only when given.
    RateLimit {
        #[serde(default)]
        retry_after: Option<u64>,
    },
}

impl FaultAction {
    pub fn kind(&self) -> &'static str {
        match self {
            FaultAction::Status { .. } => "status",
            FaultAction::Html502 {} => "html502",
            FaultAction::Delay { .. } => "delay",
            FaultAction::Drop {} => "drop",
            FaultAction::DropAfterCommit {} => "drop_after_commit",
            FaultAction::MalformedJson {} => "malformed_json",
            FaultAction::HugeBody { .. } => "huge_body",
            FaultAction::RateLimit { .. } => "rate_limit",
        }
    }
}

#[derive(Default)]
pub struct FaultRules {
    rules: Vec<FaultRule>,
}

impl FaultRules {
    pub fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Parses and appends rules (a JSON array of rules, or one rule object).
    pub fn add(&mut self, body: &Value) -> Result<(), String> {
        let items = match body {
            Value::Array(items) => items.clone(),
            Value::Object(_) => vec![body.clone()],
            _ => return Err("expected a JSON array of fault rules".into()),
        };
        let mut parsed = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let rule: FaultRule =
                serde_json::from_value(item).map_err(|e| format!("rule {index}: {e}"))?;
            validate(&rule).map_err(|e| format!("rule {index}: {e}"))?;
            parsed.push(rule);
        }
        self.rules.extend(parsed);
        Ok(())
    }

    /// The action of the first rule matching this request, using up one of its `times`.
    pub fn take(&mut self, provider: Provider, method: &str, path: &str) -> Option<FaultAction> {
        let index = self.rules.iter().position(|rule| {
            let method_ok = match &rule.method {
                Some(m) => m.eq_ignore_ascii_case(method),
                None => method != "OPTIONS",
            };
            method_ok
                && rule
                    .provider
                    .as_deref()
                    .is_none_or(|p| p == provider.name())
                && rule
                    .path_contains
                    .as_deref()
                    .is_none_or(|needle| path.contains(needle))
        })?;
        let rule = &mut self.rules[index];
        let action = rule.action.clone();
        rule.times -= 1;
        if rule.times == 0 {
            self.rules.remove(index);
        }
        Some(action)
    }
}

fn validate(rule: &FaultRule) -> Result<(), String> {
    if rule.times == 0 {
        return Err("times must be at least 1".into());
    }
    if let Some(provider) = &rule.provider {
        if !Provider::ALL.iter().any(|p| p.name() == provider) {
            return Err(format!(
                "unknown provider {provider:?} (prolifi, partnero, count, commercelayer)"
            ));
        }
    }
    match &rule.action {
        FaultAction::Status {
            status, headers, ..
        } => {
            StatusCode::from_u16(*status)
                .ok()
                .filter(|s| s.as_u16() >= 100)
                .ok_or_else(|| format!("invalid status {status}"))?;
            for (name, value) in headers {
                HeaderName::try_from(name.as_str())
                    .map_err(|_| format!("invalid header name {name:?}"))?;
                HeaderValue::from_str(value)
                    .map_err(|_| format!("invalid header value {value:?}"))?;
            }
        }
        FaultAction::Delay { ms } if *ms > MAX_DELAY_MS => {
            return Err(format!("delay is limited to {MAX_DELAY_MS} ms"));
        }
        FaultAction::HugeBody { bytes, .. } if *bytes > MAX_HUGE_BODY => {
            return Err(format!("huge_body is limited to {MAX_HUGE_BODY} bytes"));
        }
        FaultAction::HugeBody { hold_ms, .. } if *hold_ms > MAX_DELAY_MS => {
            return Err(format!("hold_ms is limited to {MAX_DELAY_MS} ms"));
        }
        FaultAction::HugeBody {
            chunked: false,
            hold_ms: 1..,
            ..
        } => {
            return Err("hold_ms needs chunked: a body with a length ends when it is read".into());
        }
        _ => {}
    }
    Ok(())
}

/// The response a fault answers with instead of the provider, for the kinds that replace it.
/// `None` for `delay`, `drop` and `drop_after_commit`, which the pipeline handles itself.
pub fn canned_response(
    action: &FaultAction,
    provider: Provider,
    knobs: &Knobs,
) -> Option<Response> {
    let response = match action {
        FaultAction::Status {
            status,
            body,
            content_type,
            headers,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, Body::from(body.clone().unwrap_or_default())).into_response();
            let content_type = content_type.as_deref().unwrap_or(provider.json_content_type());
            if let Ok(value) = HeaderValue::from_str(content_type) {
                response.headers_mut().insert("content-type", value);
            }
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        FaultAction::Html502 {} => reply::raw(
            StatusCode::BAD_GATEWAY,
            "text/html",
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n".into(),
        ),
        FaultAction::MalformedJson {} => reply::raw(
            StatusCode::OK,
            provider.json_content_type(),
            r#"{"data":{"id":"trunc"#.into(),
        ),
        FaultAction::HugeBody { bytes, chunked: false, .. } => reply::raw(StatusCode::OK, provider.json_content_type(), padded_json(*bytes)),
        FaultAction::HugeBody { bytes, chunked: true, hold_ms } => streamed_json(provider.json_content_type(), *bytes, *hold_ms),
        FaultAction::RateLimit { retry_after } => provider.rate_limited(*retry_after, knobs),
        FaultAction::Delay { .. } | FaultAction::Drop {} | FaultAction::DropAfterCommit {} => return None,
    };
    Some(response)
}

/// `padded_json(bytes)` sent in 64 KiB chunks without a `Content-Length` (chunked transfer
/// encoding), then held open `hold_ms` before it ends. A stream hyper polls as it sends and
/// drops with the body when the client goes, so nothing of it, the hold included, outlives the
/// connection, and no more is produced than the client reads.
fn streamed_json(content_type: &str, bytes: usize, hold_ms: u64) -> Response {
    use axum::body::Bytes;
    const CHUNK: usize = 64 * 1024;
    let document = Bytes::from(padded_json(bytes));
    let chunks = futures_util::stream::unfold(document, move |mut rest| async move {
        if rest.is_empty() {
            if hold_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(hold_ms)).await;
            }
            return None;
        }
        let chunk = rest.split_to(CHUNK.min(rest.len()));
        Some((Ok::<_, std::io::Error>(chunk), rest))
    });
    let mut response = Response::new(Body::from_stream(chunks));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, value);
    }
    response
}

/// `{"padding":"xxx…"}` of exactly `bytes` bytes when `bytes >= 14`; shorter requests get the
/// smallest such document.
fn padded_json(bytes: usize) -> String {
    const FRAME: usize = r#"{"padding":""}"#.len();
    format!(
        r#"{{"padding":"{}"}}"#,
        "x".repeat(bytes.saturating_sub(FRAME))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_in_order_and_counts_down() {
        let mut rules = FaultRules::default();
        rules
            .add(&json!([
                {"provider": "prolifi", "method": "POST", "times": 2, "action": {"kind": "html502"}},
                {"path_contains": "/customers", "action": {"kind": "delay", "ms": 5}}
            ]))
            .unwrap();
        let path = "/prolifi/api/v1/public/customers";
        assert_eq!(
            rules
                .take(Provider::Prolifi, "OPTIONS", path)
                .map(|a| a.kind()),
            None
        );
        assert_eq!(
            rules
                .take(Provider::Prolifi, "POST", path)
                .map(|a| a.kind()),
            Some("html502")
        );
        assert_eq!(
            rules
                .take(Provider::Prolifi, "POST", path)
                .map(|a| a.kind()),
            Some("html502")
        );
        assert_eq!(
            rules
                .take(Provider::Prolifi, "POST", path)
                .map(|a| a.kind()),
            Some("delay")
        );
        assert!(rules.take(Provider::Prolifi, "POST", path).is_none());
    }

    #[test]
    fn rejects_bad_rules() {
        let mut rules = FaultRules::default();
        assert!(rules
            .add(&json!([{"action": {"kind": "explode"}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"times": 0, "action": {"kind": "drop"}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"provider": "stripe", "action": {"kind": "drop"}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"action": {"kind": "status", "status": 42}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"action": {"kind": "drop", "extra": 1}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"action": {"kind": "huge_body", "bytes": 100, "hold_ms": 5}}]))
            .is_err());
        assert!(rules
            .add(&json!([{"action": {"kind": "huge_body", "bytes": 100, "chunked": true, "hold_ms": 600_001}}]))
            .is_err());
        assert!(rules.list().is_empty());
        assert!(rules
            .add(&json!([{"action": {"kind": "huge_body", "bytes": 100, "chunked": true, "hold_ms": 5}}]))
            .is_ok());
    }

    #[test]
    fn padding_is_exact() {
        assert_eq!(padded_json(100).len(), 100);
        assert!(serde_json::from_str::<Value>(&padded_json(100)).is_ok());
    }
}
