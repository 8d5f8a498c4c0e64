//! Choosing the address to publish from the kernel's address list, by its flags (sans-IO).
//!
//! A host has many IPv6 addresses and most are wrong for DNS: link-local ones, RFC 8981
//! temporary (privacy) addresses that change daily, deprecated ones whose prefix is being
//! withdrawn, tentative ones still in duplicate address detection (RFC 4862 section 5.4). The
//! kernel says which is which in `IFA_FLAGS` and the lifetimes in `IFA_CACHEINFO`; [`choose`]
//! uses them to pick a stable address, and explains when there is none.

use std::cmp::Reverse;
use std::fmt;
use std::net::IpAddr;

use super::Family;
use super::filter::{Refusal, Scope, check_publishable, classify};

/// One address of one interface, as the kernel reports it (`RTM_NEWADDR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfAddr {
    /// The interface name (`eth0`).
    pub ifname: String,
    /// The interface index.
    pub index: u32,
    /// The address.
    pub addr: IpAddr,
    /// The prefix length of the on-link network.
    pub prefix_len: u8,
    /// `IFA_FLAGS`.
    pub flags: AddrFlags,
    /// Seconds the address stays valid; `None` is forever.
    pub valid_lft: Option<u32>,
    /// Seconds the address stays preferred; `None` is forever.
    pub preferred_lft: Option<u32>,
}

/// The address flags of `linux/if_addr.h` (`IFA_F_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AddrFlags {
    /// IPv6: an RFC 8981 temporary (privacy) address (`IFA_F_TEMPORARY`).
    pub temporary: bool,
    /// IPv4: a secondary address of its subnet (`IFA_F_SECONDARY`, the same bit as temporary).
    pub secondary: bool,
    /// Duplicate address detection is off for it (`IFA_F_NODAD`).
    pub nodad: bool,
    /// Usable during duplicate address detection, RFC 4429 (`IFA_F_OPTIMISTIC`).
    pub optimistic: bool,
    /// Duplicate address detection failed: someone else has it (`IFA_F_DADFAILED`).
    pub dad_failed: bool,
    /// Mobile IPv6 home address (`IFA_F_HOMEADDRESS`).
    pub homeaddress: bool,
    /// Its preferred lifetime is over; kept only for existing connections (`IFA_F_DEPRECATED`).
    pub deprecated: bool,
    /// Duplicate address detection is still running (`IFA_F_TENTATIVE`).
    pub tentative: bool,
    /// Configured by an administrator, not by SLAAC or DHCP (`IFA_F_PERMANENT`).
    pub permanent: bool,
    /// The SLAAC address temporary addresses are made from (`IFA_F_MANAGETEMPADDR`).
    pub mngtmpaddr: bool,
    /// No prefix route was added for it (`IFA_F_NOPREFIXROUTE`).
    pub noprefixroute: bool,
    /// Joined to multicast automatically (`IFA_F_MCAUTOJOIN`).
    pub mcautojoin: bool,
    /// An RFC 7217 stable-privacy SLAAC address (`IFA_F_STABLE_PRIVACY`).
    pub stable_privacy: bool,
}

impl AddrFlags {
    /// Decode `IFA_FLAGS` (or the 8-bit `ifa_flags` of the header) for an address of `family`.
    pub fn from_bits(family: Family, bits: u32) -> AddrFlags {
        let has = |bit: u32| bits & bit != 0;
        AddrFlags {
            temporary: family == Family::V6 && has(0x01),
            secondary: family == Family::V4 && has(0x01),
            nodad: has(0x02),
            optimistic: has(0x04),
            dad_failed: has(0x08),
            homeaddress: has(0x10),
            deprecated: has(0x20),
            tentative: has(0x40),
            permanent: has(0x80),
            mngtmpaddr: has(0x100),
            noprefixroute: has(0x200),
            mcautojoin: has(0x400),
            stable_privacy: has(0x800),
        }
    }
}

/// Why [`choose`] found nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChooseError {
    /// No address at all on an interface of that name: it does not exist or is unconfigured.
    #[error("no interface {name:?} with addresses (interfaces with addresses: {})", list(.known))]
    UnknownInterface {
        /// The name asked for.
        name: String,
        /// The interfaces that have addresses.
        known: Vec<String>,
    },
    /// No address of the family that could ever be published; `skipped` says what was seen.
    /// Sources report this as "no address of this family".
    #[error("no usable {family} address{}{}", on(.interface), skipped_list(.skipped))]
    NoAddress {
        /// The family asked for.
        family: Family,
        /// The interface asked for.
        interface: Option<String>,
        /// Addresses passed over for their flags, lifetimes or scope, with the reason.
        skipped: Vec<(IpAddr, &'static str)>,
    },
    /// Candidates exist but their scope is not allowed (a LAN address behind NAT, a ULA).
    #[error("{}", refusals(.0))]
    Refused(Vec<Refusal>),
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn on(interface: &Option<String>) -> String {
    interface
        .as_ref()
        .map(|i| format!(" on {i}"))
        .unwrap_or_default()
}

fn skipped_list(skipped: &[(IpAddr, &'static str)]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let items: Vec<_> = skipped
        .iter()
        .map(|(ip, why)| format!("{ip} {why}"))
        .collect();
    format!(" (skipped: {})", items.join(", "))
}

fn refusals(refused: &[Refusal]) -> String {
    let items: Vec<_> = refused.iter().map(Refusal::to_string).collect();
    items.join("; ")
}

/// Why an address can never be chosen, whatever `allow` says; `None` if it is a candidate.
fn unusable(a: &IfAddr) -> Option<&'static str> {
    let f = &a.flags;
    let scope = classify(a.addr);
    Some(if f.temporary {
        "is temporary"
    } else if f.deprecated || a.preferred_lft == Some(0) {
        "is deprecated"
    } else if f.dad_failed {
        "failed duplicate address detection"
    } else if f.tentative {
        "is tentative"
    } else if a.valid_lft == Some(0) {
        "has expired"
    } else if !scope.can_be_allowed() {
        "is link-local or not unicast"
    } else {
        return None;
    })
}

/// How the address was configured, best first: static, SLAAC (stable), then anything else
/// dynamic (DHCPv6 and DHCPv4 leases, other daemons).
///
/// The kernel marks only administrator-configured addresses `IFA_F_PERMANENT`. SLAAC addresses
/// are /64 with lifetimes (the kernel's carry `mngtmpaddr` or `stable-privacy`; NetworkManager's
/// own SLAAC sets neither); DHCPv6 clients install /128s.
fn origin_rank(a: &IfAddr) -> u8 {
    let f = &a.flags;
    if f.permanent {
        0
    } else if a.addr.is_ipv6() && (f.mngtmpaddr || f.stable_privacy || a.prefix_len == 64) {
        1
    } else {
        2
    }
}

/// Choose the address of `family` to publish, on `interface` (any interface if `None`).
///
/// Never chosen: temporary, deprecated, tentative, DAD-failed or expired addresses; link-local,
/// multicast and unspecified ones. Addresses whose scope is neither public nor in `allow` are
/// refused, and explained if nothing else is left. Among the rest, in order: public before
/// allowed special scopes; static before SLAAC before DHCP; IPv4 primary before secondary;
/// the longest preferred lifetime; then interface name and address, so the choice is the same
/// whatever order the kernel lists them in.
pub fn choose(
    addrs: &[IfAddr],
    family: Family,
    interface: Option<&str>,
    allow: &[Scope],
) -> Result<IpAddr, ChooseError> {
    choose_addr(addrs, family, interface, allow).map(|a| a.addr)
}

/// [`choose`], returning the whole entry (its interface, prefix length and flags).
pub fn choose_addr<'a>(
    addrs: &'a [IfAddr],
    family: Family,
    interface: Option<&str>,
    allow: &[Scope],
) -> Result<&'a IfAddr, ChooseError> {
    if let Some(name) = interface
        && !addrs.iter().any(|a| a.ifname == name)
    {
        let mut known: Vec<String> = addrs.iter().map(|a| a.ifname.clone()).collect();
        known.sort();
        known.dedup();
        return Err(ChooseError::UnknownInterface {
            name: name.to_string(),
            known,
        });
    }
    let mut skipped = Vec::new();
    let mut refused = Vec::new();
    let mut candidates = Vec::new();
    let wanted = addrs
        .iter()
        .filter(|a| Family::of(a.addr) == family && interface.is_none_or(|name| a.ifname == name));
    for a in wanted {
        if let Some(why) = unusable(a) {
            skipped.push((a.addr, why));
        } else if let Err(refusal) = check_publishable(a.addr, allow) {
            // Loopback is on every host: refusing it is not news unless it was asked for.
            if refusal.scope == Scope::Loopback && interface.is_none() {
                skipped.push((a.addr, "is loopback"));
            } else {
                refused.push(refusal);
            }
        } else {
            candidates.push(a);
        }
    }
    let best = candidates.into_iter().min_by_key(|a| {
        (
            classify(a.addr) != Scope::Public,
            origin_rank(a),
            a.flags.secondary,
            Reverse(a.preferred_lft.unwrap_or(u32::MAX)),
            a.ifname.as_str(),
            a.addr,
        )
    });
    match best {
        Some(a) => Ok(a),
        None if !refused.is_empty() => Err(ChooseError::Refused(refused)),
        None => Err(ChooseError::NoAddress {
            family,
            interface: interface.map(str::to_string),
            skipped,
        }),
    }
}

impl fmt::Display for IfAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} on {}", self.addr, self.prefix_len, self.ifname)
    }
}
