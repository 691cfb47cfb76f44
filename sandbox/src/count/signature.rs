//! Count's partner authentication: `x-client-id`, `x-timestamp` (Unix seconds) and
//! `x-signature = hex(HMAC-SHA256(clientSecret, METHOD:path:timestamp:bodyHash))`, where `path`
//! has no `/partners` prefix and no query string, and `bodyHash` is the hex SHA-256 of the exact
//! body bytes for POST/PUT/PATCH and the empty string otherwise (so a GET base string ends in `:`).

use axum::http::{Method, StatusCode};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::CountError;
use crate::{clock::now_secs, incoming::Incoming, state::Credentials};

/// The sandbox's mount point of `https://api.getcount.com/partners`.
const PARTNERS_PREFIX: &str = "/count/partners";

/// The path that is signed: `/count/partners/customers/abc` -> `/customers/abc`.
pub fn signing_path(full_path: &str) -> &str {
    full_path.strip_prefix(PARTNERS_PREFIX).unwrap_or(full_path)
}

pub fn body_hash(method: &Method, body: &[u8]) -> String {
    if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        hex(&Sha256::digest(body))
    } else {
        String::new()
    }
}

pub fn base_string(method: &Method, path: &str, timestamp: &str, body_hash: &str) -> String {
    format!("{}:{path}:{timestamp}:{body_hash}", method.as_str())
}

/// HMAC accepts keys of any length, so this is always `Some`; no `expect` all the same.
fn mac(secret: &str) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()
}

/// Lower-case hex HMAC-SHA256 of `message` under `secret`.
#[cfg(test)]
pub fn sign(secret: &str, message: &str) -> String {
    mac(secret)
        .map(|mut mac| {
            mac.update(message.as_bytes());
            hex(&mac.finalize().into_bytes())
        })
        .unwrap_or_default()
}

/// Checks the three partner headers; any failure is a 401.
pub fn verify(
    request: &Incoming,
    credentials: &Credentials,
    tolerance_secs: u64,
) -> Result<(), CountError> {
    let unauthorized = |code: &'static str, message: &str| {
        CountError::new(StatusCode::UNAUTHORIZED, code, message)
    };
    let (Some(client_id), Some(timestamp), Some(signature)) = (
        request.header("x-client-id"),
        request.header("x-timestamp"),
        request.header("x-signature"),
    ) else {
        return Err(unauthorized(
            "MISSING_PARTNER_AUTH",
            "Partner authentication required: x-client-id, x-timestamp and x-signature headers must be sent",
        ));
    };
    if client_id != credentials.count_client_id {
        return Err(unauthorized("INVALID_CLIENT", "Invalid client credentials"));
    }
    let Ok(seconds) = timestamp.trim().parse::<i64>() else {
        return Err(unauthorized(
            "INVALID_TIMESTAMP",
            "x-timestamp must be a Unix timestamp in seconds",
        ));
    };
    if now_secs().abs_diff(seconds) > tolerance_secs {
        return Err(unauthorized(
            "TIMESTAMP_OUT_OF_RANGE",
            &format!("Request timestamp is outside the allowed window of {tolerance_secs} seconds (x-timestamp must be Unix seconds)"),
        ));
    }
    let message = base_string(
        &request.method,
        signing_path(&request.path),
        timestamp,
        &body_hash(&request.method, &request.body),
    );
    let Some(claimed) = unhex(signature.trim()) else {
        return Err(unauthorized("INVALID_SIGNATURE", "Invalid signature"));
    };
    let mut mac = mac(&credentials.count_client_secret)
        .ok_or_else(|| unauthorized("INVALID_SIGNATURE", "Invalid signature"))?;
    mac.update(message.as_bytes());
    // Constant-time comparison.
    mac.verify_slice(&claimed)
        .map_err(|_| unauthorized("INVALID_SIGNATURE", "Invalid signature"))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}
