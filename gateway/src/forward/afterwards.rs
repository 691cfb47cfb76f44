//! What a write's reply tells the gateway to keep (a create's grant),
//! recorded in the write's own task (`Call::send_recorded`), so a client that hangs up does not
//! lose it.

use providers::GatewayRules;
use serde_json::json;

use super::parse_record;
use crate::adapters::UpstreamReply;
use crate::{log, AppState};

/// What a write's reply tells the gateway to keep. (A Partnero rename is kept by
/// `renaming.rs`, which records it before the write.)
pub(super) enum Afterwards {
    /// A create by the token with this id (`TokenId` in hex): it reaches the new record.
    Grant {
        token: String,
        expires_at: u64,
        sub: String,
    },
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
