//! The kernel's addresses over rtnetlink (Linux): a dump with flags and lifetimes, and a watch
//! that wakes the daemon when an address or a default route changes (rtnetlink(7)).
//!
//! Both use one `NETLINK_ROUTE` socket registered with the tokio reactor: no thread, no task.
//! Everything the kernel sends is parsed by `netlink-packet-route`; turning a message into an
//! [`IfAddr`] is [`to_ifaddr`], a pure function.

use std::collections::HashMap;
use std::io;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteHeader, RouteMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{AsyncSocket, AsyncSocketExt, SocketAddr, TokioSocket, protocols::NETLINK_ROUTE};

use super::Family;
use super::iface::{AddrFlags, IfAddr};

/// rtnetlink multicast groups (`linux/rtnetlink.h`, the legacy `RTMGRP_*` bit masks).
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
const RTMGRP_IPV6_IFADDR: u32 = 0x100;
const RTMGRP_IPV6_ROUTE: u32 = 0x400;

/// `IFA_CACHEINFO` lifetimes use this for "forever".
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// ENOBUFS: the kernel dropped events because our receive queue was full.
const ENOBUFS: i32 = nix::errno::Errno::ENOBUFS as i32;

/// Every address of every interface, with its flags and lifetimes (`RTM_GETADDR` dump, names
/// from an `RTM_GETLINK` dump). Must run inside a tokio runtime with I/O enabled; the socket
/// is made in the calling thread's network namespace.
pub async fn dump_addresses() -> io::Result<Vec<IfAddr>> {
    let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
    socket.socket_mut().bind_auto()?;
    let mut seq = 0;
    loop {
        seq += 2;
        let (links, links_intr) = dump(
            &socket,
            RouteNetlinkMessage::GetLink(LinkMessage::default()),
            seq - 1,
        )
        .await?;
        let (addrs, addrs_intr) = dump(
            &socket,
            RouteNetlinkMessage::GetAddress(AddressMessage::default()),
            seq,
        )
        .await?;
        // A dump that raced a change is flagged NLM_F_DUMP_INTR: take it again (a few times).
        if (links_intr || addrs_intr) && seq < 6 {
            continue;
        }
        let names: HashMap<u32, String> = links
            .iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewLink(link) => Some((link.header.index, link_name(link)?)),
                _ => None,
            })
            .collect();
        return Ok(addrs
            .iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewAddress(a) => to_ifaddr(a, &names),
                _ => None,
            })
            .collect());
    }
}

/// The IPv4 default route's gateway and outgoing interface index (`RTM_GETROUTE` dump of the
/// main table): where a home router answers NAT-PMP, PCP and UPnP. `None` without a default
/// route or when it has no gateway (a point-to-point link). With several, the lowest metric.
pub async fn default_gateway_v4() -> io::Result<Option<(std::net::Ipv4Addr, u32)>> {
    let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
    socket.socket_mut().bind_auto()?;
    let mut request = RouteMessage::default();
    request.header.address_family = AddressFamily::Inet;
    let (routes, _) = dump(&socket, RouteNetlinkMessage::GetRoute(request), 1).await?;
    Ok(routes
        .iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewRoute(r) => default_gateway(r),
            _ => None,
        })
        .min_by_key(|(_, _, metric)| *metric)
        .map(|(gw, oif, _)| (gw, oif)))
}

/// A main-table IPv4 default route as (gateway, interface index, metric).
fn default_gateway(r: &RouteMessage) -> Option<(std::net::Ipv4Addr, u32, u32)> {
    if r.header.address_family != AddressFamily::Inet || r.header.destination_prefix_length != 0 {
        return None;
    }
    let mut table = u32::from(r.header.table);
    let (mut gateway, mut oif, mut metric) = (None, None, 0);
    for a in &r.attributes {
        match a {
            RouteAttribute::Gateway(RouteAddress::Inet(gw)) => gateway = Some(*gw),
            RouteAttribute::Oif(i) => oif = Some(*i),
            RouteAttribute::Table(t) => table = *t,
            RouteAttribute::Priority(p) => metric = *p,
            _ => {}
        }
    }
    (table == u32::from(RouteHeader::RT_TABLE_MAIN)).then_some(())?;
    Some((gateway?, oif?, metric))
}

fn link_name(link: &LinkMessage) -> Option<String> {
    link.attributes.iter().find_map(|a| match a {
        LinkAttribute::IfName(name) => Some(name.clone()),
        _ => None,
    })
}

/// An `RTM_NEWADDR` message as an [`IfAddr`]; `None` for families other than IPv4 and IPv6.
///
/// The address is `IFA_LOCAL` when present: on point-to-point links (PPPoE) `IFA_ADDRESS` is
/// the peer's. The interface name comes from `names` (by index), else the IPv4 label.
pub fn to_ifaddr(msg: &AddressMessage, names: &HashMap<u32, String>) -> Option<IfAddr> {
    let family = match msg.header.family {
        AddressFamily::Inet => Family::V4,
        AddressFamily::Inet6 => Family::V6,
        _ => return None,
    };
    let mut local = None;
    let mut address = None;
    let mut label = None;
    let mut flags = u32::from(msg.header.flags.bits());
    let mut lifetimes = (None, None);
    for attr in &msg.attributes {
        match attr {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => address = Some(*ip),
            AddressAttribute::Label(l) => label = Some(l.clone()),
            // IFA_FLAGS carries all 32 bits; the header only the low 8.
            AddressAttribute::Flags(f) => flags = f.bits(),
            AddressAttribute::CacheInfo(c) => {
                let life = |t: u32| (t != INFINITY_LIFE_TIME).then_some(t);
                lifetimes = (life(c.ifa_valid), life(c.ifa_preferred));
            }
            _ => {}
        }
    }
    let addr = local.or(address)?;
    if Family::of(addr) != family {
        return None;
    }
    let index = msg.header.index;
    let ifname = names
        .get(&index)
        .cloned()
        .or(label)
        .unwrap_or_else(|| format!("if{index}"));
    Some(IfAddr {
        ifname,
        index,
        addr,
        prefix_len: msg.header.prefix_len,
        flags: AddrFlags::from_bits(family, flags),
        valid_lft: lifetimes.0,
        preferred_lft: lifetimes.1,
    })
}

/// Send a dump request and collect the answers up to `NLMSG_DONE`, and whether the kernel
/// flagged the dump as interrupted by a concurrent change.
async fn dump(
    socket: &TokioSocket,
    request: RouteNetlinkMessage,
    seq: u32,
) -> io::Result<(Vec<RouteNetlinkMessage>, bool)> {
    let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(request));
    packet.header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    packet.header.sequence_number = seq;
    packet.finalize();
    let mut buf = vec![0; packet.buffer_len()];
    packet.serialize(&mut buf);
    socket.send_to(&buf, &SocketAddr::new(0, 0)).await?;
    let mut out = Vec::new();
    let mut interrupted = false;
    loop {
        let (datagram, from) = socket.recv_from_full().await?;
        if from.port_number() != 0 {
            continue; // not from the kernel
        }
        for msg in messages(&datagram)? {
            if msg.header.sequence_number != seq {
                continue;
            }
            interrupted |= msg.header.flags & NLM_F_DUMP_INTR != 0;
            match msg.payload {
                NetlinkPayload::Done(_) => return Ok((out, interrupted)),
                NetlinkPayload::Error(e) if e.code.is_some() => return Err(e.to_io()),
                NetlinkPayload::InnerMessage(m) => out.push(m),
                _ => {}
            }
        }
    }
}

/// The netlink messages packed in one datagram.
pub(crate) fn messages(
    mut datagram: &[u8],
) -> io::Result<Vec<NetlinkMessage<RouteNetlinkMessage>>> {
    let mut out = Vec::new();
    while !datagram.is_empty() {
        let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(datagram)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        // Messages are padded to 4 bytes (NLMSG_ALIGN).
        let len = (msg.header.length as usize).div_ceil(4) * 4;
        if len == 0 {
            break;
        }
        out.push(msg);
        datagram = datagram.get(len..).unwrap_or_default();
    }
    Ok(out)
}

/// Subscribed to the kernel's address events (and default-route changes): [`Self::changed`]
/// resolves when something the public address may depend on changed. The caller debounces
/// (the kernel sends bursts: DAD, router advertisements refreshing lifetimes) and then calls
/// [`dump_addresses`] or its sources again.
///
/// Idle cost: one netlink socket registered with the tokio reactor; no thread, no task, no
/// buffer until an event arrives.
pub struct AddressWatch {
    socket: TokioSocket,
    routes: bool,
}

impl AddressWatch {
    /// Watch IPv4 and IPv6 address events and default-route changes (a WAN failover moves the
    /// default route without touching any address here). Must be called inside a tokio runtime
    /// with I/O enabled; the watch sees the calling thread's network namespace.
    pub fn new() -> io::Result<Self> {
        Self::subscribe(true)
    }

    /// Watch address events only.
    pub fn addresses_only() -> io::Result<Self> {
        Self::subscribe(false)
    }

    fn subscribe(routes: bool) -> io::Result<Self> {
        let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
        let mut groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
        if routes {
            groups |= RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
        }
        socket.socket_mut().bind(&SocketAddr::new(0, groups))?;
        Ok(AddressWatch { socket, routes })
    }

    /// Wait for the next relevant event. A lost-events overflow (`ENOBUFS`) counts as a change:
    /// the caller re-reads everything anyway.
    pub async fn changed(&mut self) -> io::Result<()> {
        loop {
            let (datagram, from) = match self.socket.recv_from_full().await {
                Ok(received) => received,
                Err(e) if e.raw_os_error() == Some(ENOBUFS) => return Ok(()),
                Err(e) => return Err(e),
            };
            if from.port_number() != 0 {
                continue; // not from the kernel
            }
            // A datagram we cannot parse is still news from the kernel: count it.
            let Ok(msgs) = messages(&datagram) else {
                return Ok(());
            };
            if msgs.iter().any(|m| self.relevant(&m.payload)) {
                return Ok(());
            }
        }
    }

    fn relevant(&self, payload: &NetlinkPayload<RouteNetlinkMessage>) -> bool {
        match payload {
            NetlinkPayload::InnerMessage(msg) => match msg {
                RouteNetlinkMessage::NewAddress(a) | RouteNetlinkMessage::DelAddress(a) => {
                    tracing::debug!(index = a.header.index, "address event");
                    true
                }
                RouteNetlinkMessage::NewRoute(r) | RouteNetlinkMessage::DelRoute(r) => {
                    let default = r.header.destination_prefix_length == 0;
                    if self.routes && default {
                        tracing::debug!("default route event");
                    }
                    self.routes && default
                }
                _ => false,
            },
            NetlinkPayload::Overrun(_) => true,
            _ => false,
        }
    }
}

impl std::fmt::Debug for AddressWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressWatch")
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}
