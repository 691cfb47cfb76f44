//! Fixed-window request counters per client address, in this process (the per-IP limit). An
//! IPv6 client is counted by its /64: one host usually has a whole /64 to pick addresses from.

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
    pub fn check(&self, address: std::net::IpAddr, now: u64) -> Result<(), u64> {
        let key = network_of(address);
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

/// The address an IPv4 client is counted by, or the /64 of an IPv6 one.
fn network_of(address: std::net::IpAddr) -> std::net::IpAddr {
    match address {
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => std::net::IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                std::net::IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
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

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64() {
        let limiter = RateLimiter::new(1);
        assert!(limiter
            .check("2001:db8:1:2::1".parse().unwrap(), 60)
            .is_ok());
        assert!(limiter
            .check("2001:db8:1:2:ffff::9".parse().unwrap(), 60)
            .is_err());
        assert!(limiter
            .check("2001:db8:1:3::1".parse().unwrap(), 60)
            .is_ok());
    }
}
