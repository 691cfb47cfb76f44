//! Fixed one-minute windows per bucket (a provider plus its key: API key, client id, or IP).
//!
//! Real limiters differ (Commerce Layer slides its window); a fixed window gives tests exact,
//! predictable numbers, which matters more here.

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct RateLimiter {
    windows: HashMap<String, Window>,
}

struct Window {
    started: Instant,
    count: u64,
}

/// The outcome of counting one request.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub limit: u64,
    pub remaining: u64,
    /// `Some(seconds until the window resets)` when the request is over the limit.
    pub retry_after_secs: Option<u64>,
}

impl RateLimiter {
    /// Counts a request against `bucket` and says whether it may proceed. Requests over the limit
    /// are not counted (they do not push the reset further away).
    pub fn hit(&mut self, bucket: &str, limit: u64) -> Verdict {
        let now = Instant::now();
        let window = self.windows.entry(bucket.to_owned()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit {
            let left = WINDOW.saturating_sub(now.duration_since(window.started));
            // Round up: "retry after 0 seconds" would invite an immediate retry that fails again.
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Verdict {
                limit,
                remaining: 0,
                retry_after_secs: Some(secs.max(1)),
            };
        }
        window.count += 1;
        Verdict {
            limit,
            remaining: limit - window.count,
            retry_after_secs: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses() {
        let mut limiter = RateLimiter::default();
        assert_eq!(limiter.hit("k", 2).remaining, 1);
        assert_eq!(limiter.hit("k", 2).remaining, 0);
        let over = limiter.hit("k", 2);
        assert!(over.retry_after_secs.is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(limiter.hit("other", 2).remaining, 1);
    }
}
