//! Count's partner authentication (contracts.md §3.1): `x-client-id`, `x-timestamp` (Unix
//! seconds) and `x-signature`, an HMAC-SHA256 under the client secret of
//! `METHOD:path:timestamp:bodyHash`.

use hmac::{Hmac, Mac};
use reqwest::Method;
use sha2::{Digest, Sha256};

/// The string Count signs: `METHOD:path:timestamp:bodyHash`. `path` is relative to the API base
/// (no `/partners`) and has no query; the body hash is over the exact bytes sent, for POST, PUT
/// and PATCH only, so a GET's string ends with `:`.
pub fn signature_base(method: &Method, path: &str, timestamp: u64, body: &[u8]) -> String {
    let body_hash = if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        hex(&Sha256::digest(body))
    } else {
        String::new()
    };
    format!("{}:{path}:{timestamp}:{body_hash}", method.as_str())
}

/// Lower-case hex HMAC-SHA256 of `base` under the client secret.
pub fn signature_for(secret: &str, base: &str) -> String {
    // HMAC takes keys of any length: this never fails, but no `expect` all the same.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The three partner-authentication headers for one request.
pub fn partner_headers(
    client_id: &str,
    secret: &str,
    method: &Method,
    path: &str,
    body: &[u8],
    timestamp: u64,
) -> Vec<(&'static str, String)> {
    let signature = signature_for(secret, &signature_base(method, path, timestamp, body));
    vec![
        ("x-client-id", client_id.to_string()),
        ("x-timestamp", timestamp.to_string()),
        ("x-signature", signature),
    ]
}

pub(super) fn hex(bytes: &[u8]) -> String {
    crate::log::hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "count_sandbox_secret";

    #[test]
    fn a_get_is_signed_over_a_string_ending_in_a_colon() {
        let base = signature_base(&Method::GET, "/customers/abc", 1_700_000_000, b"ignored");
        assert_eq!(base, "GET:/customers/abc:1700000000:");
        // The sandbox README's worked example:
        // printf 'GET:/customers/abc:1700000000:' | openssl dgst -sha256 -hmac count_sandbox_secret
        assert_eq!(
            signature_for(SECRET, &base),
            "55a3c709266fc64ab57751c52686efa2562d7e23f503e992360795ea2d789a02"
        );
    }

    #[test]
    fn a_put_is_signed_over_the_hash_of_its_exact_bytes() {
        let body = br#"{"customer":"Acme Ltd","email":"ap@acme.test"}"#;
        let path = "/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d";
        // printf '%s' '{"customer":"Acme Ltd","email":"ap@acme.test"}' | sha256sum
        let body_hash = "7d22fe2cc83602b8f287534501218deaae492f0c6a1bc0db3bbb7470e2a1e709";
        let base = signature_base(&Method::PUT, path, 1_700_000_000, body);
        assert_eq!(base, format!("PUT:{path}:1700000000:{body_hash}"));
        // printf '%s' 'PUT:/customers/5d8e7b3a-1c2f-4e6a-9b0d-7f3e2a1c4b5d:1700000000:7d22fe2c…e709'
        //   | openssl dgst -sha256 -hmac count_sandbox_secret
        assert_eq!(
            signature_for(SECRET, &base),
            "d2c6e0f68b2d2393c0bdaf6267ddd87ca40d6b9b70906ff0516986fc9d9d254c"
        );
        // One byte more (a space JSON would not care about) is another signature.
        let spaced = br#"{"customer": "Acme Ltd","email":"ap@acme.test"}"#;
        assert_ne!(
            signature_for(
                SECRET,
                &signature_base(&Method::PUT, path, 1_700_000_000, spaced)
            ),
            signature_for(SECRET, &base)
        );
    }

    #[test]
    fn an_empty_post_hashes_the_empty_string() {
        // printf '' | sha256sum
        assert_eq!(
            signature_base(&Method::POST, "/customers", 1, b""),
            "POST:/customers:1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn partner_headers_carry_seconds_and_the_signature() {
        let headers = partner_headers(
            "count_sandbox_client",
            SECRET,
            &Method::GET,
            "/customers/abc",
            b"",
            1_700_000_000,
        );
        assert_eq!(
            headers,
            vec![
                ("x-client-id", "count_sandbox_client".to_string()),
                ("x-timestamp", "1700000000".to_string()),
                (
                    "x-signature",
                    "55a3c709266fc64ab57751c52686efa2562d7e23f503e992360795ea2d789a02".to_string()
                ),
            ]
        );
    }
}
