//! TSIG verification of an answer (RFC 8945 section 5.3.1), and signing.
//!
//! The input is tried two ways:
//! 1. as an answer to the fixed signed request: `verify_response` must return (not panic), and
//!    never `signed: true` (the fuzzer cannot forge an HMAC);
//! 2. the first byte picks an algorithm, truncation, TSIG error and clock offset, the rest is a
//!    message body. Round trip: `sign_request` then `sign_response` over the body must verify,
//!    give back the body exactly (ID = original ID) and report the error the server put in;
//!    and changing any one byte the MAC covers must make verification fail.
#![no_main]

use dnsup::tsig::{self, Algorithm, DEFAULT_FUDGE, TsigRcode, VerifyError, verify_response};
use dnsup_fuzz::{ID, SIGNED_AT, key, key_with, request_wire, signed_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // 1. Arbitrary bytes as the answer.
    let key = key();
    let (_, mac) = signed_request(&key);
    for now in [SIGNED_AT, 0, u64::MAX] {
        if let Ok(v) = verify_response(data, &mac, &key, now) {
            assert!(!v.signed, "a fuzzed answer passed HMAC verification");
            assert!(
                matches!(v.server_error, Some(TsigRcode::BadSig | TsigRcode::BadKey)),
                "an unsigned answer accepted with error {:?}",
                v.server_error
            );
        }
    }

    // 2. Sign and verify.
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let algorithm = Algorithm::ALL[usize::from(control & 0x07) % Algorithm::ALL.len()];
    // Truncation to the shortest MAC the algorithm allows (BIND's hmac-sha256-128 style).
    let truncate = (control & 0x08 != 0).then(|| (algorithm.min_len() * 8) as u16);
    let key = key_with(algorithm, truncate);
    let Ok((_, mac)) = tsig::sign_request(&request_wire(), &key, SIGNED_AT, DEFAULT_FUDGE) else {
        panic!("the fixed request cannot be signed with {algorithm:?} {truncate:?}");
    };
    let error = match (control >> 4) & 0x03 {
        0 => None,
        1 => Some(TsigRcode::BadTime),
        2 => Some(TsigRcode::BadSig),
        _ => Some(TsigRcode::BadTrunc),
    };
    // The server's clock: on time, or beyond the fudge (BADTIME answers carry it in Other Data).
    let skew: u64 = if control & 0x40 != 0 { 1000 } else { 0 };
    let server_time = SIGNED_AT + skew;
    let other = if error == Some(TsigRcode::BadTime) {
        server_time.to_be_bytes()[2..].to_vec()
    } else {
        Vec::new()
    };
    let Ok(answer) =
        tsig::sign_response(body, &mac, &key, server_time, DEFAULT_FUDGE, error, &other)
    else {
        return; // too short to be a message, or too long to sign
    };
    // The oracle holds for a well-formed body without a TSIG record (what a server signs):
    // verification walks the whole message and refuses trailing bytes or an earlier TSIG.
    if verify_response(body, &mac, &key, SIGNED_AT) != Err(VerifyError::NoTsig) {
        return;
    }
    let verified = verify_response(&answer, &mac, &key, SIGNED_AT);
    let v = match (verified, error) {
        (Ok(v), _) => v,
        // Beyond the fudge without BADTIME: the time check must catch it.
        (Err(VerifyError::BadTime { .. }), None | Some(TsigRcode::BadTrunc))
            if skew > u64::from(DEFAULT_FUDGE) =>
        {
            return;
        }
        (Err(e), _) => panic!(
            "a correctly signed answer ({algorithm:?}, truncated {truncate:?}, error {error:?}, skew {skew}) does not verify: {e}"
        ),
    };
    let mut expected = body.to_vec();
    expected[..2].copy_from_slice(&ID.to_be_bytes());
    assert_eq!(v.message, expected, "verification changed the message");
    assert_eq!(v.server_error, error, "the TSIG error changed");
    let unsigned = matches!(error, Some(TsigRcode::BadSig));
    assert_eq!(v.signed, !unsigned, "signed flag wrong for error {error:?}");
    assert_eq!(v.server_time, server_time, "server time changed");

    // Tampering: any byte the MAC covers (the message after the ID, the TSIG's time, fudge,
    // error and other data), changed, must make verification fail.
    if unsigned {
        return;
    }
    let tsig_rdata_tail = 6 + 2 + 2 + key.mac_len() + 2 + 2 + 2 + other.len();
    let covered =
        (2..body.len()).chain(answer.len() - tsig_rdata_tail..answer.len() - tsig_rdata_tail + 8);
    for (n, i) in covered.enumerate() {
        if n % 7 != 0 && n > 64 {
            continue; // a sample is enough for long inputs
        }
        let mut bad = answer.clone();
        bad[i] ^= 0x01;
        if let Ok(v) = verify_response(&bad, &mac, &key, SIGNED_AT) {
            assert!(
                !v.signed,
                "changing byte {i} of a signed answer still verifies"
            );
        }
    }
});
