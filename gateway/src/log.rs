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
    crate::lock::lock(&BUFFER)
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

/// One forwarded request, as its log line says it.
#[cfg_attr(test, derive(serde::Serialize))]
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
    line.write_json(&mut text);
    text.push(b'\n');
    let mut buffer = buffer();
    buffer.extend_from_slice(&text);
    if buffer.len() >= FLUSH_AT {
        write_out(&mut buffer);
    }
}

impl Forward<'_> {
    /// The line as JSON, the same bytes serde_json writes for it (a test holds them equal), by
    /// hand because it is written for every request: the keys are constants, numbers go through
    /// `itoa`, the address's digits are written without `fmt`, and a string is copied as it is
    /// unless it holds a character JSON escapes. serde_json's serializer took about 3.6k
    /// instructions per line (callgrind: nineteen escaped strings, the address through `fmt`).
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"ts\":");
        number(out, self.ts);
        out.extend_from_slice(b",\"event\":");
        string(out, self.event);
        out.extend_from_slice(b",\"method\":");
        string(out, self.method);
        out.extend_from_slice(b",\"provider\":");
        string(out, self.provider);
        out.extend_from_slice(b",\"path\":");
        string(out, self.path);
        out.extend_from_slice(b",\"op\":");
        optional_string(out, self.op);
        out.extend_from_slice(b",\"status\":");
        number(out, self.status);
        out.extend_from_slice(b",\"upstream_status\":");
        match self.upstream_status {
            Some(status) => number(out, status),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"refused\":");
        optional_string(out, self.refused);
        out.extend_from_slice(b",\"sub\":");
        optional_string(out, self.sub);
        out.extend_from_slice(b",\"ip\":\"");
        match self.ip {
            std::net::IpAddr::V4(ip) => {
                for (i, octet) in ip.octets().into_iter().enumerate() {
                    if i > 0 {
                        out.push(b'.');
                    }
                    number(out, octet);
                }
            }
            std::net::IpAddr::V6(ip) => {
                let _ = write!(out, "{ip}");
            }
        }
        out.extend_from_slice(b"\",\"ms\":");
        number(out, self.ms);
        out.push(b'}');
    }
}

fn number(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A JSON string: as it is when nothing in it needs escaping (control characters, `"`, `\`),
/// else through serde_json.
fn string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, text).is_err() {
        out.extend_from_slice(b"null");
    }
}

fn optional_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// The store did not answer; requests that needed it got a 503.
pub fn store_failed(error: &StoreError) {
    event(
        "store_unavailable",
        &[("message", Value::from(error.0.as_str()))],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written line is byte for byte what serde_json writes for the same fields.
    #[test]
    fn a_forward_line_is_what_serde_json_would_write() {
        let ips: [std::net::IpAddr; 4] = [
            "127.0.0.1".parse().unwrap(),
            "203.0.113.255".parse().unwrap(),
            "::1".parse().unwrap(),
            "2001:db8::8a2e:370:7334".parse().unwrap(),
        ];
        let texts = [
            "",
            "/customers/cus_1001",
            "quote \" and \\ backslash",
            "tab\there\nnewline \u{1} \u{7f} é 🙂",
        ];
        for (i, ip) in ips.into_iter().enumerate() {
            for text in texts {
                let line = Forward {
                    ts: 1_795_708_505 + i as u64,
                    event: "forward",
                    method: if i % 2 == 0 { "GET" } else { "M\"X" },
                    provider: text,
                    path: text,
                    op: (i % 2 == 0).then_some("read"),
                    status: 200,
                    upstream_status: (i % 2 == 1).then_some(404),
                    refused: (i % 2 == 1).then_some(text),
                    sub: (i % 3 == 0).then_some(text),
                    ip,
                    ms: u64::MAX - i as u64,
                };
                let mut written = Vec::new();
                line.write_json(&mut written);
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    serde_json::to_string(&line).unwrap()
                );
            }
        }
    }
}
