//! Structured logs: one JSON object per line on stderr. Callers pass only what is safe to keep
//! (never a token, a secret or a request body).
//!
//! The line of every forwarded request goes through a buffer, written out every 100 ms (by the
//! server, `FLUSH_EVERY`) or when 32 KiB have gathered: one write per request was a measurable
//! part of the gateway's cost under load. Any other event is written at once, after what the
//! buffer holds, so lines stay in order.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::store::StoreError;

pub fn event(name: &str, fields: &[(&str, Value)]) {
    let mut line = Map::new();
    line.insert("ts".into(), Value::from(crate::tokens::now_secs()));
    line.insert("event".into(), Value::from(name));
    for (key, value) in fields {
        line.insert((*key).to_string(), value.clone());
    }
    let mut text = Value::Object(line).to_string();
    text.push('\n');
    let mut buffer = buffer();
    buffer.extend_from_slice(text.as_bytes());
    write_out(&mut buffer);
}

/// How often the server writes out the buffered request lines.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
const FLUSH_AT: usize = 32 * 1024;
static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

fn buffer() -> MutexGuard<'static, Vec<u8>> {
    match BUFFER.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// One write for everything gathered (stderr is unbuffered).
fn write_out(buffer: &mut Vec<u8>) {
    if !buffer.is_empty() {
        let _ = std::io::stderr().lock().write_all(buffer);
        buffer.clear();
    }
}

/// Writes out the buffered request lines.
pub fn flush() {
    write_out(&mut buffer());
}

/// Lower-case hex, for hashes in keys and logs.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// One forwarded request, as its log line says it: built without a map or a value per field,
/// since it is written for every request.
#[derive(serde::Serialize)]
pub struct Forward<'a> {
    pub ts: u64,
    pub event: &'static str,
    pub method: &'a str,
    pub provider: &'a str,
    /// The path under the provider (`/customers/…`).
    pub path: &'a str,
    pub op: Option<&'static str>,
    pub status: u16,
    pub upstream_status: Option<u16>,
    pub refused: Option<&'a str>,
    pub sub: Option<&'a str>,
    pub ip: std::net::IpAddr,
    pub ms: u64,
}

pub fn forward(line: &Forward<'_>) {
    let mut text = Vec::with_capacity(256);
    if serde_json::to_writer(&mut text, line).is_ok() {
        text.push(b'\n');
        let mut buffer = buffer();
        buffer.extend_from_slice(&text);
        if buffer.len() >= FLUSH_AT {
            write_out(&mut buffer);
        }
    }
}

/// The store did not answer; requests that needed it got a 503.
pub fn store_failed(error: &StoreError) {
    event(
        "store_unavailable",
        &[("message", Value::from(error.0.as_str()))],
    );
}
