//! A Partnero update, which may rename its record (`update.key`), run start to end in a task of
//! its own: a client that hangs up drops the request's future, and with it, had they run there,
//! the rename recorded without its write, or the write without what its answer says.
//!
//! Tokens follow renames recorded here (`authority.rs`). A rename is recorded *before* the write
//! that asks for it is sent, once a read has found the new key free: a write whose answer never
//! comes (a dropped connection, a timeout after Partnero committed it) must still take the
//! tokens along, or they stay on the old key and reach whoever takes it next (the second
//! attacker's pass of 2026-11-28). What the answer says then settles it:
//!
//! - the record under the new key: kept;
//! - a refusal (3xx, 4xx): taken back;
//! - the record under yet another key: taken back, and that rename recorded;
//! - nothing to go by (no answer, a 5xx, a reply that is not the record): the two keys are read
//!   with the gateway's credential. The record under the new key and none under the old: kept.
//!   The record still under the old key and none under the new: taken back. Anything else (both
//!   held, neither, a read that fails): the old key's tokens are sent nowhere (a rename to the
//!   empty key, which names no record) until they expire: whichever way it went, neither key is
//!   then known to hold their record.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::Method;
use providers::{GatewayRules, ProviderId, Route};
use serde_json::json;

use super::answers::{respond, upstream_failure};
use super::parse_record;
use crate::adapters::{Adapter, Outgoing, UpstreamError, UpstreamReply};
use crate::replies::{store_unavailable, Refusal};
use crate::{log, AppState};

/// A rename recorded before the write that asks for it is sent.
struct RenameAhead {
    new: String,
    at_ms: u64,
}

/// The write, sent from its own task; `new`: the key the body asks for, when another.
pub(super) async fn send_renaming(
    state: &Arc<AppState>,
    rules: &'static dyn GatewayRules,
    provider: ProviderId,
    old: String,
    new: Option<String>,
    write: Outgoing,
) -> Result<UpstreamReply, Refusal> {
    let state = Arc::clone(state);
    let task = tokio::spawn(async move {
        let adapter = state
            .adapters
            .get(&provider)
            .ok_or_else(|| upstream_failure(rules, UpstreamError::Unreachable))?;
        let ahead = match new {
            Some(new) => record_ahead(&state, rules, adapter.as_ref(), &old, new).await?,
            None => None,
        };
        let sent = adapter.send(&state.client, write).await;
        if let Some(ahead) = ahead {
            settle(
                &state,
                rules,
                adapter.as_ref(),
                &old,
                ahead,
                sent.as_ref().ok(),
            )
            .await;
        } else if let Some(key) = sent.as_ref().ok().and_then(|r| record_key(rules, r)) {
            // Not asked for (the new key was held, or none was given), yet the answer says so.
            if key != old {
                rename(&state, &old, &key).await;
            }
        }
        sent.map_err(|error| upstream_failure(rules, error))
    });
    task.await
        .unwrap_or_else(|_| Err(upstream_failure(rules, UpstreamError::Unreachable)))
}

/// Records `old` → `new` when a read finds `new` free; `None` when someone holds it (Partnero
/// refuses such a rename, and recorded ahead, an answer lost on the way would leave the tokens
/// on that someone's record).
async fn record_ahead(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    old: &str,
    new: String,
) -> Result<Option<RenameAhead>, Refusal> {
    let held = Route::Read {
        customer: new.clone(),
    };
    let reply = adapter
        .send(&state.client, read_of(rules, &new))
        .await
        .map_err(|error| upstream_failure(rules, error))?;
    match reply.status {
        404 => {}
        200..=299 => return Ok(None),
        _ => return Err(Refusal::new(respond(rules, &held, reply), "rename_check")),
    }
    let at_ms = crate::tokens::now_millis();
    if let Err(error) = crate::authority::record_rename(state, old, &new, at_ms).await {
        log::store_failed(&error);
        // A time limit may have given up on a rename the store went on to keep.
        let _ = crate::authority::forget_rename(state, old, &new, at_ms).await;
        return Err(store_unavailable(Some(rules)));
    }
    Ok(Some(RenameAhead { new, at_ms }))
}

/// What a key holds now, read with the gateway's credential.
enum Holds {
    /// The record with this key.
    Record(String),
    Nothing,
    /// The read failed, or its answer tells nothing.
    Unknown,
}

async fn holds(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    key: &str,
) -> Holds {
    match adapter.send(&state.client, read_of(rules, key)).await {
        Ok(reply) if reply.status == 404 => Holds::Nothing,
        Ok(reply) => match record_key(rules, &reply) {
            Some(found) => Holds::Record(found),
            None => Holds::Unknown,
        },
        Err(_) => Holds::Unknown,
    }
}

/// Keeps the rename recorded ahead, or takes it back, by what the write's answer says (the
/// module note).
async fn settle(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    old: &str,
    ahead: RenameAhead,
    reply: Option<&UpstreamReply>,
) {
    if let Some(reply) = reply {
        if (300..500).contains(&reply.status) {
            take_back(state, old, &ahead).await;
            return;
        }
        if let Some(key) = record_key(rules, reply) {
            if key != ahead.new {
                take_back(state, old, &ahead).await;
                if key != old {
                    rename(state, old, &key).await;
                }
            }
            return;
        }
    }
    let was = holds(state, rules, adapter, old).await;
    let is = holds(state, rules, adapter, &ahead.new).await;
    match (was, is) {
        (Holds::Nothing, Holds::Record(key)) if key == ahead.new => {}
        (Holds::Record(key), Holds::Nothing) if key == old => take_back(state, old, &ahead).await,
        _ => {
            take_back(state, old, &ahead).await;
            rename(state, old, "").await;
        }
    }
}

/// The key of the record in a successful reply.
fn record_key(rules: &'static dyn GatewayRules, reply: &UpstreamReply) -> Option<String> {
    parse_record(rules, reply).map(|record| record.id)
}

/// A read of the record under `key`.
pub(super) fn read_of(rules: &'static dyn GatewayRules, key: &str) -> Outgoing {
    let (path, query) = rules.upstream(&Route::Read {
        customer: key.to_string(),
    });
    Outgoing {
        method: Method::GET,
        path,
        query,
        headers: vec![("accept".into(), rules.media_type().into())],
        body: Bytes::new(),
    }
}

/// Records a rename the answer showed (`old` is `new` now; `""`: nothing).
async fn rename(state: &AppState, old: &str, new: &str) {
    let at_ms = crate::tokens::now_millis();
    if let Err(error) = crate::authority::record_rename(state, old, new, at_ms).await {
        log::event(
            "rename_not_recorded",
            &[
                ("message", json!(error.0)),
                (
                    "consequence",
                    json!("tokens for the old key do not follow this rename"),
                ),
            ],
        );
    }
}

/// Takes back a rename recorded ahead that did not happen.
async fn take_back(state: &AppState, old: &str, ahead: &RenameAhead) {
    if let Err(error) = crate::authority::forget_rename(state, old, &ahead.new, ahead.at_ms).await {
        log::event(
            "rename_not_taken_back",
            &[
                ("message", json!(error.0)),
                (
                    "consequence",
                    json!("tokens for the old key follow a rename that did not happen, until they expire"),
                ),
            ],
        );
    }
}
