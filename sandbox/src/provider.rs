//! Which emulated provider a request path belongs to, and the few per-provider facts the shared
//! pipeline needs (log name, JSON content type, 429 shape for the `rate_limit` fault).

use axum::response::Response;

use crate::{commercelayer, count, knobs::Knobs, partnero, prolifi, reply};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Prolifi,
    Partnero,
    Count,
    CommerceLayer,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Prolifi,
        Provider::Partnero,
        Provider::Count,
        Provider::CommerceLayer,
    ];

    /// The provider whose prefix starts `path` (`/prolifi`, `/partnero`, `/count`, `/commercelayer`).
    pub fn from_path(path: &str) -> Option<Provider> {
        let first = path.trim_start_matches('/').split('/').next()?;
        Provider::ALL.into_iter().find(|p| p.name() == first)
    }

    /// The name used in URLs, in the log and in fault rules.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Prolifi => "prolifi",
            Provider::Partnero => "partnero",
            Provider::Count => "count",
            Provider::CommerceLayer => "commercelayer",
        }
    }

    pub fn json_content_type(self) -> &'static str {
        match self {
            Provider::CommerceLayer => reply::JSON_API,
            Provider::Count => reply::JSON_UTF8,
            Provider::Prolifi | Provider::Partnero => reply::JSON,
        }
    }

    /// A 429 exactly as this provider shapes it, with `Retry-After` only when given.
    pub fn rate_limited(self, retry_after_secs: Option<u64>, knobs: &Knobs) -> Response {
        match self {
            Provider::Prolifi => prolifi::rate_limited(retry_after_secs),
            Provider::Partnero => partnero::rate_limited(retry_after_secs),
            Provider::Count => count::rate_limited(retry_after_secs, knobs.count.error_shape),
            Provider::CommerceLayer => commercelayer::rate_limited(retry_after_secs),
        }
    }
}
