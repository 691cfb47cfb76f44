//! The client's address. Behind a proxy every request comes from the proxy, so the address the
//! proxy saw is read from `Forwarded` (RFC 7239) or, without it, `X-Forwarded-For` — but only
//! when the connection comes from a proxy in `[limits] trusted_proxies`, since anyone else can
//! write those headers.
//!
//! Each trusted proxy appends the address it received the request from. Walking the list from
//! the right, past the addresses of trusted proxies, the first one left is the client as the
//! outermost trusted proxy saw it; whatever is further left the client wrote itself.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The address per-IP limits and the log use for this request.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if trusted.is_empty() || !is_trusted(&peer) {
        return peer;
    }
    let hops = match forwarded_for(headers) {
        Some(hops) => hops,
        None => x_forwarded_for(headers),
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            // An entry a trusted proxy could not make sense of: the proxy that wrote it is the
            // last address we can vouch for.
            None => return client,
            Some(ip) if is_trusted(ip) => client = *ip,
            Some(ip) => return *ip,
        }
    }
    client
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as IPv4, so IPv4 CIDRs match them.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` of every `Forwarded` element, in order; `None` when there is no such header.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    let mut present = false;
    for value in headers.get_all("forwarded") {
        present = true;
        let Ok(value) = value.to_str() else {
            hops.push(None);
            continue;
        };
        for element in value.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"'))
            });
            if let Some(node) = node {
                hops.push(parse_node(node));
            }
        }
    }
    present.then_some(hops)
}

fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(|hop| parse_node(hop.trim())).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`;
/// `unknown` and obfuscated identifiers are `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    let (host, port) = node.rsplit_once(':')?;
    port.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn trusted() -> Vec<IpNet> {
        vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ]
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(ip("198.51.100.1"), &spoofed, &trusted()),
            ip("198.51.100.1")
        );
        assert_eq!(client_ip(ip("127.0.0.1"), &spoofed, &[]), ip("127.0.0.1"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoofed, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_rightmost_address_no_trusted_proxy_added_is_the_client() {
        let chain = headers(&[
            ("x-forwarded-for", "1.1.1.1, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.7"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &chain, &trusted()),
            ip("203.0.113.9")
        );
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.8, 10.0.0.7")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &all_trusted, &trusted()),
            ip("10.0.0.8")
        );
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, nonsense, 10.0.0.7")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &garbage, &trusted()),
            ip("10.0.0.7")
        );
    }

    #[test]
    fn forwarded_wins_and_its_forms_are_read() {
        let both = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            (
                "forwarded",
                "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
            ),
        ]);
        assert_eq!(
            client_ip(ip("10.1.1.1"), &both, &trusted()),
            ip("2001:db8:cafe::17")
        );
        let with_port = headers(&[("forwarded", "for=\"192.0.2.43:47011\"")]);
        assert_eq!(
            client_ip(ip("10.1.1.1"), &with_port, &trusted()),
            ip("192.0.2.43")
        );
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            client_ip(ip("10.1.1.1"), &unknown, &trusted()),
            ip("10.1.1.1")
        );
        let mapped = headers(&[("x-forwarded-for", "::ffff:10.2.2.2, 198.51.100.4")]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &mapped, &trusted()),
            ip("198.51.100.4")
        );
    }
}
