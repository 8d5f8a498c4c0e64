//! NAT-PMP (RFC 6886): the public-address request (opcode 0, section 3.2), its answer, and the
//! unsolicited announcement a router multicasts to 224.0.0.1:5350 when its address changes
//! (section 3.2.1). Sans-IO: bytes in, values out.

use std::net::Ipv4Addr;
use std::time::Duration;

/// The router listens here (RFC 6886 section 3).
pub const SERVER_PORT: u16 = 5351;
/// Announcements are sent to this port on 224.0.0.1 (section 3.2.1).
pub const ANNOUNCE_PORT: u16 = 5350;

/// The request: version 0, opcode 0 (section 3.2).
pub const REQUEST: [u8; 2] = [0, 0];

/// The answer and the announcement are exactly this long.
pub const ANSWER_LEN: usize = 12;

/// RFC 6886 section 3.1: first try after 250 ms, doubling, nine tries in all (64 s).
pub fn retransmit_delays() -> impl Iterator<Item = Duration> {
    (0..9).map(|i| Duration::from_millis(250 << i))
}

/// A public-address answer (or announcement) the router sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// Result code (section 3.5): 0 success, 3 network failure (the router has no WAN
    /// address), ...
    pub result: u16,
    /// Seconds since the router's port-mapping table was initialised: a drop means it rebooted.
    pub epoch: u32,
    /// The router's external address (meaningful only when `result` is 0).
    pub address: Ipv4Addr,
}

/// Why bytes are not a NAT-PMP public-address answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAnswer {
    /// Not 12 bytes.
    #[error("NAT-PMP answer of {0} bytes (expected 12)")]
    Length(usize),
    /// Version other than 0 (a PCP answer has 2).
    #[error("NAT-PMP answer of version {0} (expected 0)")]
    Version(u8),
    /// Not opcode 128 (the answer to opcode 0).
    #[error("NAT-PMP answer with opcode {0} (expected 128)")]
    Opcode(u8),
}

/// Parse an answer to [`REQUEST`], or an announcement (the same format).
pub fn parse_answer(bytes: &[u8]) -> Result<Answer, BadAnswer> {
    let b: &[u8; ANSWER_LEN] = bytes
        .try_into()
        .map_err(|_| BadAnswer::Length(bytes.len()))?;
    if b[0] != 0 {
        return Err(BadAnswer::Version(b[0]));
    }
    if b[1] != 128 {
        return Err(BadAnswer::Opcode(b[1]));
    }
    Ok(Answer {
        result: u16::from_be_bytes([b[2], b[3]]),
        epoch: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
        address: Ipv4Addr::new(b[8], b[9], b[10], b[11]),
    })
}

/// What a result code means (section 3.5), for messages.
pub fn result_text(code: u16) -> &'static str {
    match code {
        0 => "success",
        1 => "unsupported version",
        2 => "not authorized/refused (NAT-PMP may be disabled on the router)",
        3 => "network failure (the router has no usable WAN address)",
        4 => "out of resources",
        5 => "unsupported opcode",
        _ => "unknown result code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_answer() {
        let bytes = [
            0x00, // version 0
            0x80, // opcode 128: answer to opcode 0
            0x00, 0x00, // result 0: success
            0x00, 0x00, 0x0e, 0x10, // epoch: 3600 s
            100, 128, 0, 2, // external address 100.128.0.2
        ];
        assert_eq!(
            parse_answer(&bytes),
            Ok(Answer {
                result: 0,
                epoch: 3600,
                address: Ipv4Addr::new(100, 128, 0, 2)
            })
        );
    }

    #[test]
    fn reads_a_network_failure() {
        let bytes = [
            0x00, 0x80, // version 0, opcode 128
            0x00, 0x03, // result 3: network failure
            0x00, 0x00, 0x00, 0x05, // epoch 5
            0, 0, 0, 0, // no address
        ];
        let a = parse_answer(&bytes).unwrap();
        assert_eq!(a.result, 3);
        assert!(result_text(a.result).contains("network failure"));
    }

    #[test]
    fn refuses_other_shapes() {
        assert_eq!(parse_answer(&[]), Err(BadAnswer::Length(0)));
        assert_eq!(parse_answer(&[0; 13]), Err(BadAnswer::Length(13)));
        let mut pcp = [0u8; 12];
        pcp[0] = 2; // a PCP packet
        assert_eq!(parse_answer(&pcp), Err(BadAnswer::Version(2)));
        // Our own request echoed back (opcode 0) is not an answer.
        let mut req = [0u8; 12];
        req[1] = 0;
        assert_eq!(parse_answer(&req), Err(BadAnswer::Opcode(0)));
        // A mapping answer (opcode 129) is not a public-address answer.
        req[1] = 129;
        assert_eq!(parse_answer(&req), Err(BadAnswer::Opcode(129)));
    }

    #[test]
    fn retransmits_as_rfc_6886_says() {
        let d: Vec<_> = retransmit_delays().collect();
        assert_eq!(d.len(), 9);
        assert_eq!(d[0], Duration::from_millis(250));
        assert_eq!(d[8], Duration::from_secs(64));
    }
}
