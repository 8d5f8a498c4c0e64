//! Interoperability against captures of the real tools (`testdata/interop.txt`,
//! `testdata/named_errors.txt`): dnsup must sign byte for byte what nsupdate, dig, knsupdate and
//! kdig send for the same message and time, and accept what named and knotd answer.

use super::testutil::{b64, hex, name};
use super::wire::{self, Found};
use super::*;

struct Exchange {
    client: String,
    server: String,
    key: Key,
    request: Vec<u8>,
    response: Option<Vec<u8>>,
}

fn exchanges() -> Vec<Exchange> {
    include_str!("testdata/interop.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (algorithm, bits) = Algorithm::parse(f[2]).unwrap();
            Exchange {
                client: f[0].to_string(),
                server: f[1].to_string(),
                key: Key::new(name(f[3]), algorithm, b64(f[4]), bits).unwrap(),
                request: hex(f[5]),
                response: (f[6] != "-").then(|| hex(f[6])),
            }
        })
        .collect()
}

/// The captured request without its TSIG RR, and the RR's time signed and fudge.
fn unsigned(request: &[u8]) -> (Vec<u8>, u64, u16) {
    let Ok(Found::Last(tsig)) = wire::find_tsig(request) else {
        panic!("no TSIG in capture");
    };
    let mut message = request[..tsig.start].to_vec();
    message[11] -= 1;
    (message, tsig.time_signed, tsig.fudge)
}

#[test]
fn signs_like_bind_and_knot() {
    let all = exchanges();
    assert_eq!(all.len(), 25);
    for x in &all {
        let (message, time, fudge) = unsigned(&x.request);
        let (signed, mac) = sign_request(&message, &x.key, time, fudge).unwrap();
        assert_eq!(signed, x.request, "{} {}", x.client, x.key.algorithm());
        assert_eq!(mac.mac().len(), x.key.mac_len());
    }
}

#[test]
fn verifies_named_and_knotd_answers() {
    let mut verified = 0;
    for x in exchanges() {
        let Some(response) = &x.response else {
            continue;
        };
        let (message, time, fudge) = unsigned(&x.request);
        let (_, mac) = sign_request(&message, &x.key, time, fudge).unwrap();
        let v = verify_response(response, &mac, &x.key, time + 1)
            .unwrap_or_else(|e| panic!("{} {}: {e}", x.server, x.key.algorithm()));
        assert!(v.signed);
        assert_eq!(v.server_error, None);
        assert_eq!(v.server_time, time, "both sides ran on one clock");
        assert_eq!(v.message[11], 0, "TSIG removed from ARCOUNT");
        assert_eq!(v.message[..10], response[..10]);
        assert_eq!(v.message[12..], response[12..v.message.len()]);
        verified += 1;
    }
    assert_eq!(verified, 13);
}

#[test]
fn named_truncated_key_answers_with_16_bytes() {
    let x = exchanges()
        .into_iter()
        .find(|x| x.key.is_truncated())
        .unwrap();
    let Ok(Found::Last(tsig)) = wire::find_tsig(x.response.as_deref().unwrap()) else {
        panic!()
    };
    assert_eq!(tsig.mac.len(), 16);
    // Our full-length key would refuse the truncated answer only by policy, not by MAC.
    let full = Key::new(
        x.key.name().clone(),
        Algorithm::HmacSha256,
        b64("OYqI6gXmVAaYUgFVB6/woiULP7SXzVLTQe0RjmytXPY="),
        None,
    )
    .unwrap();
    let (message, time, fudge) = unsigned(&x.request);
    let (_, mac) = sign_request(&message, &x.key, time, fudge).unwrap();
    assert_eq!(
        verify_response(x.response.as_deref().unwrap(), &mac, &full, time),
        Err(VerifyError::BadTrunc { len: 16 })
    );
}

struct NamedError {
    case: String,
    key: Key,
    request: Vec<u8>,
    response: Vec<u8>,
}

fn named_errors() -> Vec<NamedError> {
    let secret = b64("OYqI6gXmVAaYUgFVB6/woiULP7SXzVLTQe0RjmytXPY=");
    include_str!("testdata/named_errors.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            NamedError {
                case: f[0].to_string(),
                key: Key::new(name(f[1]), Algorithm::HmacSha256, secret.clone(), None).unwrap(),
                request: hex(f[2]),
                response: hex(f[3]),
            }
        })
        .collect()
}

/// Our clock when the error captures were made.
const ERRORS_NOW: u64 = 1_795_588_055;

#[test]
fn named_error_answers() {
    for x in named_errors() {
        let (message, time, fudge) = unsigned(&x.request);
        let (signed, mut mac) = sign_request(&message, &x.key, time, fudge).unwrap();
        if x.case == "badsig" {
            // The capture's request MAC was corrupted on purpose; keep what was really sent.
            assert_ne!(signed, x.request);
            let Ok(Found::Last(tsig)) = wire::find_tsig(&x.request) else {
                panic!()
            };
            mac.mac = tsig.mac.to_vec();
        } else {
            assert_eq!(signed, x.request);
        }
        let v = verify_response(&x.response, &mac, &x.key, ERRORS_NOW).unwrap();
        assert_eq!(v.message[3] & 0x0f, 9, "RCODE NOTAUTH");
        match x.case.as_str() {
            "badtime" => {
                assert!(v.signed, "a BADTIME answer is signed");
                assert_eq!(v.server_error, Some(TsigRcode::BadTime));
                assert_eq!(v.server_time, 0x6b06_7fd7, "server clock from Other Data");
                assert_eq!(time, ERRORS_NOW - 1000);
            }
            "badsig" => {
                assert!(!v.signed);
                assert_eq!(v.server_error, Some(TsigRcode::BadSig));
            }
            "badkey" => {
                assert!(!v.signed);
                assert_eq!(v.server_error, Some(TsigRcode::BadKey));
            }
            other => panic!("unknown case {other}"),
        }
    }
}
