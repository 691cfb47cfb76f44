//! Fixed-window request counters per client address, in this process (the per-IP limit). An
//! IPv6 client is counted by its /64: one host usually has a whole /64 to pick addresses from.

use std::collections::HashMap;
use std::sync::Mutex;

/// Addresses counted in a minute (a few MB at most). Past them, an address not yet seen that
/// minute is let through uncounted, once a minute's map is full: a client with many addresses
/// (an IPv6 /48 holds 65,536 /64s) filling it must not make everyone else share one counter,
/// which it could then drain at the top of every minute. The per-user and per-token limits
/// (in the store) still count every authenticated request.
const MAX_ADDRESSES: usize = 50_000;

pub struct RateLimiter {
    per_minute: u32,
    max_addresses: usize,
    windows: Mutex<Window>,
}

/// This minute's counts; the last minute's are dropped whole when it ends.
#[derive(Default)]
struct Window {
    minute: u64,
    counts: HashMap<std::net::IpAddr, u32>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::counting(per_minute, MAX_ADDRESSES)
    }

    fn counting(per_minute: u32, max_addresses: usize) -> RateLimiter {
        RateLimiter {
            per_minute,
            max_addresses,
            windows: Mutex::new(Window::default()),
        }
    }

    /// Counts a request; `Err(seconds)` to wait when the key is over its limit.
    pub fn check(&self, address: std::net::IpAddr, now: u64) -> Result<(), u64> {
        let key = network_of(address);
        let minute = now / 60;
        let mut window = crate::lock::lock(&self.windows);
        if window.minute != minute {
            *window = Window {
                minute,
                ..Window::default()
            };
        }
        let full = window.counts.len() >= self.max_addresses;
        let count = match window.counts.get_mut(&key) {
            Some(count) => count,
            None if full => return Ok(()),
            None => window.counts.entry(key).or_insert(0),
        };
        if *count >= self.per_minute {
            return Err((minute + 1) * 60 - now);
        }
        *count += 1;
        Ok(())
    }
}

/// The address an IPv4 client is counted by, or the /64 of an IPv6 one.
pub(crate) fn network_of(address: std::net::IpAddr) -> std::net::IpAddr {
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

    /// A client with many addresses fills the map: it must not lock out everyone who comes
    /// after it in the minute (a shared counter would be drained at once).
    #[test]
    fn past_its_capacity_new_addresses_are_let_through_and_the_counted_keep_their_limit() {
        let limiter = RateLimiter::counting(2, 2);
        let ip = |last: u8| std::net::IpAddr::from([10, 0, 0, last]);
        assert!(limiter.check(ip(1), 60).is_ok());
        assert!(limiter.check(ip(2), 60).is_ok());
        for _ in 0..10 {
            assert!(
                limiter.check(ip(3), 61).is_ok(),
                "a newcomer is not locked out"
            );
        }
        assert!(limiter.check(ip(1), 62).is_ok());
        assert!(
            limiter.check(ip(1), 62).is_err(),
            "a counted address keeps its limit"
        );
        // A new minute starts empty, and counts again.
        assert!(limiter.check(ip(3), 120).is_ok());
        assert_eq!(limiter.windows.lock().unwrap().counts.len(), 1);
    }
}
