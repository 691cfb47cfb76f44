//! JWT-shaped access tokens (`header.payload.signature`, base64url, HS256).
//!
//! The sandbox never trusts a token because its signature checks out: every token it issues is
//! also remembered server-side, and that record decides validity and expiry. The JWT shape exists
//! so clients can decode the claims the way they would with the real providers (the widget reads
//! Commerce Layer's `application.kind` to refuse integration tokens in a browser).

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// Sandbox-only signing key: tokens are for decoding, not for trust.
const SIGNING_KEY: &[u8] = b"customer-form-sandbox-not-a-secret";

pub fn encode(claims: &Value) -> String {
    let header = base64url(json!({"alg": "HS256", "typ": "JWT"}).to_string().as_bytes());
    let payload = base64url(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let signature = match Hmac::<Sha256>::new_from_slice(SIGNING_KEY) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            base64url(&mac.finalize().into_bytes())
        }
        // HMAC accepts keys of any length, so this arm is unreachable in practice.
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

/// Base64url without padding (RFC 7515 §2).
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64url;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
