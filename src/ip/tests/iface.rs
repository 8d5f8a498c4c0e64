//! Choosing an address from realistic kernel address lists (as `ip -6 addr` shows them).

use std::net::IpAddr;

use crate::ip::Family;
use crate::ip::filter::Scope;
use crate::ip::iface::{AddrFlags, ChooseError, IfAddr, choose};

const PERMANENT: u32 = 0x80;
const TEMPORARY: u32 = 0x01;
const DEPRECATED: u32 = 0x20;
const TENTATIVE: u32 = 0x40;
const DADFAILED: u32 = 0x08;
const MNGTMPADDR: u32 = 0x100;
const NOPREFIXROUTE: u32 = 0x200;
const STABLE_PRIVACY: u32 = 0x800;

/// One address: `("eth0", "2a01:4f8:1:2::10/64", flags, preferred_lft)`; valid = preferred + 1 h.
fn addr(ifname: &str, cidr: &str, flags: u32, preferred: Option<u32>) -> IfAddr {
    let (ip, len) = cidr.split_once('/').unwrap();
    let ip: IpAddr = ip.parse().unwrap();
    IfAddr {
        ifname: ifname.into(),
        index: if ifname == "lo" { 1 } else { 2 },
        addr: ip,
        prefix_len: len.parse().unwrap(),
        flags: AddrFlags::from_bits(Family::of(ip), flags),
        valid_lft: preferred.map(|p| p.saturating_add(3600)),
        preferred_lft: preferred,
    }
}

/// A home router's WAN side: loopback, a DHCPv4 LAN address, SLAAC with privacy extensions.
fn typical() -> Vec<IfAddr> {
    vec![
        addr("lo", "127.0.0.1/8", PERMANENT, None),
        addr("lo", "::1/128", PERMANENT, None),
        addr("eth0", "192.168.1.23/24", 0, Some(80_000)),
        addr(
            "eth0",
            "2a01:4f8:1:2:1c2d:3e4f:5a6b:7c8d/64",
            TEMPORARY,
            Some(3_000),
        ),
        addr(
            "eth0",
            "2a01:4f8:1:2:21e:6ff:fe11:2233/64",
            MNGTMPADDR,
            Some(14_000),
        ),
        addr(
            "eth0",
            "2a01:4f8:9:9:21e:6ff:fe11:2233/64",
            DEPRECATED | MNGTMPADDR,
            Some(0),
        ),
        addr("eth0", "2a01:4f8:1:2::dead/128", TENTATIVE, Some(90_000)),
        addr(
            "eth0",
            "fd00::21e:6ff:fe11:2233/64",
            MNGTMPADDR,
            Some(90_000),
        ),
        addr("eth0", "fe80::21e:6ff:fe11:2233/64", PERMANENT, None),
    ]
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn the_stable_slaac_address_not_the_temporary_one() {
    let got = choose(&typical(), Family::V6, None, &[]);
    assert_eq!(got, Ok(ip("2a01:4f8:1:2:21e:6ff:fe11:2233")));
    let named = choose(&typical(), Family::V6, Some("eth0"), &[]);
    assert_eq!(named, Ok(ip("2a01:4f8:1:2:21e:6ff:fe11:2233")));
}

#[test]
fn static_beats_slaac_beats_dhcpv6() {
    let mut list = typical();
    list.push(addr(
        "eth0",
        "2a01:4f8:1:2::77/128",
        NOPREFIXROUTE,
        Some(200_000),
    ));
    // DHCPv6 (/128, dynamic) loses to SLAAC even with a longer preferred lifetime.
    assert_eq!(
        choose(&list, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:2:21e:6ff:fe11:2233"))
    );
    list.push(addr("eth0", "2a01:4f8:1:2::10/64", PERMANENT, None));
    assert_eq!(
        choose(&list, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:2::10"))
    );
    // DHCPv6 alone is still chosen.
    let dhcp_only = vec![
        addr("eth0", "fe80::1/64", PERMANENT, None),
        addr("eth0", "2a01:4f8:1:2::77/128", NOPREFIXROUTE, Some(200)),
    ];
    assert_eq!(
        choose(&dhcp_only, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:2::77"))
    );
}

#[test]
fn longest_preferred_lifetime_then_a_stable_tie_break() {
    let list = vec![
        addr("eth0", "2a01:4f8:1:2::a/64", STABLE_PRIVACY, Some(100)),
        addr("eth0", "2a01:4f8:1:3::b/64", STABLE_PRIVACY, Some(5_000)),
        addr("eth1", "2a01:4f8:1:4::c/64", STABLE_PRIVACY, Some(300)),
    ];
    assert_eq!(
        choose(&list, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:3::b"))
    );
    // Equal ranks: the interface name, then the address, whatever the kernel's order.
    let tied = vec![
        addr("eth1", "2a01:4f8:1:4::c/64", MNGTMPADDR, Some(300)),
        addr("eth0", "2a01:4f8:1:2::b/64", MNGTMPADDR, Some(300)),
        addr("eth0", "2a01:4f8:1:2::a/64", MNGTMPADDR, Some(300)),
    ];
    let mut reversed = tied.clone();
    reversed.reverse();
    assert_eq!(
        choose(&tied, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:2::a"))
    );
    assert_eq!(
        choose(&reversed, Family::V6, None, &[]),
        Ok(ip("2a01:4f8:1:2::a"))
    );
}

#[test]
fn a_named_interface_and_an_unknown_one() {
    let mut list = typical();
    list.push(addr("wg0", "2a01:4f8:aaaa::1/64", PERMANENT, None));
    list.push(addr("wg0", "10.8.0.1/24", PERMANENT, None));
    assert_eq!(
        choose(&list, Family::V6, Some("eth0"), &[]),
        Ok(ip("2a01:4f8:1:2:21e:6ff:fe11:2233"))
    );
    assert_eq!(
        choose(&list, Family::V6, Some("wg0"), &[]),
        Ok(ip("2a01:4f8:aaaa::1"))
    );
    let err = choose(&list, Family::V6, Some("eth9"), &[]).unwrap_err();
    assert_eq!(
        err,
        ChooseError::UnknownInterface {
            name: "eth9".into(),
            known: vec!["eth0".into(), "lo".into(), "wg0".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "no interface \"eth9\" with addresses (interfaces with addresses: eth0, lo, wg0)"
    );
}

#[test]
fn a_lan_address_is_refused_with_the_reason_unless_allowed() {
    let err = choose(&typical(), Family::V4, None, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "192.168.1.23 is a private address (RFC 1918); \
         set allow = [\"private\"] on the record to publish it"
    );
    assert_eq!(
        choose(&typical(), Family::V4, None, &[Scope::Private]),
        Ok(ip("192.168.1.23"))
    );
    // A public address wins over an allowed private one.
    let mut list = typical();
    list.push(addr("ppp0", "203.0.113.45/32", 0, None));
    list.push(addr("ppp0", "81.2.69.160/32", 0, None));
    assert_eq!(
        choose(
            &list,
            Family::V4,
            None,
            &[Scope::Private, Scope::Documentation]
        ),
        Ok(ip("81.2.69.160"))
    );
}

#[test]
fn ula_only_is_refused_and_link_local_is_never_chosen() {
    let list = vec![
        addr("eth0", "fe80::1/64", PERMANENT, None),
        addr("eth0", "fd00::1/64", MNGTMPADDR, Some(1000)),
    ];
    assert!(matches!(
        choose(&list, Family::V6, None, &[]),
        Err(ChooseError::Refused(r)) if r.len() == 1 && r[0].scope == Scope::UniqueLocal
    ));
    assert_eq!(
        choose(&list, Family::V6, None, &[Scope::UniqueLocal]),
        Ok(ip("fd00::1"))
    );
    let ll_only = vec![addr("eth0", "fe80::1/64", PERMANENT, None)];
    assert!(matches!(
        choose(&ll_only, Family::V6, None, &[Scope::LinkLocal]),
        Err(ChooseError::NoAddress { .. })
    ));
}

#[test]
fn nothing_usable_says_what_was_skipped() {
    let list = vec![
        addr("lo", "::1/128", PERMANENT, None),
        addr("eth0", "fe80::1/64", PERMANENT, None),
        addr("eth0", "2a01:4f8:1:2::1/64", TEMPORARY, Some(100)),
        addr("eth0", "2a01:4f8:1:2::2/64", DEPRECATED, Some(0)),
        addr("eth0", "2a01:4f8:1:2::3/64", TENTATIVE, Some(100)),
        addr(
            "eth0",
            "2a01:4f8:1:2::4/64",
            DADFAILED | TENTATIVE,
            Some(100),
        ),
        addr("eth0", "2a01:4f8:1:2::5/64", 0, Some(0)),
    ];
    let err = choose(&list, Family::V6, None, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no usable IPv6 address (skipped: ::1 is loopback, \
         fe80::1 is link-local or not unicast, 2a01:4f8:1:2::1 is temporary, \
         2a01:4f8:1:2::2 is deprecated, 2a01:4f8:1:2::3 is tentative, \
         2a01:4f8:1:2::4 failed duplicate address detection, 2a01:4f8:1:2::5 is deprecated)"
    );
    // Only loopback for IPv4: no address, not a refusal to explain.
    let lo = vec![addr("lo", "127.0.0.1/8", PERMANENT, None)];
    assert!(matches!(
        choose(&lo, Family::V4, None, &[]),
        Err(ChooseError::NoAddress {
            family: Family::V4,
            ..
        })
    ));
    // ...unless the loopback interface was asked for by name.
    assert!(matches!(
        choose(&lo, Family::V4, Some("lo"), &[]),
        Err(ChooseError::Refused(_))
    ));
}

#[test]
fn ipv4_primary_before_secondary() {
    let list = vec![
        addr("eth0", "81.2.69.161/24", 0x01 | PERMANENT, None),
        addr("eth0", "81.2.69.162/24", PERMANENT, None),
    ];
    assert_eq!(choose(&list, Family::V4, None, &[]), Ok(ip("81.2.69.162")));
}

#[test]
fn flags_decode_per_family() {
    let v6 = AddrFlags::from_bits(Family::V6, 0x01 | 0x100 | 0x80);
    assert!(v6.temporary && v6.mngtmpaddr && v6.permanent && !v6.secondary);
    let v4 = AddrFlags::from_bits(Family::V4, 0x01);
    assert!(v4.secondary && !v4.temporary);
    let all = AddrFlags::from_bits(Family::V6, 0xffe);
    assert!(
        all.nodad
            && all.optimistic
            && all.dad_failed
            && all.homeaddress
            && all.deprecated
            && all.tentative
            && all.permanent
            && all.mngtmpaddr
            && all.noprefixroute
            && all.mcautojoin
            && all.stable_privacy
    );
    assert_eq!(AddrFlags::from_bits(Family::V6, 0), AddrFlags::default());
}
