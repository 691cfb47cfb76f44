//! `/healthz` against a store that takes its time: a flood of health checks (the route is counted
//! against no address) asks the store once, not once per request.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use customer_form_gateway::adapters::CountTokenPair;
use customer_form_gateway::store::{CountPairLock, Counter, Grant, Rename, Store, StoreError};
use customer_form_gateway::AppState;

/// A store whose health check is slow and counted; nothing else is asked of it here.
struct SlowHealth(Arc<AtomicUsize>);

fn unused<T>() -> Result<T, StoreError> {
    Err(StoreError("not asked in this test".into()))
}

#[async_trait]
impl Store for SlowHealth {
    fn kind(&self) -> &'static str {
        "slow"
    }
    async fn health(&self) -> Result<(), StoreError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(())
    }
    async fn admit(&self, _: &[Counter], _: u64, _: u64) -> Result<Vec<bool>, StoreError> {
        unused()
    }
    async fn binding(&self, _: &str) -> Result<Option<String>, StoreError> {
        unused()
    }
    async fn bind(&self, _: &str, _: &str, _: u64) -> Result<String, StoreError> {
        unused()
    }
    async fn grant(&self, _: &str, _: &str, _: u64, _: u64) -> Result<(), StoreError> {
        unused()
    }
    async fn grants(&self, _: &str) -> Result<Vec<Grant>, StoreError> {
        unused()
    }
    async fn record_rename(&self, _: &str, _: &str, _: u64, _: u64) -> Result<(), StoreError> {
        unused()
    }
    async fn forget_rename(&self, _: &str, _: &str, _: u64) -> Result<(), StoreError> {
        unused()
    }
    async fn next_rename(&self, _: &str, _: u64) -> Result<Option<Rename>, StoreError> {
        unused()
    }
    async fn put_oauth_state(&self, _: &str, _: bool, _: u64) -> Result<(), StoreError> {
        unused()
    }
    async fn take_oauth_state(&self, _: &str, _: u64) -> Result<Option<bool>, StoreError> {
        unused()
    }
    async fn spend_ticket(&self, _: &str, _: u64) -> Result<bool, StoreError> {
        unused()
    }
    async fn count_pair(&self) -> Result<Option<CountTokenPair>, StoreError> {
        unused()
    }
    async fn save_count_pair(&self, _: &CountTokenPair) -> Result<(), StoreError> {
        unused()
    }
    async fn lock_count_pair(&self) -> Result<Box<dyn CountPairLock>, StoreError> {
        unused()
    }
    async fn clean_up(&self, _: u64) -> Result<(), StoreError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_flood_of_health_checks_asks_the_store_once() {
    let asked = Arc::new(AtomicUsize::new(0));
    let mut state = AppState::new(common::config("")).unwrap();
    state.store = Arc::new(SlowHealth(Arc::clone(&asked)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/healthz", listener.local_addr().unwrap());
    tokio::spawn(customer_form_gateway::serve_listener(
        Arc::new(state),
        listener,
        std::future::pending(),
    ));
    let http = reqwest::Client::new();
    let mut checks = Vec::new();
    for _ in 0..40 {
        let (http, url) = (http.clone(), url.clone());
        checks.push(tokio::spawn(async move {
            let reply = http.get(url).send().await.unwrap();
            (reply.status().as_u16(), reply.text().await.unwrap())
        }));
    }
    for check in checks {
        assert_eq!(check.await.unwrap(), (200, "ok".to_string()));
    }
    assert_eq!(asked.load(Ordering::SeqCst), 1, "one check for the flood");
}
