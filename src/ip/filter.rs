//! Which addresses may be published: the IANA special-purpose address registries (RFC 6890 and
//! the RFCs that updated them: RFC 7723, 8155, 8190, 8215, 9602, 9637, 9665).
//!
//! A DDNS updater that publishes whatever a source says puts `192.168.1.5` or a CGNAT address in
//! public DNS the day a router or an echo service misbehaves. [`classify`] names the registry an
//! address falls in; [`check_publishable`] refuses every [`Scope`] but [`Scope::Public`] unless the
//! record lists it in `allow`. The tables are ordered most specific first: exceptions such as
//! the PCP and TURN anycast addresses inside `192.0.0.0/24` come before their block.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The special-purpose registry an address belongs to. Names are those of the `allow` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Scope {
    /// Globally reachable unicast: the only scope published without `allow`.
    Public,
    /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918).
    Private,
    /// `100.64/10`, the shared address space of carrier-grade NAT (RFC 6598).
    #[serde(rename = "cgnat", alias = "shared-cgnat")]
    SharedCgnat,
    /// `127/8`, `::1` (RFC 1122, RFC 4291).
    Loopback,
    /// `169.254/16`, `fe80::/10` (RFC 3927, RFC 4291). Never publishable: it needs a zone index.
    LinkLocal,
    /// `fc00::/7` (RFC 4193).
    UniqueLocal,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24` (RFC 5737), `2001:db8::/32` (RFC 3849),
    /// `3fff::/20` (RFC 9637).
    Documentation,
    /// `198.18/15` (RFC 2544), `2001:2::/48` (RFC 5180).
    Benchmarking,
    /// `224/4`, `ff00::/8` (RFC 5771, RFC 4291). Never publishable.
    Multicast,
    /// `255.255.255.255` (RFC 919). Never publishable.
    Broadcast,
    /// `0.0.0.0`, `::`. Never publishable.
    Unspecified,
    /// `0/8` ("this network", RFC 791), `240/4` (RFC 1112), the deprecated 6to4 relay anycast
    /// `192.88.99/24` (RFC 7526), and all IPv6 outside `2000::/3` not listed elsewhere
    /// (site-local `fec0::/10`, SRv6 SIDs `5f00::/16`, unallocated space).
    Reserved,
    /// `64:ff9b::/96` and `64:ff9b:1::/48`: IPv4 addresses seen through NAT64 (RFC 6052, 8215).
    Nat64,
    /// `192.0.0/24` and `2001::/23`, the IETF protocol assignments (RFC 6890), except the
    /// globally reachable anycast and AS112 addresses inside them, which are [`Scope::Public`].
    ProtocolAssignments,
    /// `::ffff:0:0/96`, IPv4-mapped IPv6 addresses (RFC 4291 section 2.5.5.2).
    #[serde(rename = "ipv4-mapped")]
    Ipv4Mapped,
    /// `2001::/32`, Teredo tunnels (RFC 4380).
    Teredo,
    /// `2002::/16`, 6to4 tunnels (RFC 3056, deprecated by RFC 7526).
    #[serde(rename = "6to4")]
    SixToFour,
    /// `100::/64`, discard-only (RFC 6666).
    Discard,
}

impl Scope {
    /// Every scope, in declaration order.
    pub const ALL: [Scope; 18] = [
        Scope::Public,
        Scope::Private,
        Scope::SharedCgnat,
        Scope::Loopback,
        Scope::LinkLocal,
        Scope::UniqueLocal,
        Scope::Documentation,
        Scope::Benchmarking,
        Scope::Multicast,
        Scope::Broadcast,
        Scope::Unspecified,
        Scope::Reserved,
        Scope::Nat64,
        Scope::ProtocolAssignments,
        Scope::Ipv4Mapped,
        Scope::Teredo,
        Scope::SixToFour,
        Scope::Discard,
    ];

    /// The name used in `allow` lists (the serde name).
    pub fn name(self) -> &'static str {
        match self {
            Scope::Public => "public",
            Scope::Private => "private",
            Scope::SharedCgnat => "cgnat",
            Scope::Loopback => "loopback",
            Scope::LinkLocal => "link-local",
            Scope::UniqueLocal => "unique-local",
            Scope::Documentation => "documentation",
            Scope::Benchmarking => "benchmarking",
            Scope::Multicast => "multicast",
            Scope::Broadcast => "broadcast",
            Scope::Unspecified => "unspecified",
            Scope::Reserved => "reserved",
            Scope::Nat64 => "nat64",
            Scope::ProtocolAssignments => "protocol-assignments",
            Scope::Ipv4Mapped => "ipv4-mapped",
            Scope::Teredo => "teredo",
            Scope::SixToFour => "6to4",
            Scope::Discard => "discard",
        }
    }

    /// "a private address (RFC 1918)": what an address of this scope is, for messages.
    pub fn description(self) -> &'static str {
        match self {
            Scope::Public => "a public address",
            Scope::Private => "a private address (RFC 1918)",
            Scope::SharedCgnat => "a carrier-grade NAT shared address (RFC 6598)",
            Scope::Loopback => "a loopback address",
            Scope::LinkLocal => "a link-local address (RFC 3927, RFC 4291)",
            Scope::UniqueLocal => "a unique local address (RFC 4193)",
            Scope::Documentation => "a documentation address (RFC 5737, RFC 3849, RFC 9637)",
            Scope::Benchmarking => "a benchmarking address (RFC 2544, RFC 5180)",
            Scope::Multicast => "a multicast address",
            Scope::Broadcast => "the limited broadcast address (RFC 919)",
            Scope::Unspecified => "the unspecified address",
            Scope::Reserved => "a reserved or unallocated address (RFC 6890)",
            Scope::Nat64 => "a NAT64 address (RFC 6052, RFC 8215)",
            Scope::ProtocolAssignments => "an IETF protocol assignment address (RFC 6890)",
            Scope::Ipv4Mapped => "an IPv4-mapped IPv6 address (RFC 4291)",
            Scope::Teredo => "a Teredo tunnel address (RFC 4380)",
            Scope::SixToFour => "a 6to4 tunnel address (RFC 3056, deprecated by RFC 7526)",
            Scope::Discard => "a discard-only address (RFC 6666)",
        }
    }

    /// False for scopes no `allow` can make publishable: an A/AAAA record holding one is
    /// useless to every resolver (link-local needs a zone index; the others are not unicast).
    pub fn can_be_allowed(self) -> bool {
        !matches!(
            self,
            Scope::LinkLocal | Scope::Multicast | Scope::Broadcast | Scope::Unspecified
        )
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "shared-cgnat" {
            return Ok(Scope::SharedCgnat);
        }
        Scope::ALL
            .into_iter()
            .find(|scope| scope.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Scope::ALL.iter().map(|s| s.name()).collect();
                format!("unknown address scope {s:?} (one of: {})", names.join(", "))
            })
    }
}

/// `(network, prefix length, scope)`, most specific first; no match is [`Scope::Public`].
const V4: &[(u32, u8, Scope)] = &[
    (0x0000_0000, 32, Scope::Unspecified),         // 0.0.0.0/32
    (0x0000_0000, 8, Scope::Reserved),             // 0.0.0.0/8 "this network"
    (0x0a00_0000, 8, Scope::Private),              // 10.0.0.0/8
    (0x6440_0000, 10, Scope::SharedCgnat),         // 100.64.0.0/10
    (0x7f00_0000, 8, Scope::Loopback),             // 127.0.0.0/8
    (0xa9fe_0000, 16, Scope::LinkLocal),           // 169.254.0.0/16
    (0xac10_0000, 12, Scope::Private),             // 172.16.0.0/12
    (0xc000_0009, 32, Scope::Public),              // 192.0.0.9/32 PCP anycast (RFC 7723)
    (0xc000_000a, 32, Scope::Public),              // 192.0.0.10/32 TURN anycast (RFC 8155)
    (0xc000_0000, 24, Scope::ProtocolAssignments), // 192.0.0.0/24
    (0xc000_0200, 24, Scope::Documentation),       // 192.0.2.0/24 TEST-NET-1
    (0xc058_6300, 24, Scope::Reserved),            // 192.88.99.0/24 6to4 relay (RFC 7526)
    (0xc0a8_0000, 16, Scope::Private),             // 192.168.0.0/16
    (0xc612_0000, 15, Scope::Benchmarking),        // 198.18.0.0/15
    (0xc633_6400, 24, Scope::Documentation),       // 198.51.100.0/24 TEST-NET-2
    (0xcb00_7100, 24, Scope::Documentation),       // 203.0.113.0/24 TEST-NET-3
    (0xe000_0000, 4, Scope::Multicast),            // 224.0.0.0/4
    (0xffff_ffff, 32, Scope::Broadcast),           // 255.255.255.255/32
    (0xf000_0000, 4, Scope::Reserved),             // 240.0.0.0/4
];

/// `(network, prefix length, scope)`, most specific first; no match is [`Scope::Reserved`]
/// (only `2000::/3` is allocated for global unicast).
const V6: &[(u128, u8, Scope)] = &[
    (0, 128, Scope::Unspecified),                        // ::/128
    (1, 128, Scope::Loopback),                           // ::1/128
    (0xffff_0000_0000, 96, Scope::Ipv4Mapped),           // ::ffff:0:0/96
    (0x0064_ff9b << 96, 96, Scope::Nat64),               // 64:ff9b::/96
    (0x0064_ff9b_0001 << 80, 48, Scope::Nat64),          // 64:ff9b:1::/48
    (0x0100 << 112, 64, Scope::Discard),                 // 100::/64
    ((0x2001_0001 << 96) | 1, 128, Scope::Public),       // 2001:1::1 PCP anycast
    ((0x2001_0001 << 96) | 2, 128, Scope::Public),       // 2001:1::2 TURN anycast
    ((0x2001_0001 << 96) | 3, 128, Scope::Public),       // 2001:1::3 DNS-SD SRP
    (0x2001_0002_0000 << 80, 48, Scope::Benchmarking),   // 2001:2::/48
    (0x2001_0003 << 96, 32, Scope::Public),              // 2001:3::/32 AMT
    (0x2001_0004_0112 << 80, 48, Scope::Public),         // 2001:4:112::/48 AS112-v6
    (0x2001_0020 << 96, 28, Scope::Public),              // 2001:20::/28 ORCHIDv2
    (0x2001_0030 << 96, 28, Scope::Public),              // 2001:30::/28 DRIP DETs
    (0x2001_0000 << 96, 32, Scope::Teredo),              // 2001::/32
    (0x2001_0000 << 96, 23, Scope::ProtocolAssignments), // 2001::/23
    (0x2001_0db8 << 96, 32, Scope::Documentation),       // 2001:db8::/32
    (0x2002 << 112, 16, Scope::SixToFour),               // 2002::/16
    (0x3fff << 112, 20, Scope::Documentation),           // 3fff::/20
    (0x2000 << 112, 3, Scope::Public),                   // 2000::/3
    (0xfc00 << 112, 7, Scope::UniqueLocal),              // fc00::/7
    (0xfe80 << 112, 10, Scope::LinkLocal),               // fe80::/10
    (0xff00 << 112, 8, Scope::Multicast),                // ff00::/8
];

/// The special-purpose registry `ip` belongs to.
pub fn classify(ip: IpAddr) -> Scope {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// [`classify`] for IPv4.
pub fn classify_v4(ip: Ipv4Addr) -> Scope {
    let bits = u32::from(ip);
    V4.iter()
        .find(|&&(net, len, _)| bits & mask32(len) == net)
        .map_or(Scope::Public, |&(_, _, scope)| scope)
}

/// [`classify`] for IPv6.
pub fn classify_v6(ip: Ipv6Addr) -> Scope {
    let bits = u128::from(ip);
    V6.iter()
        .find(|&&(net, len, _)| bits & mask128(len) == net)
        .map_or(Scope::Reserved, |&(_, _, scope)| scope)
}

fn mask32(len: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
}

fn mask128(len: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0)
}

/// An address that may not be published, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{ip} is {}; {}", .scope.description(), advice(*.scope))]
pub struct Refusal {
    /// The refused address.
    pub ip: IpAddr,
    /// Its registry.
    pub scope: Scope,
}

fn advice(scope: Scope) -> String {
    if scope.can_be_allowed() {
        format!(
            "set allow = [\"{}\"] on the record to publish it",
            scope.name()
        )
    } else {
        "it cannot be published".to_string()
    }
}

/// Ok if `ip` is public, or its scope is in `allow` and can be allowed at all.
pub fn check_publishable(ip: IpAddr, allow: &[Scope]) -> Result<(), Refusal> {
    let scope = classify(ip);
    if scope == Scope::Public || (scope.can_be_allowed() && allow.contains(&scope)) {
        Ok(())
    } else {
        Err(Refusal { ip, scope })
    }
}
