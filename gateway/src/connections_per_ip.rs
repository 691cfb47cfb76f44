//! How many connections one client address holds at once (`max_connections_per_ip`). The
//! connection cap is shared, and a kept-alive connection with a request now and then (or a slow
//! body) stays open: without a cap per address, one client could hold every slot. Counted by
//! the connection's own address, before any request is read; the trusted proxies, whose
//! connections carry many clients, are not counted. An IPv6 client is counted by its /64, as
//! the per-address rate limit counts it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::client_ip::TrustedProxies;
use crate::lock::lock;
use crate::rate_limit::network_of;

pub struct ConnectionsPerIp {
    cap: usize,
    exempt: TrustedProxies,
    open: Arc<Counts>,
}

/// Each address connected now, and its connections.
type Counts = Mutex<HashMap<IpAddr, Open>>;

/// The connections an address holds, and whether its refusal has been logged since it reached
/// the cap (once, not once a connection: a client retrying in a loop would flood the log).
#[derive(Default)]
struct Open {
    count: usize,
    refusal_logged: bool,
}

/// A connection's place in its address's count, given back when dropped.
pub struct Slot {
    counted: Option<(IpAddr, Arc<Counts>)>,
}

/// The address already holds `cap` connections.
#[derive(Debug, PartialEq, Eq)]
pub struct Full {
    /// Whether this is the first refusal since it reached the cap (to be logged).
    pub first: bool,
}

impl ConnectionsPerIp {
    pub fn new(cap: usize, exempt: TrustedProxies) -> ConnectionsPerIp {
        ConnectionsPerIp {
            cap,
            exempt,
            open: Arc::default(),
        }
    }

    /// A slot for a connection from `peer`, unless that address holds `cap` already.
    pub fn take(&self, peer: IpAddr) -> Result<Slot, Full> {
        if self.exempt.contains(peer) {
            return Ok(Slot { counted: None });
        }
        let key = network_of(peer);
        let mut open = lock(&self.open);
        let entry = open.entry(key).or_default();
        if entry.count >= self.cap {
            let first = !entry.refusal_logged;
            entry.refusal_logged = true;
            return Err(Full { first });
        }
        entry.count += 1;
        Ok(Slot {
            counted: Some((key, Arc::clone(&self.open))),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some((key, open)) = &self.counted else {
            return;
        };
        let mut open = lock(open);
        if let Some(entry) = open.get_mut(key) {
            entry.count = entry.count.saturating_sub(1);
            entry.refusal_logged = false;
            if entry.count == 0 {
                // No entry outlives its address's last connection: the map holds only
                // addresses connected now.
                open.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_holds_at_most_its_cap_and_a_closed_connection_frees_its_slot() {
        let per_ip = ConnectionsPerIp::new(2, TrustedProxies::default());
        let first = per_ip.take(ip("198.51.100.1")).unwrap();
        let _second = per_ip.take(ip("198.51.100.1")).unwrap();
        assert_eq!(
            per_ip.take(ip("198.51.100.1")).err(),
            Some(Full { first: true })
        );
        assert_eq!(
            per_ip.take(ip("198.51.100.1")).err(),
            Some(Full { first: false })
        );
        assert!(per_ip.take(ip("198.51.100.2")).is_ok());
        drop(first);
        assert!(per_ip.take(ip("198.51.100.1")).is_ok());
    }

    #[test]
    fn the_count_is_per_ipv6_slash_64_and_gone_with_the_last_connection() {
        let per_ip = ConnectionsPerIp::new(1, TrustedProxies::default());
        let held = per_ip.take(ip("2001:db8:1:2::1")).unwrap();
        assert!(per_ip.take(ip("2001:db8:1:2::ffff")).is_err());
        assert!(per_ip.take(ip("2001:db8:1:3::1")).is_ok());
        drop(held);
        assert!(lock(&per_ip.open).is_empty());
    }

    #[test]
    fn trusted_proxies_are_not_counted() {
        let per_ip = ConnectionsPerIp::new(
            1,
            TrustedProxies {
                networks: vec!["10.0.0.0/8".parse().unwrap()],
                header: None,
            },
        );
        let _held: Vec<Slot> = (0..3)
            .map(|_| per_ip.take(ip("10.1.2.3")).unwrap())
            .collect();
        assert!(lock(&per_ip.open).is_empty());
    }
}
