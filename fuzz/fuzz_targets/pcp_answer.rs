//! A PCP answer or unsolicited ANNOUNCE (RFC 6887), as the router source and the announcement
//! listener read it.
//!
//! Oracles: an accepted message is an answer (R bit) of version 2, 24 to 1100 bytes, a
//! multiple of 4; a MAP's fields are the bytes they came from, and an IPv4-mapped external
//! address reads as IPv4. Requests dnsup builds are never taken for answers.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use dnsup::ip::source::router::pcp::{
    OP_MAP, announce_request, map_request, parse_answer, result_text,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() >= 6 {
        // Our own requests, from fuzzed values, are never answers.
        let client = Ipv4Addr::new(data[0], data[1], data[2], data[3]);
        let port = u16::from_be_bytes([data[4], data[5]]);
        assert!(parse_answer(&announce_request(client)).is_err());
        assert!(parse_answer(&map_request(client, port, 30, [data[0]; 12])).is_err());
    }
    let Ok(a) = parse_answer(data) else {
        return;
    };
    assert!(data.len() >= 24 && data.len() <= 1100 && data.len() % 4 == 0);
    assert_eq!(data[0], 2);
    assert!(data[1] & 0x80 != 0);
    assert_eq!(a.opcode, data[1] & 0x7f);
    assert_eq!(a.result, data[3]);
    let _ = result_text(a.result);
    if let Some(m) = &a.map {
        assert_eq!(a.opcode, OP_MAP);
        assert_eq!(&m.nonce[..], &data[24..36]);
        assert_eq!(m.internal_port, u16::from_be_bytes([data[40], data[41]]));
        assert_eq!(m.external_port, u16::from_be_bytes([data[42], data[43]]));
        let raw: [u8; 16] = data[44..60].try_into().unwrap();
        let ip6 = std::net::Ipv6Addr::from(raw);
        match m.external {
            IpAddr::V4(v4) => assert_eq!(ip6.to_ipv4_mapped(), Some(v4)),
            IpAddr::V6(v6) => {
                assert_eq!(v6, ip6);
                assert!(ip6.to_ipv4_mapped().is_none());
            }
        }
    }
});
