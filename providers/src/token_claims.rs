//! Reads the claims of a scoped token (a JWT) without verifying it.
//!
//! The widget uses them only as hints: `ops` to render read-only when it cannot write, `exp` to
//! refresh before expiry. The gateway verifies every token; nothing here grants anything.

use crate::json::Json;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenClaims {
    pub ops: Option<Vec<String>>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: Option<u64>,
    pub provider: Option<String>,
    pub customer: Option<String>,
    /// Commerce Layer tokens: `application.kind` (`sales_channel`, `integration`, `webapp`).
    pub application_kind: Option<String>,
    /// Commerce Layer customer tokens: `owner.id`, the customer the token belongs to.
    pub owner_id: Option<String>,
    /// Scoped tokens: the only fields a write may set, when the token says.
    pub fields: Option<Vec<String>>,
}

impl TokenClaims {
    /// `None` when the token is not shaped like a JWT with a JSON object payload.
    pub fn read(token: &str) -> Option<TokenClaims> {
        let mut parts = token.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = base64url_decode(payload)?;
        let text = String::from_utf8(bytes).ok()?;
        let claims = Json::parse(&text).ok()?;
        if !claims.is_object() {
            return None;
        }
        Some(TokenClaims {
            ops: claims.get("ops").and_then(Json::as_array).map(|ops| {
                ops.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            }),
            exp: claims.get("exp").and_then(|e| match e {
                Json::Number(n) => crate::digits::parse_u64(n.split('.').next()?),
                _ => None,
            }),
            provider: claims.string_at("provider"),
            customer: claims.string_at("customer"),
            application_kind: claims.string_at("application.kind"),
            owner_id: claims.string_at("owner.id"),
            fields: claims.get("fields").and_then(Json::as_array).map(|fields| {
                fields
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            }),
        })
    }

    pub fn allows(&self, op: &str) -> bool {
        self.ops
            .as_ref()
            .is_none_or(|ops| ops.iter().any(|o| o == op))
    }
}

/// Unpadded (or padded) base64url, as JWTs use.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // 6 leftover bits can never come from whole bytes.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64url() {
        assert_eq!(base64url_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url_decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(base64url_decode("a").is_none());
        assert!(base64url_decode("a+b").is_none());
    }

    #[test]
    fn reads_ops_and_exp() {
        // {"alg":"HS256"} . {"ops":["read"],"exp":1700000000,"provider":"prolifi","customer":"c1"}
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJvcHMiOlsicmVhZCJdLCJleHAiOjE3MDAwMDAwMDAsInByb3ZpZGVyIjoicHJvbGlmaSIsImN1c3RvbWVyIjoiYzEifQ.sig";
        let claims = TokenClaims::read(token).unwrap();
        assert_eq!(claims.ops, Some(vec!["read".to_string()]));
        assert_eq!(claims.exp, Some(1_700_000_000));
        assert!(claims.allows("read"));
        assert!(!claims.allows("update"));
        assert_eq!(claims.provider.as_deref(), Some("prolifi"));
    }

    #[test]
    fn refuses_non_jwts() {
        assert!(TokenClaims::read("sk_test_abc").is_none());
        assert!(TokenClaims::read("a.b").is_none());
        assert!(TokenClaims::read("a.!!.c").is_none());
        assert!(TokenClaims::read("a.b.c.d").is_none());
    }
}
