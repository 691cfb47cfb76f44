//! The client's address. Behind a proxy every request comes from the proxy, so the address the
//! proxy saw is read from `Forwarded` (RFC 7239) or `X-Forwarded-For` — but only when the
//! connection comes from a proxy in `[limits] trusted_proxies`, since anyone else can write
//! those headers.
//!
//! Each trusted proxy appends the address it received the request from. Walking the list from
//! the right, past the addresses of trusted proxies, the first one left is the client as the
//! outermost trusted proxy saw it; whatever is further left the client wrote itself.
//!
//! A proxy that writes one of the two headers passes the other on as the client sent it
//! (nginx's `$proxy_add_x_forwarded_for` and AWS's load balancers write `X-Forwarded-For`
//! only), so which one to read is `[limits] proxy_header`. Without it, a request carrying both
//! is believed only when they name the same client.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::Deserialize;

/// The header the trusted proxies write (`[limits] proxy_header`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProxyHeader {
    Forwarded,
    XForwardedFor,
}

/// The proxies whose forwarding headers name the client, and which header they write (`None`:
/// not said, see the module's comment).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    pub networks: Vec<IpNet>,
    pub header: Option<ProxyHeader>,
}

impl TrustedProxies {
    /// Whether `ip` is one of the proxies (an IPv4-mapped IPv6 address as its IPv4 one).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.networks.iter().any(|net| net.contains(&ip))
    }

    /// What the gateway says at start about this setting, when it is not safe as it is: with
    /// proxies but no `proxy_header`, a client sending the header its proxy does not write
    /// makes its requests count as the proxy's (see `client_ip`).
    pub fn warning(&self) -> Option<&'static str> {
        (!self.networks.is_empty() && self.header.is_none()).then_some(
            "[limits] trusted_proxies without proxy_header: set proxy_header to the header your \
             proxies write (\"x-forwarded-for\" or \"forwarded\")",
        )
    }
}

/// The address per-IP limits and the log use for this request.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let is_trusted = |ip: &IpAddr| proxies.contains(*ip);
    if !is_trusted(&peer) {
        return peer;
    }
    // The client a list of hops names: the rightmost entry no trusted proxy added.
    let client_named_by = |hops: Vec<Option<IpAddr>>| {
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                // An entry a trusted proxy could not make sense of: the proxy that wrote it is
                // the last address we can vouch for.
                None => return client,
                Some(ip) if is_trusted(ip) => client = *ip,
                Some(ip) => return *ip,
            }
        }
        client
    };
    match (proxies.header, forwarded_for(headers)) {
        (Some(ProxyHeader::Forwarded), hops) => client_named_by(hops.unwrap_or_default()),
        (Some(ProxyHeader::XForwardedFor), _) | (None, None) => {
            client_named_by(x_forwarded_for(headers))
        }
        (None, Some(hops)) if headers.contains_key("x-forwarded-for") => {
            // One of the two is the client's own writing, and nothing says which: believed
            // only when both name the same client. Otherwise the requests of whoever sends
            // such pairs count as the proxy's, so no address of their choosing is charged
            // or spared.
            let forwarded = client_named_by(hops);
            if forwarded == client_named_by(x_forwarded_for(headers)) {
                forwarded
            } else {
                peer
            }
        }
        (None, Some(hops)) => client_named_by(hops),
    }
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

    fn trusted() -> TrustedProxies {
        writing(None)
    }

    fn writing(header: Option<ProxyHeader>) -> TrustedProxies {
        TrustedProxies {
            networks: vec![
                "127.0.0.1/32".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ],
            header,
        }
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(ip("198.51.100.1"), &spoofed, &trusted()),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoofed, &TrustedProxies::default()),
            ip("127.0.0.1")
        );
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
    fn forwarded_s_forms_are_read() {
        let forwarded = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
        )]);
        assert_eq!(
            client_ip(ip("10.1.1.1"), &forwarded, &trusted()),
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

    /// nginx appends the client to `X-Forwarded-For` and passes the client's own `Forwarded`
    /// on: read first, it let any client name its address (another's, to lock it out).
    #[test]
    fn a_header_the_client_wrote_beside_the_proxy_s_does_not_name_the_client() {
        let spoofed = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.1"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoofed, &trusted()),
            ip("127.0.0.1")
        );
        let behind_nginx = writing(Some(ProxyHeader::XForwardedFor));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoofed, &behind_nginx),
            ip("203.0.113.9")
        );
        let behind_forwarded = writing(Some(ProxyHeader::Forwarded));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoofed, &behind_forwarded),
            ip("198.51.100.1")
        );
        // The header the proxies do not write names no one, even alone.
        let only_xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &only_xff, &behind_forwarded),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn both_headers_naming_the_same_client_name_it() {
        let both = headers(&[
            ("x-forwarded-for", "1.1.1.1, 192.0.2.60"),
            ("forwarded", "for=192.0.2.60, for=10.0.0.7"),
        ]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &both, &trusted()),
            ip("192.0.2.60")
        );
    }

    #[test]
    fn proxies_without_their_header_are_warned_about_at_start() {
        assert!(trusted().warning().is_some());
        assert!(writing(Some(ProxyHeader::XForwardedFor))
            .warning()
            .is_none());
        assert!(TrustedProxies::default().warning().is_none());
    }
}
