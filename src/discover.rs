//! Zone and primary discovery, the way nsupdate does it (BIND 9.18 `nsupdate.c`).
//!
//! Ask for the SOA of the first owner name; an SOA in the answer names the zone, one in the
//! authority section names the enclosing zone; a CNAME/DNAME answer or no SOA at all means strip
//! a label and ask again. The SOA MNAME is the primary (RFC 2136 section 4: send to the primary
//! master, found through the SOA). REFUSED and failures move on to the next server.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, RecordType};

use crate::client::{self, ClientError, Outcome, Signer};
use crate::transport::{self, NoAnswer};

/// The zone that holds a name and the primary server named by its SOA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneInfo {
    /// The zone apex.
    pub zone: Name,
    /// The SOA MNAME: the primary server.
    pub primary: Name,
}

/// Why the zone could not be found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// The walk reached the root without an SOA (nsupdate: "could not find enclosing zone").
    #[error("could not find enclosing zone of {0}")]
    NoZone(String),
    /// A server answered the SOA query with an error (SERVFAIL, REFUSED by all, ...).
    #[error("response to SOA query for {name} was unsuccessful: {rcode}")]
    Unsuccessful {
        /// The name asked about.
        name: String,
        /// The response code's mnemonic.
        rcode: String,
    },
    /// No server answered the SOA queries.
    #[error("SOA query failed: {0}")]
    Query(#[from] ClientError),
    /// The primary's name did not resolve to an address.
    #[error("cannot resolve {name}: {reason}")]
    Resolve {
        /// The MNAME.
        name: String,
        /// What the resolver said.
        reason: String,
    },
}

/// The nameservers of a resolv.conf text (`nameserver ADDR` lines); nsupdate falls back to the
/// loopback addresses when there are none.
pub fn parse_resolv_conf(text: &str) -> Vec<IpAddr> {
    let found: Vec<IpAddr> = text
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                // A scoped address (fe80::1%eth0) keeps only the address.
                .and_then(|addr| addr.split('%').next()?.parse().ok())
        })
        .collect();
    if found.is_empty() {
        vec![
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        ]
    } else {
        found
    }
}

/// Find the zone of `name` by asking `servers` for SOA records.
///
/// `recursion`: set RD (true when asking resolvers, false when asking the server given by the
/// user, as nsupdate does). A signed query that the server rejects with a TSIG error is asked
/// again unsigned.
pub async fn find_zone(
    name: &Name,
    servers: &[SocketAddr],
    signer: Option<Signer<'_>>,
    recursion: bool,
    config: &transport::Config,
) -> Result<ZoneInfo, DiscoverError> {
    let mut qname = name.clone();
    qname.set_fqdn(true);
    loop {
        let outcome = ask_soa(&qname, servers, signer, recursion, config).await?;
        let response = &outcome.response;
        // nsupdate stops on anything but NOERROR and NXDOMAIN ("response to SOA query was
        // unsuccessful"): walking on after SERVFAIL would pick a parent zone and send the
        // update to the wrong primary.
        match response.metadata.response_code {
            ResponseCode::NoError | ResponseCode::NXDomain => {}
            other => {
                return Err(DiscoverError::Unsuccessful {
                    name: qname.to_string(),
                    rcode: client::rcode_name(other),
                });
            }
        }
        let redirected = response
            .answers
            .iter()
            .any(|r| matches!(r.record_type(), RecordType::CNAME | RecordType::DNAME));
        let soa = if redirected {
            None
        } else {
            response
                .answers
                .iter()
                .chain(&response.authorities)
                .find_map(|r| match &r.data {
                    RData::SOA(soa) => Some((r.name.clone(), soa.mname.clone())),
                    _ => None,
                })
        };
        match soa {
            // The root zone is never the one meant (a typo in a TLD reaches it through the
            // resolver's NXDOMAIN): updating it is not something dnsup will try.
            Some((zone, _)) if zone.is_root() => {
                return Err(DiscoverError::NoZone(name.to_string()));
            }
            Some((zone, primary)) => return Ok(ZoneInfo { zone, primary }),
            None if qname.is_root() => return Err(DiscoverError::NoZone(name.to_string())),
            None => qname = qname.base_name(),
        }
    }
}

/// Where an update goes, by nsupdate's rules: with both a zone and servers, there; otherwise
/// ask the given servers (without recursion, signed) or else the resolvers of
/// /etc/resolv.conf (with recursion, unsigned: they do not know our key) for the SOA of the
/// zone or of `owner`; the SOA names the zone and, when no server was given, the primary
/// (MNAME) whose addresses become the servers (on `port`).
pub async fn locate(
    zone: Option<Name>,
    mut servers: Vec<SocketAddr>,
    owner: &Name,
    signer: Option<Signer<'_>>,
    port: u16,
    config: &transport::Config,
) -> Result<(Name, Vec<SocketAddr>), DiscoverError> {
    if let Some(zone) = &zone
        && !servers.is_empty()
    {
        return Ok((zone.clone(), servers));
    }
    let (ask, recursion, signer) = if servers.is_empty() {
        let text = crate::bounded::read_text(
            std::path::Path::new("/etc/resolv.conf"),
            crate::bounded::limit::RESOLV_CONF,
        )
        .unwrap_or_default();
        let resolvers = parse_resolv_conf(&text)
            .into_iter()
            .map(|ip| SocketAddr::new(ip, 53))
            .collect();
        (resolvers, true, None)
    } else {
        (servers.clone(), false, signer)
    };
    let info = find_zone(
        zone.as_ref().unwrap_or(owner),
        &ask,
        signer,
        recursion,
        config,
    )
    .await?;
    if servers.is_empty() {
        servers = resolve(&info.primary.to_ascii(), port).await?;
    }
    Ok((zone.unwrap_or(info.zone), servers))
}

/// Like [`locate`], but always asks for the SOA, because GSS-TSIG needs the primary's name (the
/// server's principal is `DNS/<primary>`, as nsupdate derives it): returns the zone, the
/// primary and the servers.
pub async fn locate_with_primary(
    zone: Option<Name>,
    mut servers: Vec<SocketAddr>,
    owner: &Name,
    port: u16,
    config: &transport::Config,
) -> Result<(Name, Name, Vec<SocketAddr>), DiscoverError> {
    let (ask, recursion) = if servers.is_empty() {
        let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let resolvers = parse_resolv_conf(&text)
            .into_iter()
            .map(|ip| SocketAddr::new(ip, 53))
            .collect();
        (resolvers, true)
    } else {
        (servers.clone(), false)
    };
    let info = find_zone(
        zone.as_ref().unwrap_or(owner),
        &ask,
        None,
        recursion,
        config,
    )
    .await?;
    if servers.is_empty() {
        servers = resolve(&info.primary.to_ascii(), port).await?;
    }
    Ok((zone.unwrap_or(info.zone), info.primary, servers))
}

/// Ask each server in turn for the SOA of `qname`; REFUSED moves on to the next server. A
/// signed query that the server rejects with a TSIG error is asked again unsigned, as nsupdate
/// does.
async fn ask_soa(
    qname: &Name,
    servers: &[SocketAddr],
    signer: Option<Signer<'_>>,
    recursion: bool,
    config: &transport::Config,
) -> Result<Outcome, DiscoverError> {
    let mut last = None;
    for server in servers {
        let one = std::slice::from_ref(server);
        let mut result =
            client::query(qname, RecordType::SOA, recursion, signer, one, config).await;
        if signer.is_some() && result.as_ref().is_ok_and(|o| o.tsig_error.is_some()) {
            result = client::query(qname, RecordType::SOA, recursion, None, one, config).await;
        }
        match result {
            Ok(o) if o.rcode() != ResponseCode::Refused => return Ok(o),
            other => last = Some(other),
        }
    }
    match last {
        Some(Ok(refused)) => Ok(refused),
        Some(Err(e)) => Err(e.into()),
        None => Err(DiscoverError::Query(ClientError::Network(NoAnswer(
            Vec::new(),
        )))),
    }
}

/// `HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address.
pub fn split_server(s: &str, default_port: u16) -> Result<(String, u16), String> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("server '{s}': missing ']'"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("server '{s}': bad port"))?,
            None if after.is_empty() => default_port,
            None => return Err(format!("server '{s}': expected [ADDRESS]:PORT")),
        };
        return Ok((host.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let port = port
                .parse()
                .map_err(|_| format!("server '{s}': bad port"))?;
            Ok((host.to_string(), port))
        }
        _ => Ok((s.to_string(), default_port)),
    }
}

/// The addresses of `host` (an address literal or a name from the system resolver), at most 4
/// as nsupdate keeps.
pub async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, DiscoverError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let lookup = tokio::net::lookup_host((host.trim_end_matches('.'), port))
        .await
        .map_err(|e| DiscoverError::Resolve {
            name: host.to_string(),
            reason: e.to_string(),
        })?;
    let addrs: Vec<SocketAddr> = lookup.take(4).collect();
    if addrs.is_empty() {
        return Err(DiscoverError::Resolve {
            name: host.to_string(),
            reason: "no address".into(),
        });
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_nameservers_or_loopback() {
        let text = "# comment\nsearch example\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\n";
        assert_eq!(
            parse_resolv_conf(text),
            vec![
                "192.0.2.53".parse::<IpAddr>().unwrap(),
                "fe80::1".parse().unwrap()
            ]
        );
        assert_eq!(parse_resolv_conf("").len(), 2);
    }

    #[test]
    fn server_forms() {
        let s = |t: &str| split_server(t, 53).unwrap();
        assert_eq!(s("127.0.0.1"), ("127.0.0.1".into(), 53));
        assert_eq!(s("127.0.0.1:5353"), ("127.0.0.1".into(), 5353));
        assert_eq!(s("[::1]:5353"), ("::1".into(), 5353));
        assert_eq!(s("::1"), ("::1".into(), 53));
        assert_eq!(s("ns1.example.test"), ("ns1.example.test".into(), 53));
        assert!(split_server("[::1", 53).is_err());
    }

    #[tokio::test]
    async fn literal_addresses_need_no_resolver() {
        let got = resolve("[::1]", 5353).await.unwrap();
        assert_eq!(got, vec!["[::1]:5353".parse().unwrap()]);
    }
}
