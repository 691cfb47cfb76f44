//! Prolifi's `Idempotency-Key` store: saved responses, scoped per API key, kept 24 hours.
//!
//! What counts as "the same request" is not documented. The sandbox compares method, full path
//! and the exact body bytes. Only successful (2xx) responses are saved, as Stripe does: a request
//! that failed validation can be corrected and retried under the same key.

use std::collections::HashMap;

use crate::clock::now_ms;

pub const MAX_KEY_LEN: usize = 255;
const LIFETIME_MS: i64 = 24 * 3600 * 1000;

#[derive(Default)]
pub struct IdempotencyStore {
    saved: HashMap<(String, String), Saved>,
}

#[derive(Clone)]
pub struct Saved {
    fingerprint: Fingerprint,
    saved_at_ms: i64,
    pub status: u16,
    pub body: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

pub enum Lookup {
    /// Never seen (or expired): execute and maybe save.
    Fresh,
    /// Seen with the same request: answer with the saved response.
    Replay(Saved),
    /// Seen with a different request.
    Mismatch,
}

impl IdempotencyStore {
    pub fn lookup(&mut self, api_key: &str, idem_key: &str, request: &Fingerprint) -> Lookup {
        let now = now_ms();
        self.saved
            .retain(|_, saved| now - saved.saved_at_ms < LIFETIME_MS);
        match self.saved.get(&(api_key.to_owned(), idem_key.to_owned())) {
            None => Lookup::Fresh,
            Some(saved) if &saved.fingerprint == request => Lookup::Replay(saved.clone()),
            Some(_) => Lookup::Mismatch,
        }
    }

    pub fn save(
        &mut self,
        api_key: &str,
        idem_key: &str,
        fingerprint: Fingerprint,
        status: u16,
        body: String,
    ) {
        self.saved.insert(
            (api_key.to_owned(), idem_key.to_owned()),
            Saved {
                fingerprint,
                saved_at_ms: now_ms(),
                status,
                body,
            },
        );
    }
}
