//! A store whose every answer comes within a limit, or as a failure. PostgreSQL ends a statement
//! past `statement_timeout` itself, but a database that stops answering altogether (a frozen
//! process, a network partition that drops packets rather than refusing them) leaves each query
//! waiting for TCP to give up: every request that needs the store then held its connection
//! until the request's own timeout (60 s, 408), found by the attacker's second look of
//! 2026-11-28. With the limit it gets the usual 503 (`store_unavailable`) in seconds, as with
//! the database down.
//!
//! `lock_count_pair` waits for another replica's Count refresh (PostgreSQL allows it 90 s, see
//! `postgres_count_pair.rs`): it has that much more; the lock's commit has the usual limit. Not
//! limited: `prepare` (the migrations wait for another replica's, under their lock) and
//! `clean_up` (five deletes, in the background, holding up no request).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{CountPairLock, Counter, Grant, Rename, Store, StoreError};
use crate::adapters::CountTokenPair;

pub struct Timed {
    inner: Arc<dyn Store>,
    limit: Duration,
}

impl Timed {
    pub fn new(inner: Arc<dyn Store>, limit: Duration) -> Timed {
        Timed { inner, limit }
    }

    async fn within<T>(
        &self,
        what: &str,
        answer: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.limit, answer).await {
            Ok(answer) => answer,
            Err(_) => Err(StoreError(format!(
                "the store did not answer {what} within {} ms",
                self.limit.as_millis()
            ))),
        }
    }
}

#[async_trait]
impl Store for Timed {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    async fn prepare(&self) -> Result<(), StoreError> {
        self.inner.prepare().await
    }
    async fn health(&self) -> Result<(), StoreError> {
        self.within("a health check", self.inner.health()).await
    }
    async fn admit(&self, c: &[Counter], w: u64, e: u64) -> Result<Vec<bool>, StoreError> {
        self.within("a rate count", self.inner.admit(c, w, e)).await
    }
    async fn binding(&self, t: &str) -> Result<Option<String>, StoreError> {
        self.within("a binding", self.inner.binding(t)).await
    }
    async fn bind(&self, t: &str, i: &str, e: u64) -> Result<String, StoreError> {
        self.within("a binding", self.inner.bind(t, i, e)).await
    }
    async fn grant(&self, t: &str, i: &str, at: u64, e: u64) -> Result<(), StoreError> {
        self.within("a grant", self.inner.grant(t, i, at, e)).await
    }
    async fn grants(&self, t: &str) -> Result<Vec<Grant>, StoreError> {
        self.within("the grants", self.inner.grants(t)).await
    }
    async fn has_grant(&self, t: &str, i: &str) -> Result<bool, StoreError> {
        self.within("a grant", self.inner.has_grant(t, i)).await
    }
    async fn record_rename(&self, o: &str, n: &str, at: u64, e: u64) -> Result<(), StoreError> {
        self.within("a rename", self.inner.record_rename(o, n, at, e))
            .await
    }
    async fn forget_rename(&self, o: &str, n: &str, at: u64) -> Result<(), StoreError> {
        self.within("a rename", self.inner.forget_rename(o, n, at))
            .await
    }
    async fn next_rename(&self, k: &str, since: u64) -> Result<Option<Rename>, StoreError> {
        self.within("the renames", self.inner.next_rename(k, since))
            .await
    }
    async fn put_oauth_state(&self, s: &str, a: bool, e: u64) -> Result<(), StoreError> {
        self.within("an OAuth state", self.inner.put_oauth_state(s, a, e))
            .await
    }
    async fn take_oauth_state(&self, s: &str, now: u64) -> Result<Option<bool>, StoreError> {
        self.within("an OAuth state", self.inner.take_oauth_state(s, now))
            .await
    }
    async fn spend_ticket(&self, k: &str, e: u64) -> Result<bool, StoreError> {
        self.within("a connect ticket", self.inner.spend_ticket(k, e))
            .await
    }
    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        self.within("Count's tokens", self.inner.count_pair()).await
    }
    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
        self.within("Count's tokens", self.inner.save_count_pair(pair))
            .await
    }
    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        let limit = self.limit;
        let lock = tokio::time::timeout(
            limit.saturating_add(super::postgres_setup::COUNT_LOCK_WAIT),
            self.inner.lock_count_pair(),
        )
        .await
        .map_err(|_| StoreError("the store did not lock Count's tokens in time".into()))??;
        Ok(Box::new(TimedLock { lock, limit }))
    }
    async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
        self.inner.clean_up(now).await
    }
}

/// The lock on Count's tokens, whose commit answers within the store's limit.
struct TimedLock {
    lock: Box<dyn CountPairLock>,
    limit: Duration,
}

#[async_trait]
impl CountPairLock for TimedLock {
    fn pair(&self) -> Option<&CountTokenPair> {
        self.lock.pair()
    }
    async fn commit(self: Box<Self>, pair: &CountTokenPair) -> Result<(), StoreError> {
        tokio::time::timeout(self.limit, self.lock.commit(pair))
            .await
            .map_err(|_| StoreError("the store did not save Count's tokens in time".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;

    /// The embedded store, except that reading a binding never answers, nor does saving
    /// Count's tokens under the lock.
    struct Frozen(EmbeddedStore);

    struct FrozenLock;

    #[async_trait]
    impl CountPairLock for FrozenLock {
        fn pair(&self) -> Option<&CountTokenPair> {
            None
        }
        async fn commit(self: Box<Self>, _: &CountTokenPair) -> Result<(), StoreError> {
            std::future::pending().await
        }
    }

    #[async_trait]
    impl Store for Frozen {
        fn kind(&self) -> &'static str {
            "frozen"
        }
        async fn health(&self) -> Result<(), StoreError> {
            self.0.health().await
        }
        async fn admit(&self, c: &[Counter], w: u64, e: u64) -> Result<Vec<bool>, StoreError> {
            self.0.admit(c, w, e).await
        }
        async fn binding(&self, _: &str) -> Result<Option<String>, StoreError> {
            std::future::pending().await
        }
        async fn bind(&self, t: &str, i: &str, e: u64) -> Result<String, StoreError> {
            self.0.bind(t, i, e).await
        }
        async fn grant(&self, t: &str, i: &str, at: u64, e: u64) -> Result<(), StoreError> {
            self.0.grant(t, i, at, e).await
        }
        async fn grants(&self, t: &str) -> Result<Vec<Grant>, StoreError> {
            self.0.grants(t).await
        }
        async fn record_rename(&self, o: &str, n: &str, at: u64, e: u64) -> Result<(), StoreError> {
            self.0.record_rename(o, n, at, e).await
        }
        async fn forget_rename(&self, o: &str, n: &str, at: u64) -> Result<(), StoreError> {
            self.0.forget_rename(o, n, at).await
        }
        async fn next_rename(&self, k: &str, s: u64) -> Result<Option<Rename>, StoreError> {
            self.0.next_rename(k, s).await
        }
        async fn put_oauth_state(&self, s: &str, a: bool, e: u64) -> Result<(), StoreError> {
            self.0.put_oauth_state(s, a, e).await
        }
        async fn take_oauth_state(&self, s: &str, n: u64) -> Result<Option<bool>, StoreError> {
            self.0.take_oauth_state(s, n).await
        }
        async fn spend_ticket(&self, k: &str, e: u64) -> Result<bool, StoreError> {
            self.0.spend_ticket(k, e).await
        }
        async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
            self.0.count_pair().await
        }
        async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
            self.0.save_count_pair(pair).await
        }
        async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
            Ok(Box::new(FrozenLock))
        }
        async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
            self.0.clean_up(now).await
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_that_stops_answering_fails_within_the_limit_and_the_rest_goes_on() {
        let store = Timed::new(
            Arc::new(Frozen(EmbeddedStore::new(None))),
            Duration::from_secs(7),
        );
        let started = tokio::time::Instant::now();
        let error = store.binding("token").await.unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(7));
        assert!(error.0.contains("did not answer a binding"), "{}", error.0);
        store.grant("token", "cus_1", 1, u64::MAX).await.unwrap();
        assert_eq!(store.grants("token").await.unwrap().len(), 1);

        let lock = store.lock_count_pair().await.unwrap();
        let pair = CountTokenPair {
            access_token: crate::secret::Secret::new("a"),
            refresh_token: crate::secret::Secret::new("r"),
            access_expires_at: None,
            refresh_expires_at: None,
            workspace_id: None,
            workspace_name: None,
        };
        let started = tokio::time::Instant::now();
        assert!(lock.commit(&pair).await.is_err());
        assert_eq!(started.elapsed(), Duration::from_secs(7));
    }
}
