//! A store that cannot record a rename (PostgreSQL failing at that moment) and does everything
//! else as the store it wraps.

use std::sync::Arc;

use async_trait::async_trait;
use customer_form_gateway::adapters::CountTokenPair;
use customer_form_gateway::store::{CountPairLock, Counter, Grant, Rename, Store, StoreError};

pub struct FailingRenames(pub Arc<dyn Store>);

#[async_trait]
impl Store for FailingRenames {
    fn kind(&self) -> &'static str {
        "failing-renames"
    }
    async fn health(&self) -> Result<(), StoreError> {
        self.0.health().await
    }
    async fn admit(&self, c: &[Counter], a: u64, b: u64) -> Result<Vec<bool>, StoreError> {
        self.0.admit(c, a, b).await
    }
    async fn binding(&self, t: &str) -> Result<Option<String>, StoreError> {
        self.0.binding(t).await
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
    async fn record_rename(&self, _: &str, _: &str, _: u64, _: u64) -> Result<(), StoreError> {
        Err(StoreError("the store is failing over".into()))
    }
    async fn forget_rename(&self, o: &str, n: &str, at: u64) -> Result<(), StoreError> {
        self.0.forget_rename(o, n, at).await
    }
    async fn next_rename(&self, k: &str, since: u64) -> Result<Option<Rename>, StoreError> {
        self.0.next_rename(k, since).await
    }
    async fn put_oauth_state(&self, s: &str, b: bool, e: u64) -> Result<(), StoreError> {
        self.0.put_oauth_state(s, b, e).await
    }
    async fn take_oauth_state(&self, s: &str, now: u64) -> Result<Option<bool>, StoreError> {
        self.0.take_oauth_state(s, now).await
    }
    async fn spend_ticket(&self, n: &str, e: u64) -> Result<bool, StoreError> {
        self.0.spend_ticket(n, e).await
    }
    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        self.0.count_pair().await
    }
    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
        self.0.save_count_pair(pair).await
    }
    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        self.0.lock_count_pair().await
    }
    async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
        self.0.clean_up(now).await
    }
}
