//! Why Count's adapter had no usable access token, and the reply the page gets for it.

use serde_json::{json, Value};

use super::count_oauth::START_PATH;
use super::{json_reply, token_endpoint_busy, UpstreamError, UpstreamReply};
use crate::log;
use crate::store::StoreError;

/// Why no usable access token could be had.
pub(super) enum TokenFailure {
    /// No workspace has been connected yet.
    NotConnected,
    /// Count refused the refresh token: the connection must be made again.
    Lost,
    Upstream(UpstreamError),
    /// Count's own answer to the refresh (a rate limit, a server error): answered by the
    /// gateway in its place (`token_endpoint_busy`), its `Retry-After` kept.
    Reply(UpstreamReply),
    Store(StoreError),
}

impl TokenFailure {
    pub(super) fn into_result(self) -> Result<UpstreamReply, UpstreamError> {
        match self {
            TokenFailure::NotConnected => Ok(unavailable(
                "COUNT_NOT_CONNECTED",
                &format!(
                    "Count is not connected to this gateway yet: an operator must run \
                     `gateway count-connect-link` and open the link it prints ({START_PATH}) \
                     to connect a Count workspace."
                ),
            )),
            TokenFailure::Lost => Ok(unavailable(
                "COUNT_RECONNECT_REQUIRED",
                &format!(
                    "Count no longer accepts this gateway's refresh token: an operator must run \
                     `gateway count-connect-link` and open the link it prints ({START_PATH}) \
                     to connect the Count workspace again."
                ),
            )),
            TokenFailure::Upstream(error) => Err(error),
            TokenFailure::Reply(reply) => Ok(token_endpoint_busy(
                &reply,
                "application/json",
                |status| match status {
                    429 => envelope(
                        "RATE_LIMITED",
                        "Count is limiting requests; try again shortly.",
                    ),
                    _ => envelope(
                        "COUNT_TOKEN_UNAVAILABLE",
                        "The gateway could not renew its Count access token; try again shortly.",
                    ),
                },
            )),
            TokenFailure::Store(error) => {
                log::store_failed(&error);
                Err(UpstreamError::StoreUnavailable)
            }
        }
    }
}

/// Count's documented error envelope, plus the gateway's own code, as the gateway's other
/// refusals carry.
fn envelope(code: &str, message: &str) -> Value {
    json!({
        "status": "error",
        "message": message,
        "code": code,
        "gateway": {"code": code.to_ascii_lowercase()},
    })
}

/// A 503 in that envelope.
fn unavailable(code: &str, message: &str) -> UpstreamReply {
    json_reply(503, "application/json", &envelope(code, message))
}
