//! `/healthz`: whether the gateway can serve, which is whether its store answers.
//!
//! The route is not counted against any address (a load balancer asks at its own pace), so its
//! answer is kept for a second and one check runs at a time: a flood of health checks against
//! every replica asks the shared database at most once a second per replica, instead of tying
//! up every pooled connection with `SELECT 1`.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// How long an answer stands.
pub const KEPT: Duration = Duration::from_secs(1);
/// How long the store may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The store refused or failed.
    Unreachable,
    /// The store did not answer within `TIMEOUT`.
    NoAnswer,
}

#[derive(Default)]
pub struct HealthCheck {
    last: Mutex<Option<(Instant, Health)>>,
}

impl HealthCheck {
    /// The answer of a check made less than `KEPT` before `now`, or of `check` run now (with
    /// the others waiting for it, then taking its answer).
    pub async fn get(&self, now: Instant, check: impl Future<Output = Health>) -> Health {
        let mut last = self.last.lock().await;
        if let Some((at, health)) = *last {
            if now.saturating_duration_since(at) < KEPT {
                return health;
            }
        }
        let health = tokio::time::timeout(TIMEOUT, check)
            .await
            .unwrap_or(Health::NoAnswer);
        // Kept from when it finished, so a slow check does not leave an answer already stale.
        *last = Some((Instant::now().max(now), health));
        health
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn many_checks_at_once_ask_the_store_once_and_again_after_a_second() {
        let health = Arc::new(HealthCheck::default());
        let asked = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let mut checks = Vec::new();
        for _ in 0..50 {
            let (health, asked) = (Arc::clone(&health), Arc::clone(&asked));
            checks.push(tokio::spawn(async move {
                health
                    .get(start, async {
                        asked.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Health::Unreachable
                    })
                    .await
            }));
        }
        for check in checks {
            assert_eq!(check.await.unwrap(), Health::Unreachable);
        }
        assert_eq!(asked.load(Ordering::SeqCst), 1);
        let again = health
            .get(Instant::now() + KEPT, async {
                asked.fetch_add(1, Ordering::SeqCst);
                Health::Ok
            })
            .await;
        assert_eq!((again, asked.load(Ordering::SeqCst)), (Health::Ok, 2));
    }
}
