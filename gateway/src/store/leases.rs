//! Rate-limit leases: how replicas share one counter without asking the database on every
//! request. A replica takes a small batch of requests at once from the shared counter (adds the
//! batch to it, and is granted what was still under the limit), then admits requests from that
//! batch in memory. Near the limit the batch shrinks to one request, so no replica ever admits
//! more than the limit allows; what a replica leased and did not use before the minute ended is
//! lost, so the limit can fall short by at most (batch − 1) per replica: "exact to within a few
//! requests", and never over. Measured: one database round trip per request made the gateway
//! on PostgreSQL about 2.5 times slower than on its embedded store (`scripts/bench-gateway.sh`).

use std::sync::{Mutex, MutexGuard};

use crate::fast_map::FastMap;

/// The largest batch a replica takes at once.
const MAX_BATCH: u32 = 16;
/// Past this many keys, those of earlier windows are dropped.
const MAX_KEYS: usize = 100_000;

/// How many requests a replica takes at once for a counter with this limit: small enough that
/// what replicas may leave unused is a small part of the limit (a 32nd), one at most limits
/// under 64 (each request then counts in the database itself, exactly).
pub fn batch_for(limit: u32) -> u32 {
    (limit / 32).clamp(1, MAX_BATCH)
}

/// What a batch of `batch` taken when the shared counter stood at `before` grants under `limit`.
pub fn granted(limit: u32, before: u32, batch: u32) -> u32 {
    limit.saturating_sub(before).min(batch)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Local {
    /// Admitted from this replica's batch.
    Admitted,
    /// The counter is known to be over its limit for the rest of the window.
    Refused,
    /// No batch left: the database must be asked.
    Ask,
}

#[derive(Default)]
pub struct Leases {
    entries: Mutex<FastMap<String, Lease>>,
}

struct Lease {
    window: u64,
    left: u32,
    over: bool,
}

impl Leases {
    fn entries(&self) -> MutexGuard<'_, FastMap<String, Lease>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Admits a request from the batch in hand, if there is one for this window.
    pub fn take(&self, key: &str, window: u64) -> Local {
        match self.entries().get_mut(key) {
            Some(lease) if lease.window == window && lease.over => Local::Refused,
            Some(lease) if lease.window == window && lease.left > 0 => {
                lease.left -= 1;
                Local::Admitted
            }
            _ => Local::Ask,
        }
    }

    /// Records what the database granted for a request that asked (`granted` requests, this
    /// one among them); whether this request is admitted.
    pub fn record(&self, key: &str, window: u64, granted: u32) -> bool {
        let mut entries = self.entries();
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, lease| lease.window >= window);
            if entries.len() >= MAX_KEYS {
                entries.clear();
            }
        }
        let lease = entries.entry(key.to_string()).or_insert(Lease {
            window,
            left: 0,
            over: false,
        });
        if lease.window != window {
            *lease = Lease {
                window,
                left: 0,
                over: false,
            };
        }
        if granted == 0 {
            lease.over = true;
            return false;
        }
        lease.left += granted - 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_shrink_with_the_limit_and_never_grant_past_it() {
        assert_eq!(batch_for(30), 1);
        assert_eq!(batch_for(120), 3);
        assert_eq!(batch_for(600), 16);
        assert_eq!(batch_for(u32::MAX), 16);
        assert_eq!(granted(10, 0, 3), 3);
        assert_eq!(granted(10, 8, 3), 2);
        assert_eq!(granted(10, 10, 3), 0);
        assert_eq!(granted(10, 40, 3), 0);
    }

    #[test]
    fn a_batch_is_spent_locally_then_the_database_is_asked_again() {
        let leases = Leases::default();
        assert_eq!(leases.take("k", 60), Local::Ask);
        assert!(leases.record("k", 60, 3));
        assert_eq!(leases.take("k", 60), Local::Admitted);
        assert_eq!(leases.take("k", 60), Local::Admitted);
        assert_eq!(leases.take("k", 60), Local::Ask);
        assert!(!leases.record("k", 60, 0));
        assert_eq!(
            leases.take("k", 60),
            Local::Refused,
            "over until the window ends"
        );
        assert_eq!(leases.take("k", 120), Local::Ask, "a new window");
    }

    /// Two replicas sharing a counter of limit 40 (the database is the `total` here): together
    /// they admit at most 40, and leave at most a batch unused each.
    #[test]
    fn replicas_together_never_admit_more_than_the_limit() {
        let limit = 40;
        let batch = batch_for(limit);
        let replicas = [Leases::default(), Leases::default()];
        let mut total = 0u32;
        let mut admitted = 0u32;
        for i in 0..200 {
            let leases = &replicas[i % 2];
            let ok = match leases.take("k", 0) {
                Local::Admitted => true,
                Local::Refused => false,
                Local::Ask => {
                    let before = total;
                    total += batch;
                    leases.record("k", 0, granted(limit, before, batch))
                }
            };
            admitted += u32::from(ok);
        }
        assert!(admitted <= limit);
        assert!(admitted + 2 * (batch - 1) >= limit, "{admitted}");
    }
}
