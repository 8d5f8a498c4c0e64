//! IPv6 addresses of other hosts on the LAN: this host's delegated prefix joined with a host
//! part that does not change when the ISP renumbers the prefix.
//!
//! The host part is either fixed (`::1234:5678`, for hosts with a static interface identifier,
//! RFC 7136) or derived from a MAC address as a modified EUI-64 interface identifier (RFC 4291
//! section 2.5.1 and appendix A; RFC 2464 section 4 for Ethernet).

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The host part of a composed address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suffix {
    /// These low bits, written as an IPv6 address: `::1234:5678`.
    Fixed(Ipv6Addr),
    /// The modified EUI-64 interface identifier of this 48-bit MAC address.
    Eui64([u8; 6]),
}

/// A suffix that does not fit its prefix length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SuffixError {
    /// The text is neither an IPv6 address nor a MAC address.
    #[error(
        "{0:?} is neither an IPv6 host suffix like \"::1234\" nor a MAC address like \"aa:bb:cc:dd:ee:ff\""
    )]
    Syntax(String),
    /// A prefix length over 128.
    #[error("prefix length {0} is over 128")]
    PrefixLength(u8),
    /// An EUI-64 identifier is 64 bits: the prefix must be /64 or shorter (RFC 4291 2.5.1).
    #[error("an EUI-64 suffix needs a prefix of /64 or shorter, not /{0}")]
    Eui64PrefixTooLong(u8),
    /// Bits of a fixed suffix fall inside the prefix and would be overwritten.
    #[error("suffix {suffix} has bits inside the /{prefix_len} prefix")]
    Overlap {
        /// The suffix.
        suffix: Ipv6Addr,
        /// The prefix length.
        prefix_len: u8,
    },
}

impl Suffix {
    /// The 128-bit host part: the fixed bits, or the EUI-64 identifier in the low 64 bits.
    pub fn bits(&self) -> u128 {
        match self {
            Suffix::Fixed(ip) => u128::from(*ip),
            Suffix::Eui64(mac) => u128::from(u64::from_be_bytes(eui64(mac))),
        }
    }

    /// Check that the suffix fits a prefix of `prefix_len` bits, for configuration checks.
    pub fn check(&self, prefix_len: u8) -> Result<(), SuffixError> {
        if prefix_len > 128 {
            return Err(SuffixError::PrefixLength(prefix_len));
        }
        match self {
            Suffix::Eui64(_) if prefix_len > 64 => Err(SuffixError::Eui64PrefixTooLong(prefix_len)),
            Suffix::Fixed(ip) if u128::from(*ip) & prefix_mask(prefix_len) != 0 => {
                Err(SuffixError::Overlap {
                    suffix: *ip,
                    prefix_len,
                })
            }
            _ => Ok(()),
        }
    }
}

/// The modified EUI-64 interface identifier of a MAC: insert `ff:fe` in the middle and invert
/// the universal/local bit (RFC 4291 appendix A).
pub fn eui64(mac: &[u8; 6]) -> [u8; 8] {
    [
        mac[0] ^ 0x02,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ]
}

fn prefix_mask(prefix_len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix_len.min(128)))
        .unwrap_or(0)
}

/// The first `prefix_len` bits of `prefix_source` followed by the host bits of `suffix`.
/// Suffix bits inside the prefix are ignored ([`Suffix::check`] reports them); a prefix length
/// over 128 counts as 128.
pub fn compose(prefix_source: Ipv6Addr, prefix_len: u8, suffix: &Suffix) -> Ipv6Addr {
    let mask = prefix_mask(prefix_len);
    Ipv6Addr::from((u128::from(prefix_source) & mask) | (suffix.bits() & !mask))
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let sep = if s.contains('-') { '-' } else { ':' };
    let mut mac = [0u8; 6];
    let mut parts = s.split(sep);
    for byte in &mut mac {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

impl FromStr for Suffix {
    type Err = SuffixError;

    /// `"::1234"` (any IPv6 address: its low bits) or `"aa:bb:cc:dd:ee:ff"` / `"aa-bb-..."`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(mac) = parse_mac(s) {
            return Ok(Suffix::Eui64(mac));
        }
        s.parse::<Ipv6Addr>()
            .map(Suffix::Fixed)
            .map_err(|_| SuffixError::Syntax(s.to_string()))
    }
}

impl fmt::Display for Suffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Suffix::Fixed(ip) => write!(f, "{ip}"),
            Suffix::Eui64(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
        }
    }
}

impl Serialize for Suffix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Suffix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
