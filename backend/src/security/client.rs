//! Who is calling. Forwarding headers are believed only when the TCP peer is one of our proxies:
//! anyone else could write any X-Forwarded-For and pick a fresh rate-limit bucket per request.
use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{request::Parts, HeaderMap};
use ipnet::IpNet;

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the right-most X-Forwarded-For hop (over all header lines) that is
    /// not one of our proxies, walking left only while each hop is trusted.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            // A hop a proxy wrote is always an address; anything else came from the client.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }

    /// Whether the original request came over TLS, as told by a trusted proxy.
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.contains(peer)
            && headers
                .get_all("x-forwarded-proto")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

/// The TCP peer; without a socket (a router called in-process) the unspecified address, which no
/// proxy list contains.
pub fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", HeaderValue::from_str(l).unwrap());
        }
        h
    }

    fn vpc() -> TrustedProxies {
        TrustedProxies::new(vec!["10.0.0.0/16".parse().unwrap()])
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let ip = vpc().client_ip("203.0.113.9".parse().unwrap(), &headers(&["1.2.3.4"]));
        assert_eq!(ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_right_most_untrusted_hop_over_all_lines_is_the_client() {
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.0.1.5, 10.0.2.9"]);
        let ip = vpc().client_ip("10.0.3.3".parse().unwrap(), &h);
        assert_eq!(ip, "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_address_a_proxy_wrote() {
        let h = headers(&["evil, 10.0.1.5"]);
        let ip = vpc().client_ip("10.0.3.3".parse().unwrap(), &h);
        assert_eq!(ip, "10.0.1.5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let peer: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert!(vpc().contains(peer));
    }
}
