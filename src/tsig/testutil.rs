//! Shared test fixtures: a hand-assembled UPDATE and its answer, and known-answer MACs computed
//! independently of this crate (Python's `hmac`/`hashlib` over the same bytes; the script is
//! reproduced below so the vectors can be regenerated).
//!
//! ```text
//! import hmac, hashlib
//! def wire(n): return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
//! def tsig_vars(alg, t): return (wire("dnsup-test.example") + b"\x00\xff" + b"\0\0\0\0" + wire(alg)
//!     + t.to_bytes(6, "big") + (300).to_bytes(2, "big") + b"\0\0" + b"\0\0")
//! secret = b"dnsup tsig test key " + name.encode()             # name = "hmac-sha256", ...
//! req_mac = hmac.new(secret, REQUEST + tsig_vars(wire_alg, 1700000000), h).digest()
//! resp_mac = hmac.new(secret, len(req_mac).to_bytes(2, "big") + req_mac + RESPONSE
//!     + tsig_vars(wire_alg, 1700000001), h).digest()
//! ```

use base64::Engine as _;
use hickory_proto::rr::Name;

use super::{Algorithm, Key};

/// Time signed of the known-answer request.
pub(crate) const KAT_TIME: u64 = 1_700_000_000;
/// Time signed of the known-answer response, one second later.
pub(crate) const KAT_RESPONSE_TIME: u64 = 1_700_000_001;

/// `update add host.example.test. 300 IN A 192.0.2.1` in zone example.test, unsigned.
#[rustfmt::skip]
pub(crate) const REQUEST: &[u8] = &[
    0x2a, 0x5b, // ID
    0x28, 0x00, // QR=0, opcode UPDATE (5), RCODE 0
    0x00, 0x01, // ZOCOUNT
    0x00, 0x00, // PRCOUNT
    0x00, 0x01, // UPCOUNT
    0x00, 0x00, // ADCOUNT (the TSIG RR is not counted yet)
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x04, b't', b'e', b's', b't', 0x00, // zone example.test.
    0x00, 0x06, // type SOA
    0x00, 0x01, // class IN
    0x04, b'h', b'o', b's', b't', 0xc0, 0x0c, // host + pointer to example.test. at offset 12
    0x00, 0x01, // type A
    0x00, 0x01, // class IN
    0x00, 0x00, 0x01, 0x2c, // TTL 300
    0x00, 0x04, // RDLENGTH
    0xc0, 0x00, 0x02, 0x01, // 192.0.2.1
];

/// The server's NOERROR answer to [`REQUEST`], unsigned.
#[rustfmt::skip]
pub(crate) const RESPONSE: &[u8] = &[
    0x2a, 0x5b, // ID
    0xa8, 0x00, // QR=1, opcode UPDATE (5), RCODE NOERROR
    0x00, 0x01, // ZOCOUNT
    0x00, 0x00, // PRCOUNT
    0x00, 0x00, // UPCOUNT
    0x00, 0x00, // ADCOUNT
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x04, b't', b'e', b's', b't', 0x00, // zone example.test.
    0x00, 0x06, // type SOA
    0x00, 0x01, // class IN
];

/// Per algorithm: the request MAC at [`KAT_TIME`] and the response MAC at [`KAT_RESPONSE_TIME`].
pub(crate) const KAT_MACS: [(Algorithm, &str, &str); 6] = [
    (
        Algorithm::HmacMd5,
        "c2a9e038ca251a147909198134a60536",
        "d069f0f3f043c7fa42d0972717710a33",
    ),
    (
        Algorithm::HmacSha1,
        "1216fa385c1d119f4866b8702a15e679ff0b394b",
        "e9db143cc9c5ad21707c1c413c2ac9e021436bfd",
    ),
    (
        Algorithm::HmacSha224,
        "cc3d02d246e1d3344d89db62bd1adf0cf6a19adc7066438e4e044c05",
        "c964b949261ee844c980592f49b7a8a41e7d37d6646ba0f12a64036e",
    ),
    (
        Algorithm::HmacSha256,
        "786b30ef5923f40e17504ba01753636645ec7c222a0355e201b1a5bc2604f553",
        "c3aea2b4ea431e01c261e03d789adc7b3116411fb0989de5ff6d9277f63352fc",
    ),
    (
        Algorithm::HmacSha384,
        "14425271645683a2b665f3a8b7f51a64ac650d17da7f945f0bb7d4fb0c0be6bdc83358b6687ae2a133a7f9ad975c0471",
        "ef890231ca510374562aa884a44958f50f813feade4ee55dd2e617253a8d3712c605f94bd3fe6b5a955333319dd24c4c",
    ),
    (
        Algorithm::HmacSha512,
        "6625dc5e25f9abff9b7311a8deb5085f109d0d4d79bf1dc6afa183f64bae7f2aa736f6ad09d489f90b3985110f520b1891adf5d99a0c29734254dd33f8eccd77",
        "be7c44d6aaac42b2ad9f3e5f2c83c594bb45cea078daa33e67a3dc94dd9a36138d828c64a501ab24aec14395ba3cc64a1efa5d570d0a43df7b5d8455d55d9139",
    ),
];

pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub(crate) fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub(crate) fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// The known-answer key; the mixed-case name checks that signing uses the lower-case form.
pub(crate) fn kat_key(algorithm: Algorithm) -> Key {
    let secret = format!("dnsup tsig test key {}", algorithm.name()).into_bytes();
    Key::new(name("DNSUP-Test.Example"), algorithm, secret, None).unwrap()
}

/// `message` with ARCOUNT + 1 and a TSIG RR for the known-answer key, encoded by hand.
pub(crate) fn with_tsig(message: &[u8], algorithm: Algorithm, time: u64, mac: &[u8]) -> Vec<u8> {
    let mut out = message.to_vec();
    out[11] += 1; // ARCOUNT
    let alg = algorithm.wire_name().to_ascii();
    let alg: Vec<u8> = alg
        .trim_end_matches('.')
        .split('.')
        .flat_map(|l| std::iter::once(l.len() as u8).chain(l.bytes()))
        .chain([0])
        .collect();
    let rdlength = alg.len() + 16 + mac.len();
    #[rustfmt::skip]
    out.extend_from_slice(&[
        0x0a, b'd', b'n', b's', b'u', b'p', b'-', b't', b'e', b's', b't', // owner dnsup-test
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00,             //   .example. (lower case)
        0x00, 0xfa,             // type TSIG
        0x00, 0xff,             // class ANY
        0x00, 0x00, 0x00, 0x00, // TTL 0
        0x00, rdlength as u8,   // RDLENGTH
    ]);
    out.extend_from_slice(&alg); // algorithm name, uncompressed
    out.extend_from_slice(&time.to_be_bytes()[2..]); // time signed, 48 bits
    out.extend_from_slice(&[0x01, 0x2c]); // fudge 300
    out.extend_from_slice(&[0x00, mac.len() as u8]); // MAC size
    out.extend_from_slice(mac); // MAC
    out.extend_from_slice(&message[..2]); // original ID
    out.extend_from_slice(&[0x00, 0x00]); // error NOERROR
    out.extend_from_slice(&[0x00, 0x00]); // other len 0
    out
}
