//! `RTM_NEWADDR` messages as the kernel sends them (annotated bytes) -> `IfAddr`.

use std::collections::HashMap;

use netlink_packet_core::NetlinkPayload;
use netlink_packet_route::RouteNetlinkMessage;

use crate::ip::iface::IfAddr;
use crate::ip::netlink::{messages, to_ifaddr};

fn parse(bytes: &[u8], names: &HashMap<u32, String>) -> Vec<IfAddr> {
    messages(bytes)
        .unwrap()
        .into_iter()
        .filter_map(|m| match m.payload {
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewAddress(a)) => {
                to_ifaddr(&a, names)
            }
            _ => None,
        })
        .collect()
}

/// A SLAAC address on eth0 (index 2), as `ip monitor` would show it.
const SLAAC: &[u8] = &[
    72, 0, 0, 0, // nlmsg_len 72
    20, 0, // nlmsg_type RTM_NEWADDR
    0, 0, // nlmsg_flags
    0, 0, 0, 0, // nlmsg_seq
    0, 0, 0, 0,  // nlmsg_pid (the kernel)
    10, // ifa_family AF_INET6
    64, // ifa_prefixlen
    0,  // ifa_flags (low 8 bits; the full set is in IFA_FLAGS)
    0,  // ifa_scope RT_SCOPE_UNIVERSE
    2, 0, 0, 0, // ifa_index 2
    20, 0, 1, 0, // IFA_ADDRESS, 16 bytes
    0x2a, 0x01, 0x04, 0xf8, 0x00, 0x01, 0x00, 0x02, // 2a01:4f8:1:2:
    0x02, 0x1e, 0x06, 0xff, 0xfe, 0x11, 0x22, 0x33, // 21e:6ff:fe11:2233
    20, 0, 6, 0, // IFA_CACHEINFO
    0xb0, 0x36, 0, 0, // ifa_prefered 14000 s
    0xc0, 0xd4, 0x01, 0, // ifa_valid 120000 s
    0x10, 0, 0, 0, // cstamp
    0x20, 0, 0, 0, // tstamp
    8, 0, 8, 0, // IFA_FLAGS
    0x00, 0x01, 0, 0, // IFA_F_MANAGETEMPADDR
];

/// A PPPoE address: IFA_LOCAL is ours, IFA_ADDRESS is the peer's; the label names it.
const PPP: &[u8] = &[
    52, 0, 0, 0, // nlmsg_len 52
    20, 0, // nlmsg_type RTM_NEWADDR
    0, 0, // nlmsg_flags
    0, 0, 0, 0, // nlmsg_seq
    0, 0, 0, 0,    // nlmsg_pid
    2,    // ifa_family AF_INET
    32,   // ifa_prefixlen
    0x80, // ifa_flags IFA_F_PERMANENT (no IFA_FLAGS attribute: the header is used)
    0,    // ifa_scope
    7, 0, 0, 0, // ifa_index 7
    8, 0, 1, 0, // IFA_ADDRESS (the peer)
    81, 2, 69, 1, //
    8, 0, 2, 0, // IFA_LOCAL (us)
    81, 2, 69, 160, //
    9, 0, 3, 0, // IFA_LABEL "ppp0\0"
    b'p', b'p', b'p', b'0', 0, 0, 0, 0, // (padded to 4)
];

#[test]
fn an_ipv6_slaac_address_with_flags_and_lifetimes() {
    let names = HashMap::from([(2, "eth0".to_string())]);
    let got = parse(SLAAC, &names);
    assert_eq!(got.len(), 1);
    let a = &got[0];
    assert_eq!(a.ifname, "eth0");
    assert_eq!(a.index, 2);
    assert_eq!(
        a.addr,
        "2a01:4f8:1:2:21e:6ff:fe11:2233"
            .parse::<std::net::IpAddr>()
            .unwrap()
    );
    assert_eq!(a.prefix_len, 64);
    assert!(a.flags.mngtmpaddr && !a.flags.permanent && !a.flags.temporary);
    assert_eq!(a.preferred_lft, Some(14_000));
    assert_eq!(a.valid_lft, Some(120_000));
}

#[test]
fn a_point_to_point_ipv4_address_is_the_local_one() {
    // The link dump did not name index 7 (it appeared in between): the label does.
    let got = parse(PPP, &HashMap::new());
    assert_eq!(got.len(), 1);
    let a = &got[0];
    assert_eq!(a.ifname, "ppp0");
    assert_eq!(a.addr, "81.2.69.160".parse::<std::net::IpAddr>().unwrap());
    assert!(a.flags.permanent && !a.flags.secondary);
    assert_eq!((a.valid_lft, a.preferred_lft), (None, None));
}

#[test]
fn several_messages_in_one_datagram() {
    let mut datagram = SLAAC.to_vec();
    datagram.extend_from_slice(PPP);
    let names = HashMap::from([(2, "eth0".to_string()), (7, "ppp0".to_string())]);
    let got = parse(&datagram, &names);
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].ifname.as_str(), got[1].ifname.as_str()),
        ("eth0", "ppp0")
    );
    // Unnamed and unlabelled: a made-up name rather than nothing.
    let unnamed = parse(SLAAC, &HashMap::new());
    assert_eq!(unnamed[0].ifname, "if2");
}

#[test]
fn a_truncated_datagram_is_an_error_not_a_panic() {
    for cut in [1, 10, 20, 30, 50, 71] {
        let _ = messages(&SLAAC[..cut]);
    }
    assert!(messages(&SLAAC[..30]).is_err());
}
