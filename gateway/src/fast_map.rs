//! Maps on the per-request path whose keys come from verified tokens only (a token's own
//! bytes once its signature checked, its id, its user's counters): hashed with foldhash rather
//! than std's SipHash, which was about 4.8k of a forwarded read's 83k instructions under
//! callgrind (a ~300-byte token hashed on each request; README "Gateway speed").
//!
//! foldhash is randomly seeded per process and "minimally DoS-resistant": enough here, since a
//! caller cannot choose these keys (they are signed by the host's backend). Maps keyed by what
//! any caller sends (the per-address limit, OAuth states, renames) keep std's SipHash.

use std::collections::HashMap;

pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
