//! Rate-limit leases: how replicas share one counter without asking the database on every
//! request. A replica takes a small batch of requests at once from the shared counter (adds the
//! batch to it, and is granted what was still under the limit), then admits requests from that
//! batch in memory. Near the limit the batch shrinks to one request, so no replica ever admits
//! more than the limit allows; what a replica leased and did not use before the minute ended is
//! lost, so the limit can fall short by at most (batch − 1) per replica, and a batch is at most
//! a 32nd of the limit: "exact to within a few requests", and never over. Measured: one
//! database round trip per request made the gateway on PostgreSQL about 2.5 times slower than on
//! its embedded store (`scripts/bench-gateway.sh`).

use std::sync::{Arc, Mutex, MutexGuard};

use crate::fast_map::FastMap;

/// The largest batch a replica takes at once. The 32nd rule alone decides below a limit of
/// 32,768 a minute; above it, a round trip per 1,024 requests already costs about nothing, and
/// a bound keeps what replicas add to the shared counter (an `int4`) far from its range. With
/// a cap of 16 a hot token asked the database every 16th request: callgrind counted 83.9k
/// instructions per request on PostgreSQL against 81.1k embedded (so ~45k per round trip, ~45 a
/// request at this cap); with this cap, 81.8k against 80.5k (`scripts/callgrind-gateway.sh`).
pub const MAX_BATCH: u32 = 1024;
/// Past this many keys, those of earlier windows are dropped.
const MAX_KEYS: usize = 100_000;

/// How many requests a replica takes at once for a counter with this limit: small enough that
/// what a replica may leave unused is a small part of the limit (at most a 32nd), one at limits
/// under 64 (each request then counts in the database itself, exactly), and never more than
/// `MAX_BATCH`.
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
    /// Held by the one request of this replica asking the database for this key.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl Lease {
    fn new(window: u64) -> Lease {
        Lease {
            window,
            left: 0,
            over: false,
            turn: Arc::default(),
        }
    }
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

    /// The turn to ask the database for this key. One request of this replica asks at a time;
    /// the others wait for its batch (and `take` again) rather than each taking a batch of its
    /// own: concurrent requests that all found the batch spent used to ask together, and the
    /// replica ended up holding several batches (more left unused than the rule allows; under
    /// a limit near what the burst took, requests refused well before the limit).
    pub fn turn(&self, key: &str, window: u64) -> Arc<tokio::sync::Mutex<()>> {
        let mut entries = self.entries();
        make_room(&mut entries, window);
        Arc::clone(
            &entries
                .entry(key.to_string())
                .or_insert_with(|| Lease::new(window))
                .turn,
        )
    }

    /// Records what the database granted for a request that asked (`granted` requests, this
    /// one among them); whether this request is admitted.
    pub fn record(&self, key: &str, window: u64, granted: u32) -> bool {
        let mut entries = self.entries();
        make_room(&mut entries, window);
        let lease = entries
            .entry(key.to_string())
            .or_insert_with(|| Lease::new(window));
        if lease.window != window {
            lease.window = window;
            lease.left = 0;
            lease.over = false;
        }
        if granted == 0 {
            lease.over = true;
            return false;
        }
        lease.left += granted - 1;
        true
    }
}

/// Past `MAX_KEYS`, drops the keys of earlier windows (all of them if that is not enough).
fn make_room(entries: &mut FastMap<String, Lease>, window: u64) {
    if entries.len() >= MAX_KEYS {
        entries.retain(|_, lease| lease.window >= window);
        if entries.len() >= MAX_KEYS {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_shrink_with_the_limit_and_never_grant_past_it() {
        assert_eq!(batch_for(30), 1);
        assert_eq!(batch_for(120), 3);
        assert_eq!(batch_for(600), 18);
        assert_eq!(batch_for(32_768), 1024);
        assert_eq!(batch_for(1_000_000_000), MAX_BATCH);
        assert_eq!(batch_for(u32::MAX), MAX_BATCH);
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

    /// The rule the batch keeps, for every limit: at most a 32nd of it (one below 64), never
    /// more than the cap, never zero; so what replicas leave unused is bounded by the limit.
    #[test]
    fn a_batch_is_at_most_a_32nd_of_the_limit() {
        let limits = (0..200_000u32).step_by(7).chain([
            63,
            64,
            65,
            32_767,
            32_768,
            32_800,
            1 << 20,
            u32::MAX - 1,
            u32::MAX,
        ]);
        for limit in limits {
            let batch = batch_for(limit);
            assert!(batch >= 1, "{limit}");
            assert!(batch <= MAX_BATCH, "{limit}");
            assert!(batch == 1 || batch <= limit / 32, "{limit}: {batch}");
            if limit >= 64 {
                // Not needlessly small either: a 32nd, up to the cap.
                assert_eq!(batch, (limit / 32).min(MAX_BATCH), "{limit}");
            }
        }
    }

    /// Two replicas sharing a counter (the database is the `total` here), for small and large
    /// limits: together they admit at most the limit, and each leaves at most a batch unused, at
    /// most a 32nd of the limit (or one request).
    #[test]
    fn replicas_together_never_admit_more_than_the_limit() {
        for limit in [1, 40, 100, 3_000, 40_000, 100_000] {
            let batch = batch_for(limit);
            let replicas = [Leases::default(), Leases::default()];
            let mut total = 0u32;
            let mut admitted = 0u32;
            for i in 0..(limit as usize * 2 + 100) {
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
            assert!(admitted <= limit, "{limit}: {admitted}");
            assert!(admitted + 2 * (batch - 1) >= limit, "{limit}: {admitted}");
            assert!(
                limit - admitted <= 2 * (limit / 32).max(1),
                "{limit}: {admitted}"
            );
        }
    }
}
