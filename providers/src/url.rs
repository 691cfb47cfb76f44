//! URL pieces the contracts need, without a URL library.

use crate::substring::Trim;

/// `base` + `/` + `path`, with exactly one slash between them.
pub fn join(base: &str, path: &str) -> String {
    crate::substring::concat(&[
        crate::substring::trim_end_byte(base, b'/'),
        "/",
        crate::substring::trim_start_byte(path, b'/'),
    ])
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay as they are), so an
/// id typed by a person can never add a path segment or a query.
pub fn encode_segment(segment: &str) -> String {
    encode(segment, is_unreserved)
}

/// `{base}/customers/{id}`, the one record URL all four providers share; the id is trimmed and
/// encoded as a single segment.
pub fn customer_url(base: &str, id: &str) -> String {
    join(
        base,
        &crate::substring::concat(&["customers/", &encode_segment(id.trimmed())]),
    )
}

/// Percent-encodes a query value.
pub fn encode_query_value(value: &str) -> String {
    encode(value, is_unreserved)
}

/// RFC 3986's unreserved characters: what stays as it is in a segment or a query value.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as forms send it); `None` for a malformed escape
/// or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Whether a customer id from a request path can be passed on as one path segment: nothing
/// that could climb out of the customer path once a server decodes it again (`/`, `\`, `%`,
/// `.` / `..`, control characters) and a sane length.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id != "."
        && id != ".."
        && !id
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%' | '?' | '#') || c.is_control())
}

/// The host of an absolute `http(s)` URL, lower-cased, without port or brackets.
pub fn host(url: &str) -> Option<String> {
    let lower = url.trimmed().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))?;
    // Browsers end an http(s) authority at a backslash as at a slash.
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\'))
        .unwrap_or(rest.len());
    let authority = crate::substring::slice(rest, 0, end);
    let authority = crate::substring::after_last(authority, b'@');
    let host = if let Some(bracketed) = authority.strip_prefix("[") {
        crate::substring::split(bracketed, b']').next()?
    } else {
        crate::substring::split(authority, b':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}

/// True when the URL points at this machine: where the sandbox runs during development.
pub fn is_loopback(url: &str) -> bool {
    match host(url) {
        Some(h) => {
            h == "localhost" || h.ends_with(".localhost") || h == "::1" || is_ipv4_loopback(&h)
        }
        None => false,
    }
}

fn is_ipv4_loopback(host: &str) -> bool {
    let mut parts = 0;
    crate::substring::split(host, b'.').all(|p| {
        let first_ok = parts > 0 || p == "127";
        parts += 1;
        first_ok
            && !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|b| b.is_ascii_digit())
            && crate::digits::parse_u16(p).is_some_and(|n| n <= 255)
    }) && parts == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_one_slash() {
        assert_eq!(join("http://a/b/", "/c"), "http://a/b/c");
        assert_eq!(join("http://a/b", "c"), "http://a/b/c");
    }

    #[test]
    fn encodes_path_segments() {
        assert_eq!(encode_segment("cus 1/../x?y"), "cus%201%2F..%2Fx%3Fy");
        assert_eq!(encode_segment("5f0c-AB_x.~"), "5f0c-AB_x.~");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%40b.co").as_deref(), Some("a@b.co"));
        assert_eq!(percent_decode("a+b%2Bc").as_deref(), Some("a b+c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
    }

    #[test]
    fn ids_that_could_escape_the_path_are_not_safe() {
        for good in [
            "cus_1001",
            "0b6f2d1c-5d0e-4a43-9d5f-6f1b8f3e2a10",
            "customer_123",
            "XAyRWNUzyN",
            "a.b",
        ] {
            assert!(is_safe_id(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "..\\_log",
            "%63us_1002",
            "a?b",
            "a#b",
            "a\nb",
            &"x".repeat(256),
        ] {
            assert!(!is_safe_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn recognises_loopback_hosts() {
        for url in [
            "http://127.0.0.1:8787/prolifi",
            "http://localhost:1",
            "https://LOCALHOST",
            "http://[::1]:80/x",
            "http://127.9.9.9",
            "http://app.localhost/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://api.prolifi.co/api/v1/public",
            "http://127.0.0.1.evil.com/",
            "http://localhost.evil.com",
            "http://evil.com/?h=127.0.0.1",
            "http://127.0.0.1@evil.com/",
            // A browser ends the authority at a backslash too: this goes to evil.com.
            "http://evil.com\\@127.0.0.1/",
            "http://evil.com\\x@localhost/",
            "ftp://127.0.0.1",
            "127.0.0.1",
            "http://1270.0.0.1",
            "http://127.0.0",
            "http://127.0.0.1.5",
            "http://128.0.0.1",
            "http://127.0.0.256",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
