//! Which address a request comes from, for the sign-in limits: the connection's peer,
//! or, when that peer is a configured trusted proxy, the address the proxies name in
//! `X-Forwarded-For`. Anyone can send that header, so it is believed only from proxies.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Reads one `trusted_proxies` entry: an IP address or a CIDR range.
pub fn parse_trusted_proxy(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{entry:?} is not an IP address or CIDR range (e.g. 10.0.0.1 or 10.0.0.0/8)"))
}

/// The client's address: `peer` unless it is a trusted proxy; then, walking
/// `X-Forwarded-For` from the nearest hop back, the first address that is not a trusted
/// proxy (or the farthest one given, when all are). A hop that is not an address ends
/// the walk at the proxy that wrote it.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.map(|ip| ip.to_canonical())?;
    if !is_trusted(&client) {
        return Some(client);
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in forwarded.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded_for(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = [parse_trusted_proxy("10.0.0.0/8").unwrap(), parse_trusted_proxy("192.0.2.1").unwrap()];
        let headers = forwarded_for("198.51.100.7");
        assert_eq!(client_address(Some(ip("203.0.113.5")), &headers, &trusted), Some(ip("203.0.113.5")));
        assert_eq!(client_address(Some(ip("10.1.2.3")), &headers, &trusted), Some(ip("198.51.100.7")));
        assert_eq!(client_address(Some(ip("10.1.2.3")), &headers, &[]), Some(ip("10.1.2.3")));
        assert_eq!(client_address(Some(ip("10.1.2.3")), &HeaderMap::new(), &trusted), Some(ip("10.1.2.3")));
    }

    #[test]
    fn addresses_the_client_wrote_itself_are_skipped() {
        let trusted = [parse_trusted_proxy("10.0.0.0/8").unwrap(), parse_trusted_proxy("192.0.2.1").unwrap()];
        // The client claims 1.1.1.1; the outer proxy 192.0.2.1 adds the client's real address.
        let headers = forwarded_for("1.1.1.1, 198.51.100.7, 192.0.2.1");
        assert_eq!(client_address(Some(ip("10.0.0.2")), &headers, &trusted), Some(ip("198.51.100.7")));
        let headers = forwarded_for("garbage, 192.0.2.1");
        assert_eq!(client_address(Some(ip("10.0.0.2")), &headers, &trusted), Some(ip("192.0.2.1")));
    }

    #[test]
    fn trusted_proxy_entries_are_addresses_or_ranges() {
        assert_eq!(parse_trusted_proxy("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert_eq!(parse_trusted_proxy("fd00::/8").unwrap().to_string(), "fd00::/8");
        let error = parse_trusted_proxy("proxy.internal").unwrap_err();
        assert!(error.contains("\"proxy.internal\"") && error.contains("CIDR"), "{error}");
    }
}
