//! URL pieces the contracts need, without a URL library.

/// `base` + `/` + `path`, with exactly one slash between them.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay as they are), so an
/// id typed by a person can never add a path segment or a query.
pub fn encode_segment(segment: &str) -> String {
    encode(segment, |b| {
        b.is_ascii_alphanumeric() || b"-._~".contains(&b)
    })
}

/// Percent-encodes a query value.
pub fn encode_query_value(value: &str) -> String {
    encode(value, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
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

/// The host of an absolute `http(s)` URL, lower-cased, without port or brackets.
pub fn host(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next()?
    } else {
        authority.split(':').next()?
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
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
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
            "ftp://127.0.0.1",
            "127.0.0.1",
            "http://1270.0.0.1",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
