//! Fixed-window request counters per key, in this process (the per-IP limit).

use std::collections::HashMap;
use std::sync::Mutex;

pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<std::net::IpAddr, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request; `Err(seconds)` to wait when the key is over its limit.
    pub fn check(&self, key: std::net::IpAddr, now: u64) -> Result<(), u64> {
        let window = now / 60;
        let mut windows = match self.windows.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > 50_000 {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(key).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.per_minute {
            return Err((window + 1) * 60 - now);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key_per_minute() {
        let limiter = RateLimiter::new(2);
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(limiter.check(a, 120).is_ok());
        assert!(limiter.check(a, 121).is_ok());
        assert_eq!(limiter.check(a, 150), Err(30));
        assert!(limiter.check(b, 150).is_ok());
        assert!(limiter.check(a, 180).is_ok(), "a new window");
    }
}
