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

/// The strings of a claim's list (anything else in it is skipped).
fn texts(list: &[Json]) -> Vec<String> {
    let mut texts = Vec::new();
    for item in list {
        if let Some(text) = item.as_str() {
            texts.push(text.to_string());
        }
    }
    texts
}

impl TokenClaims {
    /// `None` when the token is not shaped like a JWT with a JSON object payload.
    pub fn read(token: &str) -> Option<TokenClaims> {
        let mut parts = crate::substring::split(token, b'.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = base64url_decode(payload)?;
        let text = utf8_text(&bytes)?;
        let claims = Json::parse(&text).ok()?;
        if !claims.is_object() {
            return None;
        }
        Some(TokenClaims {
            ops: claims.get("ops").and_then(Json::as_array).map(texts),
            exp: claims.get("exp").and_then(|e| match e {
                Json::Number(n) => {
                    crate::digits::parse_u64(crate::substring::split(n, b'.').next()?)
                }
                _ => None,
            }),
            provider: claims.string_at("provider"),
            customer: claims.string_at("customer"),
            application_kind: claims.string_at("application.kind"),
            owner_id: claims.string_at("owner.id"),
            fields: claims.get("fields").and_then(Json::as_array).map(texts),
        })
    }

    pub fn allows(&self, op: &str) -> bool {
        self.ops
            .as_ref()
            .is_none_or(|ops| ops.iter().any(|o| o == op))
    }
}

/// Unpadded (or padded) base64url, as JWTs use.
/// The text the bytes encode in UTF-8; `None` unless they are well-formed (RFC 3629: no
/// overlong forms, no surrogates, nothing past U+10FFFF), as `String::from_utf8` decides.
///
/// Why not `String::from_utf8`: a token is the only UTF-8 the widget validates itself (the
/// browser hands it every other string), and core's validator cost 0.8 kB raw (README, Size).
fn utf8_text(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        // How many bytes follow, and the range the first of them must fall in (RFC 3629, 4).
        let (more, low, high) = match first {
            0x00..=0x7F => (0, 0x80, 0xBF),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return None,
        };
        let (following, after) = (tail.get(..more)?, tail.get(more..)?);
        let mut code = u32::from(first & [0x7F, 0x1F, 0x0F, 0x07][more]);
        for (i, &b) in following.iter().enumerate() {
            let (low, high) = if i == 0 { (low, high) } else { (0x80, 0xBF) };
            if b < low || b > high {
                return None;
            }
            code = (code << 6) | u32::from(b & 0x3F);
        }
        text.push(char::from_u32(code)?);
        rest = after;
    }
    Some(text)
}

/// `bytes` as unpadded base64url, the inverse of `base64url_decode`. The widget never encodes
/// (the linker leaves this out of its wasm); the tests of every crate build tokens with it.
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = crate::substring::trim_end_byte(text, b'=');
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
    fn base64url_encodes_what_it_decodes() {
        for bytes in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"\xff\xfe\x00{\"a\":1}",
        ] {
            let text = base64url_encode(bytes);
            assert!(!text.contains('='));
            assert_eq!(base64url_decode(&text).as_deref(), Some(bytes));
        }
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn reads_utf8_as_std_does() {
        let std = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).ok();
        for a in 0..=255u8 {
            assert_eq!(utf8_text(&[a]), std(&[a]));
            for b in 0..=255u8 {
                assert_eq!(utf8_text(&[a, b]), std(&[a, b]), "{a:x} {b:x}");
                for c in 0..=255u8 {
                    assert_eq!(utf8_text(&[a, b, c]), std(&[a, b, c]), "{a:x} {b:x} {c:x}");
                }
            }
        }
        // Four-byte forms: every first byte against the edges of each following byte's ranges.
        let edges = [
            0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF,
        ];
        for a in 0..=255u8 {
            for b in edges {
                for c in edges {
                    for d in edges {
                        let bytes = [a, b, c, d];
                        assert_eq!(utf8_text(&bytes), std(&bytes), "{bytes:x?}");
                    }
                }
            }
        }
        let text = "{\"name\":\"Zoë 😀 ✓\"}";
        assert_eq!(utf8_text(text.as_bytes()).as_deref(), Some(text));
    }

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
