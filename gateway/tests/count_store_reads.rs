//! Count's pair is read from the store again every few seconds (a workspace connected again
//! through another replica is taken up). That read must not hold requests up: with the store
//! slow or down (PostgreSQL failing over), requests go on with the pair in use, and one read
//! hangs at a time.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use common::{count_config, gateway_client, outgoing, Sandbox, TempStore};
use customer_form_gateway::adapters::{self, Adapter, CountTokenPair, CountTokenStore, Upstream};
use customer_form_gateway::store::embedded::EmbeddedStore;
use customer_form_gateway::store::{CountPairLock, Counter, Grant, Rename, Store, StoreError};
use providers::ProviderId;
use tokio::sync::Notify;

const ACME: &str = "5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";

/// The embedded store, whose reads of Count's pair can be held until released.
struct HeldReads {
    inner: EmbeddedStore,
    hold: AtomicBool,
    held: AtomicUsize,
    release: Notify,
}

#[async_trait]
impl Store for HeldReads {
    fn kind(&self) -> &'static str {
        "held"
    }
    async fn health(&self) -> Result<(), StoreError> {
        self.inner.health().await
    }
    async fn admit(&self, c: &[Counter], a: u64, b: u64) -> Result<Vec<bool>, StoreError> {
        self.inner.admit(c, a, b).await
    }
    async fn binding(&self, t: &str) -> Result<Option<String>, StoreError> {
        self.inner.binding(t).await
    }
    async fn bind(&self, t: &str, i: &str, e: u64) -> Result<String, StoreError> {
        self.inner.bind(t, i, e).await
    }
    async fn grant(&self, t: &str, i: &str, at: u64, e: u64) -> Result<(), StoreError> {
        self.inner.grant(t, i, at, e).await
    }
    async fn grants(&self, t: &str) -> Result<Vec<Grant>, StoreError> {
        self.inner.grants(t).await
    }
    async fn record_rename(&self, o: &str, n: &str, at: u64, e: u64) -> Result<(), StoreError> {
        self.inner.record_rename(o, n, at, e).await
    }
    async fn forget_rename(&self, o: &str, n: &str, at: u64) -> Result<(), StoreError> {
        self.inner.forget_rename(o, n, at).await
    }
    async fn next_rename(&self, k: &str, since: u64) -> Result<Option<Rename>, StoreError> {
        self.inner.next_rename(k, since).await
    }
    async fn put_oauth_state(&self, s: &str, b: bool, e: u64) -> Result<(), StoreError> {
        self.inner.put_oauth_state(s, b, e).await
    }
    async fn take_oauth_state(&self, s: &str, now: u64) -> Result<Option<bool>, StoreError> {
        self.inner.take_oauth_state(s, now).await
    }
    async fn spend_ticket(&self, n: &str, e: u64) -> Result<bool, StoreError> {
        self.inner.spend_ticket(n, e).await
    }
    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        if self.hold.load(Ordering::SeqCst) {
            self.held.fetch_add(1, Ordering::SeqCst);
            self.release.notified().await;
        }
        self.inner.count_pair().await
    }
    async fn save_count_pair(&self, pair: &CountTokenPair) -> Result<(), StoreError> {
        self.inner.save_count_pair(pair).await
    }
    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        self.inner.lock_count_pair().await
    }
    async fn clean_up(&self, now: u64) -> Result<(), StoreError> {
        self.inner.clean_up(now).await
    }
}

async fn read_acme(count: &dyn Adapter) -> u16 {
    let read = outgoing(
        "GET",
        &format!("/customers/{ACME}"),
        &[("accept", "application/json")],
        "",
    );
    // A guard against a test that hangs, not a measurement: a request that waits for the held
    // read never ends.
    tokio::time::timeout(Duration::from_secs(10), count.send(&gateway_client(), read))
        .await
        .expect("a Count request waited for the store's read of the pair")
        .unwrap()
        .status
}

#[tokio::test]
async fn requests_go_on_while_the_store_is_read_again() {
    let sandbox = Sandbox::start().await;
    let file = TempStore::new();
    let config = count_config(
        &sandbox,
        &file.path,
        "http://127.0.0.1:9/count/oauth/callback",
        false,
    );
    let reply = sandbox.control("/_count/issue-tokens", "{}").await;
    let pair = CountTokenPair::from_reply(&reply).unwrap();
    CountTokenStore::open(&file.path)
        .unwrap()
        .save(&pair)
        .unwrap();
    let store = Arc::new(HeldReads {
        inner: EmbeddedStore::new(Some(CountTokenStore::open(&file.path).unwrap())),
        hold: AtomicBool::new(false),
        held: AtomicUsize::new(0),
        release: Notify::new(),
    });
    let mut built = adapters::build_with(
        &config.providers,
        Arc::clone(&store) as Arc<dyn Store>,
        Upstream::new(Duration::from_secs(10)).unwrap(),
    )
    .unwrap();
    let count = built.remove(&ProviderId::Count).unwrap();
    assert_eq!(read_acme(count.as_ref()).await, 200, "the pair is loaded");
    // From now on the store does not answer a read of the pair until released.
    store.hold.store(true, Ordering::SeqCst);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while store.held.load(Ordering::SeqCst) == 0 {
        assert_eq!(read_acme(count.as_ref()).await, 200);
        assert!(
            std::time::Instant::now() < deadline,
            "the store was never read again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The store's read is under way and held: requests still go through, and no second read
    // starts beside it however long it hangs (each would hold one of the store's connections).
    let held_since = std::time::Instant::now();
    while held_since.elapsed() < Duration::from_millis(4500) {
        assert_eq!(read_acme(count.as_ref()).await, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        store.held.load(Ordering::SeqCst),
        1,
        "one read of the store at a time"
    );
    store.release.notify_waiters();
}
