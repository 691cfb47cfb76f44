//! The wire log behind `GET /_log`: every request that reached a provider route, exactly as
//! received, with the status it got. Tests use it to compare exact wire requests, so nothing
//! here is normalised: the body is the received text (lossily decoded if it was not UTF-8).

use std::collections::VecDeque;

use axum::http::HeaderMap;
use serde::Serialize;
use serde_json::{Map, Value};

/// Oldest entries are dropped beyond this, so a long demo session cannot grow memory unbounded.
const CAPACITY: usize = 10_000;

#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    pub provider: &'static str,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lower-cased header names; repeated headers are joined with `", "`.
    pub headers: Map<String, Value>,
    pub body: Option<String>,
    /// `None` only when a `drop` fault closed the connection without any response.
    pub status: Option<u16>,
    /// True when Prolifi answered from its idempotency store.
    pub replayed: bool,
    /// The fault kind applied to this request, if any.
    pub fault: Option<&'static str>,
}

#[derive(Default)]
pub struct RequestLog {
    entries: VecDeque<LogEntry>,
    next_seq: u64,
}

impl RequestLog {
    /// Records an entry, assigning its sequence number (1, 2, 3, ... since the last reset).
    pub fn record(&mut self, mut entry: LogEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn entries(&self) -> Vec<LogEntry> {
        self.entries.iter().cloned().collect()
    }

    /// Empties the log; sequence numbers keep counting so entries stay distinguishable.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Headers as the log shows them.
pub fn headers_for_log(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    out
}

/// The body as the log shows it: `None` when empty.
pub fn body_for_log(body: &[u8]) -> Option<String> {
    (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned())
}
