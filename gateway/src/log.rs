//! Structured logs: one JSON object per line on stderr. Callers pass only what is safe to keep
//! (never a token, a secret or a request body).

use serde_json::{Map, Value};

pub fn event(name: &str, fields: &[(&str, Value)]) {
    let mut line = Map::new();
    line.insert("ts".into(), Value::from(crate::tokens::now_secs()));
    line.insert("event".into(), Value::from(name));
    for (key, value) in fields {
        line.insert((*key).to_string(), value.clone());
    }
    eprintln!("{}", Value::Object(line));
}
