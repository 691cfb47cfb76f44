//! The verified-token extractor: a forwarded request's scoped token, checked (signature,
//! algorithm, audience, times, provider) before anything else looks at it.
//!
//! A token's signature and claims never change, so they are checked once and kept, in this
//! process's memory, under the token's own bytes; later requests with the same token only check
//! the times and the provider. Two tokens share an entry only if they are the same bytes. Its
//! SHA-256 (`TokenId`, what the store and the limits know it by) is computed once, with the
//! claims: hashing every request's token was a sixth of the gateway's instructions per request
//! under callgrind (`scripts/bench-gateway.sh`'s read; valgrind runs SHA-256 without the CPU's
//! SHA instructions, so natively it is less).

use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::request::Parts;
use axum::http::StatusCode;
use providers::{gateway_rules_for, ErrorKind, ProviderId};

use crate::claims::Claims;
use crate::fast_map::FastMap;
use crate::replies::{refusal, Refusal};
use crate::tokens::{bearer, now_secs, TokenError};
use crate::AppState;

/// Decoded tokens kept at most; past that, expired ones go, then all of them.
const MAX_CACHED: usize = 50_000;

/// Identifies one token in the store and the caches: the first 16 bytes of its SHA-256 (never
/// the token itself, and not its `jti`, which a host might reuse across tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenId([u8; 16]);

impl TokenId {
    pub fn of(token: &str) -> TokenId {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(token.as_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        TokenId(id)
    }

    pub fn hex(&self) -> String {
        crate::log::hex(&self.0)
    }
}

/// A scoped token that passed every check, for this request's provider.
#[derive(Clone, Debug)]
pub struct Verified {
    pub claims: Arc<Claims>,
    pub id: TokenId,
    pub names: Arc<TokenNames>,
}

/// What the store and the limits call a token and its user, derived once per token (with the
/// claims) rather than hashed and formatted again on each of its requests.
#[derive(Debug)]
pub struct TokenNames {
    /// The `TokenId` in hex: bindings and grants are kept under it.
    pub token: String,
    /// The per-user counter (`limits::sub_key`).
    pub sub_counter: String,
    /// The per-token counter (`limits::token_key`).
    pub token_counter: String,
}

impl TokenNames {
    fn of(id: &TokenId, claims: &Claims) -> TokenNames {
        let token = id.hex();
        TokenNames {
            sub_counter: crate::limits::sub_key(&claims.sub),
            token_counter: crate::limits::token_key(&token),
            token,
        }
    }
}

/// A token checked once: its id, claims and names.
type Decoded = (TokenId, Arc<Claims>, Arc<TokenNames>);

#[derive(Default)]
pub struct TokenCache {
    decoded: Mutex<FastMap<Box<str>, Decoded>>,
}

impl TokenCache {
    fn entries(&self) -> MutexGuard<'_, FastMap<Box<str>, Decoded>> {
        crate::lock::lock(&self.decoded)
    }

    fn get(&self, token: &str) -> Option<Decoded> {
        self.entries().get(token).cloned()
    }

    fn insert(&self, token: &str, decoded: Decoded, now: u64) {
        let mut entries = self.entries();
        if entries.len() >= MAX_CACHED {
            entries.retain(|_, (_, claims, _)| claims.exp > now);
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
        }
        entries.insert(token.into(), decoded);
    }
}

/// Verifies `token` for `provider` at `now`.
pub fn verify(
    state: &AppState,
    token: &str,
    provider: ProviderId,
    now: u64,
) -> Result<Verified, TokenError> {
    let (id, claims, names) = match state.token_cache.get(token) {
        Some(decoded) => decoded,
        None => {
            let claims = Arc::new(state.keys.decode(token)?);
            let id = TokenId::of(token);
            let names = Arc::new(TokenNames::of(&id, &claims));
            state
                .token_cache
                .insert(token, (id, Arc::clone(&claims), Arc::clone(&names)), now);
            (id, claims, names)
        }
    };
    state.keys.check(&claims, provider.as_str(), now)?;
    Ok(Verified { claims, id, names })
}

impl Verified {
    /// For `/{provider}/…` routes: the token of `Authorization: Bearer`, verified for the
    /// provider the path names; refused with a 401 in that provider's envelope.
    pub fn of(parts: &Parts, state: &AppState) -> Result<Verified, Refusal> {
        let provider = parts
            .uri
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .and_then(ProviderId::parse);
        let (Some(provider), Some(rules)) = (provider, provider.and_then(gateway_rules_for)) else {
            return Err(Refusal::plain(
                StatusCode::NOT_FOUND,
                "provider",
                "No such provider.",
            ));
        };
        let result = match bearer(&parts.headers) {
            Some(token) => verify(state, token, provider, now_secs()),
            None => Err(TokenError::Missing),
        };
        result.map_err(|error| {
            refusal(
                rules,
                StatusCode::UNAUTHORIZED,
                ErrorKind::Authentication,
                error.code(),
                error.message(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_hashes_of_the_whole_token() {
        assert_eq!(TokenId::of("a.b.c"), TokenId::of("a.b.c"));
        assert_ne!(TokenId::of("a.b.c"), TokenId::of("a.b.d"));
        let hex = TokenId::of("a.b.c").hex();
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
