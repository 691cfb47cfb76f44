//! Request limits. Per client address: in this process, before anything else, so a flood never
//! reaches the store. Per `sub` and per token: in the store, so they hold across replicas and a
//! fresh token for the same user does not start from zero (on PostgreSQL through leases, exact
//! to within a few requests and never over: `store/leases.rs`).

use axum::http::StatusCode;
use providers::{ErrorKind, GatewayRules};

use crate::replies::{refusal, store_unavailable, Refusal};
use crate::store::Counter;
use crate::verified::Verified;
use crate::AppState;

/// The fixed window every limit counts in.
pub const WINDOW_SECS: u64 = 60;

/// Counts the request against its user and its token; refuses it when either is over its limit.
pub async fn check_user(
    state: &AppState,
    rules: &dyn GatewayRules,
    verified: &Verified,
    now: u64,
) -> Result<(), Refusal> {
    let limits = &state.config.limits;
    let window_start = now - now % WINDOW_SECS;
    let counters = [
        Counter {
            key: verified.names.sub_counter.clone(),
            limit: limits.per_sub_per_minute,
        },
        Counter {
            key: verified.names.token_counter.clone(),
            limit: limits.per_token_per_minute,
        },
    ];
    let admitted = match state
        .store
        .admit(&counters, window_start, window_start + WINDOW_SECS)
        .await
    {
        Ok(admitted) => admitted,
        Err(error) => {
            crate::log::store_failed(&error);
            return Err(store_unavailable(Some(rules)));
        }
    };
    let wait = window_start + WINDOW_SECS - now;
    let refused = if admitted.first() != Some(&true) {
        Some(("rate_sub", "Too many requests for this user."))
    } else if admitted.get(1) != Some(&true) {
        Some(("rate_token", "Too many requests for this token."))
    } else {
        None
    };
    match refused {
        Some((code, message)) => Err(refusal(
            rules,
            StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::RateLimited,
            code,
            message,
        )
        .with_retry_after(wait.max(1))),
        None => Ok(()),
    }
}

/// The token's counter key (`hex`: its `TokenId` in hex).
pub fn token_key(hex: &str) -> String {
    format!("t:{hex}")
}

/// The user's counter key: a hash, so a `sub` of any length or content makes a short key.
pub fn sub_key(sub: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(sub.as_bytes());
    format!("s:{}", crate::log::hex(&digest[..16]))
}
