//! What a write's reply tells the gateway to keep (a Partnero rename, a create's grant),
//! recorded in the write's own task (`Call::send_recorded`), so a client that hangs up does not
//! lose it.

use providers::GatewayRules;
use serde_json::json;

use super::parse_record;
use crate::adapters::UpstreamReply;
use crate::{log, AppState};

/// What a write's reply tells the gateway to keep.
pub(super) enum Afterwards {
    /// A Partnero write to the record with key `old`: a reply naming another key renamed it.
    /// `ahead`: the rename the body asks for, recorded before the write was sent.
    Rename {
        old: String,
        ahead: Option<RenameAhead>,
    },
    /// A create by the token with this id (`TokenId` in hex): it reaches the new record.
    Grant {
        token: String,
        expires_at: u64,
        sub: String,
    },
}

/// A rename recorded before the write that asks for it is sent, so that a write whose answer
/// never comes (a dropped connection, a timeout after Partnero committed it) still takes the
/// tokens of the old key along; taken back when Partnero's answer says it did not happen.
pub(super) struct RenameAhead {
    pub(super) new: String,
    pub(super) at_ms: u64,
}

/// What the provider's answer says of a rename.
enum Said {
    /// No answer, or one that tells nothing (a 5xx, a reply that is not the record): it may
    /// have landed.
    Nothing,
    /// Refused (a 4xx): nothing changed.
    Refused,
    /// The record, with its key now.
    Named(String),
}

impl Said {
    fn of(rules: &'static dyn GatewayRules, reply: Option<&UpstreamReply>) -> Said {
        match reply {
            Some(reply) if (400..500).contains(&reply.status) => Said::Refused,
            Some(reply) => match parse_record(rules, reply) {
                Some(record) => Said::Named(record.id),
                None => Said::Nothing,
            },
            None => Said::Nothing,
        }
    }
}

impl Afterwards {
    /// `reply`: `None` when no answer came.
    pub(super) async fn record(
        self,
        state: &AppState,
        rules: &'static dyn GatewayRules,
        reply: Option<&UpstreamReply>,
    ) {
        match self {
            Afterwards::Rename { old, ahead } => {
                let said = Said::of(rules, reply);
                if let Some(ahead) = ahead {
                    let landed = match &said {
                        Said::Nothing => true,
                        Said::Refused => false,
                        Said::Named(key) => *key == ahead.new,
                    };
                    if landed {
                        return;
                    }
                    take_back(state, &old, &ahead).await;
                }
                if let Said::Named(key) = said {
                    if key != old {
                        rename(state, &old, &key).await;
                    }
                }
            }
            Afterwards::Grant {
                token,
                expires_at,
                sub,
            } => {
                let Some(record) = reply.and_then(|reply| parse_record(rules, reply)) else {
                    return;
                };
                if let Err(error) =
                    crate::authority::record_grant(state, &token, &record.id, expires_at).await
                {
                    // The record exists; this token just cannot edit it (a fresh token for it
                    // can).
                    log::event(
                        "grant_not_recorded",
                        &[("message", json!(error.0)), ("sub", json!(sub))],
                    );
                }
            }
        }
    }
}

/// Records a rename the answer showed (`old` is `new` now).
async fn rename(state: &AppState, old: &str, new: &str) {
    if let Err(error) = crate::authority::record_rename(state, old, new).await {
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
