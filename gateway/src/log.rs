//! Structured logs: one JSON object per line on stderr. Callers pass only what is safe to keep
//! (never a token, a secret or a request body).

use std::io::Write;

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
    // One write per line: stderr is unbuffered, and `eprintln!` would write it piece by piece.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The store did not answer; requests that needed it got a 503.
pub fn store_failed(error: &StoreError) {
    event(
        "store_unavailable",
        &[("message", Value::from(error.0.as_str()))],
    );
}
