//! Everything one request may depend on that another request set: which record a token is bound
//! to, the records a token created, Partnero renames, Count's OAuth states and workspace token
//! pair, and the per-user rate-limit counters. Each entry has an expiry and is cleaned up.
//!
//! Two backends behind one trait: `embedded` (in-process maps plus the Count SQLite file: one
//! gateway) and `postgres` (any number of gateways on one database).

pub mod embedded;
pub mod leases;
pub mod postgres;
mod postgres_count_pair;
pub mod postgres_setup;
pub mod timed;

use std::fmt;

use async_trait::async_trait;

use crate::adapters::CountTokenPair;

/// The store could not be reached or refused an operation. The message is for the log: it never
/// holds a token, a secret or provider data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record a token created, by the provider's identity for it, and when (Unix milliseconds; a
/// Partnero grant follows the renames made after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub identity: String,
    pub at_ms: u64,
}

/// A request counted against `key`, allowed while the key's count in the window is within
/// `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    pub key: String,
    pub limit: u32,
}

/// A Partnero key renamed through the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    pub new_key: String,
    pub at_ms: u64,
}

/// How many renames a key is followed through at most (a chain longer than this within one
/// token's lifetime is not something a form does); past it, the key reaches nothing.
pub const MAX_RENAME_CHAIN: usize = 32;
/// Started OAuth flows remembered at once; the oldest gives way.
pub const MAX_OAUTH_STATES: usize = 32;

#[async_trait]
pub trait Store: Send + Sync {
    /// `embedded` or `postgres`, for the log and `/healthz`.
    fn kind(&self) -> &'static str;

    /// Prepares the store before the gateway takes requests (PostgreSQL: the migrations).
    async fn prepare(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn health(&self) -> Result<(), StoreError>;

    /// Counts one request against each counter in the fixed window starting at `window_start`
    /// (seconds); whether each is still within its limit, in order.
    async fn admit(
        &self,
        counters: &[Counter],
        window_start: u64,
        expires_at: u64,
    ) -> Result<Vec<bool>, StoreError>;

    /// The identity the token's `customer` claim was bound to.
    async fn binding(&self, token: &str) -> Result<Option<String>, StoreError>;

    /// Binds the token unless it already is; the binding in force either way (the first one
    /// wins, so replicas resolving the same token at once agree).
    async fn bind(
        &self,
        token: &str,
        identity: &str,
        expires_at: u64,
    ) -> Result<String, StoreError>;

    async fn grant(
        &self,
        token: &str,
        identity: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError>;

    async fn grants(&self, token: &str) -> Result<Vec<Grant>, StoreError>;

    /// Whether the token created the record with this identity (for records named by an
    /// immutable identity; a Partnero grant follows renames, through `grants`).
    async fn has_grant(&self, token: &str, identity: &str) -> Result<bool, StoreError> {
        Ok(self
            .grants(token)
            .await?
            .iter()
            .any(|grant| grant.identity == identity))
    }

    /// Records that the Partnero key `old` became `new` at `at_ms`.
    async fn record_rename(
        &self,
        old: &str,
        new: &str,
        at_ms: u64,
        expires_at: u64,
    ) -> Result<(), StoreError>;

    /// Takes back one rename `record_rename` recorded with these values (one the provider then
    /// refused); nothing when there is none.
    async fn forget_rename(&self, old: &str, new: &str, at_ms: u64) -> Result<(), StoreError>;

    /// The first rename of `key` at or after `since_ms`.
    async fn next_rename(&self, key: &str, since_ms: u64) -> Result<Option<Rename>, StoreError>;

    /// Remembers a started Count OAuth flow (by a hash of its `state`).
    async fn put_oauth_state(
        &self,
        state: &str,
        by_admin: bool,
        expires_at_ms: u64,
    ) -> Result<(), StoreError>;

    /// Uses up a started flow: `Some(by_admin)` if it was there and had not expired.
    async fn take_oauth_state(&self, state: &str, now_ms: u64) -> Result<Option<bool>, StoreError>;

    /// Marks a one-time Count connect ticket (by its `spent_key`) as used, until it would have
    /// expired anyway: `true` for the first call, `false` for any later one, on any gateway
    /// sharing the store. Kept beside the OAuth states.
    async fn spend_ticket(&self, key: &str, expires_at_ms: u64) -> Result<bool, StoreError>;

    /// The Count workspace's token pair.
    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError>;

    /// Replaces the pair durably (committed before it returns).
    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError>;

    /// Holds the pair exclusively (across every gateway on this store) until the lock is
    /// committed or dropped: a refresh happens under it, so it happens once.
    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError>;

    /// Removes what has expired.
    async fn clean_up(&self, now: u64) -> Result<(), StoreError>;
}

#[async_trait]
pub trait CountPairLock: Send {
    /// The pair as stored when the lock was taken.
    fn pair(&self) -> Option<&CountTokenPair>;

    /// Stores `pair` and releases the lock.
    async fn commit(self: Box<Self>, pair: &CountTokenPair) -> Result<(), StoreError>;
}

/// The key a Partnero token or grant names now: `key` followed through every rename recorded at
/// or after `since_ms`; `None` when the chain is longer than `MAX_RENAME_CHAIN`. Stopping
/// partway would name a key its record has left, free for anyone to take, and so put whoever
/// took it in the token's reach.
pub async fn follow_renames(
    store: &dyn Store,
    key: &str,
    since_ms: u64,
) -> Result<Option<String>, StoreError> {
    let mut current = key.to_string();
    let mut since = since_ms;
    for _ in 0..=MAX_RENAME_CHAIN {
        match store.next_rename(&current, since).await? {
            Some(rename) => {
                current = rename.new_key;
                since = rename.at_ms;
            }
            None => return Ok(Some(current)),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renames_are_followed_in_order_from_a_point_in_time() {
        let store = embedded::EmbeddedStore::new(None);
        let far = u64::MAX / 4;
        store.record_rename("a", "b", 1_000, far).await.unwrap();
        store.record_rename("b", "c", 2_000, far).await.unwrap();
        // A later key `a` (someone else took it) renamed again.
        store.record_rename("a", "z", 3_000, far).await.unwrap();
        let follow = |key: &'static str, since: u64| {
            let store = &store;
            async move { follow_renames(store, key, since).await.unwrap() }
        };
        assert_eq!(follow("a", 0).await.as_deref(), Some("c"));
        assert_eq!(follow("a", 1_000).await.as_deref(), Some("c"));
        assert_eq!(follow("a", 1_001).await.as_deref(), Some("z"));
        assert_eq!(follow("b", 2_500).await.as_deref(), Some("b"));
        // A rename back: the key that was renamed away later is not followed into.
        store.record_rename("c", "a", 4_000, far).await.unwrap();
        assert_eq!(follow("c", 3_500).await.as_deref(), Some("a"));
        // Renames in the same millisecond going round cannot hang; they reach nothing.
        store.record_rename("p", "q", 5_000, far).await.unwrap();
        store.record_rename("q", "p", 5_000, far).await.unwrap();
        assert_eq!(follow("p", 5_000).await, None);
    }

    #[tokio::test]
    async fn a_chain_one_past_the_cap_reaches_nothing_and_one_at_it_its_end() {
        let store = embedded::EmbeddedStore::new(None);
        let far = u64::MAX / 4;
        for i in 0..MAX_RENAME_CHAIN as u64 {
            let (from, to) = (format!("k{i}"), format!("k{}", i + 1));
            store
                .record_rename(&from, &to, 1_000 + i, far)
                .await
                .unwrap();
        }
        let end = format!("k{MAX_RENAME_CHAIN}");
        assert_eq!(
            follow_renames(&store, "k0", 0).await.unwrap(),
            Some(end.clone())
        );
        store.record_rename(&end, "past", 2_000, far).await.unwrap();
        assert_eq!(follow_renames(&store, "k0", 0).await.unwrap(), None);
        assert_eq!(
            follow_renames(&store, "k1", 0).await.unwrap().as_deref(),
            Some("past")
        );
    }
}
