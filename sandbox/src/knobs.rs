//! Runtime knobs set through `POST /_config` (merged) and read with `GET /_config`.
//!
//! Typed structs with `deny_unknown_fields`, so a typo in a test's config is a 400, not a knob
//! silently ignored. Merging = serialise the current knobs, deep-merge the patch, deserialise.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knobs {
    pub prolifi: ProlifiKnobs,
    pub partnero: PartneroKnobs,
    pub count: CountKnobs,
    pub commercelayer: CommerceLayerKnobs,
    /// Keep connections open between requests, as a real API does (off by default: see
    /// `pipeline`). Benchmarks turn it on so proxies in front reuse their connections.
    #[serde(default)]
    pub keep_alive: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProlifiKnobs {
    /// Documented: 1,000 requests per minute per API key.
    pub rate_limit_per_minute: u64,
}

impl Default for ProlifiKnobs {
    fn default() -> Self {
        ProlifiKnobs {
            rate_limit_per_minute: 1000,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartneroKnobs {
    /// Partnero documents that it rate-limits but gives no number, so the default is no limit.
    pub rate_limit_per_minute: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountErrorShape {
    /// `{status:"error", message, code, details, errors?}` as the docs show it.
    #[default]
    Documented,
    /// `{message, status:"Error", statusCode, isOperational, type}` as the official CLI sees it.
    Cli,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountKnobs {
    /// Documented: 100 requests per minute per client id.
    pub rate_limit_per_minute: u64,
    /// Not documented as a number; an hour is typical.
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// Accepted clock skew for `x-timestamp`, either way (not documented).
    pub timestamp_tolerance_secs: u64,
    pub error_shape: CountErrorShape,
}

impl Default for CountKnobs {
    fn default() -> Self {
        CountKnobs {
            rate_limit_per_minute: 100,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            timestamp_tolerance_secs: 300,
            error_shape: CountErrorShape::Documented,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommerceLayerKnobs {
    /// API requests per minute (Commerce Layer counts per IP; everything here is one IP).
    pub rate_limit_per_minute: u64,
    /// Documented: `/oauth/token` allows 30 requests per minute.
    pub token_rate_limit_per_minute: u64,
    /// When set, overrides the documented lifetimes (sales channel 14400 s, integration 7200 s).
    pub access_token_ttl_secs: Option<u64>,
    /// Customer groups beyond the seeded ones (`Region 001`…), for long lists.
    #[serde(default)]
    pub extra_customer_groups: u32,
}

impl Default for CommerceLayerKnobs {
    fn default() -> Self {
        CommerceLayerKnobs {
            rate_limit_per_minute: 600,
            token_rate_limit_per_minute: 30,
            access_token_ttl_secs: None,
            extra_customer_groups: 0,
        }
    }
}

impl Knobs {
    /// The knobs with `patch` deep-merged in, or a message saying what was wrong with it.
    pub fn merged(&self, patch: &Value) -> Result<Knobs, String> {
        if !patch.is_object() {
            return Err("the config must be a JSON object such as {\"prolifi\":{\"rate_limit_per_minute\":3}}".into());
        }
        let mut current = serde_json::to_value(self).map_err(|e| e.to_string())?;
        deep_merge(&mut current, patch);
        serde_json::from_value(current).map_err(|e| e.to_string())
    }
}

fn deep_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        deep_merge(existing, value)
                    }
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_and_rejects_unknown_knobs() {
        let knobs = Knobs::default()
            .merged(
                &json!({"prolifi": {"rate_limit_per_minute": 3}, "count": {"error_shape": "cli"}}),
            )
            .unwrap();
        assert_eq!(knobs.prolifi.rate_limit_per_minute, 3);
        assert_eq!(knobs.count.error_shape, CountErrorShape::Cli);
        assert_eq!(knobs.count.rate_limit_per_minute, 100);
        assert!(Knobs::default()
            .merged(&json!({"prolifi": {"rate_limit": 3}}))
            .is_err());
        assert!(Knobs::default()
            .merged(&json!({"count": {"error_shape": "weird"}}))
            .is_err());
    }
}
