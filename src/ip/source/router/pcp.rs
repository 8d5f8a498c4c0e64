//! PCP (RFC 6887): the ANNOUNCE request (section 14.1), a short-lived MAP (section 11) whose
//! answer carries the external address, the answers, and the unsolicited ANNOUNCE a router
//! multicasts to 224.0.0.1:5350 after a change (section 14.1.3). Sans-IO: bytes in, values out.
//!
//! PCP has no "what is my address" request: ANNOUNCE answers with an epoch only. The address
//! comes from a MAP answer's "assigned external IP address". dnsup asks for a UDP mapping of
//! its own (closed) query port with a short lifetime and deletes it at once (lifetime 0): the
//! cost is two round trips and a mapping that lives a few milliseconds.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// PCP's version number.
pub const VERSION: u8 = 2;
/// ANNOUNCE opcode.
pub const OP_ANNOUNCE: u8 = 0;
/// MAP opcode.
pub const OP_MAP: u8 = 1;
/// UDP's protocol number, for the mapping dnsup asks for.
pub const PROTO_UDP: u8 = 17;
/// The largest PCP message (section 7).
pub const MAX_MESSAGE: usize = 1100;
/// Header length of a request and an answer.
const HEADER: usize = 24;
/// MAP payload length.
const MAP: usize = 36;

/// An ANNOUNCE request from `client` (the address the router sees the request come from).
pub fn announce_request(client: Ipv4Addr) -> Vec<u8> {
    header(OP_ANNOUNCE, 0, client)
}

/// A MAP request for UDP `port` of `client`, with `lifetime` seconds (0 deletes it) and the
/// `nonce` the answer must echo.
pub fn map_request(client: Ipv4Addr, port: u16, lifetime: u32, nonce: [u8; 12]) -> Vec<u8> {
    let mut m = header(OP_MAP, lifetime, client);
    m.extend_from_slice(&nonce); // mapping nonce
    m.push(PROTO_UDP); // protocol
    m.extend_from_slice(&[0; 3]); // reserved
    m.extend_from_slice(&port.to_be_bytes()); // internal port
    m.extend_from_slice(&port.to_be_bytes()); // suggested external port
    // Suggested external address: none (the IPv4-mapped ::ffff:0.0.0.0, section 11.1).
    m.extend_from_slice(&Ipv4Addr::UNSPECIFIED.to_ipv6_mapped().octets());
    m
}

fn header(opcode: u8, lifetime: u32, client: Ipv4Addr) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEADER + MAP);
    m.push(VERSION);
    m.push(opcode); // R bit 0: a request
    m.extend_from_slice(&[0, 0]); // reserved
    m.extend_from_slice(&lifetime.to_be_bytes());
    m.extend_from_slice(&client.to_ipv6_mapped().octets());
    m
}

/// A PCP answer (or an unsolicited ANNOUNCE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The opcode answered (R bit removed).
    pub opcode: u8,
    /// Result code (section 7.4): 0 success, 7 network failure, ...
    pub result: u8,
    /// The mapping's lifetime (or how long an error holds).
    pub lifetime: u32,
    /// The server's epoch: a drop (PCP resets it to 0 on a change) means its state was lost.
    pub epoch: u32,
    /// For a MAP answer: the mapping.
    pub map: Option<MapAnswer>,
}

/// The MAP part of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapAnswer {
    /// Must be the request's.
    pub nonce: [u8; 12],
    /// Protocol of the mapping.
    pub protocol: u8,
    /// Internal port.
    pub internal_port: u16,
    /// Assigned external port.
    pub external_port: u16,
    /// Assigned external address (IPv4-mapped addresses read as IPv4).
    pub external: IpAddr,
}

/// Why bytes are not a PCP answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAnswer {
    /// Shorter than a header, longer than 1100 bytes, or not a multiple of 4 (section 7).
    #[error("PCP message of {0} bytes (24 to 1100, a multiple of 4)")]
    Length(usize),
    /// Version other than 2.
    #[error("PCP message of version {0} (expected 2)")]
    Version(u8),
    /// The R bit is clear: a request, not an answer.
    #[error("a PCP request, not an answer")]
    Request,
    /// A successful MAP answer without its 36 bytes of payload.
    #[error("PCP MAP answer without its mapping")]
    ShortMap,
}

/// Parse an answer. Options after the opcode payload are skipped (dnsup sends none).
pub fn parse_answer(b: &[u8]) -> Result<Answer, BadAnswer> {
    if b.len() < HEADER || b.len() > MAX_MESSAGE || !b.len().is_multiple_of(4) {
        return Err(BadAnswer::Length(b.len()));
    }
    if b[0] != VERSION {
        return Err(BadAnswer::Version(b[0]));
    }
    if b[1] & 0x80 == 0 {
        return Err(BadAnswer::Request);
    }
    let opcode = b[1] & 0x7f;
    let result = b[3];
    let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let map = if opcode == OP_MAP && b.len() >= HEADER + MAP {
        let p = &b[HEADER..HEADER + MAP];
        let mut nonce = [0; 12];
        nonce.copy_from_slice(&p[..12]);
        let mut ip = [0; 16];
        ip.copy_from_slice(&p[20..36]);
        let ip = Ipv6Addr::from(ip);
        Some(MapAnswer {
            nonce,
            protocol: p[12],
            internal_port: u16::from_be_bytes([p[16], p[17]]),
            external_port: u16::from_be_bytes([p[18], p[19]]),
            external: ip.to_ipv4_mapped().map_or(IpAddr::V6(ip), IpAddr::V4),
        })
    } else if opcode == OP_MAP && result == 0 {
        return Err(BadAnswer::ShortMap);
    } else {
        None
    };
    Ok(Answer {
        opcode,
        result,
        lifetime: u32_at(4),
        epoch: u32_at(8),
        map,
    })
}

/// What a result code means (section 7.4), for messages.
pub fn result_text(code: u8) -> &'static str {
    match code {
        0 => "success",
        1 => "unsupported version",
        2 => "not authorized (PCP may be disabled for this host on the router)",
        3 => "malformed request",
        4 => "unsupported opcode",
        5 => "unsupported option",
        6 => "malformed option",
        7 => "network failure (the router has no usable WAN address)",
        8 => "no resources (miniupnpd also says this when it has no public WAN address)",
        9 => "unsupported protocol",
        10 => "user exceeded quota",
        11 => "cannot provide external address",
        12 => "address mismatch (a NAT between dnsup and the router)",
        13 => "excessive remote peers",
        _ => "unknown result code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_an_announce_request() {
        let m = announce_request(Ipv4Addr::new(192, 168, 77, 10));
        #[rustfmt::skip]
        let expected = [
            2,    // version
            0,    // R = 0 (request), opcode 0: ANNOUNCE
            0, 0, // reserved
            0, 0, 0, 0, // requested lifetime 0
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 77, 10, // client ::ffff:192.168.77.10
        ];
        assert_eq!(m, expected);
    }

    #[test]
    fn writes_a_map_request() {
        let m = map_request(Ipv4Addr::new(192, 168, 77, 10), 40000, 30, [7; 12]);
        assert_eq!(m.len(), 60);
        assert_eq!(&m[..2], &[2, 1]); // version 2, MAP request
        assert_eq!(&m[4..8], &30u32.to_be_bytes()); // lifetime
        assert_eq!(&m[24..36], &[7; 12]); // nonce
        assert_eq!(m[36], 17); // UDP
        assert_eq!(&m[40..44], &[0x9c, 0x40, 0x9c, 0x40]); // ports 40000 -> 40000
        assert_eq!(&m[54..60], &[0xff, 0xff, 0, 0, 0, 0]); // no suggested address
    }

    #[test]
    fn reads_a_map_answer() {
        #[rustfmt::skip]
        let bytes = [
            2,       // version
            0x81,    // R = 1, opcode 1: MAP
            0,       // reserved
            0,       // result: SUCCESS
            0, 0, 0, 30,  // lifetime 30 s
            0, 0, 0, 12,  // epoch 12 s
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // reserved
            7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // nonce
            17, 0, 0, 0,  // UDP, reserved
            0x9c, 0x40,   // internal port 40000
            0x9c, 0x41,   // assigned external port 40001
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 100, 128, 0, 2, // ::ffff:100.128.0.2
        ];
        let a = parse_answer(&bytes).unwrap();
        assert_eq!((a.opcode, a.result, a.lifetime, a.epoch), (1, 0, 30, 12));
        let map = a.map.unwrap();
        assert_eq!(map.nonce, [7; 12]);
        assert_eq!((map.internal_port, map.external_port), (40000, 40001));
        assert_eq!(map.external, IpAddr::V4(Ipv4Addr::new(100, 128, 0, 2)));
    }

    #[test]
    fn reads_an_announce() {
        let mut bytes = [0u8; 24];
        bytes[0] = 2;
        bytes[1] = 0x80; // answer to ANNOUNCE
        let a = parse_answer(&bytes).unwrap();
        assert_eq!((a.opcode, a.result, a.epoch, a.map), (0, 0, 0, None));
    }

    #[test]
    fn refuses_other_shapes() {
        assert_eq!(parse_answer(&[2; 20]), Err(BadAnswer::Length(20)));
        assert_eq!(parse_answer(&[2; 26]), Err(BadAnswer::Length(26)));
        assert_eq!(parse_answer(&[2; 1104]), Err(BadAnswer::Length(1104)));
        assert_eq!(parse_answer(&[0; 24]), Err(BadAnswer::Version(0)));
        let req = announce_request(Ipv4Addr::LOCALHOST);
        assert_eq!(parse_answer(&req), Err(BadAnswer::Request));
        let mut short = [0u8; 24];
        short[0] = 2;
        short[1] = 0x81;
        assert_eq!(parse_answer(&short), Err(BadAnswer::ShortMap));
        short[3] = 7; // a failed MAP needs no payload
        assert_eq!(parse_answer(&short).unwrap().result, 7);
    }
}
