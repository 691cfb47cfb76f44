//! `Incoming`: one request as the emulations see it (method, full path, raw query, headers and
//! the exact body bytes), plus the small parsing helpers every provider needs.
//!
//! Handlers take this instead of axum's `Json`/`Path`/`Query` extractors on purpose: those reject
//! bad input with axum's own plain-text errors, while each provider must answer with its own
//! error envelope; and Count's signature is over the exact body bytes.

use axum::{
    body::{to_bytes, Bytes},
    extract::{FromRequest, OriginalUri, Request},
    http::{HeaderMap, Method},
    response::Response,
};
use serde_json::{Map, Value};

/// Bodies larger than this are refused before any provider sees them.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

pub struct Incoming {
    pub method: Method,
    /// The full request path, including the provider prefix (`/prolifi/api/v1/public/...`).
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Inside a nested router `parts.uri` has lost its prefix; the original is kept aside.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|original| original.0.clone())
            .unwrap_or(parts.uri);
        let body = to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| crate::reply::payload_too_large())?;
        Ok(Incoming {
            method: parts.method,
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
        })
    }
}

/// What a request body turned out to be, for the providers that take JSON objects.
pub enum JsonBody {
    /// No body at all (zero bytes, or only whitespace).
    Empty,
    Object(Map<String, Value>),
    /// Valid JSON but not an object (an array, a string, ...).
    NotAnObject,
    Invalid,
}

impl Incoming {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme matched case-insensitively).
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }

    /// The media type of `Content-Type` without parameters, lower-cased.
    pub fn content_type_essence(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    pub fn body_is_empty(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }

    pub fn json_body(&self) -> JsonBody {
        if self.body_is_empty() {
            return JsonBody::Empty;
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => JsonBody::Object(map),
            Ok(_) => JsonBody::NotAnObject,
            Err(_) => JsonBody::Invalid,
        }
    }

    /// Decoded `name=value` pairs of the query string, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(self.query.as_deref().unwrap_or(""))
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The last path segment, percent-decoded: the `{id}` of `/customers/{id}`.
    pub fn last_segment(&self) -> String {
        percent_decode(self.path.rsplit('/').next().unwrap_or(""))
    }

    /// `Host` header, used to build absolute URLs that point back at this sandbox.
    pub fn host(&self) -> String {
        self.header("host").unwrap_or("127.0.0.1:8787").to_owned()
    }
}

pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(key), form_decode(value))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then percent-decoding.
fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// Percent-decoding; malformed escapes are kept literally, invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything except RFC 3986 unreserved characters (for building URLs).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries_and_segments() {
        assert_eq!(
            parse_query("email=a%2Bb%40x.test&q=two+words&flag"),
            vec![
                ("email".into(), "a+b@x.test".into()),
                ("q".into(), "two words".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(
            percent_encode("http://x/y?z=1 2"),
            "http%3A%2F%2Fx%2Fy%3Fz%3D1%202"
        );
    }
}
