//! A NAT-PMP answer or announcement (RFC 6886), as the router source and the announcement
//! listener read it.
//!
//! Oracle: an accepted answer is 12 bytes of version 0, opcode 128, and its fields are the
//! bytes they came from (nothing is invented or reordered).
#![no_main]

use dnsup::ip::source::router::natpmp::{ANSWER_LEN, parse_answer, result_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(a) = parse_answer(data) else {
        return;
    };
    assert_eq!(data.len(), ANSWER_LEN);
    assert_eq!(&data[..2], &[0, 128]);
    let mut again = vec![0, 128];
    again.extend_from_slice(&a.result.to_be_bytes());
    again.extend_from_slice(&a.epoch.to_be_bytes());
    again.extend_from_slice(&a.address.octets());
    assert_eq!(again, data, "fields do not read back");
    let _ = result_text(a.result);
});
