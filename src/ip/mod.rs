//! Address detection: how the daemon learns the address it should publish.
//!
//! The pieces, from pure to I/O:
//!
//! - [`filter`]: which registry of RFC 6890 an address belongs to ([`classify`]) and whether it
//!   may be published ([`check_publishable`]): private, CGNAT, ULA, link-local, documentation and
//!   the other special-purpose ranges are refused unless a record allows them.
//! - [`agree`]: K-of-N agreement between independent sources ([`decide`]), so that one wrong or
//!   hijacked echo service cannot move a record by itself.
//! - [`iface`]: choosing one address from the kernel's list by its flags ([`choose`]): never a
//!   temporary, deprecated or tentative IPv6 address.
//! - [`suffix`]: an IPv6 prefix joined with a fixed or EUI-64 host part, for records of other
//!   hosts on the LAN ([`compose`]).
//! - [`netlink`] (tokio): the kernel's address list ([`dump_addresses`]) and its change events
//!   ([`AddressWatch`]).
//! - [`source`] (tokio): the configurable sources ([`SourceSpec`]): HTTPS and DNS echo services,
//!   interfaces, a command, a static address, a prefix + suffix ([`detect`]).
//!
//! Everything above [`netlink`] and [`source`] is sans-IO: input in, decision out.

pub mod agree;
pub mod filter;
pub mod iface;
pub mod netlink;
pub mod source;
pub mod suffix;

pub(crate) mod text;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

pub use agree::{Decision, Vote, decide, default_quorum};
pub use filter::{Refusal, Scope, check_publishable, classify};
pub use iface::{AddrFlags, ChooseError, IfAddr, choose};
pub use netlink::{AddressWatch, dump_addresses};
pub use source::{DnsEcho, SourceError, SourceErrorKind, SourceSpec, describe, detect};
pub use suffix::{Suffix, compose};

/// An address family: which record type an address goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Family {
    /// IPv4, published as A records.
    #[serde(rename = "ipv4")]
    V4,
    /// IPv6, published as AAAA records.
    #[serde(rename = "ipv6")]
    V6,
}

impl Family {
    /// The family of `ip`. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is IPv6: it is what
    /// was written, and [`classify`] refuses it.
    pub fn of(ip: IpAddr) -> Family {
        match ip {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    /// `"IPv4"` or `"IPv6"`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }

    /// The record type holding addresses of this family: `"A"` or `"AAAA"`.
    pub fn record_type(self) -> &'static str {
        match self {
            Family::V4 => "A",
            Family::V6 => "AAAA",
        }
    }

    /// `0.0.0.0` or `::`: the wildcard a socket binds to in order to use only this family.
    pub fn unspecified(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            Family::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
