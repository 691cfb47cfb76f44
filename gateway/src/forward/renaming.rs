//! A Partnero update, which may rename its record (`update.key`), run start to end in a task of
//! its own: a client that hangs up drops the request's future, and with it, had they run there,
//! a rename recorded without its write, or a write without what its answer says.
//!
//! Tokens follow renames recorded here (`authority.rs`). While a write that asks for a rename is
//! on its way, the old key's tokens reach nothing: a rename to the empty key (which names no
//! record) is recorded before the write is sent. Not the new key: until Partnero has answered,
//! whoever holds it may be someone else (a stranger creating it meanwhile), and not the old key
//! either: a write whose answer never comes may have moved the record, leaving the key to whoever
//! takes it next (both found by the attacker passes of 2026-11-28). What the answer says then
//! settles it:
//!
//! - the record, under the new key or another: the rename to that key is recorded (dated when the
//!   write was sent) and the empty one taken back;
//! - a refusal (3xx, 4xx): the empty one is taken back;
//! - nothing to go by (no answer, a 5xx, a reply that is not the record): the two keys are read
//!   with the gateway's credential. The record under the new key and none under the old: as if
//!   it had answered so. The record still under the old key and none under the new: as a
//!   refusal. Anything else (both held, neither, a read that fails): the old key's tokens keep
//!   reaching nothing until they expire (a fresh token names whoever holds a key then).

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use providers::{ErrorKind, GatewayRules, ProviderId, Route};
use serde_json::json;

use super::answers::upstream_failure;
use super::parse_record;
use crate::adapters::{Adapter, Outgoing, UpstreamError, UpstreamReply};
use crate::replies::{refusal, store_unavailable, Refusal};
use crate::{log, AppState};

/// The empty rename recorded before the write that asks for a rename is sent.
struct Ahead {
    new: String,
    at_ms: u64,
    /// What tells the record from another whatever its key (`GatewayRules::lasting_members`:
    /// Partnero's `created_at`), read before the write: an answer, or a read, naming another
    /// record is not this rename's. `None` when it could not be read (nothing is compared).
    lasting: Option<String>,
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
            Some(new) => {
                let lasting = match holds(&state, rules, adapter.as_ref(), &old).await {
                    Holds::Record(key, lasting) if key == old => lasting,
                    _ => None,
                };
                Some(reach_nothing_ahead(&state, rules, &old, new, lasting).await?)
            }
            None => None,
        };
        let sent = adapter.send(&state.client, write).await;
        match ahead {
            Some(ahead) => {
                let answer = sent.as_ref().ok();
                if let Answer::Another =
                    settle(&state, rules, adapter.as_ref(), &old, ahead, answer).await
                {
                    // What it names is someone else's: not shown.
                    return Err(refusal(
                        rules,
                        StatusCode::CONFLICT,
                        ErrorKind::Conflict,
                        "record_changed",
                        "Another customer took this key while the change was on its way, and the \
                         change went to them; their record is not shown.",
                    ));
                }
            }
            // Not asked for, yet the answer says so.
            None => {
                if let Some((key, _)) = sent.as_ref().ok().and_then(|r| record_of(rules, r)) {
                    if key != old {
                        rename(&state, &old, &key, crate::tokens::now_millis()).await;
                    }
                }
            }
        }
        sent.map_err(|error| upstream_failure(rules, error))
    });
    task.await
        .unwrap_or_else(|_| Err(upstream_failure(rules, UpstreamError::Unreachable)))
}

/// Records `old` → the empty key before the write; refused (503) when the store cannot.
async fn reach_nothing_ahead(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    old: &str,
    new: String,
    lasting: Option<String>,
) -> Result<Ahead, Refusal> {
    let at_ms = crate::tokens::now_millis();
    if let Err(error) = crate::authority::record_rename(state, old, "", at_ms).await {
        log::store_failed(&error);
        // A time limit may have given up on a rename the store went on to keep: it sends the
        // old key's tokens nowhere, which is safe, and taken back here if it can be.
        let _ = crate::authority::forget_rename(state, old, "", at_ms).await;
        return Err(store_unavailable(Some(rules)));
    }
    Ok(Ahead {
        new,
        at_ms,
        lasting,
    })
}

/// What a key holds now, read with the gateway's credential.
enum Holds {
    /// The record with this key, and what tells it from another (`Ahead::lasting`).
    Record(String, Option<String>),
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
        Ok(reply) => match record_of(rules, &reply) {
            Some((found, lasting)) => Holds::Record(found, lasting),
            None => Holds::Unknown,
        },
        Err(_) => Holds::Unknown,
    }
}

/// Whose record the write's answer names.
enum Answer {
    /// The record read before the write, or no record.
    Ours,
    /// Another customer's, which took the key before the write landed.
    Another,
}

/// Records what the write's answer says, then takes back the empty rename (the module note).
async fn settle(
    state: &AppState,
    rules: &'static dyn GatewayRules,
    adapter: &dyn Adapter,
    old: &str,
    ahead: Ahead,
    reply: Option<&UpstreamReply>,
) -> Answer {
    // A record whose lasting members differ from the one read before the write is another
    // customer's: a write Partnero held back until someone else had taken the old key.
    let ours = |lasting: &Option<String>| ahead.lasting.is_none() || *lasting == ahead.lasting;
    let mut answer = Answer::Ours;
    let now_named = match reply {
        Some(reply) if (300..500).contains(&reply.status) => Some(old.to_string()),
        Some(reply) => match record_of(rules, reply) {
            Some((key, lasting)) if ours(&lasting) => Some(key),
            Some(_) => {
                answer = Answer::Another;
                None
            }
            None => None,
        },
        None => None,
    };
    let now_named = match now_named {
        Some(key) => Some(key),
        None => {
            let was = holds(state, rules, adapter, old).await;
            let is = holds(state, rules, adapter, &ahead.new).await;
            match (was, is) {
                (Holds::Nothing, Holds::Record(key, lasting))
                    if key == ahead.new && ours(&lasting) =>
                {
                    Some(key)
                }
                (Holds::Record(key, lasting), Holds::Nothing) if key == old && ours(&lasting) => {
                    Some(key)
                }
                _ => None,
            }
        }
    };
    let Some(key) = now_named else {
        log::event(
            "rename_unsettled",
            &[(
                "consequence",
                json!("tokens for the old key reach nothing until they expire"),
            )],
        );
        return answer;
    };
    // The rename first, then the empty one taken back: in between, tokens still reach nothing.
    if key != old {
        rename(state, old, &key, ahead.at_ms).await;
    }
    take_back(state, old, &ahead).await;
    answer
}

/// The key of the record in a successful reply, and its lasting members' value.
fn record_of(
    rules: &'static dyn GatewayRules,
    reply: &UpstreamReply,
) -> Option<(String, Option<String>)> {
    let record = parse_record(rules, reply)?;
    let members = rules.lasting_members();
    let lasting = (!members.is_empty())
        .then(|| crate::reply_identity::identity(members, &reply.body))
        .flatten();
    Some((record.id, lasting))
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

/// Records a rename the answer showed (`old` is `new` from `at_ms`).
async fn rename(state: &AppState, old: &str, new: &str, at_ms: u64) {
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

/// Takes back the empty rename recorded ahead.
async fn take_back(state: &AppState, old: &str, ahead: &Ahead) {
    if let Err(error) = crate::authority::forget_rename(state, old, "", ahead.at_ms).await {
        log::event(
            "rename_not_taken_back",
            &[
                ("message", json!(error.0)),
                (
                    "consequence",
                    json!("tokens for the old key reach nothing until they expire"),
                ),
            ],
        );
    }
}
