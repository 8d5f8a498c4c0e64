//! Asking the home router for its WAN address: NAT-PMP (RFC 6886), PCP (RFC 6887) and UPnP IGD.
//!
//! The codecs ([`natpmp`], [`pcp`], [`upnp`]) are sans-IO; this module and [`watch`] own the
//! sockets. The router is the IPv4 default route's gateway ([`netlink::default_gateway_v4`])
//! unless configured. Answers are matched to requests: connected UDP sockets (only the
//! gateway's port 5351 reaches them), a PCP nonce, and UPnP URLs on the device that answered.
//! An announcement or a GENA event is only a trigger ([`watch`]): the address always comes
//! from a request made here.

pub mod natpmp;
pub mod pcp;
pub mod upnp;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::SourceErrorKind;
use crate::ip::netlink;

/// A failure: its kind and why.
pub(crate) type Failure = (SourceErrorKind, String);

fn local(why: impl std::fmt::Display) -> Failure {
    (SourceErrorKind::Local, why.to_string())
}

fn network(why: impl std::fmt::Display) -> Failure {
    (SourceErrorKind::Network, why.to_string())
}

fn answer(why: impl std::fmt::Display) -> Failure {
    (SourceErrorKind::Answer, why.to_string())
}

/// An error receiving from port 5351: "connection refused" is the router's ICMP answer that
/// nothing listens there.
fn refused_port(protocol: &str, e: &std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        network(format!(
            "nothing answers {protocol} on port 5351 (is it enabled on the router?)"
        ))
    } else {
        network(format!("{protocol}: {e}"))
    }
}

/// The router to ask: `configured`, else the default route's gateway.
pub async fn gateway(configured: Option<Ipv4Addr>) -> Result<Ipv4Addr, Failure> {
    if let Some(gw) = configured {
        return Ok(gw);
    }
    match netlink::default_gateway_v4().await {
        Ok(Some((gw, _))) => Ok(gw),
        Ok(None) => Err((
            SourceErrorKind::Config,
            "no IPv4 default route with a gateway; set gateway = \"192.168.1.1\"".into(),
        )),
        Err(e) => Err(local(format!("reading the routing table: {e}"))),
    }
}

/// A UDP socket connected to `to`: the kernel delivers only what `to` sends back.
async fn connected(to: SocketAddr) -> Result<UdpSocket, Failure> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .await
        .map_err(local)?;
    socket.connect(to).await.map_err(network)?;
    Ok(socket)
}

/// Our address on the LAN towards `gateway` (the source address the kernel picks).
pub async fn lan_address(gateway: Ipv4Addr) -> Result<Ipv4Addr, Failure> {
    let s = connected(SocketAddr::from((gateway, natpmp::SERVER_PORT))).await?;
    match s.local_addr().map_err(local)?.ip() {
        IpAddr::V4(ip) => Ok(ip),
        IpAddr::V6(_) => Err(local("no IPv4 route to the router")),
    }
}

/// Ask the router by NAT-PMP (opcode 0), retransmitting as RFC 6886 section 3.1 says.
pub async fn natpmp_address(gateway: Ipv4Addr) -> Result<Ipv4Addr, Failure> {
    let socket = connected(SocketAddr::from((gateway, natpmp::SERVER_PORT))).await?;
    let mut buf = [0u8; 64];
    let mut last_error = None;
    for delay in natpmp::retransmit_delays() {
        socket.send(&natpmp::REQUEST).await.map_err(network)?;
        let until = Instant::now() + delay;
        while let Ok(received) = timeout_at(until, socket.recv(&mut buf)).await {
            let n = match received {
                Ok(n) => n,
                // ICMP port unreachable: no NAT-PMP server on the router.
                Err(e) => return Err(refused_port("NAT-PMP", &e)),
            };
            match natpmp::parse_answer(&buf[..n]) {
                Ok(a) if a.result == 0 => return Ok(a.address),
                Ok(a) => {
                    let kind = if a.result == 3 {
                        SourceErrorKind::Refused
                    } else {
                        SourceErrorKind::Answer
                    };
                    return Err((
                        kind,
                        format!(
                            "NAT-PMP result {}: {}",
                            a.result,
                            natpmp::result_text(a.result)
                        ),
                    ));
                }
                Err(e) => last_error = Some(e),
            }
        }
    }
    Err(match last_error {
        Some(e) => answer(e),
        None => (SourceErrorKind::Timeout, "no NAT-PMP answer".into()),
    })
}

/// RFC 6887 section 8.1.1: initial retransmission time 3 s, doubling, at most 1024 s.
fn pcp_delays() -> impl Iterator<Item = Duration> {
    (0..10).map(|i| Duration::from_secs((3u64 << i).min(1024)))
}

/// Ask the router by PCP: a short-lived UDP mapping of our query port, whose answer carries
/// the external address, deleted right after (see [`pcp`]).
pub async fn pcp_address(gateway: Ipv4Addr) -> Result<IpAddr, Failure> {
    let socket = connected(SocketAddr::from((gateway, natpmp::SERVER_PORT))).await?;
    let me = match socket.local_addr().map_err(local)? {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(_) => return Err(local("no IPv4 route to the router")),
    };
    let nonce = nonce()?;
    let request = pcp::map_request(*me.ip(), me.port(), 30, nonce);
    let mut buf = vec![0u8; pcp::MAX_MESSAGE + 4];
    let mut last_error = None;
    for delay in pcp_delays() {
        socket.send(&request).await.map_err(network)?;
        let until = Instant::now() + delay;
        while let Ok(received) = timeout_at(until, socket.recv(&mut buf)).await {
            let n = received.map_err(|e| refused_port("PCP", &e))?;
            let a = match pcp::parse_answer(&buf[..n]) {
                Ok(a) => a,
                Err(e) => {
                    last_error = Some(e.to_string());
                    continue;
                }
            };
            match (&a.map, a.result) {
                // Not the answer to this request: ignore (section 11.4 matching).
                (Some(m), _) if m.nonce != nonce || m.internal_port != me.port() => {}
                (Some(m), 0) if a.opcode == pcp::OP_MAP => {
                    let external = m.external;
                    delete_mapping(&socket, me, nonce).await;
                    return Ok(external);
                }
                (_, 0) => {}
                (_, code) => {
                    let kind = if matches!(code, 7 | 8 | 11) {
                        SourceErrorKind::Refused
                    } else {
                        SourceErrorKind::Answer
                    };
                    return Err((
                        kind,
                        format!("PCP result {code}: {}", pcp::result_text(code)),
                    ));
                }
            }
        }
    }
    Err(match last_error {
        Some(e) => answer(e),
        None => (SourceErrorKind::Timeout, "no PCP answer".into()),
    })
}

/// Delete the mapping (lifetime 0), waiting briefly for the answer; it expires by itself
/// otherwise.
async fn delete_mapping(socket: &UdpSocket, me: SocketAddrV4, nonce: [u8; 12]) {
    let request = pcp::map_request(*me.ip(), me.port(), 0, nonce);
    if socket.send(&request).await.is_ok() {
        let mut buf = [0u8; 128];
        let _ = tokio::time::timeout(Duration::from_millis(500), socket.recv(&mut buf)).await;
    }
}

fn nonce() -> Result<[u8; 12], Failure> {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut n = [0u8; 12];
    SystemRandom::new()
        .fill(&mut n)
        .map_err(|_| local("no randomness for the PCP nonce"))?;
    Ok(n)
}

/// The WAN service found on each gateway, so that a re-check after an event is one SOAP call
/// (an SSDP search may wait up to MX seconds for the answer).
fn services() -> &'static Mutex<HashMap<Ipv4Addr, upnp::WanService>> {
    static CACHE: OnceLock<Mutex<HashMap<Ipv4Addr, upnp::WanService>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Ask the router by UPnP IGD: SSDP search (answers from the gateway only), the device
/// description, then SOAP `GetExternalIPAddress`. `Ok(None)`: the router has no WAN address
/// ("Disconnected").
pub async fn upnp_address(gateway: Ipv4Addr) -> Result<Option<IpAddr>, Failure> {
    let cached = services()
        .lock()
        .ok()
        .and_then(|c| c.get(&gateway).cloned());
    if let Some(service) = cached {
        match get_external(&service).await {
            Ok(a) => return Ok(a),
            Err(e) => tracing::debug!("UPnP: the known service failed ({}); searching again", e.1),
        }
    }
    let service = wan_service(gateway).await?.1;
    let result = get_external(&service).await;
    if result.is_ok()
        && let Ok(mut c) = services().lock()
    {
        c.insert(gateway, service);
    }
    result
}

/// Find the gateway's WAN connection service: (the device's boot ID, the service).
pub async fn wan_service(gateway: Ipv4Addr) -> Result<(Option<u32>, upnp::WanService), Failure> {
    let found = search(gateway).await?;
    let client = http_client()?;
    let xml = http_body(
        client.get(&found.location),
        upnp::MAX_DESCRIPTION,
        "device description",
    )
    .await?
    .1;
    let service = upnp::parse_description(&xml, &found.location).map_err(answer)?;
    Ok((found.boot_id, service))
}

async fn get_external(service: &upnp::WanService) -> Result<Option<IpAddr>, Failure> {
    let request = http_client()?
        .post(&service.control_url)
        .header("CONTENT-TYPE", "text/xml; charset=\"utf-8\"")
        .header("SOAPACTION", upnp::soap_action(&service.service_type))
        .body(upnp::soap_request(&service.service_type));
    let (status, body) = http_body(request, upnp::MAX_BODY, "SOAP answer").await?;
    match upnp::parse_soap_answer(&body).map_err(answer)? {
        upnp::SoapAnswer::Address(a) if status == 200 => Ok(a),
        upnp::SoapAnswer::Address(_) => Err(answer(format!("GetExternalIPAddress: HTTP {status}"))),
        upnp::SoapAnswer::Fault(code, text) => Err(answer(format!(
            "GetExternalIPAddress failed: UPnP error {} {text}",
            code.map_or_else(|| "?".to_string(), |c| c.to_string())
        ))),
    }
}

/// M-SEARCH for an IGD, unicast to the gateway (answered at once) and multicast on its LAN
/// (answered within MX seconds), repeated every second; the first answer from the gateway
/// whose LOCATION is on the gateway wins.
async fn search(gateway: Ipv4Addr) -> Result<upnp::SearchAnswer, Failure> {
    let me = lan_address(gateway).await?;
    let socket = UdpSocket::bind((me, 0)).await.map_err(local)?;
    socket.set_multicast_ttl_v4(2).map_err(local)?;
    let mut buf = vec![0u8; upnp::MAX_DATAGRAM + 1];
    let mut last_error = None;
    loop {
        for target in upnp::SEARCH_TARGETS {
            let m = upnp::m_search(target, 1);
            for to in [
                SocketAddr::from((gateway, upnp::SSDP_ADDR.1)),
                SocketAddr::from(upnp::SSDP_ADDR),
            ] {
                socket.send_to(m.as_bytes(), to).await.map_err(network)?;
            }
        }
        let until = Instant::now() + Duration::from_secs(1);
        while let Ok(received) = timeout_at(until, socket.recv_from(&mut buf)).await {
            let (n, from) = received.map_err(network)?;
            if from.ip() != IpAddr::V4(gateway) {
                continue;
            }
            match upnp::parse_search_answer(&buf[..n]) {
                Ok(a) if on_host(&a.location, gateway) => return Ok(a),
                Ok(a) => last_error = Some(format!("LOCATION {} is not on the router", a.location)),
                Err(e) => last_error = Some(e.0),
            }
        }
        if let Some(e) = last_error.take() {
            tracing::debug!("SSDP: {e}");
        }
    }
}

fn on_host(url: &str, host: Ipv4Addr) -> bool {
    reqwest::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "http" && u.host_str() == Some(host.to_string().as_str()))
}

/// One plain-HTTP client for the LAN (UPnP is HTTP/1.1 without TLS): no proxy, no redirects.
pub(crate) fn http_client() -> Result<&'static reqwest::Client, Failure> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            super::http::plain_builder()?
                .no_proxy()
                .http1_only()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Linux UPnP/1.1 dnsup/", env!("CARGO_PKG_VERSION")))
                .pool_max_idle_per_host(0)
                .connect_timeout(Duration::from_secs(3))
                .timeout(Duration::from_secs(5))
                .build()
                .map_err(|e| format!("cannot set up HTTP: {e}"))
        })
        .as_ref()
        .map_err(|e| local(e.clone()))
}

/// Send a request and read at most `limit` bytes of the body: (status, body).
pub(crate) async fn http_body(
    request: reqwest::RequestBuilder,
    limit: usize,
    what: &str,
) -> Result<(u16, Vec<u8>), Failure> {
    let mut response = request.send().await.map_err(super::http::request_error)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(super::http::request_error)? {
        body.extend_from_slice(&chunk);
        if body.len() > limit {
            return Err(answer(format!("{what} longer than {limit} bytes")));
        }
    }
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use crate::ip::source::{SourceSpec, describe};

    #[derive(Debug, serde::Deserialize)]
    struct Config {
        source: Vec<SourceSpec>,
    }

    fn parse(text: &str) -> Result<Vec<SourceSpec>, String> {
        toml::from_str::<Config>(text)
            .map(|c| c.source)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn router_sources_from_toml() {
        let s = parse(
            r#"
            [[source]]
            type = "natpmp"
            [[source]]
            type = "pcp"
            gateway = "192.168.1.1"
            [[source]]
            type = "upnp"
            "#,
        )
        .unwrap();
        assert_eq!(s[0], SourceSpec::Natpmp { gateway: None });
        let gw = Some(Ipv4Addr::new(192, 168, 1, 1));
        assert_eq!(s[1], SourceSpec::Pcp { gateway: gw });
        assert_eq!(s[1].router_gateway(), Some(gw));
        assert_eq!(describe(&s[0]), "natpmp (default gateway)");
        assert_eq!(describe(&s[1]), "pcp @192.168.1.1");
        assert_eq!(describe(&s[2]), "upnp (default gateway)");
        // Not a router source.
        assert_eq!(SourceSpec::Interface { name: None }.router_gateway(), None);
        // A typo, an IPv6 or a host name as the gateway: errors.
        assert!(parse("[[source]]\ntype = \"natpmp\"\ngatway = \"192.168.1.1\"").is_err());
        assert!(parse("[[source]]\ntype = \"upnp\"\ngateway = \"fe80::1\"").is_err());
        assert!(parse("[[source]]\ntype = \"pcp\"\ngateway = \"router.lan\"").is_err());
    }

    #[tokio::test]
    async fn an_ipv6_request_gets_no_address_without_asking() {
        // Nothing listens on 192.0.2.1 (TEST-NET-1): an IPv6 question must not even try.
        let spec = SourceSpec::Natpmp {
            gateway: Some(Ipv4Addr::new(192, 0, 2, 1)),
        };
        let r = crate::ip::source::detect(
            &spec,
            crate::ip::Family::V6,
            std::time::Duration::from_secs(1),
        );
        assert_eq!(r.await, Ok(None));
    }
}
