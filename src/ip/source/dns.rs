//! DNS echo services: a name whose answer is the address the query came from.
//!
//! - OpenDNS: `myip.opendns.com` A/AAAA at resolver1/2.opendns.com.
//! - Cloudflare: `whoami.cloudflare` TXT in class CH (CHAOS) at 1.1.1.1 / 1.0.0.1.
//! - Google: `o-o.myaddr.l.google.com` TXT at ns1/ns2.google.com (authoritative, so no RD).
//!
//! One datagram each way, retried, TCP if truncated, answers matched by ID and question (the
//! crate's [`client`](crate::client) and [`transport`](crate::transport)). The answer must
//! hold exactly one address for the question's name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use serde::{Deserialize, Serialize};

use super::{SourceError, SourceErrorKind, SourceSpec};
use crate::client::{self, ClientError, rcode_name};
use crate::ip::Family;
use crate::transport::{self, Failure, NoAnswer, Verdict};

/// A DNS echo service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DnsEcho {
    /// `myip.opendns.com` A/AAAA.
    #[serde(rename = "opendns")]
    OpenDns,
    /// `whoami.cloudflare` CH TXT.
    #[serde(rename = "cloudflare")]
    Cloudflare,
    /// `o-o.myaddr.l.google.com` TXT.
    #[serde(rename = "google")]
    Google,
}

impl DnsEcho {
    /// The configuration name: `opendns`, `cloudflare`, `google`.
    pub fn name(self) -> &'static str {
        match self {
            DnsEcho::OpenDns => "opendns",
            DnsEcho::Cloudflare => "cloudflare",
            DnsEcho::Google => "google",
        }
    }

    /// The question: name, type, class, and whether to set RD.
    fn question(self, family: Family) -> (&'static str, RecordType, DNSClass, bool) {
        match self {
            DnsEcho::OpenDns => {
                let rtype = match family {
                    Family::V4 => RecordType::A,
                    Family::V6 => RecordType::AAAA,
                };
                ("myip.opendns.com.", rtype, DNSClass::IN, true)
            }
            DnsEcho::Cloudflare => ("whoami.cloudflare.", RecordType::TXT, DNSClass::CH, true),
            DnsEcho::Google => (
                "o-o.myaddr.l.google.com.",
                RecordType::TXT,
                DNSClass::IN,
                false,
            ),
        }
    }
}

/// The service's own servers for `family`: reached over that family, they see that address.
pub fn dns_servers(kind: DnsEcho, family: Family) -> Vec<SocketAddr> {
    let v4 = |a: [u8; 4]| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(a)), 53);
    let v6 = |a: [u16; 8]| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(a)), 53);
    match (kind, family) {
        (DnsEcho::OpenDns, Family::V4) => vec![v4([208, 67, 222, 222]), v4([208, 67, 220, 220])],
        (DnsEcho::OpenDns, Family::V6) => vec![
            v6([0x2620, 0x119, 0x35, 0, 0, 0, 0, 0x35]),
            v6([0x2620, 0x119, 0x53, 0, 0, 0, 0, 0x53]),
        ],
        (DnsEcho::Cloudflare, Family::V4) => vec![v4([1, 1, 1, 1]), v4([1, 0, 0, 1])],
        (DnsEcho::Cloudflare, Family::V6) => vec![
            v6([0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111]),
            v6([0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1001]),
        ],
        (DnsEcho::Google, Family::V4) => vec![v4([216, 239, 32, 10]), v4([216, 239, 34, 10])],
        (DnsEcho::Google, Family::V6) => vec![
            v6([0x2001, 0x4860, 0x4802, 0x32, 0, 0, 0, 0xa]),
            v6([0x2001, 0x4860, 0x4802, 0x34, 0, 0, 0, 0xa]),
        ],
    }
}

pub(super) async fn detect(
    spec: &SourceSpec,
    kind: DnsEcho,
    servers: Option<&[SocketAddr]>,
    family: Family,
    timeout: Duration,
) -> Result<Option<IpAddr>, SourceError> {
    let servers = match servers {
        Some(s) if !s.is_empty() => s.to_vec(),
        Some(_) => return Err(SourceError::new(spec, SourceErrorKind::Config, "no server")),
        None => dns_servers(kind, family),
    };
    let (qname, rtype, class, rd) = kind.question(family);
    let name = Name::from_ascii(qname).map_err(|e| {
        SourceError::new(
            spec,
            SourceErrorKind::Config,
            format!("bad name {qname}: {e}"),
        )
    })?;
    // Each server gets its share of the time; a lost datagram is sent once more halfway.
    let per_server = timeout / servers.len() as u32;
    let config = transport::Config {
        tcp: false,
        udp_interval: per_server / 2,
        udp_retries: 1,
        timeout: per_server,
        local: None,
        tls: None,
        https: None,
        reuse: None,
    };
    let response = if class == DNSClass::IN {
        client::query(&name, rtype, rd, None, &servers, &config)
            .await
            .map(|outcome| outcome.response)
            .map_err(|e| match e {
                ClientError::Network(none) | ClientError::Unverified(none) => network(spec, &none),
                other => SourceError::new(spec, SourceErrorKind::Network, other.to_string()),
            })?
    } else {
        query_class(&name, rtype, class, rd, &servers, &config)
            .await
            .map_err(|none| network(spec, &none))?
    };
    let rcode = response.metadata.response_code;
    if rcode != ResponseCode::NoError {
        return Err(SourceError::new(
            spec,
            SourceErrorKind::Answer,
            format!("the server answered {}", rcode_name(rcode)),
        ));
    }
    let mut seen: Vec<IpAddr> = Vec::new();
    for record in response
        .answers
        .iter()
        .filter(|r| r.name.eq_ignore_root(&name))
    {
        let found: Vec<IpAddr> = match &record.data {
            RData::A(a) if rtype == RecordType::A => vec![IpAddr::V4(a.0)],
            RData::AAAA(a) if rtype == RecordType::AAAA => vec![IpAddr::V6(a.0)],
            // Google adds "edns0-client-subnet 192.0.2.0/24" when ECS is sent: not an address.
            RData::TXT(txt) if rtype == RecordType::TXT => txt
                .txt_data
                .iter()
                .filter_map(|s| std::str::from_utf8(s).ok()?.trim().parse().ok())
                .collect(),
            _ => Vec::new(),
        };
        for ip in found {
            if !seen.contains(&ip) {
                seen.push(ip);
            }
        }
    }
    match seen.as_slice() {
        [] => Err(SourceError::new(
            spec,
            SourceErrorKind::Answer,
            format!("no address for {qname} {rtype} in the answer"),
        )),
        [ip] if Family::of(*ip) == family => Ok(Some(*ip)),
        [ip] => Err(SourceError::new(
            spec,
            SourceErrorKind::WrongFamily,
            format!(
                "answered {ip}, an {} address, when asked for {family}",
                Family::of(*ip)
            ),
        )),
        several => {
            let list: Vec<_> = several.iter().map(IpAddr::to_string).collect();
            Err(SourceError::new(
                spec,
                SourceErrorKind::Answer,
                format!("several addresses in the answer: {}", list.join(", ")),
            ))
        }
    }
}

fn network(spec: &SourceSpec, none: &NoAnswer) -> SourceError {
    let all_timed_out = !none.0.is_empty() && none.0.iter().all(|(_, f)| *f == Failure::TimedOut);
    let kind = if all_timed_out {
        SourceErrorKind::Timeout
    } else {
        SourceErrorKind::Network
    };
    SourceError::new(spec, kind, none.to_string())
}

/// A query in a class other than IN (`client::query` asks IN only).
async fn query_class(
    name: &Name,
    rtype: RecordType,
    class: DNSClass,
    rd: bool,
    servers: &[SocketAddr],
    config: &transport::Config,
) -> Result<Message, NoAnswer> {
    let id = client::random_id();
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = rd;
    let mut query = Query::query(name.clone(), rtype);
    query.set_query_class(class);
    msg.add_query(query);
    let wire = msg
        .to_vec()
        .map_err(|e| NoAnswer(vec![(servers[0], Failure::Io(e.to_string()))]))?;
    let accept = |bytes: &[u8]| match Message::from_vec(bytes) {
        Err(e) => Verdict::Ignore(format!("a garbled answer: {e}")),
        Ok(m) if m.metadata.id != id || m.metadata.message_type != MessageType::Response => {
            Verdict::Ignore("not the answer to our query".into())
        }
        Ok(m) => match m.queries.first() {
            Some(q)
                if q.name().eq_ignore_root(name)
                    && q.query_type() == rtype
                    && q.query_class() == class =>
            {
                let truncated = m.metadata.truncation;
                Verdict::Accept((m, truncated))
            }
            _ => Verdict::Ignore("an answer about another question".into()),
        },
    };
    transport::exchange(servers, &wire, config, accept)
        .await
        .map(|answered| answered.value)
}
