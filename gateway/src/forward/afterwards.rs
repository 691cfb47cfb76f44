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
    Rename { old: String },
    /// A create by the token with this id (`TokenId` in hex): it reaches the new record.
    Grant {
        token: String,
        expires_at: u64,
        sub: String,
    },
}

impl Afterwards {
    pub(super) async fn record(
        self,
        state: &AppState,
        rules: &'static dyn GatewayRules,
        reply: &UpstreamReply,
    ) {
        let Some(record) = parse_record(rules, reply) else {
            return;
        };
        match self {
            Afterwards::Rename { old } => {
                if record.id == old {
                    return;
                }
                if let Err(error) = crate::authority::record_rename(state, &old, &record.id).await {
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
            Afterwards::Grant {
                token,
                expires_at,
                sub,
            } => {
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
