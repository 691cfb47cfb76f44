//! The claims of a scoped token.

use serde::{Deserialize, Serialize};

/// `aud` may be one string or a list (RFC 7519 §4.1.3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub aud: Audience,
    /// Seconds since the epoch.
    pub exp: u64,
    pub iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The dashboard user, for logs and rate limits.
    pub sub: String,
    /// `partnero` | `prolifi` | `count` | `commercelayer`.
    pub provider: String,
    /// Any of `read`, `create`, `update`.
    pub ops: Vec<String>,
    /// The one record a read or update may touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// When present, the only fields (form names) a write may set. Absent: any field; `null`
    /// is refused rather than read as absent (a host that writes `null` when it found no field
    /// to allow would otherwise allow them all).
    #[serde(
        default,
        deserialize_with = "a_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub fields: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// A claim that, when present, must be a list (`null` is not "absent"). Also for the minting
/// request's `fields`.
pub(crate) fn a_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    Vec::<String>::deserialize(d).map(Some)
}

impl Claims {
    pub fn allows_op(&self, op: &str) -> bool {
        self.ops.iter().any(|o| o == op)
    }
}
